"""The one rule for a complete job description, as every page shows it."""

from decimal import Decimal

import pytest
from django.utils import translation

from positions.models import Position
from tests.factories import KPIFactory, PositionFactory, complete_position

pytestmark = pytest.mark.django_db


def problems(position):
    return Position.objects.with_facts().get(pk=position.pk).problems


def test_a_full_description_with_weights_summing_to_100_is_complete():
    assert problems(complete_position(kpis=3)) == []


def test_weights_off_100_are_reported_with_the_total():
    position = complete_position(kpis=2)
    position.kpis.filter(order=2).update(weight=Decimal("12.5"))
    with translation.override("en"):
        assert problems(position) == ["KPI weights total 62.5%, not 100%."]


def test_exact_decimals_sum_to_100_without_float_error():
    position = complete_position(kpis=1)
    position.kpis.all().delete()
    for order, weight in enumerate(["33.33", "33.33", "33.34"], start=1):
        KPIFactory(position=position, order=order, weight=Decimal(weight))
    assert problems(position) == []


def test_missing_parts_are_each_named():
    position = PositionFactory()
    with translation.override("en"):
        assert problems(position) == [
            "No duties (岗位职责) are listed.",
            "No qualifications (任职条件) are listed.",
            "No training requirements (培训要求) are listed.",
            "No KPIs (考核标准) are listed.",
        ]


def test_a_post_without_description_says_only_that():
    position = PositionFactory(has_description=False)
    with translation.override("en"):
        assert problems(position) == ["No job description on file for this position."]


def test_problems_are_in_the_users_language():
    position = PositionFactory(has_description=False)
    with translation.override("zh-hans"):
        (problem,) = problems(position)
    assert "岗位说明书" in problem and "description" not in problem


def test_unannotated_positions_are_judged_the_same(django_assert_num_queries):
    position = complete_position(kpis=2)
    position.kpis.filter(order=1).update(weight=None)
    fresh = Position.objects.get(pk=position.pk)
    expected = problems(position)
    with django_assert_num_queries(1):  # the facts, read once and then cached
        assert fresh.problems == expected
        assert not fresh.is_complete


def test_counting_from_rows_agrees_with_the_database_annotations(seed):
    from positions.queries import card_queryset

    annotated = {p.code: p.facts for p in Position.objects.with_facts()}
    from_rows = {p.code: p.facts for p in card_queryset()}
    assert from_rows == annotated
    assert len(annotated) == 12
