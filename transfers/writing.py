"""Writing the organisation workbook (and the positions CSV): the export, and the empty template.

Every text cell is neutralised (format.neutralise), so no spreadsheet runs it as a formula and the
import reads it back exactly: an export imported again previews every row as unchanged. Both
workbooks are laid out the same way (`_lay_out`): the header row frozen and styled, required columns
marked, columns as wide as their headers, drop-down lists where a column takes fixed values.
"""

import csv
import io
import math
import unicodedata

from django.conf import settings
from django.utils.translation import gettext as _

from assessments.models import KPI
from org_tree.models import Department, Grade, JobCategory, JobFamily
from positions.documents import DOCUMENT_RELATED, load_positions, position_document
from positions.models import Assignment, Position
from positions.services.editing import CYCLE_ALIASES, EDUCATION_ALIASES, STATUS_ALIASES
from transfers.format import (
    ARCHITECTURE,
    CYCLE_NAMES,
    DEPARTMENTS,
    DIRECTION_NAMES,
    DUTIES,
    EDUCATION_NAMES,
    EXAMPLES,
    EXAMPLES_TITLE,
    KPIS,
    LINE_SHEETS,
    PEOPLE,
    POSITIONS,
    RULE_NAMES,
    SHEETS,
    STATUS_NAMES,
    TYPE_NAMES,
    YES_NO,
    neutralise,
)

CHUNK = 1000  # positions read at a time: six queries each, whatever they hold
LAST_ROW = 1048576  # a drop-down covers the whole column: rows added later get it too
# The names the workbook writes are the ones the import reads back.
assert set(EDUCATION_NAMES.values()) <= set(EDUCATION_ALIASES) and set(STATUS_NAMES.values()) <= set(STATUS_ALIASES)
assert {value: name for name, value in CYCLE_ALIASES.items()} == CYCLE_NAMES
assert all(KPI.DIRECTION_ALIASES[name] == code for code, name in DIRECTION_NAMES.items())
assert all(KPI.RULE_ALIASES[name] == code for code, name in RULE_NAMES.items())


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
        YES_NO[0] if document["has_description"] else YES_NO[1],
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
                *_target_cells(kpi),
            ],
        )


def _target_cells(kpi):
    """A KPI's target columns: 指标名称, 单位, 方向, 目标值, 门槛值, 计分规则, 每次扣分 (empty where not set;
    the rule named only where it says something: a rule other than direct, or a target scored directly)."""
    rule = kpi.get("rule") or "direct"
    target = kpi.get("target")
    return [
        kpi.get("metric") or "",
        kpi.get("unit") or "",
        DIRECTION_NAMES.get(kpi.get("direction") or "", ""),
        "" if target is None else target,
        "" if kpi.get("floor") is None else kpi["floor"],
        RULE_NAMES[rule] if rule != "direct" or target is not None else "",
        "" if kpi.get("points") is None else kpi["points"],
    ]


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
    """The plain Chinese headers (the CSV's)."""
    return [column.zh for column in spec.columns]


# ---------------------------------------------------------------------------------------------
# Layout shared by the export and the template


