"""Queries over positions: what a user may see, search, subtrees, and completeness facts for many at once."""

from collections import defaultdict
from decimal import Decimal

from django.db import models
from django.db.models import BooleanField, Count, ExpressionWrapper, OuterRef, Q, Sum
from mptt.querysets import TreeQuerySet

from positions import access
from positions.completeness import LINE_FACTS, empty_facts

# Facts read from the position's own fields, as SQL booleans (no text is fetched).
FIELD_FACTS = {
    "has_purpose": ~Q(purpose=""),
    "has_work_environment": ~Q(work_environment=""),
    "has_education": ~Q(education=""),
}
# Counting facts from the rows (row_facts, facts_by_position) is for keeping the stored facts up to date
# (services/facts.py); pages read the stored facts.


class PositionQuerySet(TreeQuerySet):
    def visible_to(self, user):
        """The positions whose job descriptions `user` may read (positions/access.py decides)."""
        return self.filter(access.readable_filter(user))

    def under(self, root, include_root=True):
        """`root` and everything below it in the reporting tree."""
        lower = "lft__gte" if include_root else "lft__gt"
        return self.filter(tree_id=root.tree_id, **{lower: root.lft, "lft__lt": root.rght})

    def in_department(self, department, subtree=True):
        if not subtree:
            return self.filter(department=department)
        return self.filter(
            department__tree_id=department.tree_id,
            department__lft__gte=department.lft,
            department__rght__lte=department.rght,
        )

    def search(self, text):
        """Code, title and every text of the job description, as a (Chinese-safe) substring."""
        from assessments.models import KPI
        from positions.models import DescriptionItem

        text = text.strip()
        if not text:
            return self
        item_match = DescriptionItem.objects.filter(position=OuterRef("pk"), text__icontains=text)
        kpi_match = KPI.objects.filter(position=OuterRef("pk")).filter(
            Q(responsibility__icontains=text) | Q(standard__icontains=text)
        )
        return self.filter(
            Q(code__icontains=text)
            | Q(title__icontains=text)
            | Q(purpose__icontains=text)
            | Q(work_environment__icontains=text)
            | Q(major__icontains=text)
            | models.Exists(item_match)
            | models.Exists(kpi_match)
        )


def row_facts(positions):
    """Counts from the rows of many positions, {position id: {fact: value}}, in three grouped queries.

    `positions` is a queryset (its ids are used as a subquery, so a whole tree costs no more
    queries than one page).
    """
    from assessments.models import KPI
    from positions.models import LINE_SECTIONS, DescriptionItem, PositionLink

    ids = positions.order_by().values("pk")
    kinds = {LINE_FACTS[key]: kind for key, kind in LINE_SECTIONS}
    counts = defaultdict(dict)
    item_rows = (
        DescriptionItem.objects.filter(position__in=ids)
        .order_by()
        .values("position_id")
        .annotate(
            **{name: Count("pk", filter=Q(kind=kind)) for name, kind in kinds.items()},
            n_duties_shared=Count("share"),
            duty_share_total=Sum("share"),
        )
    )
    for row in item_rows:
        counts[row.pop("position_id")].update(row)
    kpi_rows = (
        KPI.objects.filter(position__in=ids)
        .order_by()
        .values("position_id")
        .annotate(
            n_kpis=Count("pk"),
            n_kpis_unweighted=Count("pk", filter=Q(weight__isnull=True)),
            n_kpis_without_standard=Count("pk", filter=Q(standard="")),
            kpi_weight_total=Sum("weight"),
        )
    )
    for row in kpi_rows:
        counts[row.pop("position_id")].update(row)
    career_rows = (
        PositionLink.objects.filter(source__in=ids, kind__in=PositionLink.CAREER_KINDS)
        .order_by()
        .values("source_id")
        .annotate(n_career=Count("pk"))
    )
    for row in career_rows:
        counts[row["source_id"]]["n_career"] = row["n_career"]
    return counts


def facts_by_position(positions):
    """{position id: facts} counted from the rows of every position of `positions` (a queryset), in four queries."""
    counts = row_facts(positions)
    own = {
        f"own_{name}": ExpressionWrapper(condition, output_field=BooleanField())
        for name, condition in FIELD_FACTS.items()
    }
    result = {}
    for row in positions.annotate(**own).order_by().values("pk", "has_description", *own):
        facts = empty_facts(row["has_description"])
        for name in FIELD_FACTS:
            facts[name] = bool(row[f"own_{name}"])
        for name, value in counts.get(row["pk"], {}).items():
            facts[name] = value if value is not None else Decimal(0)
        result[row["pk"]] = facts
    return result


def holder_counts(positions):
    """{position id: primary holders} for `positions` (a queryset); only primary holders fill headcount."""
    from positions.models import Assignment

    rows = (
        Assignment.objects.current()
        .filter(position__in=positions.order_by().values("pk"), kind=Assignment.Kind.PRIMARY)
        .order_by()
        .values("position_id")
        .annotate(n=Count("pk"))
    )
    return {row["position_id"]: row["n"] for row in rows}
