"""KPI targets in the organisation workbook's 考核标准 sheet: exported and read back, imported by Chinese
name or English code, refused at their sheet, row and column, and optional (an older workbook without the
columns keeps the targets on file)."""

import pytest
from django.core.management import call_command
from django.utils import translation

from assessments.models import KPI
from positions.services.editing import Save, save_documents
from tests.helpers import document_of, snapshot
from tests.integration.transfers.test_import import applied, assert_all_unchanged, problems_at
from tests.integration.transfers.workbooks import header, sheets_of, table, upload
from transfers import importing, writing
from transfers.reading import read_upload

REP = "DPT-YW-03"  # 客户服务代表: KPIs 40/30/20/10
FIELDS = ("metric", "unit", "direction", "target", "floor", "rule", "points")
TARGETS = [
    {"metric": "客户满意度", "unit": "%", "direction": "higher", "target": 95.5, "floor": 80, "rule": "linear"},
    {"metric": "重大差错", "unit": "次", "direction": "lower", "target": 0, "rule": "threshold"},
    {},
    {"metric": "有效投诉", "unit": "次", "rule": "deduction", "points": 2.5},
]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def with_targets(seed):
    """The representative's four KPIs with a target of each rule but direct (the third has none)."""
    kpis = document_of(REP)["kpis"]
    for row, targets in zip(kpis, TARGETS, strict=True):
        row.update(targets)
    save_documents([Save({"kpis": kpis}, code=REP)])


def targets_of(code=REP):
    return [{name: row[name] for name in FIELDS} for row in document_of(code)["kpis"]]


def kpi_rows(code=REP, sheets=None):
    sheets = sheets or sheets_of(writing.export_workbook())
    return [row for row in sheets["kpis"] if row["code"] == code]


def test_the_export_writes_each_target_in_its_own_column_by_its_chinese_name(with_targets):
    rows = kpi_rows()
    assert [[row[name] for name in FIELDS] for row in rows] == [
        ["客户满意度", "%", "越高越好", 95.5, 80, "线性", ""],
        ["重大差错", "次", "越低越好", 0, "", "达标", ""],
        ["", "", "", "", "", "", ""],  # no target: nothing, not even the default rule
        ["有效投诉", "次", "", "", "", "扣分制", 2.5],
    ]


def test_the_export_imports_back_unchanged_and_restores_targets_cleared_since(with_targets, hr_user):
    data = writing.export_workbook()
    assert_all_unchanged(importing.preview(read_upload("org.xlsx", data), hr_user))
    wanted = targets_of()
    cleared = [{**row, **dict.fromkeys(FIELDS, ""), "rule": "direct"} for row in document_of(REP)["kpis"]]
    save_documents([Save({"kpis": cleared}, code=REP)])
    assert all(row["rule"] == "direct" for row in targets_of())
    report = applied(read_upload("org.xlsx", data), hr_user)
    assert {row.key: row.status for row in report.rows if row.status != "unchanged"} == {REP: "changed"}
    assert targets_of() == wanted
    assert targets_of()[0] == {**dict.fromkeys(FIELDS), **TARGETS[0], "points": None}


def test_english_codes_headers_and_signs_import_like_the_chinese_names(seed, hr_user):
    english = {key: key for key in ("code", "line", "responsibility", "weight", "standard", *FIELDS)}
    english |= {"rule": "scoring rule", "points": "points per occurrence"}
    rows = [
        {"code": REP, "line": 1, "responsibility": "接听客户来电", "weight": 40, "standard": "及时",
         "metric": "接通率", "unit": "%", "direction": "≥", "target": 98, "floor": 90, "rule": "linear"},
        {"code": REP, "line": 2, "responsibility": "受理报修", "weight": 30, "standard": "准确",
         "metric": "平均受理时长", "unit": "分钟", "direction": "lower", "target": 5, "floor": 15, "rule": "线性"},
        {"code": REP, "line": 3, "responsibility": "回访客户", "weight": 20, "standard": "按时",
         "metric": "回访完成率", "unit": "%", "direction": "越高越好", "target": 100, "rule": "threshold"},
        {"code": REP, "line": 4, "responsibility": "遵守规范", "weight": 10, "standard": "无违规",
         "metric": "违规", "unit": "次", "rule": "deduction", "points": 5},
    ]  # fmt: skip
    applied(upload("kpis.xlsx", table("kpis", rows, headers=english)), hr_user)
    got = targets_of()
    assert [(row["direction"], row["rule"]) for row in got] == [
        ("higher", "linear"),
        ("lower", "linear"),
        ("higher", "threshold"),
        ("", "deduction"),
    ]
    assert (got[1]["target"], got[1]["floor"], got[3]["points"]) == (5, 15, 5)


