"""`manage.py synth_org`: a realistic synthetic organisation, a valid mptt tree, and safe re-runs."""

import re
from bisect import bisect_right
from collections import Counter, defaultdict
from decimal import Decimal
from io import StringIO
from statistics import mean

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, Max, Min, Q, Sum

from assessments.models import KPI
from org_tree.models import Department, Grade, JobCategory, JobFamily
from positions.completeness import judge
from positions.management.commands.synth_org import EDUCATION_WORDS, NUMERALS, YEARS_WORDS, delete_synthetic
from positions.models import Assignment, DescriptionItem, JDTemplate, Person, Position, PositionLink
from positions.querysets import facts_by_position
from tests.factories import (
    AssignmentFactory,
    GradeFactory,
    JobCategoryFactory,
    JobFamilyFactory,
    LinkFactory,
    PositionFactory,
)

SIZE = 300
EDUCATION = list(Position.Education.values)


def synth(**options):
    output = StringIO()
    call_command("synth_org", positions=SIZE, seed=1, stdout=output, **options)
    return output.getvalue()


def synthetic():
    return Position.objects.filter(code__startswith="SYN-")


def synthetic_rows():
    """How many synthetic rows of each kind there are, the rows hanging off synthetic positions included."""
    return {
        "positions": synthetic().count(),
        "departments": Department.objects.filter(code__startswith="SYN-").count(),
        "categories": JobCategory.objects.filter(code__startswith="SYN-").count(),
        "families": JobFamily.objects.filter(code__startswith="SYN-").count(),
        "grades": Grade.objects.filter(code__startswith="SYN-").count(),
        "people": Person.objects.filter(employee_number__startswith="SYN-").count(),
        "assignments": Assignment.objects.filter(
            Q(position__code__startswith="SYN-") | Q(person__employee_number__startswith="SYN-")
        ).count(),
        "links": PositionLink.objects.filter(
            Q(source__code__startswith="SYN-") | Q(target__code__startswith="SYN-")
        ).count(),
        "items": DescriptionItem.objects.filter(position__code__startswith="SYN-").count(),
        "kpis": KPI.objects.filter(position__code__startswith="SYN-").count(),
    }


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


def snapshot():
    """Everything the generator decides, in a comparable form."""
    positions = list(
        synthetic()
        .order_by("code")
        .values_list(
            "code",
            "title",
            "parent__code",
            "headcount",
            "status",
            "department__name",
            "job_family__name",
            "grade__code",
            "purpose",
            "work_environment",
            "education",
            "major",
            "experience_years",
        )
    )
    items = list(
        DescriptionItem.objects.filter(position__code__startswith="SYN-")
        .order_by("position__code", "kind", "order")
        .values_list("position__code", "kind", "order", "text", "share")
    )
    kpis = list(
        KPI.objects.filter(position__code__startswith="SYN-")
        .order_by("position__code", "order")
        .values_list("position__code", "order", "responsibility", "weight", "standard", "cycle")
    )
    links = sorted(
        PositionLink.objects.filter(source__code__startswith="SYN-").values_list(
            "source__code", "kind", "order", "target__code"
        )
    )
    assignments = sorted(
        Assignment.objects.filter(person__employee_number__startswith="SYN-").values_list(
            "person__employee_number", "person__name", "kind", "position__code"
        )
    )
    return positions, items, kpis, links, assignments


def rank(position):
    return position.grade.rank


def is_ancestor(upper, lower):
    return upper.tree_id == lower.tree_id and upper.lft < lower.lft and upper.rght > lower.rght


def facts_and_problems():
    """{position: (facts, problems)} by the completeness rule under the default JD template."""
    required = JDTemplate.current().required
    facts = facts_by_position(synthetic())
    positions = synthetic().in_bulk()
    return {positions[pk]: (row, judge(row, required)) for pk, row in facts.items()}


