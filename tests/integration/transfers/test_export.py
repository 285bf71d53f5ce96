"""Exports: the whole organisation, a list's or staffing table's positions, large exports as jobs, the admin action.

Every file is read back as a person would open it: the workbook with openpyxl, the CSV with the
csv module (after the BOM Excel needs). Filters are those of the page the export link sits on:
the test follows the link the page itself shows.
"""

import csv
import html
import io
import re

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from org_tree.models import Department
from positions.access import can_see_drafts, may_transfer
from positions.forms.filters import PositionFilterForm
from positions.models import Position
from positions.services.editing import Save, save_documents
from tests.conftest import make_user
from tests.helpers import document_of
from transfers import jobs
from transfers.format import DUTIES, POSITIONS, neutralise, restore
from transfers.models import Job
from transfers.reading import read_upload
from transfers.writing import headers

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WORKBOOK_SHEETS = ["部门", "职位体系", "岗位", "岗位职责", "任职条件", "培训要求", "工作权限", "内部关系", "外部关系", "考核标准", "人员"]  # fmt: skip
ALL_CODES = {
    "DPT-YW-N01", "DPT-YW-01", "DPT-YW-02", "DPT-YW-03", "DPT-YW-04", "DPT-YW-05",
    "DPT-YW-N02", "DPT-YW-N03", "DPT-YW-N04", "DPT-YW-N05", "DPT-YW-N06", "DPT-YW-N07",
}  # fmt: skip
JS_CODES = {"DPT-YW-04", "DPT-YW-05", "DPT-YW-N04", "DPT-YW-N05", "DPT-YW-N06", "DPT-YW-N07"}  # 技术支持部


def login(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def hr(seed, hr_user):
    return login(hr_user)


def workbook_of(response):
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"].startswith("attachment;")
    return openpyxl.load_workbook(io.BytesIO(response.content))


def rows_of(workbook, sheet):
    """The sheet's rows after its header, as lists of values."""
    return [list(row) for row in workbook[sheet].iter_rows(min_row=2, values_only=True)]


def position_codes(workbook):
    return {row[0] for row in rows_of(workbook, POSITIONS.zh)}


def csv_rows(response):
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
    assert response.content.startswith(b"\xef\xbb\xbf"), "no UTF-8 BOM: Excel would not read the Chinese"
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))


def export_link(page):
    """The export links a page shows (href, unescaped)."""
    links = [html.unescape(href) for href in re.findall(r'href="(/transfers/export/[^"]*)"', page)]
    assert links, "the page shows no export link"
    return links


def department(code):
    return Department.objects.get(code=code)


# ---------------------------------------------------------------------------------------------
# The whole organisation.


def test_the_whole_organisation_as_a_workbook(hr):
    response = hr.get("/transfers/export/")
    assert re.fullmatch(r'attachment; filename="organisation-\d{8}-\d{4}\.xlsx"', response["Content-Disposition"])
    workbook = workbook_of(response)
    assert workbook.sheetnames == WORKBOOK_SHEETS
    # The Chinese headers, the required ones marked with a *.
    assert next(workbook[POSITIONS.zh].iter_rows(max_row=1, values_only=True)) == tuple(
        f"{name}*" if name in ("岗位编码", "岗位名称") else name for name in headers(POSITIONS)
    )
    positions = {row[0]: row for row in rows_of(workbook, POSITIONS.zh)}
    assert set(positions) == ALL_CODES
    row = dict(zip([c.key for c in POSITIONS.columns], positions["DPT-YW-03"], strict=True))
    assert (row["title"], row["department"], row["reports_to"], row["headcount"], row["status"]) == (
        "客户服务代表",
        "YW-KF",
        "DPT-YW-02",
        1,
        "已发布",
    )
    assert {tuple(r) for r in rows_of(workbook, "部门")} == {
        ("YW", "运维部", None),
        ("YW-KF", "客户服务部", "YW"),
        ("YW-JS", "技术支持部", "YW"),
        ("YW-ZZ", "增值业务部", "YW"),
    }
    duties = [r for r in rows_of(workbook, DUTIES.zh) if r[0] == "DPT-YW-03"]
    stored = document_of("DPT-YW-03")["duties"]
    assert [r[2] for r in duties] == [d["text"] for d in stored]
    assert [r[1] for r in duties] == list(range(1, len(stored) + 1))


def test_the_positions_as_csv_with_a_bom_and_readable_chinese(hr):
    response = hr.get("/transfers/export/?format=csv")
    assert re.fullmatch(r'attachment; filename="organisation-\d{8}-\d{4}\.csv"', response["Content-Disposition"])
    rows = csv_rows(response)
    assert rows[0] == headers(POSITIONS)
    positions = {row[0]: row for row in rows[1:]}
    assert set(positions) == ALL_CODES
    assert positions["DPT-YW-03"][:4] == ["DPT-YW-03", "客户服务代表", "YW-KF", "DPT-YW-02"]
    assert positions["DPT-YW-N01"][3] == ""  # the top has no superior
    assert all(len(row) == len(POSITIONS.columns) for row in rows)


