"""The HR worklist (/quality/): every post with a problem, in sections (job descriptions, staffing, reviews
due, acknowledgements), grouped by the kind of problem with counts and a table of contents, limited to a
department by the department menu; a post whose fix waits for approval is marked with a link to the
proposal; each entry links to its editor; a fix takes the post out of its group; and the count of posts
with job-description problems in the HR editor's menu, which readers do not see."""

import datetime
import re
from decimal import Decimal
from html import unescape

import pytest
from django.test import Client
from django.utils import timezone

from assessments.models import KPI
from org_tree.models import Department
from positions.models import DescriptionItem, JDTemplate, Person, Position, Proposal
from positions.services.facts import refresh_facts
from tests.conftest import make_user
from tests.factories import AssignmentFactory, PersonFactory, complete_position
from tests.integration.test_editor import fill, form_of

DEPUTY = "DPT-YW-05"  # the seed's deputy: its one KPI has no weight and no standard
UNDESCRIBED = ["DPT-YW-N01", "DPT-YW-N05", "DPT-YW-N06", "DPT-YW-N07", "DPT-YW-N04", "DPT-YW-N02", "DPT-YW-N03"]
DEPUTY_KINDS = ["KPIs without a weight", "KPIs without a performance standard", "KPI weights that do not total 100%"]
SECTIONS = [
    "Job descriptions to complete or publish",
    "Staffing: vacancies and over headcount",
    "Due for review",
    "Waiting for the holders' acknowledgement (签字确认)",
]
VACANT = "Places without a holder (缺编)"


@pytest.fixture(autouse=True)
def english(client):
    """Titles are read in English (the Chinese UI is checked once, below)."""
    client.cookies["django_language"] = "en"


def page(client, **params):
    response = client.get("/quality/", params)
    assert response.status_code == 200
    return response.content.decode()


def text(html):
    return unescape(re.sub(r"<[^>]+>", "", html)).strip()


def sections(client, **params):
    """{section title: (count shown, {group title: [(code, detail, waiting mark) in page order]})}, in page order."""
    html = page(client, **params)
    found = {}
    for section in re.split(r'(?=<section class="worklist-section")', html)[1:]:
        title, label = re.search(r"<h2[^>]*>(.*?) <small>\((.*?)\)</small></h2>", section, re.S).groups()
        groups = {}
        parts = re.split(r'(?=<section class="worklist-group")', section)
        if len(parts) == 1:  # a section of one group has no group headings
            parts = [f"<h3>{text(title)} <small>(0)</small></h3>{section}"] if "<li" in section else []
        for part in parts:
            heading = re.search(r"<h3[^>]*>(.*?) <small>\(\d+\)</small></h3>", part, re.S)
            if heading is None:
                continue
            entries = []
            for item in re.findall(r"<li[^>]*>(.*?)</li>", part, re.S):
                code = re.search(r'<span class="code">([^<]+)</span>', item).group(1)
                detail = re.search(r'<span class="detail">(.*?)</span>', item, re.S)
                mark = re.search(r'<a class="waiting" href="([^"]+)">(.*?)</a>', item, re.S)
                entries.append(
                    (code, text(detail.group(1)) if detail else "", (mark.group(1), mark.group(2)) if mark else None)
                )
            groups[text(heading.group(1))] = entries
        found[text(title)] = (text(label), groups)
    return found


def groups(client, **params):
    """{group title: [codes]} over every section."""
    return {
        title: [code for code, _detail, _mark in entries]
        for _label, section in sections(client, **params).values()
        for title, entries in section.items()
    }


def menu_count(client, url="/org/"):
    """The number beside "Worklist" in the menu, or None when the menu has no worklist."""
    html = client.get(url).content.decode()
    found = re.search(r'<a href="/quality/">[^<]*<span class="count">(\d+)</span></a>', html)
    return int(found.group(1)) if found else None


