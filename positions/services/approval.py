"""Review and approval: which changes publish at once, which wait for an approver, and the sign-off.

A change to a published job description, or publishing one, by an HR editor who is not an
approver (positions/access.py: may_approve) becomes a Proposal: it is checked as a save would
be, then kept aside; readers keep seeing the published version until an approver approves it.
Approvers' own changes publish at once. Publishing stamps the sign-off (编制人, 批准人, 生效日期),
which asks the holders to acknowledge the job description again.
"""

from contextlib import nullcontext
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.locking import lock_tree
from positions import history
from positions.access import may_approve
from positions.diffs import diff_documents
from positions.documents import load_positions, position_document
from positions.models import Position, Proposal
from positions.services.editing import (
    DocumentInvalid,
    Save,
    SaveResult,
    parse,
    restore_save,
    save_documents,
    without_row_ids,
)

PUBLISHED = Position.Status.PUBLISHED


class ProposalRefused(Exception):
    """A decision that cannot be made on a proposal; the message says why."""


class _DryRun(Exception):
    pass


@dataclass
class Outcome:
    result: SaveResult | None = None  # saved at once
    proposal: Proposal | None = None  # waiting for an approver


def needs_approval(user, stored_status, new_status):
    return not may_approve(user) and PUBLISHED in (stored_status, new_status)


@transaction.atomic
def submit(user, save, comment=""):
    """Save one job description (a Save) as `user` may: at once, or as a proposal for an approver.

    Raises what save_documents() raises; nothing is proposed that could not be saved.
    """
    stored = None
    if save.code is not None:
        stored_rows = Position.objects.filter(code=save.code)
        if not may_approve(user):
            # The base of a proposal is read under the row lock, so no save slips in before the dry
            # run; the tree lock first, as every save takes it, so the two cannot deadlock.
            lock_tree(Position)
            stored_rows = stored_rows.select_for_update()
        stored = stored_rows.values_list("status", "version").first()
    values, _problems = parse(save.document, is_new=save.code is None)  # "已发布" is published too
    new_status = values.get("status", stored[0] if stored else Position.Status.DRAFT)
    if not needs_approval(user, stored[0] if stored else None, new_status):
        with history.commenting(comment) if comment else nullcontext():
            result = save_documents([save])
            if result.changed:
                sign_off([p.pk for p in result.positions.values()], prepared_by=user, approved_by=user)
        return Outcome(result=result)
    if save.code is None or stored is None:
        raise DocumentInvalid(
            {0: {"status": [_("Only an approver may publish a new job description: save it as a draft.")]}}
        )
    try:
        with transaction.atomic():  # a dry run: every check of a real save, then rolled back
            result = save_documents([save])
            raise _DryRun
    except _DryRun:
        pass
    if not result.changed:
        return Outcome(result=result)
    proposal = Proposal.objects.create(
        position=Position.objects.get(code=save.code),
        document=result.documents[0],
        base_version=stored[1],  # read under the row lock, before the dry run
        author=user if getattr(user, "is_authenticated", False) else None,
        comment=(comment or "").strip()[:500],
    )
    return Outcome(proposal=proposal)


def restore(user, code, version_id, *, expected_version=None):
    """Restore a version of `code` as `user` may (editing.restore_save): the SaveResult when it is saved
    at once, the Proposal when it waits for an approver. Raises what restore_save() and submit() raise."""
    save, comment = restore_save(code, version_id, expected_version=expected_version)
    outcome = submit(user, save, comment=comment)
    return outcome.result if outcome.proposal is None else outcome.proposal


def sign_off(position_ids, *, prepared_by, approved_by, effective_on=None):
    """Stamp the sign-off on those of the positions that are published, and record it in their versions."""
    ids = list(Position.objects.filter(pk__in=position_ids, status=PUBLISHED).values_list("pk", flat=True))
    if not ids:
        return
    Position.objects.filter(pk__in=ids).update(
        prepared_by=_user(prepared_by),
        approved_by=_user(approved_by),
        approved_at=timezone.now(),
        effective_on=effective_on or timezone.localdate(),
    )
    history.record(ids)  # the action's versions carry the sign-off


def _user(user):
    return user if getattr(user, "is_authenticated", False) else None


def is_stale(proposal):
    """Whether the job description changed since the proposal was made (holder changes do not count)."""
    position = load_positions(Position.objects.filter(pk=proposal.position_id).order_by())[0]
    if position.version == proposal.base_version:
        return False
    base = (
        Position.history.filter(id=proposal.position_id, document__version=proposal.base_version)
        .order_by("-history_date")
        .values_list("document", flat=True)
        .first()
    )
    return base is None or bool(diff_documents(without_row_ids(base), without_row_ids(position_document(position))))


