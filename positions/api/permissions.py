"""The API's one permission class and its session login: each view names, per HTTP method, its access check."""

from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions
from rest_framework.permissions import BasePermission

from positions import access


class Allowed(BasePermission):
    """The view's `rules`: HTTP method -> a check from positions/access.py; reading needs may_read.

    HEAD is answered by the GET handler, so it is checked by GET's rule: its headers (ETag, Content-Length)
    must not tell a caller more than GET would.
    """

    def has_permission(self, request, view):
        method = "GET" if request.method == "HEAD" else request.method
        check = getattr(view, "rules", {}).get(method, access.may_read)
        return check(request.user)


class SessionAuthentication(authentication.SessionAuthentication):
    """DRF's session login, with its CSRF refusal in the user's language instead of Django's English reason."""

    def enforce_csrf(self, request):
        try:
            super().enforce_csrf(request)
        except exceptions.PermissionDenied:
            raise exceptions.PermissionDenied(
                _(
                    "The request has no valid CSRF token. Send the csrftoken cookie's value in the X-CSRFToken "
                    "header, or authenticate with an API token."
                )
            ) from None
