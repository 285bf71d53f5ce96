"""Running imports and exports as jobs on the task queue (django-tasks), with progress on the Job.

A job's task reads the stored file, so it survives the web server restarting; the page polls
the Job. An import runs twice: a preview (dry run, report stored), then, once confirmed, the
apply, refused when the organisation changed since the preview.
"""

import hashlib
import logging

from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import QueryDict
from django.utils import translation
from django.utils.translation import gettext as _

from portal.locking import lock_tree
from positions.models import Position
from transfers import importing, writing
from transfers.models import Job
from transfers.reading import FileRefused, read_upload

logger = logging.getLogger(__name__)
EXPORT_IN_REQUEST = 2000  # exports of up to this many positions are made in the request; larger ones are jobs


def _enqueue(job):
    from transfers.tasks import run_job

    transaction.on_commit(lambda: run_job.enqueue(job.pk))


def start_import(user, name, data, *, delete_missing=False):
    job = Job.objects.create(
        kind=Job.Kind.IMPORT,
        user=user,
        language=translation.get_language() or "zh-hans",
        file_name=name[:255],
        data=data,
        file_sha256=hashlib.sha256(data).hexdigest(),
        delete_missing=delete_missing,
    )
    _enqueue(job)
    return job


def confirm(job):
    """Ask for the previewed import to be applied; False when it is not waiting for that."""
    updated = Job.objects.filter(pk=job.pk, status=Job.Status.PREVIEWED, confirmed=False).update(
        confirmed=True, status=Job.Status.QUEUED
    )
    if updated:
        _enqueue(job)
    return bool(updated)


def preview_again(job):
    """A new preview of the same file (after the organisation changed)."""
    new = Job.objects.create(
        kind=Job.Kind.IMPORT,
        user=job.user,
        language=job.language,
        file_name=job.file_name,
        data=bytes(job.data),
        file_sha256=job.file_sha256,
        delete_missing=job.delete_missing,
    )
    _enqueue(new)
    return new


def start_export(user, query, *, fmt="xlsx"):
    job = Job.objects.create(
        kind=Job.Kind.EXPORT,
        user=user,
        language=translation.get_language() or "zh-hans",
        file_name=export_name(fmt),
        query={"query": query, "format": fmt},
    )
    _enqueue(job)
    return job


def start_chart_export(user, code, *, paper="A4", depth=None):
    """The org chart (under `code`) as a PDF, made by the worker: a large one takes a while."""
    job = Job.objects.create(
        kind=Job.Kind.EXPORT,
        user=user,
        language=translation.get_language() or "zh-hans",
        file_name=f"org-chart{'-' + code if code else ''}.pdf",
        query={"chart": code or "", "paper": paper, "depth": depth, "format": "pdf"},
    )
    _enqueue(job)
    return job


def export_name(fmt):
    from django.utils import timezone

    return f"organisation-{timezone.localtime():%Y%m%d-%H%M}.{fmt}"


def export_positions(user, query):
    """The positions an export of `query` (the list's or staffing table's filters) holds for `user`."""
    from org_tree.forms import DepartmentFilterForm
    from positions.forms.filters import PositionFilterForm

    params = QueryDict(query or "")
    positions = Position.objects.visible_to(user)
    if params.get("scope") == "staffing":  # the staffing table's export (the list's own scope is a filter)
        form = DepartmentFilterForm(params, user=user)
        if form.is_valid() and form.cleaned_data.get("department"):
            positions = positions.in_department(form.cleaned_data["department"])
        return positions
    filters = QueryDict(mutable=True)
    for key, values in params.lists():
        if key not in ("format", "page"):
            filters.setlist(key, values)
    if filters:
        form = PositionFilterForm(filters, user=user)
        positions = form.filter(positions) if form.is_valid() else positions.none()
    return positions


def make_export(user, query, fmt, progress=None):
    positions = export_positions(user, query)
    if fmt == "csv":
        return writing.export_csv(positions, progress=progress)
    return writing.export_workbook(positions, progress=progress)


def run(job_id):
    """Run the job: what the task does. Never raises: a job always ends in a final status."""
    # Claim the job: of two workers handed the same task, one wins; the other leaves it alone.
    if not Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(status=Job.Status.READING):
        return
    job = Job.objects.select_related("user").get(pk=job_id)
    with translation.override(job.language):
        try:
            if job.kind == Job.Kind.EXPORT:
                _export(job)
            else:
                _import(job)
        except Exception:
            logger.exception("Job %s failed", job.pk)
            job.progress(
                status=Job.Status.FAILED,
                message=_("The job failed unexpectedly; the administrator can see why in the log."),
            )


def _export(job):
    job.progress(status=Job.Status.WRITING)
    user = job.user or get_user_model()(is_superuser=True)
    if "chart" in job.query:
        from org_tree.chart import chart_nodes
        from org_tree.paper import render_pdf

        nodes = chart_nodes(user, job.query["chart"] or None, job.query.get("depth"))
        if nodes is None:
            job.progress(
                status=Job.Status.FAILED, message=_("No position has the code %(code)s.") % {"code": job.query["chart"]}
            )
            return
        data, _pages = render_pdf(
            nodes,
            paper=job.query.get("paper", "A4"),
            title=nodes[0].title if job.query["chart"] and nodes else _("Org chart"),
            progress=lambda done, total: job.progress(rows_written=done, rows_total=total),
        )
        Job.objects.filter(pk=job.pk).update(data=data, status=Job.Status.DONE)
        return
    data = make_export(
        user,
        job.query.get("query", ""),
        job.query.get("format", "xlsx"),
        progress=lambda done, total: job.progress(rows_written=done, rows_total=total),
    )
    Job.objects.filter(pk=job.pk).update(data=data, status=Job.Status.DONE)


def _import(job):
    job.progress(status=Job.Status.READING, rows_read=0)
    try:
        book = read_upload(job.file_name, bytes(job.data), progress=lambda n: job.progress(rows_read=n))
    except FileRefused as exc:
        job.progress(status=Job.Status.REFUSED, message=str(exc), report={})
        return
    job.progress(status=Job.Status.VALIDATING, rows_read=book.rows_read, rows_total=book.rows_read)
    if not job.confirmed:
        state = importing.organisation_state()
        report = importing.preview(book, job.user, delete_missing=job.delete_missing)
        job.progress(
            status=Job.Status.REFUSED if report.errors else Job.Status.PREVIEWED,
            rows_validated=book.rows_read,
            report=report.as_json(),
            state=state,
            message="",
        )
        return
    job.progress(status=Job.Status.WRITING)
    try:
        with transaction.atomic():
            lock_tree(Position)  # nothing changes between the check and the write
            if importing.organisation_state() != job.state:
                raise _Stale
            report = importing.apply(book, job.user, delete_missing=job.delete_missing)
    except _Stale:
        job.progress(
            status=Job.Status.STALE,
            message=_(
                "The organisation changed after this preview was made: nothing was imported. Preview the file again."
            ),
        )
        return
    except importing.ImportRefused as exc:
        job.progress(status=Job.Status.REFUSED, report=exc.report.as_json(), message=str(exc))
        return
    written = sum(1 for row in report.rows if row.status not in ("unchanged", "error"))
    job.progress(
        status=Job.Status.APPLIED,
        rows_validated=book.rows_read,
        rows_written=written,
        report=report.as_json(),
        message="",
    )


class _Stale(Exception):
    pass
