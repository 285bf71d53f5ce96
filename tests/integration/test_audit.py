"""The audit log (/audit/, Administrators): what it shows, how it filters, and the CSV it downloads.

The organisation: the seed, loaded by the system at 2026-01-10 09:00 (one version of each of its 12
posts), then four changes at instants the test names, by two people, with comments; two comments
and one title begin with what a spreadsheet would run as a formula.
"""

import csv
import io
import re

import pytest
from django.core.management import call_command
from django.test import Client

from org_tree.models import Department
from positions import history
from positions.services.editing import Save, delete_position, save_documents
from tests.integration.test_bad_input import parse_html
from tests.integration.test_editor import open_editor
from tests.integration.test_history import SEEDED, Clock, shanghai

FORMULA = '=HYPERLINK("http://example.com","点我")'
SEED_COMMENT = "load_seed seed_yunwei.json"

# (when, login, code, title, department, comment, what changed): the four changes, newest first.
DELETED = ("2026-03-20 16:45:00", "hannah-hr", "DPT-YW-N03", "辅助采购助理", "运维部", "-撤销岗位", "已删除")
CREATED = ("2026-03-01 09:15:00", "hannah-hr", "AUD-01", "@值班长", "增值业务部", "+86 电话回访", "新建")
PURPOSE = ("2026-02-10 11:30:00", "alice-admin", "DPT-YW-04", "技术支持部经理", "技术支持部", FORMULA, "岗位目的")
RENAMED = (
    "2026-02-02 10:00:00",
    "hannah-hr",
    "DPT-YW-03",
    "客户服务代表（热线）",
    "客户服务部",
    "热线岗位更名",
    "岗位名称",
)
CHANGES = [DELETED, CREATED, PURPOSE, RENAMED]
# The seed's posts, as the seed names their departments (DPT-YW-N01 has none).
SEEDED_POSTS = {
    "DPT-YW-N01": ("分管领导", ""),
    "DPT-YW-01": ("运维部经理", "运维部"),
    "DPT-YW-02": ("客户服务部经理", "客户服务部"),
    "DPT-YW-03": ("客户服务代表", "客户服务部"),
    "DPT-YW-04": ("技术支持部经理", "技术支持部"),
    "DPT-YW-05": ("技术支持部副经理", "技术支持部"),
    "DPT-YW-N02": ("增值业务部经理", "增值业务部"),
    "DPT-YW-N03": ("辅助采购助理", "运维部"),
    "DPT-YW-N04": ("技术工程师", "技术支持部"),
    "DPT-YW-N05": ("网络管理工程师", "技术支持部"),
    "DPT-YW-N06": ("成品验收员", "技术支持部"),
    "DPT-YW-N07": ("故障品验收员", "技术支持部"),
}


@pytest.fixture
def clock(monkeypatch):
    clock = Clock(SEEDED)
    monkeypatch.setattr(history, "clock", clock)
    return clock


@pytest.fixture
def seed(clock, db):
    """The seed, loaded by `manage.py load_seed` at SEEDED (overrides conftest's, whose time is now)."""
    call_command("load_seed", verbosity=0)


@pytest.fixture
def changes(seed, clock, hr_user, admin_user):
    """The four changes of CHANGES, each at its instant, by its login, with its comment."""
    clock.now = shanghai(2026, 2, 2, 10, 0)
    with history.acting(hr_user, RENAMED[5]):
        save_documents([Save({"title": RENAMED[3]}, code=RENAMED[2])])
    clock.now = shanghai(2026, 2, 10, 11, 30)
    with history.acting(admin_user, FORMULA):
        save_documents([Save({"purpose": "带领技术支持团队保障网络稳定运行。"}, code=PURPOSE[2])])
    clock.now = shanghai(2026, 3, 1, 9, 15)
    with history.acting(hr_user, CREATED[5]):
        new = {"code": "AUD-01", "title": CREATED[3], "department": "YW-ZZ", "reports_to": "DPT-YW-N02"}
        save_documents([Save({**new, "status": "draft"})])
    clock.now = shanghai(2026, 3, 20, 16, 45)
    with history.acting(hr_user, DELETED[5]):
        delete_position("DPT-YW-N03")


@pytest.fixture
def auditor(admin_user):
    client = Client()
    client.force_login(admin_user)
    return client


def seeded(code):
    title, department = SEEDED_POSTS[code]
    return ("2026-01-10 09:00:00", "系统", code, title, department, SEED_COMMENT, "新建")


EVERYTHING = CHANGES + [seeded(code) for code in SEEDED_POSTS]


def department(code):
    return str(Department.objects.get(code=code).pk)


def shown(response):
    """(when, by, code, title, department, comment, what changed) of each row the page shows, in its order."""
    assert response.status_code == 200, response.status_code
    page = parse_html(response)
    rows = []
    for row in page.find("table", cls="versions").find("tbody").find_all("tr"):
        cells = row.find_all("td")
        if len(cells) == 1:  # "No change matches."
            continue
        when, by, position, unit, comment, summary = (cell.text().strip() for cell in cells)
        link = cells[2].find("a")
        code = link.find("span", cls="code").text()
        assert link.attrs["href"] == f"/positions/{code}/history/"
        title = position.removesuffix(code).strip()
        rows.append((when, by, code, title, unit, comment, summary))
    return rows


