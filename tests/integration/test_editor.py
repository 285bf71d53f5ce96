"""The job-description editor through the browser's eyes (Django's test client): the form is read from
the page, changed the way a person would change it, and sent back; what the next page shows and what
the database holds are then checked.

An HR editor completes the seed's deputy (DPT-YW-05, whose KPI table the scrape cut off), rows keep
their identity through edits, reorders, removals and additions, the JD template decides the editor's
sections, new and duplicated posts start as drafts, a lost race shows the other person's changes,
and deleting and moving a post keep the reporting tree whole. Bad input and permissions are tested
elsewhere.
"""

import re
from html import unescape
from html.parser import HTMLParser

import pytest
from django.test import Client

from assessments.models import KPI
from portal.roles import HR_EDITOR
from positions.models import Assignment, DescriptionItem, JDTemplate, Position
from positions.sections import SECTION_KEYS
from tests.conftest import approver, make_user
from tests.factories import AssignmentFactory, ItemFactory, PersonFactory
from tests.helpers import document_of

DEPUTY = "DPT-YW-05"  # 技术支持部副经理: one KPI, cut off after its key responsibility
EDIT = f"/positions/{DEPUTY}/edit/"
# 客户服务代表: published and complete (five duties, KPIs 40/30/20/10), so its lines can change while
# it stays published; the deputy's cannot until its KPIs are complete.
REP = "DPT-YW-03"
EDIT_REP = f"/positions/{REP}/edit/"


@pytest.fixture(autouse=True)
def english(client):
    """Messages are read in English: the Chinese catalogue is still being filled in."""
    client.cookies["django_language"] = "en"


# ---------------------------------------------------------------------------------------------------
# Reading a form the way a browser sends it


class FormFields(HTMLParser):
    """The name/value pairs a browser submits from the page's first <form class="…editor…">.

    Rows in <template> (the JavaScript's blueprint) are not sent; unticked checkboxes are not
    sent; a <select> sends its selected option, else its first; a <textarea> drops the newline
    Django writes after its opening tag, as browsers do.
    """

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.fields = {}
        self.state = "before"  # before, inside, after the form
        self.templates = 0
        self.textarea = None
        self.select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and self.state == "before" and "editor" in (attrs.get("class") or "").split():
            self.state = "inside"
        if self.state != "inside":
            return
        if tag == "template":
            self.templates += 1
        if self.templates:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.fields[name] = attrs.get("value") or "on"
            elif kind not in ("submit", "button", "reset"):
                self.fields[name] = attrs.get("value") or ""
        elif tag == "textarea" and name:
            self.textarea = [name, ""]
        elif tag == "select" and name:
            self.select = {"name": name, "first": None, "selected": None}
        elif tag == "option" and self.select is not None:
            value = attrs.get("value", "")
            if self.select["first"] is None:
                self.select["first"] = value
            if "selected" in attrs:
                self.select["selected"] = value

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if self.state != "inside":
            return
        if tag == "template":
            self.templates -= 1
        elif tag == "textarea" and self.textarea is not None:
            name, text = self.textarea
            self.fields[name] = text[1:] if text.startswith("\n") else text
            self.textarea = None
        elif tag == "select" and self.select is not None:
            chosen = self.select["selected"] if self.select["selected"] is not None else self.select["first"]
            self.fields[self.select["name"]] = chosen or ""
            self.select = None
        elif tag == "form":
            self.state = "after"


def form_of(response):
    """What the page's editor form would send, as a dict to change and post back."""
    assert response.status_code == 200, response.status_code
    parser = FormFields()
    parser.feed(response.content.decode())
    assert parser.fields, "the page has no editor form"
    return parser.fields


def open_editor(client, url=EDIT):
    return form_of(client.get(url))


def row_count(data, prefix):
    return int(data[f"{prefix}-TOTAL_FORMS"])


def row(data, prefix, index):
    """One row of a section as {field: value}."""
    start = f"{prefix}-{index}-"
    return {name[len(start) :]: value for name, value in data.items() if name.startswith(start)}


def fill(data, prefix, index, **values):
    """Type into one row; DELETE=True ticks Remove, DELETE=False unticks it."""
    for name, value in values.items():
        key = f"{prefix}-{index}-{name}"
        if name == "DELETE":
            if value:
                data[key] = "on"
            else:
                data.pop(key, None)
        else:
            data[key] = str(value)


def add_row(data, prefix, **values):
    """What the editor's "Add a row" button does: one more blank row, then typing into it."""
    index = row_count(data, prefix)
    data[f"{prefix}-TOTAL_FORMS"] = str(index + 1)
    fill(data, prefix, index, id="", ORDER="", **values)
    return index


def rows_in_order(data, prefix):
    """The indexes of the rows that hold something, in form order."""
    return [
        i for i in range(row_count(data, prefix)) if any(v for k, v in row(data, prefix, i).items() if k != "ORDER")
    ]


def section_html(html, key):
    """The editor's fieldset of one list section (id="section-<key>")."""
    start = html.index(f'id="section-{key}"')
    return html[start : html.index("</fieldset>", start)]


def field_html(html, name):
    """The editor's block of one header field (class="field field-<name>")."""
    start = html.index(f'class="field field-{name}')
    return html[start : html.index("</div>", start)]


def errors_in(fragment):
    return [unescape(re.sub(r"\s+", " ", text).strip()) for text in re.findall(r"<li>(.*?)</li>", fragment, re.S)]


def messages_of(response):
    html = response.content.decode()
    if 'class="messages"' not in html:
        return []
    block = html.split('class="messages"', 1)[1].split("</ul>", 1)[0]
    return [unescape(re.sub(r"<[^>]+>", "", text).strip()) for text in re.findall(r"<li[^>]*>(.*?)</li>", block, re.S)]


def summary_of(response):
    """The error summary at the top of the editor: its heading, then each line as (text, link)."""
    html = response.content.decode()
    if 'class="error-summary"' not in html:
        return []
    block = html.split('class="error-summary"', 1)[1].split("</ul>", 1)[0]
    heading = unescape(re.sub(r"<[^>]+>", "", block.split("<h2", 1)[1].split("</h2>", 1)[0].split(">", 1)[1]))
    lines = [
        (unescape(re.sub(r"<[^>]+>", "", item).strip()), (re.findall(r'href="#([^"]+)"', item) or [None])[0])
        for item in re.findall(r"<li>(.*?)</li>", block, re.S)
    ]
    return [heading.strip(), *lines]


def save(client, url, data):
    """Press Save and expect the card (a redirect): the save went through."""
    response = client.post(url, data)
    assert response.status_code == 302, errors_in(response.content.decode())
    return response


def version_of(code):
    return Position.objects.values_list("version", flat=True).get(code=code)


def duty_rows(code):
    """[(id, text)] of a post's duties in their stored order."""
    return list(
        DescriptionItem.objects.filter(position__code=code, kind=DescriptionItem.Kind.DUTY)
        .order_by("order")
        .values_list("pk", "text")
    )


