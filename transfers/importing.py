"""Importing an organisation workbook: plan every row, preview it as a dry run, then apply it all or nothing.

`preview()` and `apply()` run the same steps in one transaction, through the services the editor
uses (`save_documents`, the tree lock, history); the preview rolls back. A Report names every row
as new, changed (field by field), unchanged or in error, with each problem's sheet, row and column.
"""

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.models import KPI
from org_tree.models import Department, Grade, JobCategory, JobFamily
from portal.locking import lock_tree
from portal.models import renumber
from positions import history
from positions.access import may_approve, may_configure
from positions.diffs import diff_documents
from positions.documents import describe, load_positions, position_document
from positions.models import CODE_RULE, Assignment, JDTemplate, Person, Position
from positions.services import approval
from positions.services.editing import (
    STATUS_ALIASES,
    DeleteRefused,
    DocumentInvalid,
    Save,
    delete_position,
    publish_problems,
    save_documents,
    touch,
    without_row_ids,
)
from positions.services.loading import OrganisationError, in_tree_order
from transfers import roster as roster_rules
from transfers.format import (
    DEPARTMENTS,
    DUTIES,
    KPIS,
    POSITIONS,
    SECTION_SHEETS,
    TYPE_NAMES,
    TYPES,
    split_codes,
)
from transfers.reading import Problems

PUBLISHED = Position.Status.PUBLISHED
HEADER_COLUMNS = [c.key for c in POSITIONS.columns if c.key not in ("promotes_to", "rotates_with")]
YES = {"是", "yes", "y", "true", "1", "有"}
NO = {"否", "no", "n", "false", "0", "无"}
# Empty cells in these columns mean "not given" rather than "clear it": headcount and review interval
# have defaults, and whether a description is on file follows from what the row carries.
KEEP_WHEN_EMPTY = {"headcount", "review_months", "has_description", "status"}


class ImportRefused(Exception):
    """An import with errors: nothing was written. `report` says what and where."""

    def __init__(self, report):
        self.report = report
        super().__init__(_("%(count)d problems: nothing was imported.") % {"count": len(report.errors)})


class _Rollback(Exception):
    pass


@dataclass
class RowResult:
    sheet: str
    row: int | None
    key: str  # the row's code or employee number
    label: str  # its title or name
    status: str  # new, changed, unchanged, error, deleted, proposed
    changes: list = field(default_factory=list)  # [{"field", "before", "after"}] or row changes

    def as_json(self):
        return self.__dict__.copy()


@dataclass
class Report(Problems):
    rows: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    derived: list = field(default_factory=list)  # roster: the posts it derives, with their people
    new_departments: list = field(default_factory=list)
    deleted: list = field(default_factory=list)
    applied: bool = False

    def totals(self):
        counts = defaultdict(int)
        for row in self.rows:
            counts[row.status] += 1
        return {
            "new": counts["new"],
            "changed": counts["changed"],
            "unchanged": counts["unchanged"],
            "proposed": counts["proposed"],
            "deleted": counts["deleted"],
            "errors": len(self.errors),
            "warnings": len(self.warnings),
        }

    def as_json(self):
        return {
            "totals": self.totals(),
            "rows": [row.as_json() for row in self.rows],
            "problems": [p.as_json() for p in self.problems],
            "derived": self.derived,
            "new_departments": self.new_departments,
            "deleted": self.deleted,
            "applied": self.applied,
        }


def organisation_state():
    """A fingerprint of everything an import reads: a preview is valid only while it is unchanged."""
    digest = hashlib.sha256()
    positions = Position.objects.aggregate(n=Count("pk"), v=Sum("version"), m=Max("pk"))
    digest.update(repr(sorted(positions.items())).encode())
    digest.update(repr(Position.history.aggregate(m=Max("history_id"))).encode())
    for queryset in (
        Department.objects.order_by("pk").values_list("pk", "code", "name", "parent_id"),
        JobCategory.objects.order_by("pk").values_list("pk", "code", "name", "order"),
        JobFamily.objects.order_by("pk").values_list("pk", "code", "name", "category_id", "order"),
        Grade.objects.order_by("pk").values_list("pk", "code", "name", "rank"),
        Person.objects.order_by("pk").values_list("pk", "employee_number", "name", "user_id"),
        Assignment.objects.order_by("pk").values_list("pk", "position_id", "kind", "ended_on"),
    ):
        digest.update(repr(list(queryset)).encode())
    return digest.hexdigest()


def preview(book, user=None, *, delete_missing=False, keep_status=False):
    """What importing `book` would do, as a Report; nothing is written.

    `keep_status`: new positions keep the file's status, a published job description that is
    incomplete stays published (flagged incomplete, with a warning each) instead of becoming a draft;
    for an Administrator moving a whole organisation (`import_org --keep-status`). Anyone else's
    import ignores it.
    """
    report = Report(problems=list(book.problems))
    try:
        with transaction.atomic(), history.deferred(discard=True):
            _run(book, user, report, delete_missing, keep_status)
            raise _Rollback
    except _Rollback:
        pass
    return report


