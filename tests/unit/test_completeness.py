"""The one rule for a complete job description: pure (facts in, reasons out), and the same from SQL and documents."""

from decimal import Decimal

import pytest
from django.utils import translation

from positions.completeness import FACT_NAMES, KINDS, Judgement, empty_facts, facts_from_document, judge, judge_reasons
from positions.documents import judged, load_positions, position_document
from positions.models import DescriptionItem, JDTemplate, Position
from positions.querysets import facts_by_position
from positions.sections import DEFAULT_STATES, SECTION_KEYS, State
from tests.factories import (
    ItemFactory,
    JobFamilyFactory,
    KPIFactory,
    LinkFactory,
    PositionFactory,
    complete_position,
)

DEFAULT_REQUIRED = frozenset(key for key, state in DEFAULT_STATES.items() if state == State.REQUIRED)


def full_facts(**changes):
    """The facts of a job description that the default template finds complete."""
    facts = empty_facts()
    facts.update(n_duties=3, n_qualifications=2, n_training=1, n_kpis=2, kpi_weight_total=Decimal(100))
    facts.update(changes)
    return facts


def reasons(facts, required=DEFAULT_REQUIRED):
    with translation.override("en"):
        return judge(facts, required)


# Pure: no database.


def test_the_default_template_requires_the_seed_forms_four_sections():
    assert DEFAULT_REQUIRED == {"duties", "qualifications", "training", "kpis"}
    assert reasons(full_facts()) == []


def test_missing_parts_are_each_named_in_form_order():
    assert reasons(empty_facts()) == [
        "No duties (岗位职责) are listed.",
        "No qualifications (任职条件) are listed.",
        "No training requirements (培训要求) are listed.",
        "No KPIs (考核标准) are listed.",
    ]


def test_a_post_without_description_says_only_that():
    assert reasons(empty_facts(has_description=False)) == ["No job description on file for this position."]


def test_weights_off_100_are_reported_with_the_total():
    assert reasons(full_facts(kpi_weight_total=Decimal("62.5"))) == ["KPI weights total 62.5%, not 100%."]


def test_unweighted_and_standardless_kpis_are_counted():
    assert reasons(full_facts(n_kpis_unweighted=1, n_kpis_without_standard=2, kpi_weight_total=Decimal(60))) == [
        "1 KPI has no weight.",
        "2 KPIs have no performance standard.",
        "KPI weights total 60%, not 100%.",
    ]


def test_time_shares_are_optional_but_all_or_nothing_and_total_100():
    assert reasons(full_facts(n_duties_shared=3, duty_share_total=Decimal(100))) == []
    assert reasons(full_facts(n_duties_shared=2, duty_share_total=Decimal(100))) == ["1 duty has no time share."]
    assert reasons(full_facts(n_duties_shared=3, duty_share_total=Decimal("99.99"))) == [
        "Duty time shares total 99.99%, not 100%."
    ]


def kinds(facts, required=DEFAULT_REQUIRED):
    with translation.override("en"):
        return [(reason.kind, reason.message) for reason in judge_reasons(facts, required)]


def test_each_reason_has_a_kind_that_does_not_depend_on_its_numbers():
    """The worklist groups posts by kind: a KPI total of 90 and one of 80 are the same kind of problem."""
    ninety = kinds(full_facts(kpi_weight_total=Decimal(90), n_kpis_unweighted=1))
    eighty = kinds(full_facts(kpi_weight_total=Decimal(80), n_kpis_unweighted=3))

    assert [kind for kind, _message in ninety] == [kind for kind, _message in eighty]
    assert ninety == [
        ("kpis-without-weight", "1 KPI has no weight."),
        ("kpi-weight-total", "KPI weights total 90%, not 100%."),
    ]
    assert eighty[1] == ("kpi-weight-total", "KPI weights total 80%, not 100%.")


def test_every_kind_is_named_and_the_reasons_are_judges_own():
    everything = frozenset(SECTION_KEYS)
    cases = [
        empty_facts(has_description=False),
        empty_facts(),
        full_facts(
            n_duties_shared=1,
            duty_share_total=Decimal(40),
            n_kpis_unweighted=1,
            n_kpis_without_standard=1,
            kpi_weight_total=Decimal(70),
        ),
    ]
    seen = set()
    for facts in cases:
        reasons_given = judge_reasons(facts, everything)
        assert [reason.message for reason in reasons_given] == judge(facts, everything)
        assert Judgement(everything)(facts) == judge(facts, everything)
        assert Judgement(everything).reasons(tuple(facts[name] for name in FACT_NAMES)) == reasons_given
        seen |= {reason.kind for reason in reasons_given}
    assert seen == set(KINDS)  # every kind can happen, and every kind that happens has a title
    with translation.override("zh-hans"):
        assert str(KINDS["kpi-weight-total"]) == "考核标准权重合计不为 100%"


