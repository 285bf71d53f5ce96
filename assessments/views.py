"""The assessment cycles' pages: the list, opening one, a cycle's progress and the posts it left out, closing.
Thin: the rules are the opening service's (assessments/services/opening.py), access is assessments/access.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from assessments import access
from assessments.access import cycle_manager_required
from assessments.exports import content_disposition, results_workbook
from assessments.forms import OpenCycleForm
from assessments.models import AssessmentCycle
from assessments.progress import progress
from assessments.scoring import InvalidInput
from assessments.services.opening import close_cycle, open_cycle
from assessments.services.workflow import (
    LINE_FIELDS,
    VersionConflict,
    advance,
    available_actions,
    fields_for,
    save_lines,
    score_lines,
)
from assessments.worklist import lists

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


# One person's assessments and the assessment page ------------------------------------------------------------


@login_required
@require_http_methods(["GET"])
def my_assessments(request):
    return render(request, "assessments/mine.html", {"lists": lists(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def assessment_detail(request, pk):
    assessment, roles = access.get_assessment_for_user(request.user, pk)
    errors, typed = {}, {}
    if request.method == "POST":
        fields, on_behalf = fields_for(assessment, roles)
        typed = {name: request.POST.get(name, "") for name in request.POST if name.startswith("lines.")}
        values = {}
        for name, value in typed.items():
            _lines, order, field = (name.split(".") + ["", ""])[:3]
            values.setdefault(order, {})[field] = value
        action = request.POST.get("action", "save")
        behalf = dict(available_actions(assessment, roles)).get(action, False)
        try:
            with transaction.atomic():
                current = assessment
                version = request.POST.get("version")
                if values:
                    current = save_lines(request.user, current, version=version, values=values, on_behalf=on_behalf)
                    version = current.version
                if action != "save":
                    advance(
                        request.user,
                        current,
                        action,
                        version=version,
                        reason=request.POST.get("reason", ""),
                        on_behalf=behalf,
                    )
        except VersionConflict as conflict:
            errors["__all__"] = [str(conflict)]
        except ValidationError as error:
            errors = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
        except ValueError:  # an action that is none of the workflow's
            errors["__all__"] = [_("Choose one of the buttons.")]
        else:
            messages.success(request, _("Saved."))
            return redirect(assessment)
        assessment, roles = access.get_assessment_for_user(request.user, pk)
    status = 400 if errors else 200
    return render(
        request,
        "assessments/assessment.html",
        page_context(request.user, assessment, roles, errors, typed),
        status=status,
    )


def page_context(user, assessment, roles, errors, typed):
    fields, on_behalf = fields_for(assessment, roles)
    see_scores = access.may_see_superior_scores(user, assessment, roles)
    lines = list(assessment.lines.order_by("order"))
    rows = []
    for line in lines:
        cells = {}
        for field in LINE_FIELDS:
            key = f"lines.{line.order}.{field}"
            hidden = field in ("superior_score", "superior_comment") and not see_scores
            value = typed.get(key, "" if getattr(line, field) is None else getattr(line, field))
            cells[field] = {
                "name": key,
                "id": key.replace(".", "-"),
                "value": "" if hidden else value,
                "hidden": hidden,
                "editable": field in fields,
                "errors": errors.get(key, []),
                "multiline": field.endswith("_comment"),
            }
        rows.append({"line": line, "cells": cells})
    scored = None
    if see_scores:
        try:
            scored = score_lines(assessment, lines)
        except InvalidInput:
            scored = None
    # (the id of the field it is at, or "" for the whole page; the message)
    summary = [
        ("" if key == "__all__" else key.replace(".", "-"), message)
        for key, messages_ in errors.items()
        for message in messages_
    ]
    return {
        "assessment": assessment,
        "cycle": assessment.cycle,
        "roles": roles,
        "rows": rows,
        "fields": fields,
        "on_behalf": on_behalf,
        "see_scores": see_scores,
        "breakdown": scored if scored is not None and scored.complete else None,
        "actions": available_actions(assessment, roles),
        "errors": errors,
        "error_summary": summary,
        "reason_errors": errors.get("reason", []),
        "general_errors": errors.get("__all__", []),
        "events": history(assessment, see_scores),
    }


def history(assessment, see_scores):
    """The events, oldest first; before it is done the assessed person does not read the superiors' words."""
    from assessments.models import AssessmentEvent

    private = (AssessmentEvent.Action.RETURN, AssessmentEvent.Action.COMMENT)
    events = list(assessment.events.select_related("user").order_by("at", "pk"))
    for event in events:
        event.shown_comment = event.comment if see_scores or event.action not in private else ""
        event.lines_changed = sorted((event.changes or {}).get("lines", {}), key=int)
    return events