def apply(book, user=None, *, delete_missing=False, keep_status=False):
    """Import `book` in one transaction, recorded in history under the file's name; returns the Report.

    Raises ImportRefused (nothing written) when any row has an error. `keep_status`: as for preview().
    """
    report = Report(problems=list(book.problems))
    try:
        comment = _("Imported from %(name)s") % {"name": book.name}
        with history.acting(user, comment=comment), transaction.atomic(), history.deferred():
            _run(book, user, report, delete_missing, keep_status)
            if report.errors:
                raise _Rollback
    except _Rollback:
        raise ImportRefused(report) from None
    report.applied = True
    return report


def _run(book, user, report, delete_missing, keep_status=False):
    if report.errors:
        return  # the file itself could not be read as the format: nothing to compare
    sheets = book.sheets
    lock_tree(Position)  # an import may move anything: it takes the tree first, as every save does
    if "departments" in sheets:
        records = [
            {
                "code": r.values.get("code", ""),
                "name": r.values.get("name", ""),
                "parent": r.values.get("parent") or None,
                "_row": r.number,
            }
            for r in sheets["departments"].rows
        ]
        _departments(records, report, sheet=sheets["departments"].title)
    if "architecture" in sheets:
        _architecture(sheets["architecture"], report)
    if report.errors:
        return
    if "roster" in sheets:
        if "positions" in sheets or "people" in sheets:
            report.error(
                _("A roster derives positions and people itself; import it without a positions or people sheet."),
                sheet=sheets["roster"].title,
            )
            return
        derived = roster_rules.derive(sheets["roster"], report)
        if report.errors:
            return
        _departments(derived.department_records, report, sheet=sheets["roster"].title, from_roster=True)
        _positions_from_roster(derived, user, report)
        if not report.errors:
            _people(derived.people, report, sheets["roster"].title)
        return
    if "positions" in sheets or any(spec.kind in sheets for spec in SECTION_SHEETS):
        _positions(book, user, report, delete_missing, keep_status)
    if "people" in sheets and not report.errors:
        records = []
        sheet = sheets["people"]
        for row in sheet.rows:
            primary = split_codes(row.values["primary"]) if "primary" in row.values else None
            if primary is not None and len(primary) > 1:
                report.error(
                    _("A person has one primary post; put the others under concurrent posts."),
                    sheet.title,
                    row.number,
                    sheet.header("primary"),
                )
            records.append(
                roster_rules.PersonRecord(
                    row=row.number,
                    employee_number=row.values.get("employee_number", ""),
                    name=row.values.get("name", ""),
                    login=row.values.get("login") if "login" in row.values else None,
                    primary=(primary[0] if primary else "") if primary is not None else None,
                    concurrent=split_codes(row.values["concurrent"]) if "concurrent" in row.values else None,
                )
            )
        if not report.errors:
            _people(records, report, sheet.title, headers=sheet)


# ---------------------------------------------------------------------------------------------
# Departments and the job architecture


def _departments(records, report, *, sheet, from_roster=False):
    existing = {d.code: d for d in Department.objects.all()}
    seen = {}
    for record in records:
        where = {"sheet": sheet, "row": record.get("_row")}
        code, name = record["code"].strip(), record["name"].strip()
        if not code or not name:
            for key, value in (("code", code), ("name", name)):
                if not value:
                    report.error(_("This cell is required."), column=DEPARTMENTS.column(key).zh, **where)
            continue
        if code in seen:
            report.error(
                _("Department %(code)s appears twice (also on row %(row)s).") % {"code": code, "row": seen[code]},
                column=DEPARTMENTS.column("code").zh,
                **where,
            )
            continue
        seen[code] = record.get("_row")
        for key, value, limit in (("code", code, 40), ("name", name, 100)):
            if len(value) > limit:
                report.error(
                    _("At most %(limit)d characters.") % {"limit": limit}, column=DEPARTMENTS.column(key).zh, **where
                )
        parent = record.get("parent")
        if parent and parent not in existing and parent not in {r["code"] for r in records}:
            report.error(
                _("Unknown parent department %(code)s.") % {"code": parent},
                column=DEPARTMENTS.column("parent").zh,
                **where,
            )
        if parent == code:
            report.error(_("A department cannot be its own parent."), column=DEPARTMENTS.column("parent").zh, **where)
    if report.errors:
        return
    # Parents named only in the database take part in loop detection too.
    by_code = {code: {"code": code, "parent": d.parent.code if d.parent_id else None} for code, d in existing.items()}
    by_code.update({r["code"]: r for r in records})
    try:
        in_tree_order(list(by_code.values()), "code", "parent")
    except OrganisationError as exc:
        message = " ".join(exc.messages)
        on_loop = [r for r in records if r["code"] in message and r.get("parent")]
        for record in on_loop or [{}]:
            report.error(message, sheet, record.get("_row"), DEPARTMENTS.column("parent").zh if record else "")
        return
    parents = {d.pk: d.code for d in existing.values()}
    for record in records:
        department = existing.get(record["code"])
        if department is None:
            status = "new"
            if from_roster:
                report.new_departments.append(
                    {"code": record["code"], "name": record["name"], "parent": record.get("parent")}
                )
        elif department.name != record["name"] or parents.get(department.parent_id) != record.get("parent"):
            status = "changed"
        else:
            status = "unchanged"
        changes = []
        if status == "changed":
            if department.name != record["name"]:
                changes.append({"field": _("name"), "before": department.name, "after": record["name"]})
            if parents.get(department.parent_id) != record.get("parent"):
                changes.append(
                    {
                        "field": _("parent department"),
                        "before": parents.get(department.parent_id),
                        "after": record.get("parent"),
                    }
                )
        if not from_roster or status == "new":
            report.rows.append(RowResult(sheet, record.get("_row"), record["code"], record["name"], status, changes))
    if any(row.status != "unchanged" for row in report.rows if row.sheet == sheet):
        from positions.services.loading import LoadReport, _load_departments

        load = LoadReport()
        with Department.objects.disable_mptt_updates():
            _load_departments([{k: v for k, v in r.items() if k != "_row"} for r in records], load)
        if load.changed:
            renumber(Department)