def shares_wrong(facts):
    shared = facts["n_duties_shared"]
    return bool(shared) and (shared != facts["n_duties"] or facts["duty_share_total"] != Decimal(100))


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
    first = synthetic_rows()

    synth(replace=True)

    assert synthetic_rows() == first
    assert_valid_tree(tree_rows(synthetic()))


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_organisation():
    synth()
    first = snapshot()

    synth(replace=True)

    assert snapshot() == first


@pytest.mark.django_db
def test_another_seed_gives_another_organisation():
    synth()
    first = snapshot()

    call_command("synth_org", positions=SIZE, seed=2, replace=True, stdout=StringIO())

    assert snapshot() != first


@pytest.mark.django_db
def test_creates_five_job_categories_with_their_families_and_grade_ladders():
    synth()

    categories = {c.name: c for c in JobCategory.objects.filter(code__startswith="SYN-")}
    assert set(categories) == {"管理类", "技术类", "营销类", "职能类", "操作类"}
    families = JobFamily.objects.filter(code__startswith="SYN-")
    assert {"网络运维", "客户服务", "软件研发", "销售", "市场", "财务", "人力资源", "行政"} <= set(
        families.values_list("name", flat=True)
    )
    assert all(category.families.exists() for category in categories.values())

    ladders = defaultdict(list)
    for grade in Grade.objects.filter(code__startswith="SYN-").prefetch_related("categories"):
        ladders[frozenset(c.name for c in grade.categories.all())].append((grade.rank, grade.code))
    assert {names: [code for _rank, code in sorted(grades)] for names, grades in ladders.items()} == {
        frozenset({"管理类"}): [f"SYN-M{n}" for n in range(1, 6)],
        frozenset({"技术类", "营销类", "职能类"}): [f"SYN-P{n}" for n in range(1, 11)],
        frozenset({"操作类"}): [f"SYN-O{n}" for n in range(1, 6)],
    }
    ranks = dict(Grade.objects.filter(code__startswith="SYN-").values_list("code", "rank"))
    # One scale: a manager grade sits just above its parallel professional grade; operators below professionals.
    assert ranks["SYN-P6"] < ranks["SYN-M1"] < ranks["SYN-P7"]
    assert ranks["SYN-P10"] < ranks["SYN-M5"]
    assert ranks["SYN-O5"] < ranks["SYN-P5"]


@pytest.mark.django_db
def test_every_position_has_a_family_and_a_grade_that_applies_to_its_category():
    synth()

    positions = synthetic().select_related("job_family__category", "grade").prefetch_related("grade__categories")
    for position in positions:
        assert position.job_family is not None and position.grade is not None, position
        assert position.job_family.code.startswith("SYN-") and position.grade.code.startswith("SYN-"), position
        assert position.grade.applies_to(position.job_family), position
        position.full_clean()  # the model's own rule agrees
    used = Counter(p.job_family.category.name for p in positions)
    assert set(used) == {"管理类", "技术类", "营销类", "职能类", "操作类"}


@pytest.mark.django_db
def test_families_fit_the_titles():
    synth()

    expected = {
        "会计": "财务",
        "出纳": "财务",
        "开发工程师": "软件研发",
        "测试工程师": "软件测试",
        "客服代表": "客户服务",
        "热线坐席员": "客户服务",
        "招聘专员": "人力资源",
        "网络工程师": "网络运维",
        "监控值班员": "运行值守",
        "司机": "后勤服务",
        "大客户代表": "销售",
    }
    staff = synthetic().filter(children__isnull=True).select_related("job_family__category")
    checked = 0
    for position in staff:
        for ending, family in expected.items():
            if position.title.endswith(ending):
                assert position.job_family.name == family, position
                checked += 1
    assert checked >= 10
    heads = synthetic().filter(children__isnull=False, level__lte=2).select_related("job_family__category")
    assert all(p.job_family.category.name == "管理类" for p in heads)
    assert {p.job_family.name for p in heads if p.level <= 1} == {"经营管理"}
    assert all(p.job_family.category.name != "管理类" for p in staff)


