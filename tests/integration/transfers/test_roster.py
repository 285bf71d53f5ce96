"""Positions derived from a staff roster (花名册), imported from real .xlsx and CSV files.

People with the same title in the same department under managers of the same post are one post
whose headcount is their number; the managers' post is its superior. New departments get D001…,
new posts <department code>-01… (P-01… without a department). What the tests check is what a
user sees afterwards: the posts, their headcounts, their holders, the departments, the preview,
the history, and every refused file's sheet, row and column.
"""

import csv
import io
import re
from collections import Counter, defaultdict
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import translation
from openpyxl import Workbook

from org_tree.models import Department
from positions.models import CODE_PATTERN, Assignment, Person, Position
from positions.services.editing import Save, save_documents
from transfers import importing
from transfers.management.commands.synth_roster import roster_csv, roster_rows, roster_xlsx
from transfers.reading import read_upload

HEADERS = ["工号", "姓名", "岗位", "部门", "直接上级工号", "登录名"]
ENGLISH = ["employee_number", "name", "title", "department", "manager_employee_number", "login"]
SHEET = "花名册"


@pytest.fixture(autouse=True)
def english():
    """Messages are compared in English whatever translations are added later."""
    with translation.override("en"):
        yield


# ---------------------------------------------------------------------------------------------
# Files


def _padded(rows, width):
    return [list(row) + [""] * (width - len(row)) for row in rows]


