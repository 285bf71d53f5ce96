"""The assessment pages: /assessments/mine/ (what waits for me), /assessments/<id>/ (the lines, the steps'
buttons, errors at their field, the result and the history), the menu's count, who gets a 403."""

from decimal import Decimal

import pytest
from django.utils import translation

from assessments.models import Assessment, AssessmentEvent
from assessments.services.workflow import advance, save_lines
from portal.roles import HR_EDITOR
from tests.conftest import make_user
from tests.integration.assessment_org import assessment_org

A = AssessmentEvent.Action


@pytest.fixture
def world(db):
    users, assessment = assessment_org(self_weight=20)
    users["hr"] = make_user("hr", HR_EDITOR)
    users["outsider"] = make_user("outsider")
    return users, assessment


def as_(client, user):
    client.force_login(user)
    return client


def page(assessment):
    return f"/assessments/{assessment.pk}/"


def self_assessed(users, a):
    a = save_lines(users["sam"], a, version=a.version, values={1: {"self_score": "90"}, 2: {"self_score": "80"}})
    return advance(users["sam"], a, A.SUBMIT_SELF, version=a.version)


def scored(users, a):
    a = save_lines(
        users["sue"], a, version=a.version, values={1: {"superior_score": "87.25"}, 2: {"superior_score": "75"}}
    )
    return advance(users["sue"], a, A.SUBMIT_SUPERIOR, version=a.version)


@pytest.mark.parametrize(("who", "status"), [("sam", 200), ("sue", 200), ("rex", 200), ("dot", 200), ("mia", 200),
                                             ("hr", 200), ("pat", 403), ("vic", 403), ("outsider", 403)])  # fmt: skip
def test_the_assessment_page_answers_each_role_as_the_access_rule_says(client, world, who, status):
    users, a = world
    assert as_(client, users[who]).get(page(a)).status_code == status


def test_a_stranger_is_sent_to_log_in_and_a_missing_assessment_is_404(client, world):
    users, a = world
    assert client.get(page(a)).status_code == 302
    assert as_(client, users["hr"]).get("/assessments/999999/").status_code == 404


def test_the_person_fills_in_and_submits_the_self_assessment_from_the_page(client, world):
    users, a = world
    as_(client, users["sam"])
    response = client.post(
        page(a),
        {"version": a.version, "lines.1.self_score": "90", "lines.2.self_score": "８０分", "lines.2.self_comment": "好",
         "action": "submit_self"},
    )  # fmt: skip
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.step == Assessment.Step.SUPERIOR
    assert a.lines.get(order=2).self_score == Decimal("80")


@pytest.mark.parametrize(("language", "expected"), [("en", "is not a score"), ("zh-hans", "不是")])
def test_a_bad_score_comes_back_at_its_field_with_a_summary_and_nothing_is_saved(client, world, language, expected):
    users, a = world
    as_(client, users["sam"])
    client.cookies["django_language"] = language
    with translation.override(language):
        response = client.post(
            page(a),
            {"version": a.version, "lines.1.self_score": "90", "lines.2.self_score": "优秀", "action": "save"},
            HTTP_ACCEPT_LANGUAGE=language,
        )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="lines-2-self_score-error"' in html and expected in html
    assert 'href="#lines-2-self_score"' in html
    assert 'value="优秀"' in html  # what was typed comes back
    assert a.lines.get(order=1).self_score is None
    assert not a.events.exists()


def test_a_page_saved_from_an_older_version_says_so_and_saves_nothing(client, world):
    users, a = world
    stale = a.version
    save_lines(users["sam"], a, version=stale, values={1: {"self_score": "50"}})
    response = as_(client, users["sam"]).post(page(a), {"version": stale, "lines.1.self_score": "90", "action": "save"})
    assert response.status_code == 400
    assert a.lines.get(order=1).self_score == Decimal("50")


def test_the_person_does_not_see_the_superiors_scores_until_done(client, world):
    users, a = world
    a = scored(users, self_assessed(users, a))
    assert "87.25" not in as_(client, users["sam"]).get(page(a)).content.decode()
    assert "87.25" in as_(client, users["rex"]).get(page(a)).content.decode()
    advance(users["rex"], a, A.AGREE, version=a.version)
    html = as_(client, users["sam"]).get(page(a)).content.decode()
    assert "87.25" in html
    assert "81.9" in html  # the total: 0.2 × 90 + 0.8 × 87.25 = 87.8; 0.2 × 80 + 0.8 × 75 = 76; 50/50: 81.9


