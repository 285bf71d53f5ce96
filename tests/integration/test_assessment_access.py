"""Who sees and acts on an assessment (assessments/access.py), as one table: every role towards Sam's
assessment at every step. Roles come from posts (superior, second level, dotted line), the HR permission
and the Manager role with its subtree; Viewers and outsiders get nothing."""

import pytest
from django.contrib.auth.models import AnonymousUser

from assessments import access
from assessments.models import Assessment
from tests.conftest import make_user
from tests.integration.assessment_org import assessment_org

S = Assessment.Step
STEPS = [S.NOT_STARTED, S.SELF, S.SUPERIOR, S.REVIEW, S.DONE, S.ACKNOWLEDGED, S.DISAGREED]
BEFORE_DONE = {S.NOT_STARTED, S.SELF, S.SUPERIOR, S.REVIEW}

# who: (roles in Sam's assessment, steps at which they may act, sees the superior's scores before done)
TABLE = {
    "sam": ({access.SELF}, {S.NOT_STARTED, S.SELF, S.DONE}, False),
    "sue": ({access.SUPERIOR}, {S.SUPERIOR}, True),
    "rex": ({access.REVIEWER}, {S.REVIEW}, True),
    "dot": ({access.DOTTED}, set(), True),
    "mia": ({access.MANAGER}, set(), True),
    "pat": (set(), set(), False),
    "vic": (set(), set(), False),
    "hr": ({access.HR}, {S.NOT_STARTED, S.SELF, S.SUPERIOR, S.REVIEW, S.DONE}, True),
    "admin": ({access.HR}, {S.NOT_STARTED, S.SELF, S.SUPERIOR, S.REVIEW, S.DONE}, True),
    "outsider": (set(), set(), False),
    "anonymous": (set(), set(), False),
}
CASES = [(who, step) for who in TABLE for step in STEPS]


@pytest.fixture
def world(db):
    from portal.roles import ADMINISTRATOR, HR_EDITOR

    users, assessment = assessment_org()
    users["hr"] = make_user("hr", HR_EDITOR)
    users["admin"] = make_user("admin", ADMINISTRATOR)
    users["outsider"] = make_user("outsider")
    users["anonymous"] = AnonymousUser()
    return users, assessment


@pytest.mark.parametrize(("who", "step"), CASES, ids=[f"{who}-{step}" for who, step in CASES])
def test_each_role_sees_and_acts_on_an_assessment_as_the_table_says(world, who, step):
    users, assessment = world
    roles, acts, sees_scores_early = TABLE[who]
    Assessment.objects.filter(pk=assessment.pk).update(step=step)
    assessment.refresh_from_db()
    user = users[who]

    assert access.roles_in(user, assessment) == roles
    assert (assessment in access.visible_assessments(user)) == bool(roles)
    assert access.may_act(user, assessment) == (step in acts)
    expected_scores = bool(roles) and (sees_scores_early or step not in BEFORE_DONE)
    assert access.may_see_superior_scores(user, assessment) == expected_scores


def test_nobody_acts_on_an_assessment_of_a_closed_cycle(world):
    from assessments.services.opening import close_cycle

    users, assessment = world
    close_cycle(assessment.cycle)
    assessment.refresh_from_db()
    assessment.cycle.refresh_from_db()
    assert not any(access.may_act(user, assessment) for user in users.values())
    assert access.roles_in(users["sue"], assessment) == {access.SUPERIOR}


def test_with_a_self_weight_of_0_the_superior_may_start_at_once(db):
    users, assessment = assessment_org(self_weight=0)
    assert access.may_act(users["sue"], assessment)
    assert access.may_act(users["sam"], assessment)


def test_a_person_who_left_the_superior_post_no_longer_sees_the_assessment(world):
    import datetime

    from positions.models import Assignment

    users, assessment = world
    Assignment.objects.filter(person__user=users["sue"]).update(ended_on=datetime.date(2000, 1, 1))
    assert access.roles_in(users["sue"], assessment) == set()
    assert set(access.visible_assessments(users["sue"]).values_list("position_code", flat=True)) == {"MID"}


def test_a_manager_sees_the_assessments_under_the_posts_they_hold_and_no_others(world):
    users, _ = world
    seen = set(access.visible_assessments(users["mia"]).values_list("position_code", flat=True))
    assert seen == {"BIG", "TOP", "MID", "STAFF", "PEER", "DOT"}  # her own and her subtree's, not ELSE
    # Vic holds BIG as a Viewer: she rates TOP and DOT and reviews MID by her post, but sees no further down.
    assert set(access.visible_assessments(users["vic"]).values_list("position_code", flat=True)) == {
        "BIG",
        "TOP",
        "DOT",
        "MID",
    }