@pytest.mark.django_db
def test_grades_follow_the_level_and_the_seniority_in_the_title():
    synth()

    positions = list(synthetic().select_related("grade", "parent__grade"))
    top = next(p for p in positions if p.parent is None)
    assert top.grade.code == "SYN-M5"
    assert all(p.grade.code == "SYN-M4" for p in positions if p.level == 1 and p.title.endswith("区总经理"))
    for position in positions:
        if position.parent is not None:
            assert rank(position) <= rank(position.parent), "nobody outranks their direct superior"

    by_level = defaultdict(list)
    for position in positions:
        by_level[position.level].append(rank(position))
    deepest = max(by_level)
    upper = mean(r for level in (0, 1, 2) for r in by_level[level])
    middle = mean(r for level in (3, 4) for r in by_level[level])
    lower = mean(r for level in range(5, deepest + 1) for r in by_level[level])
    assert upper > middle > lower
    assert not any(p.grade.code.startswith("SYN-M") for p in positions if p.level == deepest)
    assert mean(by_level[deepest]) < 45, "deep staff have low P or O grades"

    staff = [p for p in positions if not p.children.exists() and p.grade.code.startswith("SYN-P")]
    level = Counter(p.level for p in staff).most_common(1)[0][0]
    by_seniority = defaultdict(list)
    for position in staff:
        if position.level == level:
            role = position.title.removeprefix(position.department.name)
            seniority = next((word for word in ("资深", "高级", "助理") if role.startswith(word)), "")
            by_seniority[seniority].append(rank(position))
    averages = {word: mean(ranks) for word, ranks in by_seniority.items()}
    assert averages["资深"] > averages["高级"] > averages[""] > averages["助理"]


@pytest.mark.django_db
def test_every_position_has_a_purpose_built_from_its_title_and_unit():
    synth()

    for position in synthetic().select_related("parent", "department"):
        purpose = position.purpose
        assert purpose.endswith("。") and 1 <= purpose.count("。") <= 2, position
        if position.parent is None:
            assert position.department.name in purpose
        else:
            assert purpose.startswith(f"在{position.parent.title}的领导下,"), position
        if position.children.exists() and position.level <= 3:
            assert position.department.name in purpose, position


@pytest.mark.django_db
def test_most_positions_have_authorities_relations_an_environment_and_structured_qualifications():
    synth()

    kinds = DescriptionItem.Kind
    positions = synthetic().annotate(
        reports=Count("children", distinct=True),
        authorities=Count("items", filter=Q(items__kind=kinds.AUTHORITY), distinct=True),
        internal=Count("items", filter=Q(items__kind=kinds.INTERNAL), distinct=True),
        external=Count("items", filter=Q(items__kind=kinds.EXTERNAL), distinct=True),
    )
    managers = [p for p in positions if p.reports]
    staff = [p for p in positions if not p.reports]
    assert mean(bool(p.authorities) for p in managers) >= 0.85
    assert 0.5 <= mean(bool(p.authorities) for p in staff) <= 0.9
    assert mean(p.authorities for p in managers) > mean(p.authorities for p in staff)
    assert mean(bool(p.internal) for p in positions) >= 0.7
    assert 0.15 <= mean(bool(p.external) for p in positions) <= 0.7
    assert 0.4 <= mean(bool(p.work_environment) for p in positions) <= 0.8

    manager_lines = " ".join(
        DescriptionItem.objects.filter(position__in=[p.pk for p in managers], kind=kinds.AUTHORITY).values_list(
            "text", flat=True
        )
    )
    for power in ("审批权", "人事建议权", "考核权"):
        assert power in manager_lines

    assert mean(bool(p.education) for p in positions) >= 0.8
    assert all(p.education in EDUCATION for p in positions if p.education)
    assert mean(bool(p.major) for p in positions) >= 0.7
    years = [p.experience_years for p in positions if p.experience_years is not None]
    assert len(years) >= 0.8 * SIZE
    assert all(0 <= y <= 15 for y in years) and max(years) > min(years)
    top = next(p for p in positions if p.parent_id is None)
    assert top.experience_years is None or top.experience_years >= 10


