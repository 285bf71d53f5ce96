"""Writing through the API: ETags and If-Match, field errors in DRF's shape, JSON for every error, tokens."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from positions.models import Assignment, Person, Position
from tests.factories import PersonFactory
from tests.helpers import document_of


def send(client, method, url, body=None, if_match=None, **extra):
    headers = {"HTTP_IF_MATCH": if_match} if if_match else {}
    return getattr(client, method)(
        url, data=json.dumps(body) if body is not None else None, content_type="application/json", **headers, **extra
    )


@pytest.fixture
def editor(hr_client, seed):
    return hr_client


def current_etag(client, code):
    return client.get(f"/api/positions/{code}/")["ETag"]


def test_a_position_has_an_etag_that_moves_with_every_change(editor):
    first = current_etag(editor, "DPT-YW-03")
    assert first == f'"{Position.objects.get(code="DPT-YW-03").version}"'
    response = send(editor, "patch", "/api/positions/DPT-YW-03/", {"purpose": "受理客户报修与投诉。"}, first)
    assert response.status_code == 200, response.json()
    assert response["ETag"] != first and response.json()["purpose"] == "受理客户报修与投诉。"


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("patch", "/api/positions/DPT-YW-03/", {"title": "新名称"}),
        ("put", "/api/positions/DPT-YW-03/", {"title": "新名称"}),
        ("delete", "/api/positions/DPT-YW-03/", None),
        ("post", "/api/positions/DPT-YW-03/move/", {"reports_to": "DPT-YW-01"}),
        ("post", "/api/positions/DPT-YW-03/holders/", {"employee_number": "E1"}),
    ],
)
def test_writes_without_if_match_are_refused_with_428_and_stale_ones_with_412(editor, method, url, body):
    before = document_of("DPT-YW-03")
    missing = send(editor, method, url, body)
    assert missing.status_code == 428 and "If-Match" in missing.json()["detail"]
    stale = send(editor, method, url, body, '"999"')
    assert stale.status_code == 412 and stale.json()["detail"]
    assert document_of("DPT-YW-03") == before


def test_a_patch_that_lost_the_race_gets_412_and_changes_nothing(editor):
    etag = current_etag(editor, "DPT-YW-03")
    assert send(editor, "patch", "/api/positions/DPT-YW-03/", {"title": "甲"}, etag).status_code == 200
    late = send(editor, "patch", "/api/positions/DPT-YW-03/", {"title": "乙"}, etag)
    assert late.status_code == 412
    assert Position.objects.get(code="DPT-YW-03").title == "甲"


def test_field_errors_come_in_drfs_shape_at_the_row_and_field(editor):
    etag = current_etag(editor, "DPT-YW-03")
    body = {
        "kpis": [{"responsibility": "甲", "weight": 50, "standard": "x"}, {"responsibility": "乙", "weight": "abc"}]
    }
    response = send(editor, "patch", "/api/positions/DPT-YW-03/", body, etag)
    assert response.status_code == 400
    errors = response.json()
    assert errors["kpis"][0] == {} and "weight" in errors["kpis"][1]


def test_publishing_an_incomplete_description_is_refused_naming_what_is_missing(editor):
    etag = current_etag(editor, "DPT-YW-03")
    body = {"kpis": [{"responsibility": "甲", "weight": 90, "standard": "x"}]}
    response = send(editor, "patch", "/api/positions/DPT-YW-03/", body, etag)
    assert response.status_code == 400
    errors = response.json()
    assert "90%" in json.dumps(errors["kpis"], ensure_ascii=False)
    assert "must be complete" in " ".join(errors["status"]) or "完整" in " ".join(errors["status"])


def test_a_put_replaces_the_whole_description(editor):
    etag = current_etag(editor, "DPT-YW-03")
    body = {"title": "客户服务代表", "reports_to": None, "status": "draft", "duties": ["接听电话"]}
    response = send(editor, "put", "/api/positions/DPT-YW-03/", body, etag)
    assert response.status_code == 200, response.json()
    data = response.json()
    assert [d["text"] for d in data["duties"]] == ["接听电话"] and data["kpis"] == [] and data["reports_to"] is None


def test_a_new_position_is_created_with_201_and_its_address(editor):
    body = {"code": "API-1", "title": "接口岗位", "reports_to": "DPT-YW-02", "duties": ["一"]}
    response = send(editor, "post", "/api/positions/", body)
    assert response.status_code == 201, response.json()
    assert response["Location"] == "/api/positions/API-1/" and response["ETag"] == '"1"'
    assert Position.objects.get(code="API-1").parent.code == "DPT-YW-02"
    again = send(editor, "post", "/api/positions/", body)
    assert again.status_code == 400 and again.json()["code"]


def test_a_move_through_the_api_refuses_a_loop_naming_it(editor):
    etag = current_etag(editor, "DPT-YW-01")
    response = send(editor, "post", "/api/positions/DPT-YW-01/move/", {"reports_to": "DPT-YW-03"}, etag)
    assert response.status_code == 400
    assert "DPT-YW-01 → DPT-YW-02 → DPT-YW-03" in response.json()["reports_to"][0]
    ok = send(
        editor, "post", "/api/positions/DPT-YW-03/move/", {"reports_to": "DPT-YW-04"}, current_etag(editor, "DPT-YW-03")
    )
    assert ok.status_code == 200 and ok.json()["reports_to"] == "DPT-YW-04"


def test_a_delete_moves_the_reports_and_answers_204(editor):
    etag = current_etag(editor, "DPT-YW-02")
    refused = send(editor, "delete", "/api/positions/DPT-YW-02/", None, etag)
    assert refused.status_code == 400 and refused.json()["non_field_errors"]
    response = send(editor, "delete", "/api/positions/DPT-YW-02/?reports_go_to=DPT-YW-01", None, etag)
    assert response.status_code == 204
    assert Position.objects.get(code="DPT-YW-03").parent.code == "DPT-YW-01"
    assert not Position.objects.filter(code="DPT-YW-02").exists()


def test_holders_are_assigned_and_ended_through_the_api(editor):
    person = PersonFactory(employee_number="E-77", name="周客服")
    etag = current_etag(editor, "DPT-YW-03")
    response = send(editor, "post", "/api/positions/DPT-YW-03/holders/", {"employee_number": "E-77"}, etag)
    assert response.status_code == 201, response.json()
    assignment = response.json()
    assert assignment["kind"] == "primary" and response["ETag"] != etag
    listed = editor.get("/api/positions/DPT-YW-03/holders/").json()
    assert [h["name"] for h in listed] == ["周客服"]
    ended = send(editor, "post", f"/api/assignments/{assignment['id']}/end/", {}, response["ETag"])
    assert ended.status_code == 200 and ended.json()["ended_on"]
    assert not Assignment.objects.current().filter(person=person).exists()


def test_a_second_primary_post_is_refused_at_the_kind(editor):
    person = PersonFactory(employee_number="E-78")
    Assignment.objects.create(person=person, position=Position.objects.get(code="DPT-YW-04"))
    etag = current_etag(editor, "DPT-YW-03")
    response = send(editor, "post", "/api/positions/DPT-YW-03/holders/", {"employee_number": "E-78"}, etag)
    assert response.status_code == 400 and response.json()["kind"]


def test_people_are_added_listed_and_changed_with_if_match(editor):
    created = send(editor, "post", "/api/people/", {"employee_number": "E-90", "name": "吴员工"})
    assert created.status_code == 201
    assert [p["employee_number"] for p in editor.get("/api/people/", {"q": "吴"}).json()] == ["E-90"]
    assert send(editor, "patch", "/api/people/E-90/", {"name": "吴新"}).status_code == 428
    changed = send(editor, "patch", "/api/people/E-90/", {"name": "吴新"}, created["ETag"])
    assert changed.status_code == 200 and Person.objects.get(employee_number="E-90").name == "吴新"
    duplicate = send(editor, "post", "/api/people/", {"employee_number": "E-90", "name": "重复"})
    assert duplicate.status_code == 400 and duplicate.json()["employee_number"]


def test_errors_are_json_for_anonymous_callers_unknown_addresses_and_wrong_methods(editor):
    anonymous = Client().get("/api/positions/")
    assert anonymous.status_code == 401 and anonymous["WWW-Authenticate"].startswith("Token")
    for url in (
        "/api/positions/a b/",
        "/api/positions/%2e%2e%2f/",
        "/api/no-such-thing/",
        "/api/positions/DPT-YW-03/x/y/",
    ):
        response = editor.get(url)
        assert response.status_code == 404 and response["Content-Type"] == "application/json", url
        assert response.json()["detail"]
    wrong = editor.delete("/api/positions/")
    assert wrong.status_code == 405 and wrong.json()["detail"]
    bad_json = editor.generic("PATCH", "/api/positions/DPT-YW-03/", "{not json", content_type="application/json")
    assert bad_json.status_code in (400, 428) and bad_json["Content-Type"] == "application/json"


def test_a_session_write_without_the_csrf_token_is_refused_in_json(seed, hr_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(hr_user)
    response = send(client, "patch", "/api/positions/DPT-YW-03/", {"title": "x"}, "*")
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]


def test_a_token_from_the_command_lets_a_script_write_until_revoked(seed, hr_user):
    out = StringIO()
    call_command("api_token", hr_user.username, stdout=out)
    token = out.getvalue().strip().splitlines()[-1]
    script = Client()
    auth = {"HTTP_AUTHORIZATION": f"Token {token}"}
    etag = script.get("/api/positions/DPT-YW-03/", **auth)["ETag"]
    response = send(script, "patch", "/api/positions/DPT-YW-03/", {"purpose": "脚本写入"}, etag, **auth)
    assert response.status_code == 200  # no CSRF for token calls
    again = StringIO()
    call_command("api_token", hr_user.username, stdout=again)
    assert again.getvalue().strip().splitlines()[-1] == token  # the same token until rotated
    call_command("api_token", hr_user.username, "--revoke", stdout=StringIO())
    assert script.get("/api/positions/", **auth).status_code == 401


def test_the_manager_gets_their_team_as_json(client, manager_user):
    client.force_login(manager_user)
    (team,) = client.get("/api/team/").json()
    assert team["post"] == "DPT-YW-04"
    codes = [member["code"] for member in team["members"]]
    assert codes[0] == "DPT-YW-04" and "DPT-YW-N07" in codes and "DPT-YW-01" not in codes
    assert all({"holders", "vacant", "complete", "problems", "url"} <= set(member) for member in team["members"])
