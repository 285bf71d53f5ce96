"""Employee numbers (工号) follow the pattern of position codes (positions.models.CODE_PATTERN: letters,
digits, '-', '_' and '.', starting with a letter or digit), so every person can be addressed in a URL
(/api/people/<number>/). The people pages, the API, the Django admin and both import sheets (人员 and
花名册) refuse any other new or changed number at its field or cell, and save nothing.

A number stored before the rule existed stays valid: the person can still be read, renamed, given a
login and named in an import, without being renumbered.
"""

import pytest
from django.test import Client
from django.utils import translation

from positions.models import CODE_PATTERN, Person
from tests.integration.test_bad_input import assert_in_language, field_messages, form_data, parse_html, send
from tests.integration.transfers import test_roster as roster
from tests.integration.transfers.test_import import problems_at
from tests.integration.transfers.workbooks import table, upload
from transfers import importing

BAD_NUMBERS = ["E/42", "..", ".E42", "<script>alert(1)</script>", "E 42", "E42?", "工号42", "E#42", "-42"]
GOOD_NUMBERS = ["E42", "00042", "hr.2026-01_a", "A"]
RULE = {"zh-hans": "字母", "en": "letters"}


def people():
    return list(Person.objects.order_by("pk").values_list("employee_number", "name", "user_id"))


def client_for(user, language="zh-hans"):
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


@pytest.fixture
def legacy(db):
    """A person stored before the rule, with a number the rule now refuses (written as an old import did)."""
    Person.objects.bulk_create([Person(employee_number="HR 007", name="旧工号")])
    return Person.objects.get(employee_number="HR 007")


def test_the_pattern_is_the_position_codes_one():
    import re

    assert all(re.match(CODE_PATTERN, number) for number in GOOD_NUMBERS)
    assert not any(re.match(CODE_PATTERN, number) for number in BAD_NUMBERS)


# ---------------------------------------------------------------------------------------------
# The people pages (PersonForm → services.people.save_person → the model's rule)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("number", BAD_NUMBERS)
def test_the_new_person_form_refuses_a_malformed_number_at_its_field(hr_user, number, language):
    client = client_for(hr_user, language)
    before = people()

    response = client.post("/people/new/", {"employee_number": number, "name": "张三", "login": ""})

    assert response.status_code == 200
    messages = field_messages(parse_html(response), "employee_number")
    assert_in_language(messages, language, echoed=(number,))
    assert RULE[language] in " ".join(messages)
    assert people() == before


@pytest.mark.parametrize("number", GOOD_NUMBERS)
def test_a_well_formed_number_is_added_and_can_be_addressed_in_the_api(hr_user, number):
    client = client_for(hr_user)
    response = client.post("/people/new/", {"employee_number": number, "name": "张三", "login": ""})
    assert response.status_code == 302
    assert client.get(f"/api/people/{number}/").json()["name"] == "张三"


def test_renumbering_a_person_to_a_malformed_number_is_refused(hr_user, legacy):
    person = Person.objects.create(employee_number="E42", name="张三")
    client = client_for(hr_user)
    response = client.post(
        f"/people/{person.pk}/", {"action": "save", "employee_number": "E/42", "name": "张三", "login": ""}
    )
    assert response.status_code == 200
    assert "字母" in " ".join(field_messages(parse_html(response), "employee_number"))
    assert Person.objects.get(pk=person.pk).employee_number == "E42"


def test_a_number_stored_before_the_rule_can_still_be_renamed_and_read(hr_user, legacy):
    client = client_for(hr_user)
    response = client.post(
        f"/people/{legacy.pk}/", {"action": "save", "employee_number": "HR 007", "name": "改名", "login": ""}
    )
    assert response.status_code == 302
    assert Person.objects.get(pk=legacy.pk).name == "改名"
    assert client.get("/api/people/HR%20007/").json()["name"] == "改名"


def test_a_number_stored_before_the_rule_can_be_corrected(hr_user, legacy):
    client = client_for(hr_user)
    response = client.post(
        f"/people/{legacy.pk}/", {"action": "save", "employee_number": "HR007", "name": "旧工号", "login": ""}
    )
    assert response.status_code == 302
    assert Person.objects.get(pk=legacy.pk).employee_number == "HR007"