@pytest.mark.django_db
def test_structured_qualifications_never_ask_for_less_than_the_qualification_lines():
    synth()

    lines = defaultdict(list)
    for pk, text in DescriptionItem.objects.filter(
        position__code__startswith="SYN-", kind=DescriptionItem.Kind.QUALIFICATION
    ).values_list("position", "text"):
        lines[pk].append(text)
    compared = 0
    for position in synthetic().exclude(education=""):
        text = "".join(lines[position.pk])
        for word, education in EDUCATION_WORDS:
            if word in text:
                assert EDUCATION.index(position.education) >= EDUCATION.index(education), position
                compared += 1
        for numeral in YEARS_WORDS.findall(text):
            assert position.experience_years >= NUMERALS[numeral], position
    assert compared


@pytest.mark.django_db
def test_about_30_percent_have_duty_time_shares_and_on_complete_positions_they_total_exactly_100():
    synth()

    assert not DescriptionItem.objects.filter(share__isnull=False).exclude(kind=DescriptionItem.Kind.DUTY).exists()
    facts = facts_and_problems()
    timed = [position for position, (row, _problems) in facts.items() if row["n_duties_shared"]]
    assert 0.2 * SIZE <= len(timed) <= 0.4 * SIZE
    complete = [position for position in timed if not facts[position][1]]
    assert len(complete) >= 0.9 * len(timed)
    for position in complete:
        shares = list(position.items.filter(kind=DescriptionItem.Kind.DUTY).values_list("share", flat=True))
        assert None not in shares, position
        assert sum(shares) == Decimal(100), position
        assert all(share > 0 and share == share.quantize(Decimal("0.01")) for share in shares), position
    # Whole centres use time shares: their heads and their staff alike.
    assert any(position.level == 2 for position in timed) and any(position.level > 3 for position in timed)


@pytest.mark.django_db
def test_about_5_percent_stay_detectably_incomplete_some_by_their_time_shares_and_drafts_stay():
    synth()

    facts = facts_and_problems()
    incomplete = {position for position, (_row, problems) in facts.items() if problems}
    assert 0.02 * SIZE <= len(incomplete) <= 0.1 * SIZE
    kpi_flawed = {
        position
        for position, (row, _problems) in facts.items()
        if row["n_kpis_unweighted"] or row["n_kpis_without_standard"] or row["kpi_weight_total"] != Decimal(100)
    }
    assert incomplete == kpi_flawed, "every incomplete position has a KPI flaw"
    wrong_shares = {position for position, (row, _problems) in facts.items() if shares_wrong(row)}
    assert wrong_shares, "a spoiled position may also have time shares that do not total 100"
    assert wrong_shares <= incomplete
    assert synthetic().filter(status=Position.Status.DRAFT).exists()


@pytest.mark.django_db
def test_most_kpis_have_an_assessment_cycle():
    synth()

    cycles = list(KPI.objects.filter(position__code__startswith="SYN-").values_list("cycle", flat=True))
    assert 0.8 <= mean(bool(cycle) for cycle in cycles) < 1
    assert set(cycles) - {""} == set(KPI.Cycle.values)


@pytest.mark.django_db
def test_about_3_percent_have_a_dotted_line_to_a_manager_higher_up_in_another_branch():
    synth()

    dotted = list(
        PositionLink.objects.filter(source__code__startswith="SYN-", kind=PositionLink.Kind.DOTTED).select_related(
            "source", "target"
        )
    )
    assert 0.02 * SIZE <= len(dotted) <= 0.04 * SIZE
    assert len({link.source_id for link in dotted}) == len(dotted), "one dotted line per position"
    for link in dotted:
        source, target = link.source, link.target
        assert source != target
        assert target.children.exists(), "the dotted-line superior is a manager"
        assert target.level < source.level
        assert not is_ancestor(target, source), "in another branch, not the own chain of command"


