"""Keeping each position's stored completeness facts (models.CompletenessFacts) in step with its rows.

services/editing.py writes the facts of the documents it saves. Everything else that
writes rows (Django admin, factories in tests, synth_org, migrations) is covered here:
a signal refreshes the position a saved row belongs to, and `refresh_facts()` recounts
many positions at once in SQL. Inside `managed()` the signal stands aside, because the
writer sets the facts itself. Deletes have no signal on purpose: a post_delete receiver
would make Django fetch every row of a bulk delete; the admin recounts after deleting.
"""

from contextlib import contextmanager
from contextvars import ContextVar

_managed = ContextVar("positions_facts_managed", default=False)


@contextmanager
def managed():
    """Row writes in this block set the facts themselves: the signals do nothing."""
    token = _managed.set(True)
    try:
        yield
    finally:
        _managed.reset(token)


def refresh_facts(positions):
    """Recount the facts of `positions` (a queryset) from their rows and store them; returns how many changed."""
    from portal.bulk import bulk_update
    from positions.models import STORED_FACTS, Position
    from positions.querysets import facts_by_position

    counted = facts_by_position(positions)
    changed = []
    for stored in positions.only("pk", *STORED_FACTS):
        if any(getattr(stored, name) != counted[stored.pk][name] for name in STORED_FACTS):
            stored.store_facts(counted[stored.pk])
            changed.append(stored)
    bulk_update(Position, changed, STORED_FACTS)
    return len(changed)


def row_changed(sender, instance, **kwargs):
    """A description line, KPI or link was saved outside the services: recount its position."""
    from positions.models import Position

    if _managed.get():
        return
    position_id = getattr(instance, "position_id", None) or getattr(instance, "source_id", None)
    if position_id and Position.objects.filter(pk=position_id).exists():
        refresh_facts(Position.objects.filter(pk=position_id))


def connect():
    from django.db.models.signals import post_save

    from assessments.models import KPI
    from positions.models import DescriptionItem, PositionLink

    for model in (DescriptionItem, KPI, PositionLink):
        post_save.connect(row_changed, sender=model, dispatch_uid=f"facts-{model.__name__}-saved")
