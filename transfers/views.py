"""Import and export pages: upload, the job's progress and preview, confirm, downloads."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from positions.access import may_delete, may_see_all_jobs, may_transfer, reader_required, transfer_required
from transfers import jobs, uploads, writing
from transfers.forms import UploadForm
from transfers.models import Job

PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
PDF = "application/pdf"
ROW_VIEWS = {
    "changes": ("new", "changed", "proposed", "deleted", "error"),
    "new": ("new",),
    "changed": ("changed",),
    "proposed": ("proposed",),
    "deleted": ("deleted",),
    "unchanged": ("unchanged",),
    "all": None,
}


def _jobs_for(user):
    queryset = Job.objects.select_related("user").defer("data", "report")
    return queryset if may_see_all_jobs(user) else queryset.filter(user=user)


def _get_job_for_user(request, pk):
    """The job, or 404: people see their own jobs; Administrators everyone's. A reader who may not
    import or export sees only the chart PDFs they asked for (org_tree's diagram.pdf makes a large one here)."""
    if may_transfer(request.user):
        job = _jobs_for(request.user).filter(pk=pk).first()
    else:
        job = Job.objects.defer("data", "report").filter(pk=pk, user=request.user, query__has_key="chart").first()
    if job is None:
        raise Http404
    return job


def _own_import(request, pk):
    """The user's own import job, or 404: only whoever previewed a file applies it or previews it again."""
    job = _get_job_for_user(request, pk)
    if job.kind != Job.Kind.IMPORT or job.user_id != request.user.pk:
        raise Http404
    return job


def _download(data, name, fmt):
    response = HttpResponse(data, content_type={"csv": CSV, "pdf": PDF}.get(fmt, XLSX))
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@transfer_required
@require_http_methods(["GET", "POST"])
@uploads.limited("TRANSFER_MAX_UPLOAD_BYTES")
def index(request):
    posted = request.method == "POST"
    form = UploadForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        may_delete=may_delete(request.user),
        refused_over=uploads.refused(request),
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = jobs.start_import(
            request.user,
            upload.name,
            upload.read(),
            delete_missing=form.cleaned_data.get("delete_missing", False),
        )
        return redirect(job)
    page = Paginator(_jobs_for(request.user), 20).get_page(request.GET.get("page"))
    status = 413 if form.refused_over is not None else 400 if form.is_bound else 200
    return render(request, "transfers/index.html", {"form": form, "page": page}, status=status)


@transfer_required
@require_GET
def template(request):
    return _download(writing.template_workbook(), "organisation-template.xlsx", "xlsx")


@transfer_required
@require_GET
def export(request):
    """The positions of a list or staffing page (its filters kept), as .xlsx or .csv: at once, or as a job."""
    fmt = "csv" if request.GET.get("format") == "csv" else "xlsx"
    query = request.GET.urlencode()
    if jobs.export_positions(request.user, query).count() <= jobs.EXPORT_IN_REQUEST:
        return _download(jobs.make_export(request.user, query, fmt), jobs.export_name(fmt), fmt)
    job = jobs.start_export(request.user, query, fmt=fmt)
    messages.info(request, _("The export is large: it is being prepared, and can be downloaded here when ready."))
    return redirect(job)


@reader_required
@require_GET
def job_detail(request, pk):
    job = _get_job_for_user(request, pk)
    report = Job.objects.filter(pk=job.pk).values_list("report", flat=True).first() or {}
    view = request.GET.get("view", "changes")
    if view not in ROW_VIEWS:
        view = "changes"
    wanted = ROW_VIEWS[view]
    rows = [row for row in report.get("rows", []) if wanted is None or row["status"] in wanted]
    problems = report.get("problems", [])
    # A refused import offers the upload again, for the corrected file, where its errors are listed.
    again = job.kind == Job.Kind.IMPORT and job.status in (Job.Status.REFUSED, Job.Status.FAILED)
    form = UploadForm(may_delete=may_delete(request.user)) if again and may_transfer(request.user) else None
    return render(
        request,
        "transfers/job.html",
        {
            "job": job,
            "report": report,
            "totals": report.get("totals", {}),
            "errors": [p for p in problems if p["level"] == "error"],
            "warnings": [p for p in problems if p["level"] == "warning"],
            "rows": Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page")),
            "derived": report.get("derived", []),
            "view": view,
            "views": list(ROW_VIEWS),
            "form": form,
        },
    )


@reader_required
@require_GET
def job_progress(request, pk):
    job = _get_job_for_user(request, pk)
    return JsonResponse(
        {
            "status": job.status,
            "label": job.get_status_display(),
            "running": job.is_running,
            "rows_read": job.rows_read,
            "rows_validated": job.rows_validated,
            "rows_written": job.rows_written,
            "rows_total": job.rows_total,
        }
    )


@transfer_required
@require_POST
def job_confirm(request, pk):
    job = _own_import(request, pk)
    if not jobs.confirm(job):
        messages.error(request, _("This import is not waiting for confirmation."))
    return redirect(job)


@transfer_required
@require_POST
def job_again(request, pk):
    return redirect(jobs.preview_again(_own_import(request, pk)))


@reader_required
@require_GET
def job_download(request, pk):
    job = _get_job_for_user(request, pk)
    if job.kind != Job.Kind.EXPORT or job.status != Job.Status.DONE:
        raise Http404
    data = Job.objects.filter(pk=job.pk).values_list("data", flat=True).first()
    return _download(bytes(data), job.file_name, job.query.get("format", "xlsx"))
