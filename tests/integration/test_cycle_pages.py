"""The assessment cycles' pages: the list, the "open a cycle" form, a cycle's page (progress by step and by
department, the posts left out and why) and its close button; who may reach them; what each costs."""

import re
from decimal import Decimal
from html import unescape

import pytest

from assessments.models import KPI, AssessmentCycle
from assessments.services.opening import open_cycle
from positions import history
from positions.models import Assignment, Position
from tests.factories import AssignmentFactory, PersonFactory, complete_position
from tests.helpers import signed_in, snapshot
from tests.integration.test_cycles import YEAR, assessed_org

CYCLES = "/assessments/cycles/"
NEW = "/assessments/cycles/new/"


@pytest.fixture
def org(db):
    return assessed_org()


@pytest.fixture
def cycle(org):
    return open_cycle(name="2026 年度", kpi_cycle=KPI.Cycle.YEARLY, **YEAR)


def text(response):
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


def form(**fields):
    return {
        "name": "2026 年度",
        "kpi_cycle": "yearly",
        "starts_on": "2026-01-01",
        "ends_on": "2026-12-31",
        "department": "",
        "self_weight": "20",
        "cap": "100",
        "concurrent_share": "",
        **fields,
    }


# Who may -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["hr_user", "proposer_user", "admin_user"])
def test_hr_editors_and_administrators_reach_every_cycle_page_and_the_menu_links_to_them(request, cycle, role):
    client = signed_in(request.getfixturevalue(role), "en")

    listing = client.get(CYCLES)
    assert listing.status_code == 200
    assert f'href="{CYCLES}"' in listing.content.decode()  # the menu
    assert client.get(NEW).status_code == 200
    assert client.get(cycle.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("role", ["viewer_user", "manager_user", "outsider"])
def test_viewers_managers_and_anyone_without_a_role_get_403_and_no_menu_link(request, cycle, role):
    client = signed_in(request.getfixturevalue(role), "en")
    client.get("/org/")  # signing in is not a change
    before = snapshot()

    for url in (CYCLES, NEW, cycle.get_absolute_url()):
        assert client.get(url).status_code == 403
    assert client.post(NEW, form(name="偷开")).status_code == 403
    assert client.post(f"{cycle.get_absolute_url()}close/").status_code == 403
    assert snapshot() == before
    chart = client.get("/org/").content.decode()
    assert f'href="{CYCLES}"' not in chart


def test_anonymous_visitors_are_sent_to_the_login_page(client, cycle):
    for url in (CYCLES, NEW, cycle.get_absolute_url()):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_the_pages_accept_only_the_methods_they_serve(hr_user, cycle):
    client = signed_in(hr_user)

    assert client.post(CYCLES).status_code == 405
    assert client.get(f"{cycle.get_absolute_url()}close/").status_code == 405


# Opening -----------------------------------------------------------------------------------------


def test_opening_a_cycle_from_the_form_opens_it_as_the_hr_editor_and_shows_its_page(org, hr_user):
    client = signed_in(hr_user, "en")

    response = client.post(NEW, form(concurrent_share="30"), follow=True)

    cycle = AssessmentCycle.objects.get()
    assert response.redirect_chain == [(cycle.get_absolute_url(), 302)]
    assert (cycle.opened_by, cycle.self_weight, cycle.superior_weight) == (hr_user, 20, 80)
    assert cycle.concurrent_share == Decimal("30") and cycle.assessments.count() == 4
    assert "“2026 年度” is open: 4 assessments." in text(response)


def test_a_department_scope_is_chosen_from_the_menu(org, hr_user):
    from org_tree.models import Department

    sales = Department.objects.get(code="SALES")
    signed_in(hr_user).post(NEW, form(department=str(sales.pk)))

    assert AssessmentCycle.objects.get().department == sales


@pytest.mark.parametrize(
    ("fields", "field", "english", "chinese"),
    [
        ({"self_weight": "101"}, "self_weight", "The self-assessment and superior's weights must total 100.",
         "自评与上级评的权重之和须为 100。"),
        ({"cap": "151"}, "cap", "The score cap must be between 100 and 150.", "得分上限须在 100 到 150 之间。"),
        ({"ends_on": "2025-12-31"}, "ends_on", "A cycle cannot end before it starts.", "周期的结束日期不能早于开始日期。"),
        ({"self_weight": "二十"}, "self_weight", "Enter a whole number.", "输入整数。"),
        ({"cap": "NaN"}, "cap", "Enter a number.", "输入一个数字。"),
        ({"starts_on": "2026-02-30"}, "starts_on", "Enter a valid date.", "输入一个有效的日期。"),
        ({"department": "999999"}, "department", "Select a valid choice. 999999 is not one of the available choices.",
         "选择一个有效的选项。 999999 不在可用的选项中。"),
    ],
)  # fmt: skip
def test_a_bad_option_is_shown_at_its_field_in_the_users_language_and_nothing_is_saved(
    org, hr_user, fields, field, english, chinese
):
    clients = {language: signed_in(hr_user, language) for language in ("en", "zh-hans")}
    before = snapshot()
    for language, message in (("en", english), ("zh-hans", chinese)):
        response = clients[language].post(NEW, form(**fields))
        assert response.status_code == 200
        assert response.context["form"].errors[field] == [message]
        assert message in text(response)
    assert snapshot() == before


def test_an_overlapping_cycle_and_an_empty_scope_are_refused_above_the_form(org, hr_user):
    client = signed_in(hr_user, "en")
    client.post(NEW, form())

    overlap = client.post(NEW, form(name="又一个"))
    nobody = client.post(NEW, form(name="月度", kpi_cycle="monthly"))

    assert overlap.status_code == 200 and "already assesses the Yearly (年度) KPIs" in text(overlap)
    assert nobody.status_code == 200 and "No post in scope can be assessed" in text(nobody)
    assert AssessmentCycle.objects.count() == 1


# A cycle's page ----------------------------------------------------------------------------------


def test_the_cycle_page_shows_progress_by_step_and_department_and_the_posts_left_out_with_reasons(cycle, hr_user):
    cycle.assessments.filter(position_code="SELLER").update(step="self")

    page = text(signed_in(hr_user, "en").get(cycle.get_absolute_url()))

    assert "Progress: 3 assessments" in page
    assert (
        "Not started Self-assessment Superior scoring Second-level review Done Acknowledged Disagreed 2 1 0 0 0 0 0"
        in (page)
    )
    assert "总部 1 0 0 0 0 0 0 1" in page and "销售部 0 1 0 0 0 0 0 1" in page and "研发部 1 0 0 0 0 0 0 1" in page
    assert "3 posts left out" in page
    assert "DRAFT 研发部 No published job description" in page
    assert "HALF 销售部 KPIs incomplete: KPI weights that do not total 100%" in page
    assert "QTR 研发部 No KPI of this cycle type" in page
    assert "self 0 % / superior 100 %" in page


def test_the_cycle_page_is_in_chinese_for_a_chinese_reader(cycle, hr_user):
    page = text(signed_in(hr_user, "zh-hans").get(cycle.get_absolute_url()))

    assert "无已发布的岗位说明书" in page and "考核标准不完整" in page and "未开始" in page


def test_the_list_names_each_cycle_with_its_counts(cycle, hr_user):
    page = text(signed_in(hr_user, "en").get(CYCLES))

    assert "2026 年度 Yearly (年度) 2026-01-01 – 2026-12-31 The whole organisation 3 3 Open" in page


def test_closing_a_cycle_from_its_page_makes_it_read_only_and_a_second_close_is_refused(cycle, hr_user):
    client = signed_in(hr_user, "en")

    first = client.post(f"{cycle.get_absolute_url()}close/", follow=True)
    second = client.post(f"{cycle.get_absolute_url()}close/", follow=True)

    assert "“2026 年度” is closed: its assessments are read-only." in text(first)
    assert "Close the cycle" not in text(first)
    assert "“2026 年度” is closed already." in text(second)
    cycle.refresh_from_db()
    assert (cycle.status, cycle.closed_by) == ("closed", hr_user)


def test_an_unknown_cycle_is_404(hr_user, db):
    assert signed_in(hr_user).get("/assessments/cycles/999999/").status_code == 404


# Queries -----------------------------------------------------------------------------------------

# Every request by an HR editor costs: the request's savepoint and its release, the session, the user, the
# user's permissions, their group permissions, the posts they hold ("My team"), and the editor's two menu
# counts (whether the worklist's count is still good, and the proposals waiting or returned).
EDITOR_REQUEST = 7 + 2


@pytest.mark.parametrize("more", [0, 12], ids=["small", "larger"])
def test_the_cycle_page_costs_the_same_whatever_the_number_of_assessments(
    org, hr_user, more, django_assert_num_queries
):
    for n in range(more):
        position = complete_position(code=f"MORE-{n}", department=None)
        AssignmentFactory(person=PersonFactory(), position=position)
        history.record([position.pk])
    cycle = open_cycle(name="2026 年度", kpi_cycle=KPI.Cycle.YEARLY, **YEAR)
    client = signed_in(hr_user)
    client.get(cycle.get_absolute_url())  # the JD template, cached from here on as on any busy server

    # +1 the cycle with its scope and who opened and closed it, +1 the assessments counted by department and step
    with django_assert_num_queries(EDITOR_REQUEST + 2):
        assert client.get(cycle.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("cycles", [1, 4])
def test_the_cycle_list_costs_the_same_whatever_the_number_of_cycles(org, hr_user, cycles, django_assert_num_queries):
    for year in range(2026, 2026 + cycles):
        open_cycle(
            name=str(year),
            kpi_cycle=KPI.Cycle.YEARLY,
            starts_on=YEAR["starts_on"].replace(year=year),
            ends_on=YEAR["ends_on"].replace(year=year),
        )
    client = signed_in(hr_user)
    client.get(CYCLES)

    # +1 the cycles with their scopes and their assessments counted
    with django_assert_num_queries(EDITOR_REQUEST + 1):
        assert client.get(CYCLES).status_code == 200


def test_holders_are_current_assignments_only(org, hr_user):
    ended = Assignment.objects.get(person=org["Cat"])
    Assignment.objects.filter(pk=ended.pk).update(ended_on="2026-01-01")

    cycle = open_cycle(name="2026 年度", kpi_cycle=KPI.Cycle.YEARLY, **YEAR)

    assert not cycle.assessments.filter(person=org["Cat"]).exists()
    assert Position.objects.filter(code="DEV").exists()


def test_the_django_admin_shows_cycles_and_assessments_but_changes_nothing(cycle, admin_user):
    client = signed_in(admin_user, "en")
    assessment = cycle.assessments.first()

    assert client.get("/admin/assessments/assessmentcycle/").status_code == 200
    assert client.get(f"/admin/assessments/assessmentcycle/{cycle.pk}/change/").status_code == 200
    page = client.get(f"/admin/assessments/assessment/{assessment.pk}/change/")
    assert page.status_code == 200 and assessment.lines.first().responsibility in page.content.decode()
    assert client.get("/admin/assessments/assessmentcycle/add/").status_code == 403
    assert client.post(f"/admin/assessments/assessmentcycle/{cycle.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AssessmentCycle.objects.filter(pk=cycle.pk).exists()
