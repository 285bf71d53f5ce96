"""The real queue: jobs wait in the database (django-tasks-db) until `manage.py db_worker` runs them.

These tests use the production backend rather than the test settings' ImmediateBackend, and a
transactional database, so that a job is queued only when the request that started it commits,
exactly as in production; the worker then runs as a batch (`db_worker --batch`) in the test's process.
"""

import hashlib
import io
import signal
import threading
import time

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django_tasks_db.models import DBTaskResult

from positions.models import Position
from transfers import importing, jobs, reading, writing
from transfers.format import POSITIONS
from transfers.models import Job
from transfers.tasks import run_job

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
CODE, OLD_TITLE, NEW_TITLE = "DPT-YW-03", "客户服务代表", "客户服务专员"


@pytest.fixture
def queue(settings, transactional_db):
    """The production queue: tasks are rows in the database until a worker takes them."""
    settings.TASKS = DATABASE_QUEUE
    return DBTaskResult.objects


@pytest.fixture
def hr(queue, seed, hr_user):
    client = Client()
    client.force_login(hr_user)
    return client


def work():
    """Run the worker until the queue is empty, as `manage.py db_worker --batch` does."""
    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0", verbosity=0)
    finally:
        for number, handler in handlers.items():  # the worker installs its own: give pytest its Ctrl-C back
            signal.signal(number, handler)


def renamed_workbook():
    workbook = openpyxl.load_workbook(io.BytesIO(writing.export_workbook()))
    for cells in workbook[POSITIONS.zh].iter_rows(min_row=2):
        if cells[0].value == CODE:
            cells[1].value = NEW_TITLE
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def start_import(client):
    response = client.post("/transfers/", {"file": SimpleUploadedFile("organisation.xlsx", renamed_workbook())})
    assert response.status_code == 302, response.status_code
    return Job.objects.get(pk=int(response.url.rstrip("/").rsplit("/", 1)[1]))


def waiting(queue):
    return list(queue.ready().values_list("args_kwargs", flat=True))


def test_an_import_waits_in_the_queue_until_the_worker_previews_it_then_applies_it(queue, hr, hr_user):
    job = start_import(hr)
    job.refresh_from_db()
    # No worker ran: the job waits, stored with its file, and its task waits in the database.
    assert job.status == Job.Status.QUEUED and job.is_running
    assert bytes(job.data).startswith(b"PK") and job.file_sha256 == hashlib.sha256(bytes(job.data)).hexdigest()
    assert waiting(queue) == [{"args": [job.pk], "kwargs": {}}]
    assert hr.get(f"/transfers/jobs/{job.pk}/progress/").json()["status"] == "queued"

    work()
    job.refresh_from_db()
    assert job.status == Job.Status.PREVIEWED, (job.status, job.message)
    assert job.report["totals"]["changed"] == 1 and job.report["totals"]["errors"] == 0
    (changed,) = [row for row in job.report["rows"] if row["status"] == "changed"]
    assert changed["key"] == CODE
    assert {"before": OLD_TITLE, "after": NEW_TITLE}.items() <= changed["changes"][0].items()
    assert job.rows_read > 0 and job.rows_validated == job.rows_read
    assert waiting(queue) == []
    assert queue.successful().count() == 1
    assert Position.objects.get(code=CODE).title == OLD_TITLE

    response = hr.post(f"/transfers/jobs/{job.pk}/confirm/")
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.confirmed) == (Job.Status.QUEUED, True)
    assert waiting(queue) == [{"args": [job.pk], "kwargs": {}}]
    assert Position.objects.get(code=CODE).title == OLD_TITLE  # nothing until the worker runs

    work()
    job.refresh_from_db()
    assert job.status == Job.Status.APPLIED, (job.status, job.message)
    assert job.rows_written == 1
    assert Position.objects.get(code=CODE).title == NEW_TITLE
    latest = Position.history.filter(code=CODE).order_by("-history_date", "-history_id").first()
    assert latest.title == NEW_TITLE and latest.history_user_id == hr_user.pk
    assert queue.successful().count() == 2 and waiting(queue) == []


def test_a_large_export_waits_for_the_worker_and_then_downloads(queue, hr, monkeypatch):
    monkeypatch.setattr(jobs, "EXPORT_IN_REQUEST", 1)
    response = hr.get("/transfers/export/")
    job = Job.objects.get(pk=int(response.url.rstrip("/").rsplit("/", 1)[1]))
    assert job.status == Job.Status.QUEUED
    assert hr.get(f"/transfers/jobs/{job.pk}/download/").status_code == 404
    work()
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    download = hr.get(f"/transfers/jobs/{job.pk}/download/")
    assert download.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(download.content))
    assert workbook[POSITIONS.zh].max_row == 1 + Position.objects.count()