def second_editor():
    """Another HR editor with a browser of their own."""
    other = Client()
    other.cookies["django_language"] = "en"
    other.force_login(approver(make_user("henry-hr", HR_EDITOR, is_staff=True)))
    return other


# ---------------------------------------------------------------------------------------------------
# Completing the seed's deputy: draft, refused publishing, published


def test_the_editor_opens_on_the_deputy_with_its_cut_off_kpi_and_a_blank_row_to_add_one(hr_client, seed):
    data = open_editor(hr_client)

    assert data["h-code"] == DEPUTY and data["h-title"] == "技术支持部副经理"
    assert data["h-status"] == "published" and data["h-reports_to"] == "DPT-YW-04"
    kpi = row(data, "kpis", 0)
    assert kpi["responsibility"].startswith("根据运维部总体工作计划")
    assert kpi["weight"] == "" and kpi["standard"] == ""
    assert row_count(data, "kpis") == 2 and row(data, "kpis", 1)["responsibility"] == ""
    assert [row(data, "duties", i)["text"] for i in rows_in_order(data, "duties")] == [
        text for _pk, text in duty_rows(DEPUTY)
    ]


def test_filling_in_the_missing_kpi_weight_and_standard_saves_a_draft(hr_client, seed):
    data = open_editor(hr_client)
    fill(data, "kpis", 0, weight="60", standard="工作计划按时完成率 100%", cycle="monthly")
    fill(data, "kpis", 1, responsibility="负责检查督促网管、检验人员的工作", weight="30", standard="检查记录完整")
    data["h-status"] = "draft"

    response = hr_client.post(EDIT, data, follow=True)

    assert response.redirect_chain == [(f"/positions/{DEPUTY}/", 302)]
    assert f"{DEPUTY} is saved." in messages_of(response)
    position = Position.objects.get(code=DEPUTY)
    assert position.status == Position.Status.DRAFT
    kpis = list(KPI.objects.filter(position=position).order_by("order").values_list("weight", "standard", "cycle"))
    assert [(str(w), s, c) for w, s, c in kpis] == [
        ("60.00", "工作计划按时完成率 100%", "monthly"),
        ("30.00", "检查记录完整", ""),
    ]
    assert "KPI weights total 90%, not 100%." in document_of(DEPUTY)["problems"]


def test_publishing_at_90_percent_is_refused_with_the_reasons_at_the_kpi_section_and_the_status(hr_client, seed):
    data = open_editor(hr_client)
    fill(data, "kpis", 0, weight="60", standard="工作计划按时完成率 100%")
    fill(data, "kpis", 1, responsibility="负责检查督促网管、检验人员的工作", weight="30", standard="检查记录完整")
    data["h-status"] = "draft"
    save(hr_client, EDIT, data)
    saved = version_of(DEPUTY)

    data = open_editor(hr_client)
    data["h-status"] = "published"
    response = hr_client.post(EDIT, data)

    assert response.status_code == 200
    html = response.content.decode()
    assert summary_of(response)[0] == "Nothing was saved: correct what is marked below."
    assert errors_in(section_html(html, "kpis")) == ["KPI weights total 90%, not 100%."]
    (status_error,) = errors_in(field_html(html, "status"))
    assert status_error.startswith("A published job description must be complete. Save it as a draft, or fix:")
    assert "KPI weights total 90%, not 100%." in status_error
    assert Position.objects.get(code=DEPUTY).status == Position.Status.DRAFT
    assert version_of(DEPUTY) == saved
    kept = form_of(response)  # what was typed stays in the form
    assert kept["h-status"] == "published" and row(kept, "kpis", 1)["weight"] == "30"


def test_completing_the_weights_to_100_publishes_and_the_card_shows_it_complete(hr_client, seed):
    data = open_editor(hr_client)
    fill(data, "kpis", 0, weight="60", standard="工作计划按时完成率 100%")
    fill(data, "kpis", 1, responsibility="负责检查督促网管、检验人员的工作", weight="30", standard="检查记录完整")
    data["h-status"] = "draft"
    save(hr_client, EDIT, data)

    data = open_editor(hr_client)
    fill(data, "kpis", 1, weight="40")
    data["h-status"] = "published"
    response = hr_client.post(EDIT, data, follow=True)

    assert response.redirect_chain == [(f"/positions/{DEPUTY}/", 302)]
    assert Position.objects.get(code=DEPUTY).status == Position.Status.PUBLISHED
    card = response.content.decode()
    assert 'class="incomplete"' not in card and "badge draft" not in card
    assert "工作计划按时完成率 100%" in card and "检查记录完整" in card
    document = document_of(DEPUTY)
    assert document["complete"] and document["kpi_weight_total"] == 100


# ---------------------------------------------------------------------------------------------------
# Rows keep their identity


def test_editing_a_line_keeps_its_database_row(hr_client, seed):
    before = duty_rows(REP)
    data = open_editor(hr_client, EDIT_REP)
    fill(data, "duties", 1, text="进行投诉的派单、回访和处理的跟踪工作")

    save(hr_client, EDIT_REP, data)

    after = duty_rows(REP)
    assert [pk for pk, _text in after] == [pk for pk, _text in before]
    assert after[1] == (before[1][0], "进行投诉的派单、回访和处理的跟踪工作")
    assert after[0] == before[0] and after[2:] == before[2:]


def test_order_numbers_reorder_the_rows_and_each_keeps_its_row(hr_client, seed):
    before = duty_rows(REP)
    data = open_editor(hr_client, EDIT_REP)
    for index, order in enumerate([5, 4, 3, 2, 1]):
        fill(data, "duties", index, ORDER=order)

    save(hr_client, EDIT_REP, data)

    assert duty_rows(REP) == list(reversed(before))


def test_ticking_remove_deletes_that_row_only(hr_client, seed):
    before = duty_rows(REP)
    data = open_editor(hr_client, EDIT_REP)
    fill(data, "duties", 2, DELETE=True)

    save(hr_client, EDIT_REP, data)

    assert duty_rows(REP) == before[:2] + before[3:]
    assert not DescriptionItem.objects.filter(pk=before[2][0]).exists()


def test_the_blank_extra_row_adds_a_line_at_the_end(hr_client, seed):
    before = duty_rows(REP)
    data = open_editor(hr_client, EDIT_REP)
    blank = row_count(data, "duties") - 1
    assert row(data, "duties", blank) == {"id": "", "text": "", "share": "", "ORDER": ""}
    fill(data, "duties", blank, text="负责客户满意度回访")

    save(hr_client, EDIT_REP, data)

    after = duty_rows(REP)
    assert after[:-1] == before
    assert after[-1][1] == "负责客户满意度回访"
    assert form_of(hr_client.get(EDIT_REP))["duties-TOTAL_FORMS"] == str(len(after) + 1)  # a new blank row


