"""Opening and closing assessment cycles (assessments/services/opening.py and the open_cycle and close_cycle
commands): who is assessed, what is frozen (the KPIs as published at the instant of opening, from the
history), which posts are left out and why, the refusals in both languages, and all or nothing."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from assessments.models import KPI, Assessment, AssessmentCycle, AssessmentLine
from assessments.services.opening import close_cycle, ensure_open, open_cycle, reason_text
from positions import history
from positions.models import Assignment, Position
from positions.services.approval import submit
from positions.services.editing import Save, save_documents
from tests.factories import AssignmentFactory, DepartmentFactory, PersonFactory, PositionFactory, complete_position
from tests.helpers import document_of, snapshot

YEAR = {"starts_on": datetime.date(2026, 1, 1), "ends_on": datetime.date(2026, 12, 31)}
Q4 = {"starts_on": datetime.date(2026, 10, 1), "ends_on": datetime.date(2026, 12, 31)}


def yearly(name="2026 年度", **options):
    return open_cycle(name=name, kpi_cycle=KPI.Cycle.YEARLY, **{**YEAR, **options})


def holds(person, position, kind=Assignment.Kind.PRIMARY):
    return AssignmentFactory(person=person, position=position, kind=kind)


@pytest.fixture
def org(db):
    return assessed_org()


def assessed_org():
    """总部 (HQ) with 销售部 (SALES) and 研发部 (RND) under it. Assessable in a yearly cycle: BOSS, SELLER and DEV
    (SELLER has a quarterly KPI and a yearly one); left out: DRAFT (a draft), HALF (KPI weights total 90), QTR
    (quarterly KPIs only). Ann holds BOSS, Bob SELLER and DEV as a concurrent post, Cat DEV, Dan HALF, Eve DRAFT,
    Fay QTR. Every post has its version in the history, as every writer records."""
    hq = DepartmentFactory(code="HQ", name="总部")
    sales = DepartmentFactory(code="SALES", name="销售部", parent=hq)
    rnd = DepartmentFactory(code="RND", name="研发部", parent=hq)
    boss = complete_position(code="BOSS", department=hq)
    seller = complete_position(code="SELLER", parent=boss, department=sales)
    KPI.objects.filter(position=seller, order=1).update(cycle=KPI.Cycle.QUARTERLY)
    dev = complete_position(code="DEV", parent=boss, department=rnd)
    draft = PositionFactory(code="DRAFT", status=Position.Status.DRAFT, department=rnd, parent=boss)
    half = complete_position(code="HALF", parent=boss, department=sales)
    KPI.objects.filter(position=half, order=1).update(weight=Decimal("40"))
    quarterly = complete_position(code="QTR", parent=boss, department=rnd)
    KPI.objects.filter(position=quarterly).update(cycle=KPI.Cycle.QUARTERLY)
    people = {name: PersonFactory(name=name) for name in ("Ann", "Bob", "Cat", "Dan", "Eve", "Fay")}
    holds(people["Ann"], boss)
    holds(people["Bob"], seller)
    holds(people["Bob"], dev, Assignment.Kind.CONCURRENT)
    holds(people["Cat"], dev)
    holds(people["Dan"], half)
    holds(people["Eve"], draft)
    holds(people["Fay"], quarterly)
    history.record(Position.objects.values_list("pk", flat=True))
    return people


def assessed(cycle):
    return sorted((a.position_code, a.person.name, a.kind, a.share) for a in cycle.assessments.select_related("person"))


def frozen(cycle, code):
    assessment = cycle.assessments.filter(position_code=code).first()
    return list(assessment.lines.order_by("order").values("order", "responsibility", "weight", "standard", "cycle"))


def test_opening_creates_one_assessment_per_primary_holder_of_every_assessable_post(org):
    cycle = yearly()

    assert assessed(cycle) == [
        ("BOSS", "Ann", "primary", Decimal("100")),
        ("DEV", "Cat", "primary", Decimal("100")),
        ("SELLER", "Bob", "primary", Decimal("100")),
    ]
    assert cycle.is_open and cycle.opened_at is not None
    assert set(cycle.assessments.values_list("step", flat=True)) == {Assessment.Step.NOT_STARTED}
    assert set(cycle.assessments.values_list("department_name", flat=True)) == {"总部", "销售部", "研发部"}


def test_only_the_kpis_of_the_cycle_type_are_frozen_and_kpis_without_a_cycle_count_as_yearly(org):
    seller = document_of("SELLER")["kpis"]

    year = yearly()
    quarter = open_cycle(name="2026 Q4", kpi_cycle=KPI.Cycle.QUARTERLY, **Q4)

    assert [line["responsibility"] for line in frozen(year, "SELLER")] == [seller[1]["responsibility"]]
    assert frozen(year, "SELLER")[0]["order"] == 1
    assert [line["responsibility"] for line in frozen(quarter, "SELLER")] == [seller[0]["responsibility"]]
    assert sorted(a.position_code for a in quarter.assessments.all()) == ["QTR", "SELLER"]


def test_posts_that_cannot_be_assessed_are_kept_on_the_cycle_with_their_reasons(org):
    cycle = yearly()

    left_out = {entry["code"]: entry for entry in cycle.left_out}
    assert {code: entry["reason"] for code, entry in left_out.items()} == {
        "DRAFT": "unpublished",
        "HALF": "kpis-incomplete",
        "QTR": "no-kpis",
    }
    assert left_out["HALF"]["problems"] == ["kpi-weight-total"]
    assert left_out["HALF"]["department"] == "销售部"
    with translation.override("en"):
        assert reason_text(left_out["HALF"]) == "KPIs incomplete: KPI weights that do not total 100%"
        assert reason_text(left_out["DRAFT"]) == "No published job description"
        assert reason_text(left_out["QTR"]) == "No KPI of this cycle type"
    with translation.override("zh-hans"):
        assert reason_text(left_out["DRAFT"]) == "无已发布的岗位说明书"
        assert reason_text(left_out["HALF"]) == "考核标准不完整：考核标准权重合计不为 100%"


def test_a_post_with_no_version_in_the_history_has_no_published_job_description(org):
    history_model = Position.history.model
    history_model.objects.filter(code="DEV").delete()

    cycle = yearly()

    assert {"code": "DEV", "reason": "unpublished"}.items() <= next(
        entry for entry in cycle.left_out if entry["code"] == "DEV"
    ).items()


def test_concurrent_holders_are_assessed_with_their_share_when_the_cycle_says_so(org):
    cycle = yearly(concurrent_share=Decimal("30"))

    assert assessed(cycle) == [
        ("BOSS", "Ann", "primary", Decimal("100")),
        ("DEV", "Bob", "concurrent", Decimal("30")),
        ("DEV", "Cat", "primary", Decimal("100")),
        ("SELLER", "Bob", "primary", Decimal("70")),
    ]


def test_several_concurrent_posts_split_their_share_to_the_cent_and_total_exactly_100(org):
    bob = org["Bob"]
    for code in ("C1", "C2"):
        holds(bob, complete_position(code=code, department=None), Assignment.Kind.CONCURRENT)
    history.record(Position.objects.filter(code__in=["C1", "C2"]).values_list("pk", flat=True))

    cycle = yearly(concurrent_share=Decimal("10"))

    shares = dict(cycle.assessments.filter(person=bob).values_list("position_code", "share"))
    assert shares == {"SELLER": Decimal("90"), "C1": Decimal("3.34"), "C2": Decimal("3.33"), "DEV": Decimal("3.33")}
    assert sum(shares.values()) == Decimal("100")


def test_a_department_scope_takes_its_subtree_only(org):
    cycle = yearly(department=org_department("SALES"))

    assert assessed(cycle) == [("SELLER", "Bob", "primary", Decimal("100"))]
    assert [entry["code"] for entry in cycle.left_out] == ["HALF"]


def org_department(code):
    from org_tree.models import Department

    return Department.objects.get(code=code)


# What is frozen ----------------------------------------------------------------------------------


def edit_kpis(code, rows):
    document = document_of(code)
    document["kpis"] = rows
    save_documents([Save(document=document, code=code)])


def test_editing_and_publishing_the_job_description_after_opening_leaves_the_assessment_unchanged(org):
    cycle = yearly()
    before = frozen(cycle, "BOSS")

    edit_kpis(
        "BOSS",
        [{"responsibility": "全新的关键职责", "weight": 100, "standard": "新标准", "cycle": ""}],
    )

    assert [kpi["responsibility"] for kpi in document_of("BOSS")["kpis"]] == ["全新的关键职责"]
    assert frozen(AssessmentCycle.objects.get(pk=cycle.pk), "BOSS") == before
    assert len(before) == 2 and before[0]["weight"] == Decimal("50")


def test_a_change_waiting_for_approval_is_not_what_gets_frozen_the_published_version_is(org, proposer_user):
    published = document_of("BOSS")["kpis"]
    document = document_of("BOSS")
    document["kpis"] = [{"responsibility": "尚未批准的职责", "weight": 100, "standard": "待批准", "cycle": ""}]
    outcome = submit(proposer_user, Save(document=document, code="BOSS"))
    assert outcome.proposal is not None

    cycle = yearly()

    assert [line["responsibility"] for line in frozen(cycle, "BOSS")] == [kpi["responsibility"] for kpi in published]


def test_the_kpis_are_read_from_the_history_as_of_the_opening_not_from_the_live_rows(org):
    # A row changed without a version (no writer does this): the history is what a cycle freezes.
    KPI.objects.filter(position__code="DEV", order=1).update(responsibility="未记录的修改")

    cycle = yearly()

    assert "未记录的修改" not in [line["responsibility"] for line in frozen(cycle, "DEV")]


def test_a_kpi_target_in_the_published_document_is_frozen_and_a_row_without_one_is_scored_directly(org):
    Version = Position.history.model
    version = history.latest(ids=Position.objects.filter(code="DEV").values("pk")).get()
    document = version.document
    document["kpis"][0].update(
        metric="回款率", unit="%", direction="higher", target=95, floor=80.5, rule="linear", points=None
    )
    Version.objects.filter(pk=version.pk).update(document=document)

    cycle = yearly()

    lines = list(cycle.assessments.get(position_code="DEV").lines.order_by("order"))
    first, second = lines
    assert (first.metric, first.unit, first.direction, first.rule) == ("回款率", "%", "higher", "linear")
    assert (first.target, first.floor, first.points) == (Decimal("95"), Decimal("80.5"), None)
    assert (second.metric, second.direction, second.rule, second.target, second.floor) == ("", "", "direct", None, None)
    assert second.actual is None and second.self_score is None and second.superior_score is None


# Refusals ----------------------------------------------------------------------------------------


def refusal(**options):
    with pytest.raises(ValidationError) as refused:
        open_cycle(**{"name": "试一试", "kpi_cycle": KPI.Cycle.YEARLY, **YEAR, **options})
    return refused.value.message_dict


@pytest.mark.parametrize(
    ("options", "field", "english", "chinese"),
    [
        (
            {"self_weight": 120},
            "self_weight",
            "The self-assessment and superior's weights must total 100.",
            "自评与上级评的权重之和须为 100。",
        ),
        ({"cap": Decimal("99")}, "cap", "The score cap must be between 100 and 150.", "得分上限须在 100 到 150 之间。"),
        (
            {"cap": Decimal("150.01")},
            "cap",
            "The score cap must be between 100 and 150.",
            "得分上限须在 100 到 150 之间。",
        ),
        (
            {"ends_on": datetime.date(2025, 12, 31)},
            "ends_on",
            "A cycle cannot end before it starts.",
            "周期的结束日期不能早于开始日期。",
        ),
        (
            {"concurrent_share": Decimal("100")},
            "concurrent_share",
            "The share of concurrent posts must be more than 0% and less than 100%.",
            "兼岗的占比须大于 0% 且小于 100%。",
        ),
        ({"name": "  "}, "name", "A cycle needs a name.", "周期须有名称。"),
    ],
)
def test_bad_options_are_refused_at_their_field_in_either_language(org, options, field, english, chinese):
    with translation.override("en"):
        assert refusal(**options)[field] == [english]
    with translation.override("zh-hans"):
        assert refusal(**options)[field] == [chinese]
    assert not AssessmentCycle.objects.exists()


def test_every_bad_option_is_named_at_once(org):
    errors = refusal(self_weight=101, cap=Decimal("151"), ends_on=datetime.date(2025, 1, 1))

    assert set(errors) == {"self_weight", "cap", "ends_on"}


def test_weights_that_total_100_are_taken(org):
    cycle = yearly(self_weight=20)

    assert (cycle.self_weight, cycle.superior_weight) == (20, 80)


def test_a_name_taken_already_is_refused(org):
    yearly()

    with translation.override("en"):
        assert refusal(name="2026 年度", kpi_cycle=KPI.Cycle.QUARTERLY, **Q4)["name"] == [
            "A cycle with this name already exists."
        ]


def test_a_cycle_of_the_same_type_whose_dates_and_scope_overlap_is_refused_in_either_language(org):
    yearly(department=org_department("SALES"))

    with translation.override("en"):
        (message,) = refusal(starts_on=datetime.date(2026, 12, 31), ends_on=datetime.date(2027, 12, 31))["__all__"]
    assert message == (
        "The cycle “2026 年度” (2026-01-01 to 2026-12-31, 销售部) already assesses the Yearly (年度) KPIs of these "
        "posts on some of these dates."
    )
    with translation.override("zh-hans"):
        (message,) = refusal(department=org_department("HQ"))["__all__"]
    assert message.startswith("周期“2026 年度”（2026-01-01 至 2026-12-31，销售部）已在其中某些日期考核这些岗位的")
    assert AssessmentCycle.objects.count() == 1


def test_cycles_that_differ_in_type_dates_or_scope_open_side_by_side(org):
    yearly(department=org_department("SALES"))

    yearly("研发部 2026", department=org_department("RND"))  # a scope beside it
    yearly("2027", starts_on=datetime.date(2027, 1, 1), ends_on=datetime.date(2027, 12, 31))  # later dates
    open_cycle(name="2026 Q4", kpi_cycle=KPI.Cycle.QUARTERLY, **Q4)  # another type

    assert AssessmentCycle.objects.count() == 4


def test_opening_with_no_assessable_post_is_refused(org):
    with translation.override("en"):
        (message,) = refusal(department=org_department("RND"), kpi_cycle=KPI.Cycle.MONTHLY)["__all__"]
    assert message.startswith("No post in scope can be assessed: 3 posts are left out")
    Assignment.objects.all().delete()
    with translation.override("zh-hans"):
        (message,) = refusal()["__all__"]
    assert message.startswith("范围内没有可考核的岗位")
    assert not AssessmentCycle.objects.exists() and not Assessment.objects.exists()


def database_refusals():
    """Django's IntegrityError, and the driver's (PostgreSQL's COPY reports through psycopg2's own)."""
    try:
        import psycopg2
    except ImportError:
        return (IntegrityError,)
    return (IntegrityError, psycopg2.IntegrityError)


REFUSED_BY_THE_DATABASE = database_refusals()


def test_a_failure_midway_leaves_nothing_behind(org):
    # A line the database refuses (a weight of 0, which no writer lets through) after the cycle and its
    # assessments were written: the opening is one transaction, so nothing of it stays.
    Version = Position.history.model
    version = history.latest(ids=Position.objects.filter(code="SELLER").values("pk")).get()
    document = version.document
    document["kpis"][1]["weight"] = 0
    document["kpis"][0]["weight"] = 100
    Version.objects.filter(pk=version.pk).update(document=document)
    before = snapshot()

    with pytest.raises(REFUSED_BY_THE_DATABASE):
        yearly()

    assert snapshot() == before


# Closing -----------------------------------------------------------------------------------------


def test_a_closed_cycle_is_read_only_and_cannot_be_closed_twice(org, admin_user):
    cycle = close_cycle(yearly(), admin_user)

    assert (cycle.status, cycle.closed_by) == ("closed", admin_user)
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        ensure_open(cycle)
    assert refused.value.messages == ["The cycle “2026 年度” is closed: its assessments are read-only."]
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        close_cycle(cycle)
    assert refused.value.messages == ["The cycle “2026 年度” is closed already."]


# Queries -----------------------------------------------------------------------------------------


def queries_to_open(name, **options):
    from django.core.cache import cache

    cache.clear()  # the JD template is read, not taken from a test before
    with CaptureQueriesContext(connection) as queries:
        yearly(name, **options)
    return len(queries)


def test_opening_takes_the_same_number_of_queries_whatever_the_size_of_the_organisation(org):
    small = queries_to_open("小")
    AssessmentCycle.objects.all().delete()
    new = []
    for n in range(6):
        position = complete_position(code=f"MORE-{n}", kpis=2)
        holds(PersonFactory(), position)
        holds(org["Ann"], position, Assignment.Kind.CONCURRENT)
        new.append(position.pk)
    history.record(new)

    large = queries_to_open("大", concurrent_share=Decimal("20"))

    # (SQLite writes at most 999 values a statement: the lines of these few fit in one.)
    assert Assessment.objects.filter(cycle__name="大").count() == 3 + 1 + 12
    assert AssessmentLine.objects.filter(assessment__cycle__name="大").count() == 5 + 2 + 24
    # the transaction's savepoint; the lock (PostgreSQL only); the name is free; no overlapping cycle; the posts
    # in scope; their versions as of now; their holders; the JD template; the cycle; its assessments; their
    # lines (on PostgreSQL a COPY, which Django's query log does not see); the savepoint's release.
    assert small == large == 11


# Commands ----------------------------------------------------------------------------------------


def run(*args):
    from io import StringIO

    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_the_open_cycle_command_opens_a_cycle_as_the_command_line(org):
    with translation.override("en"):
        out = run(
            "open_cycle", "2026 年度", "--type", "yearly", "--start", "2026-01-01", "--end", "2026-12-31",
            "--self-weight", "20", "--cap", "120", "--concurrent-share", "30", "--department", "HQ",
        )  # fmt: skip

    cycle = AssessmentCycle.objects.get()
    assert "Opened “2026 年度”: 4 assessments, 3 posts left out." in out
    assert "HALF" in out and "KPIs incomplete: KPI weights that do not total 100%" in out
    assert (cycle.self_weight, cycle.superior_weight, cycle.cap, cycle.concurrent_share) == (
        20, 80, Decimal("120"), Decimal("30"),
    )  # fmt: skip
    assert cycle.department.code == "HQ" and cycle.opened_by is None
    assert "Closed “2026 年度”." in run("close_cycle", "2026 年度")
    assert AssessmentCycle.objects.get().status == "closed"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--self-weight", "120"], "--self-weight: The self-assessment and superior's weights must total 100."),
        (["--self-weight", "2.5"], "--self-weight: the weights are whole percentages."),
        (["--self-weight", "x"], "--self-weight: “x” is not a number."),
        (["--cap", "160"], "--cap: The score cap must be between 100 and 150."),
        (["--cap", "NaN"], "--cap: “NaN” is not a number."),
        (["--end", "2025-01-01"], "--end: A cycle cannot end before it starts."),
        (["--end", "2026-02-30"], "“2026-02-30” is not a date (YYYY-MM-DD)."),
        (["--department", "NOPE"], "No department has the code “NOPE”."),
        (["--type", "monthly"], "No post in scope can be assessed"),
    ],
)
def test_the_open_cycle_command_exits_with_the_message_when_refused(org, args, message):
    options = {"--type": "yearly", "--start": "2026-01-01", "--end": "2026-12-31"}
    for option, value in zip(args[::2], args[1::2], strict=True):
        options[option] = value
    argv = ["open_cycle", "名称"] + [part for pair in options.items() for part in pair]
    with translation.override("en"), pytest.raises(CommandError) as refused:
        run(*argv)
    assert message in str(refused.value)
    assert not AssessmentCycle.objects.exists()


def test_the_close_cycle_command_exits_with_the_message_when_refused(org):
    with pytest.raises(CommandError, match="No cycle is called “无此周期”."):
        run("close_cycle", "无此周期")
    yearly()
    run("close_cycle", "2026 年度")
    with translation.override("en"), pytest.raises(CommandError, match="is closed already"):
        run("close_cycle", "2026 年度")
