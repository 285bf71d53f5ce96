"""The querysets behind the list, the card and the API: each a fixed number of queries."""

from django.db.models import Prefetch

from positions.models import Position


def list_queryset():
    """Rows for the list and the API list: one query for the page, with completeness facts."""
    return Position.objects.with_facts().select_related("department", "parent").order_by("tree_id", "lft")


def card_queryset():
    """One position with everything its card shows: 5 queries whatever its size."""
    return list_queryset().prefetch_related(
        "items",
        "kpis",
        Prefetch("children", queryset=Position.objects.order_by("lft")),
        "holders",
    )
