"""The API's one permission class: each view names, per HTTP method, the access check it needs."""

from rest_framework.permissions import BasePermission

from positions import access


class Allowed(BasePermission):
    """The view's `rules`: HTTP method -> a check from positions/access.py; reading needs may_read."""

    def has_permission(self, request, view):
        check = getattr(view, "rules", {}).get(request.method, access.may_read)
        return check(request.user)
