"""Loading a whole organisation from a document (`manage.py load_seed`).

An organisation document has the shape of the JSON API (see fixtures/seed_yunwei.json):
departments by code, positions by code with `reports_to` naming the superior's code.
Loading upserts by code, in one transaction, and writes only what differs, so
loading the same document twice changes nothing.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from org_tree.models import Department
from portal.models import renumber
from positions.documents import WRITABLE_KEYS, describe, field_labels
from positions.models import Position
from positions.services.editing import DocumentInvalid, Save, save_documents


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
    labels = {**field_labels(), "name": _("name")}
    missing = [
        _("%(kind)s %(number)d (%(code)s): %(field)s is missing.")
        % {"kind": kind, "number": number, "code": record.get("code", "?"), "field": labels.get(name, name)}
        for number, record in enumerate(records, start=1)
        for name in names
        if not str(record.get(name) or "").strip()
    ]
    if missing:
        raise OrganisationError(missing)


def _load_departments(records, report):
    _require_fields(records, ("code", "name"), _("Department"))
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


@transaction.atomic
def load_organisation(document, *, require_complete_to_publish=False):
    """Create or update departments and positions from an organisation document; all or nothing.

    Positions go through the editor's service (rows updated in place, versions bumped only
    where something changed). The seed is existing data, so by default a published but
    incomplete job description (DPT-YW-05) loads as it is.
    """
    report = LoadReport()
    # Departments are saved with mptt's per-row renumbering off and renumbered once at the end.
    with Department.objects.disable_mptt_updates():
        _load_departments(document.get("departments", []), report)
    if report.changed:
        renumber(Department)
    records = document.get("positions", [])
    _require_fields(records, ("code", "title"), _("Position"))
    existing = set(Position.objects.filter(code__in=[r["code"] for r in records]).values_list("code", flat=True))
    saves = []
    for record in records:
        record = {"status": Position.Status.PUBLISHED, **record}
        saves.append(
            Save(
                {k: v for k, v in record.items() if k in WRITABLE_KEYS},
                code=record["code"] if record["code"] in existing else None,
            )
        )
    try:
        result = save_documents(saves, require_complete_to_publish=require_complete_to_publish)
    except DocumentInvalid as exc:
        raise OrganisationError(
            [
                _("Position %(code)s: %(field)s: %(message)s")
                % {"code": records[index].get("code", "?"), "field": describe(key), "message": " ".join(messages)}
                for index, errors in exc.by_document.items()
                for key, messages in errors.items()
            ]
        ) from None
    report.created += result.created
    report.updated += result.updated
    report.unchanged += result.unchanged
    return report
