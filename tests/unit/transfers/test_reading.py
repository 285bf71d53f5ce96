"""Reading uploaded workbooks and CSV files (transfers.reading), from real files built here.

Every test writes the file a person would upload (openpyxl, csv, encoded bytes) and checks what
that person would notice: the sheets and rows found, the cell values as text, and each problem's
sheet, row and column. Messages are read in English (the portal's source language).
"""

import codecs
import csv
import io
import random
import zipfile

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from portal.formatting import FORMULA_STARTS
from positions.models import Person, Position
from tests.integration.transfers.workbooks import xlsx
from transfers import format as fmt
from transfers import importing, writing
from transfers.reading import FileRefused, ValuedRows, read_upload


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def csv_text(rows, delimiter=","):
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


def rows_of(book, kind):
    return [(row.number, row.values) for row in book.sheets[kind].rows]


def problems(book):
    """(level, sheet, row, column) of every problem, in order."""
    return [(p.level, p.sheet, p.row, p.column) for p in book.problems]


def messages(book):
    return [p.message for p in book.problems]


POSITION_ROWS = [
    ["岗位编码", "岗位名称", "部门编码", "编制"],
    ["P-01", "技术支持部经理", "YW-JS", 1],
    ["P-02", "技术支持工程师", "YW-JS", 4],
]


# ---------------------------------------------------------------------------------------------
# Headers: Chinese, English, under a title line, recognised without a sheet name


def test_chinese_headers_on_a_chinese_sheet():
    book = read_upload("组织.xlsx", xlsx(("岗位", POSITION_ROWS)))
    assert list(book.sheets) == ["positions"]
    assert book.sheets["positions"].headers == {
        "code": "岗位编码",
        "title": "岗位名称",
        "department": "部门编码",
        "headcount": "编制",
    }
    assert rows_of(book, "positions") == [
        (2, {"code": "P-01", "title": "技术支持部经理", "department": "YW-JS", "headcount": "1"}),
        (3, {"code": "P-02", "title": "技术支持工程师", "department": "YW-JS", "headcount": "4"}),
    ]
    assert book.problems == []
    assert book.rows_read == 2


def test_english_headers_whatever_their_case_spacing_and_brackets():
    rows = [
        ["Position Code", "TITLE", " superior code ", "Review Interval (Months)", "has_job-description"],
        ["P-01", "Network engineer", "P-00", 12, "yes"],
    ]
    book = read_upload("organisation.xlsx", xlsx(("Positions", rows)))
    assert book.problems == []
    assert book.sheets["positions"].title == "Positions"
    assert rows_of(book, "positions") == [
        (
            2,
            {
                "code": "P-01",
                "title": "Network engineer",
                "reports_to": "P-00",
                "review_months": "12",
                "has_description": "yes",
            },
        )
    ]


def test_chinese_headers_with_half_width_brackets_and_english_ones_mixed():
    rows = [["岗位编码", "title", "复审周期(月)"], ["P-01", "经理", 6]]
    book = read_upload("mixed.xlsx", xlsx(("岗位", rows)))
    assert book.problems == []
    assert rows_of(book, "positions") == [(2, {"code": "P-01", "title": "经理", "review_months": "6"})]


def test_a_roster_with_a_company_title_line_above_its_headers():
    book_file = Workbook()
    sheet = book_file.active
    sheet.title = "花名册"
    sheet.append(["杭州某某网络科技有限公司 员工花名册"])
    sheet.merge_cells("A1:F1")
    sheet.append(["制表日期：2024年12月1日"])
    sheet.append(["工号", "姓名", "岗位", "部门", "直接上级工号", "登录名"])
    sheet.append(["E001", "张三", "运维部经理", "运维部", "", "zhangsan"])
    sheet.append(["E002", "李四", "运维工程师", "运维部", "E001", ""])
    out = io.BytesIO()
    book_file.save(out)

    book = read_upload("花名册.xlsx", out.getvalue())

    assert book.problems == []
    assert list(book.sheets) == ["roster"]
    assert [number for number, _values in rows_of(book, "roster")] == [4, 5]  # the rows as Excel numbers them
    assert rows_of(book, "roster")[1][1] == {
        "employee_number": "E002",
        "name": "李四",
        "title": "运维工程师",
        "department": "运维部",
        "manager_employee_number": "E001",
        "login": "",
    }
    assert book.rows_read == 2


