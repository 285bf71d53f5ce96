"""The HR worklist (/quality/): every post with a problem, grouped by reason with counts, each linked to its
editor; a fix takes the post out of its group; and the count of posts with problems in the HR editor's
menu, which readers do not see."""

import re
from decimal import Decimal
from html import unescape

import pytest
from django.test import Client

from assessments.models import KPI
from positions.models import DescriptionItem, JDTemplate, Position
from positions.services.facts import refresh_facts
from tests.factories import AssignmentFactory, PersonFactory, complete_position
from tests.integration.test_editor import fill, form_of

DEPUTY = "DPT-YW-05"  # the seed's deputy: its one KPI has no weight and no standard
UNDESCRIBED = ["DPT-YW-N01", "DPT-YW-N05", "DPT-YW-N06", "DPT-YW-N07", "DPT-YW-N04", "DPT-YW-N02", "DPT-YW-N03"]


@pytest.fixture(autouse=True)
def english(client):
    """Group titles are read in English: the Chinese catalogue is still being filled in."""
    client.cookies["django_language"] = "en"


def groups(client):
    """{group title: (count shown, [codes in the group])} as /quality/ lists them, in page order."""
    response = client.get("/quality/")
    assert response.status_code == 200
    found = {}
    for section in re.findall(r'<section id="[^"]+".*?</section>', response.content.decode(), re.S):
        title, count = re.search(r"<h2[^>]*>(.*?) <small>\((\d+)\)</small></h2>", section, re.S).groups()
        codes = re.findall(r'<span class="code">([^<]+)</span>', section)
        found[unescape(title)] = (int(count), codes)
    return found


def group_titles(client):
    return list(groups(client))


def links(client):
    """Every link of the worklist's entries, with the code it names."""
    html = client.get("/quality/").content.decode()
    return re.findall(r'<li><a href="([^"]+)">[^<]*<span class="code">([^<]+)</span>', html)


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


# ---------------------------------------------------------------------------------------------------
# The groups


def test_the_seed_worklist_has_a_group_per_reason_with_counts(hr_client, seed):
    found = groups(hr_client)

    assert list(found) == [
        "1 KPI has no weight.",
        "1 KPI has no performance standard.",
        "KPI weights total 0%, not 100%.",
        "No job description on file",
        "Places without a holder (缺编)",
    ]
    for reason in list(found)[:3]:
        assert found[reason] == (1, [DEPUTY])
    assert found["No job description on file"] == (7, UNDESCRIBED)
    assert found["Places without a holder (缺编)"][0] == 12
    assert "12 posts need attention." in hr_client.get("/quality/").content.decode()


def test_each_reason_of_an_incomplete_description_is_a_group_of_its_own(hr_client, seed):
    shares = complete_position(code="P-SHARES", title="值班工程师", headcount=0)
    DescriptionItem.objects.filter(position=shares, kind=DescriptionItem.Kind.DUTY, order=1).update(share=Decimal(60))
    kpis = complete_position(code="P-KPIS", title="网络工程师", headcount=0)
    KPI.objects.filter(position=kpis, order=1).update(weight=Decimal(40))
    refresh_facts(Position.objects.filter(code__in=["P-SHARES", "P-KPIS"]))

    found = groups(hr_client)

    assert found["1 duty has no time share."] == (1, ["P-SHARES"])
    assert found["Duty time shares total 60%, not 100%."] == (1, ["P-SHARES"])
    assert found["KPI weights total 90%, not 100%."] == (1, ["P-KPIS"])
    assert found["KPI weights total 0%, not 100%."] == (1, [DEPUTY])
    assert "P-SHARES" not in found["Places without a holder (缺编)"][1]  # no places, none vacant


def test_drafts_over_headcount_and_vacancies_have_their_groups(hr_client, seed):
    Position.objects.filter(code="DPT-YW-02").update(status=Position.Status.DRAFT)
    rep = Position.objects.get(code="DPT-YW-03")
    AssignmentFactory(position=rep)
    AssignmentFactory(position=rep)
    AssignmentFactory(position=rep, kind="concurrent")  # fills no place

    found = groups(hr_client)

    assert found["Drafts (not yet published)"] == (1, ["DPT-YW-02"])
    assert found["Over headcount (超编)"] == (1, ["DPT-YW-03"])
    count, codes = found["Places without a holder (缺编)"]
    assert count == 11 and "DPT-YW-03" not in codes and "DPT-YW-02" in codes
    assert list(found)[-3:] == ["Drafts (not yet published)", "Over headcount (超编)", "Places without a holder (缺编)"]
    html = hr_client.get("/quality/").content.decode()
    assert '客户服务代表 <span class="code">DPT-YW-03</span></a> · 2 holders for 1 place' in html


def test_every_entry_links_to_the_editor_of_its_post(hr_client, seed):
    found = links(hr_client)

    assert found
    assert all(href == f"/positions/{code}/edit/" for href, code in found)
    assert hr_client.get(found[0][0]).status_code == 200


