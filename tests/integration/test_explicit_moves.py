"""No post goes to the top by accident: "put at the top" is a choice of its own on the move page, a post
with reports moves only after the user has seen how many move with it, drag and drop asks the same
question, and the API's move and PUT must state `reports_to` (null for the top)."""

import json

import pytest
from django.test import Client

from positions.models import Position

pytestmark = pytest.mark.django_db

# DPT-YW-04 技术支持部经理 has five posts under it: DPT-YW-N04, and DPT-YW-05 with N05, N06 and N07.


@pytest.fixture
def editor(hr_client, seed):
    return hr_client


def superior_of(code):
    return Position.objects.get(code=code).parent.code if Position.objects.get(code=code).parent_id else None


def test_the_move_page_says_how_many_posts_move_with_it(editor):
    html = editor.get("/positions/DPT-YW-04/move/").content.decode()
    assert "其下所有岗位一起调整：其下共 5 个岗位" in html
    assert 'name="where" value="top"' in html  # the top is its own button, not an empty field


@pytest.mark.parametrize("code", ["DPT-YW-04", "DPT-YW-03"])
def test_move_without_a_choice_changes_nothing_and_says_what_to_choose(editor, code):
    before = superior_of(code)
    response = editor.post(f"/positions/{code}/move/", {"superior": "", "where": "under"})
    assert response.status_code == 200
    assert "请选择新的直接上级" in response.content.decode()
    assert superior_of(code) == before
    # The old form, with no button named: still nothing.
    editor.post(f"/positions/{code}/move/", {"superior": ""})
    assert superior_of(code) == before


def test_a_post_with_reports_moves_only_after_confirming(editor):
    response = editor.post("/positions/DPT-YW-04/move/", {"superior": "DPT-YW-02", "where": "under"})
    assert response.status_code == 200 and superior_of("DPT-YW-04") == "DPT-YW-01"
    html = response.content.decode()
    assert "将 技术支持部经理 (DPT-YW-04) 调整到 客户服务部经理 (DPT-YW-02) 之下？其下 5 个岗位将随之调整。" in html
    assert 'name="confirmed" value="1"' in html and "调整 6 个岗位" in html
    response = editor.post(
        "/positions/DPT-YW-04/move/", {"superior": "DPT-YW-02", "where": "under", "confirmed": "1"}, follow=True
    )
    assert superior_of("DPT-YW-04") == "DPT-YW-02"
    assert superior_of("DPT-YW-N05") == "DPT-YW-05"  # the team came along
    assert "其下 5 个岗位随之调整" in response.content.decode()


def test_putting_a_post_at_the_top_is_a_confirmed_choice_of_its_own(editor):
    response = editor.post("/positions/DPT-YW-04/move/", {"where": "top"})
    assert "设为最高层岗位、不再向任何人汇报？其下 5 个岗位将随之调整。" in response.content.decode()
    assert superior_of("DPT-YW-04") == "DPT-YW-01"
    editor.post("/positions/DPT-YW-04/move/", {"where": "top", "confirmed": "1"})
    assert superior_of("DPT-YW-04") is None


def test_a_post_without_reports_moves_at_once(editor):
    response = editor.post("/positions/DPT-YW-03/move/", {"superior": "DPT-YW-04", "where": "under"})
    assert response.status_code == 302 and superior_of("DPT-YW-03") == "DPT-YW-04"


def test_a_loop_is_refused_before_anyone_is_asked_to_confirm(editor):
    response = editor.post("/positions/DPT-YW-04/move/", {"superior": "DPT-YW-N05", "where": "under"})
    html = response.content.decode()
    assert "DPT-YW-04 → DPT-YW-05 → DPT-YW-N05 → DPT-YW-04" in html and 'name="confirmed"' not in html