def staff_every_post():
    """One primary holder in every seed post, so vacancies drop out of the worklist."""
    for position in Position.objects.all():
        AssignmentFactory(position=position, person=PersonFactory())


def complete_the_deputy(client):
    """What an HR editor does from the worklist: open the deputy's editor, give its KPI a weight and a standard."""
    data = form_of(client.get(f"/positions/{DEPUTY}/edit/"))
    fill(data, "kpis", 0, weight="100", standard="工作计划按时完成率 100%")
    response = client.post(f"/positions/{DEPUTY}/edit/", data)
    assert response.status_code == 302
    return response


def with_kpi_total(code, total):
    """A complete post whose KPI weights total `total`."""
    position = complete_position(code=code, title=f"岗位{code}", headcount=0)
    KPI.objects.filter(position=position, order=1).update(weight=Decimal(total) - 50)  # the other KPI weighs 50
    refresh_facts(Position.objects.filter(code=code))
    return position


# ---------------------------------------------------------------------------------------------------
# Sections and groups


def test_the_seed_worklist_has_four_sections_with_the_problems_grouped_by_kind(hr_client, seed):
    found = sections(hr_client)

    assert list(found) == SECTIONS
    label, descriptions = found["Job descriptions to complete or publish"]
    assert label == "8 posts"
    assert list(descriptions) == ["No job description on file", *DEPUTY_KINDS]
    assert [code for code, _detail, _mark in descriptions["No job description on file"]] == UNDESCRIBED
    assert descriptions["KPIs without a weight"] == [(DEPUTY, "1 KPI has no weight.", None)]
    assert descriptions["KPI weights that do not total 100%"] == [(DEPUTY, "KPI weights total 0%, not 100%.", None)]
    label, staffing = found["Staffing: vacancies and over headcount"]
    assert label == "12 posts" and list(staffing) == [VACANT] and len(staffing[VACANT]) == 12
    assert found["Due for review"] == ("0 posts", {})
    assert found["Waiting for the holders' acknowledgement (签字确认)"] == ("0 people", {})
    html = page(hr_client)
    assert "No job description is due for review in the next 30 days." in html
    assert "Every holder with a login has acknowledged the job description of their post." in html


def test_posts_with_the_same_kind_of_problem_share_one_group_each_with_its_detail(hr_client, seed):
    for code, total in [("P-90", 90), ("P-80", 80), ("P-110", 110), ("P-95", "95.5"), ("P-60", 60), ("P-99", 99)]:
        with_kpi_total(code, total)
    shares = complete_position(code="P-SHARES", title="值班工程师", headcount=0)
    DescriptionItem.objects.filter(position=shares, kind=DescriptionItem.Kind.DUTY, order=1).update(share=Decimal(60))
    refresh_facts(Position.objects.filter(code="P-SHARES"))

    descriptions = sections(hr_client)["Job descriptions to complete or publish"][1]

    totals = descriptions["KPI weights that do not total 100%"]
    assert len([title for title in descriptions if "total" in title and "KPI" in title]) == 1  # one group, not seven
    assert {code: detail for code, detail, _mark in totals} == {
        DEPUTY: "KPI weights total 0%, not 100%.",
        "P-90": "KPI weights total 90%, not 100%.",
        "P-80": "KPI weights total 80%, not 100%.",
        "P-110": "KPI weights total 110%, not 100%.",
        "P-95": "KPI weights total 95.5%, not 100%.",
        "P-60": "KPI weights total 60%, not 100%.",
        "P-99": "KPI weights total 99%, not 100%.",
    }
    assert descriptions["Duties without a time share"] == [("P-SHARES", "1 duty has no time share.", None)]
    assert descriptions["Duty time shares that do not total 100%"] == [
        ("P-SHARES", "Duty time shares total 60%, not 100%.", None)
    ]
    assert "P-SHARES" not in groups(hr_client)[VACANT]  # no places, none vacant