def test_edits_reorders_removals_and_additions_in_one_save_each_land_on_the_right_row(hr_client, seed):
    before = duty_rows(REP)
    data = open_editor(hr_client, EDIT_REP)
    fill(data, "duties", 0, ORDER=3, text="接听、记录和分派热线电话")
    fill(data, "duties", 1, DELETE=True)
    fill(data, "duties", 2, ORDER=1)
    fill(data, "duties", 3, ORDER=2)
    fill(data, "duties", 4, ORDER=4)
    fill(data, "duties", 5, ORDER=0, text="负责客户满意度回访")

    save(hr_client, EDIT_REP, data)

    after = duty_rows(REP)
    assert [text for _pk, text in after] == [
        "负责客户满意度回访",
        before[2][1],
        before[3][1],
        "接听、记录和分派热线电话",
        before[4][1],
    ]
    assert [pk for pk, _text in after[1:]] == [before[2][0], before[3][0], before[0][0], before[4][0]]
    assert after[0][0] not in {pk for pk, _text in before}


def test_a_kpi_row_keeps_its_row_when_its_weight_changes_and_it_moves(hr_client, seed):
    before = list(KPI.objects.filter(position__code=REP).order_by("order").values_list("pk", "weight"))
    data = open_editor(hr_client, EDIT_REP)
    fill(data, "kpis", 0, weight="30", ORDER=2)
    fill(data, "kpis", 1, weight="40", ORDER=1)

    save(hr_client, EDIT_REP, data)

    after = list(KPI.objects.filter(position__code=REP).order_by("order").values_list("pk", "weight"))
    assert [pk for pk, _weight in after] == [before[1][0], before[0][0], before[2][0], before[3][0]]
    assert [str(weight) for _pk, weight in after] == ["40.00", "30.00", "20.00", "10.00"]


# ---------------------------------------------------------------------------------------------------
# The JD template decides the editor's sections

SECTION_MARKS = {
    "purpose": ["h-purpose"],
    "relations": ["internal-relations-TOTAL_FORMS", "external-relations-TOTAL_FORMS"],
    "duties": ["duties-TOTAL_FORMS"],
    "authorities": ["authorities-TOTAL_FORMS"],
    "qualifications": ["qualifications-TOTAL_FORMS"],
    "education": ["h-education", "h-major", "h-experience_years"],
    "training": ["training-TOTAL_FORMS"],
    "work_environment": ["h-work_environment"],
    "career": ["h-promotes_to", "h-rotates_with"],
    "kpis": ["kpis-TOTAL_FORMS"],
}


def set_template(admin_user, **states):
    """An Administrator saves the JD template page: every section as it is, except those given."""
    admin = Client()
    admin.force_login(admin_user)
    current = JDTemplate.current().states()
    response = admin.post("/settings/jd-template/", {**current, **states})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert JDTemplate.current().states() == {**current, **states}


def test_every_section_the_template_uses_is_in_the_editor_and_required_ones_say_so(hr_client, seed):
    assert set(SECTION_MARKS) == set(SECTION_KEYS)
    response = hr_client.get(EDIT)
    data = form_of(response)
    for section, names in SECTION_MARKS.items():
        for name in names:
            assert name in data, (section, name)
    html = response.content.decode()
    for key in ("duties", "qualifications", "training", "kpis"):  # the seed's form requires these
        assert "required" in section_html(html, key).split("</legend>")[0]
    assert "required" not in section_html(html, "authorities").split("</legend>")[0]


@pytest.mark.parametrize("section", sorted(SECTION_MARKS))
def test_a_section_the_template_turns_off_leaves_the_editor(hr_client, admin_user, seed, section):
    set_template(admin_user, **{section: "off"})

    data = open_editor(hr_client)

    for name in SECTION_MARKS[section]:
        assert name not in data
    for other, names in SECTION_MARKS.items():
        if other != section:
            assert all(name in data for name in names), other


def test_a_save_leaves_the_stored_text_of_a_list_section_turned_off_alone(hr_client, admin_user, seed):
    position = Position.objects.get(code=DEPUTY)
    authority = ItemFactory(position=position, kind=DescriptionItem.Kind.AUTHORITY, order=1, text="部门内部人员调配权")
    set_template(admin_user, authorities="off")

    data = open_editor(hr_client)
    data["h-title"] = "技术支持部副经理（二线）"
    response = hr_client.post(EDIT, data)

    assert response.status_code == 302
    assert Position.objects.get(code=DEPUTY).title == "技术支持部副经理（二线）"
    assert list(DescriptionItem.objects.filter(position=position, kind=DescriptionItem.Kind.AUTHORITY)) == [authority]
    assert DescriptionItem.objects.get(pk=authority.pk).text == "部门内部人员调配权"


def test_a_save_leaves_the_stored_header_fields_of_sections_turned_off_alone(hr_client, admin_user, seed):
    Position.objects.filter(code=DEPUTY).update(
        purpose="保障技术支持部日常运转", education="associate", major="计算机", experience_years=5,
        work_environment="办公室，经常出差",
    )  # fmt: skip
    set_template(admin_user, purpose="off", education="off", work_environment="off")

    data = open_editor(hr_client)
    data["h-title"] = "技术支持部副经理（二线）"
    save(hr_client, EDIT, data)

    position = Position.objects.get(code=DEPUTY)
    assert position.title == "技术支持部副经理（二线）"
    assert (position.purpose, position.education, position.major, position.experience_years) == (
        "保障技术支持部日常运转",
        "associate",
        "计算机",
        5,
    )
    assert position.work_environment == "办公室，经常出差"


def test_a_save_leaves_the_career_paths_of_a_section_turned_off_alone(hr_client, admin_user, seed):
    data = open_editor(hr_client, EDIT_REP)
    data["h-promotes_to"] = "DPT-YW-02"
    save(hr_client, EDIT_REP, data)
    assert document_of(REP)["career"]["promotes_to"] == ["DPT-YW-02"]
    set_template(admin_user, career="off")

    data = open_editor(hr_client, EDIT_REP)
    data["h-title"] = "客户服务专员"
    save(hr_client, EDIT_REP, data)

    assert document_of(REP)["career"]["promotes_to"] == ["DPT-YW-02"]


# Sections the editor once drew inside or after a list section: turning that list off must not
# hide them, since their own sections are still used.
SHOWN_WITH = {
    "qualifications": ["education"],
    "training": ["work_environment", "career"],
}


@pytest.mark.parametrize("section", sorted(SHOWN_WITH))
def test_turning_a_list_section_off_keeps_the_other_used_sections_in_the_editor(hr_client, admin_user, seed, section):
    set_template(admin_user, **{section: "off"})

    data = open_editor(hr_client)

    missing = [name for other in SHOWN_WITH[section] for name in SECTION_MARKS[other] if name not in data]
    assert missing == []


