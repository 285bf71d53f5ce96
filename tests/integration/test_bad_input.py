"""Bad input through the editor's forms and the JSON API.

Every refusal is explained at the field or row it concerns (in the editor's page next to the
field; in the API as DRF's {field: [messages]} with rows as lists), in Simplified Chinese (the
default) and in English (the `django_language=en` cookie), saves nothing, and never ends in a
server error: Django's test client re-raises any exception a view lets through.

Markup typed into any text field is content: it is kept as entered (the API gives the literal
string) and escaped wherever it is shown.
"""

import json
import re
from dataclasses import dataclass
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.utils.html import escape

from positions.models import Assignment, JDTemplate, Person, Position
from tests.helpers import document_of, snapshot

ZH, EN = "zh-hans", "en"
LANGUAGES = (ZH, EN)
IDEOGRAPH = re.compile(r"[\u4e00-\u9fff]")
ENGLISH_PHRASE = re.compile(r"\b[A-Za-z]{2,}(?:[ ,]+[A-Za-z]{2,}){2,}")  # three English words in a row
ENGLISH_WORD = re.compile(r"\b[A-Za-z]{3,}\b")


# ---------------------------------------------------------------------------------------------
# Clients, snapshots and languages.


@pytest.fixture
def login(db):
    """A fresh client signed in as `user`, in `language`; it re-raises server errors (Django's default)."""

    def login(user, language=ZH, **options):
        client = Client(**options)
        client.force_login(user)
        if language != ZH:
            client.cookies["django_language"] = language
        return client

    return login


@pytest.fixture
def hr(seed, hr_user):
    return hr_user


def assert_in_language(messages, language, echoed=()):
    """The messages read in `language`: Chinese ones have ideographs and no English sentence, English
    ones no ideographs. `echoed`: parts of the input the message quotes back, left out of the check."""
    assert messages, "no message was shown"
    text = " ".join(str(message) for message in messages)
    for part in echoed:
        text = text.replace(part, " ")
    if language == ZH:
        assert IDEOGRAPH.search(text), f"not Chinese: {text!r}"
        assert not ENGLISH_PHRASE.search(text), f"English in the Chinese interface: {text!r}"
    else:
        assert not IDEOGRAPH.search(text), f"not English: {text!r}"
        assert ENGLISH_WORD.search(text), f"not English: {text!r}"


def bilingual(cases, bugs=None):
    """Each case once per language; `bugs` maps (case id, language) to the reason of a strict xfail."""
    bugs = bugs or {}
    params = []
    for case in cases:
        for language in LANGUAGES:
            reason = bugs.get((case.id, language)) or bugs.get((case.id, None))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            params.append(pytest.param(case, language, id=f"{case.id}-{language}", marks=marks))
    return params


# ---------------------------------------------------------------------------------------------
# Reading pages the way a browser does.

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent, self.children = tag, dict(attrs), parent, []

    @property
    def classes(self):
        return (self.attrs.get("class") or "").split()

    def text(self):
        return "".join(child if isinstance(child, str) else child.text() for child in self.children)

    def iter(self, into_templates=True):
        for child in self.children:
            if isinstance(child, Node):
                yield child
                if into_templates or child.tag != "template":
                    yield from child.iter(into_templates)

    def find_all(self, tag=None, cls=None, **attrs):
        return [
            node
            for node in self.iter()
            if (tag is None or node.tag == tag)
            and (cls is None or cls in node.classes)
            and all(node.attrs.get(name) == value for name, value in attrs.items())
        ]

    def find(self, tag=None, cls=None, **attrs):
        found = self.find_all(tag, cls, **attrs)
        return found[0] if found else None

    def ancestor(self, tag, cls=None):
        node = self.parent
        while node is not None and not (node.tag == tag and (cls is None or cls in node.classes)):
            node = node.parent
        return node


class TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = self.current = Node("#document", [], None)

    def handle_starttag(self, tag, attrs):
        node = Node(tag, attrs, self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Node(tag, attrs, self.current))

    def handle_endtag(self, tag):
        node = self.current
        while node.parent is not None and node.tag != tag:
            node = node.parent
        if node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse_html(response):
    builder = TreeBuilder()
    builder.feed(response.content.decode())
    builder.close()
    return builder.root


def control_value(node):
    """What a browser submits for one form control (None: nothing)."""
    if node.tag == "textarea":
        text = node.text()
        return text[1:] if text.startswith("\n") else text  # browsers drop the newline after <textarea>
    if node.tag == "select":
        options = node.find_all("option")
        chosen = [o for o in options if "selected" in o.attrs] or options[:1]
        return chosen[0].attrs.get("value", chosen[0].text()) if chosen else None
    kind = node.attrs.get("type", "text")
    if kind in ("checkbox", "radio"):
        return node.attrs.get("value", "on") if "checked" in node.attrs else None
    if kind in ("submit", "button", "image", "reset", "file"):
        return None
    return node.attrs.get("value", "")


def form_data(form):
    """The values a browser would post for `form` (the rows kept in <template> are not part of it)."""
    data = {}
    for node in form.iter(into_templates=False):
        name = node.attrs.get("name")
        if node.tag in ("input", "textarea", "select") and name and "disabled" not in node.attrs:
            value = control_value(node)
            if value is not None:
                data[name] = value
    return data


def edit_url(code):
    return f"/positions/{code}/edit/" if code else "/positions/new/"


def editor_data(client, code):
    """The editor's form for `code` (None: a new position) as a browser would post it, to change and send."""
    response = client.get(edit_url(code))
    assert response.status_code == 200
    return form_data(parse_html(response).find("form", cls="editor"))