def count_line(response):
    return re.search(r"<p>(\d+ 条变更)</p>", response.content.decode()).group(1)


def errors_at(response, name):
    field = parse_html(response).find("div", cls=f"field-{name}")
    errors = field.find("ul", cls="errorlist")
    return [item.text() for item in errors.find_all("li")] if errors else []


# ---------------------------------------------------------------------------------------------
# What it shows


def test_the_audit_log_shows_who_changed_which_post_when_and_why_newest_first(auditor, changes):
    response = auditor.get("/audit/")

    rows = shown(response)
    assert rows[:4] == CHANGES
    assert sorted(rows[4:]) == sorted(seeded(code) for code in SEEDED_POSTS)  # the seed: one action, one instant
    assert count_line(response) == "16 条变更"


def test_a_change_made_in_the_editor_is_logged_with_its_author_and_what_changed_comment(auditor, seed, hr_user, clock):
    editor = Client()
    editor.force_login(hr_user)
    clock.now = shanghai(2026, 4, 1, 8, 30)
    data = open_editor(editor, "/positions/DPT-YW-05/edit/")
    data["h-title"] = "技术支持部副经理（运维）"
    data["change_comment"] = "按新编制更名"
    assert editor.post("/positions/DPT-YW-05/edit/", data).status_code == 302

    rows = shown(auditor.get("/audit/"))

    assert rows[0] == (
        "2026-04-01 08:30:00",
        "hannah-hr",
        "DPT-YW-05",
        "技术支持部副经理（运维）",
        "技术支持部",
        "按新编制更名",
        "岗位名称",
    )


# ---------------------------------------------------------------------------------------------
# Filters: each alone, and together


def codes_and_times(rows):
    """(code, when) of each row, asserting that they come newest first; sorted, since the seed's versions
    share one instant."""
    rows = list(rows)
    times = [row[0] for row in rows]
    assert times == sorted(times, reverse=True), "not newest first"
    return sorted((row[2], row[0]) for row in rows)


def expected(keep):
    return codes_and_times(row for row in EVERYTHING if keep(row))


JS_POSTS = {"DPT-YW-04", "DPT-YW-05", "DPT-YW-N04", "DPT-YW-N05", "DPT-YW-N06", "DPT-YW-N07"}


@pytest.mark.parametrize(
    ("query", "keep"),
    [
        pytest.param({"person": "alice-admin"}, lambda row: row[1] == "alice-admin", id="login"),
        pytest.param({"person": " hannah-hr "}, lambda row: row[1] == "hannah-hr", id="login with spaces around"),
        pytest.param({"person": "nobody"}, lambda row: False, id="a login that changed nothing"),
        pytest.param({"position": "DPT-YW-03"}, lambda row: row[2] == "DPT-YW-03", id="position"),
        pytest.param({"position": "DPT-YW-N03"}, lambda row: row[2] == "DPT-YW-N03", id="a deleted position"),
        pytest.param(
            {"department": "YW-JS"}, lambda row: row[2] in JS_POSTS, id="a department without sub-departments"
        ),
        pytest.param(
            {"department": "YW"}, lambda row: row[2] != "DPT-YW-N01", id="a department and its sub-departments"
        ),
        pytest.param({"since": "2026-02-03"}, lambda row: row[0] >= "2026-02-03", id="from a day on"),
        pytest.param({"until": "2026-01-10"}, lambda row: row[0] < "2026-01-11", id="up to and including a day"),
        pytest.param(
            {"since": "2026-02-02", "until": "2026-02-10"},
            lambda row: "2026-02-02" <= row[0] < "2026-02-11",
            id="both ends of a range included",
        ),
        pytest.param(
            {"person": "hannah-hr", "department": "YW", "since": "2026-03-01"},
            lambda row: row in (DELETED, CREATED),
            id="login, department and dates together",
        ),
    ],
)
def test_each_filter_keeps_exactly_the_changes_it_names(auditor, changes, query, keep):
    if "department" in query:
        query = {**query, "department": department(query["department"])}

    response = auditor.get("/audit/", query)

    assert codes_and_times(shown(response)) == expected(keep)
    if not expected(keep):
        assert "没有符合条件的变更。" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        pytest.param({"since": "2026-02-30"}, "since", "输入一个有效的日期。", id="no such day"),
        pytest.param({"until": "yesterday"}, "until", "输入一个有效的日期。", id="not a date"),
        pytest.param({"since": "0001-01-01"}, "since", "请填写 1900 年至 9000 年之间的日期。", id="too early"),
        pytest.param({"until": "9999-12-31"}, "until", "请填写 1900 年至 9000 年之间的日期。", id="too late"),
        pytest.param(
            {"since": "2026-03-01", "until": "2026-02-01"}, "until", "结束日期早于开始日期。", id="end before start"
        ),
    ],
)
def test_a_bad_date_is_explained_at_its_field_and_lists_nothing(auditor, changes, query, field, message):
    response = auditor.get("/audit/", query)

    assert errors_at(response, field) == [message]
    assert shown(response) == [] and count_line(response) == "0 条变更"
    assert parse_html(response).find("input", name=field).attrs["value"] == query[field]  # kept, to be corrected
    download = auditor.get("/audit/", {**query, "format": "csv"})
    (header,) = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))  # the header alone
    assert header[0] == "时间"


