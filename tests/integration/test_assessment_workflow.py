"""An assessment's steps (assessments/services/workflow.py): each role at its step, HR on someone's behalf
(recorded), lost updates refused, a closed cycle read-only, bad scores at their field in both languages with
nothing saved, the disagreement that reopens superior scoring once, and the history of it all."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections
from django.utils import translation

from assessments import access
from assessments.models import Assessment, AssessmentEvent
from assessments.services.opening import close_cycle
from assessments.services.workflow import VersionConflict, advance, save_lines, score_lines
from portal.roles import HR_EDITOR
from tests.conftest import make_user
from tests.integration.assessment_org import assessment_org

A = AssessmentEvent.Action
S = Assessment.Step


@pytest.fixture
def world(db):
    users, assessment = assessment_org(self_weight=20)
    users["hr"] = make_user("hr", HR_EDITOR)
    return users, assessment


def fresh(assessment):
    return Assessment.objects.select_related("cycle", "person", "position").get(pk=assessment.pk)


def lines(assessment):
    return {line.order: line for line in assessment.lines.order_by("order")}


def self_assess(users, assessment):
    a = save_lines(
        users["sam"],
        assessment,
        version=assessment.version,
        values={1: {"self_score": "90"}, 2: {"self_score": "80", "self_comment": "按时"}},
    )
    return advance(users["sam"], a, A.SUBMIT_SELF, version=a.version)


def superior_scores(users, assessment, scores=("85", "75")):
    a = save_lines(
        users["sue"],
        assessment,
        version=assessment.version,
        values={1: {"superior_score": scores[0]}, 2: {"superior_score": scores[1], "superior_comment": "良好"}},
    )
    return advance(users["sue"], a, A.SUBMIT_SUPERIOR, version=a.version)


def test_the_assessment_goes_from_self_to_superior_to_review_to_done_to_acknowledged(world):
    users, a = world
    a = self_assess(users, a)
    assert a.step == S.SUPERIOR
    a = superior_scores(users, a)
    assert a.step == S.REVIEW
    a = advance(users["rex"], a, A.AGREE, version=a.version)
    assert a.step == S.DONE
    a = advance(users["sam"], a, A.ACKNOWLEDGE, version=a.version)
    assert fresh(a).step == S.ACKNOWLEDGED
    got = lines(a)
    assert (got[1].self_score, got[1].superior_score, got[2].self_comment) == (Decimal("90"), Decimal("85"), "按时")
    # 20 % self, 80 % superior: line 1 = 0.2 × 90 + 0.8 × 85 = 86, line 2 = 0.2 × 80 + 0.8 × 75 = 76; 50/50.
    assert score_lines(fresh(a)).total == Decimal("81.00")
    actions = list(a.events.order_by("at", "pk").values_list("action", "user__username", "on_behalf"))
    assert actions == [
        (A.SAVE, "sam", False),
        (A.SUBMIT_SELF, "sam", False),
        (A.SAVE, "sue", False),
        (A.SUBMIT_SUPERIOR, "sue", False),
        (A.AGREE, "rex", False),
        (A.ACKNOWLEDGE, "sam", False),
    ]
    first = a.events.order_by("at", "pk").first()
    assert first.changes == {
        "lines": {"1": {"self_score": ["", "90.00"]}, "2": {"self_score": ["", "80.00"], "self_comment": ["", "按时"]}},
        "step": [S.NOT_STARTED, S.SELF],
    }
    assert [e.version for e in a.events.order_by("at", "pk")] == [2, 3, 4, 5, 6, 7]


@pytest.mark.parametrize(
    ("who", "action"),
    [
        ("sue", A.SUBMIT_SELF),  # the superior cannot submit the person's self-assessment
        ("rex", A.SUBMIT_SELF),
        ("dot", A.SUBMIT_SELF),
        ("mia", A.SUBMIT_SELF),
        ("pat", A.SUBMIT_SELF),
        ("hr", A.SUBMIT_SELF),  # HR only when it says it acts on the person's behalf
    ],
)
def test_only_the_person_takes_the_self_step(world, who, action):
    users, a = world
    with pytest.raises(PermissionDenied):
        advance(users[who], a, action, version=a.version)
    assert fresh(a).step == S.NOT_STARTED
    assert not a.events.exists()


@pytest.mark.parametrize("who", ["sam", "rex", "dot", "mia", "pat", "hr"])
def test_only_a_holder_of_the_superior_post_scores(world, who):
    users, a = world
    a = self_assess(users, a)
    with pytest.raises(PermissionDenied):
        save_lines(users[who], a, version=a.version, values={1: {"superior_score": "85"}})
    assert lines(a)[1].superior_score is None


@pytest.mark.parametrize("who", ["sam", "sue", "dot", "mia", "pat"])
def test_only_the_second_level_reviews(world, who):
    users, a = world
    a = superior_scores(users, self_assess(users, a))
    for action in (A.AGREE, A.RETURN):
        with pytest.raises(PermissionDenied):
            advance(users[who], a, action, version=a.version, reason="再看看")
    assert fresh(a).step == S.REVIEW


def test_an_hr_editor_acts_on_someones_behalf_and_it_is_recorded(world):
    users, a = world
    a = save_lines(
        users["hr"], a, version=a.version, values={1: {"self_score": "70"}, 2: {"self_score": "70"}}, on_behalf=True
    )
    a = advance(users["hr"], a, A.SUBMIT_SELF, version=a.version, on_behalf=True)
    a = save_lines(
        users["hr"],
        a,
        version=a.version,
        values={1: {"superior_score": "60"}, 2: {"superior_score": "60"}},
        on_behalf=True,
    )
    a = advance(users["hr"], a, A.SUBMIT_SUPERIOR, version=a.version, on_behalf=True)
    a = advance(users["hr"], a, A.AGREE, version=a.version, on_behalf=True)
    assert a.step == S.DONE
    assert set(a.events.values_list("user__username", "on_behalf")) == {("hr", True)}


def test_the_dotted_line_superior_comments_but_never_scores(world):
    users, a = world
    a = self_assess(users, a)
    with pytest.raises(PermissionDenied):
        save_lines(users["dot"], a, version=a.version, values={1: {"superior_score": "85"}})
    advance(users["dot"], a, A.COMMENT, version=a.version, reason="协作良好")
    event = a.events.get(action=A.COMMENT)
    assert (event.user, event.comment) == (users["dot"], "协作良好")
    assert fresh(a).version == a.version  # a comment changes nothing of the assessment


def test_a_save_from_an_older_version_is_refused_and_writes_nothing(world):
    users, a = world
    stale = a.version
    a = save_lines(users["sam"], a, version=stale, values={1: {"self_score": "90"}})
    with translation.override("en"), pytest.raises(VersionConflict) as refused:
        save_lines(users["sam"], a, version=stale, values={1: {"self_score": "10"}})
    assert "now version 2; you started from version 1" in str(refused.value)
    with pytest.raises(VersionConflict) as refused:
        save_lines(users["sam"], a, version=stale, values={1: {"self_score": "10"}})
    assert "现为第 2 版" in str(refused.value)  # the default language
    with pytest.raises(VersionConflict):
        advance(users["sam"], a, A.SUBMIT_SELF, version=stale)
    assert lines(a)[1].self_score == Decimal("90")
    assert fresh(a).step == S.SELF
    assert a.events.count() == 1


def test_a_closed_cycle_is_read_only(world):
    users, a = world
    close_cycle(a.cycle)
    with translation.override("en"), pytest.raises(ValidationError, match="closed"):
        save_lines(users["sam"], a, version=a.version, values={1: {"self_score": "90"}})
    with translation.override("en"), pytest.raises(ValidationError, match="closed"):
        advance(users["hr"], a, A.SUBMIT_SELF, version=a.version, on_behalf=True)
    assert lines(a)[1].self_score is None
    assert not a.events.exists()


def test_a_done_assessment_takes_no_more_scores(world):
    users, a = world
    a = advance(users["rex"], superior_scores(users, self_assess(users, a)), A.AGREE, version=fresh(a).version)
    for who, field in (("sue", "superior_score"), ("sam", "self_score")):
        with pytest.raises((PermissionDenied, ValidationError)):
            save_lines(users[who], a, version=a.version, values={1: {field: "10"}})
    assert lines(a)[1].superior_score == Decimal("85")


@pytest.mark.parametrize(
    ("language", "value", "message"),
    [
        ("en", "101", "from 0 to 100"),
        ("en", "很好", "is not a score"),
        ("zh-hans", "101", "0"),
        ("zh-hans", "很好", "很好"),
    ],
)
def test_a_bad_score_is_refused_at_its_field_in_the_users_language_and_nothing_is_saved(
    world, language, value, message
):
    users, a = world
    with translation.override(language), pytest.raises(ValidationError) as refused:
        save_lines(
            users["sam"],
            a,
            version=a.version,
            values={1: {"self_score": "90"}, 2: {"self_score": value, "self_comment": "好"}},
        )
    with translation.override(language):
        errors = {key: [str(m) for m in messages] for key, messages in refused.value.message_dict.items()}
    assert list(errors) == ["lines.2.self_score"]
    assert message in errors["lines.2.self_score"][0]
    if language == "zh-hans":
        assert any("\u4e00" <= ch <= "\u9fff" for ch in errors["lines.2.self_score"][0].replace(value, ""))
    got = lines(a)
    assert got[1].self_score is None and got[2].self_comment == ""
    assert fresh(a).version == a.version and not a.events.exists()


def test_a_score_for_a_line_the_assessment_has_not_is_refused(world):
    users, a = world
    with pytest.raises(ValidationError) as refused:
        save_lines(users["sam"], a, version=a.version, values={9: {"self_score": "90"}})
    assert list(refused.value.message_dict) == ["lines.9"]


def test_the_person_cannot_fill_in_the_superiors_fields(world):
    users, a = world
    with pytest.raises(ValidationError) as refused:
        save_lines(users["sam"], a, version=a.version, values={1: {"superior_score": "100"}})
    assert list(refused.value.message_dict) == ["lines.1.superior_score"]


def test_the_self_step_needs_every_self_score(world):
    users, a = world
    a = save_lines(users["sam"], a, version=a.version, values={1: {"self_score": "90"}})
    with pytest.raises(ValidationError) as refused:
        advance(users["sam"], a, A.SUBMIT_SELF, version=a.version)
    assert list(refused.value.message_dict) == ["lines.2.self_score"]


def test_the_superior_cannot_submit_before_every_line_is_scored(world):
    users, a = world
    a = self_assess(users, a)
    a = save_lines(users["sue"], a, version=a.version, values={1: {"superior_score": "80"}})
    with pytest.raises(ValidationError):
        advance(users["sue"], a, A.SUBMIT_SUPERIOR, version=a.version)
    assert fresh(a).step == S.SUPERIOR


def test_returning_and_disagreeing_need_a_reason(world):
    users, a = world
    a = superior_scores(users, self_assess(users, a))
    with pytest.raises(ValidationError) as refused:
        advance(users["rex"], a, A.RETURN, version=a.version, reason="  ")
    assert list(refused.value.message_dict) == ["reason"]
    a = advance(users["rex"], a, A.RETURN, version=a.version, reason="第二项偏高")
    assert a.step == S.SUPERIOR
    a = advance(users["rex"], superior_scores(users, a), A.AGREE, version=fresh(a).version)
    with pytest.raises(ValidationError) as refused:
        advance(users["sam"], a, A.DISAGREE, version=a.version)
    assert list(refused.value.message_dict) == ["reason"]


def test_a_disagreement_reopens_superior_scoring_once_then_stands_with_both_reasons(world):
    users, a = world
    a = superior_scores(users, self_assess(users, a))
    a = advance(users["rex"], a, A.AGREE, version=a.version)
    a = advance(users["sam"], a, A.DISAGREE, version=a.version, reason="第一项完成超额")
    assert a.step == S.SUPERIOR  # reopened
    a = superior_scores(users, a, scores=("90", "75"))
    a = advance(users["rex"], a, A.AGREE, version=a.version)
    a = advance(users["sam"], a, A.DISAGREE, version=a.version, reason="仍然不同意")
    assert fresh(a).step == S.DISAGREED
    assert list(a.events.filter(action=A.DISAGREE).order_by("at", "pk").values_list("comment", flat=True)) == [
        "第一项完成超额",
        "仍然不同意",
    ]
    assert not access.may_act(users["sam"], fresh(a))
    with pytest.raises(ValidationError):
        advance(users["sam"], fresh(a), A.ACKNOWLEDGE, version=fresh(a).version)


def test_the_person_does_not_see_the_superiors_scores_before_done(world):
    users, a = world
    a = superior_scores(users, self_assess(users, a))
    assert not access.may_see_superior_scores(users["sam"], fresh(a))
    assert access.may_see_superior_scores(users["rex"], fresh(a))
    a = advance(users["rex"], a, A.AGREE, version=a.version)
    assert access.may_see_superior_scores(users["sam"], fresh(a))


def test_with_a_self_weight_of_0_the_superior_skips_the_self_assessment(db):
    users, a = assessment_org(self_weight=0)
    a = save_lines(
        users["sue"], a, version=a.version, values={1: {"superior_score": "80"}, 2: {"superior_score": "80"}}
    )
    assert a.step == S.SUPERIOR
    assert a.events.get().changes["step"] == [S.NOT_STARTED, S.SUPERIOR]
    a = advance(users["sue"], a, A.SUBMIT_SUPERIOR, version=a.version)
    assert a.step == S.REVIEW


def test_with_a_self_weight_above_0_the_superior_waits_for_the_self_assessment(world):
    users, a = world
    with pytest.raises(PermissionDenied):
        save_lines(users["sue"], a, version=a.version, values={1: {"superior_score": "80"}})
    with pytest.raises(ValidationError):
        advance(users["sue"], a, A.SUBMIT_SUPERIOR, version=a.version)


def test_a_post_whose_superior_has_no_superior_is_done_without_review(world):
    users, _ = world
    top = Assessment.objects.get(position_code="TOP")  # its superior BIG is the root: nobody reviews
    a = save_lines(users["rex"], top, version=top.version, values={1: {"self_score": "90"}, 2: {"self_score": "90"}})
    a = advance(users["rex"], a, A.SUBMIT_SELF, version=a.version)
    a = save_lines(
        users["mia"], a, version=a.version, values={1: {"superior_score": "80"}, 2: {"superior_score": "80"}}
    )
    a = advance(users["mia"], a, A.SUBMIT_SUPERIOR, version=a.version)
    assert a.step == S.DONE


@pytest.mark.django_db(transaction=True)
def test_of_two_people_saving_at_once_one_wins_and_the_other_gets_the_conflict():
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent writers: PostgreSQL (CI runs on it); SQLite serialises whole transactions")
    users, a = assessment_org(self_weight=20)
    hr = make_user("hr", HR_EDITOR)
    start = threading.Barrier(2)
    outcomes = {}

    def worker(who, user, score, on_behalf):
        try:
            start.wait()
            save_lines(user, a, version=a.version, values={1: {"self_score": score}}, on_behalf=on_behalf)
            outcomes[who] = "saved"
        except VersionConflict:
            outcomes[who] = "conflict"
        except Exception as error:  # noqa: BLE001 - any other failure in a thread must fail the test
            outcomes[who] = error
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=worker, args=("sam", users["sam"], "90", False)),
        threading.Thread(target=worker, args=("hr", hr, "60", True)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes.values()) == ["conflict", "saved"], outcomes
    (winner,) = [who for who, outcome in outcomes.items() if outcome == "saved"]
    assert lines(a)[1].self_score == Decimal("90" if winner == "sam" else "60")
    assert fresh(a).version == 2 and a.events.count() == 1
