"""Opening and closing an assessment cycle (考核周期).

`open_cycle()` creates, in one transaction, one assessment per primary holder (and per concurrent
holder when the cycle assesses 兼岗) of every post in scope, and freezes in it the post's KPI rows of the
cycle's type as published at the instant of opening: they are read from the history
(positions/history.py), never from the live rows, so a later edit, a pending proposal or a change
scheduled for later never reaches an assessment. Posts that cannot be assessed are kept on the cycle
(`left_out`) with the reason. The number of queries does not depend on the size of the organisation.

`close_cycle()` ends the cycle: its assessments are read-only from then on (`ensure_open`).
"""

from collections import defaultdict
from decimal import ROUND_DOWN, Decimal

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessments.models import FULL, KPI, Assessment, AssessmentCycle, AssessmentLine
from portal.bulk import bulk_insert
from portal.locking import lock_tree
from positions import history
from positions.completeness import KINDS, exact, facts_from_document, judge_reasons

PUBLISHED = "published"  # Position.Status.PUBLISHED
CENT = Decimal("0.01")
# The target fields of a KPI row in a position document; a document written before targets existed
# has none of them: its KPIs are scored directly, with no target.
TARGET_DEFAULTS = {
    "metric": "",
    "unit": "",
    "direction": "",
    "target": None,
    "floor": None,
    "rule": KPI.Rule.DIRECT,
    "points": None,
}
DECIMAL_TARGETS = ("target", "floor", "points")

# Why a post in scope is left out of a cycle: stored on the cycle by key, worded when shown.
UNPUBLISHED = "unpublished"
KPIS_INCOMPLETE = "kpis-incomplete"
NO_KPIS = "no-kpis"
REASONS = {
    UNPUBLISHED: gettext_lazy("No published job description"),
    KPIS_INCOMPLETE: gettext_lazy("KPIs incomplete"),
    NO_KPIS: gettext_lazy("No KPI of this cycle type"),
}


def reason_text(entry):
    """A left-out post's reason in the active language, with the completeness rule's problems."""
    text = str(REASONS.get(entry.get("reason"), entry.get("reason", "")))
    problems = [str(KINDS[kind]) for kind in entry.get("problems") or () if kind in KINDS]
    if not problems:
        return text
    return _("%(reason)s: %(problems)s") % {"reason": text, "problems": _("; ").join(problems)}


def kpis_of_type(kpis, kpi_cycle):
    """The KPI rows of a document assessed in a cycle of `kpi_cycle` (a KPI with no cycle is yearly)."""
    return [kpi for kpi in kpis if (kpi.get("cycle") or KPI.Cycle.YEARLY) == kpi_cycle]


def open_cycle(
    *,
    name,
    kpi_cycle,
    starts_on,
    ends_on,
    department=None,
    self_weight=0,
    cap=FULL,
    concurrent_share=None,
    user=None,
):
    """Open a cycle and create its assessments, whole or not at all. Returns the cycle.

    Raises ValidationError (by field, in the active language) when refused: a bad option, a cycle of the
    same type whose dates and scope overlap, or nothing to assess.
    """
    cycle = AssessmentCycle(
        name=(name or "").strip(),
        kpi_cycle=kpi_cycle,
        starts_on=starts_on,
        ends_on=ends_on,
        department=department,
        self_weight=self_weight,
        superior_weight=None if self_weight is None else 100 - self_weight,
        cap=cap,
        concurrent_share=concurrent_share,
        opened_by=user if getattr(user, "is_authenticated", False) else None,
    )
    _validate(cycle)
    with transaction.atomic():
        # Under a lock (PostgreSQL: an advisory lock for the cycles' table, released at commit), so that two
        # openings at once cannot both find the name free or miss each other's overlap.
        lock_tree(AssessmentCycle)
        if AssessmentCycle.objects.filter(name=cycle.name).exists():
            raise ValidationError({"name": [_("A cycle with this name already exists.")]})
        _refuse_overlap(cycle)
        at = history.clock()
        cycle.opened_at = at
        assessments, lines, left_out = _plan(cycle, at)
        if not assessments:
            raise ValidationError({NON_FIELD_ERRORS: [_nothing_to_assess(cycle, left_out)]})
        cycle.left_out = left_out
        cycle.save(force_insert=True)
        for assessment in assessments:
            assessment.cycle = cycle
        created = Assessment.objects.bulk_create(assessments)
        bulk_insert(
            AssessmentLine,
            [
                {**line, "assessment_id": assessment.pk}
                for assessment, rows in zip(created, lines, strict=True)
                for line in rows
            ],
        )
    cycle.n_assessments = len(created)
    return cycle