@pytest.mark.django_db
def test_career_paths_promote_to_the_superior_and_rotate_with_a_differently_titled_sibling():
    synth()

    links = PositionLink.objects.filter(source__code__startswith="SYN-").select_related("source", "target")
    promotions = [link for link in links if link.kind == PositionLink.Kind.PROMOTION]
    rotations = [link for link in links if link.kind == PositionLink.Kind.ROTATION]
    assert 0.1 * SIZE <= len(promotions) <= 0.3 * SIZE
    assert all(link.target_id == link.source.parent_id for link in promotions)
    assert rotations
    pairs = {(link.source_id, link.target_id) for link in rotations}
    for link in rotations:
        assert link.source.parent_id == link.target.parent_id and link.source_id != link.target_id
        assert link.source.title != link.target.title
        assert (link.target_id, link.source_id) in pairs, "rotation goes both ways"
    keys = [(link.source_id, link.kind, link.target_id) for link in links]
    assert len(keys) == len(set(keys))
    orders = Counter((link.source_id, link.kind, link.order) for link in links)
    assert max(orders.values()) == 1, "links of one kind are numbered 1, 2, …"


@pytest.mark.django_db
def test_about_2_percent_of_people_hold_a_concurrent_post_beside_their_one_primary_post():
    synth()

    people = Person.objects.filter(employee_number__startswith="SYN-")
    assignments = Assignment.objects.current().filter(person__in=people).select_related("position")
    primary = {a.person_id: a.position for a in assignments if a.kind == Assignment.Kind.PRIMARY}
    concurrent = [a for a in assignments if a.kind == Assignment.Kind.CONCURRENT]
    assert Counter(a.person_id for a in assignments if a.kind == Assignment.Kind.PRIMARY).most_common(1)[0][1] == 1
    assert set(primary) == set(people.values_list("pk", flat=True))
    assert 0.01 * len(primary) <= len(concurrent) <= 0.03 * len(primary)
    assert len({a.person_id for a in concurrent}) == len(concurrent)
    for assignment in concurrent:
        own = primary[assignment.person_id]
        assert assignment.position != own
        assert assignment.position.title != own.title
        assert assignment.position.parent_id == own.parent_id
    # Only primary holders fill a post's headcount, and they never exceed it.
    primary_counts = Counter(a.position_id for a in assignments if a.kind == Assignment.Kind.PRIMARY)
    assert all(primary_counts[p.pk] <= p.headcount for p in synthetic())


@pytest.mark.django_db
def test_replace_and_delete_remove_everything_synthetic_and_leave_real_rows_alone():
    category = JobCategoryFactory(code="REAL-C", name="专业类")
    family = JobFamilyFactory(category=category, code="REAL-F", name="运维")
    grade = GradeFactory(code="REAL-G", rank=3)
    grade.categories.add(category)
    real = PositionFactory(code="REAL-1", job_family=family, grade=grade)
    other = PositionFactory(code="REAL-2")
    real_link = LinkFactory(source=real, target=other, kind=PositionLink.Kind.DOTTED)
    real_holder = AssignmentFactory(position=real)
    synth()
    first = synthetic_rows()
    some = synthetic().get(code="SYN-000002")
    LinkFactory(source=real, target=some, kind=PositionLink.Kind.PROMOTION)
    LinkFactory(source=some, target=other, kind=PositionLink.Kind.DOTTED)
    AssignmentFactory(person=real_holder.person, position=some, kind=Assignment.Kind.CONCURRENT)

    synth(replace=True)

    assert synthetic_rows() == first, "the links and the assignment into the old organisation went with it"

    assert delete_synthetic() == SIZE

    assert set(synthetic_rows().values()) == {0}
    assert Position.objects.filter(code__in=["REAL-1", "REAL-2"]).count() == 2
    assert PositionLink.objects.get() == real_link
    assert Assignment.objects.get() == real_holder
    assert real_holder.person in Person.objects.all()
    assert JobFamily.objects.get() == family and JobCategory.objects.get() == category
    assert Grade.objects.get() == grade and list(grade.categories.all()) == [category]