def field_messages(page, name):
    """The errors shown next to the header field `name` (without the h- prefix) or any other single field."""
    box = page.find("div", cls=f"field-{name}")
    assert box is not None, f"no field {name} on the page"
    return [item.text().strip() for errors in box.find_all("ul", cls="errorlist") for item in errors.find_all("li")]


def row_messages(page, control):
    """The errors shown next to the row control `control` (e.g. "duties-0-text")."""
    node = next((n for n in page.iter() if n.attrs.get("name") == control), None)
    assert node is not None, f"no control {control} on the page"
    cell = node.ancestor("span", "cell")
    return [errors.text().strip() for errors in cell.find_all("span", cls="field-errors")]


def shown_value(page, control):
    node = next((n for n in page.iter() if n.attrs.get("name") == control), None)
    assert node is not None, f"no control {control} on the page"
    return control_value(node)


def page_messages(page):
    box = page.find("ul", cls="messages")
    return [item.text().strip() for item in box.find_all("li")] if box else []


# ---------------------------------------------------------------------------------------------
# The API.


def send(client, method, url, body=None, if_match=None, **extra):
    headers = {"HTTP_IF_MATCH": if_match} if if_match else {}
    data = json.dumps(body, ensure_ascii=False) if body is not None else None
    return getattr(client, method)(url, data=data, content_type="application/json", **headers, **extra)


def api_document(client, code):
    response = client.get(f"/api/positions/{code}/")
    assert response.status_code == 200
    return response.json(), response["ETag"]


def at(errors, path):
    """The messages at `path` in DRF's error shape: rows are lists, each row a dict of fields."""
    node = errors
    for step in path:
        if isinstance(step, int):
            assert isinstance(node, list), f"rows should be a list: {node!r}"
            assert all(isinstance(row, dict) for row in node[:step]), f"rows before {step}: {node!r}"
        node = node[step]
    assert isinstance(node, list) and all(isinstance(m, str) for m in node), f"messages: {node!r}"
    return node


# ---------------------------------------------------------------------------------------------
# The cases.

LONG = "职" * 100_000


@dataclass
class Case:
    id: str
    control: str  # the editor's control ("h-title", "duties-0-text")
    value: str
    hint: dict  # language -> a regular expression the message must match
    path: tuple = ()  # where the API's message is (("title",), ("duties", 0, "text")); () when the API has no such key
    api_value: object = None  # what the API is sent (None: the same value)
    echoed: tuple = ()
    new_position: bool = False  # a new position (/positions/new/, POST /api/positions/) instead of DPT-YW-03

    @property
    def header(self):
        return self.control.startswith("h-")


EMPTY = {ZH: "必填|不能为空", EN: "required|cannot be empty"}
TAKEN = {ZH: "已存在", EN: "already exists"}
CODE_FORMAT = {ZH: "字母", EN: "letters"}
LIMIT_200 = {ZH: "200", EN: "200"}
LIMIT_2000 = {ZH: "2000", EN: "2000"}
PERCENT_RANGE = {ZH: "大于 0", EN: "more than 0"}
DECIMALS = {ZH: "两位小数", EN: "two decimal places"}
NOT_A_NUMBER = {ZH: "不是数字", EN: "not a number"}

HEADER_CASES = [
    Case("empty title", "h-title", "", EMPTY, ("title",)),
    Case("blank title", "h-title", "   ", EMPTY, ("title",)),
    Case("empty title of a new position", "h-title", "", EMPTY, ("title",), new_position=True),
    Case("duplicate code", "h-code", "DPT-YW-04", TAKEN, ("code",)),
    Case("duplicate code of a new position", "h-code", "DPT-YW-04", TAKEN, ("code",), new_position=True),
    Case("code with spaces", "h-code", "DPT YW 09", CODE_FORMAT, ("code",)),
    Case("code with a slash", "h-code", "DPT/YW/09", CODE_FORMAT, ("code",)),
    Case("code with a backslash", "h-code", "DPT\\YW", CODE_FORMAT, ("code",)),
    Case(
        "code in full-width letters",
        "h-code",
        "ＤＰＴ－ＹＷ－０９",
        CODE_FORMAT,
        ("code",),
        echoed=("ＤＰＴ－ＹＷ－０９",),
    ),
    Case("code with full-width digits", "h-code", "DPT-YW-０９", CODE_FORMAT, ("code",), echoed=("DPT-YW-０９",)),
    Case("code with an ideographic space", "h-code", "DPT\u3000YW-09", CODE_FORMAT, ("code",)),
    Case("new code with a slash", "h-code", "NEW/01", CODE_FORMAT, ("code",), new_position=True),
    Case("title of 201 characters", "h-title", "岗" * 201, LIMIT_200, ("title",)),
    Case("title of 100000 characters", "h-title", LONG, LIMIT_200, ("title",)),
    Case("purpose of 2001 characters", "h-purpose", "目" * 2001, LIMIT_2000, ("purpose",)),
    Case("purpose of 100000 characters", "h-purpose", LONG, LIMIT_2000, ("purpose",)),
    Case("work environment of 2001 characters", "h-work_environment", "境" * 2001, LIMIT_2000, ("work_environment",)),
    Case("major of 201 characters", "h-major", "专" * 201, LIMIT_200, ("major",)),
]