def close_cycle(cycle, user=None):
    """Close `cycle`: from now on its assessments are read-only. Raises ValidationError when already closed."""
    from django.utils import timezone

    with transaction.atomic():
        cycle = AssessmentCycle.objects.select_for_update().get(pk=cycle.pk)
        if not cycle.is_open:
            raise ValidationError(_("The cycle “%(name)s” is closed already.") % {"name": cycle.name})
        cycle.status = AssessmentCycle.Status.CLOSED
        cycle.closed_at = timezone.now()
        cycle.closed_by = user if getattr(user, "is_authenticated", False) else None
        cycle.save(update_fields=["status", "closed_at", "closed_by"])
    return cycle


def ensure_open(cycle):
    """Refuse any change to the assessments of a closed cycle (the one check every writer asks)."""
    if not cycle.is_open:
        raise ValidationError(
            _("The cycle “%(name)s” is closed: its assessments are read-only.") % {"name": cycle.name}
        )


# ------------------------------------------------------------------------------------------------


def _validate(cycle):
    """The options, every problem at its field (the rules of AssessmentCycle.clean(), and the unique name)."""
    errors = {}
    name_field = AssessmentCycle._meta.get_field("name")
    if not cycle.name:
        errors["name"] = [_("A cycle needs a name.")]
    elif len(cycle.name) > name_field.max_length:
        errors["name"] = [
            _("A name is at most %(limit)d characters; this one has %(length)d.")
            % {"limit": name_field.max_length, "length": len(cycle.name)}
        ]
    if cycle.kpi_cycle not in KPI.Cycle.values:
        errors["kpi_cycle"] = [
            _("“%(value)s” is not a KPI cycle type; use one of %(types)s.")
            % {"value": cycle.kpi_cycle, "types": ", ".join(KPI.Cycle.values)}
        ]
    if cycle.starts_on is None:
        errors["starts_on"] = [_("A cycle needs a start date.")]
    if cycle.ends_on is None:
        errors["ends_on"] = [_("A cycle needs an end date.")]
    if cycle.self_weight is None or cycle.superior_weight is None or not 0 <= cycle.self_weight <= 100:
        cycle.superior_weight = None
        errors["self_weight"] = [_("The self-assessment and superior's weights must total 100.")]
    if cycle.cap is None:
        errors["cap"] = [_("The score cap must be between 100 and 150.")]
    try:
        cycle.clean()  # each of its rules looks only at the fields given
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, messages)
    if errors:
        raise ValidationError(errors)


def _refuse_overlap(cycle):
    """Refuse a cycle whose KPIs, dates and scope overlap another's: its people would be assessed twice."""
    clash = AssessmentCycle.objects.filter(
        kpi_cycle=cycle.kpi_cycle, starts_on__lte=cycle.ends_on, ends_on__gte=cycle.starts_on
    )
    department = cycle.department
    if department is not None:
        same_tree = Q(department__tree_id=department.tree_id)
        above = Q(department__lft__lte=department.lft, department__rght__gte=department.rght)
        below = Q(department__lft__gte=department.lft, department__rght__lte=department.rght)
        clash = clash.filter(Q(department__isnull=True) | (same_tree & (above | below)))
    other = clash.select_related("department").order_by("starts_on", "pk").first()
    if other is not None:
        scope = other.department.name if other.department else _("the whole organisation")
        raise ValidationError(
            {
                NON_FIELD_ERRORS: [
                    _(
                        "The cycle “%(name)s” (%(start)s to %(end)s, %(scope)s) already assesses the %(type)s KPIs "
                        "of these posts on some of these dates."
                    )
                    % {
                        "name": other.name,
                        "start": other.starts_on.isoformat(),
                        "end": other.ends_on.isoformat(),
                        "scope": scope,
                        "type": other.get_kpi_cycle_display(),
                    }
                ]
            }
        )


def _nothing_to_assess(cycle, left_out):
    if left_out:
        return _(
            "No post in scope can be assessed: %(count)d posts are left out (no published job description, "
            "KPIs incomplete or no KPI of this cycle type) and no other post has a holder."
        ) % {"count": len(left_out)}
    return _("No post in scope can be assessed: no post in scope has a holder.")


def _scope(cycle):
    from positions.models import Position

    positions = Position.objects.all()
    department = cycle.department
    if department is not None:
        positions = positions.filter(
            department__tree_id=department.tree_id,
            department__lft__gte=department.lft,
            department__rght__lte=department.rght,
        )
    return positions