@pytest.mark.parametrize("path", ["calamine", "openpyxl"])
def test_blank_lines_above_the_headers_keep_excels_row_numbers(path):
    rows = [[], [], ["岗位编码", "岗位名称"], ["P-01", "经理"], [], ["P-02", "工程师"]]
    if path == "openpyxl":
        rows.append(["P-03", "=1+1"])  # a formula: the workbook is read by openpyxl
    book = read_upload("organisation.xlsx", xlsx(("岗位", rows)))
    assert [number for number, _values in rows_of(book, "positions")][:2] == [4, 6]
    if path == "openpyxl":
        assert [(p.sheet, p.row, p.column) for p in book.problems] == [("岗位", 7, "岗位名称")]
    else:
        assert book.problems == []


def test_a_title_line_above_the_headers_of_a_csv_roster():
    text = "某某公司花名册\r\n\r\n工号,姓名,岗位,直接上级工号\r\nE001,张三,经理,\r\n"
    book = read_upload("roster.csv", text.encode("utf-8"))
    assert book.problems == []
    assert rows_of(book, "roster") == [
        (4, {"employee_number": "E001", "name": "张三", "title": "经理", "manager_employee_number": ""})
    ]


@pytest.mark.parametrize(
    ("headers", "kind"),
    [
        (["岗位编码", "岗位名称", "直接上级编码"], "positions"),
        (["工号", "姓名", "岗位", "部门", "直接上级工号"], "roster"),
        (["工号", "姓名", "主岗编码"], "people"),
        (["部门编码", "部门名称", "上级部门编码"], "departments"),
        (["岗位编码", "序号", "关键职责", "权重"], "kpis"),
    ],
)
def test_a_lone_sheet1_is_recognised_by_its_headers(headers, kind):
    values = [f"v{index}" for index in range(len(headers))]
    book = read_upload("export from HR system.xlsx", xlsx(("Sheet1", [headers, values])))
    assert book.errors == []
    assert list(book.sheets) == [kind]
    assert book.sheets[kind].title == "Sheet1"
    assert rows_of(book, kind)[0][0] == 2


def test_a_lone_sheet_whose_columns_match_nothing_is_an_error():
    book = read_upload("budget.xlsx", xlsx(("Sheet1", [["项目", "金额", "日期"], ["差旅", 1200, "2024-12-01"]])))
    assert book.sheets == {}
    assert problems(book) == [("error", "Sheet1", None, "")]
    assert "No header row found" in messages(book)[0]


def test_an_unrelated_sheet_beside_format_sheets_is_a_warning():
    book = read_upload(
        "organisation.xlsx",
        xlsx(("岗位", POSITION_ROWS), ("Sheet2", [["备注", "日期"], ["随便写的", "2024"]])),
    )
    assert list(book.sheets) == ["positions"]
    assert problems(book) == [("warning", "Sheet2", None, "")]
    assert messages(book) == ["This sheet is not part of the workbook format and was ignored."]


# ---------------------------------------------------------------------------------------------
# Columns: unknown, missing, twice


def test_an_unknown_column_of_a_format_sheet_is_an_error_naming_it():
    rows = [["岗位编码", "岗位名称", "颜色"], ["P-01", "经理", "红"]]
    book = read_upload("organisation.xlsx", xlsx(("岗位", rows)))
    assert problems(book) == [("error", "岗位", 1, "颜色")]
    message = messages(book)[0]
    assert message.startswith("Unknown column.")
    assert "岗位编码" in message and "岗位名称" in message and "轮岗岗位编码" in message  # says which columns exist
    assert str(book.problems[0]).startswith("sheet 岗位, row 1, column 颜色: ")
    # The known columns are still read.
    assert rows_of(book, "positions") == [(2, {"code": "P-01", "title": "经理"})]


def test_an_unknown_column_of_a_section_sheet_is_named_at_its_header_row():
    rows = [["说明文字"], ["岗位编码", "序号", "内容", "负责人"], ["P-01", 1, "巡检机房", "张三"]]
    book = read_upload("duties.xlsx", xlsx(("岗位职责", rows)))
    assert problems(book) == [("error", "岗位职责", 2, "负责人")]


def test_an_unknown_column_of_a_roster_is_only_a_warning():
    rows = [
        ["工号", "姓名", "岗位", "直接上级工号", "手机号码", "入职日期"],
        ["E001", "张三", "经理", "", "13800000000", "2020-01-01"],
    ]
    book = read_upload("花名册.xlsx", xlsx(("花名册", rows)))
    assert book.errors == []
    assert [(p.level, p.sheet, p.column) for p in book.problems] == [
        ("warning", "花名册", "手机号码"),
        ("warning", "花名册", "入职日期"),
    ]
    assert set(messages(book)) == {"This column is not used by the roster import and was ignored."}
    assert rows_of(book, "roster") == [
        (2, {"employee_number": "E001", "name": "张三", "title": "经理", "manager_employee_number": ""})
    ]


