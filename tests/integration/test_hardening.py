"""Login throttling, the Content-Security-Policy, no caching of private pages, and methods views do not serve."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD, make_user


@pytest.fixture
def throttled(settings, db):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)
    from portal.roles import VIEWER

    return make_user("lara-login", VIEWER)


def log_in(password, when=None):
    client = Client(REMOTE_ADDR="10.0.0.7")
    return client, client.post(reverse("login"), {"username": "lara-login", "password": password, "next": "/org/"})


def test_the_right_password_is_refused_after_repeated_failures_until_the_lock_expires(throttled, settings):
    from axes.models import AccessAttempt

    for _ in range(3):
        _client, response = log_in("wrong password")
    assert response.status_code in (403, 429)
    client, response = log_in(PASSWORD)
    assert response.status_code in (403, 429)
    assert "登录" in response.content.decode()  # the lock-out page, in Chinese
    assert client.get("/org/").status_code == 302  # not logged in

    # The lock expires: the attempts are older than the cool-off now.
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.first().attempt_time - timedelta(minutes=16))
    client, response = log_in(PASSWORD)
    assert response.status_code == 302 and response.url == "/org/"
    assert client.get("/org/").status_code == 200


def test_a_lock_on_one_address_does_not_lock_the_user_out_everywhere(throttled):
    for _ in range(3):
        log_in("wrong password")
    elsewhere = Client(REMOTE_ADDR="10.0.0.8")
    response = elsewhere.post(reverse("login"), {"username": "lara-login", "password": PASSWORD, "next": "/org/"})
    assert response.status_code == 302


@pytest.mark.parametrize(
    "url", ["/org/", "/positions/DPT-YW-03/", "/positions/", "/api/positions/", "/accounts/login/"]
)
def test_every_response_carries_a_strict_script_policy(viewer_client, seed, url):
    response = viewer_client.get(url)
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in policy


@pytest.mark.parametrize(
    "url",
    ["/org/", "/positions/", "/positions/DPT-YW-03/", "/positions/DPT-YW-03/edit/", "/positions/new/", "/staffing/",
     "/architecture/", "/quality/", "/people/", "/team/", "/settings/jd-template/", "/accounts/login/"],
)  # fmt: skip
def test_the_portals_pages_have_no_inline_scripts_or_handlers(client, seed, admin_user, url):
    client.force_login(admin_user)
    html = client.get(url).content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "an inline <script>"
    assert not re.search(r"\son[a-z]+\s*=", html), "an inline event handler"


@pytest.mark.parametrize("url", ["/org/", "/positions/DPT-YW-03/", "/api/positions/DPT-YW-03/", "/staffing/"])
def test_pages_behind_the_login_are_not_cached(viewer_client, seed, url):
    cache_control = viewer_client.get(url)["Cache-Control"]
    assert "private" in cache_control and "no-store" in cache_control


@pytest.mark.parametrize(
    ("method", "url"),
    [("post", "/org/"), ("post", "/positions/"), ("post", "/positions/DPT-YW-03/"), ("post", "/staffing/"),
     ("post", "/architecture/"), ("post", "/team/"), ("delete", "/positions/DPT-YW-03/"), ("put", "/org/")],
)  # fmt: skip
def test_read_only_pages_refuse_other_methods(viewer_client, seed, method, url):
    assert getattr(viewer_client, method)(url).status_code == 405


@pytest.mark.parametrize("number", ["²", "١٢", "1" * 30, "-1", " 3"])
def test_numbers_in_parameters_are_ascii_digits_or_nothing(hr_client, seed, number):
    """str.isdigit() takes "²", which int() refuses (a server error before), and "١٢", which it reads;
    a long run of digits overflows a database integer. Each is an unknown number, answered plainly."""
    from positions.models import Position

    page_size = hr_client.get("/api/positions/", {"page_size": number})
    assert page_size.status_code == 400 and list(page_size.json()) == ["page_size"]

    assert hr_client.get("/positions/DPT-YW-03/edit/", {"proposal": number}).status_code == 404

    before = Position.objects.get(code="DPT-YW-03").version
    history_id = Position.history.filter(code="DPT-YW-03").latest("history_id").history_id
    restore = hr_client.post(f"/positions/DPT-YW-03/history/{history_id}/restore/", {"version": number})
    assert restore.status_code == 302
    assert Position.objects.get(code="DPT-YW-03").version in (before, before + 1)
