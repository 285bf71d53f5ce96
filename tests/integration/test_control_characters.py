"""Control characters (NUL and the other C0/C1 controls, portal/text.py) are refused in one place for every
request (portal.middleware.ControlCharacterMiddleware): in paths, query strings, form fields and JSON
bodies, with 400 and a message in the user's language that names the parameter or field — JSON in the
API's shape under /api/, a page elsewhere — and nothing saved. Tab, line feed and carriage return are
ordinary in multi-line text, and the contents of uploaded files are the import's to judge.

Before, a NUL reached PostgreSQL (which cannot hold or even look up one) and gave a server error; the
test client re-raises any server error, so each of these requests would fail the test that way.
"""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from positions.models import Person, Position
from positions.services.editing import DocumentInvalid, Save, save_documents
from positions.services.people import PeopleError, save_person
from tests.helpers import document_of
from tests.integration.test_bad_input import (
    assert_in_language,
    editor_data,
    form_data,
    parse_html,
    send,
    snapshot,
)
from tests.integration.test_editor import open_editor
from tests.integration.transfers.test_pages import edited_workbook, the_job
from transfers.models import Job

ZH, EN = "zh-hans", "en"
NAMES = {ZH: "U+0000", EN: "U+0000"}


def client_for(user=None, language=ZH, **options):
    client = Client(**options)
    if user is not None:
        client.force_login(user)
    if language != ZH:
        client.cookies["django_language"] = language
    return client


def assert_json_refusal(response, language, character="U+0000"):
    assert response.status_code == 400, response.content[:300]
    assert response["Content-Type"] == "application/json"
    messages = [m for m in json.dumps(response.json(), ensure_ascii=False).split('"') if character in m]
    assert messages, response.json()
    assert_in_language(messages, language)


def assert_page_refusal(response, language, name, character="U+0000"):
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    page = parse_html(response)
    section = page.find("section", cls="error-page")
    assert section is not None
    assert_in_language([page.find("h1").text()], language)
    assert name in section.text() and character in section.text()


# ---------------------------------------------------------------------------------------------
# The API: JSON, {"field": ["message"]}


@pytest.mark.parametrize("language", [ZH, EN])
@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/positions/a%00b/", "code"),
        ("/api/positions/a%00b/history/", "code"),
        ("/api/positions/a%00b/holders/", "code"),
        ("/api/positions/DPT-YW-03%01/move/", "code"),
        ("/api/people/E%0042/", "number"),
        ("/api/people/?q=%00", "q"),
        ("/api/positions/?q=a%00", "q"),
        ("/api/positions/?department=1%00", "department"),
        ("/api/positions/DPT-YW-03/?as_of=2026-01-01%00", "as_of"),
        ("/api/staffing/?department=%1B", "department"),
        ("/api/positions/?q=%C2%85", "q"),  # U+0085, a C1 control
        ("/api/positions/?q=a%09b", "q"),  # a tab: no query parameter holds one
        ("/api/positions/?q=a%0Ab", "q"),
    ],
)
def test_a_control_character_in_an_api_path_or_parameter_is_a_400_naming_it(seed, hr_user, language, url, field):
    response = client_for(hr_user, language).get(url)
    assert response.status_code == 400, response.content[:300]
    body = response.json()
    assert list(body) == [field], body
    assert_in_language(body[field], language)
    assert "U+00" in body[field][0]


def test_an_anonymous_api_request_with_a_nul_gets_json_too(seed):
    response = Client().get("/api/positions/a%00b/")
    assert_json_refusal(response, ZH)


def test_a_token_with_a_control_character_is_a_400_naming_the_header(seed):
    response = Client().get("/api/positions/", HTTP_AUTHORIZATION="Token abc\x00def")
    assert_json_refusal(response, ZH)
    assert list(response.json()) == ["Authorization"]


@pytest.mark.parametrize(
    ("url", "status"), [("/org/", 302), ("/api/positions/", 401), ("/no-such-page/", 404), ("/accounts/login/", 200)]
)
def test_a_session_cookie_with_a_control_character_is_no_session(seed, url, status):
    client = Client()
    client.cookies["sessionid"] = "abcdefgh\x00ijkl"
    response = client.get(url)
    assert response.status_code == status
    if status == 302:
        assert response.url == "/accounts/login/?next=/org/"


