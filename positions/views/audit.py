"""The audit log (/audit/) for Administrators: every recorded change across the organisation,
filtered, paged, and exported to CSV that a spreadsheet cannot mistake for formulas."""

import csv

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

from portal.formatting import spreadsheet_safe
from positions import history
from positions.access import auditor_required
from positions.forms.audit import AuditFilterForm
from positions.models import Position

PAGE_SIZE = 50


@auditor_required
@require_GET
def audit_log(request):
    form = AuditFilterForm(request.GET or None)
    versions = Position.history.select_related("history_user", "department").order_by("-history_date", "-history_id")
    if form.is_bound and form.is_valid():
        versions = form.filter(versions)
    elif form.is_bound:
        versions = versions.none()
    if request.GET.get("format") == "csv":
        return _csv(versions)
    page = Paginator(versions, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = history.version_rows(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "positions/audit.html", {"form": form, "page": page, "rows": rows, "query": query.urlencode()}
    )


def _csv(versions):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="audit.csv"'
    response.write("\ufeff")  # Excel and WPS read UTF-8 Chinese only with the BOM
    writer = csv.writer(response)
    writer.writerow(
        [
            _("When"),
            _("By"),
            _("Position code"),
            _("Position title"),
            _("Department"),
            pgettext("a change: created, changed or deleted", "Kind"),
            _("Comment"),
            _("What changed"),
        ]
    )
    kinds = {"+": _("Created"), "~": _("Changed"), "-": _("Deleted")}
    for version in versions.iterator(chunk_size=2000):
        user = version.history_user
        writer.writerow(
            spreadsheet_safe(cell)
            for cell in (
                timezone.localtime(version.history_date).isoformat(timespec="milliseconds"),
                user.username if user else _("system"),
                version.code,
                version.title,
                version.department.name if version.department else "",
                kinds[version.history_type],
                history.comment_text(version),
                history.version_summary(version),
            )
        )
    return response