def test_an_export_reads_back_as_an_import_that_changes_nothing(hr, django_capture_on_commit_callbacks):
    for name, url in (("organisation.xlsx", "/transfers/export/"), ("positions.csv", "/transfers/export/?format=csv")):
        data = hr.get(url).content
        with django_capture_on_commit_callbacks(execute=True):
            response = hr.post("/transfers/", {"file": _upload(name, data)})
        job = Job.objects.get(pk=int(response.url.rstrip("/").rsplit("/", 1)[1]))
        assert job.status == Job.Status.PREVIEWED, (name, job.message, job.report.get("problems"))
        totals = job.report["totals"]
        assert (totals["new"], totals["changed"], totals["errors"], totals["deleted"]) == (0, 0, 0, 0), (name, totals)


def _upload(name, data):
    return SimpleUploadedFile(name, data)


# ---------------------------------------------------------------------------------------------
# The filters of the page the export link is on.


def listed_codes(client, query):
    response = client.get(f"/positions/?{query}")
    assert response.status_code == 200
    return {position.code for position in response.context["positions"]}, response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        "q=经理",
        "q=工程师",
        "department={YW-JS}",
        "department={YW-KF}&status=published",
        "q=验收&department={YW}",
        "department={YW}&scope=own",
    ],
)
def test_the_export_of_the_positions_list_holds_what_the_list_shows(hr, query):
    query = re.sub(r"\{([A-Z-]+)\}", lambda m: str(department(m[1]).pk), query)
    listed, page = listed_codes(hr, query)
    assert listed and listed != ALL_CODES, "the filter should leave some positions out"
    xlsx_link, csv_link = export_link(page)
    assert "format=csv" in csv_link and "format=csv" not in xlsx_link
    assert position_codes(workbook_of(hr.get(xlsx_link))) == listed
    assert {row[0] for row in csv_rows(hr.get(csv_link))[1:]} == listed


def test_an_export_with_the_list_filters_typed_in_holds_the_filtered_positions(hr):
    js = department("YW-JS").pk
    codes = position_codes(workbook_of(hr.get(f"/transfers/export/?department={js}")))
    assert codes == JS_CODES
    expected = PositionFilterForm({"q": "经理"})
    assert expected.is_valid()
    wanted = {p.code for p in expected.filter(Position.objects.all())}
    assert position_codes(workbook_of(hr.get("/transfers/export/?q=经理"))) == wanted
    # Invalid filters export nothing rather than everything, as the list shows nothing.
    assert position_codes(workbook_of(hr.get("/transfers/export/?department=999999"))) == set()


def test_a_filtered_export_keeps_the_departments_and_architecture_but_only_the_filtered_rows(hr):
    workbook = workbook_of(hr.get(f"/transfers/export/?department={department('YW-KF').pk}"))
    assert position_codes(workbook) == {"DPT-YW-02", "DPT-YW-03"}
    assert {r[0] for r in rows_of(workbook, DUTIES.zh)} <= {"DPT-YW-02", "DPT-YW-03"}
    assert {r[0] for r in rows_of(workbook, "考核标准")} <= {"DPT-YW-02", "DPT-YW-03"}
    assert len(rows_of(workbook, "部门")) == 4


@pytest.mark.parametrize(
    ("code", "expected"),
    [("YW-JS", JS_CODES), ("YW-KF", {"DPT-YW-02", "DPT-YW-03"}), ("YW", ALL_CODES - {"DPT-YW-N01"})],
)
def test_the_export_of_the_staffing_table_holds_the_departments_subtree(hr, code, expected):
    pk = department(code).pk
    response = hr.get(f"/staffing/?department={pk}")
    assert response.status_code == 200
    (link,) = export_link(response.content.decode())
    assert "scope=staffing" in link and f"department={pk}" in link
    assert position_codes(workbook_of(hr.get(link))) == expected
    assert position_codes(workbook_of(hr.get(f"/transfers/export/?scope=staffing&department={pk}"))) == expected


def test_the_staffing_export_of_no_department_is_the_whole_organisation(hr):
    (link,) = export_link(hr.get("/staffing/").content.decode())
    assert position_codes(workbook_of(hr.get(link))) == ALL_CODES


# ---------------------------------------------------------------------------------------------
# Who may export, and drafts.