@pytest.mark.parametrize("language", [ZH, EN])
@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"dotted_reports_to": ["DPT-YW-02\x00"]}, {"dotted_reports_to": ["…"]}),
        ({"career": {"promotes_to": ["DPT\x00"]}}, {"career": {"promotes_to": ["…"]}}),
        ({"title": "客服\x00代表"}, {"title": ["…"]}),
        ({"purpose": "第一行\u000b第二行"}, {"purpose": ["…"]}),
        (
            {"kpis": [{"responsibility": "甲", "weight": 50}, {"responsibility": "乙\x7f", "weight": 50}]},
            {"kpis": [{}, {"responsibility": ["…"]}]},
        ),
        ({"duties": [{"text": "\x1b[31m职责"}]}, {"duties": [{"text": ["…"]}]}),
        ({"title\x00": "x"}, {"non_field_errors": ["…"]}),
    ],
    ids=["dotted line", "career", "title", "vertical tab", "KPI row", "escape", "key"],
)
def test_a_control_character_in_a_document_is_refused_at_its_field_in_drfs_shape(
    seed, hr_user, language, body, expected
):
    client = client_for(hr_user, language)
    etag = client.get("/api/positions/DPT-YW-03/")["ETag"]
    before = snapshot()

    response = send(client, "patch", "/api/positions/DPT-YW-03/", body, etag)

    assert response.status_code == 400, response.content[:300]

    def shape(node):
        if isinstance(node, dict):
            return {key: shape(value) for key, value in node.items()}
        return [shape(item) for item in node] if node and not isinstance(node[0], str) else ["…"]

    assert shape(response.json()) == expected
    assert_json_refusal(response, language, "U+00")
    assert snapshot() == before


@pytest.mark.parametrize("language", [ZH, EN])
@pytest.mark.parametrize(
    "body",
    ["[" * 100_000, '{"title": ' * 5_000 + '"x"' + "}" * 5_000, '{"duties": ' + "[" * 150 + "]" * 150 + "}"],
    ids=["past Python's parser", "deep object", "past the portal's limit"],
)
def test_a_json_body_nested_too_deeply_is_a_400_not_a_server_error(seed, hr_user, language, body):
    """Python's JSON parser gives up past about 1,000 levels (RecursionError, before: a 500); the portal reads
    no document deeper than a hundred."""
    client = client_for(hr_user, language)
    etag = client.get("/api/positions/DPT-YW-03/")["ETag"]
    before = snapshot()

    response = client.patch("/api/positions/DPT-YW-03/", body, content_type="application/json", HTTP_IF_MATCH=etag)

    assert response.status_code == 400, response.content[:300]
    assert list(response.json()) == ["non_field_errors"]
    assert_in_language(response.json()["non_field_errors"], language)
    assert ("JSON" in response.json()["non_field_errors"][0]) and snapshot() == before


def test_tabs_and_line_breaks_in_a_document_are_text(seed, hr_user):
    client = client_for(hr_user)
    etag = client.get("/api/positions/DPT-YW-03/")["ETag"]
    purpose = "第一行\r\n第二行\t（制表）"
    response = send(client, "patch", "/api/positions/DPT-YW-03/", {"purpose": purpose}, etag)
    assert response.status_code == 200, response.content[:300]
    assert document_of("DPT-YW-03")["purpose"] == "第一行\n第二行\t（制表）"


@pytest.mark.parametrize(
    ("method", "url", "body", "field"),
    [
        ("post", "/api/people/", {"employee_number": "E1", "name": "张\x00三"}, "name"),
        ("post", "/api/positions/", {"code": "NEW-1", "title": "新\x00岗位", "status": "draft"}, "title"),
        ("post", "/api/positions/DPT-YW-03/holders/", {"employee_number": "E0004\x00"}, "employee_number"),
        ("post", "/api/positions/DPT-YW-03/move/", {"superior": "DPT-YW-04\x00"}, "superior"),
    ],
    ids=["person", "position", "holder", "move"],
)
def test_every_api_write_refuses_a_nul_at_its_field_and_saves_nothing(seed, hr_user, method, url, body, field):
    client = client_for(hr_user)
    before = snapshot()
    response = send(client, method, url, body, if_match="*")
    assert response.status_code == 400, response.content[:300]
    assert list(response.json()) == [field]
    assert snapshot() == before


# ---------------------------------------------------------------------------------------------
# Pages: an HTML page in the user's language naming the parameter or field


