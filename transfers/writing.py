"""Writing the organisation workbook (and the positions CSV): the export, and the empty template.

Every text cell is neutralised (format.neutralise), so no spreadsheet runs it as a formula and the
import reads it back exactly: an export imported again previews every row as unchanged.
"""

import csv
import io

from django.utils.translation import gettext as _

from org_tree.models import Department, Grade, JobCategory, JobFamily
from positions.documents import DOCUMENT_RELATED, load_positions, position_document
from positions.models import Assignment, Position
from positions.services.editing import CYCLE_ALIASES, EDUCATION_ALIASES, STATUS_ALIASES
from transfers.format import (
    ARCHITECTURE,
    DEPARTMENTS,
    DUTIES,
    KPIS,
    LINE_SHEETS,
    PEOPLE,
    POSITIONS,
    ROSTER,
    SHEETS,
    TYPE_NAMES,
    neutralise,
)

CHUNK = 1000  # positions read at a time: six queries each, whatever they hold

# Stored values written as people write them (the import accepts both).
EDUCATION_NAMES = {
    "any": "不限",
    "secondary": "高中/中专",
    "associate": "大专",
    "bachelor": "本科",
    "master": "硕士",
    "doctor": "博士",
}
CYCLE_NAMES = {value: name for name, value in CYCLE_ALIASES.items()}
STATUS_NAMES = {"draft": "草稿", "published": "已发布"}
assert set(EDUCATION_NAMES.values()) <= set(EDUCATION_ALIASES) and set(STATUS_NAMES.values()) <= set(STATUS_ALIASES)


def _join(codes):
    return "、".join(codes or [])


def position_row(document):
    career = document.get("career") or {}
    return [
        document["code"],
        document["title"],
        document["department"] or "",
        document["reports_to"] or "",
        _join(document["dotted_reports_to"]),
        document["job_family"] or "",
        document["grade"] or "",
        document["headcount"],
        STATUS_NAMES.get(document["status"], document["status"]),
        "是" if document["has_description"] else "否",
        document["purpose"],
        document["work_environment"],
        EDUCATION_NAMES.get(document["education"], document["education"] or ""),
        document["major"],
        "" if document["experience_years"] is None else document["experience_years"],
        document["review_months"],
        _join(career.get("promotes_to")),
        _join(career.get("rotates_with")),
    ]


def _section_rows(document):
    """(sheet kind, row) of every row of the document's sections."""
    code = document["code"]
    for number, duty in enumerate(document["duties"], start=1):
        yield "duties", [code, number, duty["text"], "" if duty["share"] is None else duty["share"]]
    for spec in LINE_SHEETS:
        for number, text in enumerate(document[spec.kind], start=1):
            yield spec.kind, [code, number, text]
    for number, kpi in enumerate(document["kpis"], start=1):
        yield (
            "kpis",
            [
                code,
                number,
                kpi["responsibility"],
                kpi["weight"],
                kpi["standard"],
                CYCLE_NAMES.get(kpi["cycle"], kpi["cycle"] or ""),
            ],
        )


def documents(positions, progress=None):
    """The documents of `positions` (a queryset), in tree order, read a chunk at a time."""
    ids = list(positions.order_by("tree_id", "lft").values_list("pk", flat=True))
    done = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        loaded = {
            p.pk: p for p in load_positions(Position.objects.filter(pk__in=chunk).select_related(*DOCUMENT_RELATED))
        }
        for pk in chunk:
            yield position_document(loaded[pk])
        done += len(chunk)
        if progress is not None:
            progress(done, len(ids))


def _departments():
    for code, name, parent in Department.objects.order_by("tree_id", "lft").values_list("code", "name", "parent__code"):
        yield [code, name, parent or ""]


def _architecture():
    for code, name, order in JobCategory.objects.order_by("order", "code").values_list("code", "name", "order"):
        yield [TYPE_NAMES["category"], code, name, "", order]
    for code, name, category, order in JobFamily.objects.order_by(
        "category__order", "category__code", "order", "code"
    ).values_list("code", "name", "category__code", "order"):
        yield [TYPE_NAMES["family"], code, name, category, order]
    for grade in Grade.objects.prefetch_related("categories").order_by("rank", "code"):
        yield [
            TYPE_NAMES["grade"],
            grade.code,
            grade.name,
            _join(sorted(c.code for c in grade.categories.all())),
            grade.rank,
        ]