@pytest.mark.parametrize(
    ("title", "rows", "missing"),
    [
        ("岗位", [["岗位编码", "编制"], ["P-01", 3]], ["The required column 岗位名称 (title) is missing."]),
        (
            "考核标准",
            [["岗位编码", "关键职责"], ["P-01", "按时巡检"]],
            [
                "The required column 序号 (line) is missing.",
                "The required column 权重 (weight) is missing.",
            ],
        ),
        ("人员", [["姓名", "主岗编码"], ["张三", "P-01"]], ["The required column 工号 (employee number) is missing."]),
    ],
)
def test_a_missing_required_column_is_named(title, rows, missing):
    book = read_upload("organisation.xlsx", xlsx((title, rows)))
    assert messages(book) == missing
    assert {(p.level, p.sheet, p.row) for p in book.problems} == {("error", title, 1)}


@pytest.mark.parametrize(
    "headers",
    [
        ["岗位编码", "岗位名称", "岗位名称"],
        ["岗位编码", "岗位名称", "Title"],  # the same column in the other language
        ["岗位编码", "岗位名称", "岗位 名称"],
    ],
)
def test_a_column_that_appears_twice_is_an_error(headers):
    book = read_upload("organisation.xlsx", xlsx(("岗位", [headers, ["P-01", "经理", "副经理"]])))
    assert problems(book) == [("error", "岗位", 1, headers[2])]
    assert messages(book) == ["This column appears twice."]
    assert rows_of(book, "positions") == [(2, {"code": "P-01", "title": "经理"})]  # the first one is read


# ---------------------------------------------------------------------------------------------
# Cells


def test_blank_rows_are_skipped_and_the_others_keep_their_numbers():
    rows = [
        ["岗位编码", "岗位名称"],
        [],
        ["P-01", "经理"],
        [None, None],
        ["   ", "\t"],
        ["P-02", "工程师"],
        [],
    ]
    book = read_upload("organisation.xlsx", xlsx(("岗位", rows)))
    assert book.problems == []
    assert rows_of(book, "positions") == [
        (3, {"code": "P-01", "title": "经理"}),
        (6, {"code": "P-02", "title": "工程师"}),
    ]
    assert book.rows_read == 2


def test_blank_lines_of_a_csv_are_skipped():
    text = "岗位编码,岗位名称\r\n\r\nP-01,经理\r\n,\r\n  , \r\nP-02,工程师\r\n"
    book = read_upload("positions.csv", text.encode())
    assert [number for number, _values in rows_of(book, "positions")] == [3, 6]
    assert book.rows_read == 2


def test_numbers_are_read_as_the_text_a_person_typed():
    rows = [
        ["岗位编码", "序号", "内容", "时间占比"],
        [10001, 1, 35, 12.5],
        ["P-02", 2.0, "巡检", 100],
        ["P-03", 3, 0.1, 33.33],
    ]
    book = read_upload("duties.xlsx", xlsx(("岗位职责", rows)))
    assert book.problems == []
    assert [values for _number, values in rows_of(book, "duties")] == [
        {"code": "10001", "line": "1", "text": "35", "share": "12.5"},
        {"code": "P-02", "line": "2", "text": "巡检", "share": "100"},
        {"code": "P-03", "line": "3", "text": "0.1", "share": "33.33"},
    ]


def test_numbers_of_a_csv_stay_as_written():
    book = read_upload("duties.csv", "岗位编码,序号,内容,时间占比\r\n0012,1,35,12.50\r\n".encode())
    assert rows_of(book, "duties") == [(2, {"code": "0012", "line": "1", "text": "35", "share": "12.50"})]


def test_flags_and_dates_are_read_as_text():
    rows = [["工号", "姓名", "岗位", "直接上级工号"], [True, "张三", "经理", False]]
    book = read_upload("花名册.xlsx", xlsx(("花名册", rows)))
    values = rows_of(book, "roster")[0][1]
    assert values["employee_number"] == "是" and values["manager_employee_number"] == "否"


# ---------------------------------------------------------------------------------------------
# Neutralised cells: what the portal writes so no spreadsheet runs it, read back exactly

NEUTRALISED = [
    "=SUM(A1)",
    "+86 138 0000 0000",
    "-",
    "@x",
    "'quoted",
    "'=not a formula either",
    "''",
    "'",
    "-5%",
    "=",
    "@",
]


