"""Operations on positions that are more than one save: loading a whole organisation.

An organisation document has the shape of the JSON API (see fixtures/seed_yunwei.json):
departments by code, positions by code with `reports_to` naming the superior's code.
Loading upserts by code, in one transaction, and writes only what differs, so
loading the same document twice changes nothing.
"""

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from assessments.models import KPI
from org_tree.models import Department
from portal.models import renumber
from positions.models import DescriptionItem, Position

ITEM_KINDS = (
    ("duties", DescriptionItem.Kind.DUTY),
    ("qualifications", DescriptionItem.Kind.QUALIFICATION),
    ("training", DescriptionItem.Kind.TRAINING),
)


class OrganisationError(Exception):
    """A document that cannot be loaded; `messages` says what is wrong and where."""

    def __init__(self, messages):
        super().__init__("\n".join(messages))
        self.messages = messages


@dataclass
class LoadReport:
    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)

    @property
    def changed(self):
        return bool(self.created or self.updated)


def in_tree_order(records, key, parent_key):
    """Records sorted so every parent precedes its children, whatever order they came in.

    Iterative, so a long reporting chain cannot exhaust Python's recursion limit.
    """
    by_key = {}
    for number, record in enumerate(records, start=1):
        if record[key] in by_key:
            raise OrganisationError(
                [_("Code %(code)s appears twice (record %(number)d).") % {"code": record[key], "number": number}]
            )
        by_key[record[key]] = record
    ordered, placed = [], set()
    for record in records:
        chain, position_in_chain = [], {}
        current = record
        while current is not None and current[key] not in placed:
            if current[key] in position_in_chain:
                loop = [r[key] for r in chain[position_in_chain[current[key]] :]] + [current[key]]
                raise OrganisationError([_("Reporting loop: %(chain)s.") % {"chain": " → ".join(loop)}])
            position_in_chain[current[key]] = len(chain)
            chain.append(current)
            current = by_key.get(current.get(parent_key))
        for link in reversed(chain):
            placed.add(link[key])
            ordered.append(link)
    return ordered


def _weight(value, where):
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise OrganisationError(
            [_("%(where)s: weight %(value)r is not a number.") % {"where": where, "value": value}]
        ) from None


def _validate(instance, where, exclude=()):
    try:
        instance.full_clean(exclude=exclude, validate_unique=False)
    except ValidationError as exc:
        raise OrganisationError(
            [f"{where}: {name}: {' '.join(messages)}" for name, messages in exc.message_dict.items()]
        ) from None


def _pk(instance):
    return instance.pk if instance is not None else None


def _assign(instance, values):
    """Set attributes that differ; True when something changed."""
    changed = False
    for name, value in values.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed = True
    return changed


def _require_fields(records, names, kind):
    missing = [
        _("%(kind)s %(number)d (%(code)s): %(field)s is missing.")
        % {"kind": kind, "number": number, "code": record.get("code", "?"), "field": name}
        for number, record in enumerate(records, start=1)
        for name in names
        if not str(record.get(name) or "").strip()
    ]
    if missing:
        raise OrganisationError(missing)


def _load_departments(records, report):
    _require_fields(records, ("code", "name"), _("department"))
    departments = {d.code: d for d in Department.objects.all()}
    for record in in_tree_order(records, "code", "parent"):
        code = record["code"]
        parent = departments.get(record.get("parent")) if record.get("parent") else None
        if record.get("parent") and parent is None:
            raise OrganisationError(
                [_("Department %(code)s: unknown parent %(parent)s.") % {"code": code, "parent": record["parent"]}]
            )
        department = departments.get(code) or Department(code=code)
        is_new = department.pk is None
        if _assign(department, {"name": record["name"], "parent_id": _pk(parent)}) or is_new:
            _validate(
                department, _("Department %(code)s") % {"code": code}, exclude=["lft", "rght", "tree_id", "level"]
            )
            department.save()
            (report.created if is_new else report.updated).append(f"department:{code}")
        departments[code] = department
    return departments