def text_width(text):
    """The width of `text` in a spreadsheet's character units: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(text))


def column_width(column):
    """Wide enough for the header in bold (and a drop-down's arrow), or the column's least width for long texts."""
    return max(math.ceil(text_width(column.header) * 1.2) + (4 if column.choices else 2), column.width, 8)


class _Styles:
    """The header's looks, made once per workbook (openpyxl shares equal styles anyway)."""

    def __init__(self):
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

        self.bold = Font(bold=True)
        self.title = Font(bold=True, size=14)
        self.required_font = Font(bold=True, color="9C0006")
        self.required = PatternFill("solid", fgColor="FCE4D6")  # light orange: fill these in
        self.optional = PatternFill("solid", fgColor="DDEBF7")  # light blue
        self.border = Border(bottom=Side(style="thin", color="7F7F7F"))
        self.wrap = Alignment(wrap_text=True, vertical="top")


def _header_cells(sheet, spec, styles):
    from openpyxl.cell import WriteOnlyCell

    cells = []
    for column in spec.columns:
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.font = styles.required_font if column.required else styles.bold
        cell.fill = styles.required if column.required else styles.optional
        cell.border = styles.border
        cells.append(cell)
    return cells


def _drop_downs(spec):
    """A list validation for each column of `spec` that takes fixed values, over the whole column below the header."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    for index, column in enumerate(spec.columns, start=1):
        if not column.choices:
            continue
        values = "、".join(column.choices)
        validation = DataValidation(
            type="list",
            formula1='"{}"'.format(",".join(column.choices)),
            allow_blank=True,
            showErrorMessage=True,
            errorStyle="warning",  # the import also takes other spellings (English ones): warn, do not forbid
            errorTitle=column.zh,
            error=_("Choose one of: %(values)s.") % {"values": values},
        )
        letter = get_column_letter(index)
        validation.add(f"{letter}2:{letter}{LAST_ROW}")
        yield validation


def _lay_out(sheet, spec, styles):
    """Widths, the frozen header row, its styled cells (required ones marked) and the drop-downs.

    In a write-only workbook this comes before any row is written, as openpyxl needs.
    """
    from openpyxl.utils import get_column_letter

    for index, column in enumerate(spec.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column_width(column)
    sheet.freeze_panes = "A2"
    for validation in _drop_downs(spec):
        sheet.data_validations.append(validation)  # (a write-only sheet has no add_data_validation)
    sheet.append(_header_cells(sheet, spec, styles))


def export_workbook(positions=None, *, progress=None):
    """The organisation (or `positions`, a queryset, with everything they need) as .xlsx bytes."""
    from openpyxl import Workbook

    everything = positions is None
    positions = Position.objects.all() if everything else positions
    workbook = Workbook(write_only=True)
    styles = _Styles()
    sheets = {}
    for spec in (DEPARTMENTS, ARCHITECTURE, POSITIONS, DUTIES, *LINE_SHEETS, KPIS, PEOPLE):
        sheets[spec.kind] = workbook.create_sheet(spec.zh)
        _lay_out(sheets[spec.kind], spec, styles)
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


def _guide_lines():
    """The instructions: how an import reads the workbook, without anything to look up elsewhere."""
    limit_mb = settings.TRANSFER_MAX_UPLOAD_BYTES // (1024 * 1024)
    return [
        (_("How an import reads this workbook"), True),
        (
            _(
                "Every sheet is optional: an import changes only what its sheets name, and leaves the rest alone. Leave out or empty the sheets you do not need."
            ),
            False,
        ),
        (
            _(
                "Rows may come in any order: a position before its superior, the KPI sheet before the positions sheet. Positions are matched by code: a new code creates a position, a known one updates it, and a new superior moves the position with all its reports."
            ),
            False,
        ),
        (
            _(
                "A position listed in the 岗位 sheet that has no rows in a section sheet the file carries (duties, qualifications, training, authorities, relations, KPIs) gets that section emptied. Rows of a section sheet alone change only that section of positions already on file."
            ),
            False,
        ),
        (
            _(
                "Headers may be in Chinese or in English. Columns marked * (orange headers) are required; the * is not part of the name. Cells with a drop-down list take one of its values."
            ),
            False,
        ),
        (
            _(
                "Enter values, not formulas. A text that begins with =, +, - or @ is written with a ' in front, so that no spreadsheet runs it; the import reads it without the '."
            ),
            False,
        ),
        (
            _(
                "Lists of codes (dotted-line superiors, career paths, the categories of a grade, concurrent posts) are separated by 、 or commas."
            ),
            False,
        ),
        (
            _(
                "The 示例 (examples) sheet shows filled-in rows of every sheet: copy rows from it into the sheets of the same name. It is never imported, and neither is this sheet."
            ),
            False,
        ),
        ("", False),
        (_("Importing"), True),
        (
            _(
                "Upload the file on the Import and export page. The preview shows every row as new, changed (field by field), unchanged or in error, and every problem with its sheet, row and column. Nothing is written until you confirm, and then all of it at once; a file with one bad row writes nothing."
            ),
            False,
        ),
        (
            _(
                "A complete job description fills every section the JD template requires (by default duties, qualifications, training requirements and KPIs); its KPI weights total 100, and every KPI has a performance standard. A published job description that is not complete is imported as a draft, with a warning."
            ),
            False,
        ),
        (
            _(
                "An approver's import publishes at once. Another HR editor's import saves new positions as drafts, and its changes to published job descriptions wait for approval."
            ),
            False,
        ),
        (
            _(
                "Positions the file does not list are deleted only when you tick that option on the upload form; the preview lists each of them."
            ),
            False,
        ),
        (
            _(
                "A CSV file holds one sheet: the positions (or a roster), with the same headers, in UTF-8 (with or without BOM), UTF-16 or GB18030, separated by commas, tabs or semicolons."
            ),
            False,
        ),
        (
            _("A file may have at most %(mb)d MB and %(rows)d rows.")
            % {"mb": limit_mb, "rows": settings.TRANSFER_MAX_ROWS},
            False,
        ),
        ("", False),
        (_("The roster (花名册)"), True),
        (
            _(
                "Instead of the sheets above, fill in the 花名册 sheet alone (without 岗位 and 人员) to derive positions from people: everyone with the same title (岗位) in the same department whose managers (直接上级工号) hold the same post becomes one position, with a headcount (编制) of their number and each of them its primary holder; the managers' post is its superior."
            ),
            False,
        ),
        (
            _(
                "The department (部门) is the code or name of a department on file, or a new name: that creates a department under the department of the first member's manager."
            ),
            False,
        ),
        (
            _(
                "New codes follow one rule: a new department is D and the next free three-digit number (D001); a new position is its department's code, - and the next free two-digit number (D001-01), or P-01 without a department. On a database with positions, a derived post with the same title and department under the same superior is that post."
            ),
            False,
        ),
        (
            _(
                "A manager's employee number that no row has (and no holder of a post on file), a management loop, a repeated employee number, or a missing title or name is an error at its row. Headers of other HR systems are accepted too (员工编号, 员工姓名, 职位, 所属部门, 上级工号, 账号), and columns the roster does not use are ignored."
            ),
            False,
        ),
        ("", False),
        (_("The sheets and their columns"), True),
    ]


def _allowed(column):
    """What a cell of `column` holds, in words, for the instructions."""
    if column.choices:
        return "、".join(column.choices)
    if column.kind == "number":
        return _("a number")
    if column.kind == "codes":
        return _("codes, separated by 、")
    return ""


GUIDE_WIDTHS = (26, 18, 24, 10, 24, 80)  # the instructions' columns: sheet, Chinese, English, required, values, notes
LINE_HEIGHT = 15  # points per line of text at the default size


def _lines(text, width):
    """How many lines `text` takes wrapped in a column `width` characters wide."""
    return max(1, math.ceil(text_width(text) / max(width - 2, 1)))


def template_workbook():
    """The template: a first sheet that explains every sheet and column, the format's sheets laid out and
    empty (headers only), and a 示例 sheet with example rows that the import never reads."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    styles = _Styles()
    workbook = Workbook()
    guide = workbook.active
    guide.title = "说明"
    for index, width in enumerate(GUIDE_WIDTHS, start=1):
        guide.column_dimensions[get_column_letter(index)].width = width
    guide.append([_("Organisation workbook: how to fill it in")])
    guide["A1"].font = styles.title
    last = get_column_letter(len(GUIDE_WIDTHS))
    for text, heading in _guide_lines():
        guide.append([text])
        row = guide.max_row
        if heading:
            guide.cell(row, 1).font = styles.bold
        elif text:  # a paragraph across the table's width, wrapped, its row as tall as its lines
            guide.merge_cells(f"A{row}:{last}{row}")
            guide.cell(row, 1).alignment = styles.wrap
            guide.row_dimensions[row].height = LINE_HEIGHT * _lines(text, sum(GUIDE_WIDTHS))
    guide.append([_("Sheet"), _("Column (Chinese)"), _("Column (English)"), _("Required"), _("Values"), _("Notes")])
    for cell in guide[guide.max_row]:
        cell.font = styles.bold
        cell.fill = styles.optional
    for spec in SHEETS:
        rows = [[f"{spec.zh} ({spec.en})", "", "", "", "", str(spec.help)]]
        rows += [["", c.zh, c.en, _("yes") if c.required else "", _allowed(c), str(c.help)] for c in spec.columns]
        for number, values in enumerate(rows):
            guide.append(values)
            row = guide.max_row
            for cell in guide[row]:
                cell.alignment = styles.wrap
            if number == 0:
                guide.cell(row, 1).font = styles.bold
            elif spec.columns[number - 1].required:
                guide.cell(row, 2).fill = styles.required
                guide.cell(row, 2).font = styles.required_font
            tallest = max(_lines(str(v), w) for v, w in zip(values, GUIDE_WIDTHS, strict=True))
            if tallest > 1:
                guide.row_dimensions[row].height = LINE_HEIGHT * tallest
    for spec in SHEETS:
        _lay_out(workbook.create_sheet(spec.zh), spec, styles)
    _examples(workbook.create_sheet(EXAMPLES_TITLE), styles)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _examples(sheet, styles):
    """Each sheet's headers and example rows, one block under the other, on a sheet the import skips."""
    from openpyxl.utils import get_column_letter

    sheet.append(
        [_("Examples of filled-in rows. This sheet is never imported: copy rows into the sheet of the same name.")]
    )
    sheet["A1"].font = styles.title
    widths = {}
    for spec in SHEETS:
        sheet.append([])
        sheet.append([f"{spec.zh} ({spec.en})"])
        sheet.cell(sheet.max_row, 1).font = styles.bold
        sheet.append(_header_cells(sheet, spec, styles))
        for row in EXAMPLES[spec.kind]:
            sheet.append([_cell(row.get(column.key, "")) for column in spec.columns])
        for index, column in enumerate(spec.columns, start=1):
            widths[index] = max(widths.get(index, 0), min(column_width(column), 24))
    for index, width in widths.items():
        sheet.column_dimensions[get_column_letter(index)].width = width
