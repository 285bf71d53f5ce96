"""The workbooks people download: the template and the export, opened as a person opens them in Excel.

Both are read back with openpyxl from the real download: drop-down lists (data validation: the
list, and the cells it covers), the frozen header row, column widths, the required columns marked
with a * and a fill. The template explains itself on its 说明 sheet (nothing to look up in README)
and carries example rows on a 示例 sheet that an import never reads, while the same rows copied into
their own sheets import without a problem.
"""

import io

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from org_tree.models import Department
from positions.models import Person, Position
from tests.helpers import signed_in as login
from tests.integration.transfers.workbooks import row_of, sheets_of, table, upload, xlsx
from transfers import importing, writing
from transfers.format import EXAMPLES, KPIS, POSITIONS, ROSTER, SHEETS
from transfers.reading import read_upload
from transfers.writing import text_width

LAST_ROW = 1048576
EXPORTED = [spec for spec in SHEETS if spec is not ROSTER]  # the export has every sheet but the roster
# The columns that take fixed values, and the values their drop-down offers.
DROP_DOWNS = {
    ("positions", "状态"): ["草稿", "已发布"],
    ("positions", "有岗位说明书"): ["是", "否"],
    ("positions", "学历要求"): ["不限", "高中/中专", "大专", "本科", "硕士", "博士"],
    ("kpis", "考核周期"): ["月度", "季度", "半年度", "年度"],
    ("kpis", "方向"): ["越高越好", "越低越好"],
    ("kpis", "计分规则"): ["直接评分", "线性", "达标", "扣分制"],
    ("architecture", "类型"): ["类别", "职族", "职级"],
}


@pytest.fixture
def hr(seed, hr_user):
    return login(hr_user)


@pytest.fixture
def template(hr):
    response = hr.get("/transfers/template.xlsx")
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(response.content))


@pytest.fixture
def export(hr):
    response = hr.get("/transfers/export/")
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(response.content))


@pytest.fixture(params=["template", "export"])
def download(request):
    """Each downloaded workbook with the sheets of the format it holds: (workbook, specs)."""
    if request.param == "template":
        return request.getfixturevalue("template"), SHEETS
    return request.getfixturevalue("export"), EXPORTED