def test_every_section_can_be_required_by_the_template():
    everything = frozenset(SECTION_KEYS)
    problems = reasons(full_facts(), everything)
    assert problems == [
        "No purpose (岗位目的) is given.",
        "No working relations (工作关系) are listed.",
        "No authorities (工作权限) are listed.",
        "No minimum education (学历) is given.",
        "No work environment (工作环境) is described.",
        "No career paths (职业发展) are given.",
    ]
    filled = full_facts(
        has_purpose=True,
        n_external_relations=1,
        n_authorities=2,
        has_education=True,
        has_work_environment=True,
        n_career=1,
    )
    assert reasons(filled, everything) == []


def test_sections_that_are_not_required_may_be_empty():
    assert reasons(full_facts(n_training=0, n_kpis=0, kpi_weight_total=Decimal(0)), frozenset({"duties"})) == []


def test_kpis_that_exist_must_weigh_100_even_when_the_section_is_optional():
    assert reasons(full_facts(kpi_weight_total=Decimal(90)), frozenset()) == ["KPI weights total 90%, not 100%."]


def test_exact_decimals_from_a_document_sum_to_100_without_float_error():
    document = {"kpis": [{"weight": w, "standard": "x"} for w in (33.33, 33.33, 33.34)], "duties": [{"text": "a"}]}
    facts = facts_from_document(document)
    assert facts["kpi_weight_total"] == Decimal(100)
    assert "KPI weights" not in " ".join(reasons(facts))


def test_problems_are_in_the_users_language():
    with translation.override("zh-hans"):
        (problem,) = judge(empty_facts(has_description=False), DEFAULT_REQUIRED)
    assert "岗位说明书" in problem and "description" not in problem


# With the database: the JD template, and SQL agreeing with documents.


@pytest.mark.django_db
def test_the_template_saved_by_an_administrator_decides_what_is_required():
    template = JDTemplate.current()
    assert template.required == DEFAULT_REQUIRED  # nothing saved yet: the seed's form
    JDTemplate.objects.create(pk=1, sections={"purpose": "required", "training": "off", "kpis": "optional"})
    template = JDTemplate.current()
    assert template.required == {"purpose", "duties", "qualifications"}
    assert not template.uses("training")


@pytest.mark.django_db
def test_sql_facts_agree_with_document_facts_for_every_kind_of_row(seed):
    family = JobFamilyFactory()
    rich = complete_position(duties=3, kpis=3, job_family=family, purpose="为何设岗", education="bachelor")
    rich.items.filter(kind=DescriptionItem.Kind.DUTY).update(share=Decimal("33.33"))
    ItemFactory(position=rich, kind=DescriptionItem.Kind.AUTHORITY, order=1, text="审批权")
    ItemFactory(position=rich, kind=DescriptionItem.Kind.INTERNAL, order=1, text="财务部")
    ItemFactory(position=rich, kind=DescriptionItem.Kind.EXTERNAL, order=1, text="供应商")
    target = PositionFactory()
    LinkFactory(source=rich, target=target, kind="promotion")
    LinkFactory(source=rich, target=target, kind="dotted")
    spoiled = complete_position(kpis=2)
    spoiled.kpis.filter(order=1).update(weight=None, standard="")
    KPIFactory(position=spoiled, order=9, weight=Decimal("0.5"))

    from_sql = facts_by_position(Position.objects.all())
    from_documents = {p.pk: facts_from_document(position_document(p)) for p in load_positions(Position.objects.all())}
    assert from_sql == from_documents
    assert from_sql[rich.pk]["duty_share_total"] == Decimal("99.99")
    assert from_sql[rich.pk]["n_career"] == 1 and from_sql[rich.pk]["has_purpose"]
    assert len(from_sql) == 12 + 3


@pytest.mark.django_db
def test_the_judged_document_carries_the_totals_and_reasons():
    position = complete_position(kpis=2)
    position.kpis.filter(order=2).update(weight=Decimal("12.5"))
    (loaded,) = load_positions(Position.objects.filter(pk=position.pk))
    with translation.override("en"):
        document = judged(position_document(loaded), DEFAULT_REQUIRED)
    assert document["kpi_weight_total"] == 62.5
    assert document["duty_share_total"] is None
    assert document["complete"] is False
    assert document["problems"] == ["KPI weights total 62.5%, not 100%."]
