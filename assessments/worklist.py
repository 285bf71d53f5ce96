"""What waits for someone in the assessments (考核待办): to fill in, to rate, to review, to acknowledge."""

from django.db.models import Count, Q

from assessments.access import visible_filter, worklist_filters
from assessments.models import Assessment

KINDS = ("fill_in", "rate", "review", "acknowledge")


def counts(user):
    """{kind: count, "total": n} in one query."""
    filters = worklist_filters(user)
    any_kind = Q(pk__in=[])
    for condition in filters.values():
        any_kind |= condition
    found = Assessment.objects.filter(any_kind).aggregate(
        **{kind: Count("pk", filter=filters[kind], distinct=True) for kind in KINDS}
    )
    found["total"] = sum(found[kind] for kind in KINDS)
    return found


def lists(user):
    """{kind: [assessments]} and "others": the rest `user` may see (latest cycles first), for /assessments/mine/."""
    filters = worklist_filters(user)
    base = Assessment.objects.select_related("cycle", "person").order_by("-cycle__starts_on", "position_code", "pk")
    found = {kind: list(base.filter(filters[kind]).distinct()) for kind in KINDS}
    waiting = {a.pk for kind in KINDS for a in found[kind]}
    found["others"] = [a for a in base.filter(visible_filter(user)).distinct()[:200] if a.pk not in waiting]
    return found