# Rows of DPT-YW-03: duties 0..4, qualifications 0..2, training 0, KPIs 0..3 (weights 40/30/20/10);
# the relations and authorities are empty, so row 0 there is the editor's empty new row.
ROW_CASES = [
    Case("duty line of 2001 characters", "duties-1-text", "职" * 2001, LIMIT_2000, ("duties", 1, "text")),
    Case("duty line of 100000 characters", "duties-1-text", LONG, LIMIT_2000, ("duties", 1, "text")),
    Case("new duty of 2001 characters", "duties-5-text", "职" * 2001, LIMIT_2000, ("duties", 5, "text")),
    Case(
        "qualification of 2001 characters",
        "qualifications-2-text",
        "任" * 2001,
        LIMIT_2000,
        ("qualifications", 2, "text"),
    ),
    Case("training of 100000 characters", "training-0-text", LONG, LIMIT_2000, ("training", 0, "text")),
    Case("authority of 2001 characters", "authorities-0-text", "权" * 2001, LIMIT_2000, ("authorities", 0, "text")),
    Case(
        "internal relation of 2001 characters",
        "internal-relations-0-text",
        "内" * 2001,
        LIMIT_2000,
        ("internal_relations", 0, "text"),
    ),
    Case(
        "external relation of 100000 characters",
        "external-relations-0-text",
        LONG,
        LIMIT_2000,
        ("external_relations", 0, "text"),
    ),
    Case(
        "KPI responsibility of 2001 characters",
        "kpis-1-responsibility",
        "责" * 2001,
        LIMIT_2000,
        ("kpis", 1, "responsibility"),
    ),
    Case("KPI standard of 100000 characters", "kpis-2-standard", LONG, LIMIT_2000, ("kpis", 2, "standard")),
]


def number_cases(kind, control, path):
    return [
        Case(f"negative {kind}", control, "-5", PERCENT_RANGE, path, api_value=-5, echoed=("-5",)),
        Case(f"zero {kind}", control, "0", PERCENT_RANGE, path, api_value=0),
        Case(f"{kind} over 100", control, "100.5", PERCENT_RANGE, path, api_value=100.5),
        Case(f"{kind} of 150%", control, "150%", PERCENT_RANGE, path, api_value="150%"),
        Case(f"{kind} of 12.345", control, "12.345", DECIMALS, path, api_value=12.345),
        Case(f"{kind} in words", control, "abc", NOT_A_NUMBER, path, echoed=("abc",)),
        Case(f"{kind} in Chinese numerals", control, "四十", NOT_A_NUMBER, path, echoed=("四十",)),
        Case(f"{kind} of NaN", control, "NaN", NOT_A_NUMBER, path, echoed=("NaN",)),
        Case(f"{kind} of Infinity", control, "Infinity", NOT_A_NUMBER, path, echoed=("Infinity",)),
    ]


NUMBER_CASES = number_cases("weight", "kpis-0-weight", ("kpis", 0, "weight")) + number_cases(
    "time share", "duties-0-share", ("duties", 0, "share")
)
EDITOR_CASES = HEADER_CASES + ROW_CASES + NUMBER_CASES

# ---------------------------------------------------------------------------------------------
# 1. The editor: the message at the field or row, the input kept, nothing saved.


def test_the_editor_helper_reads_the_form_as_a_browser_would(login, hr):
    data = editor_data(login(hr), "DPT-YW-03")
    assert data["h-code"] == "DPT-YW-03" and data["h-title"] == "客户服务代表" and data["h-reports_to"] == "DPT-YW-02"
    assert data["h-status"] == "published" and data["h-department"] == "YW-KF" and data["h-version"] == "1"
    assert data["duties-TOTAL_FORMS"] == "6" and data["duties-INITIAL_FORMS"] == "5"
    assert data["duties-0-text"] == "接听和记录热线电话" and data["duties-5-text"] == ""
    assert data["kpis-0-weight"] == "40" and "kpis-0-DELETE" not in data
    assert not any("__prefix__" in name for name in data), "the <template> rows are not sent"


def test_the_unchanged_editor_form_saves_nothing(login, hr):
    client = login(hr)
    before = snapshot()
    response = client.post(edit_url("DPT-YW-03"), editor_data(client, "DPT-YW-03"))
    assert response.status_code == 302 and response.url == "/positions/DPT-YW-03/"
    assert snapshot() == before


@pytest.mark.parametrize(("case", "language"), bilingual(EDITOR_CASES))
def test_the_editor_refuses_bad_input_at_the_field_keeps_it_and_saves_nothing(login, hr, case, language):
    client = login(hr, language)
    code = None if case.new_position else "DPT-YW-03"
    data = editor_data(client, code)
    if case.new_position:
        data.update({"h-code": "NEW-01", "h-title": "新岗位", "h-status": "draft", "h-top": "on"})
    data[case.control] = case.value
    before = snapshot()

    response = client.post(edit_url(code), data)

    assert response.status_code == 200, "the editor again, not a redirect"
    page = parse_html(response)
    name = case.control
    messages = field_messages(page, name[2:]) if case.header else row_messages(page, name)
    assert_in_language(messages, language, case.echoed)
    assert re.search(case.hint[language], " ".join(messages)), messages
    assert shown_value(page, name) in (case.value, case.value.strip()), "what was typed is kept"
    assert snapshot() == before


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_editors_error_summary_reads_in_the_users_language(login, hr, language):
    client = login(hr, language)
    data = editor_data(client, "DPT-YW-03")
    data["kpis-0-weight"] = "-5"
    page = parse_html(client.post(edit_url("DPT-YW-03"), data))
    summary = page.find("div", cls="error-summary")
    assert_in_language(
        [summary.find("h2").text().strip(), *(li.text().strip() for li in summary.find_all("li"))], language
    )


def test_an_error_on_a_reordered_row_is_shown_on_that_row(login, hr):
    client = login(hr)
    data = editor_data(client, "DPT-YW-03")
    data["kpis-3-ORDER"], data["kpis-0-ORDER"] = "1", "4"  # the last KPI moves to the top
    data["kpis-3-weight"] = "12.345"
    before = snapshot()
    page = parse_html(client.post(edit_url("DPT-YW-03"), data))
    assert "两位小数" in " ".join(row_messages(page, "kpis-3-weight"))
    assert row_messages(page, "kpis-0-weight") == []
    assert snapshot() == before