def test_a_department_that_is_not_there_is_explained_at_the_filter_and_lists_nothing(auditor, changes):
    """A link kept from before a department was deleted: the filter says so, rather than an unexplained empty log."""
    response = auditor.get("/audit/", {"department": "99999"})

    assert errors_at(response, "department") == ["选择一个有效的选项： 该选择不在可用的选项中。"]
    assert shown(response) == [] and count_line(response) == "0 条变更"


def test_the_pages_of_a_filtered_log_keep_the_filter(auditor, changes, monkeypatch):
    monkeypatch.setattr("positions.views.audit.PAGE_SIZE", 5)
    query = {"department": department("YW")}
    wanted = expected(lambda row: row[2] != "DPT-YW-N01")  # 15 changes: 3 pages

    pages = [auditor.get("/audit/", {**query, "page": str(number)}) for number in (1, 2, 3)]
    pager = parse_html(pages[0]).find("nav", cls="pager")
    assert "第 1 页，共 3 页" in pager.text()
    (following,) = [link.attrs["href"] for link in pager.find_all("a")]
    assert following == f"?department={query['department']}&page=2"

    rows = [row for page in pages for row in shown(page)]
    assert [len(shown(page)) for page in pages] == [5, 5, 5]
    assert codes_and_times(rows) == wanted  # every change once, over the pages, newest first


# ---------------------------------------------------------------------------------------------
# The CSV download

CSV_HEADER_EN = ["When", "By", "Position code", "Position title", "Department", "Kind", "Comment", "What changed"]


def download(client, query=None):
    response = client.get("/audit/", {**(query or {}), "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="audit.csv"'
    return response


def test_the_csv_header_in_chinese_names_the_kind_of_change_not_a_kind_of_post(auditor, changes):
    text = download(auditor).content.decode("utf-8").removeprefix("\ufeff")
    header = next(csv.reader(io.StringIO(text)))
    assert header[5] == "变更类型" and "任职类型" not in header


def test_the_csv_opens_with_a_bom_then_the_header_and_every_change(auditor, changes):
    auditor.cookies["django_language"] = "en"

    response = download(auditor)

    assert response.content.startswith(b"\xef\xbb\xbf")  # Excel and WPS read UTF-8 Chinese only with it
    text = response.content.decode("utf-8")
    assert text.count("\ufeff") == 1
    header, *rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert header == CSV_HEADER_EN
    assert [row[:7] for row in rows[:4]] == [
        ["2026-03-20T16:45:00.000+08:00", "hannah-hr", "DPT-YW-N03", "辅助采购助理", "运维部", "Deleted", "'-撤销岗位"],
        ["2026-03-01T09:15:00.000+08:00", "hannah-hr", "AUD-01", "'@值班长", "增值业务部", "Created", "'+86 电话回访"],
        ["2026-02-10T11:30:00.000+08:00", "alice-admin", "DPT-YW-04", "技术支持部经理", "技术支持部", "Changed",
         "'" + FORMULA],
        ["2026-02-02T10:00:00.000+08:00", "hannah-hr", "DPT-YW-03", "客户服务代表（热线）", "客户服务部", "Changed",
         "热线岗位更名"],
    ]  # fmt: skip
    # What changed: the field's label (its capitals are the catalogue's business).
    assert [row[7].casefold() for row in rows[:4]] == ["deleted", "created", "purpose", "position title"]
    assert sorted(rows[4:]) == sorted(
        ["2026-01-10T09:00:00.000+08:00", "system", code, title, unit, "Created", SEED_COMMENT, "Created"]
        for code, (title, unit) in SEEDED_POSTS.items()
    )


def test_no_cell_of_the_csv_starts_a_formula(auditor, changes):
    header, *rows = list(csv.reader(io.StringIO(download(auditor).content.decode("utf-8-sig"))))

    cells = [cell for row in rows for cell in row]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert {"'" + FORMULA, "'@值班长", "'+86 电话回访", "'-撤销岗位"} <= set(cells)
    assert header[0] == "时间" and "系统" in cells  # in the reader's language


def test_the_csv_link_downloads_what_the_filtered_page_shows(auditor, changes):
    query = {"person": "hannah-hr", "since": "2026-02-01"}
    page = auditor.get("/audit/", query)
    (link,) = [a.attrs["href"] for a in parse_html(page).find("form", cls="filters").find_all("a")]
    assert link.startswith("?") and link.endswith("format=csv")

    response = auditor.get("/audit/" + link)

    _header, *rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [(row[2], row[1]) for row in rows] == [(row[2], row[1]) for row in shown(page)]
    assert [row[2] for row in rows] == ["DPT-YW-N03", "AUD-01", "DPT-YW-03"]
