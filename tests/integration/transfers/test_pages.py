"""The import pages: upload a file, read its preview, confirm it, and what each user may see of the jobs.

Files are real: the organisation workbook the portal exports (transfers.writing.export_workbook),
edited with openpyxl as a person would edit it in Excel. Jobs run on django-tasks' ImmediateBackend
(portal/settings_test.py) once the request's transaction commits, so every request that starts a
job is made inside `django_capture_on_commit_callbacks(execute=True)`.
"""

import io
import json
import re

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.html import escape

from portal.roles import HR_EDITOR
from positions.models import Position
from positions.services.editing import Save, save_documents
from tests.conftest import make_user
from tests.helpers import signed_in as login
from transfers import writing
from transfers.format import POSITIONS, SHEETS
from transfers.models import Job

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IDEOGRAPH = re.compile(r"[\u4e00-\u9fff]")
CHANGED_CODE, OLD_TITLE, NEW_TITLE = "DPT-YW-03", "客户服务代表", "客户服务专员"
NEW_CODE, NEW_POSITION_TITLE = "DPT-YW-NEW", "客户回访专员"


# ---------------------------------------------------------------------------------------------
# Files, uploads and pages.


def edited_workbook(edit=None):
    """The organisation as the portal exports it, changed by `edit(workbook)`, as .xlsx bytes."""
    workbook = openpyxl.load_workbook(io.BytesIO(writing.export_workbook()))
    if edit is not None:
        edit(workbook)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def positions_row(workbook, code):
    """The cells of `code`'s row in the 岗位 sheet, and its row number."""
    sheet = workbook[POSITIONS.zh]
    for cells in sheet.iter_rows(min_row=2):
        if cells[0].value == code:
            return cells, cells[0].row
    raise AssertionError(f"{code} is not in the {POSITIONS.zh} sheet")


def column_of(key):
    return [column.key for column in POSITIONS.columns].index(key)


def rename_and_add(workbook):
    """A title changed and a new position, as an HR editor would type them into the export."""
    cells, _number = positions_row(workbook, CHANGED_CODE)
    cells[column_of("title")].value = NEW_TITLE
    new = dict.fromkeys((column.key for column in POSITIONS.columns), None)
    new.update(
        code=NEW_CODE,
        title=NEW_POSITION_TITLE,
        department="YW-KF",
        reports_to="DPT-YW-02",
        headcount=2,
        status="草稿",
        has_description="否",
        review_months=12,
    )
    workbook[POSITIONS.zh].append(list(new.values()))


def upload(client, data, name="organisation.xlsx", capture=None, **fields):
    """POST the file to the import page; the job it starts runs when `capture` (the fixture) is given."""
    payload = {"file": SimpleUploadedFile(name, data), **fields}
    if capture is None:
        return client.post("/transfers/", payload)
    with capture(execute=True):
        return client.post("/transfers/", payload)


def the_job(response):
    """The job a start request redirected to."""
    assert response.status_code == 302, response.status_code
    match = re.fullmatch(r"/transfers/jobs/(\d+)/", response.url)
    assert match, response.url
    return Job.objects.get(pk=int(match[1]))