@transaction.atomic
def approve(proposal, approver, *, comment="", effective_on=None):
    """Publish the proposal's job description, signed off by `approver`; returns the SaveResult."""
    lock_tree(Position)  # the tree, then the position, then the proposal: the order every save keeps
    position = Position.objects.select_for_update().get(pk=proposal.position_id)
    proposal = Proposal.objects.select_for_update().select_related("position").get(pk=proposal.pk)
    if not may_approve(approver):
        raise ProposalRefused(_("Only an approver may approve a proposal."))
    if proposal.status != Proposal.Status.PENDING:
        raise ProposalRefused(_("This proposal was already decided."))
    if is_stale(proposal):
        raise ProposalRefused(
            _("%(code)s has changed since this proposal was made; return it, so it can be proposed again.")
            % {"code": proposal.position.code}
        )
    note = _("Approved the proposal of %(author)s.") % {"author": _name(proposal.author)}
    with history.commenting(f"{note} {comment}".strip()):
        # The version read under the lock: a save in between is refused, never overwritten.
        result = save_documents([Save(proposal.document, code=position.code, expected_version=position.version)])
        sign_off([proposal.position_id], prepared_by=proposal.author, approved_by=approver, effective_on=effective_on)
    proposal.status = Proposal.Status.APPROVED
    proposal.decided_by, proposal.decided_at = approver, timezone.now()
    proposal.decision_comment, proposal.effective_on = (comment or "").strip()[:500], effective_on
    proposal.save()
    return result


@transaction.atomic
def return_proposal(proposal, approver, *, comment):
    """Send the proposal back to its author with the reason; nothing is published."""
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if not may_approve(approver):
        raise ProposalRefused(_("Only an approver may return a proposal."))
    if proposal.status != Proposal.Status.PENDING:
        raise ProposalRefused(_("This proposal was already decided."))
    if not (comment or "").strip():
        raise ProposalRefused(_("Say why the proposal is returned."))
    proposal.status = Proposal.Status.RETURNED
    proposal.decided_by, proposal.decided_at = approver, timezone.now()
    proposal.decision_comment = comment.strip()[:500]
    proposal.save()
    return proposal


def _name(user):
    if user is None:
        return _("system")
    return user.get_full_name() or user.username


# The holder's signature (签字确认) ------------------------------------------------------------


def signatures(position):
    """[Signature] for the current holders of a published `position`, in one query, with the
    acknowledgement of each that still counts (Acknowledgement.objects.counting)."""
    from django.db.models import OuterRef, Subquery

    from positions.models import Acknowledgement, Assignment

    valid = (
        Acknowledgement.objects.counting()
        .filter(position=position, person=OuterRef("person_id"))
        .order_by("-acknowledged_at", "-pk")
    )
    rows = (
        Assignment.objects.current()
        .filter(position=position)
        .order_by("-kind", "person__name")
        .annotate(
            ack_version=Subquery(valid.values("version")[:1]), ack_at=Subquery(valid.values("acknowledged_at")[:1])
        )
        .values_list("person__name", "person__user_id", "ack_version", "ack_at")
    )
    return [Signature(*row) for row in rows]


@dataclass
class Signature:
    name: str
    user_id: int | None
    version: int | None  # acknowledged version, None: not yet
    at: object = None


@transaction.atomic
def acknowledge(user, position):
    """`user` signs the published job description of `position`, which they hold; returns the Acknowledgement."""
    from positions.models import Acknowledgement, Assignment

    position = Position.objects.select_for_update().get(pk=position.pk)
    if position.status != PUBLISHED:
        raise ProposalRefused(_("Only a published job description can be acknowledged."))
    holding = Assignment.objects.current().filter(position=position, person__user=user).select_related("person")
    assignment = holding.first()
    if assignment is None:
        raise ProposalRefused(
            _("Only a holder of %(code)s can acknowledge its job description.") % {"code": position.code}
        )
    signed = Acknowledgement.objects.counting().filter(
        position=position, person=assignment.person, version=position.version
    )
    return signed.first() or Acknowledgement.objects.create(
        position=position, person=assignment.person, version=position.version
    )


def pending_acknowledgements(department=None):
    """{department name: [(code, title, person name)]}: holders with a login who have not acknowledged
    the current published job description of their post; in `department` and its sub-departments
    when one is given."""
    from django.db.models import Exists, OuterRef

    from positions.models import Acknowledgement, Assignment

    signed = Acknowledgement.objects.counting().filter(position=OuterRef("position"), person=OuterRef("person"))
    assignments = Assignment.objects.current()
    if department is not None:
        assignments = assignments.filter(position__in=Position.objects.in_department(department))
    rows = (
        assignments.filter(position__status=PUBLISHED, person__user__isnull=False)
        .exclude(Exists(signed))
        .order_by("position__department__name", "position__code", "person__name")
        .values_list("position__department__name", "position__code", "position__title", "person__name")
    )
    grouped = {}
    for department, code, title, name in rows:
        grouped.setdefault(department or "", []).append((code, title, name))
    return grouped
