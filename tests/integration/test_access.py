"""Who may read what beyond the permission matrix (tests/integration/test_permissions.py, which checks
every role on every page, API endpoint and admin screen): drafts, unknown and malformed addresses,
the login page's language, logging out, and what a user without a role is told."""

import pytest
from django.urls import reverse

from positions.models import Position


@pytest.fixture
def draft(seed):
    Position.objects.filter(code="DPT-YW-03").update(status=Position.Status.DRAFT)


@pytest.mark.parametrize("url", ["/positions/DPT-YW-03/", "/api/positions/DPT-YW-03/"])
def test_drafts_are_hidden_from_readers_who_cannot_edit(viewer_client, draft, url):
    assert viewer_client.get(url).status_code == 404


@pytest.mark.parametrize("url", ["/positions/DPT-YW-03/", "/api/positions/DPT-YW-03/"])
def test_drafts_are_shown_to_hr_editors(hr_client, draft, url):
    assert hr_client.get(url).status_code == 200


def test_drafts_are_left_out_of_the_readers_list(viewer_client, draft):
    codes = [p["code"] for p in viewer_client.get("/api/positions/").json()["results"]]
    assert "DPT-YW-03" not in codes and "DPT-YW-02" in codes


def test_the_chart_leaves_a_draft_out_for_readers_and_shows_it_to_editors(client, viewer_user, hr_user, draft):
    client.force_login(viewer_user)
    assert 'data-code="DPT-YW-03"' not in client.get("/org/").content.decode()
    client.force_login(hr_user)
    assert 'data-code="DPT-YW-03"' in client.get("/org/").content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/positions/NO-SUCH-CODE/",
        "/org/NO-SUCH-CODE/",
        "/api/positions/NO-SUCH-CODE/",
        "/positions/%00/",
        "/org/%E2%80%AE/",
        "/positions/DPT-YW-01/extra/",
        "/positions/../etc/passwd/",
        "/api/positions/%27%20OR%201=1/",
        "/positions/" + "A" * 500 + "/",
    ],
)
def test_unknown_codes_and_malformed_urls_give_404(viewer_client, seed, url):
    assert viewer_client.get(url).status_code == 404


def test_the_login_page_is_chinese_first(client, db):
    html = client.get(reverse("login")).content.decode()
    assert "登录" in html and 'lang="zh-CN"' in html


def test_the_language_switcher_turns_the_ui_english(viewer_client, seed):
    viewer_client.post("/i18n/setlang/", {"language": "en", "next": "/org/"})
    html = viewer_client.get("/positions/DPT-YW-03/").content.decode()
    assert "Direct superior" in html
    assert "客户服务部经理" in html  # content stays as entered


def test_logout_needs_a_post_with_csrf(seed, viewer_user):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(viewer_user)
    assert client.post("/accounts/logout/").status_code == 403
    assert client.get("/org/").status_code == 200


def test_not_found_pages_are_friendly_and_chinese(viewer_client, seed):
    response = viewer_client.get("/positions/NO-SUCH-CODE/")
    assert response.status_code == 404
    assert "找不到" in response.content.decode() or "不存在" in response.content.decode()


def test_a_reader_without_a_role_gets_an_explanation(client, outsider):
    client.force_login(outsider)
    response = client.get("/org/")
    assert response.status_code == 403
    assert "管理员" in response.content.decode()