@pytest.mark.parametrize("order", ["1.5", "二"])
def test_a_row_order_that_is_not_a_whole_number_is_explained_at_the_row(login, hr, order):
    client = login(hr)
    data = editor_data(client, "DPT-YW-03")
    data["duties-1-ORDER"] = order  # without JavaScript the order numbers are typed (the editor's <noscript> help)
    before = snapshot()
    response = client.post(edit_url("DPT-YW-03"), data)
    assert response.status_code == 200 and snapshot() == before
    page = parse_html(response)
    row = next(n for n in page.iter() if n.attrs.get("name") == "duties-1-ORDER").ancestor("li", "row")
    shown = [errors.text().strip() for errors in row.find_all(cls="field-errors")] + page_messages(page)
    assert any(shown), "the editor came back without saying why"


@pytest.mark.parametrize(("control", "key"), [("h-purpose", "purpose"), ("duties-1-text", "duties")])
def test_a_multi_line_text_of_exactly_the_limit_is_accepted_by_the_editor_as_by_the_api(login, hr, control, key):
    text = "甲" * 1000 + "\r\n" + "乙" * 999  # 2000 characters as the browser and the service count them
    client = login(hr)
    data = editor_data(client, "DPT-YW-03")
    data[control] = text
    response = client.post(edit_url("DPT-YW-03"), data)
    page = parse_html(response) if response.status_code == 200 else None
    assert response.status_code == 302, (
        field_messages(page, "purpose") if key == "purpose" else row_messages(page, control)
    )
    saved = document_of("DPT-YW-03")[key]
    assert (saved if key == "purpose" else saved[1]["text"]) == text.replace("\r\n", "\n")


# ---------------------------------------------------------------------------------------------
# 2. The API: DRF's {field: [messages]}, rows as lists; nothing saved.

API_CASES = [case for case in EDITOR_CASES if case.path]


def api_body(client, case):
    """The body that sends `case` through the API: a PATCH of DPT-YW-03, or a whole new document."""
    value = case.value if case.api_value is None else case.api_value
    key = case.path[0]
    if case.new_position:
        body = {"code": "NEW-01", "title": "新岗位", "status": "draft"}
        body[key] = value
        return body
    if len(case.path) == 1:
        return {key: value}
    document, _etag = api_document(client, "DPT-YW-03")
    rows = document[key]
    index, name = case.path[1], case.path[2]
    while len(rows) <= index:
        rows.append({"text": "补充"} if key == "duties" else "补充")
    if isinstance(rows[index], str):
        rows[index] = value
    else:
        rows[index] = {**rows[index], name: value}
    return {key: rows}


@pytest.mark.parametrize(("case", "language"), bilingual(API_CASES))
def test_the_api_refuses_bad_input_at_the_field_in_drfs_shape_and_saves_nothing(login, hr, case, language):
    client = login(hr, language)
    body = api_body(client, case)
    before = snapshot()
    if case.new_position:
        response = send(client, "post", "/api/positions/", body)
    else:
        _document, etag = api_document(client, "DPT-YW-03")
        response = send(client, "patch", "/api/positions/DPT-YW-03/", body, etag)

    assert response.status_code == 400, response.content[:500]
    messages = at(response.json(), case.path)
    assert_in_language(messages, language, case.echoed)
    assert re.search(case.hint[language], " ".join(messages)), messages
    assert snapshot() == before


@pytest.mark.parametrize(
    "body",
    [
        [],
        "a string",
        {"kpis": "not a list"},
        {"kpis": [1, 2]},
        {"duties": [{"text": ["a", "list"]}]},
        {"duties": [{"text": "职责", "share": {"an": "object"}}]},
        {"title": {"an": "object"}},
        {"title": True},
        {"reports_to": ["DPT-YW-02"]},
        {"career": "DPT-YW-02"},
        {"career": {"promotes_to": 5}},
        {"dotted_reports_to": {"a": 1}},
        {"headcount": "many"},
        {"experience_years": 61},
        {"kpis": [{"responsibility": "甲", "weight": True}]},
        {"kpis": [{"responsibility": "甲", "weight": 100, "cycle": "每周"}]},
        {"duties": [{"text": "职责", "id": "x"}]},
    ],
    ids=repr,
)
def test_malformed_documents_are_refused_with_400_not_a_server_error(login, hr, body):
    client = login(hr)
    _document, etag = api_document(client, "DPT-YW-03")
    before = snapshot()
    response = send(client, "patch", "/api/positions/DPT-YW-03/", body, etag)
    assert response.status_code == 400, response.content[:500]
    assert isinstance(response.json(), dict) and response.json()
    assert snapshot() == before


def test_a_malformed_json_body_is_refused_with_400(login, hr):
    client = login(hr)
    _document, etag = api_document(client, "DPT-YW-03")
    before = snapshot()
    response = client.patch(
        "/api/positions/DPT-YW-03/", data='{"title": ', content_type="application/json", HTTP_IF_MATCH=etag
    )
    assert response.status_code == 400 and response.json()["detail"]
    assert snapshot() == before


def test_a_bad_career_path_on_a_required_career_section_is_a_400_not_a_server_error(login, hr):
    JDTemplate.objects.update_or_create(pk=JDTemplate.SINGLETON, defaults={"sections": {"career": "required"}})
    client = login(hr)
    _document, etag = api_document(client, "DPT-YW-04")
    before = snapshot()
    body = {"purpose": "新的岗位目的", "career": {"promotes_to": 5}}  # a content change re-judges publishing
    response = send(client, "patch", "/api/positions/DPT-YW-04/", body, etag)
    assert response.status_code == 400
    assert response.json()["career"]
    assert snapshot() == before