def test_a_save_with_qualifications_turned_off_keeps_the_education_fields(hr_client, admin_user, seed):
    Position.objects.filter(code=REP).update(education="associate", major="市场营销", experience_years=1)
    set_template(admin_user, qualifications="off")

    data = open_editor(hr_client, EDIT_REP)
    data["h-title"] = "客户服务专员"
    save(hr_client, EDIT_REP, data)

    position = Position.objects.get(code=REP)
    assert position.title == "客户服务专员"
    assert (position.education, position.major, position.experience_years) == ("associate", "市场营销", 1)


def test_a_save_with_training_turned_off_keeps_the_work_environment_and_career_paths(hr_client, admin_user, seed):
    data = open_editor(hr_client, EDIT_REP)
    data["h-work_environment"] = "呼叫中心，轮班"
    data["h-promotes_to"] = "DPT-YW-02"
    save(hr_client, EDIT_REP, data)
    set_template(admin_user, training="off")

    data = open_editor(hr_client, EDIT_REP)
    data["h-title"] = "客户服务专员"
    save(hr_client, EDIT_REP, data)

    document = document_of(REP)
    assert document["title"] == "客户服务专员"
    assert (document["work_environment"], document["career"]["promotes_to"]) == ("呼叫中心，轮班", ["DPT-YW-02"])


# ---------------------------------------------------------------------------------------------------
# New and duplicated posts


def test_a_new_position_is_created_as_a_draft(hr_client, seed):
    data = open_editor(hr_client, "/positions/new/")
    assert data["h-code"] == "" and data["h-status"] == "draft" and data["h-reports_to"] == ""
    data.update({"h-code": "DPT-YW-06", "h-title": "网络优化工程师", "h-reports_to": "DPT-YW-04"})
    fill(data, "duties", 0, text="负责网络优化方案的编制与实施")

    response = hr_client.post("/positions/new/", data, follow=True)

    assert response.redirect_chain == [("/positions/DPT-YW-06/", 302)]
    assert "DPT-YW-06 is created." in messages_of(response)
    position = Position.objects.get(code="DPT-YW-06")
    assert position.status == Position.Status.DRAFT and position.version == 1
    assert position.parent.code == "DPT-YW-04"
    assert [text for _pk, text in duty_rows("DPT-YW-06")] == ["负责网络优化方案的编制与实施"]
    assert "DPT-YW-06" in document_of("DPT-YW-04")["direct_reports"]


def test_new_under_a_post_prefills_the_superior(hr_client, seed):
    data = open_editor(hr_client, "/positions/new/?under=DPT-YW-04")

    assert data["h-reports_to"] == "DPT-YW-04"
    data.update({"h-code": "DPT-YW-07", "h-title": "数据中心值班员"})
    save(hr_client, "/positions/new/?under=DPT-YW-04", data)
    assert Position.objects.get(code="DPT-YW-07").parent.code == "DPT-YW-04"


def test_the_code_new_is_refused_as_reserved(hr_client, seed):
    data = open_editor(hr_client, "/positions/new/")
    data.update({"h-code": "new", "h-title": "新岗位", "h-top": "on"})

    response = hr_client.post("/positions/new/", data)

    assert response.status_code == 200
    assert errors_in(field_html(response.content.decode(), "code")) == [
        "“new” is reserved for the portal's own pages; choose another code."
    ]
    assert not Position.objects.filter(code__iexact="new").exists()


def test_duplicate_prefills_a_new_draft_with_the_job_description_but_not_the_code_or_holders(hr_client, seed):
    AssignmentFactory(position=Position.objects.get(code=DEPUTY), person=PersonFactory(name="李副经理"))
    source_rows = duty_rows(DEPUTY)

    response = hr_client.get(f"/positions/{DEPUTY}/duplicate/")
    data = form_of(response)

    assert "New position, copied from DPT-YW-05" in response.content.decode()
    assert "李副经理" not in response.content.decode()
    assert data["h-code"] == "" and data["h-status"] == "draft"
    assert data["h-title"] == "技术支持部副经理" and data["h-reports_to"] == "DPT-YW-04"
    duties = [row(data, "duties", i) for i in rows_in_order(data, "duties")]
    assert [duty["text"] for duty in duties] == [text for _pk, text in source_rows]
    assert all(duty["id"] == "" for duty in duties)

    data["h-code"] = "DPT-YW-05B"
    response = hr_client.post(f"/positions/{DEPUTY}/duplicate/", data)

    assert response.status_code == 302
    copy = Position.objects.get(code="DPT-YW-05B")
    assert copy.status == Position.Status.DRAFT
    assert [text for _pk, text in duty_rows("DPT-YW-05B")] == [text for _pk, text in source_rows]
    assert not {pk for pk, _text in duty_rows("DPT-YW-05B")} & {pk for pk, _text in source_rows}
    assert duty_rows(DEPUTY) == source_rows  # the source keeps its rows
    assert not Assignment.objects.filter(position=copy).exists()
    assert document_of("DPT-YW-05B")["holders"] == []


# ---------------------------------------------------------------------------------------------------
# Two editors at once


def test_the_second_save_shows_what_the_first_changed_and_keeps_the_second_ones_input(hr_client, seed):
    other = second_editor()
    mine, theirs = open_editor(hr_client, EDIT_REP), open_editor(other, EDIT_REP)

    theirs["h-title"] = "客户服务专员"
    fill(theirs, "duties", 1, text="进行投诉的派单、回访和处理的跟踪工作")
    fill(theirs, "duties", 4, DELETE=True)
    save(other, EDIT_REP, theirs)
    after_theirs = version_of(REP)

    mine["h-purpose"] = "为客户提供热线服务"
    fill(mine, "kpis", 0, standard="热线接通率不低于 95%")
    response = hr_client.post(EDIT_REP, mine)

    assert response.status_code == 200
    assert messages_of(response) == [
        "Someone else saved this job description while you were editing it. Nothing was saved."
    ]
    html = response.content.decode()
    panel = html.split('<section class="conflict"', 1)[1].split("</section>", 1)[0]
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", panel))
    assert "position title 客户服务代表 客户服务专员" in text
    assert "duties · row 2 changed" in text
    changed = panel.split("duties · row 2 changed", 1)[1].split("</tr>", 1)[0]
    assert "<ins>" in changed  # a character diff inside the line
    assert re.sub(r"<[^>]+>", "", changed.split("<ins>")[0]).strip().endswith("进行投诉的派单")
    assert re.sub(r"<del>.*?</del>|<[^>]+>", "", changed).strip() == "进行投诉的派单、回访和处理的跟踪工作"
    removed = duty_rows(REP)  # what is left of theirs; the fifth line is gone
    assert len(removed) == 4
    assert "duties · row 5 removed" in text
    assert "purpose" not in text and "热线接通率" not in text  # only their changes are listed
    kept = form_of(response)
    assert kept["h-purpose"] == "为客户提供热线服务"
    assert row(kept, "kpis", 0)["standard"] == "热线接通率不低于 95%"
    assert kept["h-version"] == str(after_theirs)
    assert version_of(REP) == after_theirs
    assert Position.objects.get(code=REP).purpose == ""