@pytest.mark.django_db
def test_a_real_position_with_a_synthetic_grade_blocks_replace_and_keeps_everything():
    synth()
    PositionFactory(code="REAL-1", grade=Grade.objects.get(code="SYN-P3"))
    before = synthetic_rows()

    with pytest.raises(CommandError, match="Real rows still refer to the synthetic organisation"):
        synth(replace=True)

    assert synthetic_rows() == before


@pytest.mark.django_db
def test_a_real_category_of_the_same_name_does_not_block_the_synthetic_one():
    JobCategoryFactory(code="REAL-M", name="管理类")

    synth()

    names = set(JobCategory.objects.filter(code__startswith="SYN-").values_list("name", flat=True))
    assert "管理类" not in names and len(names) == 5
    assert JobCategory.objects.get(code="REAL-M").name == "管理类"


@pytest.mark.django_db
def test_the_summary_reports_families_grades_dotted_lines_concurrent_posts_and_time_shares():
    output = synth()

    summary = output.strip().splitlines()[-1]
    numbers = {
        label: int(number)
        for number, label in re.findall(
            r"(\d+) (job families|grades|dotted lines|concurrent posts|positions with time shares)", summary
        )
    }
    assert numbers == {
        "job families": JobFamily.objects.filter(code__startswith="SYN-").count(),
        "grades": Grade.objects.filter(code__startswith="SYN-").count(),
        "dotted lines": PositionLink.objects.filter(
            source__code__startswith="SYN-", kind=PositionLink.Kind.DOTTED
        ).count(),
        "concurrent posts": Assignment.objects.filter(
            position__code__startswith="SYN-", kind=Assignment.Kind.CONCURRENT
        ).count(),
        "positions with time shares": synthetic().filter(items__share__isnull=False).distinct().count(),
    }
    assert f"Created {SIZE} synthetic positions" in summary


TARGET_FIELDS = ("metric", "unit", "direction", "target", "floor", "rule", "points")


def kpi_targets():
    return list(
        KPI.objects.filter(position__code__startswith="SYN-")
        .order_by("position__code", "order")
        .values_list("responsibility", *TARGET_FIELDS)
    )


@pytest.mark.django_db
def test_without_targets_no_kpi_has_one():
    synth()
    assert {row[1:] for row in kpi_targets()} == {("", "", "", None, None, "direct", None)}


@pytest.mark.django_db
def test_targets_gives_about_that_share_of_kpis_valid_targets_of_all_four_rules():
    synth(targets=0.4)
    rows = kpi_targets()
    with_target = [row for row in rows if row[6] != "direct" or row[4] is not None]
    assert 0.3 < len(with_target) / len(rows) < 0.5
    assert Counter(row[6] for row in with_target).keys() == {"direct", "linear", "threshold", "deduction"}
    for responsibility, *values in with_target:
        assert KPI.target_errors(dict(zip(TARGET_FIELDS, values, strict=True))) == {}, (responsibility, values)
        assert values[0], "every target has a metric name"


@pytest.mark.django_db
def test_targets_leave_the_rest_of_the_organisation_as_the_seed_gives_it_and_repeat_with_the_seed():
    synth()
    plain = [row[0] for row in kpi_targets()], Counter(synthetic().values_list("title", flat=True))
    synth(replace=True, targets=0.5)
    first = kpi_targets()
    assert ([row[0] for row in first], Counter(synthetic().values_list("title", flat=True))) == plain
    synth(replace=True, targets=0.5)
    assert kpi_targets() == first


@pytest.mark.django_db
@pytest.mark.parametrize("share", [-0.1, 1.5, float("nan")])
def test_targets_is_a_share_from_0_to_1(share):
    with pytest.raises(CommandError, match="--targets"):
        synth(targets=share)