# ---------------------------------------------------------------------------------------------
# 3. HTML and <script> in every text field: kept as entered, escaped wherever it is shown.


def payload(where):
    return f'<script>alert("{where}")</script><img src=x onerror=alert("{where}")>"\'&amp;{where}'


HEADER_TEXT = {"title": "h-title", "purpose": "h-purpose", "work_environment": "h-work_environment", "major": "h-major"}
ROW_TEXT = {
    "internal_relations": "internal-relations-0-text",
    "external_relations": "external-relations-0-text",
    "authorities": "authorities-0-text",
    "duties": "duties-0-text",
    "qualifications": "qualifications-0-text",
    "training": "training-0-text",
    "kpi_responsibility": "kpis-0-responsibility",
    "kpi_standard": "kpis-0-standard",
}
TEXT_FIELDS = [*HEADER_TEXT, *ROW_TEXT]


def write_markup_with_the_editor(client):
    data = editor_data(client, "DPT-YW-03")
    for where, control in {**HEADER_TEXT, **ROW_TEXT}.items():
        data[control] = payload(where)
    response = client.post(edit_url("DPT-YW-03"), data)
    assert response.status_code == 302, page_messages(parse_html(response))
    person = client.post("/people/new/", {"employee_number": "E-HTML", "name": payload("person"), "login": ""})
    assert person.status_code == 302
    held = client.post("/positions/DPT-YW-03/holders/", {"person": "E-HTML", "kind": "primary"})
    assert held.status_code == 302
    assert Assignment.objects.current().filter(person__employee_number="E-HTML").exists()


def write_markup_with_the_api(client):
    document, etag = api_document(client, "DPT-YW-03")
    body = {name: payload(name) for name in HEADER_TEXT}
    for key in ("internal_relations", "external_relations", "authorities"):
        body[key] = [payload(key)]
    body["duties"] = [{"text": payload("duties"), "share": None}, *document["duties"][1:]]
    body["qualifications"] = [payload("qualifications"), *document["qualifications"][1:]]
    body["training"] = [payload("training")]
    first = {
        **document["kpis"][0],
        "responsibility": payload("kpi_responsibility"),
        "standard": payload("kpi_standard"),
    }
    body["kpis"] = [first, *document["kpis"][1:]]
    response = send(client, "patch", "/api/positions/DPT-YW-03/", body, etag)
    assert response.status_code == 200, response.json()
    person = send(client, "post", "/api/people/", {"employee_number": "E-HTML", "name": payload("person")})
    assert person.status_code == 201, person.json()
    _document, etag = api_document(client, "DPT-YW-03")
    held = send(client, "post", "/api/positions/DPT-YW-03/holders/", {"employee_number": "E-HTML"}, etag)
    assert held.status_code == 201, held.json()