def _forced_slowly(rows):
    """The same rows, plus a formula in a row of its own: the workbook is then read by openpyxl."""
    return [*rows, ["ZZ-FORMULA", "=1+1"]]


@pytest.mark.parametrize("path", ["calamine", "openpyxl", "csv"])
def test_the_portals_neutralised_cells_read_back_exactly(path):
    rows = [["岗位编码", "岗位名称"]] + [[f"P-{i:02}", fmt.neutralise(text)] for i, text in enumerate(NEUTRALISED)]
    assert rows[1][1] == "'=SUM(A1)" and rows[2][1] == "'+86 138 0000 0000" and rows[5][1] == "''quoted"
    if path == "csv":
        data = ("\ufeff" + csv_text(rows)).encode()
        name = "positions.csv"
    else:
        data = xlsx(("岗位", _forced_slowly(rows) if path == "openpyxl" else rows))
        name = "organisation.xlsx"
    book = read_upload(name, data)
    read = {values["code"]: values["title"] for _number, values in rows_of(book, "positions")}
    assert [read[f"P-{i:02}"] for i in range(len(NEUTRALISED))] == NEUTRALISED
    if path == "openpyxl":
        assert [p.row for p in book.errors] == [len(rows) + 1]  # only the formula, nothing else
    else:
        assert book.problems == []


def test_a_text_someone_typed_with_a_leading_quote_is_kept():
    """A quote not followed by a formula start is the person's own: kept as typed."""
    rows = [["岗位编码", "岗位名称"], ["P-01", "'80后"], ["P-02", "'quoted'"]]
    book = read_upload("organisation.xlsx", xlsx(("岗位", rows)))
    assert [values["title"] for _number, values in rows_of(book, "positions")] == ["'80后", "'quoted'"]


@hypothesis_settings(max_examples=1000, deadline=None, database=None)
@given(st.text())
def test_restore_undoes_neutralise_for_every_text(text):
    cell = fmt.neutralise(text)
    assert not cell.startswith(FORMULA_STARTS)  # no spreadsheet runs it
    assert fmt.restore(cell) == text


@hypothesis_settings(max_examples=300, deadline=None, database=None)
@given(st.text(alphabet="=+-@'\t\r ab岗位", max_size=6))
def test_restore_undoes_neutralise_for_texts_made_of_formula_starts_and_quotes(text):
    assert fmt.restore(fmt.neutralise(text)) == text
    if not text.startswith((*FORMULA_STARTS, "'")):
        assert fmt.neutralise(text) == text  # only what needs it gets a quote


def test_neutralise_leaves_numbers_and_plain_texts_alone():
    assert fmt.neutralise(35) == 35
    assert fmt.neutralise(12.5) == 12.5
    assert fmt.neutralise(None) == ""
    assert fmt.neutralise("技术支持部经理") == "技术支持部经理"
    assert fmt.neutralise("a=b") == "a=b"


TRICKY = [
    "=",
    "+",
    "-",
    "@",
    "'",
    "''",
    " ",
    "\n",
    "\t",
    "a",
    "Z",
    "1",
    "岗",
    "位",
    "，",
    "、",
    "%",
    '"',
    ",",
    ";",
    "(",
    "SUM",
]


def _tricky_texts(count, seed):
    """Many texts the way the portal stores them (stripped), made of formula starts, quotes and separators."""
    rng = random.Random(seed)
    texts = set()
    while len(texts) < count:
        texts.add("".join(rng.choice(TRICKY) for _ in range(rng.randint(0, 8))).strip())
    return sorted(texts)


@pytest.mark.parametrize("path", ["calamine", "openpyxl", "csv", "csv-gb18030"])
def test_many_neutralised_texts_read_back_exactly_from_a_real_file(path):
    texts = _tricky_texts(400, seed=20241201)
    rows = [["岗位编码", "岗位名称"]] + [[f"P-{i:03}", fmt.neutralise(text)] for i, text in enumerate(texts)]
    if path.startswith("csv"):
        text = csv_text(rows)
        data = text.encode("gb18030") if path == "csv-gb18030" else ("\ufeff" + text).encode()
        book = read_upload("positions.csv", data)
    else:
        book = read_upload("organisation.xlsx", xlsx(("岗位", _forced_slowly(rows) if path == "openpyxl" else rows)))
    read = {values["code"]: values.get("title") for _number, values in rows_of(book, "positions")}
    mismatches = [(text, read.get(f"P-{i:03}")) for i, text in enumerate(texts) if read.get(f"P-{i:03}") != text]
    assert mismatches == []