def _people(position_ids=None):
    """One row per person holding a post now (of `position_ids`, when given): primary and concurrent posts."""
    assignments = Assignment.objects.current().order_by("person__employee_number", "-kind", "position__code")
    if position_ids is not None:
        assignments = assignments.filter(person__assignments__position__in=position_ids).distinct()
    rows = {}
    for number, name, login, kind, code in assignments.values_list(
        "person__employee_number", "person__name", "person__user__username", "kind", "position__code"
    ):
        row = rows.setdefault(number, [number, name, login or "", "", []])
        if kind == Assignment.Kind.PRIMARY:
            row[3] = code
        else:
            row[4].append(code)
    for row in rows.values():
        yield [*row[:4], _join(row[4])]


def _cell(value):
    return neutralise(value)


def headers(spec):
    return [column.zh for column in spec.columns]


def export_workbook(positions=None, *, progress=None):
    """The organisation (or `positions`, a queryset, with everything they need) as .xlsx bytes."""
    from openpyxl import Workbook

    everything = positions is None
    positions = Position.objects.all() if everything else positions
    workbook = Workbook(write_only=True)
    sheets = {}
    for spec in (DEPARTMENTS, ARCHITECTURE, POSITIONS, DUTIES, *LINE_SHEETS, KPIS, PEOPLE):
        sheets[spec.kind] = workbook.create_sheet(spec.zh)
        sheets[spec.kind].append(headers(spec))
    for row in _departments():
        sheets["departments"].append([_cell(v) for v in row])
    for row in _architecture():
        sheets["architecture"].append([_cell(v) for v in row])
    ids = []
    for document in documents(positions, progress):
        ids.append(document["code"])
        sheets["positions"].append([_cell(v) for v in position_row(document)])
        for kind, row in _section_rows(document):
            sheets[kind].append([_cell(v) for v in row])
    held = None if everything else positions.values_list("pk", flat=True)
    for row in _people(held):
        sheets["people"].append([_cell(v) for v in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def export_csv(positions=None, *, progress=None):
    """The positions sheet alone as CSV (UTF-8 with a BOM, so Excel reads the Chinese), cells neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers(POSITIONS))
    for document in documents(positions if positions is not None else Position.objects.all(), progress):
        writer.writerow([_cell(v) for v in position_row(document)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def template_workbook():
    """An empty workbook of the format, with a first sheet that explains every sheet and column."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    guide = workbook.active
    guide.title = "说明"
    bold = Font(bold=True)
    guide.append([_("Organisation workbook: how to fill it in")])
    guide["A1"].font = bold
    for line in (
        _("Every sheet is optional: an import changes only what its sheets name, and leaves the rest alone."),
        _("Rows may come in any order; positions are matched by code (new codes create positions)."),
        _("Headers may be in Chinese or in English. Enter values, not formulas."),
        _(
            "Alternatively, fill in only the 花名册 (roster) sheet: positions are derived from people, titles and managers."
        ),
        "",
    ):
        guide.append([line])
    guide.append([_("Sheet"), _("Column (Chinese)"), _("Column (English)"), _("Required"), _("Notes")])
    for cell in guide[guide.max_row]:
        cell.font = bold
    for spec in SHEETS:
        guide.append([f"{spec.zh} ({spec.en})", "", "", "", str(spec.help)])
        guide.cell(guide.max_row, 1).font = bold
        for column in spec.columns:
            guide.append(["", column.zh, column.en, _("yes") if column.required else "", str(column.help)])
    guide.column_dimensions["A"].width = 28
    guide.column_dimensions["B"].width = 18
    guide.column_dimensions["C"].width = 26
    guide.column_dimensions["E"].width = 60
    for spec in SHEETS:
        sheet = workbook.create_sheet(spec.zh)
        sheet.append(headers(spec))
        for cell in sheet[1]:
            cell.font = bold
    assert ROSTER in SHEETS
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
