"""A position's history: its versions, the diff between any two, restore, and the card as of an instant."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from portal import text
from positions import history
from positions.access import editor_required, may_edit, reader_required
from positions.diffs import diff_documents
from positions.documents import describe, kpi_defaults
from positions.models import Position, Proposal
from positions.readable import readable
from positions.services import approval
from positions.services.editing import DocumentInvalid, RestoreRefused, VersionConflict
from positions.visibility import redact


def _versions_or_404(request, code):
    """The versions `request.user` may read: drafts only for those who may see drafts."""
    versions = history.readable_versions(request.user, code)
    if not versions:
        raise Http404
    return versions


def _as_seen(user, version):
    """A version's document as `user` may see it: posts hidden from them then are not named (positions/visibility.py)."""
    if version is None:
        return None
    (document,) = redact(user, [dict(kpi_defaults(version.document))], at=version.history_date)
    return document


@reader_required
@require_GET
def position_history(request, code):
    versions = _versions_or_404(request, code)
    by_id = {str(v.history_id): v for v in versions}
    newer = by_id.get(request.GET.get("b", "")) or versions[0]
    older = by_id.get(request.GET.get("a", ""))
    if older is None:  # the version just before it (versions run newest first)
        place = versions.index(newer)
        older = versions[place + 1] if place + 1 < len(versions) else None
    if older is not None and (older.history_date, older.history_id) > (newer.history_date, newer.history_id):
        older, newer = newer, older
    changes = diff_documents(_as_seen(request.user, older), _as_seen(request.user, newer))
    context = {
        "code": code,
        "title": versions[0].title,
        "deleted": versions[0].history_type == "-",
        "rows": history.version_rows(versions),
        "older": older,
        "newer": newer,
        "changes": readable(changes, request.user),
        "can_restore": may_edit(request.user),
        "current_version": Position.objects.filter(code=code).values_list("version", flat=True).first(),
    }
    return render(request, "positions/history.html", context)


@editor_required
@require_POST
def position_restore(request, code, version_id):
    try:
        version = text.whole_number(request.POST.get("version", ""))
        result = approval.restore(request.user, code, version_id, expected_version=version)
    except RestoreRefused as refusal:
        messages.error(request, str(refusal))
    except VersionConflict:
        messages.error(request, _("Someone else saved this job description meanwhile; look at the history again."))
    except DocumentInvalid as refusal:
        messages.error(
            request,
            _("This version cannot be restored: %(reasons)s")
            % {
                "reasons": " ".join(
                    f"{describe(key.split('.')[0])}: {' '.join(ms)}" for key, ms in refusal.errors.items()
                )
            },
        )
    else:
        if isinstance(result, Proposal):
            messages.success(request, _("The restore waits for an approver: it is proposed."))
            return redirect("positions:proposal", result.pk)
        (saved,) = result.positions.values()
        if result.changed:
            messages.success(request, _("%(code)s is restored to the chosen version.") % {"code": saved.code})
        else:
            messages.info(request, _("That version is the same as the current one: nothing changed."))
        return redirect("positions:history", saved.code)
    return redirect("positions:history", code)