def _architecture(sheet, report):
    categories = {c.code: c for c in JobCategory.objects.all()}
    families = {f.code: f for f in JobFamily.objects.all()}
    grades = {g.code: g for g in Grade.objects.prefetch_related("categories")}
    rows = []
    seen = set()
    for row in sheet.rows:
        raw_type = row.values.get("type", "").strip().lower()
        kind = next((k for k, names in TYPES.items() if raw_type in names), None)
        where = {"sheet": sheet.title, "row": row.number}
        if kind is None:
            report.error(
                _("The type is 类别, 职族 or 职级 (category, family or grade)."), column=sheet.header("type"), **where
            )
            continue
        code, name = row.values.get("code", ""), row.values.get("name", "")
        if not code or not name:
            report.error(_("Code and name are required."), column=sheet.header("code" if not code else "name"), **where)
            continue
        if (kind, code) in seen:
            report.error(_("%(code)s appears twice.") % {"code": code}, column=sheet.header("code"), **where)
            continue
        seen.add((kind, code))
        rank_text = row.values.get("rank", "")
        rank = None
        if rank_text:
            try:
                rank = int(rank_text)
                if rank < 0:
                    raise ValueError
            except ValueError:
                report.error(_("A whole number from 0 up."), column=sheet.header("rank"), **where)
                continue
        rows.append((kind, code, name, split_codes(row.values.get("category", "")), rank, row))
    file_categories = {code for kind, code, *_rest in rows if kind == "category"}
    for kind, _code, _name, named, rank, row in rows:
        where = {"sheet": sheet.title, "row": row.number, "column": sheet.header("category")}
        unknown = [c for c in named if c not in categories and c not in file_categories]
        if unknown:
            report.error(_("Unknown job category %(code)s.") % {"code": "、".join(unknown)}, **where)
        if kind == "family" and len(named) != 1:
            report.error(_("A job family belongs to exactly one category."), **where)
        if kind == "grade" and rank is None:
            report.error(_("A grade needs its rank."), sheet=sheet.title, row=row.number, column=sheet.header("rank"))
    if report.errors:
        return
    for kind, code, name, named, rank, row in sorted(rows, key=lambda r: ["category", "family", "grade"].index(r[0])):
        table = {"category": categories, "family": families, "grade": grades}[kind]
        instance = table.get(code)
        status = "new" if instance is None else "unchanged"
        changes = []
        if kind == "category":
            instance = instance or JobCategory(code=code)
            values = {"name": name, "order": rank if rank is not None else instance.order}
        elif kind == "family":
            instance = instance or JobFamily(code=code)
            values = {
                "name": name,
                "category_id": categories[named[0]].pk,
                "order": rank if rank is not None else instance.order,
            }
        else:
            instance = instance or Grade(code=code)
            values = {"name": name, "rank": rank}
        for attribute, value in values.items():
            if getattr(instance, attribute) != value:
                if status != "new":
                    status = "changed"
                    changes.append({"field": attribute, "before": getattr(instance, attribute), "after": value})
                setattr(instance, attribute, value)
        try:
            instance.full_clean(validate_unique=False)
        except Exception as exc:  # a ValidationError: said at the row
            messages = getattr(exc, "messages", [str(exc)])
            report.error(" ".join(messages), sheet.title, row.number)
            continue
        if status != "unchanged":
            instance.save()
        if kind == "grade":
            wanted = {categories[c].pk for c in named}
            have = {c.pk for c in instance.categories.all()} if status != "new" else set()
            if wanted != have:
                instance.categories.set(wanted)
                if status == "unchanged":
                    status = "changed"
                    changes.append({"field": "categories", "before": sorted(have), "after": sorted(wanted)})
        table[code] = instance
        if kind == "category":
            categories[code] = instance
        report.rows.append(RowResult(sheet.title, row.number, code, f"{TYPE_NAMES[kind]} {name}", status, changes))