def cell_text(workbook):
    return [
        str(value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value
    ]


def validations(sheet):
    """{column letter: (type, formula, cells)} of the sheet's data validations."""
    found = {}
    for validation in sheet.data_validations.dataValidation:
        for cells in str(validation.sqref).split():
            found[cells.split(":")[0].rstrip("0123456789")] = (validation.type, validation.formula1, cells)
    return found


# ---------------------------------------------------------------------------------------------
# What both workbooks have


def test_required_columns_are_marked_with_a_star_and_a_fill_of_their_own(download):
    workbook, specs = download
    for spec in specs:
        header = workbook[spec.zh][1]
        assert len(header) == len(spec.columns), spec.kind
        fills = {True: set(), False: set()}
        for cell, column in zip(header, spec.columns, strict=True):
            assert cell.value == (f"{column.zh}*" if column.required else column.zh), (spec.kind, cell.value)
            assert cell.font.bold
            fills[column.required].add(cell.fill.fgColor.rgb)
        assert len(fills[True]) == 1, (spec.kind, fills)  # every required header alike ...
        assert not fills[True] & fills[False], (spec.kind, fills)  # ... and unlike the optional ones


def test_the_header_row_stays_in_view_on_every_sheet(download):
    workbook, specs = download
    for spec in specs:
        assert workbook[spec.zh].freeze_panes == "A2", spec.kind


def test_every_column_is_as_wide_as_its_header_and_long_texts_wider(download):
    workbook, specs = download
    for spec in specs:
        sheet = workbook[spec.zh]
        for index, column in enumerate(spec.columns, start=1):
            width = sheet.column_dimensions[get_column_letter(index)].width
            assert width >= text_width(column.header) + 1, (spec.kind, column.zh, width)  # Chinese: 2 units a character
    positions = workbook[POSITIONS.zh]
    assert positions.column_dimensions["K"].width >= 40  # 岗位目的, a paragraph
    assert workbook["岗位职责"].column_dimensions["C"].width >= 60  # 内容


def test_status_education_cycle_yes_no_and_type_are_drop_down_lists_over_the_whole_column(download):
    workbook, specs = download
    for spec in specs:
        found = validations(workbook[spec.zh])
        wanted = {
            get_column_letter([c.zh for c in spec.columns].index(header) + 1): values
            for (kind, header), values in DROP_DOWNS.items()
            if kind == spec.kind
        }
        assert set(found) == set(wanted), (spec.kind, found)  # no other column is constrained
        for letter, values in wanted.items():
            kind, formula, cells = found[letter]
            assert kind == "list"
            assert formula == '"' + ",".join(values) + '"'
            assert cells == f"{letter}2:{letter}{LAST_ROW}"  # below the header, rows added later too


def test_a_value_outside_a_drop_down_is_warned_about_not_forbidden(template):
    """The import also reads the English spellings (published, bachelor): Excel warns and lets them stay."""
    validation = template[POSITIONS.zh].data_validations.dataValidation[0]
    assert validation.showErrorMessage and validation.errorStyle == "warning"
    assert "草稿、已发布" in validation.error
    assert validation.allow_blank


def test_every_value_a_drop_down_offers_is_one_the_import_reads(seed, hr_user):
    education = DROP_DOWNS[("positions", "学历要求")]
    statuses = DROP_DOWNS[("positions", "状态")]
    rows = [
        {
            "code": f"DD-{n}",
            "title": f"下拉测试{n}",
            "education": level,
            "status": statuses[0],
            "has_description": DROP_DOWNS[("positions", "有岗位说明书")][n % 2],
        }
        for n, level in enumerate(education)
    ]
    kpis = [
        {"code": "DD-0", "line": n + 1, "responsibility": f"职责{n}", "weight": 25, "cycle": cycle}
        for n, cycle in enumerate(DROP_DOWNS[("kpis", "考核周期")])
    ]

    report = importing.apply(upload("drop-downs.xlsx", table("positions", rows), table("kpis", kpis)), hr_user)

    assert report.errors == []
    stored = dict(Position.objects.filter(code__startswith="DD-").values_list("code", "education"))
    assert stored == {
        "DD-0": "any",
        "DD-1": "secondary",
        "DD-2": "associate",
        "DD-3": "bachelor",
        "DD-4": "master",
        "DD-5": "doctor",
    }
    assert list(Position.objects.get(code="DD-0").kpis.order_by("order").values_list("cycle", flat=True)) == [
        "monthly",
        "quarterly",
        "half-yearly",
        "yearly",
    ]
    assert dict(Position.objects.filter(code__in=["DD-0", "DD-1"]).values_list("code", "has_description")) == {
        "DD-0": True,
        "DD-1": False,
    }


def test_the_export_with_its_layout_still_imports_unchanged(hr, hr_user):
    data = hr.get("/transfers/export/").content
    report = importing.preview(read_upload("organisation.xlsx", data), hr_user)
    assert report.errors == [] and report.warnings == []
    assert {row.status for row in report.rows} == {"unchanged"}
    assert len([row for row in report.rows if row.sheet == POSITIONS.zh]) == Position.objects.count()


# ---------------------------------------------------------------------------------------------
# The template's instructions


@pytest.mark.parametrize("language", [None, "en"])
def test_the_instructions_explain_every_sheet_and_column_without_pointing_elsewhere(seed, hr_user, language):
    workbook = openpyxl.load_workbook(io.BytesIO(login(hr_user, language).get("/transfers/template.xlsx").content))
    assert not [text for text in cell_text(workbook) if "readme" in text.lower()]
    rows = list(workbook["说明"].iter_rows(values_only=True))
    titles = [row[0] for row in rows]
    for spec in SHEETS:
        start = titles.index(f"{spec.zh} ({spec.en})")
        assert rows[start][5], f"the {spec.zh} sheet is not explained"
        for column, row in zip(spec.columns, rows[start + 1 : start + 1 + len(spec.columns)], strict=True):
            assert (row[1], row[2]) == (column.zh, column.en), (spec.kind, row)
            assert bool(row[3]) == column.required, (spec.kind, column.zh)
            assert row[5], f"{spec.zh}.{column.zh} is not explained"
            if column.choices:
                assert row[4] == "、".join(column.choices)
    text = " ".join(cell_text(workbook))
    examples = "示例" if language is None else "示例 (examples)"
    assert examples in text  # where the examples are, and that they are never imported
    for topic in ("花名册", "D001-01", "GB18030", "20 MB"):  # the roster's rules, CSV files, the limits
        assert topic in text, topic


def test_the_instructions_are_in_the_users_language(seed, hr_user):
    chinese = openpyxl.load_workbook(io.BytesIO(login(hr_user).get("/transfers/template.xlsx").content))
    english = openpyxl.load_workbook(io.BytesIO(login(hr_user, "en").get("/transfers/template.xlsx").content))
    assert chinese["说明"]["A1"].value == "组织工作簿填写说明"
    assert english["说明"]["A1"].value == "Organisation workbook: how to fill it in"
    assert "必填" in cell_text(chinese) and "Required" in cell_text(english)


# ---------------------------------------------------------------------------------------------
# The template's example rows


def test_the_template_has_example_rows_for_every_sheet_on_a_sheet_of_their_own(template):
    assert template.sheetnames[-1] == "示例"
    for spec in SHEETS:
        assert template[spec.zh].max_row == 1, f"the {spec.zh} sheet should hold its headers only"
    rows = list(template["示例"].iter_rows(values_only=True))
    for spec in SHEETS:
        title = rows.index(next(row for row in rows if row[0] == f"{spec.zh} ({spec.en})"))
        header = [value for value in rows[title + 1] if value]
        assert header == [column.header for column in spec.columns], spec.kind
        given = rows[title + 2 : title + 2 + len(EXAMPLES[spec.kind])]
        assert [row[0] for row in given] == [example[spec.columns[0].key] for example in EXAMPLES[spec.kind]]


def test_the_template_uploaded_as_it_comes_imports_nothing(hr):
    data = hr.get("/transfers/template.xlsx").content
    before = set(Position.objects.values_list("code", flat=True))
    report = importing.preview(read_upload("organisation-template.xlsx", data), None)
    assert report.rows == []
    assert not [p for p in report.problems if p.sheet == "示例"]
    assert set(Position.objects.values_list("code", flat=True)) == before


def test_a_filled_in_template_imports_its_rows_and_none_of_the_examples(hr, hr_user):
    workbook = openpyxl.load_workbook(io.BytesIO(hr.get("/transfers/template.xlsx").content))
    workbook[POSITIONS.zh].append(["NEW-T1", "模板新岗位", "YW-JS", "DPT-YW-04"])
    workbook[KPIS.zh].append(["NEW-T1", 1, "保障网络运行", 100, "全年可用率不低于99.9%", "月度"])
    out = io.BytesIO()
    workbook.save(out)

    report = importing.apply(read_upload("filled.xlsx", out.getvalue()), hr_user)

    assert report.errors == []
    assert [(row.key, row.status) for row in report.rows] == [("NEW-T1", "new")]
    assert not Position.objects.filter(code__startswith="EX-").exists()
    assert not Department.objects.filter(code__startswith="EX").exists()
    assert not Person.objects.filter(employee_number__startswith="EX").exists()


def examples_in_their_sheets(kinds):
    """A workbook whose sheets of `kinds` hold the template's example rows, as a person copies them across."""
    specs = {spec.kind: spec for spec in SHEETS}
    return xlsx(*(table(kind, EXAMPLES[kind], columns=[c.key for c in specs[kind].columns]) for kind in kinds))


@pytest.mark.parametrize("organisation", ["seed", "empty"])
def test_the_example_rows_copied_into_their_sheets_import_without_a_problem(request, db, hr_user, organisation):
    if organisation == "seed":
        request.getfixturevalue("seed")
    data = examples_in_their_sheets([spec.kind for spec in EXPORTED])

    report = importing.apply(read_upload("examples.xlsx", data), hr_user)

    assert report.problems == []
    manager = Position.objects.get(code="EX-HR-01")
    assert (manager.status, manager.department.name, manager.grade.code) == ("published", "人力资源部", "EX-M3")
    assert Position.objects.get(code="EX-HR-02").parent == manager
    assert Person.objects.get(employee_number="EX0001").assignments.get().position == manager
    # Exported again, the examples come back as they were given.
    sheets = sheets_of(writing.export_workbook(Position.objects.filter(code__startswith="EX-")))
    assert row_of(sheets["positions"], "EX-HR-01")["education"] == "本科"
    assert [r["cycle"] for r in sheets["kpis"] if r["code"] == "EX-HR-01"] == ["季度", "年度"]


def test_the_example_roster_copied_into_its_sheet_derives_its_positions(db, hr_user):
    report = importing.apply(read_upload("roster.xlsx", examples_in_their_sheets(["roster"])), hr_user)

    assert report.errors == []
    derived = {post["title"]: post for post in report.derived}
    assert set(derived) == {"总经理", "销售经理", "销售代表"}
    assert derived["销售代表"]["headcount"] == 2  # the two 销售代表 under the same manager: one post