def xlsx(rows, *, sheet=SHEET, headers=HEADERS, above=(), extra=None):
    """A real workbook: optional lines above the headers, the headers, the rows; `extra` more sheets."""
    workbook = Workbook()
    worksheet = workbook.active
    worksheet.title = sheet
    for line in above:
        worksheet.append(list(line))
    worksheet.append(list(headers))
    for row in _padded(rows, len(headers)):
        worksheet.append(row)
    for title, lines in (extra or {}).items():
        other = workbook.create_sheet(title)
        for line in lines:
            other.append(list(line))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_file(rows, *, encoding="gb18030", headers=HEADERS, above=()):
    """A CSV as Excel on Chinese Windows saves it (GB18030), or UTF-8."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for line in above:
        writer.writerow(line)
    writer.writerow(headers)
    writer.writerows(_padded(rows, len(headers)))
    return out.getvalue().encode(encoding)


def book(name, data):
    return read_upload(name, data)


def apply(name, data, user=None):
    return importing.apply(book(name, data), user)


def refused(name, data, user=None):
    """The report of a refused import (and the proof that it was refused)."""
    with pytest.raises(importing.ImportRefused) as caught:
        importing.apply(book(name, data), user)
    return caught.value.report


# ---------------------------------------------------------------------------------------------
# What is on file


def _plain(rows):
    return sorted(tuple("" if value is None else value for value in row) for row in rows)


def state():
    """Everything a roster import can write, comparable before and after."""
    return {
        "positions": _plain(
            Position.objects.values_list("code", "title", "department__code", "parent__code", "headcount", "status")
        ),
        "departments": _plain(Department.objects.values_list("code", "name", "parent__code")),
        "people": _plain(Person.objects.values_list("employee_number", "name", "user__username")),
        "assignments": _plain(
            Assignment.objects.values_list("person__employee_number", "position__code", "kind", "ended_on")
        ),
        "versions": Position.history.count(),
    }


def post_of(number):
    """The post `number` holds as their primary post today."""
    return Assignment.objects.current().get(person__employee_number=number, kind=Assignment.Kind.PRIMARY).position


def primary_holders(position):
    return set(
        Assignment.objects.current()
        .filter(position=position, kind=Assignment.Kind.PRIMARY)
        .values_list("person__employee_number", flat=True)
    )


def errors_at(report):
    """(sheet, row, column) of each error."""
    return [(p.sheet, p.row, p.column) for p in report.errors]


def expected_groups(rows):
    """The rule, computed independently: {(title, department, the manager's key): {employee numbers}}."""
    by_number = {row[0]: row for row in rows}
    keys = {}

    def key(number):
        if number not in keys:
            _number, _name, title, department, manager, *_rest = by_number[number]
            keys[number] = (title, department, key(manager) if manager else None)
        return keys[number]

    groups = defaultdict(set)
    for number in by_number:
        groups[key(number)].add(number)
    return groups


# ---------------------------------------------------------------------------------------------
# 1. The rule


def sales_roster():
    """A general manager; a sales director; 5 sales managers under them; 29 representatives spread
    over the 5 managers; one representative under the director (a manager of another post); one in
    another department under a sales manager; an adviser without a department."""
    rows = [
        ("E001", "赵总", "总经理", "总经办", ""),
        ("E002", "钱总监", "销售总监", "销售部", "E001"),
        ("E003", "孙顾问", "顾问", "", "E001"),
    ]
    managers = [f"M{i}" for i in range(1, 6)]
    rows += [(number, f"经理{number}", "销售经理", "销售部", "E002") for number in managers]
    rows.append(("E004", "李代表", "销售代表", "销售部", "E002"))
    rows += [(f"S{i:02d}", f"代表{i:02d}", "销售代表", "销售部", managers[i % 5]) for i in range(1, 30)]
    rows.append(("E005", "周代表", "销售代表", "市场部", "M1"))
    return rows


def test_representatives_under_five_managers_are_one_post_of_29_under_one_post_of_5(db, hr_user):
    rows = sales_roster()
    apply("销售花名册.xlsx", xlsx(rows), hr_user)

    representatives = {number for number, *_rest in rows if number.startswith("S")}
    assert len(representatives) == 29
    post = post_of("S01")
    assert (post.title, post.department.name, post.headcount) == ("销售代表", "销售部", 29)
    assert {post_of(number) for number in representatives} == {post}
    assert primary_holders(post) == representatives

    managers = post.parent
    assert (managers.title, managers.department.name, managers.headcount) == ("销售经理", "销售部", 5)
    assert {post_of(f"M{i}") for i in range(1, 6)} == {managers}
    assert primary_holders(managers) == {f"M{i}" for i in range(1, 6)}
    assert managers.parent == post_of("E002")
    assert (managers.parent.title, managers.parent.headcount) == ("销售总监", 1)

    # Each person holds exactly one post, as their primary post.
    current = Assignment.objects.current()
    assert current.count() == len(rows)
    assert set(current.values_list("kind", flat=True)) == {Assignment.Kind.PRIMARY}
    assert Person.objects.count() == len(rows)


def test_the_same_title_elsewhere_is_another_post(db, hr_user):
    apply("销售花名册.xlsx", xlsx(sales_roster()), hr_user)

    representatives = Position.objects.filter(title="销售代表")
    assert representatives.count() == 3
    under_managers, under_director, in_marketing = post_of("S01"), post_of("E004"), post_of("E005")
    assert len({under_managers, under_director, in_marketing}) == 3
    # Under a manager of a different post (the director's): a post of its own, headcount 1.
    assert (under_director.department.name, under_director.parent.title, under_director.headcount) == (
        "销售部",
        "销售总监",
        1,
    )
    # Another department under the same managers' post: a post of its own.
    assert (in_marketing.department.name, in_marketing.parent, in_marketing.headcount) == (
        "市场部",
        under_managers.parent,
        1,
    )


def test_no_department_and_the_top_of_the_organisation(db, hr_user):
    apply("销售花名册.xlsx", xlsx(sales_roster()), hr_user)

    adviser = post_of("E003")
    assert (adviser.title, adviser.department, adviser.code) == ("顾问", None, "P-01")
    assert adviser.parent == post_of("E001")
    top = post_of("E001")
    assert top.parent is None
    assert list(Position.objects.filter(parent=None)) == [top]


def test_codes_follow_the_documented_rule(db, hr_user):
    """Departments D001… in the order the roster is read top-down, posts <department>-01…, P-01…"""
    report = apply("销售花名册.xlsx", xlsx(sales_roster()), hr_user)

    assert _plain(Department.objects.values_list("code", "name", "parent__code")) == [
        ("D001", "总经办", ""),
        ("D002", "销售部", "D001"),
        ("D003", "市场部", "D002"),  # under the department of its first member's manager
    ]
    assert [(d["code"], d["name"]) for d in report.new_departments] == [
        ("D001", "总经办"),
        ("D002", "销售部"),
        ("D003", "市场部"),
    ]
    codes = {number: post_of(number).code for number in ("E001", "E002", "E003", "M1", "E004", "S01", "E005")}
    assert codes == {
        "E001": "D001-01",
        "E002": "D002-01",
        "E003": "P-01",
        "M1": "D002-02",
        "E004": "D002-03",
        "S01": "D002-04",
        "E005": "D003-01",
    }
    # Derived posts are drafts without a description, for HR to write.
    assert set(Position.objects.values_list("status", "has_description")) == {(Position.Status.DRAFT, False)}


def test_new_codes_continue_after_the_highest_number_on_file(db, hr_user):
    """A gap is not filled (D002 was deleted, say): the next department is D004 after D001 and D003, and a
    post under D001 is D001-08 after D001-07. Codes of another shape (DX5, D001-A) do not count."""
    for code in ("D001", "D003", "DX5"):
        Department.objects.create(code=code, name=f"部门{code}")
    for code in ("D001-01", "D001-07", "D001-A"):
        save_documents([Save({"code": code, "title": f"岗位{code}", "department": "D001"})])
    rows = [
        ("E001", "赵总", "总经理", "D001", ""),
        ("E002", "钱经理", "仓储经理", "仓储部", "E001"),
    ]
    apply("花名册.xlsx", xlsx(rows), hr_user)
    assert (post_of("E001").code, post_of("E002").code) == ("D001-08", "D004-01")
    assert Department.objects.get(name="仓储部").code == "D004"


# ---------------------------------------------------------------------------------------------
# 2. A roster of 150 people from real files


PEOPLE = 150


@pytest.fixture(scope="module")
def big_roster():
    rows = roster_rows(PEOPLE, seed=7, shared=0.4)
    assert len(rows) == PEOPLE
    return rows


def _roster_facts(rows):
    """The roster itself: several managers, shared titles, a chain of five levels."""
    managers = Counter(row[4] for row in rows if row[4])
    groups = expected_groups(rows)
    depth = {}

    def level(number):
        if number not in depth:
            manager = next(row[4] for row in rows if row[0] == number)
            depth[number] = 0 if not manager else level(manager) + 1
        return depth[number]

    return managers, groups, max(level(row[0]) for row in rows)


def test_the_synthetic_roster_is_a_fair_test(big_roster):
    managers, groups, deepest = _roster_facts(big_roster)
    assert len(managers) >= 10
    assert deepest >= 4  # five levels
    assert any(len(group) > 1 for group in groups.values())  # titles shared under one post
    titles = Counter(key[0] for key in groups)
    assert any(count > 1 for count in titles.values())  # a title that is several posts


def test_a_roster_of_150_imports_as_the_rule_says(db, hr_user, big_roster):
    report = apply("花名册.xlsx", roster_xlsx(big_roster), hr_user)
    assert report.applied and not report.errors

    groups = expected_groups(big_roster)
    assert Position.objects.count() == len(groups)
    for members in groups.values():
        (post,) = {post_of(number) for number in members}
        assert post.headcount == len(members) == len(primary_holders(post))
    # Every post's headcount is its number of primary holders; everyone holds one post.
    for post in Position.objects.all():
        assert post.headcount == len(primary_holders(post)) > 0
    assert Person.objects.count() == PEOPLE
    assert Assignment.objects.current().filter(kind=Assignment.Kind.PRIMARY).count() == PEOPLE
    assert not Assignment.objects.exclude(kind=Assignment.Kind.PRIMARY).exists()

    # The tree: five levels, the chain of reports followed post by post.
    assert max(Position.objects.values_list("level", flat=True)) == 4
    staff = max(Position.objects.all(), key=lambda p: p.level)
    chain = [p.title for p in staff.get_ancestors(include_self=True)]
    assert len(chain) == 5 and chain[0] == "总经理"
    for row in big_roster:
        if row[4]:
            assert post_of(row[0]).parent == post_of(row[4])
        else:
            assert post_of(row[0]).parent is None


def test_a_roster_of_150_creates_its_departments_with_generated_codes(db, hr_user, big_roster):
    report = apply("花名册.xlsx", roster_xlsx(big_roster), hr_user)

    names = {row[3] for row in big_roster}
    departments = dict(Department.objects.values_list("name", "code"))
    assert set(departments) == names
    assert sorted(departments.values()) == [f"D{n:03d}" for n in range(1, len(names) + 1)]
    assert departments["总经办"] == "D001"  # the top's department comes first
    assert {(d["code"], d["name"]) for d in report.new_departments} == set(
        (code, name) for name, code in departments.items()
    )
    # A section sits in its department, the department in the general manager's office.
    head_office = Department.objects.get(code="D001")
    for department in Department.objects.exclude(pk=head_office.pk):
        parent_name = department.parent.name
        assert parent_name == "总经办" or department.name.startswith(parent_name)

    # Post codes: the department's code, '-', and 01, 02, … under each department.
    by_department = defaultdict(list)
    for code, department in Position.objects.values_list("code", "department__code"):
        assert re.match(CODE_PATTERN, code)
        prefix, _dash, number = code.rpartition("-")
        assert prefix == department and re.fullmatch(r"\d{2}", number), code
        by_department[department].append(int(number))
    for numbers in by_department.values():
        assert sorted(numbers) == list(range(1, len(numbers) + 1))


def _imported(name, data, user):
    """What importing `data` writes, then undone (so the next file starts from the same database)."""
    savepoint = transaction.savepoint()
    try:
        report = importing.apply(book(name, data), user)
        assert not report.errors
        written = state()
        holders = _plain(Assignment.objects.current().values_list("person__employee_number", "position__code", "kind"))
    finally:
        transaction.savepoint_rollback(savepoint)
    del written["versions"]
    return report, written, holders


def test_xlsx_and_gb18030_csv_give_the_same_positions(db, hr_user, big_roster):
    gb18030 = roster_csv(big_roster)  # GB18030, as Excel on Chinese Windows saves it
    assert gb18030 == csv_file(big_roster, encoding="gb18030")
    with pytest.raises(UnicodeDecodeError):
        gb18030.decode("utf-8")

    from_xlsx = _imported("花名册.xlsx", roster_xlsx(big_roster), hr_user)
    from_csv = _imported("花名册.csv", gb18030, hr_user)
    from_utf8 = _imported("花名册.csv", roster_csv(big_roster, "utf-8-sig"), hr_user)
    from_plain_utf8 = _imported("花名册.csv", roster_csv(big_roster, "utf-8"), hr_user)
    assert Position.objects.count() == 0  # each was undone

    assert from_xlsx[1] == from_csv[1] == from_utf8[1] == from_plain_utf8[1]
    assert from_xlsx[2] == from_csv[2] == from_utf8[2] == from_plain_utf8[2]
    assert from_xlsx[0].derived == from_csv[0].derived == from_utf8[0].derived == from_plain_utf8[0].derived
    assert from_xlsx[0].new_departments == from_csv[0].new_departments
    assert len(from_xlsx[1]["positions"]) == len(expected_groups(big_roster))
    assert "总经理" in {title for _code, title, *_rest in from_csv[1]["positions"]}  # Chinese read back intact


def test_english_headers_and_a_sheet_named_roster(db, hr_user):
    rows = sales_roster()
    apply("roster.xlsx", xlsx(rows, sheet="roster", headers=ENGLISH), hr_user)
    assert post_of("S01").headcount == 29
    english_csv = book("roster.csv", csv_file(rows, encoding="utf-8", headers=ENGLISH))
    assert set(english_csv.sheets) == {"roster"} and not english_csv.errors


# ---------------------------------------------------------------------------------------------
# 3. Departments


def test_a_department_named_by_its_code_or_its_name_is_used_and_an_unknown_one_created(seed, hr_user):
    departments_before = Department.objects.count()
    rows = [
        ("A1", "甲", "支持主管", "YW-JS", ""),  # by code
        ("A2", "乙", "客服专员", "客户服务部", "A1"),  # by name
        ("A3", "丙", "数据分析师", "数据部", "A1"),  # unknown: created
    ]
    report = apply("花名册.xlsx", xlsx(rows), hr_user)

    assert post_of("A1").department.code == "YW-JS"
    assert post_of("A2").department.code == "YW-KF"
    created = post_of("A3").department
    assert (created.code, created.name, created.parent.code) == ("D001", "数据部", "YW-JS")
    assert Department.objects.count() == departments_before + 1
    assert [(d["code"], d["name"]) for d in report.new_departments] == [("D001", "数据部")]
    # The existing departments are unchanged.
    assert Department.objects.get(code="YW-KF").name == "客户服务部"
    # The new department appears in the department tree, under the department of its first member's manager.
    assert created in Department.objects.get(code="YW-JS").get_descendants()
    # Post codes use the department's code.
    assert post_of("A1").code == "YW-JS-01"
    assert post_of("A2").code == "YW-KF-01"
    assert post_of("A3").code == "D001-01"


def test_a_department_written_by_code_and_by_name_is_one_department(seed, hr_user):
    rows = [
        ("A1", "甲", "支持主管", "YW-JS", ""),
        ("A2", "乙", "支持专员", "YW-JS", "A1"),
        ("A3", "丙", "支持专员", "技术支持部", "A1"),
    ]
    apply("花名册.csv", csv_file(rows), hr_user)
    assert post_of("A2") == post_of("A3")
    assert (post_of("A2").code, post_of("A2").headcount) == ("YW-JS-02", 2)


def test_two_departments_of_the_same_name_ask_for_the_code(db, hr_user):
    Department.objects.create(code="EAST", name="重名部")
    Department.objects.create(code="WEST", name="重名部")
    before = state()
    rows = [("A1", "甲", "主管", "", ""), ("A2", "乙", "专员", "重名部", "A1")]
    report = refused("花名册.xlsx", xlsx(rows), hr_user)

    assert errors_at(report) == [(SHEET, 3, "部门")]
    message = report.errors[0].message
    assert "重名部" in message and "EAST" in message and "WEST" in message and "code" in message
    assert state() == before

    # Given by its code, the same department is fine.
    apply("花名册.xlsx", xlsx([("A1", "甲", "主管", "", ""), ("A2", "乙", "专员", "WEST", "A1")]), hr_user)
    assert post_of("A2").department.code == "WEST"


# ---------------------------------------------------------------------------------------------
# 4. A database with positions already


def test_reimporting_the_same_roster_changes_nothing(db, hr_user, big_roster):
    data = roster_xlsx(big_roster)
    apply("花名册.xlsx", data, hr_user)
    before = state()

    again = apply("花名册.xlsx", data, hr_user)
    assert state() == before
    assert {row.status for row in again.rows} == {"unchanged"}
    assert again.totals()["new"] == again.totals()["changed"] == 0
    assert again.new_departments == []
    assert all(post["existing"] for post in again.derived)
    # The same roster as a CSV is the same roster.
    assert {row.status for row in apply("花名册.csv", roster_csv(big_roster), hr_user).rows} == {"unchanged"}
    assert state() == before


def test_reimporting_a_roster_with_a_post_without_department_changes_nothing(db, hr_user):
    apply("销售花名册.xlsx", xlsx(sales_roster()), hr_user)
    before = state()
    again = apply("销售花名册.csv", csv_file(sales_roster()), hr_user)
    assert {row.status for row in again.rows} == {"unchanged"}
    assert state() == before
    assert {post["code"] for post in again.derived if post["existing"]} >= {"P-01", "D001-01"}


def test_the_seed_roster_joins_the_posts_on_file(seed, hr_user):
    """People whose title and department match a seed post under the matching superior join it."""
    positions_before = Position.objects.count()
    rows = [
        ("L1", "周领导", "分管领导", "", ""),
        ("L2", "吴经理", "运维部经理", "运维部", "L1"),
        ("L3", "郑经理", "技术支持部经理", "YW-JS", "L2"),
        ("T1", "王工", "技术工程师", "技术支持部", "L3"),
        ("T2", "冯工", "技术工程师", "技术支持部", "L3"),
        ("C1", "陈代表", "客户服务代表", "客户服务部", "L2"),  # the seed's is under the 客服部经理: a new post
    ]
    report = apply("花名册.xlsx", xlsx(rows), hr_user)

    assert post_of("L1").code == "DPT-YW-N01"
    assert post_of("L2").code == "DPT-YW-01"
    assert post_of("L3").code == "DPT-YW-04"
    engineers = Position.objects.get(code="DPT-YW-N04")
    assert post_of("T1") == post_of("T2") == engineers
    assert engineers.headcount == 2  # was 1: raised to its holders
    assert Position.objects.get(code="DPT-YW-01").headcount == 1  # not lowered, not raised
    # A title under another superior post than the seed's is a new post.
    new = post_of("C1")
    assert (new.code, new.parent.code, new.department.code) == ("YW-KF-01", "DPT-YW-01", "YW-KF")
    assert Position.objects.count() == positions_before + 1
    assert report.new_departments == []

    statuses = {row.key: row.status for row in report.rows if row.sheet == SHEET and row.key.startswith("DPT")}
    assert statuses["DPT-YW-N01"] == statuses["DPT-YW-04"] == "unchanged"
    assert statuses["DPT-YW-N04"] == "changed"
    (change,) = next(row.changes for row in report.rows if row.key == "DPT-YW-N04")
    assert (change["before"], change["after"]) == ("1", "2")
    # The seed's published descriptions keep their status.
    assert Position.objects.get(code="DPT-YW-N04").status == Position.Status.PUBLISHED


def test_headcount_is_not_raised_when_the_post_has_room(seed, hr_user):
    Position.objects.filter(code="DPT-YW-N04").update(headcount=3)
    rows = [
        ("L1", "周领导", "分管领导", "", ""),
        ("L2", "吴经理", "运维部经理", "运维部", "L1"),
        ("L3", "郑经理", "技术支持部经理", "YW-JS", "L2"),
        ("T1", "王工", "技术工程师", "技术支持部", "L3"),
        ("T2", "冯工", "技术工程师", "技术支持部", "L3"),
    ]
    report = apply("花名册.xlsx", xlsx(rows), hr_user)
    assert Position.objects.get(code="DPT-YW-N04").headcount == 3
    assert next(row.status for row in report.rows if row.key == "DPT-YW-N04") == "unchanged"


def test_a_manager_on_file_with_a_primary_post_is_accepted(seed, hr_user):
    boss = Person.objects.create(employee_number="K0004", name="王经理")
    Assignment.objects.create(person=boss, position=Position.objects.get(code="DPT-YW-04"))
    rows = [
        ("T1", "王工", "技术工程师", "技术支持部", "K0004"),  # the seed's post under DPT-YW-04
        ("T2", "冯工", "技术工程师", "技术支持部", "K0004"),
        ("Q1", "褚员", "质检员", "技术支持部", "K0004"),  # a new post under DPT-YW-04
    ]
    report = apply("花名册.csv", csv_file(rows), hr_user)
    assert not report.errors

    assert post_of("T1").code == post_of("T2").code == "DPT-YW-N04"
    assert Position.objects.get(code="DPT-YW-N04").headcount == 2
    inspector = post_of("Q1")
    assert (inspector.code, inspector.parent.code, inspector.headcount) == ("YW-JS-01", "DPT-YW-04", 1)
    # The manager is not on the roster: left as they were.
    assert post_of("K0004").code == "DPT-YW-04"


def test_joining_a_post_with_holders_on_file_counts_them_in_the_headcount(seed, hr_user):
    """BUG (transfers/roster.py, headcount of an existing post): the roster's people join the post,
    the holder on file keeps it, but the headcount counts only the roster's people: 3 holders for
    2 places, and the post is listed as over headcount (超编) right after the import."""
    earlier = Person.objects.create(employee_number="X1", name="老员工")
    Assignment.objects.create(person=earlier, position=Position.objects.get(code="DPT-YW-N04"))
    boss = Person.objects.create(employee_number="K0004", name="王经理")
    Assignment.objects.create(person=boss, position=Position.objects.get(code="DPT-YW-04"))
    rows = [("T1", "王工", "技术工程师", "技术支持部", "K0004"), ("T2", "冯工", "技术工程师", "技术支持部", "K0004")]
    apply("花名册.csv", csv_file(rows), hr_user)

    engineers = Position.objects.get(code="DPT-YW-N04")
    assert primary_holders(engineers) == {"X1", "T1", "T2"}
    assert engineers.headcount >= 3


def test_a_new_department_under_a_manager_on_file_sits_in_the_managers_department(seed, hr_user):
    """BUG (transfers/roster.py, department_of): "a new department sits under the department of its
    first member's manager" — but when that manager is on file (not a roster row) the new
    department is put at the top of the department tree instead of under the manager's."""
    boss = Person.objects.create(employee_number="K0004", name="王经理")
    Assignment.objects.create(person=boss, position=Position.objects.get(code="DPT-YW-04"))
    rows = [("Q1", "褚员", "质检员", "质检部", "K0004")]
    report = apply("花名册.csv", csv_file(rows), hr_user)

    inspection = post_of("Q1").department
    assert (inspection.code, inspection.name) == ("D001", "质检部")
    assert post_of("Q1").parent.department.code == "YW-JS"
    assert report.new_departments == [{"code": "D001", "name": "质检部", "parent": "YW-JS"}]
    assert inspection.parent is not None and inspection.parent.code == "YW-JS"


def test_a_manager_on_file_without_a_primary_post_is_not(seed, hr_user):
    helper = Person.objects.create(employee_number="K0005", name="兼职者")
    Assignment.objects.create(
        person=helper, position=Position.objects.get(code="DPT-YW-04"), kind=Assignment.Kind.CONCURRENT
    )
    Person.objects.create(employee_number="K0006", name="无岗者")
    before = state()
    rows = [("T1", "王工", "技术工程师", "技术支持部", "K0005"), ("T2", "冯工", "技术工程师", "技术支持部", "K0006")]
    report = refused("花名册.csv", csv_file(rows), hr_user)
    assert errors_at(report) == [("花名册.csv", 2, "直接上级工号"), ("花名册.csv", 3, "直接上级工号")]
    assert "K0005" in report.errors[0].message and "K0006" in report.errors[1].message
    assert state() == before


# ---------------------------------------------------------------------------------------------
# 5. Preview, then apply


def test_the_preview_writes_nothing_and_shows_what_would_be_derived(db, hr_user):
    rows = sales_roster()
    before = state()
    report = importing.preview(book("销售花名册.xlsx", xlsx(rows)), hr_user)
    assert state() == before
    assert not report.applied and not report.errors

    assert [(d["code"], d["name"]) for d in report.new_departments] == [
        ("D001", "总经办"),
        ("D002", "销售部"),
        ("D003", "市场部"),
    ]
    derived = {post["code"]: post for post in report.derived}
    assert len(derived) == 7
    representatives = derived["D002-04"]
    assert (representatives["title"], representatives["department"], representatives["reports_to"]) == (
        "销售代表",
        "D002",
        "D002-02",
    )
    assert representatives["department_name"] == "销售部"
    assert representatives["headcount"] == 29 and not representatives["existing"]
    assert sorted(representatives["people"]) == sorted(f"代表{i:02d} (S{i:02d})" for i in range(1, 30))
    assert derived["D002-02"]["people"] == [f"经理M{i} (M{i})" for i in range(1, 6)]
    assert derived["P-01"]["department"] is None and derived["P-01"]["people"] == ["孙顾问 (E003)"]
    assert derived["D001-01"]["reports_to"] is None

    # The preview's rows: new departments, new positions, new people.
    statuses = Counter(row.status for row in report.rows)
    assert statuses == {"new": 3 + 7 + len(rows)}

    # Applying gives what the preview showed.
    applied = importing.apply(book("销售花名册.xlsx", xlsx(rows)), hr_user)
    assert applied.derived == report.derived and applied.new_departments == report.new_departments
    for code, post in derived.items():
        position = Position.objects.get(code=code)
        assert position.headcount == post["headcount"]
        assert {f"{n}" for n in primary_holders(position)} == {p.rsplit("(", 1)[1][:-1] for p in post["people"]}


def test_apply_is_one_action_in_history(db, hr_user):
    report = apply("销售花名册.xlsx", xlsx(sales_roster()), hr_user)
    assert report.applied

    versions = Position.history.all()
    assert versions.count() == Position.objects.count() == 7  # one version per post
    assert set(versions.values_list("history_change_reason", flat=True)) == {"Imported from 销售花名册.xlsx"}
    assert set(versions.values_list("history_user", flat=True)) == {hr_user.pk}
    assert versions.values("action").distinct().count() == 1
    # The version records the holders the post got in the same action.
    version = versions.get(code="D002-02")
    assert sorted(h["employee_number"] for h in version.document["holders"]) == [f"M{i}" for i in range(1, 6)]
    assert version.document["filled"] == 5


def test_apply_is_all_or_nothing(db, hr_user):
    """Departments and posts are written before the people; a person refused later undoes them all."""
    Person.objects.create(employee_number="X1", name="别人", user=hr_user)
    before = state()
    rows = [*sales_roster(), ("E006", "吴新", "助理", "销售部", "E002", hr_user.username)]
    report = refused("销售花名册.xlsx", xlsx(rows), hr_user)
    assert errors_at(report) == [(SHEET, len(rows) + 1, "登录名")]
    assert "X1" in report.errors[0].message
    assert state() == before


# ---------------------------------------------------------------------------------------------
# 6. Bad rosters: the error names the sheet, row and column; nothing is written


def _refused_with(rows, *, name="花名册.xlsx", fmt="xlsx"):
    before = state()
    data = xlsx(rows) if fmt == "xlsx" else csv_file(rows)
    report = refused(name, data)
    assert state() == before
    return report


def test_a_manager_number_no_row_has(db):
    rows = [("A1", "甲", "主管", "部", ""), ("A2", "乙", "专员", "部", "A9"), ("A3", "丙", "专员", "部", "A1")]
    report = _refused_with(rows)
    assert errors_at(report) == [(SHEET, 3, "直接上级工号")]
    assert "A9" in report.errors[0].message


def test_a_manager_number_no_row_has_in_a_gb18030_csv(db):
    rows = [("A1", "甲", "主管", "部", ""), ("A2", "乙", "专员", "部", "A9")]
    report = _refused_with(rows, name="名单.csv", fmt="csv")
    assert errors_at(report) == [("名单.csv", 3, "直接上级工号")]


def test_a_management_loop(db):
    rows = [
        ("T0", "顶", "总经理", "部", ""),
        ("A", "甲", "主管", "部", "B"),
        ("B", "乙", "经理", "部", "C"),
        ("C", "丙", "总监", "部", "A"),
        ("D", "丁", "专员", "部", "A"),
    ]
    report = _refused_with(rows)
    assert errors_at(report) == [(SHEET, 3, "直接上级工号")]
    message = report.errors[0].message
    assert "A → B → C → A" in message


def test_a_person_who_is_their_own_manager(db):
    rows = [("A1", "甲", "主管", "部", ""), ("A2", "乙", "专员", "部", "A2")]
    report = _refused_with(rows)
    assert errors_at(report) == [(SHEET, 3, "直接上级工号")]
    assert "own manager" in report.errors[0].message


def test_a_duplicated_employee_number(db):
    rows = [("A1", "甲", "主管", "部", ""), ("A2", "乙", "专员", "部", "A1"), ("A2", "丙", "专员", "部", "A1")]
    report = _refused_with(rows)
    assert errors_at(report) == [(SHEET, 4, "工号")]
    assert "A2" in report.errors[0].message and "row 3" in report.errors[0].message


def test_a_missing_title(db):
    rows = [("A1", "甲", "主管", "部", ""), ("A2", "乙", "", "部", "A1")]
    report = _refused_with(rows)
    assert errors_at(report) == [(SHEET, 3, "岗位")]


def test_a_missing_name(db):
    rows = [("A1", "甲", "主管", "部", ""), ("A2", "", "专员", "部", "A1")]
    report = _refused_with(rows)
    assert errors_at(report) == [(SHEET, 3, "姓名")]


def test_a_missing_name_in_english_headers_names_the_english_column(db):
    report = refused("roster.csv", csv_file([("A1", "", "Lead", "", "")], encoding="utf-8", headers=ENGLISH))
    assert errors_at(report) == [("roster.csv", 2, "name")]


def test_the_errors_show_where_they_are(db):
    report = _refused_with([("A1", "甲", "主管", "部", ""), ("A2", "", "专员", "部", "A1")])
    where = str(report.errors[0])
    assert SHEET in where and "3" in where and "姓名" in where


def test_a_roster_with_a_positions_sheet_is_refused(db):
    before = state()
    positions = [["岗位编码", "岗位名称", "部门编码", "直接上级编码"], ["X-01", "主管", "", ""]]
    data = xlsx([("A1", "甲", "主管", "部", "")], extra={"岗位": positions})
    report = refused("组织.xlsx", data)
    assert len(report.errors) == 1
    assert report.errors[0].sheet == SHEET
    assert "positions" in report.errors[0].message
    assert state() == before


def test_a_roster_with_a_people_sheet_is_refused(db):
    people = [["工号", "姓名", "主岗编码"], ["A1", "甲", ""]]
    report = refused("组织.xlsx", xlsx([("A1", "甲", "主管", "部", "")], extra={"人员": people}))
    assert len(report.errors) == 1 and report.errors[0].sheet == SHEET


# ---------------------------------------------------------------------------------------------
# 7. What a roster from HR looks like


def test_extra_columns_are_ignored_with_a_warning(db, hr_user):
    headers = [*HEADERS, "性别", "入职日期"]
    rows = [
        ("A1", "甲", "主管", "部", "", "", "男", date(2020, 3, 1)),
        ("A2", "乙", "专员", "部", "A1", "", "女", date(2021, 5, 9)),
    ]
    report = apply("花名册.xlsx", xlsx(rows, headers=headers), hr_user)
    assert report.applied and not report.errors
    assert {(w.sheet, w.column) for w in report.warnings} >= {(SHEET, "性别"), (SHEET, "入职日期")}
    assert all("ignored" in w.message for w in report.warnings)
    assert post_of("A2").parent == post_of("A1")
    # And the CSV with the same columns.
    gb = csv_file([(*row[:7], row[7].isoformat()) for row in rows], headers=headers)
    preview = importing.preview(book("花名册.csv", gb), hr_user)
    assert not preview.errors
    assert {(w.sheet, w.column) for w in preview.warnings} >= {("花名册.csv", "性别"), ("花名册.csv", "入职日期")}


TITLE = "某某公司2024年员工花名册"


@pytest.mark.parametrize(
    "fmt, above",
    [
        ("xlsx", [[TITLE], []]),
        ("csv", [[TITLE]]),
        # BUG (transfers/reading.py:234): when a sheet's first row is blank (the title on row 2),
        # every row is numbered as if the sheet began at its first used row *and* counted the blank
        # rows again: errors and report rows name a row the user cannot find.
        ("xlsx", [[], [TITLE]]),
        ("xlsx", [[], [TITLE], []]),
    ],
    ids=["xlsx-title-on-row-1", "csv-title-on-row-1", "xlsx-title-on-row-2", "xlsx-title-on-row-2-blank-row-3"],
)
def test_a_title_row_above_the_headers(db, hr_user, fmt, above):
    rows = sales_roster()
    data = xlsx(rows, above=above) if fmt == "xlsx" else csv_file(rows, above=above)
    report = apply(f"花名册.{fmt}", data, hr_user)
    assert report.applied and not report.errors
    assert post_of("S01").headcount == 29
    # Row numbers stay those of the file.
    first_data_row = len(above) + 2
    person_rows = {row.key: row.row for row in report.rows if row.key == "E001"}
    assert person_rows == {"E001": first_data_row}
    bad = [*rows[:3], (rows[3][0], "", *rows[3][2:])]
    data = xlsx(bad, above=above) if fmt == "xlsx" else csv_file(bad, above=above)
    errors = refused(f"花名册.{fmt}", data)
    sheet = SHEET if fmt == "xlsx" else f"花名册.{fmt}"
    assert errors_at(errors) == [(sheet, first_data_row + 3, "姓名")]


# ---------------------------------------------------------------------------------------------
# 8. The command line


def test_import_org_imports_a_roster_csv(db, tmp_path):
    path = tmp_path / "roster.csv"
    path.write_bytes(csv_file(sales_roster()))
    out = io.StringIO()
    call_command("import_org", str(path), stdout=out, stderr=io.StringIO())
    assert "Imported" in out.getvalue()
    assert post_of("S01").headcount == 29
    assert Position.objects.count() == 7
    assert set(Position.history.values_list("history_change_reason", flat=True)) == {"Imported from roster.csv"}


def test_import_org_dry_run_writes_nothing(db, tmp_path):
    path = tmp_path / "roster.csv"
    path.write_bytes(csv_file(sales_roster()))
    before = state()
    out = io.StringIO()
    call_command("import_org", str(path), "--dry-run", stdout=out, stderr=io.StringIO())
    assert state() == before
    assert "nothing was written" in out.getvalue()
    assert "D002-04" in out.getvalue()  # the output shows the posts it would create


def test_import_org_refuses_a_bad_roster(db, tmp_path):
    path = tmp_path / "roster.csv"
    path.write_bytes(csv_file([("A1", "甲", "主管", "部", "A1")]))
    errors = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_org", str(path), stdout=io.StringIO(), stderr=errors)
    assert "roster.csv" in errors.getvalue() and "直接上级工号" in errors.getvalue()
    assert not Position.objects.exists() and not Person.objects.exists()
