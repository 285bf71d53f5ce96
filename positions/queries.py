"""The querysets behind the list, the card and the API: each a fixed number of queries."""

from django.db.models import Prefetch

from positions.models import Position


def list_queryset():
    """Rows for the list page: one query for a page, with completeness facts and holder counts annotated."""
    return (
        Position.objects.with_facts()
        .with_holder_count()
        .select_related("department", "parent")
        .order_by("tree_id", "lft")
    )


def card_queryset():
    """Positions with everything their cards show: 5 queries whatever their size.

    Completeness is judged from the prefetched rows, so no facts are annotated here.
    """
    return (
        Position.objects.select_related("department", "parent")
        .prefetch_related(
            "items",
            "kpis",
            Prefetch("children", queryset=Position.objects.order_by("lft")),
            "holders",
        )
        .order_by("tree_id", "lft")
    )