def test_the_django_admin_refuses_a_malformed_number_at_its_field(admin_user):
    client = client_for(admin_user)
    before = people()
    data = form_data(parse_html(client.get("/admin/positions/person/add/")).find("form", id="person_form"))
    data.update(employee_number="E/42", name="张三")
    response = client.post("/admin/positions/person/add/", data)
    assert response.status_code == 200
    assert "字母" in " ".join(field_messages(parse_html(response), "employee_number"))
    assert people() == before


# ---------------------------------------------------------------------------------------------
# The API


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("number", BAD_NUMBERS)
def test_the_api_refuses_a_malformed_number_for_a_new_person_at_its_field(hr_user, number, language):
    client = client_for(hr_user, language)
    before = people()

    response = send(client, "post", "/api/people/", {"employee_number": number, "name": "张三"})

    assert response.status_code == 400, response.content
    messages = response.json()["employee_number"]
    assert_in_language(messages, language, echoed=(number,))
    assert people() == before


def test_the_api_refuses_renumbering_to_a_malformed_number(hr_user):
    Person.objects.create(employee_number="E42", name="张三")
    client = client_for(hr_user)
    etag = client.get("/api/people/E42/")["ETag"]
    response = send(client, "patch", "/api/people/E42/", {"employee_number": "E/42"}, etag)
    assert response.status_code == 400 and response.json()["employee_number"]
    assert Person.objects.filter(employee_number="E42").exists()


def test_the_api_changes_the_name_of_a_person_with_a_number_stored_before_the_rule(hr_user, legacy):
    client = client_for(hr_user)
    etag = client.get("/api/people/HR%20007/")["ETag"]
    response = send(client, "put", "/api/people/HR%20007/", {"employee_number": "HR 007", "name": "改名"}, etag)
    assert response.status_code == 200, response.content
    assert Person.objects.get(pk=legacy.pk).name == "改名"


def test_the_openapi_description_gives_the_pattern(viewer_user):
    spec = client_for(viewer_user).get("/api/openapi.json").json()
    person = spec["components"]["schemas"]["PersonRequest"]["properties"]["employee_number"]
    assert person["pattern"] == CODE_PATTERN
    position = spec["components"]["schemas"]["PositionWriteRequest"]["properties"]["code"]
    assert position["pattern"] == CODE_PATTERN


# ---------------------------------------------------------------------------------------------
# Imports: the 人员 sheet and a roster (花名册)


@pytest.fixture
def english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize("number", ["E/42", "..", "<script>"])
def test_the_people_sheet_refuses_a_malformed_number_at_its_cell(seed, hr_user, english, number):
    book = upload(
        "people.xlsx",
        table("people", [{"employee_number": "E41", "name": "李四"}, {"employee_number": number, "name": "张三"}]),
    )
    before = people()
    with pytest.raises(importing.ImportRefused) as caught:
        importing.apply(book, hr_user)
    (problem,) = caught.value.report.errors
    assert problems_at(caught.value.report, "人员", 3, "工号") == [problem]
    assert "letters" in problem.message
    assert people() == before


def test_the_people_sheet_names_a_person_with_a_number_stored_before_the_rule(seed, hr_user, english, legacy):
    book = upload("people.xlsx", table("people", [{"employee_number": "HR 007", "name": "改名"}]))
    importing.apply(book, hr_user)
    assert Person.objects.get(pk=legacy.pk).name == "改名"


def test_a_roster_refuses_a_malformed_number_at_its_cell(db, hr_user, english):
    rows = [
        ["M1", "王经理", "销售经理", "销售部", "", ""],
        ["E/42", "张三", "销售代表", "销售部", "M1", ""],
    ]
    before = roster.state()
    report = roster.refused("roster.xlsx", roster.xlsx(rows), hr_user)
    assert roster.errors_at(report) == [("花名册", 3, "工号")]
    assert "letters" in report.errors[0].message
    assert roster.state() == before


def test_a_roster_in_another_systems_headers_names_that_systems_column(db, hr_user, english):
    headers = ["员工编号", "员工姓名", "职位", "所属部门", "直属上级工号", "账号"]
    rows = [["M 1", "王经理", "销售经理", "销售部", "", ""]]
    report = roster.refused("roster.xlsx", roster.xlsx(rows, headers=headers), hr_user)
    assert roster.errors_at(report) == [("花名册", 2, "员工编号")]