# ---------------------------------------------------------------------------------------------
# Positions


@dataclass
class Source:
    """Where a document's parts came from: the positions row, and each section's rows in order."""

    sheet: str = ""
    row: int | None = None
    columns: dict = field(default_factory=dict)  # document key -> header
    sections: dict = field(default_factory=dict)  # key -> (sheet title, [row numbers], {field: header})


def _flag(text):
    value = text.strip().lower()
    if value in YES:
        return True
    if value in NO:
        return False
    return text  # parse() says what is wrong


def _documents(book, report):
    """{code: (document, Source)} from the positions sheet and the section sheets; problems into `report`."""
    documents, sources, order = {}, {}, []
    sheet = book.sheets.get("positions")
    if sheet is not None:
        header_of = {key: sheet.headers[key] for key in sheet.headers}
        for row in sheet.rows:
            code = row.values.get("code", "")
            if not code:
                report.error(_("This cell is required."), sheet.title, row.number, sheet.header("code"))
                continue
            if code in documents:
                report.error(
                    _("Code %(code)s appears twice (also on row %(row)s).") % {"code": code, "row": sources[code].row},
                    sheet.title,
                    row.number,
                    sheet.header("code"),
                )
                continue
            document = {}
            for key, value in row.values.items():
                if key in KEEP_WHEN_EMPTY and value == "":
                    continue  # not given: a new position gets the default, a stored one keeps its value
                if key in ("promotes_to", "rotates_with"):
                    document.setdefault("career", {})[key] = split_codes(value)
                elif key == "dotted_reports_to":
                    document[key] = split_codes(value)
                elif key == "has_description":
                    document[key] = _flag(value)
                elif key in ("department", "reports_to", "job_family", "grade"):
                    document[key] = value or None
                elif key == "experience_years" and value == "":
                    document[key] = None
                else:
                    document[key] = value
            if "career" in document:  # a file with one of the two columns leaves the other alone (_save_positions)
                document["career"] = {"promotes_to": None, "rotates_with": None, **document["career"]}
            documents[code] = document
            sources[code] = Source(
                sheet.title,
                row.number,
                {
                    **header_of,
                    "career.promotes_to": header_of.get("promotes_to", ""),
                    "career.rotates_with": header_of.get("rotates_with", ""),
                },
            )
            order.append(code)
    for spec in SECTION_SHEETS:
        section = book.sheets.get(spec.kind)
        if section is None:
            continue
        grouped = defaultdict(list)
        for row in section.rows:
            code = row.values.get("code", "")
            where = {"sheet": section.title, "row": row.number}
            if not code:
                report.error(_("This cell is required."), column=section.header("code"), **where)
                continue
            try:
                line = int(row.values.get("line", ""))
                if line < 1:
                    raise ValueError
            except ValueError:
                report.error(_("The line number is a whole number from 1 up."), column=section.header("line"), **where)
                continue
            grouped[code].append((line, row))
        for code, rows in grouped.items():
            rows.sort(key=lambda pair: pair[0])
            lines = [line for line, _row in rows]
            duplicates = {line for line in lines if lines.count(line) > 1}
            for line, row in rows:
                if line in duplicates:
                    report.error(
                        _("Line %(line)s of %(code)s appears twice.") % {"line": line, "code": code},
                        section.title,
                        row.number,
                        section.header("line"),
                    )
            if code not in documents:
                documents[code] = {}
                sources[code] = Source()
                order.append(code)
            key = "kpis" if spec is KPIS else spec.kind
            documents[code][key] = [_section_value(spec, row) for _line, row in rows]
            sources[code].sections[key] = (section.title, [row.number for _line, row in rows], section.headers)
        # A position of the positions sheet without rows in a section sheet the file has: that section is empty.
        if sheet is not None:
            key = "kpis" if spec is KPIS else spec.kind
            for code in order:
                if sources[code].row is not None and key not in documents[code]:
                    documents[code][key] = []
                    sources[code].sections[key] = (section.title, [], section.headers)
    return {code: (documents[code], sources[code]) for code in order}


