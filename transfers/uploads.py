"""Uploads refused early: a view says how large a file it takes, and the upload handler stops reading past it.

Django's multipart parser would otherwise stream a 1 GiB body to a temporary file before any form
sees the file's size. `UploadLimit` (first in FILE_UPLOAD_HANDLERS) refuses a request whose
Content-Length is over the limit as soon as the file's part begins, having read only the fields
before it (the CSRF token comes first in the page's form); when Content-Length understates the
body, it counts the file's bytes as they stream and stops at the limit. The rest of the body is
never read by the portal; the view shows the form with the refusal (413).
"""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.urls import Resolver404, resolve

# What a multipart body carries besides its file: boundaries, part headers, the CSRF token, a checkbox.
ENVELOPE_BYTES = 64 * 1024


def limited(setting):
    """Mark a view whose uploads may hold at most the number of bytes in the setting named `setting`."""

    def mark(view):
        view.upload_limit_setting = setting
        return view

    return mark


def limit_for(request):
    """The most bytes an uploaded file may have on this request's view, or None for no limit here."""
    match = getattr(request, "resolver_match", None)
    if match is None:  # parsed before the URL was resolved (a middleware's __call__): resolve it here
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return None
    setting = getattr(match.func, "upload_limit_setting", None)
    return getattr(settings, setting) if setting else None


def refused(request):
    """The limit, in bytes, that this request's upload went past; None when it was not refused."""
    return getattr(request, "upload_refused", None)


class UploadLimit(FileUploadHandler):
    """Stops reading an upload once it is known to be over its view's limit. It keeps no data itself:
    the handlers after it (in memory, or a temporary file) keep the file when it is within the limit."""

    def __init__(self, request=None):
        super().__init__(request)
        self.limit = limit_for(request) if request is not None else None
        self.declared = 0

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.declared = content_length  # None returned: the multipart parser goes on as usual

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        if self.limit is not None and self.declared > self.limit + ENVELOPE_BYTES:
            self._refuse()

    def receive_data_chunk(self, raw_data, start):
        if self.limit is not None and start + len(raw_data) > self.limit:
            self._refuse()
        return raw_data

    def file_complete(self, file_size):
        return None

    def _refuse(self):
        self.request.upload_refused = self.limit
        # connection_reset: the parser stops without reading the rest of the body. The WSGI server
        # then closes the connection (runserver reads and discards the rest first); in production the
        # proxy's body limit refuses such a request before it reaches the portal (README).
        raise StopUpload(connection_reset=True)
