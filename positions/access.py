"""Who may see what: the one place every page and API view asks.

Reading requires the `positions.view_position` permission (every role has it);
drafts are shown only to those who may edit positions.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404

VIEW_PERMISSION = "positions.view_position"
EDIT_PERMISSION = "positions.change_position"


def may_read(user):
    """Whether `user` may read job descriptions at all (pages and API alike)."""
    return user.is_authenticated and user.has_perm(VIEW_PERMISSION)


def can_see_drafts(user):
    return user.has_perm(EDIT_PERMISSION)


def visible_positions(user, queryset=None):
    """The positions whose job descriptions `user` may read."""
    from positions.models import Position

    queryset = Position.objects.all() if queryset is None else queryset
    if can_see_drafts(user):
        return queryset
    return queryset.filter(status=Position.Status.PUBLISHED)


def can_read(user, position):
    return position.status == position.Status.PUBLISHED or can_see_drafts(user)


def held_positions(user):
    from positions.models import Position

    # No DISTINCT needed: a login holds a position at most once (positions_holder_unique_user).
    return Position.objects.filter(holders__user=user).only("code", "title").order_by("tree_id", "lft")


def reader_required(view):
    """Login, then the view permission; anonymous users go to the login page."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not may_read(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return login_required(wrapped)


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