def test_a_missing_section_is_a_group_whose_title_says_it_all(hr_client, seed):
    JDTemplate.objects.update_or_create(pk=JDTemplate.SINGLETON, defaults={"sections": {"purpose": "required"}})

    descriptions = sections(hr_client)["Job descriptions to complete or publish"][1]

    assert [(code, detail) for code, detail, _mark in descriptions["No purpose (岗位目的) is given."]] == [
        (code, "") for code in ["DPT-YW-01", "DPT-YW-02", "DPT-YW-03", "DPT-YW-04", DEPUTY]
    ]


def test_vacancies_and_over_headcount_have_a_section_apart_from_the_job_descriptions(hr_client, seed):
    Position.objects.filter(code="DPT-YW-02").update(status=Position.Status.DRAFT)
    rep = Position.objects.get(code="DPT-YW-03")
    AssignmentFactory(position=rep)
    AssignmentFactory(position=rep)
    AssignmentFactory(position=rep, kind="concurrent")  # fills no place

    found = sections(hr_client)

    descriptions = found["Job descriptions to complete or publish"][1]
    assert [code for code, _d, _m in descriptions["Drafts (not yet published)"]] == ["DPT-YW-02"]
    assert VACANT not in descriptions and "Over headcount (超编)" not in descriptions
    label, staffing = found["Staffing: vacancies and over headcount"]
    assert list(staffing) == ["Over headcount (超编)", VACANT]
    assert staffing["Over headcount (超编)"] == [("DPT-YW-03", "2 holders for 1 place", None)]
    assert len(staffing[VACANT]) == 11 and "DPT-YW-03" not in [code for code, _d, _m in staffing[VACANT]]
    assert label == "12 posts"
    assert ("DPT-YW-01", "0 holders for 1 place", None) in staffing[VACANT]


def test_every_entry_links_to_the_editor_of_its_post_and_every_signature_to_the_card(hr_client, seed, manager_user):
    html = page(hr_client)
    problems, unsigned = html.split('id="unsigned"')
    entry = r'<li[^>]*><a href="([^"]+)">[^<]*<span class="code">([^<]+)</span>'

    assert re.findall(entry, problems)
    assert all(href == f"/positions/{code}/edit/" for href, code in re.findall(entry, problems))
    assert re.findall(entry, unsigned) == [("/positions/DPT-YW-04/", "DPT-YW-04")]  # the manager has not signed
    assert hr_client.get(re.findall(entry, problems)[0][0]).status_code == 200


def test_a_worklist_with_nothing_to_do_says_so(hr_client, db):
    complete_position(code="P-OK", headcount=0)

    html = page(hr_client)

    assert "Nothing to do: every post has a complete, published job description and as many holders as places." in html
    assert "Every job description is on file, complete and published." in html
    assert "Every post has as many primary holders as places." in html


def test_the_worklist_reads_in_chinese(client, hr_user, seed):
    client.force_login(hr_user)
    client.cookies["django_language"] = "zh-hans"

    html = page(client)

    for title in ["待完善或发布的岗位说明书", "编制：缺编与超编", "待复审", "等待任职人员签字确认", "目录"]:
        assert title in html
    assert "考核标准权重合计不为 100%" in html and "考核标准权重合计为 0%，而非 100%。" in html
    assert "8 个岗位" in html


# ---------------------------------------------------------------------------------------------------
# The table of contents


def test_the_table_of_contents_lists_every_section_and_group_with_its_count(hr_client, seed, manager_user):
    Position.objects.filter(code="DPT-YW-03").update(effective_on=timezone.localdate() - datetime.timedelta(days=400))

    html = page(hr_client)
    toc = html[html.index('<nav class="worklist-toc"') : html.index("</nav>", html.index('<nav class="worklist-toc"'))]
    links = re.findall(r'<a href="#([^"]+)">(.*?)</a> <span class="count">\((.*?)\)</span>', toc)

    assert [(anchor, title, count) for anchor, title, count in links] == [
        ("descriptions", "Job descriptions to complete or publish", "8 posts"),
        ("undescribed", "No job description on file", "7"),
        ("kpis-without-weight", "KPIs without a weight", "1"),
        ("kpis-without-standard", "KPIs without a performance standard", "1"),
        ("kpi-weight-total", "KPI weights that do not total 100%", "1"),
        ("staffing", "Staffing: vacancies and over headcount", "11 posts"),
        ("vacant", "Places without a holder (缺编)", "11"),
        ("reviews", "Due for review", "1 post"),
        ("unsigned", "Waiting for the holders&#x27; acknowledgement (签字确认)", "1 person"),
        ("unsigned-1", "技术支持部", "1"),
    ]
    for anchor, _title, _count in links:
        assert f'id="{anchor}"' in html, f"the contents link to #{anchor}, which is not on the page"


