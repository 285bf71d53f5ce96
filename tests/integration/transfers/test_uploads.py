"""Uploads over the size limit are refused before their file is read (transfers/uploads.py).

A request whose Content-Length is over TRANSFER_MAX_UPLOAD_MB gets the upload page with the refusal
(413) having read only the fields before the file; a file that turns out larger while it streams is
stopped at the limit. Tested through Django's test client with a body that counts what is read of it,
and against a real server (pytest-django's live_server) over a raw socket that declares a gigabyte and
sends a few megabytes. What Chromium shows is in tests/functional/test_transfers.py.
"""

import html
import io
import socket
import threading
import time

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from portal.roles import HR_EDITOR
from tests.conftest import PASSWORD, approver, make_user
from transfers.forms import UploadForm
from transfers.models import Job

KB = 1024
MB = 1024 * KB
GB = 1024 * MB
TOO_LARGE = "The file is larger than 1 MB, the most an import takes: it was not uploaded."
CSRF_SECRET = "uploadlimitsecret0123456789abcde"  # a CSRF cookie's secret: 32 letters and digits


@pytest.fixture
def editor(hr_client, seed, settings):
    """An HR editor (an approver) reading the portal in English, with the limit lowered to 1 MB."""
    settings.TRANSFER_MAX_UPLOAD_BYTES = 1 * MB
    hr_client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return hr_client


def page_text(response):
    return html.unescape(response.content.decode())


