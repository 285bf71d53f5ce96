"""The assessment cycles' pages: the list, opening one, a cycle's progress and the posts it left out, closing.
Thin: the rules are the opening service's (assessments/services/opening.py), access is assessments/access.py."""

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from assessments.access import cycle_manager_required
from assessments.exports import content_disposition, results_workbook
from assessments.forms import OpenCycleForm
from assessments.models import AssessmentCycle
from assessments.progress import progress
from assessments.services.opening import close_cycle, open_cycle

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@cycle_manager_required
@require_http_methods(["GET"])
def cycle_list(request):
    cycles = (
        AssessmentCycle.objects.select_related("department")
        .annotate(n_assessments=Count("assessments"))
        .order_by("-starts_on", "name")
    )
    return render(request, "assessments/cycle_list.html", {"cycles": cycles})


@cycle_manager_required
@require_http_methods(["GET", "POST"])
def cycle_new(request):
    form = OpenCycleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            cycle = open_cycle(**form.options(), user=request.user)
        except ValidationError as error:
            for name, errors in error.message_dict.items():
                for message in errors:
                    form.add_error(name if name in form.fields else None, message)
        else:
            messages.success(
                request,
                _("“%(name)s” is open: %(count)d assessments.") % {"name": cycle.name, "count": cycle.n_assessments},
            )
            return redirect(cycle)
    return render(request, "assessments/cycle_form.html", {"form": form, "NON_FIELD_ERRORS": NON_FIELD_ERRORS})


@cycle_manager_required
@require_http_methods(["GET"])
def cycle_detail(request, pk):
    cycle = get_object_or_404(AssessmentCycle.objects.select_related("department", "opened_by", "closed_by"), pk=pk)
    return render(request, "assessments/cycle_detail.html", {"cycle": cycle, "progress": progress(cycle)})


@cycle_manager_required
@require_http_methods(["GET"])
def cycle_results(request, pk):
    """The cycle's results workbook (assessments/exports.py), written while the request waits."""
    cycle = get_object_or_404(AssessmentCycle.objects.defer("left_out"), pk=pk)
    response = HttpResponse(results_workbook(cycle), content_type=XLSX)
    response["Content-Disposition"] = content_disposition(cycle)
    return response


@cycle_manager_required
@require_POST
def cycle_close(request, pk):
    cycle = get_object_or_404(AssessmentCycle.objects.defer("left_out"), pk=pk)
    try:
        close_cycle(cycle, request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("“%(name)s” is closed: its assessments are read-only.") % {"name": cycle.name})
    return redirect(cycle)