# ---------------------------------------------------------------------------------------------------
# The department filter


@pytest.fixture
def spread(seed, manager_user):
    """Work in every section, in two departments: reviews overdue in 客户服务部 and 技术支持部, and a holder
    with a login who has not acknowledged in each (the manager holds DPT-YW-04 in 技术支持部)."""
    long_ago = timezone.localdate() - datetime.timedelta(days=400)
    Position.objects.filter(code__in=["DPT-YW-03", "DPT-YW-04"]).update(effective_on=long_ago)
    clerk = Person.objects.create(employee_number="E0003", name="客服代表", user=make_user("carol-clerk"))
    AssignmentFactory(position=Position.objects.get(code="DPT-YW-03"), person=clerk)


def test_the_department_filter_limits_every_section_to_that_department(hr_client, spread):
    support = Department.objects.get(name="技术支持部")

    found = sections(hr_client, department=support.pk)

    in_support = set(Position.objects.filter(department=support).values_list("code", flat=True))
    shown = {code for _label, section in found.values() for entries in section.values() for code, _d, _m in entries}
    assert shown and shown <= in_support
    assert [code for code, _d, _m in found["Due for review"][1]["Due for review"]] == ["DPT-YW-04"]
    assert list(found["Waiting for the holders' acknowledgement (签字确认)"][1]) == ["技术支持部"]
    descriptions = found["Job descriptions to complete or publish"][1]
    assert [code for code, _d, _m in descriptions["No job description on file"]] == [
        "DPT-YW-N05",
        "DPT-YW-N06",
        "DPT-YW-N07",
        "DPT-YW-N04",
    ]
    assert "Worklist: 技术支持部" in page(hr_client, department=support.pk)


def test_the_department_filter_includes_sub_departments(hr_client, spread):
    whole = Department.objects.get(name="运维部")

    found = groups(hr_client, department=whole.pk)

    assert found["Due for review"] == ["DPT-YW-03", "DPT-YW-04"]
    assert "技术支持部" in found and "客户服务部" in found
    assert "DPT-YW-N01" not in found["No job description on file"]  # the top post has no department
    assert "DPT-YW-N01" in groups(hr_client)["No job description on file"]  # but is there unfiltered


def test_the_department_menu_is_the_indented_one_of_the_other_pages(hr_client, spread):
    support = Department.objects.get(name="技术支持部")

    html = page(hr_client, department=support.pk)

    assert f'<option value="{support.pk}" selected>\u3000技术支持部</option>' in html
    assert '<label for="id_department">' in html and "All departments" in html


def test_an_unknown_department_is_refused_with_a_message_not_an_error(hr_client, seed):
    html = page(hr_client, department="999999")

    assert "Department: Select a valid choice." in html
    assert 'class="worklist-section"' not in html


# ---------------------------------------------------------------------------------------------------
# Fixes waiting for approval