def _section_value(spec, row):
    values = row.values
    if spec is KPIS:
        kpi = {
            "responsibility": values.get("responsibility", ""),
            "weight": values.get("weight", ""),
            "standard": values.get("standard", ""),
            "cycle": values.get("cycle", "") or None,
        }
        if any(name in values for name in KPI.TARGET_FIELDS):  # else an older workbook: _keep_stored_targets()
            kpi.update({name: values.get(name, "") for name in KPI.TARGET_FIELDS})
        return kpi
    if spec is DUTIES:
        return {"text": values.get("text", ""), "share": values.get("share") or None}
    return values.get("text", "")


def _keep_stored_targets(planned):
    """KPI rows from a sheet without any target column (a workbook made before KPIs had targets) keep the
    targets on file of the stored KPI with the same key responsibility (its first one not yet taken); a
    row whose responsibility is new has none. One query, and none when every KPI sheet has the columns."""
    codes = [
        code
        for code, (document, _source) in planned.items()
        if any(isinstance(row, dict) and "rule" not in row for row in document.get("kpis") or [])
    ]
    if not codes:
        return
    stored = defaultdict(list)
    rows = KPI.objects.filter(position__code__in=codes).order_by("position_id", "order")
    for code, responsibility, *targets in rows.values_list("position__code", "responsibility", *KPI.TARGET_FIELDS):
        stored[code, responsibility].append(dict(zip(KPI.TARGET_FIELDS, targets, strict=True)))
    for code in codes:
        for row in planned[code][0]["kpis"]:
            kept = stored.get((code, str(row.get("responsibility", "")).strip()))
            if "rule" not in row and kept:
                row.update(kept.pop(0))


def _where(key, source, code, sheet_title):
    """(sheet, row, column) of an error keyed as save_documents keys it ("kpis.2.weight")."""
    parts = key.split(".")
    if parts[0] in source.sections and len(parts) >= 2 and parts[1].isdigit():
        title, numbers, headers = source.sections[parts[0]]
        index = int(parts[1]) - 1
        row = numbers[index] if 0 <= index < len(numbers) else None
        column = headers.get(parts[2], parts[2]) if len(parts) > 2 else ""
        return title, row, column
    if parts[0] in source.sections:
        title, numbers, _headers = source.sections[parts[0]]
        return title, numbers[0] if numbers else None, ""
    if source.row is not None:
        return source.sheet, source.row, source.columns.get(key, source.columns.get(parts[0], ""))
    for title, numbers, headers in source.sections.values():  # no positions row: its first section row
        if numbers:
            column = headers.get("weight", "") if key == "status" and "weight" in headers else ""
            return title, numbers[0], column
    return sheet_title, None, ""


def _place(source, code, fallback_sheet):
    """(sheet, row) of a position's row in the report: its positions row, or its first section row."""
    sheet, row, _column = _where("code", source, code, fallback_sheet)
    return sheet, row


def _positions(book, user, report, delete_missing, keep_status=False):
    planned = _documents(book, report)
    positions_sheet = book.sheets.get("positions")
    if report.errors:
        return
    _keep_stored_targets(planned)
    # Rows of section sheets name positions that must exist, in the file's positions sheet or on file.
    listed = {code for code, (_document, source) in planned.items() if source.row is not None}
    stored = set(Position.objects.filter(code__in=list(planned)).values_list("code", flat=True))
    for code, (_document, source) in planned.items():
        if code not in listed and code not in stored:
            for title, numbers, headers in source.sections.values():
                if numbers:
                    report.error(
                        _("Unknown position %(code)s: add it to the positions sheet, or correct the code.")
                        % {"code": code},
                        title,
                        numbers[0],
                        headers.get("code", ""),
                    )
    if report.errors:
        return
    missing = []
    if delete_missing:
        if positions_sheet is None:
            report.error(_("Deleting positions not in the file needs a positions sheet."))
            return
        missing = list(  # not in the positions sheet: rows of section sheets alone do not keep a position
            Position.objects.exclude(code__in=list(listed)).order_by("-level", "code").values_list("code", "title")
        )
    _save_positions(
        planned,
        user,
        report,
        fallback_sheet=positions_sheet.title if positions_sheet else "",
        keep_status=keep_status and may_keep_status(user),
    )
    if missing and not report.errors:
        for code, title in missing:
            try:
                delete_position(code)
            except DeleteRefused as exc:
                report.error(str(exc), positions_sheet.title)
                continue
            report.rows.append(RowResult(positions_sheet.title, None, code, title, "deleted"))
            report.deleted.append({"code": code, "title": title})


def _status_of(document, default):
    if "status" not in document:
        return default
    raw = str(document["status"] or "").strip()
    return STATUS_ALIASES.get(raw, raw.lower()) or Position.Status.DRAFT


def may_keep_status(user):
    """Whether `user`'s import may keep incomplete job descriptions published: Administrators (and the
    command line, `user` None), who may approve and configure. Never an HR editor."""
    return user is None or (may_approve(user) and may_configure(user))


