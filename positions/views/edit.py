"""The job-description editor: new, edit, duplicate, delete, and "move under…".

Views only shape the request: positions/forms/editor.py turns the forms into a document,
positions/services/editing.py (and moves.py) check and save it in one transaction, and
their refusals come back to the field, row or section they name. A save that meets
someone else's shows what they changed and keeps what was typed.
"""

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from portal import text
from positions.access import deleter_required, editor_required
from positions.diffs import diff_documents, merge_documents
from positions.documents import load_positions, position_document
from positions.forms.editor import Editor, sign_base
from positions.forms.moves import DeleteForm, MoveForm
from positions.models import Assignment, JDTemplate, Position, Proposal
from positions.readable import readable
from positions.services import approval
from positions.services.editing import (
    DeleteRefused,
    DocumentInvalid,
    Save,
    VersionConflict,
    delete_position,
    new_document,
    without_row_ids,
)
from positions.services.moves import MoveRefused, move_position, plan_move


def _loaded(code):
    positions = load_positions(Position.objects.filter(code=code).order_by())
    if not positions:
        raise Http404
    return positions[0]


@editor_required
@require_http_methods(["GET", "POST"])
def position_new(request):
    document = new_document()
    code = request.GET.get("under", "")[:40]
    superior = Position.objects.filter(code=code).select_related("department").first() if code else None
    if superior is not None:
        # A new post under another usually belongs to the same department: a default, changed at will.
        document["reports_to"] = superior.code
        document["department"] = superior.department.code if superior.department else None
    return _edit(request, None, document)


@editor_required
@require_http_methods(["GET", "POST"])
def position_edit(request, code):
    position = _loaded(code)
    if "proposal" in request.GET:
        return _revise(request, position)
    return _edit(request, position, position_document(position, with_ids=True))


def _revise(request, position):
    """The editor on a proposal back with its author (?proposal=<id>): its document laid over the post
    as it is now (services/approval.py: revision); saving proposes it again, naming the old one."""
    found = Proposal.objects.filter(pk=text.whole_number(request.GET["proposal"]), position=position)
    proposal = found.select_related("position", "decided_by").first()
    if proposal is None:
        raise Http404
    if not approval.may_revise(request.user, proposal):
        messages.error(request, _("This proposal is not waiting for you to revise it."))
        return redirect(proposal)
    revision = approval.revision(proposal)
    revising = {"proposal": proposal, "base": revision.base, "changes": readable(revision.changes, request.user)}
    return _edit(request, position, revision.document, revising=revising)


@editor_required
@require_http_methods(["GET", "POST"])
def position_duplicate(request, code):
    """A new draft prefilled from an existing post: its job description, not its code, holders or links to it."""
    source = _loaded(code)
    document = without_row_ids(position_document(source))
    document.update(code="", status=Position.Status.DRAFT)
    return _edit(request, None, document, duplicate_of=source)


def _edit(request, position, document, duplicate_of=None, revising=None):
    template = JDTemplate.current()
    conflict = None
    own_code = position.code if position else None
    problems = None
    if request.method == "POST" and request.POST.get("find"):
        # "Find" beside a position field (without JavaScript): the matches under it, nothing saved.
        editor = Editor(request.POST, template=template)
        editor.quiet()
        editor.find(request.POST["find"], request.user, own_code)
    elif request.method == "POST":
        editor = Editor(request.POST, template=template)
        if not editor.is_valid():
            problems = editor.problems()
        else:
            base = editor.header.base_document() if position else None
            try:
                outcome = approval.submit(
                    request.user,
                    Save(
                        editor.document(),
                        code=position.code if position else None,
                        expected_version=editor.header.cleaned_data.get("version") if position else None,
                    ),
                    comment=request.POST.get("change_comment", ""),
                    revises=revising["proposal"] if revising else None,
                )
            except approval.ProposalRefused as refusal:
                messages.error(request, str(refusal))
            except DocumentInvalid as refusal:
                editor.attach_errors(refusal.errors)
                editor.offer_choices(request.user, own_code)
                problems = editor.problems()
            except VersionConflict as refusal:
                editor, conflict = _conflict(request, position.code, base, template, editor, refusal)
            else:
                if outcome.proposal is not None:
                    messages.success(
                        request,
                        _(
                            "Your change to %(code)s waits for an approver; readers see the published version until then."
                        )
                        % {"code": position.code},
                    )
                    return redirect("positions:proposal", outcome.proposal.pk)
                result = outcome.result
                (saved,) = result.positions.values()
                if result.created:
                    messages.success(request, _("%(code)s is created.") % {"code": saved.code})
                elif result.updated:
                    messages.success(request, _("%(code)s is saved.") % {"code": saved.code})
                else:
                    messages.info(request, _("Nothing had changed."))
                return redirect("positions:detail", saved.code)
    else:
        plain = revising["base"] if revising else without_row_ids(document)
        editor = Editor(
            document=document, template=template, base=plain, version=position.version if position else None
        )
    return render(
        request,
        "positions/edit.html",
        {
            "editor": editor,
            "position": position,
            "conflict": conflict,
            "duplicate_of": duplicate_of,
            "revising": revising,
            "problems": problems,  # a refused save: the summary at the top of the form
        },
    )


