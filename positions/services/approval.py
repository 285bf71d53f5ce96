"""Review and approval: which changes publish at once, which wait for an approver, and the sign-off.

A change to a published job description, or publishing one, by an HR editor who is not an
approver (positions/access.py: may_approve) becomes a Proposal: it is checked as a save would
be, then kept aside; readers keep seeing the published version until an approver approves it.
Approvers' own changes publish at once. Publishing stamps the sign-off (编制人, 批准人, 生效日期),
which asks the holders to acknowledge the job description again.

An approval dated after today is scheduled: the published version stays in force, and the change
applies on its effective date as an action of its own (the task queue runs `apply_scheduled`;
`manage.py apply_due_changes` applies whatever is due, for a worker that was down). A returned
proposal goes back to its author, who revises it into a new proposal or withdraws it.
"""

import datetime
from contextlib import nullcontext
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.locking import lock_tree
from positions import history
from positions.access import may_approve, may_edit
from positions.diffs import diff_documents, merge_documents
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
Status = Proposal.Status


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


def _dry_run(save):
    """The SaveResult that saving `save` would give, with every check of a real save; nothing is kept.
    Raises what save_documents() raises."""
    try:
        with transaction.atomic():
            result = save_documents([save])
            raise _DryRun
    except _DryRun:
        pass
    return result