def test_saving_again_after_a_conflict_applies_the_second_ones_input(hr_client, seed):
    other = second_editor()
    mine, theirs = open_editor(hr_client, EDIT_REP), open_editor(other, EDIT_REP)
    theirs["h-title"] = "客户服务专员"
    save(other, EDIT_REP, theirs)
    mine["h-purpose"] = "为客户提供热线服务"
    kept = form_of(hr_client.post(EDIT_REP, mine))
    after_theirs = version_of(REP)

    response = hr_client.post(EDIT_REP, kept, follow=True)

    assert response.redirect_chain == [(f"/positions/{REP}/", 302)]
    assert messages_of(response) == [f"{REP} is saved."]
    assert Position.objects.get(code=REP).purpose == "为客户提供热线服务"
    assert version_of(REP) == after_theirs + 1


def test_the_conflict_panel_reads_like_the_card_every_column_of_a_changed_row_and_names_for_codes(hr_client, seed):
    other = second_editor()
    mine, theirs = open_editor(hr_client, EDIT_REP), open_editor(other, EDIT_REP)
    theirs["h-department"] = "YW-JS"
    fill(theirs, "kpis", 0, weight="30", cycle="monthly")
    fill(theirs, "kpis", 2, weight="30")
    save(other, EDIT_REP, theirs)
    mine["h-purpose"] = "为客户提供热线服务"

    html = hr_client.post(EDIT_REP, mine).content.decode()

    panel = html.split('<section class="conflict"', 1)[1].split("</section>", 1)[0]
    rows = [
        [" ".join(unescape(re.sub(r"<[^>]+>", " ", cell)).split()) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr, re.S)]
        for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", panel.split("</thead>", 1)[1], re.S)
    ]  # fmt: skip
    assert ["department", "客户服务部", "技术支持部"] in rows
    assert ["KPIs · row 1 changed · weight", "40%", "30%"] in rows
    assert ["KPIs · row 1 changed · assessment cycle", "—", "Monthly (月度)"] in rows
    assert ["KPIs · row 3 changed · weight", "20%", "30%"] in rows
    assert "YW-JS" not in panel and "monthly" not in panel


# ---------------------------------------------------------------------------------------------------
# Versions


def test_a_save_that_changes_many_things_bumps_the_version_once(hr_client, seed):
    before = version_of(DEPUTY)
    data = open_editor(hr_client)
    data["h-title"] = "技术支持部副经理（二线）"
    data["h-dotted_reports_to"] = "DPT-YW-02"
    fill(data, "duties", 0, text="协助经理处理部门各项日常事务")
    fill(data, "duties", 4, DELETE=True)
    fill(data, "kpis", 0, weight="100", standard="工作计划按时完成率 100%")
    fill(data, "qualifications", row_count(data, "qualifications") - 1, text="持有网络工程师证书")

    save(hr_client, EDIT, data)

    assert version_of(DEPUTY) == before + 1
    assert form_of(hr_client.get(EDIT))["h-version"] == str(before + 1)


def test_a_save_that_changes_nothing_says_so_and_keeps_the_version(hr_client, seed):
    before = version_of(DEPUTY)
    data = open_editor(hr_client)

    response = hr_client.post(EDIT, data, follow=True)

    assert response.redirect_chain == [(f"/positions/{DEPUTY}/", 302)]
    assert messages_of(response) == ["Nothing had changed."]
    assert version_of(DEPUTY) == before


def test_each_save_in_a_row_bumps_the_version_once(hr_client, seed):
    before = version_of(DEPUTY)
    for number, title in enumerate(["副经理甲", "副经理乙", "副经理丙"], start=1):
        data = open_editor(hr_client)
        data["h-title"] = title
        save(hr_client, EDIT, data)
        assert version_of(DEPUTY) == before + number


# ---------------------------------------------------------------------------------------------------
# Delete