def _conflict(request, code, base, template, editor, refusal):
    """The editor again after a lost race: what the other person changed, and the user's input kept.

    The form moves on to the current version, holding the other person's document with what the
    user changed laid over it (`merge_documents`), so saving again applies exactly the user's
    changes on top of theirs, knowingly.
    """
    current = _loaded(code)
    theirs = position_document(current, with_ids=True)
    plain = without_row_ids(theirs)
    if base is None:  # the form's base was missing or forged: keep everything that was sent
        data = request.POST.copy()
        data["h-version"] = str(current.version)
        data["h-base"] = sign_base(plain)
        editor = Editor(data, template=template)
        editor.is_valid()
        changes = []
    else:
        merged = merge_documents(base, editor.document(), theirs)
        editor = Editor(document=merged, template=template, base=plain, version=current.version)
        changes = diff_documents(base, plain)
    conflict = {"message": str(refusal), "changes": readable(changes, request.user)}
    messages.error(request, _("Someone else saved this job description while you were editing it. Nothing was saved."))
    return editor, conflict


@deleter_required
@require_http_methods(["GET", "POST"])
def position_delete(request, code):
    position = _loaded(code)
    holders = Assignment.objects.current().filter(position=position).select_related("person")
    form = DeleteForm(request.POST or None, position=position)
    if request.method == "POST" and request.POST.get("find") == "reports_go_to":  # "Find", without JavaScript
        form.find_only("reports_go_to", request.user, exclude=[code])
    elif request.method == "POST" and form.is_valid():
        try:
            delete_position(
                code,
                expected_version=form.cleaned_data["version"],
                reports_go_to=form.cleaned_data.get("reports_go_to") or None,
            )
        except (DeleteRefused, MoveRefused) as refusal:
            form.add_error(None, str(refusal))
            form.offer_choices(["reports_go_to"], request.user, exclude=[code])
        except VersionConflict as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("%(code)s is deleted.") % {"code": code})
            return redirect("positions:list")
    return render(
        request,
        "positions/delete.html",
        {"position": position, "form": form, "holders": holders, "reports": position._doc_children},
    )


@editor_required
@require_http_methods(["GET", "POST"])
def position_move(request, code):
    """Move a post and everything under it: a searchable list of superiors, or "put at the top" as a choice
    of its own; a post with reports moves only once the user has seen how many move with it and confirmed.
    chart.js's drag and drop posts here too, and gets the same checks and confirmation as JSON."""
    position = _loaded(code)
    form = MoveForm(request.POST or None, position=position, query=request.GET.get("q", ""))
    by_script = request.headers.get("X-Requested-With") == "fetch"  # drag and drop on the chart
    plan = None
    if request.method == "POST" and form.is_valid():
        try:
            plan = plan_move(code, form.new_superior)
            if plan.below and not plan.changes_nothing and not form.cleaned_data["confirmed"]:
                return _confirm_move(request, position, form, plan, by_script)
            moved = move_position(code, form.new_superior, expected_version=form.cleaned_data.get("version"))
        except (MoveRefused, Position.DoesNotExist) as refusal:
            form.add_error("superior", str(refusal))
        except VersionConflict as refusal:
            form.add_error(None, str(refusal))
        else:
            if by_script:
                return JsonResponse({"moved": moved.code, "superior": form.new_superior, "with": plan.below})
            if plan.changes_nothing:
                messages.info(request, _("%(code)s already reports there: nothing changed.") % {"code": moved.code})
            else:
                messages.success(request, _move_message(plan))
            return redirect("org_tree:subtree", moved.code)
    if by_script and request.method == "POST":
        errors = [message for messages_ in form.errors.values() for message in messages_]
        return JsonResponse({"errors": errors}, status=400, json_dumps_params={"ensure_ascii": False})
    return render(request, "positions/move.html", {"position": position, "form": form})


def _superior_name(plan):
    if plan.superior is None:
        return _("nobody (the top)")
    return f"{plan.superior.title} ({plan.superior.code})"


def _move_message(plan):
    if not plan.below:
        return _("%(code)s now reports to %(superior)s.") % {
            "code": plan.position.code,
            "superior": _superior_name(plan),
        }
    return ngettext(
        "%(code)s now reports to %(superior)s, with the %(below)d post under it.",
        "%(code)s now reports to %(superior)s, with the %(below)d posts under it.",
        plan.below,
    ) % {"code": plan.position.code, "superior": _superior_name(plan), "below": plan.below}


def _confirm_move(request, position, form, plan, by_script):
    """The confirmation step: how many posts move, and where to."""
    names = {
        "title": plan.position.title,
        "code": plan.position.code,
        "superior": _superior_name(plan),
        "below": plan.below,
    }
    if plan.superior is None:
        question = (
            ngettext(
                "Make %(title)s (%(code)s) a top-level post, reporting to nobody? The %(below)d post under it moves with it.",
                "Make %(title)s (%(code)s) a top-level post, reporting to nobody? The %(below)d posts under it move with it.",
                plan.below,
            )
            % names
        )
    else:
        question = (
            ngettext(
                "Move %(title)s (%(code)s) under %(superior)s? The %(below)d post under it moves with it.",
                "Move %(title)s (%(code)s) under %(superior)s? The %(below)d posts under it move with it.",
                plan.below,
            )
            % names
        )
    if by_script:
        return JsonResponse(
            {"confirm": question, "with": plan.below, "superior": form.new_superior},
            status=409,
            json_dumps_params={"ensure_ascii": False},
        )
    return render(
        request,
        "positions/move.html",
        {"position": position, "form": form, "plan": plan, "question": question},
    )