def assert_escaped(response, shown):
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert(" not in html and "<img src=x" not in html, "markup from the content is live"
    missing = [where for where in shown if escape(payload(where)) not in html]
    assert missing == [], f"not shown (escaped) on {response.request['PATH_INFO']}: {missing}"


@pytest.mark.parametrize("writer", ["editor", "api"])
def test_markup_in_every_text_field_is_escaped_wherever_it_is_shown(login, hr, admin_user, viewer_user, writer):
    (write_markup_with_the_editor if writer == "editor" else write_markup_with_the_api)(login(hr))
    viewer, editor, admin = login(viewer_user), login(hr), login(admin_user)
    position = Position.objects.get(code="DPT-YW-03")
    person = Person.objects.get(employee_number="E-HTML")

    assert_escaped(viewer.get("/positions/DPT-YW-03/"), [*TEXT_FIELDS, "person"])  # the card
    assert_escaped(viewer.get("/org/"), ["title", "person"])  # the chart
    assert_escaped(viewer.get("/org/DPT-YW-03/"), ["title", "person"])
    assert_escaped(viewer.get("/org/DPT-YW-02/"), ["title", "person"])  # as a report of its superior
    assert_escaped(viewer.get("/positions/"), ["title"])  # the list
    assert_escaped(viewer.get("/positions/", {"q": payload("search")}), ["search"])  # the search box echoes it
    assert_escaped(viewer.get("/positions/DPT-YW-02/"), ["title"])  # among the superior's reports
    assert_escaped(editor.get("/positions/DPT-YW-03/edit/"), TEXT_FIELDS)
    assert_escaped(editor.get("/positions/DPT-YW-03/move/"), ["title"])
    assert_escaped(editor.get("/people/"), ["person"])
    assert_escaped(editor.get(f"/people/{person.pk}/"), ["person", "title"])
    assert_escaped(admin.get(f"/admin/positions/position/{position.pk}/change/"), [*TEXT_FIELDS, "person"])
    assert_escaped(admin.get("/admin/positions/position/"), ["title"])
    assert_escaped(admin.get(f"/admin/positions/person/{person.pk}/change/"), ["person"])

    response = viewer.get("/api/positions/DPT-YW-03/")
    document = response.json()
    assert {name: document[name] for name in HEADER_TEXT} == {name: payload(name) for name in HEADER_TEXT}
    for key in ("internal_relations", "external_relations", "authorities", "qualifications", "training"):
        assert document[key][0] == payload(key)
    assert document["duties"][0]["text"] == payload("duties")
    assert document["kpis"][0]["responsibility"] == payload("kpi_responsibility")
    assert document["kpis"][0]["standard"] == payload("kpi_standard")
    assert [holder["name"] for holder in document["holders"]] == [payload("person")]
    assert "&lt;" not in response.content.decode() and "&amp;amp;" not in response.content.decode()
    listed = viewer.get("/api/positions/", {"q": "DPT-YW-03"}).json()["results"]
    assert [row["title"] for row in listed] == [payload("title")]


# ---------------------------------------------------------------------------------------------
# 4. A reporting cycle, by every route.

LOOP = {ZH: "循环", EN: "loop"}
ITSELF = {ZH: "自身", EN: "itself"}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    ("superior", "hint"),
    [("DPT-YW-03", LOOP), ("DPT-YW-02", LOOP), ("DPT-YW-01", ITSELF)],
    ids=["grandchild", "child", "itself"],
)
def test_the_editors_direct_superior_field_refuses_a_cycle(login, hr, language, superior, hint):
    client = login(hr, language)
    data = editor_data(client, "DPT-YW-01")
    data["h-reports_to"] = superior
    before = snapshot()
    response = client.post(edit_url("DPT-YW-01"), data)
    assert response.status_code == 200
    page = parse_html(response)
    messages = field_messages(page, "reports_to")
    assert_in_language(messages, language)
    assert re.search(hint[language], " ".join(messages))
    if hint is LOOP:
        assert {"DPT-YW-01", "DPT-YW-02", superior} <= set(re.findall(r"DPT-YW-\d+", messages[0]))
    assert shown_value(page, "h-reports_to") == superior
    assert snapshot() == before


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("superior", "hint"), [("DPT-YW-03", LOOP), ("DPT-YW-01", ITSELF)], ids=["loop", "itself"])
def test_the_move_page_refuses_a_cycle_at_the_superior_field(login, hr, language, superior, hint):
    client = login(hr, language)
    assert client.get("/positions/DPT-YW-01/move/").status_code == 200
    before = snapshot()
    response = client.post("/positions/DPT-YW-01/move/", {"superior": superior})
    assert response.status_code == 200
    messages = field_messages(parse_html(response), "superior")
    assert_in_language(messages, language)
    assert re.search(hint[language], " ".join(messages))
    assert snapshot() == before


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("superior", "hint"), [("DPT-YW-03", LOOP), ("DPT-YW-01", ITSELF)], ids=["loop", "itself"])
def test_drag_and_drop_on_the_chart_refuses_a_cycle_in_json(login, hr, language, superior, hint):
    client = login(hr, language)
    before = snapshot()
    response = client.post("/positions/DPT-YW-01/move/", {"superior": superior}, HTTP_X_REQUESTED_WITH="fetch")
    assert response.status_code == 400 and response["Content-Type"].startswith("application/json")
    messages = response.json()["errors"]
    assert_in_language(messages, language)
    assert re.search(hint[language], " ".join(messages))
    assert snapshot() == before


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("superior", "hint"), [("DPT-YW-05", LOOP), ("DPT-YW-01", ITSELF)], ids=["loop", "itself"])
def test_an_api_patch_of_reports_to_refuses_a_cycle(login, hr, language, superior, hint):
    client = login(hr, language)
    _document, etag = api_document(client, "DPT-YW-01")
    before = snapshot()
    response = send(client, "patch", "/api/positions/DPT-YW-01/", {"reports_to": superior}, etag)
    assert response.status_code == 400
    messages = at(response.json(), ("reports_to",))
    assert_in_language(messages, language)
    assert re.search(hint[language], " ".join(messages))
    assert snapshot() == before


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("superior", "hint"), [("DPT-YW-N05", LOOP), ("DPT-YW-01", ITSELF)], ids=["loop", "itself"])
def test_the_api_move_refuses_a_cycle(login, hr, language, superior, hint):
    client = login(hr, language)
    _document, etag = api_document(client, "DPT-YW-01")
    before = snapshot()
    response = send(client, "post", "/api/positions/DPT-YW-01/move/", {"reports_to": superior}, etag)
    assert response.status_code == 400
    messages = at(response.json(), ("reports_to",))
    assert_in_language(messages, language)
    assert re.search(hint[language], " ".join(messages))
    assert snapshot() == before


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_rename_does_not_open_a_way_around_the_cycle_check(login, hr, language):
    client = login(hr, language)
    _document, etag = api_document(client, "DPT-YW-01")
    before = snapshot()
    body = {"code": "DPT-YW-01X", "reports_to": "DPT-YW-03"}
    response = send(client, "patch", "/api/positions/DPT-YW-01/", body, etag)
    assert response.status_code == 400
    assert_in_language(at(response.json(), ("reports_to",)), language)
    assert snapshot() == before


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_move_pages_search_results_show_a_cycle_refusal_above_the_choices(login, hr, language):
    """A choice made on a page that is out of date (the post was moved since) posts back to the search."""
    client = login(hr, language)
    before = snapshot()
    response = client.post("/positions/DPT-YW-01/move/?q=DPT", {"superior": "DPT-YW-03"})
    assert response.status_code == 200
    choices = parse_html(response).find("form", cls="move-form").find("fieldset")
    messages = [item.text() for item in choices.find("ul", cls="errorlist").find_all("li")]
    assert_in_language(messages, language)
    assert re.search(LOOP[language], " ".join(messages))
    assert snapshot() == before


def loop_in(message):
    return re.search(r"DPT-YW-\d+(?: → DPT-YW-\d+)+", message).group(0)


def test_every_route_names_the_same_loop_the_same_way(login, hr):
    client = login(hr, EN)
    data = editor_data(client, "DPT-YW-01")
    data["h-reports_to"] = "DPT-YW-03"
    by_editor = field_messages(parse_html(client.post(edit_url("DPT-YW-01"), data)), "reports_to")[0]
    by_move_page = field_messages(
        parse_html(client.post("/positions/DPT-YW-01/move/", {"superior": "DPT-YW-03"})), "superior"
    )[0]
    _document, etag = api_document(client, "DPT-YW-01")
    by_patch = send(client, "patch", "/api/positions/DPT-YW-01/", {"reports_to": "DPT-YW-03"}, etag).json()
    by_move = send(client, "post", "/api/positions/DPT-YW-01/move/", {"reports_to": "DPT-YW-03"}, etag).json()
    loops = {
        loop_in(by_editor),
        loop_in(by_move_page),
        loop_in(by_patch["reports_to"][0]),
        loop_in(by_move["reports_to"][0]),
    }
    assert len(loops) == 1, loops