def test_a_worklist_with_nothing_to_do_says_so(hr_client, db):
    complete_position(code="P-OK", headcount=0)

    html = hr_client.get("/quality/").content.decode()

    assert "0 posts need attention." in html
    assert "Nothing to do: every post has a complete, published job description and as many holders as places." in html


# ---------------------------------------------------------------------------------------------------
# Fixing a post


def test_completing_the_deputy_takes_it_out_of_every_incomplete_group(hr_client, seed):
    complete_the_deputy(hr_client)

    found = groups(hr_client)
    assert not any(DEPUTY in codes for title, (_count, codes) in found.items() if title.startswith(("1 KPI", "KPI")))
    assert list(found) == ["No job description on file", "Places without a holder (缺编)"]
    assert DEPUTY in found["Places without a holder (缺编)"][1]  # it is still vacant


def test_publishing_a_draft_takes_it_out_of_the_drafts(hr_client, seed):
    Position.objects.filter(code="DPT-YW-02").update(status=Position.Status.DRAFT)
    assert groups(hr_client)["Drafts (not yet published)"] == (1, ["DPT-YW-02"])

    data = form_of(hr_client.get("/positions/DPT-YW-02/edit/"))
    data["h-status"] = "published"
    assert hr_client.post("/positions/DPT-YW-02/edit/", data).status_code == 302

    assert "Drafts (not yet published)" not in groups(hr_client)


def test_giving_a_post_its_holder_takes_it_out_of_the_vacancies(hr_client, seed):
    PersonFactory(employee_number="E5001", name="孙琳")

    hr_client.post("/positions/DPT-YW-03/holders/", {"person": "E5001", "kind": "primary"})

    count, codes = groups(hr_client)["Places without a holder (缺编)"]
    assert count == 11 and "DPT-YW-03" not in codes


def test_writing_a_description_for_an_undescribed_post_takes_it_out_of_that_group(hr_client, seed):
    data = form_of(hr_client.get("/positions/DPT-YW-N04/edit/"))
    data["h-status"] = "draft"
    fill(data, "duties", 0, text="负责设备的安装与调试")
    assert hr_client.post("/positions/DPT-YW-N04/edit/", data).status_code == 302

    found = groups(hr_client)
    assert "DPT-YW-N04" not in found["No job description on file"][1]
    assert found["No job description on file"][0] == 6
    assert "DPT-YW-N04" in found["Drafts (not yet published)"][1]


# ---------------------------------------------------------------------------------------------------
# The count in the menu


def test_the_hr_editors_menu_shows_the_number_of_posts_with_problems(hr_client, seed):
    assert menu_count(hr_client) == 12  # every seed post is vacant
    assert menu_count(hr_client, "/positions/") == 12  # on every page with the menu


def test_the_menu_count_drops_after_a_fix(hr_client, seed):
    staff_every_post()
    before = menu_count(hr_client)
    assert before == len(UNDESCRIBED) + 1

    complete_the_deputy(hr_client)

    assert menu_count(hr_client) == before - 1
    assert menu_count(hr_client, "/quality/") == before - 1


def test_the_menu_count_counts_posts_not_problems(hr_client, seed):
    staff_every_post()
    Position.objects.filter(code=DEPUTY).update(status=Position.Status.DRAFT)

    assert menu_count(hr_client) == 8  # the deputy: three reasons and a draft, one post


def test_an_administrator_sees_the_count_too(client, admin_user, seed):
    client.force_login(admin_user)
    assert menu_count(client) == 12


@pytest.mark.parametrize("who", ["viewer_user", "manager_user"])
def test_readers_see_no_worklist_or_count_in_their_menu(client, seed, who, request):
    client.force_login(request.getfixturevalue(who))

    html = client.get("/org/").content.decode()

    assert menu_count(client) is None
    assert "/quality/" not in html and 'class="count"' not in html


def test_the_headcount_detail_reads_as_english(hr_client, seed):
    html = hr_client.get("/quality/").content.decode()

    assert "for 1 places" not in html
    assert "0 holders for 1 place" in html


def test_the_worklist_counts_every_post_of_every_status(hr_client, seed):
    Position.objects.filter(code__in=["DPT-YW-02", "DPT-YW-N04"]).update(status=Position.Status.DRAFT)

    found = groups(hr_client)

    assert found["Drafts (not yet published)"] == (2, ["DPT-YW-02", "DPT-YW-N04"])
    assert "DPT-YW-N04" in found["No job description on file"][1]


def test_the_menu_count_follows_a_change_of_the_jd_template(hr_client, admin_user, seed):
    staff_every_post()
    assert menu_count(hr_client) == 8

    admin = Client()
    admin.force_login(admin_user)
    response = admin.post("/settings/jd-template/", {**JDTemplate.current().states(), "purpose": "required"})
    assert response.status_code == 302

    assert menu_count(hr_client) == 12  # DPT-YW-01..04 have no purpose either
    assert groups(hr_client)["No purpose (岗位目的) is given."][0] == 5
