"""Importing organisation workbooks: real .xlsx and CSV files, read as an upload is, previewed, then applied.

What a user notices: rows in any order and any mix of sheets; a preview that writes nothing and says,
field by field, what would change; an apply that is all or nothing, recorded in the history under the
file's name; every problem pointing at its sheet, row and column; the approval rule; exports that import
back unchanged; the command line; and a preview that goes stale when someone saves in between.
"""

import io
import random

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from openpyxl import load_workbook

from assessments.models import KPI
from org_tree.models import Department, Grade, JobCategory, JobFamily
from positions.documents import load_positions, position_document
from positions.models import Assignment, DescriptionItem, Person, Position, PositionLink, Proposal
from positions.services.editing import Save, save_documents, without_row_ids
from tests.factories import AssignmentFactory
from tests.integration.test_moves import assert_sound
from tests.integration.transfers.workbooks import (
    csv_bytes,
    header,
    row_of,
    sheets_of,
    table,
    upload,
    workbook_of,
    xlsx,
)
from transfers import importing, jobs, writing
from transfers.models import Job
from transfers.reading import read_upload

POSITIONS, DUTIES, KPIS, DEPARTMENTS, PEOPLE = "岗位", "岗位职责", "考核标准", "部门", "人员"


@pytest.fixture(autouse=True)
def english():
    """Problems are read in English here (the portal's own default is Chinese)."""
    with translation.override("en"):
        yield


# ---------------------------------------------------------------------------------------------
# Helpers


def snapshot():
    """Everything an import may write, in a comparable form."""
    return {
        "positions": list(
            Position.objects.order_by("code").values_list(
                "code",
                "title",
                "parent__code",
                "department__code",
                "job_family__code",
                "grade__code",
                "status",
                "version",
                "headcount",
                "has_description",
                "purpose",
                "work_environment",
                "education",
                "major",
                "experience_years",
                "review_months",
                "approved_at",
                "tree_id",
                "lft",
                "rght",
                "level",
            )
        ),
        "items": list(
            DescriptionItem.objects.order_by("position__code", "kind", "order").values_list(
                "position__code", "kind", "order", "text", "share"
            )
        ),
        "kpis": list(
            KPI.objects.order_by("position__code", "order").values_list(
                "position__code", "order", "responsibility", "weight", "standard", "cycle"
            )
        ),
        "links": list(
            PositionLink.objects.order_by("source__code", "kind", "order").values_list(
                "source__code", "kind", "order", "target__code"
            )
        ),
        "departments": list(
            Department.objects.order_by("code").values_list("code", "name", "parent__code", "tree_id", "lft", "rght")
        ),
        "categories": list(JobCategory.objects.order_by("code").values_list("code", "name", "order")),
        "families": list(JobFamily.objects.order_by("code").values_list("code", "name", "category__code", "order")),
        "grades": list(Grade.objects.order_by("code").values_list("code", "name", "rank")),
        "people": list(Person.objects.order_by("employee_number").values_list("employee_number", "name", "user_id")),
        "assignments": list(
            Assignment.objects.order_by("pk").values_list(
                "person__employee_number", "position__code", "kind", "started_on", "ended_on"
            )
        ),
        "versions": list(Position.history.order_by("history_id").values_list("history_id", "code")),
        "proposals": list(Proposal.objects.order_by("pk").values_list("pk", "position__code", "status")),
    }


def document(code):
    (position,) = load_positions(Position.objects.filter(code=code))
    return without_row_ids(position_document(position))


def rows_by_key(report):
    return {(row.sheet, row.key): row for row in report.rows}


def statuses(report, sheet=POSITIONS):
    return {row.key: row.status for row in report.rows if row.sheet == sheet}


def problems_at(report, sheet, row=None, column=None, level="error"):
    return [
        problem
        for problem in report.problems
        if problem.level == level
        and problem.sheet == sheet
        and (row is None or problem.row == row)
        and (column is None or problem.column == column)
    ]


def applied(book, user, **options):
    """importing.apply(), failing with the problems when the import is refused."""
    try:
        return importing.apply(book, user, **options)
    except importing.ImportRefused as exc:
        pytest.fail("refused: " + "; ".join(str(p) for p in exc.report.problems))


def refused(book, user, **options):
    """The report of an import that must be refused, checked to have written nothing."""
    before = snapshot()
    with pytest.raises(importing.ImportRefused) as caught:
        importing.apply(book, user, **options)
    assert snapshot() == before
    return caught.value.report


def complete_jd(code, weights=(60, 40)):
    """The section rows of a complete job description for `code` (KPI weights as given)."""
    return {
        "duties": [
            {"code": code, "line": 1, "text": f"{code} 负责日常工作"},
            {"code": code, "line": 2, "text": f"{code} 完成上级交办的任务"},
        ],
        "qualifications": [{"code": code, "line": 1, "text": "大专及以上学历"}],
        "training": [{"code": code, "line": 1, "text": "公司制度"}],
        "kpis": [
            {
                "code": code,
                "line": number,
                "responsibility": f"关键职责{number}",
                "weight": weight,
                "standard": "按时完成",
                "cycle": "季度",
            }
            for number, weight in enumerate(weights, start=1)
        ],
    }


def add_position(sheets, row, *, first=False, jd=None):
    """Add a positions row (and its section rows) to sheets read by sheets_of().

    A new row fills the 编制 and 复审周期 cells, as a person copying an exported row would."""
    row = {"headcount": 1, "review_months": 12, **row}
    if first:
        sheets["positions"].insert(0, row)
    else:
        sheets["positions"].append(row)
    for kind, rows in (jd or {}).items():
        sheets.setdefault(kind, []).extend(rows)


def positions(*rows, **options):
    """A positions sheet of `rows`."""
    return table("positions", list(rows), **options)


def seed_sheets():
    return sheets_of(writing.export_workbook())


def subtree(code):
    position = Position.objects.get(code=code)
    return set(position.get_descendants().values_list("code", flat=True))


# ---------------------------------------------------------------------------------------------
# 1. Any order, any mix


def test_a_file_in_any_order_creates_and_updates_positions_in_one_go(seed, hr_user):
    """A report before its superior, the KPIs sheet before the positions sheet, new and existing posts mixed."""
    sheets = seed_sheets()
    # NEW-B reports to NEW-A, which comes after it; both are complete, published job descriptions.
    add_position(
        sheets,
        {"code": "NEW-B", "title": "新岗位乙", "department": "YW-JS", "reports_to": "NEW-A", "status": "已发布"},
        first=True,
        jd=complete_jd("NEW-B"),
    )
    add_position(
        sheets,
        {"code": "NEW-A", "title": "新岗位甲", "department": "YW-JS", "reports_to": "DPT-YW-04", "status": "已发布"},
        jd=complete_jd("NEW-A", weights=(100,)),
    )
    row_of(sheets["positions"], "DPT-YW-03")["title"] = "客户服务专员"
    order = ["kpis", "duties", "qualifications", "training", "positions", "departments", "architecture", "people"]
    book = read_upload("mixed.xlsx", workbook_of(sheets, order=[k for k in order if k in sheets]))
    assert book.problems == []
    assert list(book.sheets)[0] == "kpis"

    report = applied(book, hr_user)

    assert report.errors == []
    assert statuses(report) == {
        **{code: "unchanged" for code in statuses(report) if code.startswith("DPT-")},
        "DPT-YW-03": "changed",
        "NEW-A": "new",
        "NEW-B": "new",
    }
    a, b = Position.objects.get(code="NEW-A"), Position.objects.get(code="NEW-B")
    assert b.parent == a and a.parent.code == "DPT-YW-04"
    assert a.status == b.status == Position.Status.PUBLISHED
    assert [k["weight"] for k in document("NEW-B")["kpis"]] == [60, 40]
    assert [d["text"] for d in document("NEW-A")["duties"]] == ["NEW-A 负责日常工作", "NEW-A 完成上级交办的任务"]
    assert Position.objects.get(code="DPT-YW-03").title == "客户服务专员"
    assert {"NEW-A", "NEW-B"} <= subtree("DPT-YW-04")
    assert_sound()


