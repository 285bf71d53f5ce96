"""Moving a post (and everything under it) to a new superior: the one way the reporting tree changes shape.

The editor, the chart's "move under…" action, drag and drop on the chart and the API all
end here (the editor and the API through services/editing.py, which calls `place()`).
Every move holds the tree lock, reads fresh tree numbers, refuses a loop with the chain
it would close, and counts as a new version of the moved job description.
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.locking import lock_tree
from portal.models import TREE_FIELDS
from positions import history
from positions.models import Position


class MoveRefused(Exception):
    """A move that cannot be made; the message says why, naming the positions."""


def loop_message(code, superior_code, loop):
    """The refusal for a superior that would close a loop; `loop`: the codes down the reporting
    lines (each the superior of the next), ending where it started. One wording for every route that refuses a loop."""
    return _("%(code)s cannot report to %(superior)s: that would close the loop %(chain)s.") % {
        "code": code,
        "superior": superior_code,
        "chain": " → ".join(loop),
    }


def check_move(position, superior):
    """Refuse a superior that is the post itself or under it. Call under the tree lock, with fresh numbers."""
    if superior is None:
        return
    if superior.pk == position.pk:
        raise MoveRefused(_("A position cannot report to itself."))
    if superior.tree_id == position.tree_id and position.lft < superior.lft < position.rght:
        chain = list(
            Position.objects.filter(
                tree_id=position.tree_id, lft__gte=position.lft, lft__lte=superior.lft, rght__gte=superior.rght
            )
            .order_by("lft")
            .values_list("code", flat=True)
        )
        raise MoveRefused(loop_message(position.code, superior.code, [*chain, position.code]))


def fresh(position):
    """`position` with its tree numbers read again (mptt works from them; other moves shift them)."""
    numbers = Position.objects.filter(pk=position.pk).values(*TREE_FIELDS).get()
    for name, value in numbers.items():
        setattr(position, name, value)
    return position


def place(position, superior):
    """Put `position` under `superior` (None: at the top) with mptt, under the tree lock. No version bump."""
    lock_tree(Position)
    fresh(position)
    if superior is not None:
        fresh(superior)
    check_move(position, superior)
    position.parent = superior
    position.save()  # LockedTreeModel: mptt moves the subtree from the numbers just read


@dataclass
class MovePlan:
    """What a move would do, checked as the move will be but not made (for the confirmation step)."""

    position: Position
    superior: Position | None
    below: int  # the posts under it, which move with it

    @property
    def changes_nothing(self):
        return self.position.parent_id == (self.superior.pk if self.superior else None)


def plan_move(code, superior_code):
    """The MovePlan for moving the post `code` under `superior_code` (None: the top). Raises
    Position.DoesNotExist or MoveRefused (an unknown superior, the post itself or one under it),
    as move_position() would; move_position() checks again, under the tree lock."""
    position = Position.objects.get(code=code)
    superior = None
    if superior_code:
        superior = Position.objects.filter(code=superior_code).first()
        if superior is None:
            raise MoveRefused(_("Unknown position %(code)s.") % {"code": superior_code})
    check_move(position, superior)
    return MovePlan(position, superior, position.get_descendant_count())


@transaction.atomic
def move_position(code, superior_code, *, expected_version=None):
    """Move the post `code` under `superior_code` (None or "": to the top); returns the moved Position.

    Raises Position.DoesNotExist, MoveRefused, or editing.VersionConflict when `expected_version`
    is given and someone saved the post since.
    """
    from positions.services.editing import VersionConflict

    lock_tree(Position)  # first, before any row lock: see services/editing.py
    position = Position.objects.select_for_update().get(code=code)
    if expected_version is not None and position.version != expected_version:
        raise VersionConflict(code, expected_version, position.version)
    superior = None
    if superior_code:
        try:
            superior = Position.objects.get(code=superior_code)
        except Position.DoesNotExist:
            raise MoveRefused(_("Unknown position %(code)s.") % {"code": superior_code}) from None
    if position.parent_id == (superior.pk if superior else None):
        return position
    place(position, superior)
    now = timezone.now()
    Position.objects.filter(pk=position.pk).update(version=F("version") + 1, updated_at=now)
    position.version += 1
    position.updated_at = now
    history.record([position.pk])
    return position