def test_readers_see_no_export_links(seed, viewer_user):
    client = login(viewer_user)
    assert "/transfers/export/" not in client.get("/positions/").content.decode()
    assert "/transfers/export/" not in client.get("/staffing/").content.decode()


@pytest.mark.parametrize("user", ["viewer_user", "manager_user", "outsider", "hr_user", "proposer_user", "admin_user"])
def test_no_role_may_transfer_without_seeing_drafts(seed, request, user):
    """Every role that may export sees drafts, so an export never has drafts to hide."""
    user = request.getfixturevalue(user)
    assert not may_transfer(user) or can_see_drafts(user)


def test_drafts_are_exported_to_who_may_see_them(seed, hr, proposer_user):
    save_documents([Save({"status": "draft"}, code="DPT-YW-N07")])
    assert Position.objects.get(code="DPT-YW-N07").status == "draft"
    for client in (hr, login(proposer_user)):
        workbook = workbook_of(client.get("/transfers/export/"))
        row = next(r for r in rows_of(workbook, POSITIONS.zh) if r[0] == "DPT-YW-N07")
        assert row[POSITIONS.columns.index(POSITIONS.column("status"))] == "草稿"
        assert "DPT-YW-N07" in {r[0] for r in csv_rows(client.get("/transfers/export/?format=csv"))[1:]}


# ---------------------------------------------------------------------------------------------
# Formula injection: cells that a spreadsheet would run are neutralised, and read back exactly.

DANGEROUS = {
    "purpose": '=HYPERLINK("http://example.com","点我")',
    "work_environment": "+86 10 1234 5678",
    "major": "-2+3",
}
DANGEROUS_DUTIES = ["@SUM(A1:A2)", "=1+1", "'本来就有引号", "'=引号加等号", "普通职责"]


@pytest.fixture
def dangerous(seed):
    save_documents(
        [
            Save(
                {**DANGEROUS, "duties": [{"text": text, "share": None} for text in DANGEROUS_DUTIES]},
                code="DPT-YW-03",
            )
        ],
        require_complete_to_publish=False,
    )
    document = document_of("DPT-YW-03")
    assert {key: document[key] for key in DANGEROUS} == DANGEROUS
    assert [d["text"] for d in document["duties"]] == DANGEROUS_DUTIES


def column(key):
    return [c.key for c in POSITIONS.columns].index(key)


def test_formula_like_cells_are_neutralised_in_the_workbook(hr, dangerous):
    workbook = workbook_of(hr.get("/transfers/export/"))
    row = next(r for r in rows_of(workbook, POSITIONS.zh) if r[0] == "DPT-YW-03")
    for key, text in DANGEROUS.items():
        assert row[column(key)] == "'" + text
    duties = [r[2] for r in rows_of(workbook, DUTIES.zh) if r[0] == "DPT-YW-03"]
    assert duties == ["'@SUM(A1:A2)", "'=1+1", "''本来就有引号", "''=引号加等号", "普通职责"]
    # No cell of the file is a formula: openpyxl (data_only=False) gives a formula's text with its "=".
    for sheet in workbook.worksheets:
        for cells in sheet.iter_rows():
            for cell in cells:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)


def test_formula_like_cells_are_neutralised_in_the_csv(hr, dangerous):
    rows = csv_rows(hr.get("/transfers/export/?format=csv"))
    row = next(r for r in rows if r[0] == "DPT-YW-03")
    for key, text in DANGEROUS.items():
        assert row[column(key)] == "'" + text
    for cells in rows:
        for cell in cells:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


def test_neutralised_cells_are_read_back_exactly(hr, dangerous):
    book = read_upload("organisation.xlsx", hr.get("/transfers/export/").content)
    (row,) = [r for r in book.sheets["positions"].rows if r.values["code"] == "DPT-YW-03"]
    assert {key: row.values[key] for key in DANGEROUS} == DANGEROUS
    duties = [r.values["text"] for r in book.sheets["duties"].rows if r.values["code"] == "DPT-YW-03"]
    assert duties == DANGEROUS_DUTIES
    book = read_upload("positions.csv", hr.get("/transfers/export/?format=csv").content)
    (row,) = [r for r in book.sheets["positions"].rows if r.values["code"] == "DPT-YW-03"]
    assert {key: row.values[key] for key in DANGEROUS} == DANGEROUS


def test_an_export_of_neutralised_cells_imports_as_unchanged(hr, dangerous, django_capture_on_commit_callbacks):
    for name, url in (("organisation.xlsx", "/transfers/export/"), ("positions.csv", "/transfers/export/?format=csv")):
        with django_capture_on_commit_callbacks(execute=True):
            response = hr.post("/transfers/", {"file": _upload(name, hr.get(url).content)})
        job = Job.objects.get(pk=int(response.url.rstrip("/").rsplit("/", 1)[1]))
        assert job.status == Job.Status.PREVIEWED, (name, job.message, job.report.get("problems"))
        changed = [row for row in job.report["rows"] if row["status"] != "unchanged"]
        assert changed == [], (name, changed)


