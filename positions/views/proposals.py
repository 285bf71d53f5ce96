"""Proposals: changes to published job descriptions waiting for an approver; approve, return, withdraw.

Every HR editor sees every proposal (the team works on the same posts, and a change waiting for
approval is worth knowing before editing the post); only approvers decide, and only its author
withdraws one. Authors find their own under "Mine": waiting, returned with the approver's reason,
scheduled, approved, not applied, withdrawn.
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from positions.access import approver_required, editor_required, may_approve
from positions.diffs import diff_documents
from positions.documents import load_positions, position_document
from positions.forms.proposals import DecisionForm
from positions.models import JDTemplate, Position, Proposal
from positions.readable import card_document, readable, related_posts
from positions.services import approval
from positions.services.editing import DocumentInvalid, VersionConflict, without_row_ids
from positions.views.card import card_context

Status = Proposal.Status
MINE = "mine"
LIST_LIMIT = 500


def _tabs(user):
    """(value, label) of the list's tabs, in order, and the one shown by default."""
    approver = may_approve(user)
    tabs = [(MINE, _("Mine"))] + [
        (value, _("Waiting for me") if approver and value == Status.PENDING else label)
        for value, label in Status.choices
    ]
    return tabs, Status.PENDING if approver else MINE


@editor_required
@require_GET
def proposal_list(request):
    tabs, default = _tabs(request.user)
    show = request.GET.get("show") or request.GET.get("status") or default
    if show not in dict(tabs):
        show = default
    proposals = Proposal.objects.select_related("position", "author", "decided_by").prefetch_related("revisions")
    proposals = proposals.filter(author=request.user) if show == MINE else proposals.filter(status=show)
    rows = [
        {
            "proposal": proposal,
            "may_revise": approval.may_revise(request.user, proposal),
            "may_withdraw": approval.may_withdraw(request.user, proposal),
        }
        for proposal in proposals[:LIST_LIMIT]
    ]
    return render(request, "positions/proposals.html", {"rows": rows, "show": show, "tabs": tabs, "mine": show == MINE})


def _against(proposal, position):
    """The document the proposal's changes are shown against, and what that is: the job description as it
    is now, while the proposal waits; the version it was made from, once it is decided."""
    current = without_row_ids(position_document(position))
    if proposal.status in (Status.PENDING, Status.SCHEDULED):
        return current, _("Changes against the published job description")
    base = approval.base_document(proposal)
    if base is None:
        return current, _("Changes against the job description as it is now")
    return without_row_ids(base), _("Changes against the version it was made from")


@editor_required
@require_GET
def proposal_detail(request, pk):
    proposal = get_object_or_404(Proposal.objects.select_related("position", "author", "decided_by"), pk=pk)
    (position,) = load_positions(Position.objects.filter(pk=proposal.position_id).order_by())
    current = position_document(position)
    against, heading = _against(proposal, position)
    changes = diff_documents(against, proposal.document)
    # A first publication: the whole job description, as readers will see it on the card.
    first_publication = against.get("status") != Position.Status.PUBLISHED and (
        proposal.document.get("status") == Position.Status.PUBLISHED
    )
    shown = card_document(proposal.document, current)
    card = card_context(shown, related_posts(shown, request.user), JDTemplate.current(), request.user)
    others = Proposal.objects.filter(position=proposal.position_id, status=Status.SCHEDULED).exclude(pk=proposal.pk)
    pending = proposal.status == Status.PENDING
    approver = may_approve(request.user)
    context = {
        **card,  # the card partial's own context: the whole job description as proposed
        "proposal": proposal,
        "changes": readable(changes, request.user),
        "heading": heading,
        "first_publication": first_publication,
        "scheduled_others": list(others.values_list("pk", "effective_on")),
        "revisions": list(proposal.revisions.order_by("pk")),
        "can_decide": approver and pending,
        "can_call_back": approver and proposal.status == Status.SCHEDULED,
        "may_revise": approval.may_revise(request.user, proposal),
        "may_withdraw": approval.may_withdraw(request.user, proposal),
        "stale": pending and approval.is_stale(proposal),
        "form": DecisionForm(initial={"effective_on": timezone.localdate()}),
    }
    return render(request, "positions/proposal.html", context)


@approver_required
@require_POST
def proposal_decide(request, pk):
    proposal = get_object_or_404(Proposal.objects.select_related("position"), pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, " ".join(f"{form[name].label}: {' '.join(errors)}" for name, errors in form.errors.items())
        )
        return redirect("positions:proposal", pk)
    comment, effective_on = form.cleaned_data["comment"], form.cleaned_data["effective_on"]
    decision = request.POST.get("decision")
    if decision not in ("approve", "return"):
        messages.error(request, _("Choose to approve or to return the proposal."))
        return redirect("positions:proposal", pk)
    code = proposal.position.code
    try:
        if decision == "approve":
            result = approval.approve(proposal, request.user, comment=comment, effective_on=effective_on)
            if result is None:
                messages.success(
                    request,
                    _(
                        "Approved: the change to %(code)s takes effect on %(date)s; until then readers see the version in force."
                    )
                    % {"code": code, "date": effective_on.isoformat()},
                )
            else:
                messages.success(request, _("Approved: %(code)s is published.") % {"code": code})
            return redirect("positions:detail", code)
        approval.return_proposal(proposal, request.user, comment=comment)
        messages.info(request, _("The proposal is returned to its author."))
    except approval.ProposalRefused as refusal:
        messages.error(request, str(refusal))
    except (DocumentInvalid, VersionConflict) as refusal:
        messages.error(request, _("It cannot be published as it is: %(reason)s") % {"reason": refusal})
    return redirect("positions:proposal", pk)


@editor_required
@require_POST
def proposal_withdraw(request, pk):
    proposal = get_object_or_404(Proposal, pk=pk)
    try:
        approval.withdraw(proposal, request.user)
    except approval.ProposalRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("positions:proposal", pk)
    messages.info(request, _("The proposal is withdrawn."))
    return redirect(f"{reverse('positions:proposals')}?show={MINE}")