def test_inputs_appear_only_for_who_may_act_now(client, world):
    users, a = world
    a = self_assessed(users, a)
    assert 'name="lines.1.superior_score"' in as_(client, users["sue"]).get(page(a)).content.decode()
    for who in ("sam", "rex", "dot", "mia"):
        html = as_(client, users[who]).get(page(a)).content.decode()
        assert 'name="lines.1.' not in html, who


def test_the_reviewer_returns_with_a_reason_and_the_history_shows_it(client, world):
    users, a = world
    a = scored(users, self_assessed(users, a))
    as_(client, users["rex"])
    assert client.post(page(a), {"version": a.version, "action": "return", "reason": ""}).status_code == 400
    assert client.post(page(a), {"version": a.version, "action": "return", "reason": "第二项再议"}).status_code == 302
    assert "第二项再议" in client.get(page(a)).content.decode()
    assert "第二项再议" not in as_(client, users["sam"]).get(page(a)).content.decode()


def test_an_hr_editor_saves_on_the_persons_behalf_from_the_page(client, world):
    users, a = world
    response = as_(client, users["hr"]).post(
        page(a), {"version": a.version, "lines.1.self_score": "70", "lines.2.self_score": "70", "action": "submit_self"}
    )
    assert response.status_code == 302
    assert set(a.events.values_list("action", "on_behalf")) == {(A.SAVE, True), (A.SUBMIT_SELF, True)}


def test_my_assessments_lists_what_waits_and_the_menu_counts_it(client, world):
    users, a = world
    html = as_(client, users["sam"]).get("/assessments/mine/").content.decode()
    assert page(a) in html
    self_assessed(users, a)
    html = as_(client, users["sue"]).get("/assessments/mine/").content.decode()
    assert page(a) in html
    assert 'href="/assessments/mine/">' in html
    menu = html.split('href="/assessments/mine/">', 1)[1].split("</a>", 1)[0]
    assert menu.endswith(">2</span>")  # Sue's worklist: Sam's assessment to rate and her own to fill in


# The assessment page, for the second level, whatever the number of lines and events, after REQUEST_OVERHEAD
# (its "held posts" query is the menu's) and +1 the menu's worklist counts (for a post holder):
#   1 the assessment with its cycle, person and post, 2 the posts the user holds (their roles in it),
#   3 the superior post's own superior (second level?), 4 a dotted line to a post they hold, 5 the Manager role,
#   6 the lines, 7 the events with their users.
ASSESSMENT_PAGE = 7


@pytest.mark.parametrize("extra_lines", [0, 6])
def test_the_assessment_page_costs_the_same_whatever_its_lines_and_history(
    client, world, extra_lines, django_assert_num_queries
):
    from tests.integration.test_query_counts import REQUEST_OVERHEAD

    users, a = world
    line = a.lines.get(order=2)
    if extra_lines:
        line.weight = Decimal("20")
        line.save()
        a.lines.filter(order=1).update(weight=Decimal("20"))
        for order in range(3, 3 + extra_lines):
            a.lines.create(order=order, responsibility=f"职责{order}", weight=Decimal("10"))
        values = {order: {"self_score": "80"} for order in range(1, 3 + extra_lines)}
    else:
        values = {1: {"self_score": "80"}, 2: {"self_score": "80"}}
    a = save_lines(users["sam"], a, version=a.version, values=values)
    a = advance(users["sam"], a, A.SUBMIT_SELF, version=a.version)
    a = save_lines(users["sue"], a, version=a.version, values={k: {"superior_score": "70"} for k in values})
    a = advance(users["sue"], a, A.SUBMIT_SUPERIOR, version=a.version)
    as_(client, users["rex"])
    with django_assert_num_queries(REQUEST_OVERHEAD + 1 + ASSESSMENT_PAGE):
        response = client.get(page(a))
    assert response.status_code == 200
