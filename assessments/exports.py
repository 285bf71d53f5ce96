"""The results workbook of an assessment cycle (考核结果, .xlsx): one row per assessment with its totals and band,
one column per KPI line, and a second sheet with every line and its responsibility. Written the way the
organisation workbook is (transfers/writing.py): Chinese headers, the header row frozen and styled, columns
as wide as their headers, every text cell neutralised so no spreadsheet runs it as a formula.

Every number comes from assessments/scoring.py (the cycle's rater weights and cap), rounded once to two
places; it is written as a number and reads back exactly (Decimal(repr(cell))). Two queries whatever the
cycle's size: the assessments with their people, and their lines (prefetched).
"""

import io
from urllib.parse import quote

from django.db.models import Prefetch
from django.utils import translation

from assessments import scoring
from assessments.models import Assessment, AssessmentLine
from transfers.format import RULE_NAMES, neutralise
from transfers.writing import _Styles, text_width

RESULTS_SHEET, LINES_SHEET = "考核结果", "指标得分"
# The results sheet's columns before the KPI columns (指标1 … 指标N, by the line's order in the frozen set).
HEADERS = (
    "工号",
    "姓名",
    "岗位编码",
    "岗位名称",
    "部门",
    "岗位类型",
    "占比(%)",
    "周期",
    "环节",
    "自评",
    "上级评",
    "加权总分",
    "等级",
)
LINE_HEADERS = (
    "工号",
    "姓名",
    "岗位编码",
    "周期",
    "序号",
    "关键职责",
    "权重(%)",
    "计分规则",
    "实际值",
    "自评分",
    "上级评分",
    "得分",
)
WIDTHS = {"姓名": 12, "岗位名称": 24, "部门": 16, "关键职责": 48}
SELF_ALONE, SUPERIOR_ALONE = scoring.RaterWeights(100, 0), scoring.RaterWeights(0, 100)
TWO_PLACES = "0.00"


def kpi_header(order):
    return f"指标{order}"


def _lines_of(assessment):
    return [
        scoring.Line.for_kpi(line, self_score=line.self_score, superior_score=line.superior_score, actual=line.actual)
        for line in assessment.lines.all()
    ]


class Result:
    """One assessment's figures: the rater-weighted breakdown (the total, the band, each line's score) and the
    totals of the self scores alone and of the superior's alone (each None while a line lacks that score)."""

    def __init__(self, assessment, raters, cap):
        lines = _lines_of(assessment)
        self.assessment = assessment
        self.lines = list(assessment.lines.all())
        self.breakdown = scoring.breakdown(lines, raters=raters, cap=cap)
        # A cycle that weighs one rater alone (0/100, the default) has that rater's total already.
        alone = {raters: self.breakdown}
        self.self_total, self.superior_total = (
            (alone.get(weights) or scoring.breakdown(lines, raters=weights, cap=cap)).total
            for weights in (SELF_ALONE, SUPERIOR_ALONE)
        )
        self.scores = {scored.order: scored.score_shown for scored in self.breakdown.lines}


def results(cycle):
    """The Result of every assessment of `cycle`, by position code and employee number (two queries)."""
    raters = scoring.RaterWeights(cycle.self_weight, cycle.superior_weight)
    assessments = (
        Assessment.objects.filter(cycle=cycle)
        .select_related("person")
        .prefetch_related(Prefetch("lines", queryset=AssessmentLine.objects.order_by("order")))
        .order_by("position_code", "person__employee_number", "pk")
    )
    return [Result(assessment, raters, cycle.cap) for assessment in assessments]


def _labels():
    """The step and kind names, in Chinese like the headers, whatever the reader's language."""
    with translation.override("zh-hans"):
        return (
            {value: str(label) for value, label in Assessment.Step.choices},
            {value: str(label) for value, label in Assessment.Kind.choices},
        )


def _lay_out(sheet, headers, styles):
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.utils import get_column_letter

    for index, header in enumerate(headers, start=1):
        width = max(text_width(header) * 1.2 + 2, WIDTHS.get(header, 0), 8)
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font, cell.fill, cell.border = styles.bold, styles.optional, styles.border
        cells.append(cell)
    sheet.append(cells)


def _number(sheet, value):
    """A 2-place number cell shown with its two places; empty for None."""
    from openpyxl.cell import WriteOnlyCell

    if value is None:
        return None
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = TWO_PLACES
    return cell


def results_workbook(cycle):
    """The cycle's results as .xlsx bytes."""
    from openpyxl import Workbook

    found = results(cycle)
    orders = sorted({line.order for result in found for line in result.lines})
    steps, kinds = _labels()
    workbook = Workbook(write_only=True)
    styles = _Styles()
    sheet = workbook.create_sheet(RESULTS_SHEET)
    _lay_out(sheet, [*HEADERS, *(kpi_header(order) for order in orders)], styles)
    detail = workbook.create_sheet(LINES_SHEET)
    _lay_out(detail, LINE_HEADERS, styles)
    for result in found:
        assessment, person, total = result.assessment, result.assessment.person, result.breakdown
        sheet.append(
            [
                neutralise(person.employee_number),
                neutralise(person.name),
                neutralise(assessment.position_code),
                neutralise(assessment.position_title),
                neutralise(assessment.department_name),
                kinds[assessment.kind],
                _number(sheet, assessment.share),
                neutralise(cycle.name),
                steps[assessment.step],
                _number(sheet, result.self_total),
                _number(sheet, result.superior_total),
                _number(sheet, total.total),
                total.band or "",
                *(_number(sheet, result.scores.get(order)) for order in orders),
            ]
        )
        for line in result.lines:
            detail.append(
                [
                    neutralise(person.employee_number),
                    neutralise(person.name),
                    neutralise(assessment.position_code),
                    neutralise(cycle.name),
                    line.order,
                    neutralise(line.responsibility),
                    _number(detail, line.weight),
                    RULE_NAMES[line.rule],
                    "" if line.actual is None else line.actual,
                    _number(detail, line.self_score),
                    _number(detail, line.superior_score),
                    _number(detail, result.scores[line.order]),
                ]
            )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def file_name(cycle):
    """'2026 年度-考核结果.xlsx', with the characters no file name may hold replaced."""
    name = "".join("-" if ch in '/\\:*?"<>|' or ord(ch) < 32 else ch for ch in cycle.name)
    return f"{name}-考核结果.xlsx"


def content_disposition(cycle):
    """An attachment header that every browser reads: an ASCII name, and the Chinese one (RFC 6266 / 5987)."""
    return f"attachment; filename=\"assessment-results-{cycle.pk}.xlsx\"; filename*=UTF-8''{quote(file_name(cycle))}"