# ---------------------------------------------------------------------------------------------
# 5. A stale version.


def someone_else_renames(login, admin_user, code="DPT-YW-03", title="他人改过的名称"):
    other = login(admin_user)
    data = editor_data(other, code)
    data["h-title"] = title
    assert other.post(edit_url(code), data).status_code == 302


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_stale_editor_shows_the_conflict_keeps_the_typed_input_and_saves_nothing(login, hr, admin_user, language):
    client = login(hr, language)
    data = editor_data(client, "DPT-YW-03")
    someone_else_renames(login, admin_user)
    before = snapshot()
    data["h-purpose"] = "我输入的岗位目的"
    data["kpis-0-standard"] = "我改的绩效标准"

    response = client.post(edit_url("DPT-YW-03"), data)

    assert response.status_code == 200
    page = parse_html(response)
    panel = page.find("section", cls="conflict")
    assert panel is not None, "no conflict panel"
    assert "他人改过的名称" in panel.text(), "their change is shown"
    assert shown_value(page, "h-purpose") == "我输入的岗位目的"
    assert shown_value(page, "kpis-0-standard") == "我改的绩效标准"
    assert shown_value(page, "h-version") == str(Position.objects.get(code="DPT-YW-03").version)
    assert snapshot() == before
    # Saving again applies the typed input on top of theirs, knowingly.
    again = client.post(edit_url("DPT-YW-03"), form_data(page.find("form", cls="editor")))
    assert again.status_code == 302
    saved = document_of("DPT-YW-03")
    assert saved["purpose"] == "我输入的岗位目的" and saved["kpis"][0]["standard"] == "我改的绩效标准"


def test_saving_again_after_a_conflict_keeps_the_other_persons_change_to_untouched_fields(login, hr, admin_user):
    client = login(hr)
    data = editor_data(client, "DPT-YW-03")
    someone_else_renames(login, admin_user)
    data["h-purpose"] = "我输入的岗位目的"
    page = parse_html(client.post(edit_url("DPT-YW-03"), data))
    assert page.find("section", cls="conflict") is not None
    assert client.post(edit_url("DPT-YW-03"), form_data(page.find("form", cls="editor"))).status_code == 302
    saved = document_of("DPT-YW-03")
    assert saved["purpose"] == "我输入的岗位目的"
    assert saved["title"] == "他人改过的名称", "their rename was reverted"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_conflict_panel_reads_in_the_users_language(login, hr, admin_user, language):
    client = login(hr, language)
    data = editor_data(client, "DPT-YW-03")
    someone_else_renames(login, admin_user, title="Renamed")
    data["h-purpose"] = "typed"
    page = parse_html(client.post(edit_url("DPT-YW-03"), data))
    panel = page.find("section", cls="conflict")
    assert_in_language([panel.find("h2").text()], language)
    assert_in_language([panel.find("p").text()], language)
    assert_in_language(page_messages(page), language)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("patch", "/api/positions/DPT-YW-03/", {"purpose": "我的修改"}),
        ("put", "/api/positions/DPT-YW-03/", {"title": "我的修改"}),
        ("post", "/api/positions/DPT-YW-03/move/", {"reports_to": "DPT-YW-04"}),
    ],
    ids=["patch", "put", "move"],
)
def test_a_stale_api_write_is_refused_with_412_and_saves_nothing(login, hr, admin_user, language, method, url, body):
    client = login(hr, language)
    _document, etag = api_document(client, "DPT-YW-03")
    someone_else_renames(login, admin_user)
    before = snapshot()
    response = send(client, method, url, body, etag)
    assert response.status_code == 412
    assert_in_language([response.json()["detail"]], language, echoed=('"2"',))
    assert snapshot() == before


# ---------------------------------------------------------------------------------------------
# 6. A forged POST to another role's action: 403 in the user's language, nothing changed. Who is
# refused which request is the permission matrix's (tests/integration/test_permissions.py); the cases
# here are those it has no row for: a manager acting on their own post, team, record and assignment.


@pytest.fixture
def roles(seed, hr_user, viewer_user, manager_user, outsider, admin_user):
    return {"hr": hr_user, "viewer": viewer_user, "manager": manager_user, "outsider": outsider, "admin": admin_user}


def renamed_form(hr_client, code):
    data = editor_data(hr_client, code)
    data["h-title"] = "伪造的名称"
    return data


def end_form(_hr_client):
    return {"ended_on": "", "next": "/people/"}


def assignment_pk():
    return Assignment.objects.current().get(person__employee_number="E0004").pk


def person_pk():
    return Person.objects.get(employee_number="E0004").pk


FORGED_FORMS = [
    ("manager", lambda: "/positions/DPT-YW-04/edit/", lambda c: renamed_form(c, "DPT-YW-04"), {}),
    (
        "manager",
        lambda: "/positions/DPT-YW-05/move/",
        lambda c: {"superior": "DPT-YW-01"},
        {"HTTP_X_REQUESTED_WITH": "fetch"},
    ),
    (
        "manager",
        lambda: f"/people/{person_pk()}/",
        lambda c: {"action": "save", "employee_number": "E0004", "name": "改名", "login": ""},
        {},
    ),
    ("manager", lambda: f"/assignments/{assignment_pk()}/end/", end_form, {}),
]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    ("role", "url", "form", "headers"),
    FORGED_FORMS,
    ids=[f"{role}-{i}" for i, (role, *_rest) in enumerate(FORGED_FORMS)],
)
def test_a_forged_post_to_another_roles_page_is_forbidden_and_changes_nothing(
    login, roles, language, role, url, form, headers
):
    data = form(login(roles["hr"]))
    client = login(roles[role], language)
    before = snapshot()
    response = client.post(url(), data, **headers)
    assert response.status_code == 403
    heading = parse_html(response).find("h1")
    assert_in_language([heading.text()], language)
    assert snapshot() == before