@pytest.mark.parametrize("text", ["=1", "+1", "-1", "@A1", "\tTAB", "\rCR", "'quoted", "''twice", "plain", "a=b"])
def test_every_formula_start_is_neutralised_and_restored(text):
    """Tabs and carriage returns cannot start a stored text (the editor strips them): the cell rule still holds."""
    cell = neutralise(text)
    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert restore(cell) == text


# ---------------------------------------------------------------------------------------------
# Large exports become jobs.


@pytest.fixture
def small_limit(monkeypatch):
    monkeypatch.setattr(jobs, "EXPORT_IN_REQUEST", 5)


def job_of(response):
    assert response.status_code == 302, response.status_code
    match = re.fullmatch(r"/transfers/jobs/(\d+)/", response.url)
    assert match, response.url
    return Job.objects.get(pk=int(match[1]))


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_large_export_becomes_a_job_whose_download_is_the_file(
    hr, hr_user, small_limit, django_capture_on_commit_callbacks, fmt
):
    query = "?format=csv" if fmt == "csv" else ""
    with django_capture_on_commit_callbacks(execute=True):
        response = hr.get(f"/transfers/export/{query}")
    job = job_of(response)
    assert (job.kind, job.status, job.user_id) == (Job.Kind.EXPORT, Job.Status.DONE, hr_user.pk)
    assert job.file_name.endswith(f".{fmt}")
    assert (job.rows_written, job.rows_total) == (12, 12)
    page = hr.get(response.url).content.decode()
    assert f'href="/transfers/jobs/{job.pk}/download/"' in page
    download = hr.get(f"/transfers/jobs/{job.pk}/download/")
    assert download["Content-Disposition"] == f'attachment; filename="{job.file_name}"'
    if fmt == "csv":
        assert {row[0] for row in csv_rows(download)[1:]} == ALL_CODES
    else:
        assert position_codes(workbook_of(download)) == ALL_CODES


def test_a_large_filtered_export_job_keeps_the_filters(hr, small_limit, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = hr.get(f"/transfers/export/?department={department('YW-JS').pk}")
    job = job_of(response)
    assert job.status == Job.Status.DONE
    assert position_codes(workbook_of(hr.get(f"/transfers/jobs/{job.pk}/download/"))) == JS_CODES


def test_an_export_job_not_done_yet_has_nothing_to_download(hr, small_limit):
    job = job_of(hr.get("/transfers/export/"))  # its task is queued only when the request commits
    assert job.status == Job.Status.QUEUED
    assert f"/transfers/jobs/{job.pk}/download/" not in hr.get(f"/transfers/jobs/{job.pk}/").content.decode()
    assert hr.get(f"/transfers/jobs/{job.pk}/download/").status_code == 404


def test_another_users_export_cannot_be_downloaded(
    hr, small_limit, proposer_user, admin_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = job_of(hr.get("/transfers/export/"))
    assert login(proposer_user).get(f"/transfers/jobs/{job.pk}/download/").status_code == 404
    assert login(admin_user).get(f"/transfers/jobs/{job.pk}/download/").status_code == 200


# ---------------------------------------------------------------------------------------------
# The Django admin.


def test_the_admin_action_exports_the_selected_positions(seed, admin_user):
    chosen = Position.objects.filter(code__in=["DPT-YW-03", "DPT-YW-N05"])
    response = login(admin_user).post(
        "/admin/positions/position/",
        {"action": "export_workbook", "_selected_action": [p.pk for p in chosen], "index": 0},
    )
    assert response["Content-Disposition"] == 'attachment; filename="positions.xlsx"'
    workbook = workbook_of(response)
    assert workbook.sheetnames == WORKBOOK_SHEETS
    assert position_codes(workbook) == {"DPT-YW-03", "DPT-YW-N05"}


def test_the_admin_action_is_refused_to_staff_who_may_not_transfer(seed):
    user = make_user("sam-staff", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=["view_position", "change_position"]))
    response = login(user).post(
        "/admin/positions/position/",
        {"action": "export_workbook", "_selected_action": [Position.objects.get(code="DPT-YW-03").pk], "index": 0},
    )
    assert response.status_code == 403


def test_the_admin_change_list_links_to_the_import_and_export_pages(seed, admin_user, hr_user):
    for user in (admin_user, hr_user):
        response = login(user).get("/admin/positions/position/")
        assert response.status_code == 200
        page = response.content.decode()
        assert 'href="/transfers/"' in page
        assert 'href="/transfers/export/"' in page
        assert 'value="export_workbook"' in page