def test_reparenting_by_import_moves_the_whole_subtree(seed, hr_user):
    before = {row["code"]: row for row in Position.objects.values("code", "level", "version")}
    moved = subtree("DPT-YW-04")
    assert moved == {"DPT-YW-05", "DPT-YW-N04", "DPT-YW-N05", "DPT-YW-N06", "DPT-YW-N07"}
    book = upload(
        "move.xlsx",
        positions({"code": "DPT-YW-04", "title": "技术支持部经理", "reports_to": "DPT-YW-02"}),
    )

    report = applied(book, hr_user)

    (row,) = report.rows
    assert row.status == "changed"
    assert [(c["before"], c["after"]) for c in row.changes] == [("DPT-YW-01", "DPT-YW-02")]
    assert Position.objects.get(code="DPT-YW-04").parent.code == "DPT-YW-02"
    assert subtree("DPT-YW-04") == moved  # the reports came along
    assert moved | {"DPT-YW-04"} <= subtree("DPT-YW-02")
    assert not (moved & subtree("DPT-YW-01") - subtree("DPT-YW-02"))
    after = {row["code"]: row for row in Position.objects.values("code", "level", "version")}
    for code in moved | {"DPT-YW-04"}:
        assert after[code]["level"] == before[code]["level"] + 1, code
    assert len(document("DPT-YW-04")["duties"]) == 6  # a positions sheet alone leaves the sections alone
    assert_sound()


def test_a_file_of_only_kpis_for_one_position_leaves_everything_else_alone(seed, hr_user):
    before = snapshot()
    duties = document("DPT-YW-02")["duties"]
    kpis = document("DPT-YW-02")["kpis"]
    rows = [
        {**kpi, "code": "DPT-YW-02", "line": n, "weight": w}
        for n, (kpi, w) in enumerate(zip(kpis, (60, 30, 10), strict=True), start=1)
    ]
    for row in rows:
        row["cycle"] = row["cycle"] or ""
    book = upload("kpis.xlsx", table("kpis", rows))

    report = applied(book, hr_user)

    assert [(r.key, r.status) for r in report.rows] == [("DPT-YW-02", "changed")]
    assert [k["weight"] for k in document("DPT-YW-02")["kpis"]] == [60, 30, 10]
    assert document("DPT-YW-02")["duties"] == duties
    after = snapshot()
    assert [p for p in after["positions"] if p[0] != "DPT-YW-02"] == [
        p for p in before["positions"] if p[0] != "DPT-YW-02"
    ]
    assert [k for k in after["kpis"] if k[0] != "DPT-YW-02"] == [k for k in before["kpis"] if k[0] != "DPT-YW-02"]
    for key in ("items", "links", "departments", "people", "assignments", "categories", "families", "grades"):
        assert after[key] == before[key], key


def test_a_file_of_only_departments_leaves_the_positions_alone(seed, hr_user):
    before = snapshot()
    book = upload(
        "departments.xlsx",
        table(
            "departments",
            [
                {"code": "YW-NEW", "name": "新部门", "parent": "YW-JS"},
                {"code": "YW-ZZ", "name": "增值服务部", "parent": "YW"},
                {"code": "YW", "name": "运维部"},
            ],
        ),
    )

    report = applied(book, hr_user)

    assert statuses(report, DEPARTMENTS) == {"YW-NEW": "new", "YW-ZZ": "changed", "YW": "unchanged"}
    changed = rows_by_key(report)[(DEPARTMENTS, "YW-ZZ")]
    assert [(c["before"], c["after"]) for c in changed.changes] == [("增值业务部", "增值服务部")]
    assert Department.objects.get(code="YW-NEW").parent.code == "YW-JS"
    assert Department.objects.get(code="YW-ZZ").name == "增值服务部"
    after = snapshot()
    for key in ("positions", "items", "kpis", "links", "versions", "people", "assignments"):
        assert after[key] == before[key], key


def test_a_department_may_come_before_its_parent(seed, hr_user):
    book = upload(
        "departments.xlsx",
        table(
            "departments",
            [
                {"code": "YW-A1", "name": "一组", "parent": "YW-A"},
                {"code": "YW-A", "name": "新中心", "parent": "YW"},
            ],
        ),
    )
    applied(book, hr_user)
    assert Department.objects.get(code="YW-A1").parent.code == "YW-A"
    assert Department.objects.get(code="YW-A").parent.code == "YW"
    assert set(Department.objects.get(code="YW").get_descendants().values_list("code", flat=True)) >= {"YW-A", "YW-A1"}


def test_a_positions_sheet_without_a_column_leaves_that_field_alone(seed, hr_user):
    save_documents([Save({"purpose": "为客户提供满意的服务。"}, code="DPT-YW-02")])
    book = upload(
        "headcount.xlsx",
        table("positions", [{"code": "DPT-YW-02", "title": "客户服务部经理", "headcount": 3}]),
    )
    assert "purpose" not in book.sheets["positions"].headers

    applied(book, hr_user)

    position = Position.objects.get(code="DPT-YW-02")
    assert position.headcount == 3
    assert position.purpose == "为客户提供满意的服务。"
    assert position.department.code == "YW-KF" and position.parent.code == "DPT-YW-01"

    # The same column present and empty empties the field.
    book = upload(
        "purpose.xlsx",
        table("positions", [{"code": "DPT-YW-02", "title": "客户服务部经理"}], columns=["code", "title", "purpose"]),
    )
    applied(book, hr_user)
    assert Position.objects.get(code="DPT-YW-02").purpose == ""


def test_delete_missing_deletes_positions_not_in_the_file_and_the_preview_lists_them(seed, hr_user):
    sheets = seed_sheets()
    sheets["positions"] = [r for r in sheets["positions"] if r["code"] not in ("DPT-YW-N03", "DPT-YW-N07")]
    data = workbook_of(sheets)
    before = snapshot()

    report = importing.preview(read_upload("org.xlsx", data), hr_user, delete_missing=True)

    assert snapshot() == before
    assert statuses(report)["DPT-YW-N03"] == statuses(report)["DPT-YW-N07"] == "deleted"
    assert {d["code"] for d in report.deleted} == {"DPT-YW-N03", "DPT-YW-N07"}
    assert report.totals()["deleted"] == 2 and report.totals()["changed"] == 0

    # Without delete_missing nothing is deleted.
    report = applied(read_upload("org.xlsx", data), hr_user)
    assert "deleted" not in statuses(report).values()
    assert snapshot() == before

    report = applied(read_upload("org.xlsx", data), hr_user, delete_missing=True)
    assert not Position.objects.filter(code__in=["DPT-YW-N03", "DPT-YW-N07"]).exists()
    assert Position.objects.count() == 10
    gone = Position.history.filter(code__in=["DPT-YW-N03", "DPT-YW-N07"], history_type="-")
    assert set(gone.values_list("history_change_reason", flat=True)) == {"Imported from org.xlsx"}
    assert_sound()


