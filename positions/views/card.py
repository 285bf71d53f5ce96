"""The job-description card: one position document, drawn by templates/includes/job_description.html."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from positions import history
from positions.access import (
    can_read,
    can_read_status,
    get_position_for_user,
    may_edit,
    may_manage_people,
    reader_required,
)
from positions.documents import judged, load_positions, position_document
from positions.forms.people import AssignForm
from positions.models import Assignment, JDTemplate, Position, Proposal
from positions.services import approval
from positions.visibility import redact

CODE_SLOT = "0CODE0SLOT0"  # a well-formed code, replaced by each real one


def position_refs(codes, related, user, card_url):
    """Positions named by code as "title code", each linked to its card when `user` may read it, joined by 、."""
    parts = []
    for code in codes:
        title, status = related.get(code, ("", None))
        label = format_html('{} <span class="code">{}</span>', title, code)
        if status is not None and can_read_status(user, status):
            label = format_html('<a href="{}">{}</a>', card_url.replace(CODE_SLOT, code), label)
        parts.append(label)
    return mark_safe("、".join(parts))  # every part is built by format_html


def card_context(document, related, template, user):
    """What the card partial needs besides the request: the judged document and how to lay it out."""
    required = template.required
    doc = judged(document, required)
    career = doc["career"]
    described = doc["has_description"]
    card_url = reverse("positions:detail", args=[CODE_SLOT])
    lists = {
        "reports_to": [doc["reports_to"]] if doc["reports_to"] else [],
        "direct_reports": doc["direct_reports"],
        "dotted_reports_to": doc["dotted_reports_to"],
        "dotted_reports": doc["dotted_reports"],
        "promotes_to": career["promotes_to"],
        "rotates_with": career["rotates_with"],
    }
    relation_rows = ["dotted_reports_to", "dotted_reports", "internal_relations", "external_relations"]
    relations_missing = (
        doc["has_description"]
        and "relations" in required
        and not doc["internal_relations"]
        and not doc["external_relations"]
    )
    return {
        "doc": doc,
        "refs": {key: position_refs(codes, related, user, card_url) for key, codes in lists.items()},
        "show": {
            "purpose": bool(doc["purpose"]) or described and "purpose" in required,
            "duties": described and (bool(doc["duties"]) or "duties" in required),
            "authorities": described and (bool(doc["authorities"]) or "authorities" in required),
            "profile": described
            and (
                bool(doc["education"] or doc["major"]) or doc["experience_years"] is not None or "education" in required
            ),
            "qualifications": described and (bool(doc["qualifications"]) or "qualifications" in required),
            "training": described and (bool(doc["training"]) or "training" in required),
            "environment": described and (bool(doc["work_environment"]) or "work_environment" in required),
            "career": described and (bool(career["promotes_to"] or career["rotates_with"]) or "career" in required),
            "kpis": described and (bool(doc["kpis"]) or "kpis" in required),
        },
        "required": required,
        "kpi_cycles": any(kpi.get("cycle") for kpi in doc["kpis"]),
        "relations_rowspan": 2 + sum(1 for key in relation_rows if doc[key]) + relations_missing,
        "relations_missing": relations_missing,
    }


def _card_as_of(request, code):
    """The card as it was at `as_of`: the version then, with a banner; a message when there is none."""
    try:
        at = history.parse_as_of(request.GET["as_of"])
    except history.AsOfError as error:
        return render(request, "positions/as_of_error.html", {"message": str(error), "code": code}, status=400)
    document = history.document_as_of(code, at)
    if document is None or not can_read_status(request.user, document.get("status")):
        raise Http404
    named = {document.get("reports_to"), *document["direct_reports"], *document.get("dotted_reports_to", [])}
    named |= {*document["career"]["promotes_to"], *document["career"]["rotates_with"]}
    then = history.latest_as_of(at).filter(code__in=[c for c in named if c]).order_by()
    related = {c: (title, status) for c, title, status in then.values_list("code", "title", "status")}
    document.setdefault("dotted_reports", [])
    redact(request.user, [document], at=at, related=related)
    context = card_context(document, related, JDTemplate.current(), request.user)
    context.update(as_of=at, print="print" in request.GET, exists=Position.objects.filter(code=code).exists())
    return render(request, "positions/position_detail.html", context)


@reader_required
@require_POST
def position_acknowledge(request, code):
    """The holder signs (签字确认) the published job description of their post."""
    position = get_position_for_user(request.user, code)
    if not Assignment.objects.current().filter(position=position, person__user=request.user).exists():
        raise PermissionDenied  # only its holders sign a job description
    try:
        approval.acknowledge(request.user, position)
    except approval.ProposalRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("You have acknowledged the job description of %(code)s.") % {"code": code})
    return redirect("positions:detail", code)


@reader_required
@require_GET
def position_detail(request, code):
    return card_page(request, code)


def card_page(request, code, assign_form=None):
    """The card page; `assign_form` is a holder form sent back with its errors (views/people.py)."""
    if "as_of" in request.GET:
        return _card_as_of(request, code)
    card = Position.objects.filter(code=code).select_related("prepared_by", "approved_by").order_by()
    positions = load_positions(card)
    if not positions or not can_read(request.user, positions[0]):
        raise Http404  # drafts are hidden from readers rather than forbidden
    position = positions[0]
    document = position_document(position)
    redact(request.user, [document], related=position.related)
    context = card_context(document, position.related, JDTemplate.current(), request.user)
    context.update(position=position, print="print" in request.GET)
    if position.status == Position.Status.PUBLISHED:
        signed = approval.signatures(position)
        context.update(
            signatures=signed,
            may_acknowledge=any(sign.user_id == request.user.pk and sign.version is None for sign in signed),
        )
    # Changes approved for a later date (everyone is told), and for editors those waiting for approval: one query.
    editor = may_edit(request.user)
    statuses = [Proposal.Status.SCHEDULED, *([Proposal.Status.PENDING] if editor else [])]
    waiting = Proposal.objects.filter(position=position, status__in=statuses).order_by("effective_on", "pk")
    waiting = list(waiting.values_list("pk", "status", "effective_on"))
    context["scheduled"] = [(pk, day) for pk, status, day in waiting if status == Proposal.Status.SCHEDULED]
    if editor:
        context["pending"] = sum(1 for _pk, status, _day in waiting if status == Proposal.Status.PENDING)
    if may_manage_people(request.user):
        context["holders"] = Assignment.objects.current().filter(position=position).select_related("person")
        context["assign_form"] = assign_form or AssignForm(position=position, user=request.user)
    return render(request, "positions/position_detail.html", context)