def html(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def text_of(page):
    """The page's visible text, tags removed and spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


def confirm_form(page, job):
    return f'action="/transfers/jobs/{job.pk}/confirm/"' in page


@pytest.fixture
def hr(seed, hr_user):
    return login(hr_user)


@pytest.fixture
def other_hr(seed):
    """A second HR editor: a colleague of hr_user, with the same rights."""
    return make_user("harry-hr", HR_EDITOR, is_staff=True)


@pytest.fixture
def previewed(hr, django_capture_on_commit_callbacks):
    """hr_user's previewed import of the edited organisation: (client, job)."""
    job = the_job(upload(hr, edited_workbook(rename_and_add), capture=django_capture_on_commit_callbacks))
    assert job.status == Job.Status.PREVIEWED, (job.status, job.message, job.report.get("problems"))
    return hr, job


# ---------------------------------------------------------------------------------------------
# Upload, preview, confirm.


def test_an_edited_export_previews_its_changes_and_writes_nothing_until_confirmed(previewed):
    client, job = previewed
    assert job.kind == Job.Kind.IMPORT and job.file_name == "organisation.xlsx" and not job.confirmed
    assert job.report["totals"]["new"] == 1
    assert job.report["totals"]["changed"] == 1
    assert job.report["totals"]["errors"] == 0
    assert job.report["totals"]["unchanged"] > 0

    page = html(client.get(f"/transfers/jobs/{job.pk}/"))
    totals = re.search(r'<ul class="totals">(.*?)</ul>', page, re.S)
    assert totals, "no totals on the job page"
    numbers = re.findall(r"<strong>(\d+)</strong>", totals[1])
    assert numbers[:2] == ["1", "1"], numbers  # new, changed
    # The changed row: its code, and the title before → after.
    changed = re.search(r'<tr class="status-changed">(.*?)</tr>', page, re.S)
    assert changed and CHANGED_CODE in changed[1], page
    assert f"<del>{OLD_TITLE}</del> → <ins>{NEW_TITLE}</ins>" in changed[1]
    new = re.search(r'<tr class="status-new">(.*?)</tr>', page, re.S)
    assert new and NEW_CODE in new[1] and NEW_POSITION_TITLE in new[1]
    assert confirm_form(page, job)
    # A preview is a dry run.
    assert Position.objects.get(code=CHANGED_CODE).title == OLD_TITLE
    assert not Position.objects.filter(code=NEW_CODE).exists()


def test_confirming_applies_the_preview_and_records_it_in_the_history(
    previewed, hr_user, django_capture_on_commit_callbacks
):
    client, job = previewed
    versions_before = Position.history.filter(code=CHANGED_CODE).count()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/transfers/jobs/{job.pk}/confirm/")
    assert (response.status_code, response.url) == (302, f"/transfers/jobs/{job.pk}/")
    job.refresh_from_db()
    assert job.status == Job.Status.APPLIED, (job.status, job.message)
    assert job.confirmed and job.rows_written == 2
    assert Position.objects.get(code=CHANGED_CODE).title == NEW_TITLE
    added = Position.objects.get(code=NEW_CODE)
    assert (added.title, added.parent.code, added.department.code, added.headcount) == (
        NEW_POSITION_TITLE,
        "DPT-YW-02",
        "YW-KF",
        2,
    )
    versions = Position.history.filter(code=CHANGED_CODE).order_by("-history_date", "-history_id")
    assert versions.count() == versions_before + 1
    latest = versions.first()
    assert latest.title == NEW_TITLE and latest.document["title"] == NEW_TITLE
    assert latest.history_user_id == hr_user.pk
    assert "organisation.xlsx" in latest.history_change_reason
    assert Position.history.filter(code=NEW_CODE).count() == 1
    # The page now says it is imported, and offers no second confirmation.
    page = html(client.get(f"/transfers/jobs/{job.pk}/"))
    assert job.get_status_display() in page
    assert not confirm_form(page, job)


def test_confirming_twice_is_refused_politely_and_imports_once(previewed, django_capture_on_commit_callbacks):
    client, job = previewed
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/transfers/jobs/{job.pk}/confirm/")
    versions = Position.history.count()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(f"/transfers/jobs/{job.pk}/confirm/", follow=True)
    assert callbacks == [], "a second confirmation queued the job again"
    assert response.redirect_chain == [(f"/transfers/jobs/{job.pk}/", 302)]
    messages = [str(m) for m in response.context["messages"]]
    assert len(messages) == 1 and messages[0], messages
    assert text_of(messages[0]) in text_of(html(response))
    job.refresh_from_db()
    assert job.status == Job.Status.APPLIED
    assert Position.history.count() == versions


def test_a_file_with_a_bad_row_names_its_sheet_row_and_column_and_cannot_be_confirmed(
    hr, django_capture_on_commit_callbacks
):
    number = {}

    def bad_headcount(workbook):
        rename_and_add(workbook)
        cells, number["row"] = positions_row(workbook, "DPT-YW-05")
        cells[column_of("headcount")].value = "三个"

    job = the_job(upload(hr, edited_workbook(bad_headcount), capture=django_capture_on_commit_callbacks))
    assert job.status == Job.Status.REFUSED
    errors = [p for p in job.report["problems"] if p["level"] == "error"]
    assert len(errors) == 1, errors
    assert (errors[0]["sheet"], errors[0]["row"], errors[0]["column"]) == (
        POSITIONS.zh,
        number["row"],
        POSITIONS.column("headcount").zh,
    )
    page = html(hr.get(f"/transfers/jobs/{job.pk}/"))
    problems = re.search(r'<table class="list problems">(.*?)</table>', page, re.S)
    assert problems, "the error is not listed"
    assert f"<td>{POSITIONS.zh}</td><td>{number['row']}</td><td>{POSITIONS.column('headcount').zh}</td>" in problems[1]
    assert not confirm_form(page, job)
    # Confirming anyway does nothing.
    with django_capture_on_commit_callbacks(execute=True):
        hr.post(f"/transfers/jobs/{job.pk}/confirm/")
    job.refresh_from_db()
    assert job.status == Job.Status.REFUSED
    assert Position.objects.get(code=CHANGED_CODE).title == OLD_TITLE
    assert not Position.objects.filter(code=NEW_CODE).exists()


def test_previewing_again_makes_a_new_preview_of_the_same_file(previewed, django_capture_on_commit_callbacks):
    client, job = previewed
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/transfers/jobs/{job.pk}/again/")
    again = the_job(response)
    assert again.pk != job.pk
    assert again.status == Job.Status.PREVIEWED
    assert (again.file_name, again.file_sha256, bytes(again.data)) == (job.file_name, job.file_sha256, bytes(job.data))
    assert again.report["totals"] == job.report["totals"]
    assert confirm_form(html(client.get(response.url)), again)


def test_a_preview_made_stale_by_a_change_imports_nothing_and_can_be_previewed_again(
    previewed, django_capture_on_commit_callbacks
):
    client, job = previewed
    save_documents([Save({"purpose": "在预览之后改过。"}, code="DPT-YW-04")])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/transfers/jobs/{job.pk}/confirm/")
    job.refresh_from_db()
    assert job.status == Job.Status.STALE and job.message
    assert Position.objects.get(code=CHANGED_CODE).title == OLD_TITLE
    page = html(client.get(f"/transfers/jobs/{job.pk}/"))
    assert job.message in page
    assert f'action="/transfers/jobs/{job.pk}/again/"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/transfers/jobs/{job.pk}/again/")
    again = the_job(response)
    assert again.status == Job.Status.PREVIEWED
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/transfers/jobs/{again.pk}/confirm/")
    again.refresh_from_db()
    assert again.status == Job.Status.APPLIED
    assert Position.objects.get(code=CHANGED_CODE).title == NEW_TITLE


# ---------------------------------------------------------------------------------------------
# The template and the progress.


def test_the_template_is_a_workbook_with_instructions_and_every_sheet_of_the_format(hr):
    response = hr.get("/transfers/template.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"].startswith("attachment;")
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames[0] == "说明"  # the instructions first, the examples last
    assert workbook.sheetnames[-1] == "示例"
    assert set(workbook.sheetnames[1:-1]) == {spec.zh for spec in SHEETS}
    for spec in SHEETS:
        headers = next(workbook[spec.zh].iter_rows(max_row=1, values_only=True))
        assert list(headers) == [column.zh + ("*" if column.required else "") for column in spec.columns], spec.kind
    guide = " ".join(str(v) for row in workbook["说明"].iter_rows(values_only=True) for v in row if v)
    for spec in SHEETS:
        assert spec.zh in guide
        for column in spec.columns:
            assert column.zh in guide and column.en in guide


def test_the_progress_of_a_job_is_json(hr, previewed):
    client, job = previewed
    response = client.get(f"/transfers/jobs/{job.pk}/progress/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    progress = json.loads(response.content)
    assert progress == {
        "status": "previewed",
        "label": str(Job.Status.PREVIEWED.label),
        "running": False,
        "rows_read": job.rows_read,
        "rows_validated": job.rows_validated,
        "rows_written": 0,
        "rows_total": job.rows_total,
    }
    assert progress["rows_read"] > 0 and progress["rows_validated"] == progress["rows_read"]


def test_a_job_waiting_for_the_worker_says_so(hr):
    """Without the commit that queues it the job is never run: it waits, and the page follows it."""
    job = the_job(upload(hr, edited_workbook(rename_and_add)))
    assert job.status == Job.Status.QUEUED
    progress = json.loads(hr.get(f"/transfers/jobs/{job.pk}/progress/").content)
    assert (progress["status"], progress["running"], progress["rows_read"]) == ("queued", True, 0)
    page = html(hr.get(f"/transfers/jobs/{job.pk}/"))
    assert 'data-running="true"' in page
    assert not confirm_form(page, job)


# ---------------------------------------------------------------------------------------------
# Whose jobs: one's own; an Administrator everyone's; only the job's user confirms.


def test_an_hr_editor_sees_only_their_own_jobs(previewed, other_hr, django_capture_on_commit_callbacks):
    _client, job = previewed
    colleague = login(other_hr)
    for url in (
        f"/transfers/jobs/{job.pk}/",
        f"/transfers/jobs/{job.pk}/progress/",
        f"/transfers/jobs/{job.pk}/download/",
    ):
        assert colleague.get(url).status_code == 404, url
    with django_capture_on_commit_callbacks(execute=True):
        for url in (f"/transfers/jobs/{job.pk}/confirm/", f"/transfers/jobs/{job.pk}/again/"):
            assert colleague.post(url).status_code == 404, url
    job.refresh_from_db()
    assert job.status == Job.Status.PREVIEWED and not job.confirmed
    assert Job.objects.count() == 1
    index = html(colleague.get("/transfers/"))
    assert f"/transfers/jobs/{job.pk}/" not in index
    assert job.file_name not in index


def test_an_administrator_sees_everyones_jobs_but_only_their_user_confirms(
    previewed, admin_user, hr_user, django_capture_on_commit_callbacks
):
    _client, job = previewed
    admin = login(admin_user)
    index = html(admin.get("/transfers/"))
    assert f'href="/transfers/jobs/{job.pk}/"' in index
    assert hr_user.get_username() in index
    page = html(admin.get(f"/transfers/jobs/{job.pk}/"))
    assert NEW_TITLE in page
    assert not confirm_form(page, job), "an Administrator is offered to confirm another's import"
    assert admin.get(f"/transfers/jobs/{job.pk}/progress/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        assert admin.post(f"/transfers/jobs/{job.pk}/confirm/").status_code == 404
        assert admin.post(f"/transfers/jobs/{job.pk}/again/").status_code == 404
    job.refresh_from_db()
    assert job.status == Job.Status.PREVIEWED and not job.confirmed
    assert Position.objects.get(code=CHANGED_CODE).title == OLD_TITLE


def test_the_jobs_list_shows_ones_own_jobs_newest_first(hr, django_capture_on_commit_callbacks):
    first = the_job(upload(hr, edited_workbook(), name="first.xlsx", capture=django_capture_on_commit_callbacks))
    second = the_job(upload(hr, edited_workbook(), name="second.xlsx", capture=django_capture_on_commit_callbacks))
    index = html(hr.get("/transfers/"))
    assert index.index(f"/transfers/jobs/{second.pk}/") < index.index(f"/transfers/jobs/{first.pk}/")
    assert first.status == second.status == Job.Status.PREVIEWED
    assert first.report["totals"]["changed"] == first.report["totals"]["new"] == 0  # the export itself: unchanged


# ---------------------------------------------------------------------------------------------
# Deleting positions the file leaves out: only for who may delete.


@pytest.fixture
def may_not_delete(seed):
    """May import and export (edit positions and manage people) but not delete positions."""
    user = make_user("nina-nodelete", is_staff=True)
    codenames = ["view_position", "change_position", "add_position", "change_assignment", "add_assignment"]
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="positions", codename__in=codenames))
    return user


def test_the_delete_missing_choice_is_offered_only_to_who_may_delete(hr, may_not_delete):
    assert 'name="delete_missing"' in html(hr.get("/transfers/"))
    page = html(login(may_not_delete).get("/transfers/"))
    assert 'name="file"' in page
    assert 'name="delete_missing"' not in page


def test_a_forged_delete_missing_from_who_may_not_delete_is_ignored(may_not_delete, django_capture_on_commit_callbacks):
    def drop_a_leaf(workbook):
        _cells, number = positions_row(workbook, "DPT-YW-N07")
        workbook[POSITIONS.zh].delete_rows(number)

    client = login(may_not_delete)
    job = the_job(
        upload(client, edited_workbook(drop_a_leaf), capture=django_capture_on_commit_callbacks, delete_missing="on")
    )
    assert not job.delete_missing
    assert job.report["totals"]["deleted"] == 0 and job.report["deleted"] == []


def test_delete_missing_previews_the_positions_it_would_delete(hr, django_capture_on_commit_callbacks):
    def drop_a_leaf(workbook):
        _cells, number = positions_row(workbook, "DPT-YW-N07")
        workbook[POSITIONS.zh].delete_rows(number)

    job = the_job(
        upload(hr, edited_workbook(drop_a_leaf), capture=django_capture_on_commit_callbacks, delete_missing="on")
    )
    assert job.delete_missing and job.status == Job.Status.PREVIEWED, job.report.get("problems")
    assert [d["code"] for d in job.report["deleted"]] == ["DPT-YW-N07"]
    page = html(hr.get(f"/transfers/jobs/{job.pk}/"))
    assert 'id="deleted-title"' in page and "DPT-YW-N07" in page
    assert Position.objects.filter(code="DPT-YW-N07").exists()
    with django_capture_on_commit_callbacks(execute=True):
        hr.post(f"/transfers/jobs/{job.pk}/confirm/")
    job.refresh_from_db()
    assert job.status == Job.Status.APPLIED
    assert not Position.objects.filter(code="DPT-YW-N07").exists()


# ---------------------------------------------------------------------------------------------
# Languages: Chinese by default, English when chosen.


def heading(page):
    return text_of(re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S)[1])