def test_delete_asks_for_confirmation_first(hr_client, seed):
    response = hr_client.get("/positions/DPT-YW-03/delete/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Delete DPT-YW-03 客户服务代表?" in html
    assert '<button type="submit" class="danger">Delete</button>' in html
    assert Position.objects.filter(code="DPT-YW-03").exists()


def test_a_post_without_reports_or_holders_is_deleted_after_confirmation(hr_client, seed):
    version = version_of("DPT-YW-03")

    response = hr_client.post("/positions/DPT-YW-03/delete/", {"version": version}, follow=True)

    assert response.redirect_chain == [("/positions/", 302)]
    assert "DPT-YW-03 is deleted." in messages_of(response)
    assert not Position.objects.filter(code="DPT-YW-03").exists()
    assert document_of("DPT-YW-02")["direct_reports"] == []


def test_delete_is_refused_while_the_post_has_holders_and_lists_them(hr_client, seed):
    position = Position.objects.get(code="DPT-YW-03")
    AssignmentFactory(position=position, person=PersonFactory(name="张客服", employee_number="E1001"))
    AssignmentFactory(
        position=position, person=PersonFactory(name="赵兼职", employee_number="E1002"), kind="concurrent"
    )

    page = hr_client.get("/positions/DPT-YW-03/delete/").content.decode()
    assert "This post still has holders." in page
    assert "张客服（E1001）" in page and "赵兼职（E1002）" in page
    assert 'class="danger"' not in page  # no delete button to press

    response = hr_client.post("/positions/DPT-YW-03/delete/", {"version": position.version})

    assert response.status_code == 200
    assert "DPT-YW-03 still has holders (" in response.content.decode()
    assert Position.objects.filter(code="DPT-YW-03").exists()


def test_delete_asks_where_the_direct_reports_go_and_moves_them_there(hr_client, seed):
    page = hr_client.get(f"/positions/{DEPUTY}/delete/")
    html = page.content.decode()
    assert "3 positions report directly to this one. Choose the position they will report to instead:" in html
    assert 'name="reports_go_to" value="DPT-YW-04"' in html  # its own superior, to start with
    before = {code: version_of(code) for code in ("DPT-YW-N05", "DPT-YW-N06", "DPT-YW-N07")}

    response = hr_client.post(
        f"/positions/{DEPUTY}/delete/", {"version": version_of(DEPUTY), "reports_go_to": "DPT-YW-02"}
    )

    assert response.status_code == 302
    assert not Position.objects.filter(code=DEPUTY).exists()
    for code, version in before.items():
        assert Position.objects.get(code=code).parent.code == "DPT-YW-02"
        assert version_of(code) == version + 1
    assert document_of("DPT-YW-02")["direct_reports"] == ["DPT-YW-03", "DPT-YW-N05", "DPT-YW-N06", "DPT-YW-N07"]


def test_delete_with_reports_and_no_new_superior_is_refused(hr_client, seed):
    response = hr_client.post(f"/positions/{DEPUTY}/delete/", {"version": version_of(DEPUTY), "reports_go_to": ""})

    assert response.status_code == 200
    assert "DPT-YW-05 has direct reports: choose the position they will report to." in response.content.decode()
    assert Position.objects.filter(code=DEPUTY).exists()


def test_deleting_a_post_drops_the_dotted_lines_to_it_and_bumps_those_posts(hr_client, seed):
    data = open_editor(hr_client, EDIT_REP)
    data["h-dotted_reports_to"] = DEPUTY
    save(hr_client, EDIT_REP, data)
    version = version_of(REP)

    hr_client.post(f"/positions/{DEPUTY}/delete/", {"version": version_of(DEPUTY), "reports_go_to": "DPT-YW-04"})

    assert not Position.objects.filter(code=DEPUTY).exists()
    assert document_of(REP)["dotted_reports_to"] == []
    assert version_of(REP) == version + 1


def test_a_refused_move_of_the_reports_deletes_nothing(hr_client, seed):
    response = hr_client.post(
        f"/positions/{DEPUTY}/delete/", {"version": version_of(DEPUTY), "reports_go_to": "DPT-YW-N05"}
    )

    assert response.status_code == 200
    assert f"cannot move under DPT-YW-N05, which is itself under {DEPUTY}." in response.content.decode()
    assert Position.objects.filter(code=DEPUTY).exists()
    assert sorted(Position.objects.filter(parent__code=DEPUTY).values_list("code", flat=True)) == [
        "DPT-YW-N05",
        "DPT-YW-N06",
        "DPT-YW-N07",
    ]


# ---------------------------------------------------------------------------------------------------
# Move under…


def candidates(response):
    return re.findall(r'<input type="radio" name="superior" value="([^"]+)"', response.content.decode())


def test_the_move_search_lists_candidates_without_the_post_itself_and_its_subtree(hr_client, seed):
    response = hr_client.get("/positions/DPT-YW-04/move/", {"q": "DPT-YW"})

    assert response.status_code == 200
    assert candidates(response) == ["DPT-YW-N01", "DPT-YW-01", "DPT-YW-02", "DPT-YW-03", "DPT-YW-N02", "DPT-YW-N03"]


def test_the_move_search_finds_by_title(hr_client, seed):
    assert candidates(hr_client.get(f"/positions/{DEPUTY}/move/", {"q": "经理"})) == [
        "DPT-YW-01",
        "DPT-YW-02",
        "DPT-YW-04",
        "DPT-YW-N02",
    ]


def test_a_move_moves_the_subtree(hr_client, seed):
    version = version_of("DPT-YW-04")

    response = hr_client.post("/positions/DPT-YW-04/move/", {"superior": "DPT-YW-02", "confirmed": "1"}, follow=True)

    assert response.redirect_chain == [("/org/DPT-YW-04/", 302)]
    assert "DPT-YW-04 now reports to 客户服务部经理 (DPT-YW-02), with the 5 posts under it." in messages_of(response)
    assert Position.objects.get(code="DPT-YW-04").parent.code == "DPT-YW-02"
    assert version_of("DPT-YW-04") == version + 1
    subtree = Position.objects.get(code="DPT-YW-04").get_descendants().values_list("code", flat=True)
    assert sorted(subtree) == ["DPT-YW-05", "DPT-YW-N04", "DPT-YW-N05", "DPT-YW-N06", "DPT-YW-N07"]
    assert Position.objects.get(code="DPT-YW-N06").get_ancestors().filter(code="DPT-YW-02").exists()
    assert document_of("DPT-YW-01")["direct_reports"] == ["DPT-YW-02", "DPT-YW-N02", "DPT-YW-N03"]


def test_a_move_that_would_close_a_loop_is_refused_naming_the_chain(hr_client, seed):
    version = version_of("DPT-YW-04")

    response = hr_client.post("/positions/DPT-YW-04/move/", {"superior": "DPT-YW-N06"})

    assert response.status_code == 200
    assert errors_in(field_html(response.content.decode(), "superior")) == [
        "DPT-YW-04 cannot report to DPT-YW-N06: that would close the loop DPT-YW-04 → DPT-YW-05 → DPT-YW-N06 → DPT-YW-04."
    ]
    assert Position.objects.get(code="DPT-YW-04").parent.code == "DPT-YW-01"
    assert version_of("DPT-YW-04") == version


def test_changing_the_superior_in_the_editor_moves_the_subtree_and_refuses_a_loop(hr_client, seed):
    data = open_editor(hr_client, "/positions/DPT-YW-04/edit/")
    data["h-reports_to"] = DEPUTY
    response = hr_client.post("/positions/DPT-YW-04/edit/", data)
    assert response.status_code == 200
    assert errors_in(field_html(response.content.decode(), "reports_to")) == [
        "DPT-YW-04 cannot report to DPT-YW-05: that would close the loop DPT-YW-04 → DPT-YW-05 → DPT-YW-04."
    ]

    version = version_of("DPT-YW-04")
    data["h-reports_to"] = "DPT-YW-02"
    data["h-title"] = "技术支持部主管"
    save(hr_client, "/positions/DPT-YW-04/edit/", data)
    assert Position.objects.get(code=DEPUTY).get_ancestors().filter(code="DPT-YW-02").exists()
    assert version_of("DPT-YW-04") == version + 1  # a move and a rename: one save, one version


def test_moving_to_nobody_puts_the_post_and_its_subtree_at_the_top(hr_client, seed):
    response = hr_client.post("/positions/DPT-YW-04/move/?q=经理", {"where": "top", "confirmed": "1"}, follow=True)

    assert response.redirect_chain == [("/org/DPT-YW-04/", 302)]
    assert "DPT-YW-04 now reports to nobody (the top), with the 5 posts under it." in messages_of(response)
    moved = Position.objects.get(code="DPT-YW-04")
    assert moved.parent is None and moved.is_root_node()
    assert sorted(moved.get_descendants().values_list("code", flat=True)) == [
        "DPT-YW-05",
        "DPT-YW-N04",
        "DPT-YW-N05",
        "DPT-YW-N06",
        "DPT-YW-N07",
    ]
    assert "DPT-YW-04" not in document_of("DPT-YW-01")["direct_reports"]


# ---------------------------------------------------------------------------------------------------
# Positions found by code or title (with JavaScript: suggestions from /lookup/positions/; without it:
# "Find" beside the field, or the choices that come with a refusal)


def choices_under(html, name):
    """The radio choices under a field: [(value, text)]."""
    start = html.index(f'class="field field-{name}')
    block = html[start : html.index("</fieldset>", start)]
    return [
        (value, unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", label))).strip())
        for value, label in re.findall(
            r'<input type="radio" name="[^"]*" value="([^"]*)"[^>]*>(.*?)</label>', block, re.S
        )
    ]


POSITION_FIELDS = ("reports_to", "dotted_reports_to", "promotes_to", "rotates_with")


def test_every_position_field_of_the_editor_searches_by_code_or_title(hr_client, seed):
    html = hr_client.get(EDIT).content.decode()
    for name in POSITION_FIELDS:
        block = field_html(html, name)
        assert 'data-search="/lookup/positions/"' in block, name  # editor.js's suggestions
        assert f'<button type="submit" name="find" value="h-{name}"' in block, name  # without JavaScript
    # Enter in a text box still saves: the form's first submit button is a Save.
    assert re.search(
        r'<form method="post" class="editor"[^>]*>\s*<input[^>]*csrf[^>]*>\s*<button type="submit" class="default-submit"',
        html,
    )


def test_find_beside_the_superior_lists_positions_by_title_keeps_the_input_and_saves_nothing(hr_client, seed):
    data = open_editor(hr_client, EDIT_REP)
    data.update({"h-reports_to": "部经理", "h-title": "客户服务专员", "find": "h-reports_to"})
    version = version_of(REP)

    response = hr_client.post(EDIT_REP, data)

    assert response.status_code == 200
    html = response.content.decode()
    assert choices_under(html, "reports_to") == [
        ("DPT-YW-01", "运维部经理 DPT-YW-01 运维部"),
        ("DPT-YW-02", "客户服务部经理 DPT-YW-02 客户服务部"),
        ("DPT-YW-04", "技术支持部经理 DPT-YW-04 技术支持部"),
        ("DPT-YW-N02", "增值业务部经理 DPT-YW-N02 增值业务部"),
    ]  # in chart order
    assert summary_of(response) == [] and errors_in(field_html(html, "title")) == []  # a search, not a refusal
    kept = form_of(response)
    assert kept["h-title"] == "客户服务专员" and kept["h-reports_to"] == "部经理"
    assert version_of(REP) == version

    kept["h-reports_to"] = ["部经理", "DPT-YW-01"]  # the text box, then the radio button chosen
    save(hr_client, EDIT_REP, kept)
    assert Position.objects.get(code=REP).parent.code == "DPT-YW-01"
    assert Position.objects.get(code=REP).title == "客户服务专员"


def test_find_in_a_list_of_codes_replaces_only_the_part_that_is_not_a_code(hr_client, seed):
    data = open_editor(hr_client, EDIT_REP)
    data.update({"h-dotted_reports_to": "DPT-YW-N02, 技术支持部经理", "find": "h-dotted_reports_to"})

    response = hr_client.post(EDIT_REP, data)

    assert choices_under(response.content.decode(), "dotted_reports_to") == [
        ("DPT-YW-N02, DPT-YW-04", "技术支持部经理 DPT-YW-04 技术支持部")
    ]


def test_a_title_typed_as_the_superior_is_refused_with_the_positions_it_may_mean(hr_client, seed):
    data = open_editor(hr_client, EDIT_REP)
    data["h-reports_to"] = "客户服务部经理"

    response = hr_client.post(EDIT_REP, data)

    html = response.content.decode()
    assert errors_in(field_html(html, "reports_to")) == ["Unknown position 客户服务部经理."]
    assert [value for value, _text in choices_under(html, "reports_to")] == ["DPT-YW-02"]
    assert Position.objects.get(code=REP).parent.code == "DPT-YW-02"  # unchanged: nothing saved


def test_the_delete_page_finds_where_the_reports_go_by_title_without_deleting(hr_client, seed):
    response = hr_client.post(
        f"/positions/{DEPUTY}/delete/",
        {"version": version_of(DEPUTY), "reports_go_to": "客户服务部", "find": "reports_go_to"},
    )

    assert response.status_code == 200
    assert [value for value, _text in choices_under(response.content.decode(), "reports_go_to")] == ["DPT-YW-02"]
    assert Position.objects.filter(code=DEPUTY).exists()

    response = hr_client.post(
        f"/positions/{DEPUTY}/delete/", {"version": version_of(DEPUTY), "reports_go_to": ["客户服务部", "DPT-YW-02"]}
    )
    assert response.status_code == 302
    assert Position.objects.get(code="DPT-YW-N05").parent.code == "DPT-YW-02"


def test_the_move_pages_superior_field_gets_the_suggestions_too(hr_client, seed):
    html = hr_client.get("/positions/DPT-YW-04/move/").content.decode()
    block = field_html(html, "superior")

    assert 'data-search="/lookup/positions/"' in block
    assert 'name="find"' not in block  # the move page has a search of its own


def suggested(client, text):
    response = client.get("/lookup/positions/", {"q": text})
    assert response.status_code == 200
    return [(found["value"], found["label"], found["detail"]) for found in response.json()["results"]]


def test_positions_are_suggested_by_title_or_code_the_exact_code_first(hr_client, seed):
    assert suggested(hr_client, "客户服务") == [
        ("DPT-YW-02", "客户服务部经理 DPT-YW-02", "客户服务部"),
        ("DPT-YW-03", "客户服务代表 DPT-YW-03", "客户服务部"),
    ]
    codes = [code for code, _label, _detail in suggested(hr_client, "dpt-yw-0")]
    assert codes == ["DPT-YW-01", "DPT-YW-02", "DPT-YW-03", "DPT-YW-04", "DPT-YW-05"]
    assert [code for code, _label, _detail in suggested(hr_client, "DPT-YW-05")] == ["DPT-YW-05"]
    assert suggested(hr_client, "") == []


def test_draft_positions_are_suggested_to_editors_only(hr_client, viewer_user, seed):
    Position.objects.filter(code="DPT-YW-N07").update(status=Position.Status.DRAFT, title="秘密筹建岗")
    viewer = Client()
    viewer.force_login(viewer_user)

    assert suggested(hr_client, "秘密筹建") == [("DPT-YW-N07", "秘密筹建岗 DPT-YW-N07", "技术支持部 · draft")]
    assert suggested(viewer, "秘密筹建") == []
    assert suggested(viewer, "DPT-YW-N07") == []


def test_suggestions_need_a_login(client, seed):
    assert client.get("/lookup/positions/", {"q": "经理"}).status_code == 302


# ---------------------------------------------------------------------------------------------------
# The department menu: indented in tree order, the path where names repeat; "new under" takes the
# superior's department


@pytest.fixture
def three_admin_centres(seed):
    """Three 行政中心: under 运维部, under its 客户服务部, and under another top department 市场部."""
    from org_tree.models import Department

    market = Department.objects.create(code="SC", name="市场部")
    Department.objects.create(code="YW-XZ", name="行政中心", parent=Department.objects.get(code="YW"))
    Department.objects.create(code="YW-KF-XZ", name="行政中心", parent=Department.objects.get(code="YW-KF"))
    Department.objects.create(code="SC-XZ", name="行政中心", parent=market)


def menu(html, name):
    select = html.split(f'name="{name}"', 1)[1].split("</select>", 1)[0]
    return [
        (value, unescape(label))
        for value, label in re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select)
    ]


EXPECTED_MENU = [  # top departments, and the departments under each, in the order of their codes
    ("SC", "市场部"),
    ("SC-XZ", "\u3000市场部 › 行政中心"),
    ("YW", "运维部"),
    ("YW-JS", "\u3000技术支持部"),
    ("YW-KF", "\u3000客户服务部"),
    ("YW-KF-XZ", "\u3000\u3000客户服务部 › 行政中心"),
    ("YW-XZ", "\u3000运维部 › 行政中心"),
    ("YW-ZZ", "\u3000增值业务部"),
]


def test_the_editors_department_menu_is_indented_with_the_path_where_names_repeat(hr_client, three_admin_centres):
    assert menu(hr_client.get(EDIT).content.decode(), "h-department") == [("", "—"), *EXPECTED_MENU]


def test_the_filters_share_the_same_menu(hr_client, three_admin_centres):
    from org_tree.models import Department

    by_code = dict(Department.objects.values_list("code", "pk"))
    expected = [(str(by_code[code]), label) for code, label in EXPECTED_MENU]
    for url in ("/positions/", "/staffing/", "/architecture/"):
        assert menu(hr_client.get(url).content.decode(), "department")[1:] == expected, url


def test_a_new_position_under_a_superior_starts_in_the_superiors_department(hr_client, seed):
    data = open_editor(hr_client, "/positions/new/?under=DPT-YW-04")

    assert data["h-reports_to"] == "DPT-YW-04" and data["h-department"] == "YW-JS"
    data.update({"h-code": "DPT-YW-08", "h-title": "网络监控员"})
    save(hr_client, "/positions/new/?under=DPT-YW-04", data)
    assert Position.objects.get(code="DPT-YW-08").department.code == "YW-JS"


# ---------------------------------------------------------------------------------------------------
# A refused save: the summary at the top names and links every error


def test_a_refused_save_lists_every_error_at_the_top_in_page_order_linked_to_its_field(hr_client, seed):
    data = open_editor(hr_client, EDIT_REP)
    data["h-reports_to"] = "NO-SUCH-POST"
    data["h-status"] = "draft"  # so that publishing an incomplete job description adds no errors of its own
    fill(data, "kpis", 1, weight="三十")  # the KPI table, at the bottom of the page

    response = hr_client.post(EDIT_REP, data)

    assert response.status_code == 200
    assert summary_of(response) == [
        "Nothing was saved: correct what is marked below.",
        ("Direct superior: Unknown position NO-SUCH-POST.", "id_h-reports_to"),
        (
            "Assessment standards (KPIs), row 2, Weight (%): “三十” is not a number: give a percentage such as 25 or 12.5.",
            "id_kpis-1-weight",
        ),
    ]
    assert messages_of(response) == []  # the summary replaces the message that pointed "below"
    html = response.content.decode()
    assert 'id="error-summary" tabindex="-1"' in html and "autofocus" in html.split('id="error-summary"', 1)[1][:200]
    for field_id in ("id_h-reports_to", "id_kpis-1-weight"):
        tag = re.search(rf'<input [^>]*id="{field_id}"[^>]*>', html).group()
        assert 'aria-invalid="true"' in tag
        described = re.search(r'aria-describedby="([^"]+)"', tag).group(1).split()
        assert f"{field_id}_error" in described and f'id="{field_id}_error"' in html


def test_a_section_error_links_to_its_section(hr_client, seed):
    data = open_editor(hr_client)
    fill(data, "kpis", 0, weight="90", standard="部门工作计划按期完成")

    response = hr_client.post(EDIT, data)

    assert ("Assessment standards (KPIs): KPI weights total 90%, not 100%.", "section-kpis") in summary_of(response)


def test_a_refused_save_shows_the_rows_in_the_order_they_were_given(hr_client, seed):
    data = open_editor(hr_client, EDIT_REP)
    for index, order in enumerate([2, 1, 3, 4, 5]):
        fill(data, "duties", index, ORDER=order)
    data["h-reports_to"] = "NO-SUCH-POST"

    response = hr_client.post(EDIT_REP, data)

    names = re.findall(r'name="duties-(\d+)-text"', section_html(response.content.decode(), "duties"))
    assert names[:5] == ["1", "0", "2", "3", "4"]


# ---------------------------------------------------------------------------------------------------
# Long texts: refused by the server with its message, never cut by the browser; line breaks kept


def test_no_text_box_of_the_editor_cuts_a_paste_at_a_maxlength(hr_client, seed):
    html = hr_client.get(EDIT).content.decode()

    cutting = re.findall(r'<(?:textarea|input type="text") name="([^"]+)"[^>]*maxlength', html)
    assert cutting == ["change_comment"]  # the history's comment, whose length the history decides
    assert 'data-limit="2000"' in field_html(html, "purpose")
    assert "At most 2000 characters." in field_html(html, "purpose")
    assert 'data-limit="200"' in field_html(html, "title")


def test_a_3330_character_purpose_is_refused_with_its_message_kept_as_typed_and_nothing_saved(hr_client, seed):
    purpose = ("保障宽带网络稳定运行，" * 303)[:3330]
    before = document_of(REP)
    data = open_editor(hr_client, EDIT_REP)
    data["h-purpose"] = purpose

    response = hr_client.post(EDIT_REP, data)

    assert response.status_code == 200
    assert errors_in(field_html(response.content.decode(), "purpose")) == ["At most 2000 characters (this has 3330)."]
    assert ("Purpose: At most 2000 characters (this has 3330).", "id_h-purpose") in summary_of(response)
    assert form_of(response)["h-purpose"] == purpose  # every character, as typed
    after = document_of(REP)
    assert after["purpose"] == before["purpose"] and after["version"] == before["version"]


def test_an_over_long_duty_is_refused_at_its_row(hr_client, seed):
    data = open_editor(hr_client, EDIT_REP)
    fill(data, "duties", 1, text="接" * 2001)

    response = hr_client.post(EDIT_REP, data)

    assert ("Duties, row 2, Text: At most 2000 characters (this has 2001).", "id_duties-1-text") in summary_of(response)
    assert row(form_of(response), "duties", 1)["text"] == "接" * 2001
    assert duty_rows(REP)[1][1] == "进行投诉的派单和处理的跟踪工作"


def test_line_breaks_inside_a_duty_are_kept_and_shown_on_the_card(hr_client, seed):
    data = open_editor(hr_client, EDIT_REP)
    fill(data, "duties", 4, text="上级布置的其它工作：\r\n1、临时接待\r\n2、<b>数据</b>统计")

    response = save(hr_client, EDIT_REP, data)

    assert duty_rows(REP)[4][1] == "上级布置的其它工作：\n1、临时接待\n2、<b>数据</b>统计"  # not joined
    card = hr_client.get(response["Location"]).content.decode()
    assert "上级布置的其它工作：<br>1、临时接待<br>2、&lt;b&gt;数据&lt;/b&gt;统计" in card  # shown, escaped