def test_a_move_from_a_stale_page_is_refused(editor):
    version = Position.objects.get(code="DPT-YW-03").version
    editor.post("/positions/DPT-YW-03/move/", {"superior": "DPT-YW-04", "where": "under", "version": version})
    response = editor.post(
        "/positions/DPT-YW-03/move/", {"superior": "DPT-YW-01", "where": "under", "version": version}
    )
    assert response.status_code == 200 and "DPT-YW-03" in response.content.decode()
    assert superior_of("DPT-YW-03") == "DPT-YW-04"


def test_drag_and_drop_is_asked_the_same_question_in_json(editor):
    headers = {"HTTP_X_REQUESTED_WITH": "fetch"}
    response = editor.post("/positions/DPT-YW-05/move/", {"superior": "DPT-YW-02", "where": "under"}, **headers)
    assert response.status_code == 409
    assert response.json()["with"] == 3 and "DPT-YW-05" in response.json()["confirm"]
    assert superior_of("DPT-YW-05") == "DPT-YW-04"
    data = {"superior": "DPT-YW-02", "where": "under", "confirmed": "1"}
    response = editor.post("/positions/DPT-YW-05/move/", data, **headers)
    assert response.status_code == 200 and response.json() == {"moved": "DPT-YW-05", "superior": "DPT-YW-02", "with": 3}
    assert superior_of("DPT-YW-05") == "DPT-YW-02"


def test_drag_and_drop_sends_the_version_the_chart_was_drawn_at_and_a_stale_one_is_refused(editor, viewer_user):
    """chart.js sends each box's data-version; a post moved by someone else since is not moved again blindly."""
    version = Position.objects.get(code="DPT-YW-03").version
    assert f'data-code="DPT-YW-03" data-version="{version}"' in editor.get("/org/").content.decode()
    reader = Client()
    reader.force_login(viewer_user)
    assert "data-version" not in reader.get("/org/").content.decode()  # readers move nothing
    editor.post("/positions/DPT-YW-03/move/", {"superior": "DPT-YW-04", "where": "under", "version": version})

    headers = {"HTTP_X_REQUESTED_WITH": "fetch"}
    data = {"superior": "DPT-YW-01", "where": "under", "version": version}
    response = editor.post("/positions/DPT-YW-03/move/", data, **headers)

    assert response.status_code == 400 and "DPT-YW-03" in " ".join(response.json()["errors"])
    assert superior_of("DPT-YW-03") == "DPT-YW-04"


def api(client, method, url, body, etag):
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json", HTTP_IF_MATCH=etag)


@pytest.mark.parametrize("body", [{}, {"superior": None}, {"superior": "DPT-YW-02"}, {"reports_to": ""}])
def test_the_api_move_refuses_a_body_that_does_not_state_reports_to(editor, body):
    etag = editor.get("/api/positions/DPT-YW-04/")["ETag"]
    response = api(editor, "post", "/api/positions/DPT-YW-04/move/", body, etag)
    assert response.status_code == 400
    assert "reports_to" in response.json() and "null" in response.json()["reports_to"][0]
    assert superior_of("DPT-YW-04") == "DPT-YW-01"


def test_the_api_moves_to_the_top_only_on_an_explicit_null(editor):
    etag = editor.get("/api/positions/DPT-YW-04/")["ETag"]
    response = api(editor, "post", "/api/positions/DPT-YW-04/move/", {"reports_to": None}, etag)
    assert response.status_code == 200 and response.json()["reports_to"] is None
    assert superior_of("DPT-YW-04") is None


def test_a_put_without_reports_to_is_refused_rather_than_detaching_the_post(editor):
    document = editor.get("/api/positions/DPT-YW-04/").json()
    etag = editor.get("/api/positions/DPT-YW-04/")["ETag"]
    writable = {key: document[key] for key in ("code", "title", "department", "headcount", "status", "duties")}
    response = api(editor, "put", "/api/positions/DPT-YW-04/", writable, etag)
    assert response.status_code == 400 and "reports_to" in response.json()
    assert superior_of("DPT-YW-04") == "DPT-YW-01"
