"""Database constraints and tree rules, with the messages users see."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from assessments.models import KPI
from positions.models import Position
from tests.factories import KPIFactory, PositionFactory

pytestmark = pytest.mark.django_db


def test_codes_are_unique_in_the_database():
    PositionFactory(code="DPT-X-01")
    with pytest.raises(IntegrityError), transaction.atomic():
        Position.objects.create(code="DPT-X-01", title="重复")


def test_duplicate_code_gets_a_clear_message():
    PositionFactory(code="DPT-X-01")
    with pytest.raises(ValidationError) as caught:
        Position(code="DPT-X-01", title="重复").full_clean()
    assert "code" in caught.value.message_dict


@pytest.mark.parametrize("weight", [Decimal("0"), Decimal("-5"), Decimal("100.01")])
def test_the_database_refuses_weights_out_of_range(weight):
    position = PositionFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        KPI.objects.create(position=position, order=1, responsibility="x", weight=weight)


def test_weight_range_is_explained_by_validation():
    kpi = KPI(position=PositionFactory(), order=1, responsibility="x", weight=Decimal("120"))
    with pytest.raises(ValidationError) as caught:
        kpi.full_clean()
    assert "weight" in caught.value.message_dict


def test_kpi_order_is_unique_per_position():
    position = PositionFactory()
    KPIFactory(position=position, order=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        KPIFactory(position=position, order=1)


def test_weights_are_stored_exactly():
    kpi = KPIFactory(position=PositionFactory(), weight=Decimal("33.33"))
    kpi.refresh_from_db()
    assert kpi.weight == Decimal("33.33")


def test_a_position_cannot_report_to_its_own_subordinate():
    boss = PositionFactory()
    deputy = PositionFactory(parent=boss)
    boss.parent = deputy
    with pytest.raises(ValidationError) as caught:
        boss.full_clean()
    assert "parent" in caught.value.message_dict


def test_a_position_cannot_report_to_itself():
    boss = PositionFactory()
    boss.parent = boss
    with pytest.raises(ValidationError):
        boss.full_clean()


def test_moving_a_subtree_keeps_the_tree_consistent():
    root = PositionFactory(code="A")
    left, right = PositionFactory(code="B", parent=root), PositionFactory(code="C", parent=root)
    PositionFactory(code="B1", parent=left)
    stale_left = Position.objects.get(code="B")  # loaded before another change renumbers the tree
    PositionFactory(code="A0", parent=root)
    stale_left.parent = Position.objects.get(code="C")
    stale_left.save()
    moved = Position.objects.get(code="B1")
    assert [p.code for p in moved.get_ancestors()] == ["A", "C", "B"]
    assert Position.objects.get(code="C").get_descendant_count() == 2
    assert right.pk and Position.objects.get(code="A").get_descendant_count() == 4


def test_a_position_with_direct_reports_cannot_be_deleted():
    boss = PositionFactory()
    PositionFactory(parent=boss)
    with pytest.raises(ProtectedError):
        boss.delete()


def test_only_primary_holders_fill_headcount():
    from positions.querysets import holder_counts
    from tests.factories import AssignmentFactory

    position = PositionFactory(headcount=3)
    AssignmentFactory(position=position)
    AssignmentFactory(position=position, kind="concurrent")
    assert holder_counts(Position.objects.filter(pk=position.pk)) == {position.pk: 1}


def test_renumbering_restores_exactly_what_mptt_built():
    from portal.models import TREE_FIELDS, renumber

    root = PositionFactory(code="R")
    for code in ["R-B", "R-A", "R-C"]:
        PositionFactory(code=code, parent=Position.objects.get(pk=root.pk))
    PositionFactory(code="R-A-1", parent=Position.objects.get(code="R-A"))
    PositionFactory(code="S")  # a second tree
    built = sorted(Position.objects.values_list("code", *TREE_FIELDS))
    Position.objects.update(lft=0, rght=0, level=0)

    assert renumber(Position) == len(built)
    assert sorted(Position.objects.values_list("code", *TREE_FIELDS)) == built
    assert renumber(Position) == 0  # nothing left to change