FORGED_API = [
    ("manager", "put", "/api/positions/DPT-YW-04/", {"title": "伪造的名称"}),
    ("manager", "patch", "/api/people/E0004/", {"name": "改名"}),
    ("manager", "post", "/api/assignments/{assignment}/end/", {}),
]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    ("role", "method", "url", "body"), FORGED_API, ids=[f"{r}-{m}-{u}" for r, m, u, _b in FORGED_API]
)
def test_a_forged_api_write_from_another_role_is_forbidden_and_changes_nothing(
    login, roles, language, role, method, url, body
):
    client = login(roles[role], language)
    url = url.format(assignment=assignment_pk())
    before = snapshot()
    response = send(client, method, url, body, if_match="*")
    assert response.status_code == 403
    assert_in_language([response.json()["detail"]], language)
    assert snapshot() == before


# ---------------------------------------------------------------------------------------------
# 7. A missing CSRF token.


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_editor_form_without_its_csrf_token_is_refused_and_saves_nothing(login, hr, language):
    client = login(hr, language, enforce_csrf_checks=True)
    data = editor_data(client, "DPT-YW-03")
    data["h-title"] = "没有令牌"
    token = data.pop("csrfmiddlewaretoken")
    before = snapshot()
    response = client.post(edit_url("DPT-YW-03"), data)
    assert response.status_code == 403
    assert_in_language([parse_html(response).find("h1").text()], language)
    assert snapshot() == before
    # The same form with its token goes through: the refusal was the token's.
    assert client.post(edit_url("DPT-YW-03"), {**data, "csrfmiddlewaretoken": token}).status_code == 302
    assert Position.objects.get(code="DPT-YW-03").title == "没有令牌"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/positions/DPT-YW-03/move/", {"superior": "DPT-YW-04"}),
        ("/people/new/", {"employee_number": "E-C", "name": "无令牌", "login": ""}),
        ("/positions/DPT-YW-03/holders/", {"person": "E0004", "kind": "concurrent"}),
    ],
    ids=["move", "new-person", "assign"],
)
def test_other_forms_without_a_csrf_token_are_refused(login, roles, language, url, data):
    client = login(roles["hr"], language, enforce_csrf_checks=True)
    before = snapshot()
    response = client.post(url, data)
    assert response.status_code == 403
    assert_in_language([parse_html(response).find("h1").text()], language)
    assert snapshot() == before


@pytest.mark.parametrize("language", LANGUAGES)
def test_drag_and_drop_without_a_csrf_token_is_refused(login, hr, language):
    client = login(hr, language, enforce_csrf_checks=True)
    client.get("/org/")
    before = snapshot()
    response = client.post("/positions/DPT-YW-03/move/", {"superior": "DPT-YW-04"}, HTTP_X_REQUESTED_WITH="fetch")
    assert response.status_code == 403
    assert snapshot() == before
    token = client.cookies["csrftoken"].value
    moved = client.post(
        "/positions/DPT-YW-03/move/", {"superior": "DPT-YW-04"}, HTTP_X_REQUESTED_WITH="fetch", HTTP_X_CSRFTOKEN=token
    )
    assert moved.status_code == 200 and moved.json() == {"moved": "DPT-YW-03", "superior": "DPT-YW-04", "with": 0}


@pytest.mark.parametrize("language", [ZH, EN])
@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("patch", "/api/positions/DPT-YW-03/", {"title": "没有令牌"}),
        ("post", "/api/positions/", {"code": "CSRF-1", "title": "没有令牌"}),
        ("post", "/api/positions/DPT-YW-03/move/", {"reports_to": "DPT-YW-04"}),
        ("post", "/api/people/", {"employee_number": "E-C", "name": "无令牌"}),
    ],
    ids=["patch", "create", "move", "person"],
)
def test_a_session_api_write_without_a_csrf_token_is_refused(login, hr, language, method, url, body):
    client = login(hr, language, enforce_csrf_checks=True)
    client.get("/positions/DPT-YW-03/edit/")  # a page of the portal: the session now has its CSRF cookie
    _document, etag = api_document(client, "DPT-YW-03")
    before = snapshot()
    response = send(client, method, url, body, etag)
    assert response.status_code == 403
    assert snapshot() == before
    assert_in_language([response.json()["detail"]], language)


def test_a_session_api_write_with_its_csrf_token_goes_through(login, hr):
    client = login(hr, enforce_csrf_checks=True)
    client.get("/positions/DPT-YW-03/edit/")
    _document, etag = api_document(client, "DPT-YW-03")
    token = client.cookies["csrftoken"].value
    response = send(client, "patch", "/api/positions/DPT-YW-03/", {"title": "有令牌"}, etag, HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200 and response.json()["title"] == "有令牌"


def test_a_token_login_needs_no_csrf_token(seed, hr_user):
    from rest_framework.authtoken.models import Token

    client = Client(enforce_csrf_checks=True)
    token = Token.objects.create(user=hr_user)
    auth = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    etag = client.get("/api/positions/DPT-YW-03/", **auth)["ETag"]
    response = send(client, "patch", "/api/positions/DPT-YW-03/", {"title": "令牌登录"}, etag, **auth)
    assert response.status_code == 200