# ---------------------------------------------------------------------------------------------
# Sheets that are absent in effect: headers only, instructions


def test_a_sheet_with_only_headers_is_treated_as_absent():
    book = read_upload(
        "organisation.xlsx",
        xlsx(
            ("岗位", POSITION_ROWS),
            ("岗位职责", [["岗位编码", "序号", "内容", "时间占比"]]),
            ("考核标准", [["岗位编码", "序号", "关键职责", "权重", "备注栏"], [], [None, None]]),
        ),
    )
    assert list(book.sheets) == ["positions"]
    assert book.problems == []  # not even the unknown column of a sheet that is absent in effect


def test_the_instructions_sheet_is_ignored_even_when_it_names_columns():
    guide = [["如何填写"], ["岗位编码", "岗位名称"], ["P-99", "这是说明，不是岗位"]]
    for title in ("说明", "Instructions", "README"):
        book = read_upload("organisation.xlsx", xlsx((title, guide), ("岗位", POSITION_ROWS)))
        assert book.problems == []
        assert [values["code"] for _number, values in rows_of(book, "positions")] == ["P-01", "P-02"]


def test_the_template_workbook_reads_with_no_problems():
    data = writing.template_workbook()
    names = load_workbook(io.BytesIO(data), read_only=True).sheetnames
    assert names == ["说明", *(spec.zh for spec in fmt.SHEETS), fmt.EXAMPLES_TITLE]  # the examples are never read
    book = read_upload("organisation-template.xlsx", data)
    assert book.problems == []
    assert book.sheets == {}  # headers only: every sheet absent in effect
    assert book.rows_read == 0


def test_the_template_filled_in_reads_each_sheet_by_its_name():
    source = load_workbook(io.BytesIO(writing.template_workbook()))
    source["岗位"].append(["P-01", "经理"])
    source["部门"].append(["YW", "运维部"])
    source["人员"].append(["E001", "张三", "", "P-01"])
    out = io.BytesIO()
    source.save(out)
    book = read_upload("organisation.xlsx", out.getvalue())
    assert book.problems == []
    assert sorted(book.sheets) == ["departments", "people", "positions"]
    assert rows_of(book, "people") == [
        (2, {"employee_number": "E001", "name": "张三", "login": "", "primary": "P-01", "concurrent": ""})
    ]


def test_the_portals_own_export_reads_back_with_no_problems(seed):
    data = writing.export_workbook()
    book = read_upload("organisation.xlsx", data)
    assert book.problems == []
    assert len(book.sheets["positions"].rows) == Position.objects.count()
    assert {r.values["code"] for r in book.sheets["positions"].rows} == set(
        Position.objects.values_list("code", flat=True)
    )
    people = book.sheets["people"].rows if "people" in book.sheets else []
    assert len(people) == Person.objects.filter(assignments__ended_on=None).distinct().count()
    report = importing.preview(book)
    assert report.errors == []
    assert {row.status for row in report.rows} == {"unchanged"}  # an export imported again changes nothing


def test_the_portals_own_csv_export_reads_back_with_no_problems(seed):
    book = read_upload("positions.csv", writing.export_csv())
    assert book.problems == []
    assert len(book.sheets["positions"].rows) == Position.objects.count()


# ---------------------------------------------------------------------------------------------
# Empty required cells: the preview names them, and writes nothing


@pytest.mark.parametrize(
    ("title", "rows", "row", "column", "message"),
    [
        ("部门", [["部门编码", "部门名称"], ["YW-NEW", ""]], 2, "部门名称", "This cell is required."),
        ("部门", [["部门编码", "部门名称"], ["YW-A", "甲"], ["", "乙"]], 3, "部门编码", "This cell is required."),
        (
            "岗位",
            [["岗位编码", "岗位名称"], ["DPT-YW-04", "技术支持部经理"], ["", "无编码"]],
            3,
            "岗位编码",
            "This cell is required.",
        ),
        (
            "岗位职责",
            [["岗位编码", "序号", "内容"], ["DPT-YW-04", None, "巡检"]],
            2,
            "序号",
            "The line number is a whole number from 1 up.",
        ),
        ("岗位职责", [["岗位编码", "序号", "内容"], ["", 1, "巡检"]], 2, "岗位编码", "This cell is required."),
        ("人员", [["工号", "姓名"], ["", "无工号"]], 2, "工号", "This cell is required."),
        ("人员", [["工号", "姓名"], ["E9001", ""]], 2, "姓名", "This cell is required."),
        ("职位体系", [["类型", "编码", "名称"], ["职族", "F-NEW", ""]], 2, "名称", "Code and name are required."),
    ],
)
def test_an_empty_required_cell_is_named_by_the_preview_and_nothing_is_written(seed, title, rows, row, column, message):
    book = read_upload("organisation.xlsx", xlsx((title, rows)))
    assert book.problems == []  # the file itself reads: the cell is judged by the import
    before = importing.organisation_state()
    report = importing.preview(book)
    assert [(p.sheet, p.row, p.column, p.message) for p in report.errors] == [(title, row, column, message)]
    assert importing.organisation_state() == before