def _plan(cycle, at):
    """The unsaved assessments, their lines (field dicts) and the posts left out, in four queries."""
    from positions.models import Assignment, JDTemplate

    scope = _scope(cycle)
    posts = {
        pk: (code, title, department_id, department_name)
        for pk, code, title, department_id, department_name in scope.order_by().values_list(
            "pk", "code", "title", "department_id", "department__name"
        )
    }
    documents = dict(
        history.latest_as_of(at).filter(id__in=scope.values("pk")).order_by().values_list("id", "document")
    )
    kinds = [Assignment.Kind.PRIMARY]
    if cycle.assesses_concurrent_posts:
        kinds.append(Assignment.Kind.CONCURRENT)
    holders = defaultdict(list)  # position id -> [(person id, kind)]
    for position_id, person_id, kind in (
        Assignment.objects.current()
        .filter(position__in=scope.values("pk"), kind__in=kinds)
        .order_by()
        .values_list("position_id", "person_id", "kind")
    ):
        holders[position_id].append((person_id, kind))
    required = JDTemplate.current().required

    frozen, left_out = {}, []
    for pk, (code, title, _department_id, department_name) in sorted(posts.items(), key=lambda item: item[1][0]):
        document = documents.get(pk)
        entry = _judge(document, required, cycle.kpi_cycle)
        if entry is not None:
            left_out.append({"code": code, "title": title, "department": department_name or "", **entry})
            continue
        frozen[pk] = (document, kpis_of_type(document.get("kpis") or [], cycle.kpi_cycle))

    assessments, lines = [], []
    for pk, (document, kpis) in frozen.items():
        code, _title, department_id, department_name = posts[pk]
        rows = [_line(order, kpi) for order, kpi in enumerate(kpis, start=1)]
        for person_id, kind in holders.get(pk, ()):
            assessments.append(
                Assessment(
                    person_id=person_id,
                    position_id=pk,
                    position_code=code,
                    position_title=document.get("title") or posts[pk][1],
                    department_id=department_id,
                    department_name=department_name or "",
                    kind=kind,
                    frozen_at=at,
                )
            )
            lines.append(rows)
    _share(assessments, cycle.concurrent_share)
    return assessments, lines, left_out


def _judge(document, required, kpi_cycle):
    """Why the post of `document` (None: it has no version) cannot be assessed, or None when it can."""
    if document is None or document.get("status") != PUBLISHED or not document.get("has_description", True):
        return {"reason": UNPUBLISHED}
    problems = [
        reason.kind for reason in judge_reasons(facts_from_document(document), required) if reason.section == "kpis"
    ]
    if problems:
        return {"reason": KPIS_INCOMPLETE, "problems": problems}
    if not kpis_of_type(document.get("kpis") or [], kpi_cycle):
        return {"reason": NO_KPIS}
    return None


def _line(order, kpi):
    """The fields of an AssessmentLine frozen from a document's KPI row."""
    line = {
        "order": order,
        "responsibility": kpi.get("responsibility") or "",
        "weight": exact(kpi.get("weight")),
        "standard": kpi.get("standard") or "",
        "cycle": kpi.get("cycle") or "",
    }
    for key, default in TARGET_DEFAULTS.items():
        value = kpi.get(key)
        if key in DECIMAL_TARGETS:
            line[key] = exact(value)
        else:
            line[key] = value if value else default
    return line


def _share(assessments, concurrent_share):
    """Each assessment's share (%) of its person's result, totalling exactly 100 per person.

    One post: 100. A primary post and concurrent ones: the concurrent posts carry `concurrent_share`
    together, split evenly (to the cent, the first takes what rounding leaves), the primary the rest.
    Concurrent posts without the primary (held outside the scope): they split 100 evenly.
    """
    by_person = defaultdict(list)
    for assessment in assessments:
        by_person[assessment.person_id].append(assessment)
    for held in by_person.values():
        if len(held) == 1:
            held[0].share = FULL
            continue
        primary = [a for a in held if a.kind == Assessment.Kind.PRIMARY]
        concurrent = sorted((a for a in held if a.kind != Assessment.Kind.PRIMARY), key=lambda a: a.position_code)
        total = FULL
        if primary:
            primary[0].share = FULL - concurrent_share
            total = concurrent_share
        each = (total / len(concurrent)).quantize(CENT, rounding=ROUND_DOWN)
        for assessment in concurrent:
            assessment.share = each
        concurrent[0].share += total - each * len(concurrent)
