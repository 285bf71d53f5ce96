"""Who may see what: the one place pages, the chart, the API and admin ask.

Reading requires the `positions.view_position` permission (every role has it); drafts
are shown only to those who may edit positions. Querysets are filtered by
`readable_filter(user)` (`Position.objects.visible_to(user)`), single positions are
checked with `can_read`.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

VIEW_PERMISSION = "positions.view_position"
EDIT_PERMISSION = "positions.change_position"
DELETE_PERMISSION = "positions.delete_position"
PEOPLE_PERMISSION = "positions.change_assignment"
CONFIGURE_PERMISSION = "positions.change_jdtemplate"
AUDIT_PERMISSION = "positions.view_historicalposition"
APPROVE_PERMISSION = "positions.approve_position"
PUBLISHED = "published"  # Position.Status.PUBLISHED, without importing the model here


def may_read(user):
    """Whether `user` may read job descriptions at all (pages and API alike)."""
    return user.is_authenticated and user.has_perm(VIEW_PERMISSION)


def may_edit(user):
    """Whether `user` may create, edit, duplicate and move job descriptions (HR editors, Administrators)."""
    return user.is_authenticated and user.has_perm(EDIT_PERMISSION)


def may_delete(user):
    return user.is_authenticated and user.has_perm(DELETE_PERMISSION)


def may_manage_people(user):
    """Whether `user` may add people and assign them to posts."""
    return user.is_authenticated and user.has_perm(PEOPLE_PERMISSION)


def can_see_drafts(user):
    return may_edit(user)


def may_configure(user):
    """Whether `user` may change how the portal is set up (the JD template): Administrators."""
    return user.is_authenticated and user.has_perm(CONFIGURE_PERMISSION)


def may_approve(user):
    """Whether `user` may approve changes to published job descriptions: Administrators and Approvers.
    Their own changes publish at once; others' changes to a published job description (its text,
    header and status, from the editor, the API, a restore or the Django admin) wait for them.
    Moves on the chart and deletes are structural: may_edit and may_delete govern them."""
    return may_edit(user) and user.has_perm(APPROVE_PERMISSION)


def may_transfer(user):
    """Whether `user` may import and export whole organisations (workbooks, rosters): HR editors, Administrators."""
    return may_edit(user) and may_manage_people(user)


def may_see_all_jobs(user):
    """Whether `user` sees everyone's import and export jobs, not only their own: Administrators."""
    return may_transfer(user) and may_configure(user)


def may_audit(user):
    """Whether `user` may read the audit log of every change: Administrators."""
    return user.is_authenticated and user.has_perm(AUDIT_PERMISSION)


def readable_filter(user):
    """A filter for the positions whose job descriptions `user` may read."""
    if not may_read(user):
        return Q(pk__in=[])
    if can_see_drafts(user):
        return Q()
    return Q(status=PUBLISHED)


def can_read_status(user, status):
    return status == PUBLISHED or can_see_drafts(user)


def can_read(user, position):
    return may_read(user) and can_read_status(user, position.status)


def held_positions(user):
    """The posts `user` currently holds and may read, in chart order, for the "My team" menu and /team/
    (a draft post they were given ahead of an announcement is not shown to them yet)."""
    from positions.models import Assignment, Position

    if not user.is_authenticated:
        return Position.objects.none()
    held = Assignment.objects.current().filter(person__user=user).values("position_id")
    return Position.objects.filter(readable_filter(user), pk__in=held).only("code", "title").order_by("tree_id", "lft")


def requires(check):
    """A view decorator: login (anonymous users go to the login page), then `check(user)` or 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not check(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorator


reader_required = requires(may_read)
editor_required = requires(may_edit)
deleter_required = requires(may_delete)
people_manager_required = requires(may_manage_people)
configurer_required = requires(may_configure)
auditor_required = requires(may_audit)
approver_required = requires(may_approve)
transfer_required = requires(may_transfer)


def get_position_for_user(user, code, queryset=None):
    """The readable position with `code`, or 404 (drafts are hidden rather than forbidden)."""
    from positions.models import Position

    queryset = Position.objects.all() if queryset is None else queryset
    try:
        position = queryset.get(code=code)  # get() drops the queryset's ORDER BY: a unique-index lookup
    except Position.DoesNotExist:
        raise Http404 from None
    if not can_read(user, position):
        raise Http404
    return position