def _save_positions(planned, user, report, *, fallback_sheet, keep_status=False):
    """Save {code: (document, Source)} as one action, under the approval rule; results into `report`.

    An approver's import (and the command line's) saves at once and signs off what it publishes;
    another HR editor's saves drafts at once, and its changes to published job descriptions wait
    as proposals, as the editor's would. A job description that would be published incomplete is
    imported as a draft, with a warning; with `keep_status` (an Administrator's, may_keep_status) a
    new position keeps the file's status instead, with a warning that it is published incomplete.
    """
    template = JDTemplate.current()
    stored_status = dict(Position.objects.filter(code__in=list(planned)).values_list("code", "status"))
    approver = user is None or may_approve(user)
    direct, proposed, index_codes = [], [], []
    for code, (document, source) in planned.items():
        is_new = code not in stored_status
        if "career" in document:
            # A file with one of the two career columns leaves the other alone.
            document["career"] = {k: v for k, v in document["career"].items() if v is not None}
            if is_new:
                document["career"] = {"promotes_to": [], "rotates_with": [], **document["career"]}
        if is_new:
            document = {"code": code, **document}
        new_status = _status_of(document, stored_status.get(code, Position.Status.DRAFT))
        if not approver and is_new and new_status == PUBLISHED:
            document = {**document, "status": Position.Status.DRAFT}
            report.warn(
                _("Only an approver may publish a new job description: it is imported as a draft."),
                *_where("status", source, code, fallback_sheet),
            )
        save = Save(document, code=None if is_new else code, keep_status=keep_status and is_new)
        if not approver and not is_new and approval.needs_approval(user, stored_status[code], new_status):
            proposed.append((code, save))
        else:
            direct.append(save)
            index_codes.append(code)
    try:
        result = save_documents(direct, template=template, incomplete_as_draft=True)
    except DocumentInvalid as exc:
        for index, errors in exc.by_document.items():
            code = index_codes[index]
            source = planned[code][1]
            for key, messages in errors.items():
                sheet, row, column = _where(key, source, code, fallback_sheet)
                report.error(f"{describe(key)}: {' '.join(messages)}", sheet, row, column)
            report.rows.append(
                RowResult(*_place(source, code, fallback_sheet), code, planned[code][0].get("title", ""), "error")
            )
        return
    for index, problems in result.drafted.items():
        code = index_codes[index]
        report.warn(
            _("Imported as an incomplete draft: %(problems)s")
            % {"problems": " ".join(m for messages in problems.values() for m in messages)},
            *_where("status", planned[code][1], code, fallback_sheet),
        )
    if keep_status:
        for index, code in enumerate(index_codes):
            problems = publish_problems(result.documents[index], template.required) if direct[index].keep_status else {}
            if problems:
                report.warn(
                    _("%(code)s stays published as in the file, though incomplete: %(problems)s")
                    % {"code": code, "problems": " ".join(m for messages in problems.values() for m in messages)},
                    *_where("status", planned[code][1], code, fallback_sheet),
                )
    if approver and result.changed:
        changed = [result.positions[code].pk for code in (*result.created, *result.updated)]
        approval.sign_off(changed, prepared_by=user, approved_by=user)
    created, updated = set(result.created), set(result.updated)
    placed = _placement([result.documents[i] for i, code in enumerate(index_codes) if code in created])
    for index, code in enumerate(index_codes):
        source = planned[code][1]
        after = result.documents[index]
        status = "new" if code in created else "changed" if code in updated else "unchanged"
        changes = _changes(result.before.get(index), after) if status == "changed" else placed.get(code, [])
        report.rows.append(
            RowResult(*_place(source, code, fallback_sheet), code, after.get("title", ""), status, changes)
        )
    unchanged = _unchanged_among([save for _code, save in proposed], template)
    for index, (code, save) in enumerate(proposed):
        source = planned[code][1]
        if index in unchanged:
            report.rows.append(RowResult(*_place(source, code, fallback_sheet), code, code, "unchanged"))
            continue
        try:
            outcome = approval.submit(user, save)
        except DocumentInvalid as exc:
            for key, messages in (exc.errors or {}).items():
                report.error(f"{describe(key)}: {' '.join(messages)}", *_where(key, source, code, fallback_sheet))
            report.rows.append(RowResult(*_place(source, code, fallback_sheet), code, code, "error"))
            continue
        if outcome.proposal is not None:
            before = without_row_ids(position_document(load_positions(Position.objects.filter(code=code))[0]))
            report.rows.append(
                RowResult(
                    source.sheet or fallback_sheet,
                    source.row,
                    code,
                    before["title"],
                    "proposed",
                    _changes(before, outcome.proposal.document),
                )
            )
        else:
            report.rows.append(RowResult(*_place(source, code, fallback_sheet), code, code, "unchanged"))