def test_a_job_whose_task_raises_ends_as_failed_with_a_message(queue, hr, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("the preview broke")

    monkeypatch.setattr(importing, "preview", broken)
    job = start_import(hr)
    work()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.message and "RuntimeError" not in job.message  # the user is told; the log has the details
    assert not job.is_running
    assert any("the preview broke" in (record.exc_text or str(record.exc_info)) for record in caplog.records)
    page = hr.get(f"/transfers/jobs/{job.pk}/").content.decode()
    assert job.message in page
    assert f'action="/transfers/jobs/{job.pk}/confirm/"' not in page
    assert hr.get(f"/transfers/jobs/{job.pk}/progress/").json()["running"] is False
    # The task itself ended: a failed job is never retried behind the user's back.
    assert waiting(queue) == [] and queue.successful().count() == 1


def test_an_export_whose_task_raises_ends_as_failed(queue, hr, monkeypatch):
    monkeypatch.setattr(jobs, "EXPORT_IN_REQUEST", 1)

    def broken(*args, **kwargs):
        raise MemoryError("too big")

    monkeypatch.setattr(writing, "export_workbook", broken)
    response = hr.get("/transfers/export/")
    job = Job.objects.get(pk=int(response.url.rstrip("/").rsplit("/", 1)[1]))
    work()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.message
    assert hr.get(f"/transfers/jobs/{job.pk}/download/").status_code == 404


def count_calls(monkeypatch, module, name):
    calls = []
    original = getattr(module, name)

    def counted(*args, **kwargs):
        calls.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


def test_a_job_delivered_twice_runs_once(queue, hr, monkeypatch):
    previews = count_calls(monkeypatch, importing, "preview")
    applies = count_calls(monkeypatch, importing, "apply")
    job = start_import(hr)
    run_job.enqueue(job.pk)  # the queue delivers it a second time
    assert len(waiting(queue)) == 2
    work()
    job.refresh_from_db()
    assert job.status == Job.Status.PREVIEWED
    assert len(previews) == 1
    assert queue.successful().count() == 2

    hr.post(f"/transfers/jobs/{job.pk}/confirm/")
    run_job.enqueue(job.pk)
    work()
    job.refresh_from_db()
    assert job.status == Job.Status.APPLIED, (job.status, job.message)
    assert len(applies) == 1
    assert Position.objects.get(code=CODE).title == NEW_TITLE
    assert Position.history.filter(code=CODE, title=NEW_TITLE).count() == 1


def test_a_finished_job_run_again_is_left_alone(queue, hr, monkeypatch):
    job = start_import(hr)
    work()
    job.refresh_from_db()
    report, updated = job.report, job.updated_at
    previews = count_calls(monkeypatch, importing, "preview")
    jobs.run(job.pk)
    job.refresh_from_db()
    assert (job.status, job.report, job.updated_at) == (Job.Status.PREVIEWED, report, updated)
    assert previews == []


def two_workers_at_once(job, monkeypatch):
    """Run `job` in two threads, two workers given the same task, made to race for it; returns how many
    of them went on to read the file.

    The test holds the job's row lock while both workers start, so that each reaches its claim and
    waits there, both having read the job as queued by then if the claim reads before it writes.
    Only when PostgreSQL shows both waiting is the lock let go, and they claim together. A worker
    that does not reach the claim within a minute, or fails, fails the test.
    """
    reads = []
    original = reading.read_upload

    def read_upload(*args, **kwargs):
        reads.append(threading.get_ident())
        return original(*args, **kwargs)

    monkeypatch.setattr(jobs, "read_upload", read_upload)
    backends, failures = [], []

    def worker():
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                backends.append(cursor.fetchone()[0])
            jobs.run(job.pk)
        except BaseException as failure:  # reported by the test's thread, which a thread cannot fail
            failures.append(failure)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    with transaction.atomic():
        Job.objects.select_for_update().get(pk=job.pk)
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 60
        while waiting_for_a_lock(backends) < 2:
            assert not failures, failures
            assert time.monotonic() < deadline, (
                f"the two workers did not both wait at the job's row lock within a minute "
                f"({waiting_for_a_lock(backends)} of {len(backends)} started did)"
            )
            time.sleep(0.01)
    for thread in threads:
        thread.join(60)
        assert not thread.is_alive(), "a worker was still running after a minute"
    assert not failures, failures
    job.refresh_from_db()
    return len(reads)


def waiting_for_a_lock(backends):
    """How many of the database backends `backends` wait for a lock that another one holds."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM unnest(%s::int[]) AS backend(pid) WHERE cardinality(pg_blocking_pids(pid)) > 0",
            [list(backends)],
        )
        return cursor.fetchone()[0]


SERVER_DATABASE = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="two workers at once need a server database"
)


@SERVER_DATABASE
def test_a_job_delivered_to_two_workers_at_once_runs_once(queue, hr, monkeypatch):
    job = start_import(hr)
    queue.all().delete()  # the workers below are called directly
    reads = two_workers_at_once(job, monkeypatch)
    assert job.status == Job.Status.PREVIEWED
    assert reads == 1, "both deliveries ran the job"


@SERVER_DATABASE
def test_a_confirmed_import_delivered_to_two_workers_at_once_is_applied_once_and_says_so(queue, hr, monkeypatch):
    job = start_import(hr)
    work()
    hr.post(f"/transfers/jobs/{job.pk}/confirm/")
    queue.all().delete()
    two_workers_at_once(job, monkeypatch)
    assert Position.objects.get(code=CODE).title == NEW_TITLE
    assert Position.history.filter(code=CODE, title=NEW_TITLE).count() == 1
    # The import was written: the job must not tell the user that nothing was imported.
    assert (job.status, job.message) == (Job.Status.APPLIED, ""), job.message