KPI_ROW = {"code": REP, "line": 1, "responsibility": "接听客户来电", "weight": 100, "standard": "及时"}
BAD_ROWS = [
    ({"rule": "线性", "target": 95, "direction": "越高越好"}, "floor", "needs a floor"),
    ({"rule": "线性", "target": 95, "floor": 96, "direction": "越高越好"}, "floor", "below the target (95)"),
    ({"rule": "达标", "target": 95}, "direction", "needs a direction"),
    ({"rule": "达标", "direction": "越高越好"}, "target", "needs a target value"),
    ({"unit": "%"}, "unit", "A unit needs a target value"),
    ({"rule": "扣分制", "unit": "次"}, "points", "needs the points"),
    ({"points": 3, "target": 1}, "points", "Only the deduction rule"),
    ({"target": "九十五"}, "target", "is not a number"),
    ({"rule": "看情况"}, "rule", "is not one of"),
    ({"direction": "sideways", "target": 1}, "direction", "is not one of"),
]


@pytest.mark.parametrize(("cells", "key", "fragment"), BAD_ROWS)
def test_a_bad_target_is_refused_at_its_sheet_row_and_column_and_nothing_is_written(
    seed, hr_user, cells, key, fragment
):
    rows = [{**KPI_ROW, "line": 1, "weight": 50}, {**KPI_ROW, "line": 2, "weight": 50, **cells}]
    book = upload(
        "bad.xlsx", table("kpis", rows, columns=["code", "line", "responsibility", "weight", "standard", *FIELDS])
    )
    before = snapshot()
    with pytest.raises(importing.ImportRefused) as refused:
        importing.apply(book, hr_user)
    assert snapshot() == before
    column = header("kpis", key)
    found = problems_at(refused.value.report, "考核标准", 3, column)  # the header is row 1: KPI line 2 is row 3
    assert found and fragment in found[0].message, [str(p) for p in refused.value.report.problems]
    assert not problems_at(refused.value.report, "考核标准", 2)


def test_an_older_workbook_without_target_columns_keeps_the_targets_on_file(with_targets, hr_user):
    rows = kpi_rows()
    old = [{key: row[key] for key in ("code", "line", "responsibility", "weight", "standard", "cycle")} for row in rows]
    old[1]["responsibility"] = "一条新的关键职责"  # a new responsibility: no target to keep
    old[0], old[3] = {**old[3], "line": 1}, {**old[0], "line": 4}  # rows trade places: targets follow the text
    applied(upload("old.xlsx", table("kpis", old)), hr_user)
    got = targets_of()
    assert got[0]["rule"] == "deduction" and got[0]["points"] == 2.5
    assert got[3]["rule"] == "linear" and got[3]["target"] == 95.5
    assert got[1]["rule"] == "direct" and got[1]["metric"] == ""


def test_a_workbook_with_some_target_columns_reads_the_others_as_empty(with_targets, hr_user):
    kept = ("code", "line", "responsibility", "weight", "standard", "metric", "target")
    rows = [{key: row[key] for key in kept} for row in kpi_rows()]
    rows[0].update(metric="客户满意度", target=90)
    rows[3]["metric"] = ""  # the deduction's metric: without its 计分规则 column it would need a target
    applied(upload("some.xlsx", table("kpis", rows)), hr_user)
    got = targets_of()
    assert got[0] == {**dict.fromkeys(FIELDS, ""), "metric": "客户满意度", "target": 90, "floor": None,
                      "rule": "direct", "points": None}  # fmt: skip
    assert got[3]["rule"] == "direct" and got[3]["points"] is None  # no 计分规则 column: direct, as empty cells say


def test_the_template_explains_the_target_columns_and_its_examples_hold_each_kind(seed, hr_user):
    from io import BytesIO

    from openpyxl import load_workbook

    workbook = load_workbook(BytesIO(writing.template_workbook()))
    guide = " ".join(str(cell) for row in workbook["说明"].iter_rows(values_only=True) for cell in row if cell)
    for name in ("指标名称", "单位", "方向", "目标值", "门槛值", "计分规则", "每次扣分", "越高越好、越低越好",
                 "直接评分、线性、达标、扣分制"):  # fmt: skip
        assert name in guide
    headers = [cell.value for cell in workbook["考核标准"][1]]
    assert headers[-7:] == ["指标名称", "单位", "方向", "目标值", "门槛值", "计分规则", "每次扣分"]
    examples = " ".join(str(cell) for row in workbook["示例"].iter_rows(values_only=True) for cell in row if cell)
    assert "线性" in examples and "达标" in examples and "扣分制" in examples


def test_a_synthetic_organisation_with_targets_exports_and_imports_unchanged(db, hr_user):
    call_command("synth_org", positions=120, seed=4, targets=0.5, verbosity=0)
    data = writing.export_workbook()
    rules = {row["rule"] for row in sheets_of(data)["kpis"]}
    assert {"线性", "达标", "扣分制", "直接评分"} <= rules
    assert_all_unchanged(importing.preview(read_upload("synthetic.xlsx", data), hr_user))
    assert KPI.objects.exclude(rule="direct").exists()