def test_a_post_whose_fix_waits_for_approval_is_marked_with_a_link_to_the_proposal(hr_client, seed, proposer_user):
    proposer = Client()
    proposer.force_login(proposer_user)
    response = complete_the_deputy(proposer)
    proposal = Proposal.objects.get(position__code=DEPUTY, status=Proposal.Status.PENDING)
    assert response.url == f"/proposals/{proposal.pk}/"

    descriptions = sections(hr_client)["Job descriptions to complete or publish"][1]

    for kind in DEPUTY_KINDS:  # still listed (readers still see the incomplete one), but marked
        ((code, _detail, mark),) = descriptions[kind]
        assert code == DEPUTY and mark == (f"/proposals/{proposal.pk}/", "fix waiting for approval")
    assert hr_client.get(f"/proposals/{proposal.pk}/").status_code == 200
    assert all(mark is None for code, _d, mark in descriptions["No job description on file"])
    assert '<li class="mended">' in page(hr_client)


def test_a_change_waiting_for_approval_that_does_not_mend_a_problem_says_so(hr_client, seed, proposer_user):
    """A proposal is complete when it is made; the JD template can ask for more while it waits."""
    proposer = Client()
    proposer.force_login(proposer_user)
    complete_the_deputy(proposer)
    proposal = Proposal.objects.get(position__code=DEPUTY, status=Proposal.Status.PENDING)
    JDTemplate.objects.update_or_create(pk=JDTemplate.SINGLETON, defaults={"sections": {"purpose": "required"}})

    descriptions = sections(hr_client)["Job descriptions to complete or publish"][1]

    link = f"/proposals/{proposal.pk}/"
    assert descriptions["KPIs without a weight"][0][2] == (link, "fix waiting for approval")
    assert {code: mark for code, _d, mark in descriptions["No purpose (岗位目的) is given."]}[DEPUTY] == (
        link,
        "a change waits for approval, but does not mend this",
    )
    assert menu_count(hr_client) == 12  # the deputy still needs the editor, for its purpose


def test_a_waiting_fix_takes_the_post_out_of_the_menu_count_and_its_approval_out_of_the_worklist(
    hr_client, seed, proposer_user
):
    assert menu_count(hr_client) == 8
    proposer = Client()
    proposer.force_login(proposer_user)
    complete_the_deputy(proposer)
    proposal = Proposal.objects.get(position__code=DEPUTY, status=Proposal.Status.PENDING)

    assert menu_count(hr_client) == 7  # nothing left for an editor to do on the deputy

    hr_client.post(f"/proposals/{proposal.pk}/decide/", {"decision": "approve", "effective_on": timezone.localdate()})

    assert Proposal.objects.get(pk=proposal.pk).status == Proposal.Status.APPROVED
    assert not any(DEPUTY in codes for title, codes in groups(hr_client).items() if title in DEPUTY_KINDS)
    assert menu_count(hr_client) == 7


def test_a_returned_proposal_puts_the_post_back_in_the_menu_count(hr_client, seed, proposer_user):
    proposer = Client()
    proposer.force_login(proposer_user)
    complete_the_deputy(proposer)
    proposal = Proposal.objects.get(position__code=DEPUTY, status=Proposal.Status.PENDING)
    assert menu_count(hr_client) == 7

    hr_client.post(f"/proposals/{proposal.pk}/decide/", {"decision": "return", "comment": "标准写得更具体些"})

    assert Proposal.objects.get(pk=proposal.pk).status == Proposal.Status.RETURNED
    assert menu_count(hr_client) == 8
    assert all(
        mark is None
        for code, _d, mark in sections(hr_client)["Job descriptions to complete or publish"][1]["KPIs without a weight"]
    )


# ---------------------------------------------------------------------------------------------------
# Fixing a post


def test_completing_the_deputy_takes_it_out_of_every_incomplete_group(hr_client, seed):
    complete_the_deputy(hr_client)

    found = groups(hr_client)
    assert not any(title in found for title in DEPUTY_KINDS)
    assert list(sections(hr_client)["Job descriptions to complete or publish"][1]) == ["No job description on file"]
    assert DEPUTY in found[VACANT]  # it is still vacant


