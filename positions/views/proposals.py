"""Proposals: changes to published job descriptions waiting for an approver; approve or return them."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from positions.access import approver_required, editor_required, may_approve
from positions.diffs import diff_documents
from positions.documents import describe, load_positions, position_document
from positions.forms.proposals import DecisionForm
from positions.models import Position, Proposal
from positions.services import approval
from positions.services.editing import DocumentInvalid, VersionConflict, without_row_ids


@editor_required
@require_GET
def proposal_list(request):
    show = request.GET.get("status") or Proposal.Status.PENDING
    if show not in Proposal.Status.values:
        show = Proposal.Status.PENDING
    proposals = Proposal.objects.filter(status=show).select_related("position", "author", "decided_by")
    return render(
        request,
        "positions/proposals.html",
        {"proposals": proposals[:500], "show": show, "statuses": Proposal.Status.choices},
    )


@editor_required
@require_GET
def proposal_detail(request, pk):
    proposal = get_object_or_404(Proposal.objects.select_related("position", "author", "decided_by"), pk=pk)
    (position,) = load_positions(Position.objects.filter(pk=proposal.position_id).order_by())
    current = without_row_ids(position_document(position))
    changes = diff_documents(current, proposal.document)
    context = {
        "proposal": proposal,
        "changes": changes,
        "labels": {change.key: describe(change.key) for change in changes},
        "can_decide": may_approve(request.user) and proposal.status == Proposal.Status.PENDING,
        "stale": proposal.status == Proposal.Status.PENDING and approval.is_stale(proposal),
        "form": DecisionForm(initial={"effective_on": timezone.localdate()}),
    }
    return render(request, "positions/proposal.html", context)


@approver_required
@require_POST
def proposal_decide(request, pk):
    proposal = get_object_or_404(Proposal, pk=pk)
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
    try:
        if decision == "approve":
            approval.approve(proposal, request.user, comment=comment, effective_on=effective_on)
            messages.success(request, _("Approved: %(code)s is published.") % {"code": proposal.position.code})
            return redirect("positions:detail", proposal.position.code)
        approval.return_proposal(proposal, request.user, comment=comment)
        messages.info(request, _("The proposal is returned to its author."))
    except approval.ProposalRefused as refusal:
        messages.error(request, str(refusal))
    except (DocumentInvalid, VersionConflict) as refusal:
        messages.error(request, _("It cannot be published as it is: %(reason)s") % {"reason": refusal})
    return redirect("positions:proposal", pk)