@pytest.mark.parametrize("reverse", [False, True], ids=["DPT-YW-05-row-first", "DPT-YW-04-row-first"])
def test_a_post_and_its_report_can_trade_places_whatever_the_row_order(seed, hr_user, reverse):
    """DPT-YW-05 reports to DPT-YW-04; the file puts DPT-YW-05 under DPT-YW-01 and DPT-YW-04 under DPT-YW-05.
    The result has no loop, so the order of the two rows must not matter."""
    rows = [
        {"code": "DPT-YW-05", "title": "技术支持部副经理", "reports_to": "DPT-YW-01"},
        {"code": "DPT-YW-04", "title": "技术支持部经理", "reports_to": "DPT-YW-05"},
    ]
    if reverse:
        rows.reverse()

    report = applied(upload("swap.xlsx", positions(*rows)), hr_user)

    assert statuses(report) == {"DPT-YW-04": "changed", "DPT-YW-05": "changed"}
    assert Position.objects.get(code="DPT-YW-05").parent.code == "DPT-YW-01"
    assert Position.objects.get(code="DPT-YW-04").parent.code == "DPT-YW-05"
    assert subtree("DPT-YW-05") == {"DPT-YW-04", "DPT-YW-N04", "DPT-YW-N05", "DPT-YW-N06", "DPT-YW-N07"}
    assert subtree("DPT-YW-04") == {"DPT-YW-N04"}
    assert_sound()


def test_a_superior_new_in_the_file_takes_an_existing_branch(seed, hr_user):
    book = upload(
        "branch.xlsx",
        positions(
            {"code": "DPT-YW-04", "title": "技术支持部经理", "reports_to": "NEW-HEAD"},
            {"code": "NEW-HEAD", "title": "技术总监", "reports_to": "DPT-YW-01", "department": "YW"},
        ),
    )
    branch = subtree("DPT-YW-04") | {"DPT-YW-04"}

    report = applied(book, hr_user)

    assert statuses(report) == {"DPT-YW-04": "changed", "NEW-HEAD": "new"}
    assert subtree("NEW-HEAD") == branch
    assert Position.objects.get(code="NEW-HEAD").parent.code == "DPT-YW-01"
    assert_sound()


def test_many_moves_in_one_file_keep_the_tree_sound(db, hr_user):
    """More moves than the editor places one by one: the tree is renumbered, every branch follows its head."""
    call_command("synth_org", positions=200, seed=3, verbosity=0)
    rng = random.Random(5)
    nodes = list(Position.objects.values("code", "title", "level", "parent__code"))
    deep = [node for node in nodes if node["level"] >= 3]
    rng.shuffle(deep)
    movers, branches = {}, {}
    for node in deep:
        branch = subtree(node["code"])
        if any(node["code"] in other or code in branch for code, other in branches.items()):
            continue  # branches that do not overlap: each keeps exactly its own reports
        branches[node["code"]] = branch
        movers[node["code"]] = node
        if len(movers) == 25:
            break
    assert len(movers) == 25
    heads = [node["code"] for node in nodes if node["level"] == 1]
    assert len(heads) >= 2
    targets = {code: rng.choice([h for h in heads if h != node["parent__code"]]) for code, node in movers.items()}
    levels = dict(Position.objects.values_list("code", "level"))
    book = upload(
        "moves.xlsx",
        positions(
            *({"code": code, "title": node["title"], "reports_to": targets[code]} for code, node in movers.items())
        ),
    )

    report = applied(book, hr_user)

    assert set(statuses(report).values()) == {"changed"}
    assert_sound()
    after = dict(Position.objects.values_list("code", "level"))
    for code, target in targets.items():
        assert Position.objects.get(code=code).parent.code == target
        assert subtree(code) == branches[code], code
        assert branches[code] | {code} <= subtree(target)
        for member in branches[code] | {code}:
            assert after[member] - levels[member] == 2 - levels[code], member


def test_people_may_hold_posts_the_same_file_creates(seed, hr_user):
    book = upload(
        "people.xlsx",
        table("people", [{"employee_number": "E100", "name": "钱七", "primary": "NEW-1", "concurrent": "DPT-YW-03"}]),
        positions({"code": "NEW-1", "title": "新岗位", "reports_to": "DPT-YW-02"}),
    )

    report = applied(book, hr_user)

    assert statuses(report, PEOPLE) == {"E100": "new"} and statuses(report) == {"NEW-1": "new"}
    held = Assignment.objects.current().filter(person__employee_number="E100")
    assert sorted(held.values_list("position__code", "kind")) == [
        ("DPT-YW-03", Assignment.Kind.CONCURRENT),
        ("NEW-1", Assignment.Kind.PRIMARY),
    ]

    # A later file that moves the primary post ends the old assignment and starts the new one.
    report = applied(
        upload("people.xlsx", table("people", [{"employee_number": "E100", "name": "钱七", "primary": "DPT-YW-02"}])),
        hr_user,
    )
    (row,) = report.rows
    assert row.status == "changed" and row.changes[0]["after"] == "DPT-YW-02、DPT-YW-03 (兼)"
    assert sorted(held.values_list("position__code", flat=True)) == ["DPT-YW-02", "DPT-YW-03"]
    assert Assignment.objects.filter(person__employee_number="E100", position__code="NEW-1").get().ended_on


def test_the_job_architecture_and_the_posts_using_it_in_one_file(seed, hr_user):
    book = upload(
        "architecture.xlsx",
        positions({"code": "DPT-YW-03", "title": "客户服务代表", "job_family": "F-SVC", "grade": "G-5"}),
        table(
            "architecture",
            [
                {"type": "职级", "code": "G-5", "name": "五级", "category": "C-OPS", "rank": 5},
                {"type": "职族", "code": "F-SVC", "name": "客户服务", "category": "C-OPS", "rank": 1},
                {"type": "类别", "code": "C-OPS", "name": "运营类", "rank": 1},
            ],
        ),
    )

    report = applied(book, hr_user)

    assert statuses(report, "职位体系") == {"G-5": "new", "F-SVC": "new", "C-OPS": "new"}
    position = Position.objects.get(code="DPT-YW-03")
    assert (position.job_family.code, position.grade.code) == ("F-SVC", "G-5")
    assert position.job_family.category.code == "C-OPS"
    assert list(Grade.objects.get(code="G-5").categories.values_list("code", flat=True)) == ["C-OPS"]