def _replace_rows_if_changed(position, wanted_items, wanted_kpis):
    current_items = [(i.kind, i.order, i.text) for i in position.items.order_by("kind", "order")]
    current_kpis = [(k.order, k.responsibility, k.weight, k.standard) for k in position.kpis.order_by("order")]
    if sorted(current_items) == sorted((i.kind, i.order, i.text) for i in wanted_items) and current_kpis == [
        (k.order, k.responsibility, k.weight, k.standard) for k in wanted_kpis
    ]:
        return False
    position.items.all().delete()
    position.kpis.all().delete()
    DescriptionItem.objects.bulk_create(wanted_items)
    KPI.objects.bulk_create(wanted_kpis)
    return True


@transaction.atomic
def load_organisation(document):
    """Create or update departments and positions from an organisation document."""
    report = LoadReport()
    # Rows are saved with mptt's per-row renumbering off (it rewrites every node to the right and
    # above, quadratic over a whole organisation) and the trees are renumbered once at the end.
    with Department.objects.disable_mptt_updates():
        departments = _load_departments(document.get("departments", []), report)
    if report.changed:
        renumber(Department)
    written = len(report.created) + len(report.updated)
    with Position.objects.disable_mptt_updates():
        _load_positions(document.get("positions", []), departments, report)
    if len(report.created) + len(report.updated) > written:
        renumber(Position)
    return report


def _load_positions(records, departments, report):
    _require_fields(records, ("code", "title"), _("position"))
    known_codes = {r["code"] for r in records} | set(Position.objects.values_list("code", flat=True))
    problems = []
    for record in records:
        if record.get("reports_to") and record["reports_to"] not in known_codes:
            problems.append(
                _("Position %(code)s: superior %(parent)s is not a known position.")
                % {"code": record["code"], "parent": record["reports_to"]}
            )
        if record.get("department") and record["department"] not in departments:
            problems.append(
                _("Position %(code)s: unknown department %(department)s.")
                % {"code": record["code"], "department": record["department"]}
            )
    if problems:
        raise OrganisationError(problems)

    positions = {p.code: p for p in Position.objects.all()}
    for record in in_tree_order(records, "code", "reports_to"):
        code = record["code"]
        where = _("Position %(code)s") % {"code": code}
        position = positions.get(code) or Position(code=code)
        is_new = position.pk is None
        changed = _assign(
            position,
            {
                "title": record["title"],
                "department_id": _pk(departments.get(record.get("department"))),
                # By id, not instance: mptt then reads the parent's current numbers from the database
                # instead of walking a chain of cached instances (which recursed past 1,000 levels).
                "parent_id": _pk(positions.get(record.get("reports_to"))),
                "headcount": record.get("headcount", 1),
                "status": record.get("status", Position.Status.PUBLISHED),
                "has_description": record.get("has_description", True),
            },
        )
        if changed or is_new:
            _validate(position, where, exclude=["lft", "rght", "tree_id", "level"])
            position.save()
        positions[code] = position

        items = [
            DescriptionItem(position=position, kind=kind, order=n, text=text)
            for key, kind in ITEM_KINDS
            for n, text in enumerate(record.get(key, []), start=1)
        ]
        kpis = [
            KPI(
                position=position,
                order=n,
                responsibility=row["responsibility"],
                weight=_weight(row.get("weight"), f"{where}, KPI {n}"),
                standard=row.get("standard", ""),
            )
            for n, row in enumerate(record.get("kpis", []), start=1)
        ]
        for n, row in enumerate(kpis, start=1):
            _validate(row, f"{where}, KPI {n}", exclude=["position"])
        for row in items:
            _validate(row, f"{where}, {row.get_kind_display()} {row.order}", exclude=["position"])
        rows_changed = _replace_rows_if_changed(position, items, kpis)
        if is_new:
            report.created.append(code)
        elif changed or rows_changed:
            report.updated.append(code)
        else:
            report.unchanged.append(code)