def csv_of(size):
    """A positions CSV of exactly `size` bytes."""
    head = "岗位编码,岗位名称\r\n".encode()
    line = b"P-0001,POST\r\n"
    body = head + line * ((size - len(head)) // len(line))
    return body + b" " * (size - len(body))


def post_file(client, data, name="positions.csv"):
    return client.post(reverse("transfers:index"), {"file": SimpleUploadedFile(name, data)})


# ---------------------------------------------------------------------------------------------
# Through Django's test client


def test_an_upload_over_the_limit_is_refused_with_the_upload_page(editor):
    response = post_file(editor, csv_of(3 * MB))

    assert response.status_code == 413
    text = page_text(response)
    assert TOO_LARGE in text
    assert 'type="file" name="file"' in text  # the form again, to choose a smaller file
    assert not Job.objects.exists()


def test_a_file_of_exactly_the_limit_is_taken_and_one_byte_more_is_stopped_as_it_streams(editor):
    """One byte over: the request's length is within what a file at the limit sends, so the count of the
    file's own bytes, as they arrive, is what refuses it."""
    over = post_file(editor, csv_of(1 * MB + 1))
    assert over.status_code == 413 and TOO_LARGE in page_text(over)
    assert not Job.objects.exists()

    taken = post_file(editor, csv_of(1 * MB))
    assert taken.status_code == 302
    (job,) = Job.objects.all()
    assert len(bytes(job.data)) == 1 * MB


def test_the_refusal_is_in_the_users_language(editor):
    editor.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    response = post_file(editor, csv_of(2 * MB))
    assert response.status_code == 413
    assert "文件超过 1 MB（导入文件的大小上限），未上传。" in page_text(response)


class CountingBody(io.RawIOBase):
    """A request body that says it is `declared` bytes long: `head`, then as much filler as is asked for.
    `read` counts what the server took."""

    def __init__(self, head):
        self.head, self.read_bytes = head, 0

    def readable(self):
        return True

    def readinto(self, buffer):
        size = len(buffer)
        if self.read_bytes < len(self.head):
            chunk = self.head[self.read_bytes : self.read_bytes + size]
        else:
            chunk = b"x" * size
        buffer[: len(chunk)] = chunk
        self.read_bytes += len(chunk)
        return len(chunk)


def multipart_head(boundary, token=None):
    """The start of the upload form's body as a browser sends it: the CSRF token, then the file's part."""
    parts = b""
    if token:
        parts += (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n{token}\r\n'
        ).encode()
    parts += (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="file"; filename="organisation.xlsx"\r\n'
        "Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n"
    ).encode()
    return parts


def test_a_request_declaring_a_gigabyte_is_answered_having_read_a_few_kilobytes(editor):
    boundary = "----portal-upload-boundary"
    body = CountingBody(multipart_head(boundary))
    response = editor.generic(
        "POST",
        reverse("transfers:index"),
        **{
            "wsgi.input": io.BufferedReader(body),
            "CONTENT_LENGTH": str(1 * GB),
            "CONTENT_TYPE": f"multipart/form-data; boundary={boundary}",
        },
    )
    assert response.status_code == 413, (body.read_bytes, page_text(response)[-3000:])
    assert TOO_LARGE in page_text(response)
    assert body.read_bytes < 256 * KB, body.read_bytes  # the parser's first chunks, not the file
    assert not Job.objects.exists()


def test_the_form_by_itself_still_refuses_a_file_over_the_limit_with_its_size(settings):
    """Behind the upload handler, the form keeps its own check (a file given to it some other way)."""
    settings.TRANSFER_MAX_UPLOAD_BYTES = 1 * MB
    with translation.override("en"):
        form = UploadForm({}, {"file": SimpleUploadedFile("big.csv", csv_of(MB + MB // 2))})
        assert not form.is_valid()
        assert form.errors["file"] == ["The file is 1.5 MB; the limit is 1 MB."]


def test_other_forms_take_uploads_as_before(editor, hr_user):
    """Only the import page declares a limit: a multipart login with a 2 MB attachment still logs in."""
    client = Client()
    response = client.post(
        reverse("login"),
        {"username": hr_user.username, "password": PASSWORD, "attachment": SimpleUploadedFile("a.bin", b"a" * 2 * MB)},
    )
    assert response.status_code == 302
    assert client.session.get("_auth_user_id") == str(hr_user.pk)


# ---------------------------------------------------------------------------------------------
# Against a real server, over a socket


def raw_upload(live_server, cookies, head, declared, send, *, chunked=False):
    """Send a POST to the import page declaring `declared` bytes (or chunked), then `head` and `send` bytes
    more from another thread; read the response. (status, body, bytes sent before the response was read)."""
    host, port = live_server.thread.host, live_server.thread.port
    connection = socket.create_connection((host, port), timeout=60)
    length = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {declared}"
    connection.sendall(
        (
            f"POST {reverse('transfers:index')} HTTP/1.1\r\nHost: {host}:{port}\r\n"
            f"Cookie: {'; '.join(f'{k}={v}' for k, v in cookies.items())}\r\n"
            f"Content-Type: multipart/form-data; boundary=----portal-upload-boundary\r\n{length}\r\n\r\n"
        ).encode()
    )
    sent = {"bytes": 0}

    def sender():
        try:
            data = head
            if chunked:
                data = f"{len(head):x}\r\n".encode() + head + b"\r\n"
            connection.sendall(data)
            block = b"x" * (256 * KB)
            if chunked:
                block = f"{len(block):x}\r\n".encode() + block + b"\r\n"
            while sent["bytes"] < send:
                connection.sendall(block)
                sent["bytes"] += 256 * KB
        except OSError:
            pass  # the server may close its side once it has answered

    thread = threading.Thread(target=sender, daemon=True)
    thread.start()
    received = b""
    started = time.monotonic()
    while b"\r\n\r\n" not in received or len(received) < _expected_length(received):
        chunk = connection.recv(64 * KB)
        if not chunk:
            break
        received += chunk
    seconds = time.monotonic() - started
    connection.close()
    thread.join(timeout=30)
    head_part, _, body = received.partition(b"\r\n\r\n")
    status = int(head_part.split(b" ", 2)[1]) if head_part else None
    return status, body.decode("utf-8", "replace"), seconds


def _expected_length(received):
    head, _, body = received.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return len(head) + 4 + int(line.split(b":", 1)[1])
    return len(received) + 1  # read until the server closes


@pytest.fixture
def live_editor(live_server, seed, settings):
    """The cookies of a logged-in HR editor (English) on the live server, with a CSRF secret; limit 1 MB."""
    settings.TRANSFER_MAX_UPLOAD_BYTES = 1 * MB
    user = approver(make_user("live-hr", HR_EDITOR))
    client = Client()
    client.force_login(user)
    return {
        django_settings.SESSION_COOKIE_NAME: client.cookies[django_settings.SESSION_COOKIE_NAME].value,
        django_settings.CSRF_COOKIE_NAME: CSRF_SECRET,
        django_settings.LANGUAGE_COOKIE_NAME: "en",
    }


@pytest.mark.django_db(transaction=True)
def test_a_real_server_answers_a_gigabyte_upload_before_the_body_is_sent(live_server, live_editor):
    """Content-Length says 1 GiB; 4 MB of it are sent. The page comes back with the refusal (413), the
    connection is not reset, and no job was made."""
    head = multipart_head("----portal-upload-boundary", token=CSRF_SECRET)
    status, body, _seconds = raw_upload(live_server, live_editor, head, declared=1 * GB, send=4 * MB)

    assert status == 413, body[:500]
    assert TOO_LARGE in html.unescape(body)
    assert not Job.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_real_server_refuses_a_chunked_upload_without_reading_it(live_server, live_editor):
    """No length is declared (chunked): the portal's WSGI server passes no body to Django, which then
    refuses the form for its missing CSRF token (403). Nothing of the file is kept, and no error page."""
    head = multipart_head("----portal-upload-boundary", token=CSRF_SECRET)
    status, body, _seconds = raw_upload(live_server, live_editor, head, declared=None, send=4 * MB, chunked=True)

    assert status in (400, 403, 411, 413), (status, body[:500])
    assert not Job.objects.exists()