def test_a_csv_file_imports_like_a_positions_sheet(seed, hr_user):
    head = [header("positions", key) for key in ("code", "title", "reports_to", "department", "headcount")]
    rows = [
        head,
        ["NEW-2", "客服专员", "NEW-1", "YW-KF", "2"],
        ["DPT-YW-03", "客户服务专员", "DPT-YW-02", "YW-KF", "5"],
        ["NEW-1", "客服主管", "DPT-YW-02", "YW-KF", "1"],
    ]
    book = read_upload("岗位.csv", csv_bytes(rows, encoding="gb18030"))  # as Excel on Chinese Windows saves it

    report = applied(book, hr_user)

    assert statuses(report, "岗位.csv") == {"NEW-2": "new", "DPT-YW-03": "changed", "NEW-1": "new"}
    assert Position.objects.get(code="NEW-2").parent.code == "NEW-1"
    assert Position.objects.get(code="DPT-YW-03").headcount == 5
    assert len(document("DPT-YW-03")["duties"]) == 5  # a positions CSV leaves the sections alone

    # A CSV's problems name the file as the sheet.
    bad = read_upload("岗位.csv", csv_bytes([*rows, ["NEW-3", "丙", "NOPE", "", "1"]], delimiter=";"))
    report = refused(bad, hr_user)
    assert problems_at(report, "岗位.csv", 5, "直接上级编码")


def test_delete_missing_deletes_a_whole_branch_left_out_of_the_file(seed, hr_user):
    branch = {"DPT-YW-05", "DPT-YW-N05", "DPT-YW-N06", "DPT-YW-N07"}
    sheets = seed_sheets()
    for kind in ("positions", "duties", "qualifications", "training", "kpis"):
        sheets[kind] = [r for r in sheets[kind] if r["code"] not in branch]

    report = applied(read_upload("org.xlsx", workbook_of(sheets)), hr_user, delete_missing=True)

    assert {code for code, status in statuses(report).items() if status == "deleted"} == branch
    assert not Position.objects.filter(code__in=branch).exists()
    assert subtree("DPT-YW-04") == {"DPT-YW-N04"}
    assert_sound()


def test_delete_missing_is_refused_while_a_left_out_post_has_holders(seed, hr_user):
    AssignmentFactory(position=Position.objects.get(code="DPT-YW-N03"), person__name="赵六")
    sheets = seed_sheets()
    sheets["positions"] = [r for r in sheets["positions"] if r["code"] != "DPT-YW-N03"]
    del sheets["people"]

    report = refused(read_upload("org.xlsx", workbook_of(sheets)), hr_user, delete_missing=True)

    (problem,) = report.errors
    assert problem.sheet == POSITIONS and "DPT-YW-N03" in problem.message and "赵六" in problem.message


# ---------------------------------------------------------------------------------------------
# 2. Preview, then apply


def edited_seed():
    """The seed's export with: a KPI weight changed (DPT-YW-02), a duty removed and the title changed
    (DPT-YW-03), and a new draft position."""
    sheets = seed_sheets()
    kpis = [row for row in sheets["kpis"] if row["code"] == "DPT-YW-02"]
    assert [row["weight"] for row in kpis] == [50, 40, 10]
    kpis[0]["weight"], kpis[1]["weight"] = 45, 45
    duties = [row for row in sheets["duties"] if row["code"] == "DPT-YW-03"]
    sheets["duties"].remove(duties[-1])
    row_of(sheets["positions"], "DPT-YW-03")["title"] = "客户服务专员"
    add_position(sheets, {"code": "NEW-D", "title": "数据分析员", "department": "YW", "reports_to": "DPT-YW-01"})
    return workbook_of(sheets), duties[-1]["text"]


def test_preview_writes_nothing_and_shows_each_change_field_by_field(seed, hr_user):
    data, removed_duty = edited_seed()
    before, state = snapshot(), importing.organisation_state()

    report = importing.preview(read_upload("edited.xlsx", data), hr_user)

    assert snapshot() == before
    assert importing.organisation_state() == state
    assert report.errors == [] and not report.applied
    assert report.totals() == {
        "new": 1,
        "changed": 2,
        "unchanged": 4 + 10,  # four departments, ten positions
        "proposed": 0,
        "deleted": 0,
        "errors": 0,
        "warnings": 0,
    }
    kpi_row = rows_by_key(report)[(POSITIONS, "DPT-YW-02")]
    weights = [c for c in kpi_row.changes if c.get("row") in (1, 2)]
    assert len(weights) == 2 and all(c["kind"] == "changed" for c in weights)
    assert "50" in weights[0]["before"] and "45" in weights[0]["after"]
    assert "40" in weights[1]["before"] and "45" in weights[1]["after"]
    duty_row = rows_by_key(report)[(POSITIONS, "DPT-YW-03")]
    (gone,) = [c for c in duty_row.changes if c.get("kind") == "removed"]
    assert gone["row"] == 5 and gone["before"] == removed_duty and gone["after"] == ""
    (title,) = [c for c in duty_row.changes if "row" not in c]
    assert (title["before"], title["after"]) == ("客户服务代表", "客户服务专员")
    assert rows_by_key(report)[(POSITIONS, "NEW-D")].status == "new"


def test_apply_writes_everything_in_one_action_under_the_files_name(seed, hr_user):
    data, removed_duty = edited_seed()
    versions = Position.history.count()

    report = applied(read_upload("edited.xlsx", data), hr_user)

    assert report.applied and report.errors == []
    assert [k["weight"] for k in document("DPT-YW-02")["kpis"]] == [45, 45, 10]
    duties = [d["text"] for d in document("DPT-YW-03")["duties"]]
    assert len(duties) == 4 and removed_duty not in duties
    assert Position.objects.get(code="NEW-D").status == Position.Status.DRAFT
    new_versions = Position.history.order_by("history_id")[versions:]
    # One version per changed position, all of one action, named after the file.
    assert sorted(v.code for v in new_versions) == ["DPT-YW-02", "DPT-YW-03", "NEW-D"]
    assert {v.history_change_reason for v in new_versions} == {"Imported from edited.xlsx"}
    assert len({v.action for v in new_versions}) == 1
    assert {v.history_user for v in new_versions} == {hr_user}


def test_an_import_signs_off_only_the_job_descriptions_it_changed(seed, hr_user):
    """Publishing stamps 批准人 and 生效日期 and asks holders to acknowledge again: not for untouched posts."""
    sheets = seed_sheets()
    row_of(sheets["positions"], "DPT-YW-03")["title"] = "客户服务专员"
    signed_before = dict(Position.objects.values_list("code", "approved_at"))

    applied(read_upload("org.xlsx", workbook_of(sheets)), hr_user)

    assert set(Position.objects.filter(approved_by=hr_user).values_list("code", flat=True)) == {"DPT-YW-03"}
    signed_after = dict(Position.objects.values_list("code", "approved_at"))
    assert {code for code in signed_after if signed_after[code] != signed_before[code]} == {"DPT-YW-03"}


def test_a_file_with_one_bad_row_writes_nothing_at_all(seed, hr_user):
    sheets = seed_sheets()
    sheets["departments"].append({"code": "YW-NEW", "name": "新部门", "parent": "YW"})
    row_of(sheets["positions"], "DPT-YW-03")["title"] = "客户服务专员"
    add_position(sheets, {"code": "NEW-D", "title": "数据分析员", "department": "YW-NEW", "reports_to": "DPT-YW-01"})
    sheets["people"] = [{"employee_number": "E1", "name": "张三", "primary": "DPT-YW-03"}]
    kpis = [row for row in sheets["kpis"] if row["code"] == "DPT-YW-04"]
    kpis[1]["weight"] = "abc"
    book = read_upload("bad.xlsx", workbook_of(sheets))

    report = refused(book, hr_user)

    weight_row = sheets["kpis"].index(kpis[1]) + 2
    (problem,) = problems_at(report, KPIS, weight_row, "权重")
    assert "abc" in problem.message
    assert {p.sheet for p in report.errors} <= {KPIS, POSITIONS}  # and what follows from it: DPT-YW-04's weights
    assert not Department.objects.filter(code="YW-NEW").exists()
    assert not Person.objects.exists()
    assert Position.objects.get(code="DPT-YW-03").title == "客户服务代表"