def file_label(page):
    return text_of(re.search(r'<label[^>]*for="id_file"[^>]*>(.*?)</label>', page, re.S)[1])


def test_the_import_page_is_in_chinese_by_default(hr):
    page = html(hr.get("/transfers/"))
    assert IDEOGRAPH.search(heading(page)), heading(page)
    label = file_label(page)
    assert IDEOGRAPH.search(label), label
    assert "Upload and preview" not in page


def test_the_job_page_is_in_chinese_by_default(previewed):
    client, job = previewed
    page = html(client.get(f"/transfers/jobs/{job.pk}/"))
    status = text_of(re.search(r'<span class="job-status"[^>]*>(.*?)</span>', page, re.S)[1])
    assert IDEOGRAPH.search(status), status
    assert "Confirm and import" not in page


def test_the_pages_are_in_english_with_the_language_switch(hr, previewed):
    client, job = previewed
    client.post("/i18n/setlang/", {"language": "en", "next": "/transfers/"})
    page = html(client.get("/transfers/"))
    assert heading(page) == "Import and export"
    assert file_label(page).startswith("Workbook or CSV file")
    page = html(client.get(f"/transfers/jobs/{job.pk}/"))
    assert "Confirm and import" in page
    assert "Preview ready: confirm to import" in page


# ---------------------------------------------------------------------------------------------
# Bad input: an explanation, never a server error (the test client re-raises one).