def test_an_empty_title_of_a_new_position_is_named_by_the_preview(seed):
    rows = [["岗位编码", "岗位名称", "直接上级编码"], ["DPT-YW-NEW", "", "DPT-YW-01"]]
    book = read_upload("organisation.xlsx", xlsx(("岗位", rows)))
    before = importing.organisation_state()
    report = importing.preview(book)
    assert report.errors, "a position without a title is not imported"
    assert {(p.sheet, p.row, p.column) for p in report.errors} == {("岗位", 2, "岗位名称")}
    assert importing.organisation_state() == before
    assert not Position.objects.filter(code="DPT-YW-NEW").exists()


# ---------------------------------------------------------------------------------------------
# CSV encodings and separators

ROSTER_TEXT = "工号,姓名,岗位,部门,直接上级工号\r\nE001,张三,运维部经理,运维部,\r\nE002,李四,网络工程师,运维部,E001\r\n"
EXPECTED_ROSTER = [
    (
        2,
        {
            "employee_number": "E001",
            "name": "张三",
            "title": "运维部经理",
            "department": "运维部",
            "manager_employee_number": "",
        },
    ),
    (
        3,
        {
            "employee_number": "E002",
            "name": "李四",
            "title": "网络工程师",
            "department": "运维部",
            "manager_employee_number": "E001",
        },
    ),
]


@pytest.mark.parametrize(
    "encode",
    [
        pytest.param(lambda text: text.encode("utf-8"), id="utf-8"),
        pytest.param(lambda text: codecs.BOM_UTF8 + text.encode("utf-8"), id="utf-8 with BOM (Excel's CSV UTF-8)"),
        pytest.param(lambda text: text.encode("gb18030"), id="gb18030 (Excel's CSV on Chinese Windows)"),
        pytest.param(lambda text: text.encode("gbk"), id="gbk"),
        pytest.param(lambda text: text.encode("utf-16"), id="utf-16 with BOM"),
        pytest.param(lambda text: codecs.BOM_UTF16_BE + text.encode("utf-16-be"), id="utf-16 big-endian with BOM"),
        pytest.param(lambda text: text.replace(",", "\t").encode("utf-8"), id="tab-separated"),
        pytest.param(
            lambda text: text.replace(",", "\t").encode("utf-16"), id="utf-16 tab-separated (Excel's Unicode text)"
        ),
        pytest.param(lambda text: text.replace(",", ";").encode("utf-8"), id="semicolon-separated"),
        pytest.param(lambda text: text.replace("\r\n", "\n").encode("utf-8"), id="unix line ends"),
    ],
)
def test_a_csv_roster_reads_in_every_encoding_people_save(encode):
    data = encode(ROSTER_TEXT)
    book = read_upload("花名册.csv", data)
    assert book.problems == []
    assert rows_of(book, "roster") == EXPECTED_ROSTER
    assert book.sheets["roster"].title == "花名册.csv"


def test_the_chinese_really_is_gb18030_and_not_utf8():
    data = ROSTER_TEXT.encode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert read_upload("花名册.csv", data).sheets["roster"].rows[0].values["name"] == "张三"


def test_quoted_cells_with_separators_and_line_breaks():
    rows = [
        ["岗位编码", "序号", "内容"],
        ["P-01", "1", "巡检机房，记录温度、湿度\n每日两次"],
        ["P-01", "2", 'say "hi", then go'],
    ]
    book = read_upload("duties.csv", csv_text(rows).encode("utf-8"))
    assert [values["text"] for _number, values in rows_of(book, "duties")] == [
        "巡检机房，记录温度、湿度\n每日两次",
        'say "hi", then go',
    ]
    assert [number for number, _values in rows_of(book, "duties")] == [2, 3]