@pytest.mark.parametrize("language", [ZH, EN])
@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("/org/diagram/?q=%00", "q"),
        ("/org/?q=a%00b", "q"),
        ("/org/diagram.svg?q=%00", "q"),
        ("/people/?q=E%00", "q"),
        ("/positions/?q=%01", "q"),
        ("/positions/DPT-YW-03/?as_of=2026-01-01%00", "as_of"),
        ("/audit/?login=%00", "login"),
        ("/org/?q=a%0Db", "q"),
    ],
)
def test_a_control_character_in_a_pages_parameter_is_a_400_page_naming_it(seed, admin_user, language, url, name):
    response = client_for(admin_user, language).get(url)
    assert_page_refusal(response, language, name, character="U+00")


@pytest.mark.parametrize("language", [ZH, EN])
def test_the_people_form_refuses_a_control_character_and_saves_nothing(hr_user, language):
    client = client_for(hr_user, language)
    response = client.post("/people/new/", {"employee_number": "E1", "name": "张\x0b三", "login": ""})
    assert_page_refusal(response, language, "name", character="U+000B")
    assert not Person.objects.exists()


def test_the_editor_refuses_a_control_character_in_a_row_and_saves_nothing(seed, hr_user):
    client = client_for(hr_user)
    data = editor_data(client, "DPT-YW-03")
    data["duties-1-text"] = "接听\x00热线"
    before = snapshot()
    response = client.post("/positions/DPT-YW-03/edit/", data)
    assert_page_refusal(response, ZH, "duties-1-text")
    assert "接听⟨U+0000⟩热线" in response.content.decode()  # where to look for it
    assert snapshot() == before


def test_the_editor_keeps_tabs_and_line_breaks(seed, hr_user):
    client = client_for(hr_user)
    data = open_editor(client, "/positions/DPT-YW-03/edit/")
    data["h-purpose"] = "第一段\r\n第二段\t（制表）"
    assert client.post("/positions/DPT-YW-03/edit/", data).status_code == 302
    assert document_of("DPT-YW-03")["purpose"] == "第一段\n第二段\t（制表）"


def test_a_login_with_a_nul_in_the_username_is_refused_not_a_server_error(db):
    response = Client().post("/accounts/login/", {"username": "admin\x00", "password": "x"})
    assert_page_refusal(response, ZH, "username")


def test_an_upload_is_judged_by_its_text_fields_not_its_binary_contents(
    seed, hr_user, django_capture_on_commit_callbacks
):
    client = client_for(hr_user)
    workbook = edited_workbook()
    assert b"\x00" in workbook  # a zip: full of NUL bytes
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/transfers/", {"file": SimpleUploadedFile("organisation.xlsx", workbook)})
    assert the_job(response).status == Job.Status.PREVIEWED

    refused = client.post(
        "/transfers/", {"file": SimpleUploadedFile("organisation.xlsx", workbook), "delete_missing": "on\x00"}
    )
    assert_page_refusal(refused, ZH, "delete_missing")
    assert Job.objects.count() == 1


def test_the_admin_still_saves_and_searches(seed, admin_user):
    client = client_for(admin_user)
    data = form_data(parse_html(client.get("/admin/positions/person/add/")).find("form", id="person_form"))
    data.update(employee_number="E77", name="后台添加")
    response = client.post("/admin/positions/person/add/", data)
    assert response.status_code == 302
    assert Person.objects.get(employee_number="E77").name == "后台添加"
    assert client.get("/admin/positions/position/?q=DPT").status_code == 200
    assert_page_refusal(client.get("/admin/positions/position/?q=%00"), ZH, "q")


# ---------------------------------------------------------------------------------------------
# Below the requests: the services and the model say the same for text that comes from files and commands


def test_the_editing_service_refuses_a_control_character_instead_of_dropping_it(seed):
    with pytest.raises(DocumentInvalid) as caught:
        save_documents([Save({"code": "DPT-YW-03", "title": "客服\x00代表"}, code="DPT-YW-03")])
    assert "U+0000" in " ".join(caught.value.errors["title"])
    assert Position.objects.get(code="DPT-YW-03").title == "客户服务代表"
    with pytest.raises(DocumentInvalid) as caught:
        save_documents([Save({"dotted_reports_to": ["DPT-YW-02\x01"]}, code="DPT-YW-03")])
    assert "U+0001" in " ".join(caught.value.errors["dotted_reports_to"])


def test_a_persons_name_with_a_control_character_is_refused_by_the_model(db):
    with pytest.raises(PeopleError) as caught:
        save_person(None, employee_number="E1", name="张\x01三")
    assert "U+0001" in " ".join(caught.value.errors["name"])
    assert not Person.objects.exists()