def _placement(documents):
    """Where each new position goes, for the preview: {code: [department, superior]} as changes with
    only an "after", named as people know them (two queries, whatever the number)."""
    departments = dict(
        Department.objects.filter(code__in={d["department"] for d in documents if d.get("department")}).values_list(
            "code", "name"
        )
    )
    superiors = dict(
        Position.objects.filter(code__in={d["reports_to"] for d in documents if d.get("reports_to")}).values_list(
            "code", "title"
        )
    )
    placed = {}
    for document in documents:
        department, superior = document.get("department"), document.get("reports_to")
        placed[document["code"]] = [
            {
                "field": describe("department"),
                "after": f"{departments.get(department, '')} ({department})" if department else "",
            },
            {
                "field": describe("reports_to"),
                "after": f"{superior} {superiors.get(superior, '')}".strip() if superior else "",
            },
        ]
    return placed


def _unchanged_among(saves, template):
    """The indexes of `saves` that would change nothing, found by one dry run of them all.

    A proposal is made one job description at a time, each with a dry run of its own; an HR editor's
    file that names 5,000 published posts, most of them unchanged, took minutes to preview that way.
    Saves with errors are left out of the dry run (and tried on their own, which names the errors).
    """
    indexes = list(range(len(saves)))
    for _attempt in range(2):
        if not indexes:
            break
        try:
            with transaction.atomic(), history.deferred(discard=True):
                result = save_documents([saves[i] for i in indexes], template=template)
                raise _Rollback
        except _Rollback:
            unchanged = set(result.unchanged)
            return {i for i in indexes if saves[i].code in unchanged}
        except DocumentInvalid as exc:
            indexes = [i for position, i in enumerate(indexes) if position not in exc.by_document]
    return set()


def _plain(value):
    if isinstance(value, list):
        return "、".join(_plain(v) for v in value)
    if isinstance(value, dict):
        return " · ".join(str(v) for v in value.values() if v not in (None, ""))
    return "" if value is None else str(value)


def _changes(before, after):
    """Field-level before → after, sections row by row, as JSON for the preview."""
    changes = []
    for change in diff_documents(before, without_row_ids(after)):
        label = describe(change.key)
        if change.is_rows:
            for row in change.rows:
                changes.append(
                    {
                        "field": label,
                        "row": row.after_number or row.before_number,
                        "kind": row.kind,
                        "before": _plain(row.before),
                        "after": _plain(row.after),
                    }
                )
        else:
            changes.append({"field": label, "before": _plain(change.before), "after": _plain(change.after)})
    return changes


# ---------------------------------------------------------------------------------------------
# A roster's positions and people


def _positions_from_roster(derived, user, report):
    planned = {}
    for post in derived.posts:
        document = {
            "title": post.title,
            "department": post.department,
            "reports_to": post.superior_code,
            "headcount": post.headcount,
        }
        if post.existing:
            document = {"headcount": post.headcount} if post.headcount_changed else {}
            if not document:
                report.rows.append(RowResult(derived.sheet, post.rows[0], post.code, post.title, "unchanged"))
                continue
        else:
            document["status"] = Position.Status.DRAFT
            document["has_description"] = False
        planned[post.code] = (document, roster_rules.source_of(post, derived.sheet))
    if planned:
        _save_positions(planned, user, report, fallback_sheet=derived.sheet)
    report.derived = [post.as_json() for post in derived.posts]


# ---------------------------------------------------------------------------------------------
# People and their posts (bulk: a roster of thousands writes in a few queries)