@pytest.mark.parametrize(
    "data",
    [
        pytest.param("code,title\r\nP-01,Café\r\n".encode("latin-1"), id="latin-1"),
        pytest.param("code;title\nP-01;Ñandú €\n".encode("cp1252"), id="cp1252"),
        pytest.param(b"\xef\xbb\xbf\xe5\xb2\x97\xff\xfe\x80,x\r\n", id="broken utf-8 after a BOM"),
    ],
)
def test_a_csv_in_no_known_encoding_is_refused_with_a_clear_message(data):
    with pytest.raises(FileRefused) as refused:
        read_upload("positions.csv", data)
    assert str(refused.value) == "The text of this CSV file cannot be read: save it as CSV UTF-8 (or GB18030)."


def test_a_utf16_csv_without_its_bom_is_refused_not_misread():
    with pytest.raises(FileRefused) as refused:
        read_upload("花名册.csv", ROSTER_TEXT.encode("utf-16-le"))
    assert "Upload an Excel workbook (.xlsx) or a CSV file" in str(refused.value)


def test_a_csv_whose_columns_match_nothing_is_an_error_for_the_file():
    book = read_upload("budget.csv", "项目,金额\r\n差旅,1200\r\n".encode())
    assert book.sheets == {}
    assert [(p.level, p.sheet) for p in book.problems] == [("error", "budget.csv")]


def test_a_csv_with_an_unknown_column_names_it_at_row_1():
    book = read_upload("positions.csv", "岗位编码,岗位名称,颜色\r\nP-01,经理,红\r\n".encode())
    assert problems(book) == [("error", "positions.csv", 1, "颜色")]


# ---------------------------------------------------------------------------------------------
# Control characters (portal/text.py's rule): an error at the cell, in .xlsx and CSV alike

CONTROL = "The cell holds the invisible control character {}: delete it and import the file again."


