"""`manage.py synth_org`: a realistic synthetic organisation, a valid mptt tree, and safe re-runs."""

from bisect import bisect_right
from collections import defaultdict
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, Max, Min, Q, Sum

from org_tree.models import Department
from positions.models import DescriptionItem, Position

SIZE = 300


def synth(**options):
    call_command("synth_org", positions=SIZE, seed=1, stdout=StringIO(), **options)


def synthetic():
    return Position.objects.filter(code__startswith="SYN-")


def assert_valid_tree(nodes):
    """Every node's mptt numbers agree with the nodes actually inside its range, and with its parent."""
    by_tree = defaultdict(list)
    for node in nodes:
        by_tree[node["tree_id"]].append(node["lft"])
    for lefts in by_tree.values():
        lefts.sort()
        assert len(lefts) == len(set(lefts)), "two nodes share a lft"
    by_pk = {node["pk"]: node for node in nodes}
    for node in nodes:
        lefts = by_tree[node["tree_id"]]
        inside = bisect_right(lefts, node["rght"]) - bisect_right(lefts, node["lft"])
        assert (node["rght"] - node["lft"] - 1) // 2 == inside, node["code"]
        parent = by_pk.get(node["parent"])
        if parent is not None:
            assert parent["tree_id"] == node["tree_id"], node["code"]
            assert parent["lft"] < node["lft"] < node["rght"] < parent["rght"], node["code"]
            assert node["level"] == parent["level"] + 1, node["code"]


def tree_rows(queryset):
    return list(queryset.values("pk", "code", "parent", "tree_id", "lft", "rght", "level"))


@pytest.mark.django_db
def test_builds_the_requested_organisation():
    synth()

    positions = synthetic()
    assert positions.count() == SIZE
    levels = positions.aggregate(low=Min("level"), high=Max("level"))
    assert 6 <= levels["high"] - levels["low"] + 1 <= 10

    kinds = DescriptionItem.Kind
    facts = positions.annotate(
        duties=Count("items", filter=Q(items__kind=kinds.DUTY), distinct=True),
        qualifications=Count("items", filter=Q(items__kind=kinds.QUALIFICATION), distinct=True),
        kpi_count=Count("kpis", distinct=True),
    ).values("code", "duties", "qualifications", "kpi_count")
    for row in facts:
        assert row["duties"] >= 1, row
        assert row["qualifications"] >= 1, row
        assert 3 <= row["kpi_count"] <= 6, row

    totals = positions.annotate(total=Sum("kpis__weight")).values_list("total", flat=True)
    exact = sum(total == Decimal(100) for total in totals)
    assert exact >= 0.9 * SIZE
    assert exact < SIZE, "some positions should be left incomplete for the chart to flag"


@pytest.mark.django_db
def test_every_manager_has_3_to_12_reports():
    synth()

    spans = synthetic().annotate(reports=Count("children")).filter(reports__gt=0).values_list("reports", flat=True)
    assert spans
    assert all(3 <= span <= 12 for span in spans)


@pytest.mark.django_db
def test_the_tree_is_valid():
    synth()

    assert_valid_tree(tree_rows(synthetic()))
    assert_valid_tree(tree_rows(Department.objects.filter(code__startswith="SYN-")))


@pytest.mark.django_db
def test_lives_in_its_own_tree_and_leaves_the_seed_organisation_alone(seed):
    real = Position.objects.exclude(code__startswith="SYN-")
    before = tree_rows(real)

    synth()

    assert tree_rows(real) == before
    synthetic_trees = set(synthetic().values_list("tree_id", flat=True))
    assert synthetic_trees.isdisjoint(row["tree_id"] for row in before)
    assert_valid_tree(tree_rows(Position.objects.all()))


@pytest.mark.django_db
def test_refuses_to_run_twice_without_replace():
    synth()

    with pytest.raises(CommandError, match="--replace"):
        synth()
    assert synthetic().count() == SIZE


@pytest.mark.django_db
def test_replace_builds_it_again():
    synth()
    departments = Department.objects.filter(code__startswith="SYN-").count()

    synth(replace=True)

    assert synthetic().count() == SIZE
    assert Department.objects.filter(code__startswith="SYN-").count() == departments
    assert_valid_tree(tree_rows(synthetic()))


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_organisation():
    synth()
    first = list(synthetic().order_by("code").values_list("code", "title", "parent__code", "headcount"))

    synth(replace=True)

    assert list(synthetic().order_by("code").values_list("code", "title", "parent__code", "headcount")) == first