def _people(records, report, sheet_title, headers=None):
    def column(key, fallback):
        return headers.header(key) if headers is not None else fallback

    numbers = [r.employee_number for r in records]
    people = {p.employee_number: p for p in Person.objects.filter(employee_number__in=numbers)}
    logins = {r.login for r in records if r.login}
    users = {u.username: u for u in get_user_model().objects.filter(username__in=logins)}
    taken = dict(Person.objects.filter(user__username__in=logins).values_list("user__username", "employee_number"))
    posts = {
        p.code: p
        for p in Position.objects.filter(
            code__in={r.primary for r in records if r.primary} | {c for r in records for c in (r.concurrent or [])}
        ).only("pk", "code", "title")
    }
    seen, refused = {}, Person.refused_numbers(numbers)
    for record in records:
        where = {"sheet": sheet_title, "row": record.row}
        if not record.employee_number:
            report.error(_("This cell is required."), column=column("employee_number", "工号"), **where)
            continue
        if record.employee_number in refused:
            report.error(CODE_RULE, column=column("employee_number", "工号"), **where)
            continue
        if record.employee_number in seen:
            report.error(
                _("Employee number %(number)s appears twice (also on row %(row)s).")
                % {"number": record.employee_number, "row": seen[record.employee_number]},
                column=column("employee_number", "工号"),
                **where,
            )
            continue
        seen[record.employee_number] = record.row
        if not record.name:
            report.error(_("This cell is required."), column=column("name", "姓名"), **where)
        if len(record.employee_number) > 40 or len(record.name) > 100:
            report.error(_("An employee number has at most 40 characters, a name 100."), **where)
        for code in ([record.primary] if record.primary else []) + list(record.concurrent or []):
            if code not in posts:
                report.error(
                    _("Unknown position %(code)s.") % {"code": code},
                    column=column("primary" if code == record.primary else "concurrent", "主岗编码"),
                    **where,
                )
        if record.primary and record.primary in (record.concurrent or []):
            report.error(
                _("A post cannot be both primary and concurrent."), column=column("concurrent", "兼岗编码"), **where
            )
        if record.login:
            if record.login not in users:
                report.warn(
                    _("No account has the login %(login)s; the person is saved without one.") % {"login": record.login},
                    column=column("login", "登录名"),
                    **where,
                )
            elif taken.get(record.login, record.employee_number) != record.employee_number:
                report.error(
                    _("The login %(login)s already belongs to person %(number)s.")
                    % {"login": record.login, "number": taken[record.login]},
                    column=column("login", "登录名"),
                    **where,
                )
    if report.errors:
        return
    # People: new ones created, changed ones updated, in bulk.
    new, changed, results = [], [], {}
    for record in records:
        person = people.get(record.employee_number)
        user = users.get(record.login) if record.login is not None else (person.user if person else None)
        if person is None:
            person = Person(employee_number=record.employee_number, name=record.name, user=user)
            new.append(person)
            results[record.employee_number] = RowResult(
                sheet_title, record.row, record.employee_number, record.name, "new"
            )
        else:
            changes = []
            if person.name != record.name:
                changes.append({"field": _("name"), "before": person.name, "after": record.name})
                person.name = record.name
            if record.login is not None and person.user_id != (user.pk if user else None):
                changes.append(
                    {
                        "field": _("login"),
                        "before": person.user.username if person.user_id else "",
                        "after": record.login,
                    }
                )
                person.user = user
            if changes:
                changed.append(person)
            results[record.employee_number] = RowResult(
                sheet_title,
                record.row,
                record.employee_number,
                record.name,
                "changed" if changes else "unchanged",
                changes,
            )
        people[record.employee_number] = person
    Person.objects.bulk_create(new)
    Person.objects.bulk_update(changed, ["name", "user"])
    if changed:
        touch(list(Assignment.objects.current().filter(person__in=changed).values_list("position_id", flat=True)))
    # Their posts: current assignments not wanted end today; wanted ones not held start today.
    today = timezone.localdate()
    person_ids = [people[r.employee_number].pk for r in records]
    current = defaultdict(list)  # person -> [(code, kind, assignment id, position id)], read as plain rows
    for person_id, code, kind, pk, position_id in (
        Assignment.objects.current()
        .filter(person__in=person_ids)
        .values_list("person_id", "position__code", "kind", "pk", "position_id")
    ):
        current[person_id].append((code, kind, pk, position_id))
    ending, starting, touched = [], [], set()
    for record in records:
        person = people[record.employee_number]
        held = current[person.pk]
        wanted = {}
        if record.primary is not None:
            if record.primary:
                wanted[(record.primary, Assignment.Kind.PRIMARY)] = True
        else:
            wanted.update({(code, kind): True for code, kind, *_ids in held if kind == Assignment.Kind.PRIMARY})
        if record.concurrent is not None:
            wanted.update({(code, Assignment.Kind.CONCURRENT): True for code in record.concurrent})
        else:
            wanted.update({(code, kind): True for code, kind, *_ids in held if kind == Assignment.Kind.CONCURRENT})
        have = {(code, kind): (pk, position_id) for code, kind, pk, position_id in held}
        before_posts = sorted(f"{code}{'' if kind == 'primary' else ' (兼)'}" for code, kind in have)
        after_posts = sorted(f"{code}{'' if kind == 'primary' else ' (兼)'}" for code, kind in wanted)
        for key, (pk, position_id) in have.items():
            if key not in wanted:
                ending.append(pk)
                touched.add(position_id)
        for code, kind in wanted:
            if (code, kind) not in have:
                post = posts[code]
                starting.append(
                    Assignment(
                        person=person,
                        position=post,
                        kind=kind,
                        started_on=today,
                        position_code=post.code,
                        position_title=post.title,
                    )
                )
                touched.add(post.pk)
        if before_posts != after_posts:
            result = results[record.employee_number]
            result.changes.append(
                {"field": _("posts"), "before": "、".join(before_posts), "after": "、".join(after_posts)}
            )
            if result.status == "unchanged":
                result.status = "changed"
    # Ending first frees the place a new assignment takes (one primary post at a time).
    Assignment.objects.filter(pk__in=ending).update(ended_on=today)
    Assignment.objects.bulk_create(starting)
    touch(sorted(touched))
    report.rows.extend(results.values())