def test_publishing_a_draft_takes_it_out_of_the_drafts(hr_client, seed):
    Position.objects.filter(code="DPT-YW-02").update(status=Position.Status.DRAFT)
    assert groups(hr_client)["Drafts (not yet published)"] == ["DPT-YW-02"]

    data = form_of(hr_client.get("/positions/DPT-YW-02/edit/"))
    data["h-status"] = "published"
    assert hr_client.post("/positions/DPT-YW-02/edit/", data).status_code == 302

    assert "Drafts (not yet published)" not in groups(hr_client)


def test_giving_a_post_its_holder_takes_it_out_of_the_vacancies(hr_client, seed):
    PersonFactory(employee_number="E5001", name="孙琳")

    hr_client.post("/positions/DPT-YW-03/holders/", {"person": "E5001", "kind": "primary"})

    codes = groups(hr_client)[VACANT]
    assert len(codes) == 11 and "DPT-YW-03" not in codes


def test_writing_a_description_for_an_undescribed_post_takes_it_out_of_that_group(hr_client, seed):
    data = form_of(hr_client.get("/positions/DPT-YW-N04/edit/"))
    data["h-status"] = "draft"
    fill(data, "duties", 0, text="负责设备的安装与调试")
    assert hr_client.post("/positions/DPT-YW-N04/edit/", data).status_code == 302

    found = groups(hr_client)
    assert "DPT-YW-N04" not in found["No job description on file"]
    assert len(found["No job description on file"]) == 6
    assert "DPT-YW-N04" in found["Drafts (not yet published)"]


def test_the_worklist_counts_every_post_of_every_status(hr_client, seed):
    Position.objects.filter(code__in=["DPT-YW-02", "DPT-YW-N04"]).update(status=Position.Status.DRAFT)

    found = groups(hr_client)

    assert found["Drafts (not yet published)"] == ["DPT-YW-02", "DPT-YW-N04"]
    assert "DPT-YW-N04" in found["No job description on file"]


# ---------------------------------------------------------------------------------------------------
# The count in the menu


def test_the_menu_counts_posts_with_job_description_problems_and_not_vacancies(hr_client, seed):
    assert menu_count(hr_client) == len(UNDESCRIBED) + 1  # every seed post is vacant too: not counted
    assert menu_count(hr_client, "/positions/") == 8  # on every page with the menu


def test_the_menu_count_drops_after_a_fix(hr_client, seed):
    staff_every_post()
    before = menu_count(hr_client)
    assert before == len(UNDESCRIBED) + 1

    complete_the_deputy(hr_client)

    assert menu_count(hr_client) == before - 1
    assert menu_count(hr_client, "/quality/") == before - 1


def test_the_menu_count_counts_posts_not_problems(hr_client, seed):
    Position.objects.filter(code=DEPUTY).update(status=Position.Status.DRAFT)

    assert menu_count(hr_client) == 8  # the deputy: three reasons and a draft, one post


def test_an_administrator_sees_the_count_too(client, admin_user, seed):
    client.force_login(admin_user)
    assert menu_count(client) == 8


@pytest.mark.parametrize("who", ["viewer_user", "manager_user"])
def test_readers_see_no_worklist_or_count_in_their_menu(client, seed, who, request):
    client.force_login(request.getfixturevalue(who))

    html = client.get("/org/").content.decode()

    assert menu_count(client) is None
    assert "/quality/" not in html and 'class="count"' not in html


def test_the_headcount_detail_reads_as_english(hr_client, seed):
    html = page(hr_client)

    assert "for 1 places" not in html
    assert "0 holders for 1 place" in html


def test_the_menu_count_follows_a_change_of_the_jd_template(hr_client, admin_user, seed):
    assert menu_count(hr_client) == 8

    admin = Client()
    admin.force_login(admin_user)
    response = admin.post("/settings/jd-template/", {**JDTemplate.current().states(), "purpose": "required"})
    assert response.status_code == 302

    assert menu_count(hr_client) == 12  # DPT-YW-01..04 have no purpose either
    assert len(groups(hr_client)["No purpose (岗位目的) is given."]) == 5