# ---------------------------------------------------------------------------------------------
# 3. Bad input: each problem names its sheet, row and column, and nothing is written


BAD_FILES = {
    "unknown superior": (
        lambda: [positions({"code": "NEW-1", "title": "甲", "reports_to": "NOPE"})],
        (POSITIONS, 2, "直接上级编码"),
        "Unknown position NOPE",
    ),
    "a loop within the file": (
        lambda: [
            positions(
                {"code": "NEW-A", "title": "甲", "reports_to": "NEW-B"},
                {"code": "NEW-B", "title": "乙", "reports_to": "NEW-A"},
            )
        ],
        (POSITIONS, None, "直接上级编码"),
        "",
    ),
    "a loop through the database": (
        lambda: [positions({"code": "DPT-YW-01", "title": "运维部经理", "reports_to": "DPT-YW-N05"})],
        (POSITIONS, 2, "直接上级编码"),
        "DPT-YW-N05",
    ),
    "its own superior": (
        lambda: [positions({"code": "DPT-YW-03", "title": "客户服务代表", "reports_to": "DPT-YW-03"})],
        (POSITIONS, 2, "直接上级编码"),
        "report to itself",
    ),
    "a code twice": (
        lambda: [
            positions(
                {"code": "NEW-1", "title": "甲"}, {"code": "NEW-2", "title": "乙"}, {"code": "NEW-1", "title": "丙"}
            )
        ],
        (POSITIONS, 4, "岗位编码"),
        "appears twice",
    ),
    "an unknown column": (
        lambda: [positions({"code": "NEW-1", "title": "甲", "备注": "x"})],
        (POSITIONS, 1, "备注"),
        "Unknown column",
    ),
    "an empty title": (
        lambda: [positions({"code": "NEW-1", "title": "甲"}, {"code": "NEW-2", "title": ""})],
        (POSITIONS, 3, "岗位名称"),
        "",
    ),
    "an empty code": (
        lambda: [positions({"code": "NEW-1", "title": "甲"}, {"code": "", "title": "乙"})],
        (POSITIONS, 3, "岗位编码"),
        "required",
    ),
    "an empty KPI responsibility": (
        lambda: [
            table(
                "kpis",
                [
                    {"code": "DPT-YW-02", "line": 1, "responsibility": "甲", "weight": 50},
                    {"code": "DPT-YW-02", "line": 2, "responsibility": "", "weight": 50},
                ],
            )
        ],
        (KPIS, 3, "关键职责"),
        "",
    ),
    "a KPI weight that is not a number": (
        lambda: [table("kpis", [{"code": "DPT-YW-02", "line": 1, "responsibility": "甲", "weight": "abc"}])],
        (KPIS, 2, "权重"),
        "not a number",
    ),
    "a KPI weight of 0": (
        lambda: [
            table(
                "kpis",
                [
                    {"code": "DPT-YW-02", "line": 1, "responsibility": "甲", "weight": 100},
                    {"code": "DPT-YW-02", "line": 2, "responsibility": "乙", "weight": 0},
                ],
            )
        ],
        (KPIS, 3, "权重"),
        "more than 0",
    ),
    "a KPI weight of 150": (
        lambda: [table("kpis", [{"code": "DPT-YW-02", "line": 1, "responsibility": "甲", "weight": 150}])],
        (KPIS, 2, "权重"),
        "at most 100",
    ),
    "a duty time share of 120": (
        lambda: [
            table(
                "duties",
                [
                    {"code": "DPT-YW-03", "line": 1, "text": "甲", "share": 120},
                    {"code": "DPT-YW-03", "line": 2, "text": "乙"},
                ],
            )
        ],
        (DUTIES, 2, "时间占比"),
        "at most 100",
    ),
    "a duty time share that is not a number": (
        lambda: [table("duties", [{"code": "DPT-YW-03", "line": 1, "text": "甲", "share": "一半"}])],
        (DUTIES, 2, "时间占比"),
        "not a number",
    ),
    "an unknown department": (
        lambda: [positions({"code": "DPT-YW-03", "title": "客户服务代表", "department": "NOPE"})],
        (POSITIONS, 2, "部门编码"),
        "Unknown department NOPE",
    ),
    "an unknown job family": (
        lambda: [positions({"code": "DPT-YW-03", "title": "客户服务代表", "job_family": "NOPE"})],
        (POSITIONS, 2, "职族编码"),
        "Unknown job family NOPE",
    ),
    "an unknown grade": (
        lambda: [positions({"code": "DPT-YW-03", "title": "客户服务代表", "grade": "NOPE"})],
        (POSITIONS, 2, "职级编码"),
        "Unknown grade NOPE",
    ),
    "a person with two primary posts": (
        lambda: [
            table(
                "people",
                [
                    {"employee_number": "E1", "name": "张三", "primary": "DPT-YW-02"},
                    {"employee_number": "E2", "name": "李四", "primary": "DPT-YW-02、DPT-YW-03"},
                ],
            )
        ],
        (PEOPLE, 3, "主岗编码"),
        "one primary post",
    ),
    "a person's post unknown": (
        lambda: [table("people", [{"employee_number": "E1", "name": "张三", "primary": "NOPE"}])],
        (PEOPLE, 2, "主岗编码"),
        "Unknown position NOPE",
    ),
    "a person's concurrent post unknown": (
        lambda: [
            table("people", [{"employee_number": "E1", "name": "张三", "primary": "DPT-YW-02", "concurrent": "NOPE"}])
        ],
        (PEOPLE, 2, "兼岗编码"),
        "Unknown position NOPE",
    ),
    "a department whose parent is unknown": (
        lambda: [table("departments", [{"code": "YW-NEW", "name": "新部门", "parent": "NOPE"}])],
        (DEPARTMENTS, 2, "上级部门编码"),
        "Unknown parent department NOPE",
    ),
    "a department that is its own parent": (
        lambda: [table("departments", [{"code": "YW-NEW", "name": "新部门", "parent": "YW-NEW"}])],
        (DEPARTMENTS, 2, "上级部门编码"),
        "own parent",
    ),
    "a department loop in the file": (
        lambda: [
            table(
                "departments",
                [
                    {"code": "D-A", "name": "甲部", "parent": "D-B"},
                    {"code": "D-B", "name": "乙部", "parent": "D-A"},
                ],
            )
        ],
        (DEPARTMENTS, None, "上级部门编码"),
        "",
    ),
    "a department loop through the database": (
        lambda: [table("departments", [{"code": "YW", "name": "运维部", "parent": "YW-KF"}])],
        (DEPARTMENTS, 2, "上级部门编码"),
        "",
    ),
    "KPIs for a position that does not exist": (
        lambda: [table("kpis", [{"code": "NOPE", "line": 1, "responsibility": "甲", "weight": 100}])],
        (KPIS, 2, "岗位编码"),
        "NOPE",
    ),
    "a line number twice": (
        lambda: [
            table(
                "duties",
                [{"code": "DPT-YW-03", "line": 1, "text": "甲"}, {"code": "DPT-YW-03", "line": 1, "text": "乙"}],
            )
        ],
        (DUTIES, 3, "序号"),
        "appears twice",
    ),
    "a line number that is not a number": (
        lambda: [table("duties", [{"code": "DPT-YW-03", "line": "第一", "text": "甲"}])],
        (DUTIES, 2, "序号"),
        "whole number",
    ),
    "a headcount that is not a number": (
        lambda: [positions({"code": "DPT-YW-03", "title": "客户服务代表", "headcount": "三"})],
        (POSITIONS, 2, "编制"),
        "Headcount",
    ),
    "years of experience out of range": (
        lambda: [positions({"code": "DPT-YW-03", "title": "客户服务代表", "experience_years": 99})],
        (POSITIONS, 2, "工作年限"),
        "0 to 60",
    ),
    "a flag that is neither yes nor no": (
        lambda: [positions({"code": "DPT-YW-03", "title": "客户服务代表", "has_description": "也许"})],
        (POSITIONS, 2, "有岗位说明书"),
        "",
    ),
    "an unknown status": (
        lambda: [positions({"code": "DPT-YW-03", "title": "客户服务代表", "status": "待定"})],
        (POSITIONS, 2, "状态"),
        "待定",
    ),
    "an unknown dotted-line superior": (
        lambda: [positions({"code": "DPT-YW-03", "title": "客户服务代表", "dotted_reports_to": "DPT-YW-04、NOPE"})],
        (POSITIONS, 2, "虚线上级编码"),
        "Unknown position NOPE",
    ),
    "a dotted line to the direct superior": (
        lambda: [positions({"code": "DPT-YW-03", "title": "客户服务代表", "dotted_reports_to": "DPT-YW-02"})],
        (POSITIONS, 2, "虚线上级编码"),
        "direct superior",
    ),
    "a promotion to an unknown post": (
        lambda: [positions({"code": "DPT-YW-03", "title": "客户服务代表", "promotes_to": "NOPE"})],
        (POSITIONS, 2, "晋升岗位编码"),
        "Unknown position NOPE",
    ),
    "a formula in a cell": (
        lambda: [positions({"code": "NEW-1", "title": "甲"}, {"code": "NEW-2", "title": '=CONCAT(B2,"乙")'})],
        (POSITIONS, 3, "岗位名称"),
        "formula",
    ),
    "an empty person name": (
        lambda: [table("people", [{"employee_number": "E1", "name": "", "primary": "DPT-YW-02"}])],
        (PEOPLE, 2, "姓名"),
        "required",
    ),
    "an employee number twice": (
        lambda: [
            table(
                "people",
                [{"employee_number": "E1", "name": "张三"}, {"employee_number": "E1", "name": "李四"}],
            )
        ],
        (PEOPLE, 3, "工号"),
        "appears twice",
    ),
    "a department twice": (
        lambda: [
            table(
                "departments",
                [{"code": "YW-NEW", "name": "新部门"}, {"code": "YW-NEW", "name": "新部门二"}],
            )
        ],
        (DEPARTMENTS, 3, "部门编码"),
        "appears twice",
    ),
    "an unknown kind of job architecture": (
        lambda: [table("architecture", [{"type": "部门", "code": "X", "name": "某"}])],
        ("职位体系", 2, "类型"),
        "",
    ),
    "a grade without its rank": (
        lambda: [table("architecture", [{"type": "职级", "code": "G-9", "name": "九级"}])],
        ("职位体系", 2, "排序"),
        "rank",
    ),
    "a job family of an unknown category": (
        lambda: [table("architecture", [{"type": "职族", "code": "F-X", "name": "某族", "category": "NOPE"}])],
        ("职位体系", 2, "所属类别"),
        "NOPE",
    ),
    "an empty department name": (
        lambda: [table("departments", [{"code": "YW-NEW", "name": ""}])],
        (DEPARTMENTS, 2, "部门名称"),
        "required",
    ),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_input_is_refused_at_its_sheet_row_and_column(seed, hr_user, case):
    build, (sheet, row, column), fragment = BAD_FILES[case]
    book = upload(f"{case}.xlsx", *build())
    preview = importing.preview(book, hr_user)

    report = refused(book, hr_user)

    for found in (preview, report):
        matching = problems_at(found, sheet, row, column)
        assert matching, [str(p) for p in found.problems]
        assert any(fragment in p.message for p in matching), [str(p) for p in matching]
        assert all(p.row for p in matching), "a problem names its row"


def test_missing_required_columns_are_named(seed, hr_user):
    book = upload("no-title.xlsx", table("positions", [{"code": "NEW-1", "purpose": "x"}], columns=["code", "purpose"]))
    report = refused(book, hr_user)
    (problem,) = report.errors
    assert (problem.sheet, problem.row) == (POSITIONS, 1)
    assert "岗位名称" in str(problem) and "title" in str(problem)

    book = upload(
        "no-weight.xlsx",
        table(
            "kpis",
            [{"code": "DPT-YW-02", "line": 1, "responsibility": "甲"}],
            columns=["code", "line", "responsibility"],
        ),
    )
    report = refused(book, hr_user)
    assert [(p.sheet, p.row) for p in report.errors] == [(KPIS, 1)]
    assert "权重" in str(report.errors[0])


def test_a_loop_in_the_file_names_both_rows(seed, hr_user):
    book = upload(
        "loop.xlsx",
        positions(
            {"code": "NEW-A", "title": "甲", "reports_to": "NEW-B"},
            {"code": "NEW-B", "title": "乙", "reports_to": "NEW-A"},
        ),
    )
    report = refused(book, hr_user)
    rows = {p.row for p in problems_at(report, POSITIONS, column="直接上级编码")}
    assert rows & {2, 3}
    assert any("NEW-A" in p.message and "NEW-B" in p.message for p in report.errors)


def test_kpi_weights_that_do_not_total_100_import_the_position_as_a_draft_with_a_warning(seed, hr_user):
    sheets = seed_sheets()
    kpis = [row for row in sheets["kpis"] if row["code"] == "DPT-YW-02"]
    kpis[2]["weight"] = 5  # 50 + 40 + 5
    row_of(sheets["positions"], "DPT-YW-03")["title"] = "客户服务专员"
    book = read_upload("weights.xlsx", workbook_of(sheets))

    report = applied(book, hr_user)

    assert report.errors == []
    (warning,) = report.warnings
    assert (
        warning.sheet == POSITIONS
        and warning.row == sheets["positions"].index(row_of(sheets["positions"], "DPT-YW-02")) + 2
    )
    assert warning.column == "状态"
    assert "95" in warning.message and "draft" in warning.message
    assert Position.objects.get(code="DPT-YW-02").status == Position.Status.DRAFT
    assert [k["weight"] for k in document("DPT-YW-02")["kpis"]] == [50, 40, 5]
    assert Position.objects.get(code="DPT-YW-03").title == "客户服务专员"  # the rest imports
    assert Position.objects.get(code="DPT-YW-03").status == Position.Status.PUBLISHED
    assert report.totals()["warnings"] == 1


def test_a_kpi_sheet_alone_whose_weights_do_not_total_100_warns_at_its_rows(seed, hr_user):
    """The format lets a file carry only KPIs: the warning must still say where, and the post is a draft."""
    rows = [
        {"code": "DPT-YW-02", "line": n, "responsibility": k["responsibility"], "weight": w, "standard": k["standard"]}
        for n, (k, w) in enumerate(zip(document("DPT-YW-02")["kpis"], (50, 40, 5), strict=True), start=1)
    ]
    rows += [
        {"code": "DPT-YW-04", "line": n, **{key: k[key] for key in ("responsibility", "weight", "standard")}}
        for n, k in enumerate(document("DPT-YW-04")["kpis"], start=1)
    ]
    rows[-1]["standard"] = "按月完成"

    report = applied(upload("kpis.xlsx", table("kpis", rows)), hr_user)

    assert Position.objects.get(code="DPT-YW-02").status == Position.Status.DRAFT
    assert document("DPT-YW-04")["kpis"][-1]["standard"] == "按月完成"  # the rest imports
    assert Position.objects.get(code="DPT-YW-04").status == Position.Status.PUBLISHED
    (warning,) = report.warnings
    assert "95" in warning.message
    assert (warning.sheet, warning.row) in {(KPIS, 2), (KPIS, 3), (KPIS, 4)}, str(warning)
    assert warning.column, str(warning)
    assert {(row.key, row.sheet) for row in report.rows} == {("DPT-YW-02", KPIS), ("DPT-YW-04", KPIS)}


# ---------------------------------------------------------------------------------------------
# 4. The approval rule


def approval_file():
    """The seed's export with a new published job description and a changed purpose of a published one."""
    sheets = seed_sheets()
    add_position(
        sheets,
        {"code": "NEW-P", "title": "质量专员", "department": "YW", "reports_to": "DPT-YW-01", "status": "已发布"},
        jd=complete_jd("NEW-P"),
    )
    row_of(sheets["positions"], "DPT-YW-02")["purpose"] = "让每位客户满意。"
    return sheets


def test_an_approvers_import_publishes_at_once_and_signs_off(seed, hr_user):
    report = applied(read_upload("approved.xlsx", workbook_of(approval_file())), hr_user)

    assert report.warnings == [] and report.totals()["proposed"] == 0
    for code in ("NEW-P", "DPT-YW-02"):
        position = Position.objects.get(code=code)
        assert position.status == Position.Status.PUBLISHED, code
        assert position.approved_by == hr_user and position.prepared_by == hr_user, code
        assert position.approved_at is not None and position.effective_on is not None, code
    assert Position.objects.get(code="DPT-YW-02").purpose == "让每位客户满意。"
    assert not Proposal.objects.exists()


def test_an_import_by_a_non_approver_drafts_new_posts_and_proposes_changes_to_published_ones(seed, proposer_user):
    draft = save_documents([Save({"code": "NEW-DRAFT", "title": "草稿岗位", "reports_to": "DPT-YW-01"})])
    assert draft.positions["NEW-DRAFT"].status == Position.Status.DRAFT
    sheets = approval_file()
    row_of(sheets["positions"], "NEW-DRAFT")["title"] = "草稿岗位（改）"
    published_purpose = Position.objects.get(code="DPT-YW-02").purpose
    before = snapshot()
    preview = importing.preview(read_upload("proposed.xlsx", workbook_of(sheets)), proposer_user)
    assert snapshot() == before  # no proposal, no draft
    assert statuses(preview)["DPT-YW-02"] == "proposed" and statuses(preview)["NEW-P"] == "new"

    report = applied(read_upload("proposed.xlsx", workbook_of(sheets)), proposer_user)

    assert report.errors == []
    # A new published job description is saved as a draft, with a warning at its status cell.
    new = Position.objects.get(code="NEW-P")
    assert new.status == Position.Status.DRAFT and new.approved_by is None
    (warning,) = [w for w in report.warnings if "approver" in w.message]
    assert (warning.sheet, warning.column) == (POSITIONS, "状态")
    assert warning.row == sheets["positions"].index(row_of(sheets["positions"], "NEW-P")) + 2
    # A draft is saved directly.
    assert Position.objects.get(code="NEW-DRAFT").title == "草稿岗位（改）"
    # A published job description keeps its text; the change waits as a proposal.
    assert Position.objects.get(code="DPT-YW-02").purpose == published_purpose
    (proposal,) = Proposal.objects.all()
    assert proposal.position.code == "DPT-YW-02" and proposal.status == Proposal.Status.PENDING
    assert proposal.author == proposer_user
    assert proposal.document["purpose"] == "让每位客户满意。"
    row = rows_by_key(report)[(POSITIONS, "DPT-YW-02")]
    assert row.status == "proposed"
    assert [(c["before"], c["after"]) for c in row.changes] == [(published_purpose, "让每位客户满意。")]
    assert statuses(report)["NEW-P"] == "new" and statuses(report)["NEW-DRAFT"] == "changed"
    assert report.totals()["proposed"] == 1


def test_a_non_approvers_preview_of_unchanged_published_posts_costs_the_same_for_10_and_60(db, proposer_user):
    """Unchanged posts are found by one dry run of them all, not one each: the queries do not grow with them."""
    call_command("synth_org", positions=60, seed=3, verbosity=0)
    published = Position.objects.filter(status=Position.Status.PUBLISHED).order_by("code")
    assert published.count() > 40

    def preview_queries(positions):
        book = read_upload("unchanged.xlsx", writing.export_workbook(positions))
        with CaptureQueriesContext(connection) as queries:
            report = importing.preview(book, proposer_user)
        assert report.errors == [] and set(statuses(report).values()) == {"unchanged"}
        assert report.totals()["proposed"] == 0 and not Proposal.objects.exists()
        return len(queries)

    few = preview_queries(Position.objects.filter(pk__in=list(published.values_list("pk", flat=True)[:10])))
    every = preview_queries(Position.objects.all())
    assert every <= few + 5, (few, every)


def test_the_command_line_imports_as_an_administrator(seed):
    report = applied(read_upload("cli.xlsx", workbook_of(approval_file())), None)

    assert report.warnings == [] and report.totals()["proposed"] == 0
    assert Position.objects.get(code="NEW-P").status == Position.Status.PUBLISHED
    assert Position.objects.get(code="DPT-YW-02").purpose == "让每位客户满意。"
    assert Position.objects.get(code="DPT-YW-02").approved_at is not None
    assert not Proposal.objects.exists()


# ---------------------------------------------------------------------------------------------
# 5. Round trips


def assert_all_unchanged(report):
    assert report.problems == [], [str(p) for p in report.problems[:10]]
    changed = [(r.sheet, r.key, r.status, r.changes) for r in report.rows if r.status != "unchanged"]
    assert changed == []


def test_the_seeds_export_imports_unchanged(seed, hr_user):
    data = writing.export_workbook()
    report = importing.preview(read_upload("seed.xlsx", data), hr_user)
    assert_all_unchanged(report)
    assert len(statuses(report)) == Position.objects.count()

    # Applied, it writes nothing: no new version of any position.
    before = snapshot()
    applied(read_upload("seed.xlsx", data), hr_user)
    assert snapshot() == before


def test_a_synthetic_organisations_export_imports_unchanged(db, hr_user):
    call_command("synth_org", positions=200, seed=3, verbosity=0)
    data = writing.export_workbook()
    sheets = sheets_of(data)
    # The export carries everything the round trip should cover.
    assert len(sheets["positions"]) == 200
    assert any(r["dotted_reports_to"] for r in sheets["positions"])
    assert any(r["promotes_to"] or r["rotates_with"] for r in sheets["positions"])
    assert any(r["job_family"] and r["grade"] for r in sheets["positions"])
    assert sheets["people"] and sheets["architecture"] and sheets["departments"]

    report = importing.preview(read_upload("synthetic.xlsx", data), hr_user)

    assert_all_unchanged(report)
    assert len(statuses(report)) == 200
    assert len(statuses(report, PEOPLE)) == len(sheets["people"])


def test_the_positions_csv_export_imports_unchanged(seed, hr_user):
    data = writing.export_csv()
    book = read_upload("positions.csv", data)
    assert list(book.sheets) == ["positions"]
    assert_all_unchanged(importing.preview(book, hr_user))


def test_a_synthetic_positions_csv_imports_unchanged(db, hr_user):
    call_command("synth_org", positions=200, seed=3, verbosity=0)
    assert_all_unchanged(importing.preview(read_upload("positions.csv", writing.export_csv()), hr_user))


FORMULA_LIKE = [
    "=SUM(A1:A3) 统计",
    "+86 电话回访",
    "-减少故障时间",
    "@所有人 通知",
    "'引号开头",
    "''两个引号",
    "'=已加引号",
]


def test_texts_that_look_like_formulas_survive_export_and_import_exactly(seed, hr_user):
    duties = [{"text": text, "share": None} for text in FORMULA_LIKE] + [{"text": "\t制表符开头", "share": None}]
    save_documents(
        [
            Save(
                {
                    "purpose": '=HYPERLINK("http://example.com")',
                    "work_environment": "-办公室",
                    "major": "@计算机",
                    "duties": duties,
                    "training": ["+公司制度", "'引号"],
                },
                code="DPT-YW-03",
            )
        ]
    )
    stored = document("DPT-YW-03")
    assert [d["text"] for d in stored["duties"]][: len(FORMULA_LIKE)] == FORMULA_LIKE
    assert stored["duties"][-1]["text"] == "制表符开头"  # a save strips a leading tab: the export gets none
    data = writing.export_workbook()
    # No cell of the export is a formula: a spreadsheet shows the texts as they are.
    workbook = load_workbook(io.BytesIO(data))
    assert not [c.coordinate for ws in workbook.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f"]

    book = read_upload("formulas.xlsx", data)
    assert book.problems == []
    assert_all_unchanged(importing.preview(book, hr_user))
    csv_book = read_upload("formulas.csv", writing.export_csv())
    assert_all_unchanged(importing.preview(csv_book, hr_user))

    # Imported into another organisation, the texts arrive exactly as they were.
    save_documents(
        [
            Save(
                {
                    "purpose": "",
                    "duties": ["另一份职责"],
                    "training": ["另一项培训"],
                    "work_environment": "",
                    "major": "",
                },
                code="DPT-YW-03",
            )
        ]
    )
    applied(read_upload("formulas.xlsx", data), hr_user)
    after = document("DPT-YW-03")
    for key in ("purpose", "work_environment", "major", "duties", "training"):
        assert after[key] == stored[key], key


# ---------------------------------------------------------------------------------------------
# 6. The command line


def test_import_org_dry_run_writes_nothing_and_the_real_run_applies(seed, tmp_path, capsys):
    sheets = seed_sheets()
    row_of(sheets["positions"], "DPT-YW-03")["title"] = "客户服务专员"
    path = tmp_path / "org.xlsx"
    path.write_bytes(workbook_of(sheets))
    before = snapshot()

    call_command("import_org", str(path), "--dry-run")
    out = capsys.readouterr().out
    assert "changed 1" in out and "nothing was written" in out
    assert snapshot() == before

    call_command("import_org", str(path))
    assert Position.objects.get(code="DPT-YW-03").title == "客户服务专员"
    version = Position.history.filter(code="DPT-YW-03").latest("history_id")
    assert version.history_change_reason == "Imported from org.xlsx"


@pytest.mark.parametrize("dry_run", [False, True])
def test_import_org_refuses_a_bad_file_and_writes_nothing(seed, tmp_path, dry_run):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(
        xlsx(
            positions(
                {"code": "DPT-YW-03", "title": "客户服务专员"},
                {"code": "NEW-1", "title": "甲", "reports_to": "NOPE"},
            )
        )
    )
    before = snapshot()
    with pytest.raises(CommandError):
        call_command("import_org", str(path), *(["--dry-run"] if dry_run else []))
    assert snapshot() == before


def test_import_org_refuses_a_file_it_cannot_read(db, tmp_path):
    path = tmp_path / "picture.xlsx"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 100)
    with pytest.raises(CommandError, match="PNG"):
        call_command("import_org", str(path))


@pytest.mark.parametrize("name", ["org.xlsx", "org.csv"])
def test_export_org_writes_a_file_that_imports_unchanged(seed, hr_user, tmp_path, name):
    path = tmp_path / name
    call_command("export_org", str(path), stdout=io.StringIO())
    assert_all_unchanged(importing.preview(read_upload(name, path.read_bytes()), hr_user))


# ---------------------------------------------------------------------------------------------
# 7. A preview goes stale when the organisation changes


def test_the_organisation_state_changes_when_someone_saves_a_position(seed, hr_user):
    state = importing.organisation_state()
    assert importing.organisation_state() == state
    importing.preview(read_upload("seed.xlsx", writing.export_workbook()), hr_user)
    assert importing.organisation_state() == state
    save_documents([Save({"title": "客户服务专员"}, code="DPT-YW-03")])
    assert importing.organisation_state() != state


def started_import(user, data, capture):
    with capture(execute=True):
        job = jobs.start_import(user, "org.xlsx", data)
    job.refresh_from_db()
    return job


def test_a_confirmed_import_applies_when_nothing_changed(seed, hr_user, django_capture_on_commit_callbacks):
    sheets = seed_sheets()
    row_of(sheets["positions"], "DPT-YW-03")["title"] = "客户服务专员"
    job = started_import(hr_user, workbook_of(sheets), django_capture_on_commit_callbacks)
    assert job.status == Job.Status.PREVIEWED, job.message
    assert job.report["totals"]["changed"] == 1
    assert Position.objects.get(code="DPT-YW-03").title == "客户服务代表"

    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.confirm(job)
    job.refresh_from_db()

    assert job.status == Job.Status.APPLIED, job.message
    assert Position.objects.get(code="DPT-YW-03").title == "客户服务专员"


def test_a_stale_preview_is_refused_and_nothing_is_written(seed, hr_user, django_capture_on_commit_callbacks):
    sheets = seed_sheets()
    row_of(sheets["positions"], "DPT-YW-03")["title"] = "客户服务专员"
    job = started_import(hr_user, workbook_of(sheets), django_capture_on_commit_callbacks)
    assert job.status == Job.Status.PREVIEWED, job.message
    save_documents([Save({"headcount": 4}, code="DPT-YW-02")])  # someone saves in between
    before = snapshot()

    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.confirm(job)
    job.refresh_from_db()

    assert job.status == Job.Status.STALE
    assert "changed after this preview" in job.message
    assert snapshot() == before
    assert Position.objects.get(code="DPT-YW-03").title == "客户服务代表"