@transaction.atomic
def submit(user, save, comment="", *, revises=None):
    """Save one job description (a Save) as `user` may: at once, or as a proposal for an approver.

    `revises`: the returned (or overtaken) Proposal this save revises; it stops waiting for its
    author, and a new proposal names it. Raises what save_documents() raises, and ProposalRefused
    when `revises` cannot be revised (any more); nothing is proposed that could not be saved.
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
        if result.changed and revises is not None:
            _revised(revises, user, save.code)
        return Outcome(result=result)
    if save.code is None or stored is None:
        raise DocumentInvalid(
            {0: {"status": [_("Only an approver may publish a new job description: save it as a draft.")]}}
        )
    result = _dry_run(save)
    if not result.changed:
        return Outcome(result=result)
    if revises is not None:
        revises = _revised(revises, user, save.code)
    proposal = Proposal.objects.create(
        position=Position.objects.get(code=save.code),
        document=result.documents[0],
        base_version=stored[1],  # read under the row lock, before the dry run
        author=user if getattr(user, "is_authenticated", False) else None,
        comment=(comment or "").strip()[:500],
        revises=revises,
    )
    return Outcome(proposal=proposal)


def _revised(proposal, user, code):
    """Mark `proposal` revised by `user`'s save of `code`, under its row lock (after the tree and the
    position: the order every save keeps); ProposalRefused when it is no longer theirs to revise."""
    proposal = Proposal.objects.select_for_update(of=("self",)).select_related("position").get(pk=proposal.pk)
    if proposal.position.code != code:
        raise ProposalRefused(_("This proposal is for another position."))
    if not may_revise(user, proposal):
        raise ProposalRefused(_("This proposal is no longer waiting to be revised: it was revised or withdrawn."))
    proposal.status = Status.REVISED
    proposal.save(update_fields=["status"])
    return proposal


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
    base = base_document(proposal)
    return base is None or bool(diff_documents(without_row_ids(base), without_row_ids(position_document(position))))


def base_document(proposal):
    """The document of the version the proposal was made from, from the history; None when it is not there."""
    return (
        Position.history.filter(id=proposal.position_id, document__version=proposal.base_version)
        .order_by("-history_date")
        .values_list("document", flat=True)
        .first()
    )


@transaction.atomic
def approve(proposal, approver, *, comment="", effective_on=None):
    """Approve the proposal, signed off by `approver`: published now when `effective_on` is today or
    earlier (returns the SaveResult), or scheduled to apply on that day (returns None; checked now
    as a save would be, so that what is scheduled could be published)."""
    lock_tree(Position)  # the tree, then the position, then the proposal: the order every save keeps
    position = Position.objects.select_for_update().get(pk=proposal.position_id)
    proposal = Proposal.objects.select_for_update(of=("self",)).select_related("position", "author").get(pk=proposal.pk)
    if not may_approve(approver):
        raise ProposalRefused(_("Only an approver may approve a proposal."))
    if proposal.status != Status.PENDING:
        raise ProposalRefused(_("This proposal was already decided."))
    if is_stale(proposal):
        raise ProposalRefused(
            _("%(code)s has changed since this proposal was made; return it, so it can be proposed again.")
            % {"code": proposal.position.code}
        )
    today = history.today()
    effective_on = effective_on or today
    # The version read under the lock: a save in between is refused, never overwritten.
    save = Save(proposal.document, code=position.code, expected_version=position.version)
    proposal.decided_by, proposal.decided_at = approver, history.clock()  # the clock its versions are stamped with
    proposal.decision_comment, proposal.effective_on = (comment or "").strip()[:500], effective_on
    if effective_on > today:
        _dry_run(save)
        proposal.status = Status.SCHEDULED
        proposal.save()
        _schedule(proposal)
        return None
    with history.noting({"kind": "approved", "author": _name(proposal.author)}), history.commenting(comment):
        result = save_documents([save])
        sign_off([proposal.position_id], prepared_by=proposal.author, approved_by=approver, effective_on=effective_on)
    proposal.status, proposal.applied_at = Status.APPROVED, proposal.decided_at
    proposal.save()
    return result


def _schedule(proposal):
    """Queue the scheduled proposal's task to run from the start of its effective day, once this
    transaction commits. A backend that cannot wait (the tests' immediate one) queues nothing:
    `manage.py apply_due_changes` applies what is due."""
    from positions.tasks import apply_scheduled_change

    if not apply_scheduled_change.get_backend().supports_defer:
        return
    start = timezone.make_aware(datetime.datetime.combine(proposal.effective_on, datetime.time.min))
    pk = proposal.pk
    transaction.on_commit(lambda: apply_scheduled_change.using(run_after=start).enqueue(pk))


def apply_scheduled(proposal_id, *, today=None):
    """Apply the scheduled proposal `proposal_id` if its effective date has come, as an action of the
    system: the Proposal, approved (it took effect) or overtaken (the job description changed after
    the approval, or can no longer be saved as proposed; nothing is overwritten). None when there is
    nothing to do: decided otherwise, applied already, or not yet due (then it is queued again)."""
    today = today or history.today()
    found = Proposal.objects.filter(pk=proposal_id, status=Status.SCHEDULED).values_list("effective_on", flat=True)
    effective_on = found.first()
    if effective_on is None:
        return None
    if effective_on > today:  # a worker whose clock runs ahead of the portal's
        _schedule(Proposal.objects.get(pk=proposal_id))
        return None
    return _apply(proposal_id, today)


@transaction.atomic
def _apply(proposal_id, today):
    position_id = Proposal.objects.filter(pk=proposal_id).values_list("position_id", flat=True).first()
    if position_id is None:
        return None
    lock_tree(Position)
    position = Position.objects.select_for_update().get(pk=position_id)
    proposal = (
        Proposal.objects.select_for_update(of=("self",)).select_related("author", "decided_by").get(pk=proposal_id)
    )
    if proposal.status != Status.SCHEDULED or proposal.effective_on > today:
        return None  # decided otherwise, or applied, while this waited for the locks
    if is_stale(proposal):
        proposal.status = Status.OVERTAKEN
        proposal.save(update_fields=["status"])
        return proposal
    note = {
        "kind": "took_effect",
        "approver": _name(proposal.decided_by),
        "approved_on": timezone.localtime(proposal.decided_at).date().isoformat() if proposal.decided_at else "",
        "author": _name(proposal.author),
    }
    try:
        with transaction.atomic(), history.acting(), history.noting(note):
            with history.commenting(proposal.decision_comment):
                save_documents([Save(proposal.document, code=position.code, expected_version=position.version)])
                sign_off(
                    [position.pk],
                    prepared_by=proposal.author,
                    approved_by=proposal.decided_by,
                    effective_on=proposal.effective_on,
                )
    except DocumentInvalid as refusal:
        proposal.status, proposal.not_applied_because = Status.OVERTAKEN, str(refusal)[:500]
    else:
        proposal.status, proposal.applied_at = Status.APPROVED, history.clock()
    proposal.save(update_fields=["status", "applied_at", "not_applied_because"])
    return proposal


def apply_due(today=None):
    """Apply every scheduled proposal whose effective date has come, the earliest first; [Proposal] as
    each ended. Running it again applies nothing twice."""
    today = today or history.today()
    due = Proposal.objects.filter(status=Status.SCHEDULED, effective_on__lte=today)
    done = []
    for pk in due.order_by("effective_on", "decided_at", "pk").values_list("pk", flat=True):
        proposal = apply_scheduled(pk, today=today)
        if proposal is not None:
            done.append(proposal)
    return done


@transaction.atomic
def return_proposal(proposal, approver, *, comment):
    """Send the proposal back to its author with the reason; nothing is published. A scheduled one is
    called back the same way before its effective date."""
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if not may_approve(approver):
        raise ProposalRefused(_("Only an approver may return a proposal."))
    if proposal.status not in (Status.PENDING, Status.SCHEDULED):
        raise ProposalRefused(_("This proposal was already decided."))
    if not (comment or "").strip():
        raise ProposalRefused(_("Say why the proposal is returned."))
    proposal.status = Proposal.Status.RETURNED
    proposal.decided_by, proposal.decided_at = approver, history.clock()
    proposal.decision_comment = comment.strip()[:500]
    proposal.save()
    return proposal


@transaction.atomic
def withdraw(proposal, user):
    """The author takes back a proposal that waits for an approver, or one returned to them."""
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if not may_withdraw(user, proposal):
        raise ProposalRefused(_("Only its author may withdraw a proposal, while it waits or is back with them."))
    proposal.status = Status.WITHDRAWN
    proposal.save(update_fields=["status"])
    return proposal


def may_withdraw(user, proposal):
    return (
        getattr(user, "is_authenticated", False)
        and proposal.author_id == user.pk
        and proposal.status in (Status.PENDING, *Proposal.WITH_AUTHOR)
    )


def may_revise(user, proposal):
    """Whether `user` may revise `proposal` in the editor: its author (or an approver), while it is back with them."""
    return (
        may_edit(user)
        and proposal.status in Proposal.WITH_AUTHOR
        and (proposal.author_id == user.pk or may_approve(user))
    )


@dataclass
class Revision:
    """What revising a proposal starts from: the document to open the editor on, the post's current
    document (the editor's base), and what changed in the post since the proposal was made."""

    proposal: Proposal
    document: dict
    base: dict
    changes: list = field(default_factory=list)  # diffs.Change, from the proposal's base to now


def revision(proposal):
    """The Revision of `proposal`: its document as it is when the post has not changed since; else the
    author's changes laid over the current job description (diffs.merge_documents, as after a lost
    race), with the changes made since, to look over before saving."""
    (position,) = load_positions(Position.objects.filter(pk=proposal.position_id).order_by())
    current = without_row_ids(position_document(position))
    if position.version == proposal.base_version:
        return Revision(proposal, {**current, **proposal.document}, current)
    base = base_document(proposal)
    if base is None:  # its base is not in the history: the proposal whole, and everything that differs
        return Revision(proposal, {**current, **proposal.document}, current, diff_documents(proposal.document, current))
    base = without_row_ids(base)
    changes = diff_documents(base, current)
    return Revision(proposal, merge_documents(base, {**current, **proposal.document}, current), current, changes)


def menu_counts(user):
    """{"waiting": proposals waiting for an approver (for approvers; else 0), "returned": the user's own
    proposals back with them, to revise or withdraw}, in one query (the menu shows them on every page)."""
    approver = may_approve(user)
    mine = Q(author=user, status__in=Proposal.WITH_AUTHOR)
    counts = {"returned": Count("pk", filter=mine)}
    if approver:
        counts["waiting"] = Count("pk", filter=Q(status=Status.PENDING))
    found = Proposal.objects.filter(mine | Q(status=Status.PENDING) if approver else mine).aggregate(**counts)
    return {"waiting": found.get("waiting", 0), "returned": found["returned"]}


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
