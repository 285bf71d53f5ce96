"""The one rule that decides whether a job description is complete.

judge() applies it to facts: counts of duties, qualifications, training
requirements and KPIs, and the KPI weight total. Lists and the org chart
get the facts annotated in SQL (`with_facts()`); the card and the API count the
rows they prefetch anyway (`facts_from_rows()`). A test pins that both agree.
"""

from decimal import Decimal

from django.db import models
from django.db.models import Count, DecimalField, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from mptt.querysets import TreeQuerySet

from portal.formatting import plain_decimal

FULL_WEIGHT = Decimal("100")

FACT_NAMES = (
    "n_duties",
    "n_qualifications",
    "n_training",
    "n_kpis",
    "n_kpis_unweighted",
    "n_kpis_without_standard",
    "kpi_weight_total",
)


def _subquery_aggregate(model, aggregate, output_field, default, **filters):
    rows = model.objects.filter(position=OuterRef("pk"), **filters).order_by().values("position")
    return Coalesce(Subquery(rows.annotate(result=aggregate).values("result"), output_field=output_field), default)


def _count(model, **filters):
    return _subquery_aggregate(model, Count("pk"), IntegerField(), Value(0), **filters)


class PositionQuerySet(TreeQuerySet):
    def with_facts(self):
        """Annotate the facts completeness is judged on."""
        from assessments.models import KPI
        from positions.models import DescriptionItem

        kinds = DescriptionItem.Kind
        return self.annotate(
            n_duties=_count(DescriptionItem, kind=kinds.DUTY),
            n_qualifications=_count(DescriptionItem, kind=kinds.QUALIFICATION),
            n_training=_count(DescriptionItem, kind=kinds.TRAINING),
            n_kpis=_count(KPI),
            n_kpis_unweighted=_count(KPI, weight__isnull=True),
            n_kpis_without_standard=_count(KPI, standard=""),
            kpi_weight_total=_subquery_aggregate(
                KPI, Sum("weight"), DecimalField(max_digits=9, decimal_places=2), Value(Decimal("0"))
            ),
        )

    def with_holder_count(self):
        from positions.models import Holder

        return self.annotate(n_holders=_count(Holder))

    def search(self, text):
        """Code, title and every line of the job description, as a (Chinese-safe) substring."""
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
            Q(code__icontains=text) | Q(title__icontains=text) | models.Exists(item_match) | models.Exists(kpi_match)
        )


def facts_for(position):
    """The facts of one position: from its annotations, its prefetched rows, or the database."""
    if all(hasattr(position, name) for name in FACT_NAMES):
        return {name: getattr(position, name) for name in FACT_NAMES}
    prefetched = getattr(position, "_prefetched_objects_cache", {})
    if {"items", "kpis"} <= prefetched.keys():
        return facts_from_rows(prefetched["items"], prefetched["kpis"])
    annotated = type(position).objects.with_facts().filter(pk=position.pk).values(*FACT_NAMES).first()
    return annotated or dict.fromkeys(FACT_NAMES, 0)


def facts_from_rows(items, kpis):
    """The same facts as with_facts(), counted from rows already in memory (the card, the API)."""
    from positions.models import DescriptionItem

    kinds = [item.kind for item in items]
    return {
        "n_duties": kinds.count(DescriptionItem.Kind.DUTY),
        "n_qualifications": kinds.count(DescriptionItem.Kind.QUALIFICATION),
        "n_training": kinds.count(DescriptionItem.Kind.TRAINING),
        "n_kpis": len(kpis),
        "n_kpis_unweighted": sum(1 for kpi in kpis if kpi.weight is None),
        "n_kpis_without_standard": sum(1 for kpi in kpis if kpi.standard == ""),
        "kpi_weight_total": sum((kpi.weight for kpi in kpis if kpi.weight is not None), Decimal("0")),
    }


def judge(has_description, facts):
    """Human-readable reasons, in the active language, why a job description is incomplete."""
    if not has_description:
        return [_("No job description on file for this position.")]
    problems = []
    if not facts["n_duties"]:
        problems.append(_("No duties (岗位职责) are listed."))
    if not facts["n_qualifications"]:
        problems.append(_("No qualifications (任职条件) are listed."))
    if not facts["n_training"]:
        problems.append(_("No training requirements (培训要求) are listed."))
    if not facts["n_kpis"]:
        problems.append(_("No KPIs (考核标准) are listed."))
        return problems
    unweighted = facts["n_kpis_unweighted"]
    if unweighted:
        problems.append(
            ngettext("%(count)d KPI has no weight.", "%(count)d KPIs have no weight.", unweighted)
            % {"count": unweighted}
        )
    without_standard = facts["n_kpis_without_standard"]
    if without_standard:
        problems.append(
            ngettext(
                "%(count)d KPI has no performance standard.",
                "%(count)d KPIs have no performance standard.",
                without_standard,
            )
            % {"count": without_standard}
        )
    total = facts["kpi_weight_total"] or Decimal("0")
    if total != FULL_WEIGHT:
        problems.append(_("KPI weights total %(total)s%%, not 100%%.") % {"total": plain_decimal(total)})
    return problems