def with_escapes(data, replacements):
    """The workbook with texts of its worksheets' XML replaced: Excel writes NUL and the other C0 controls,
    which XML cannot hold, as _x0000_ … _x001F_, and DEL and the C1 controls as they are."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            body = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                for old, new in replacements.items():
                    body = body.replace(old.encode(), new.encode())
            target.writestr(item.filename, body)
    return out.getvalue()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16"])
def test_a_control_character_in_a_csv_cell_is_an_error_at_its_cell(encoding):
    rows = [["岗位编码", "岗位名称", "岗位目的"], ["P-01", "经\x00理", "目的"], ["P-02", "工程师", "保障\x85运行"]]
    book = read_upload("positions.csv", csv_text(rows).encode(encoding))
    assert [(p.level, p.sheet, p.row, p.column, p.message) for p in book.problems] == [
        ("error", "positions.csv", 2, "岗位名称", CONTROL.format("U+0000")),
        ("error", "positions.csv", 3, "岗位目的", CONTROL.format("U+0085")),
    ]


@pytest.mark.parametrize("path", ["calamine", "openpyxl"])
def test_a_control_character_in_a_workbook_cell_is_an_error_at_its_cell(path):
    rows = [["岗位编码", "岗位名称", "岗位目的"], ["P-01", "TITLE-ONE", "目的"], ["P-02", "工程师", "保障\x7f运行"]]
    if path == "openpyxl":
        rows = _forced_slowly(rows)
    data = with_escapes(xlsx(("岗位", rows)), {"TITLE-ONE": "经_x0000_理"})
    book = read_upload("positions.xlsx", data)
    found = [(p.sheet, p.row, p.column, p.message) for p in book.errors if "control" in p.message]
    if path == "calamine":
        assert found == [
            ("岗位", 2, "岗位名称", CONTROL.format("U+0000")),
            ("岗位", 3, "岗位目的", CONTROL.format("U+007F")),
        ]
    else:  # openpyxl leaves an inline string's _x0000_ as written (Excel writes shared strings): DEL is caught
        assert found == [("岗位", 3, "岗位目的", CONTROL.format("U+007F"))]


def test_tabs_and_line_breaks_in_cells_are_text_not_control_characters():
    rows = [["岗位编码", "岗位名称", "岗位目的"], ["P-01", "经理", "第一行\n第二行\n\t缩进"]]
    for name, data in (("p.csv", csv_text(rows).encode()), ("p.xlsx", xlsx(("岗位", rows)))):
        book = read_upload(name, data)
        assert book.problems == [], name
        assert rows_of(book, "positions")[0][1]["purpose"] == "第一行\n第二行\n\t缩进"


def test_a_control_character_in_a_column_a_roster_ignores_is_not_an_error():
    rows = [["工号", "姓名", "岗位", "直接上级工号", "备注"], ["E001", "张三", "经理", "", "旧系统\x1e导出"]]
    book = read_upload("花名册.csv", csv_text(rows).encode())
    assert book.errors == []
    assert [p.column for p in book.warnings] == ["备注"]  # the ignored column, as ever


def test_a_few_nul_characters_are_a_texts_problem_but_a_file_of_them_is_not_text():
    text = csv_text([["岗位编码", "岗位名称"], ["P-01", "经理\x00"]]).encode()
    assert [p.column for p in read_upload("p.csv", text).errors] == ["岗位名称"]
    with pytest.raises(FileRefused, match="not a spreadsheet or a text file"):
        read_upload("p.csv", b"\x00" * 64 + text)
    with pytest.raises(FileRefused, match="not a spreadsheet or a text file"):
        read_upload("p.csv", text.decode().encode("utf-16-be"))  # UTF-16 without its byte order mark


# ---------------------------------------------------------------------------------------------
# The row limit, counted while the file streams


def test_styled_empty_rows_do_not_count_towards_the_row_limit(settings):
    """LibreOffice writes formatted rows without values by the thousand; only rows holding something count."""
    settings.TRANSFER_MAX_ROWS = 50
    rows = [["岗位编码", "岗位名称"], *([f"P-{i:02}", "岗位"] for i in range(50))]
    data = xlsx(("岗位", rows))
    empty = "".join(
        f'<row r="{n}" s="1" customFormat="1"/>' if n % 2 else f'<row r="{n}"><c r="A{n}" s="1"/><c r="B{n}"/></row>'
        for n in range(60, 3060)
    )
    data = with_escapes(data, {"</sheetData>": empty + "</sheetData>"})
    book = read_upload("styled.xlsx", data)
    assert book.rows_read == 50 and book.errors == []


def test_the_instructions_sheet_does_not_count_towards_the_row_limit(settings):
    settings.TRANSFER_MAX_ROWS = 5
    instructions = [[f"说明第{i}行"] for i in range(500)]
    positions = [["岗位编码", "岗位名称"], *([f"P-{i}", "岗位"] for i in range(5))]
    book = read_upload("with instructions.xlsx", xlsx(("说明", instructions), ("岗位", positions)))
    assert book.rows_read == 5 and book.errors == []
    with pytest.raises(FileRefused, match="more than 5 rows"):
        read_upload("with notes.xlsx", xlsx(("备注", instructions), ("岗位", positions)))  # any other sheet counts


@pytest.mark.parametrize("newline", ["\r\n", "\n", "\r"])
def test_a_csv_over_the_row_limit_is_refused_whatever_its_line_endings(settings, newline):
    settings.TRANSFER_MAX_ROWS = 20
    lines = ["岗位编码,岗位名称", *(f"P-{i:02},岗位" for i in range(20))]
    assert read_upload("ok.csv", newline.join(lines).encode()).rows_read == 20
    with pytest.raises(FileRefused, match="more than 20 rows"):
        read_upload("over.csv", newline.join([*lines, "P-99,岗位"]).encode())


def test_a_multi_line_cell_is_one_row_of_a_csv_not_several(settings):
    settings.TRANSFER_MAX_ROWS = 2
    rows = [["岗位编码", "岗位名称", "岗位目的"], ["P-01", "经理", "一\n二\n三\n四"], ["P-02", "专员", "五\n六\n七"]]
    data = csv_text(rows).encode()
    assert read_upload("multi-line.csv", data).rows_read == 2


@pytest.mark.parametrize("chunk", [1, 2, 5, 31, 32, 33, 100, 4096])
def test_rows_holding_something_are_counted_the_same_whatever_the_chunks(chunk):
    """The count is made a chunk of XML at a time: a tag cut in two by a chunk's end is still seen once."""
    xml = (
        b'<x:worksheet xmlns:x="s"><x:sheetData>'
        b'<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c></x:row>'  # a value
        b'<x:row r="2" s="1" customFormat="1"/>'  # styled, empty
        b'<x:row r="3"><x:c r="A3" s="2"/></x:row>'  # an empty cell
        b'<x:row r="4"><x:c r="B4" t="inlineStr"><x:is><x:t>a</x:t></x:is></x:c></x:row>'  # an inline string
        b'<x:row r="5"><x:c r="C5"><x:f>1+1</x:f></x:c></x:row>'  # a formula without its value
        b'<x:row r="6" spans="1:3"></x:row>'
        b'<x:row r="7"><x:c r="A7"><x:v>7</x:v></x:c><x:c r="B7"><x:v>8</x:v></x:c></x:row>'
        b"</x:sheetData><x:rowBreaks/></x:worksheet>"
    )
    counter = ValuedRows()
    for start in range(0, len(xml), chunk):
        counter.feed(xml[start : start + chunk])
    assert counter.close() == 4