@pytest.mark.parametrize(
    "payload",
    [{"csrfmiddlewaretoken": "token", "file": ""}, {}],
    ids=["as a browser sends it", "an empty post"],
)
def test_an_upload_without_a_file_is_explained(hr, payload):
    response = hr.post("/transfers/", payload)
    assert response.status_code == 400
    assert response.context["form"].errors["file"]
    assert not Job.objects.exists()


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("empty.xlsx", b""),
        ("notes.pdf", b"%PDF-1.4 not a spreadsheet"),
        ("organisation", b"a,b\n1,2\n"),
    ],
    ids=["empty", "not a spreadsheet name", "no extension"],
)
def test_an_upload_the_form_refuses_is_explained_on_the_page(hr, name, data):
    response = upload(hr, data, name=name)
    assert response.status_code == 400
    errors = response.context["form"].errors["file"]
    assert errors
    page = response.content.decode()
    for error in errors:
        assert escape(error) in page
    assert not Job.objects.exists()


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("broken.xlsx", b"PK\x03\x04 this is not really a zip file at all"),
        ("blank.csv", b"   \n\n  "),
        ("binary.csv", b"\x00\x01\x02\x03" * 100),
        ("unrelated.csv", "甲,乙,丙\n1,2,3\n".encode()),
        ("image.xlsx", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_with_a_reason(hr, django_capture_on_commit_callbacks, name, data):
    job = the_job(upload(hr, data, name=name, capture=django_capture_on_commit_callbacks))
    assert job.status == Job.Status.REFUSED
    reasons = job.message or " ".join(p["message"] for p in job.report.get("problems", []))
    assert reasons
    page = html(hr.get(f"/transfers/jobs/{job.pk}/"))
    assert not confirm_form(page, job)


@pytest.mark.parametrize(
    ("method", "url", "status"),
    [
        ("get", "/transfers/jobs/abc/", 404),
        ("get", "/transfers/jobs/-1/", 404),
        ("get", "/transfers/jobs/999999/", 404),
        ("get", "/transfers/jobs/99999999999999999999999/", 404),
        ("get", "/transfers/jobs/999999/progress/", 404),
        ("get", "/transfers/jobs/abc/progress/", 404),
        ("get", "/transfers/jobs/abc/download/", 404),
        ("post", "/transfers/jobs/abc/confirm/", 404),
        ("post", "/transfers/jobs/999999/confirm/", 404),
        ("post", "/transfers/jobs/999999/again/", 404),
        ("get", "/transfers/jobs/{job}/confirm/", 405),
        ("get", "/transfers/jobs/{job}/again/", 405),
        ("post", "/transfers/template.xlsx", 405),
        ("post", "/transfers/export/", 405),
        ("get", "/transfers/jobs/{job}/download/", 404),  # an import has nothing to download
        ("get", "/transfers/jobs/{job}/?view=nonsense&page=zzz", 200),
        ("get", "/transfers/jobs/{job}/?view=all&page=99999", 200),
        ("get", "/transfers/?page=zzz", 200),
        ("put", "/transfers/", 405),
    ],
)
def test_bad_addresses_and_methods_are_answered_without_a_server_error(previewed, method, url, status):
    client, job = previewed
    response = getattr(client, method)(url.format(job=job.pk))
    assert response.status_code == status
    job.refresh_from_db()
    assert job.status == Job.Status.PREVIEWED


def test_the_rows_of_a_preview_can_be_filtered_by_their_status(previewed):
    client, job = previewed
    changed = html(client.get(f"/transfers/jobs/{job.pk}/?view=changed"))
    assert 'class="status-changed"' in changed and 'class="status-new"' not in changed
    new = html(client.get(f"/transfers/jobs/{job.pk}/?view=new"))
    assert 'class="status-new"' in new and 'class="status-changed"' not in new
    unchanged = html(client.get(f"/transfers/jobs/{job.pk}/?view=unchanged"))
    assert 'class="status-unchanged"' in unchanged and 'class="status-changed"' not in unchanged


# ---------------------------------------------------------------------------------------------
# Words and layout of the import pages


def column_headers(page, table_class):
    table = re.search(rf'<table class="list {table_class}">(.*?)</thead>', page, re.S)
    assert table, f"no {table_class} table"
    return [text_of(cell) for cell in re.findall(r"<th[^>]*>(.*?)</th>", table[1], re.S)]


def test_the_jobs_table_calls_an_import_or_export_a_kind_of_job_not_a_kind_of_post(hr, previewed):
    page = html(hr.get("/transfers/"))
    headers = column_headers(page.replace('<table class="list">', '<table class="list jobs">', 1), "jobs")
    assert headers == ["时间", "类型", "文件", "操作人", "状态"]
    assert "任职类型" not in page  # the 主岗/兼岗 of an assignment


def test_the_preview_names_its_rows_by_title_or_name_not_as_people(previewed):
    client, job = previewed
    page = html(client.get(f"/transfers/jobs/{job.pk}/?view=all"))
    headers = column_headers(page, "transfer-rows")
    assert headers[3] == "名称"
    assert "姓名" not in headers


def test_new_rows_of_the_preview_show_their_department_and_superior(previewed):
    client, job = previewed
    page = html(client.get(f"/transfers/jobs/{job.pk}/?view=new"))
    row = re.search(rf'<tr class="status-new">.*?{NEW_CODE}.*?</tr>', page, re.S)
    assert row, "the new position is not in the preview"
    changes = [text_of(item) for item in re.findall(r"<li>(.*?)</li>", row[0], re.S)]
    assert changes == ["部门: 客户服务部 (YW-KF)", "直接上级: DPT-YW-02 客户服务部经理"]


def test_the_confirm_button_is_the_pages_primary_action(previewed):
    client, job = previewed
    page = html(client.get(f"/transfers/jobs/{job.pk}/"))
    form = re.search(rf'<form method="post" action="/transfers/jobs/{job.pk}/confirm/".*?</form>', page, re.S)[0]
    assert re.search(r'<button type="submit" class="primary">确认并导入</button>', form)


def test_the_delete_missing_checkbox_comes_before_its_label_in_one_field(hr):
    page = html(hr.get("/transfers/"))
    field = re.search(r'<div class="field check field-delete_missing">(.*?)</div>', page, re.S)
    assert field, "the delete-missing choice is not laid out as a checkbox field"
    assert re.match(
        r'\s*<input type="checkbox" name="delete_missing"[^>]*id="id_delete_missing"[^>]*>\s*<label for="id_delete_missing">',
        field[1],
    ), field[1]
    described = re.search(r'aria-describedby="([^"]+)"', field[1])
    assert described and f'id="{described[1]}"' in field[1]  # the help is read out with the checkbox


def refused_job(client, capture):
    def bad_headcount(workbook):
        cells, _number = positions_row(workbook, "DPT-YW-05")
        cells[column_of("headcount")].value = "三个"

    job = the_job(upload(client, edited_workbook(bad_headcount), name="bad.xlsx", capture=capture))
    assert job.status == Job.Status.REFUSED
    return job


def test_a_refused_import_offers_the_upload_of_the_corrected_file_where_its_errors_are(
    hr, django_capture_on_commit_callbacks
):
    job = refused_job(hr, django_capture_on_commit_callbacks)
    page = html(hr.get(f"/transfers/jobs/{job.pk}/"))
    section = re.search(r'<section class="transfer-upload" aria-labelledby="again-title">(.*?)</section>', page, re.S)
    assert section, "no upload box on the refused import's page"
    assert "上传改正后的文件" in section[1]
    assert 'action="/transfers/"' in section[1] and 'enctype="multipart/form-data"' in section[1]
    assert 'type="file" name="file"' in section[1] and 'name="delete_missing"' in section[1]
    assert page.index('id="errors-title"') < page.index('id="again-title"')  # under the errors it corrects

    # The corrected file, uploaded from there, makes a new preview.
    again = the_job(upload(hr, edited_workbook(rename_and_add), capture=django_capture_on_commit_callbacks))
    assert again.pk != job.pk and again.status == Job.Status.PREVIEWED


def test_the_upload_box_on_a_refused_import_follows_the_delete_right(
    may_not_delete, django_capture_on_commit_callbacks
):
    client = login(may_not_delete)
    job = refused_job(client, django_capture_on_commit_callbacks)
    page = html(client.get(f"/transfers/jobs/{job.pk}/"))
    assert 'id="again-title"' in page and 'name="file"' in page
    assert 'name="delete_missing"' not in page


def test_a_previewed_or_applied_import_offers_no_upload_box(previewed, django_capture_on_commit_callbacks):
    client, job = previewed
    assert 'id="again-title"' not in html(client.get(f"/transfers/jobs/{job.pk}/"))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/transfers/jobs/{job.pk}/confirm/")
    assert 'id="again-title"' not in html(client.get(f"/transfers/jobs/{job.pk}/"))
