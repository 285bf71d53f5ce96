"""The results workbook of an assessment cycle (assessments/exports.py): every cell read back exactly against
scoring.breakdown, the export_results command and its refusals, the download on the cycle's page and who
may take it, and what it costs."""

import datetime
from decimal import Decimal
from io import BytesIO, StringIO
from urllib.parse import quote

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from assessments import scoring
from assessments.exports import HEADERS, LINE_HEADERS, LINES_SHEET, RESULTS_SHEET, results_workbook
from assessments.models import KPI, Assessment, AssessmentCycle, AssessmentLine
from assessments.services.opening import open_cycle
from positions import history
from positions.models import Assignment, Person, Position
from tests.helpers import signed_in

NAME = "2026 年度"
D = Decimal


def hold(number, name, code, kind=Assignment.Kind.PRIMARY):
    person = Person.objects.get_or_create(employee_number=number, defaults={"name": name})[0]
    Assignment.objects.create(person=person, position=Position.objects.get(code=code), kind=kind)


def staffed_seed():
    """The seed organisation with people in its four assessable posts (DPT-YW-01 … 04: 5, 3, 4 and 3 KPIs), a
    concurrent post, a name a spreadsheet would run as a formula, and one linear KPI with a target
    (DPT-YW-02's first: 100 at 95, 0 at 80)."""
    KPI.objects.filter(position__code="DPT-YW-02", order=1).update(
        metric="完成率", unit="%", direction="higher", target=D("95"), floor=D("80"), rule="linear"
    )
    hold("E101", "张三", "DPT-YW-01")
    hold("E102", "=李四", "DPT-YW-02")
    hold("E102", "=李四", "DPT-YW-03", Assignment.Kind.CONCURRENT)
    hold("E103", "王五", "DPT-YW-03")
    hold("E104", "赵六", "DPT-YW-04")
    history.record(Position.objects.values_list("pk", flat=True))


def open_year(name=NAME, **options):
    defaults = {"starts_on": datetime.date(2026, 1, 1), "ends_on": datetime.date(2026, 12, 31), "self_weight": 20}
    options = {**defaults, "cap": D("120"), "concurrent_share": D("30"), **options}
    return open_cycle(name=name, kpi_cycle=KPI.Cycle.YEARLY, **options)


def score_all(cycle):
    """Scores for every line (two places, varied), the linear line's actual beyond its target (capped at 120);
    赵六's last line left without a superior's score, and 王五's self scores left out."""
    for n, line in enumerate(AssessmentLine.objects.filter(assessment__cycle=cycle).order_by("pk")):
        line.self_score = D(60 + (n * 7) % 40) + D("0.25") * (n % 4)
        line.superior_score = D(55 + (n * 11) % 45) + D("0.5") * (n % 2) + D("0.01") * (n % 3)
        if line.rule == "linear":
            line.actual = D("99.5")
        line.save()
    AssessmentLine.objects.filter(assessment__cycle=cycle, assessment__person__employee_number="E103").update(
        self_score=None
    )
    last = AssessmentLine.objects.filter(assessment__cycle=cycle, assessment__position_code="DPT-YW-04")
    last.filter(order=last.order_by("-order").values("order")[:1]).update(superior_score=None)


@pytest.fixture
def cycle(seed):
    staffed_seed()
    cycle = open_year()
    score_all(cycle)
    return cycle


def read(data):
    workbook = openpyxl.load_workbook(BytesIO(data))
    return [[cell.value for cell in row] for row in workbook[RESULTS_SHEET].iter_rows()], [
        [cell.value for cell in row] for row in workbook[LINES_SHEET].iter_rows()
    ]


def exact(value):
    """A number cell as the Decimal it was written as (a float's shortest repr is the number written)."""
    if value is None:
        return None
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def expected_breakdown(assessment, raters, cap):
    lines = [
        scoring.Line(
            order=line.order,
            weight=line.weight,
            rule=line.rule,
            self_score=line.self_score,
            superior_score=line.superior_score,
            actual=line.actual,
            target=line.target,
            floor=line.floor,
            direction=line.direction,
            points=line.points,
        )
        for line in assessment.lines.order_by("order")
    ]
    return scoring.breakdown(lines, raters=raters, cap=cap)


# The workbook --------------------------------------------------------------------------------------


def test_every_cell_of_the_results_sheet_reads_back_as_scoring_computes_it(cycle):
    rows, _lines = read(results_workbook(cycle))

    assert rows[0] == [*HEADERS, "指标1", "指标2", "指标3", "指标4", "指标5"]
    raters = scoring.RaterWeights(20, 80)
    assessments = Assessment.objects.filter(cycle=cycle).select_related("person")
    expected = []
    for a in sorted(assessments, key=lambda a: (a.position_code, a.person.employee_number)):
        both = expected_breakdown(a, raters, D("120"))
        alone = [expected_breakdown(a, scoring.RaterWeights(*w), D("120")).total for w in ((100, 0), (0, 100))]
        scores = {line.order: line.score_shown for line in both.lines}
        expected.append(
            [
                a.person.employee_number,
                a.person.name,
                a.position_code,
                a.position_title,
                a.department_name,
                "主岗" if a.kind == "primary" else "兼岗",
                a.share,
                NAME,
                "未开始",
                *alone,
                both.total,
                both.band,
                *(scores.get(order) for order in range(1, 6)),
            ]
        )
    got = [
        [*row[:6], exact(row[6]), *row[7:9], *(exact(v) for v in row[9:12]), row[12], *(exact(v) for v in row[13:])]
        for row in rows[1:]
    ]
    # What openpyxl reads back from an empty cell is None; the name that starts with = is written with a '.
    expected = [[("'" + v if v == "=李四" else v) for v in row] for row in expected]
    assert got == expected
    assert len(got) == 5


def test_the_weighted_total_and_band_are_empty_while_a_line_is_unscored_and_the_raters_totals_stand_apart(cycle):
    rows, _lines = read(results_workbook(cycle))
    by_post = {(row[0], row[2]): dict(zip(rows[0], row, strict=True)) for row in rows[1:]}

    unscored = by_post[("E104", "DPT-YW-04")]
    assert unscored["加权总分"] is None and unscored["等级"] is None and unscored["上级评"] is None
    assert unscored["自评"] is not None and unscored["指标3"] is None and unscored["指标1"] is not None
    # 王五 gave no self scores: the self total is empty, the total (20/80) waits for them too.
    no_self = by_post[("E103", "DPT-YW-03")]
    assert no_self["自评"] is None and no_self["加权总分"] is None and no_self["上级评"] is not None
    scored = by_post[("E101", "DPT-YW-01")]
    assert scored["加权总分"] is not None and scored["等级"] in {"S", "A", "B", "C", "D"}
    assert scored["指标5"] is not None
    assert by_post[("E104", "DPT-YW-04")]["指标4"] is None  # three KPIs only


def test_a_linear_line_scores_its_actual_value_capped_by_the_cycle_for_both_raters(cycle):
    rows, lines = read(results_workbook(cycle))
    header = rows[0]
    row = next(dict(zip(header, r, strict=True)) for r in rows[1:] if r[2] == "DPT-YW-02")

    # 100 × (99.5 − 80) ÷ (95 − 80) = 130, capped at 120
    assert exact(row["指标1"]) == D("120")
    line = next(dict(zip(lines[0], r, strict=True)) for r in lines[1:] if r[2] == "DPT-YW-02" and r[4] == 1)
    assert line["计分规则"] == "线性" and exact(line["实际值"]) == D("99.5") and exact(line["得分"]) == D("120")


def test_the_lines_sheet_names_every_line_with_its_responsibility_weight_and_scores(cycle):
    _rows, lines = read(results_workbook(cycle))

    assert lines[0] == list(LINE_HEADERS)
    stored = AssessmentLine.objects.filter(assessment__cycle=cycle).select_related("assessment__person")
    assert len(lines) - 1 == stored.count() == 5 + 3 + 4 + 4 + 3
    got = {(r[0], r[2], r[4]): r for r in lines[1:]}
    for line in stored:
        row = got[(line.assessment.person.employee_number, line.assessment.position_code, line.order)]
        assert row[5] == line.responsibility
        assert exact(row[6]) == line.weight
        assert exact(row[9]) == line.self_score and exact(row[10]) == line.superior_score


def test_a_scores_two_places_read_back_exactly_and_are_shown_with_two_places(cycle):
    AssessmentLine.objects.filter(assessment__cycle=cycle).update(self_score=D("85.01"), superior_score=D("0.07"))
    data = results_workbook(cycle)
    rows, _lines = read(data)
    sheet = openpyxl.load_workbook(BytesIO(data))[RESULTS_SHEET]

    # 0.2 × 85.01 + 0.8 × 0.07 = 17.058 on every direct line: the total rounds once, to 17.06. DPT-YW-02's
    # linear line (half its weight) scores its actual value, 120, for both raters: 60 + 17.058 ÷ 2 = 68.529.
    columns = [rows[0].index(name) for name in ("自评", "上级评", "加权总分")]
    totals = {row[2]: tuple(exact(row[i]) for i in columns) for row in rows[1:]}
    direct = (D("85.01"), D("0.07"), D("17.06"))
    assert totals == {
        "DPT-YW-01": direct,
        "DPT-YW-02": (D("102.51"), D("60.04"), D("68.53")),
        "DPT-YW-03": direct,
        "DPT-YW-04": direct,
    }
    assert sheet["L2"].number_format == "0.00" and sheet.freeze_panes == "A2"


def test_the_workbook_costs_two_queries_whatever_the_cycles_size(seed, django_assert_num_queries):
    staffed_seed()
    cycle = open_year()
    # +1 the assessments with their people, +1 their lines
    with django_assert_num_queries(2):
        results_workbook(cycle)
    for n in range(6):
        hold(f"E2{n:02}", f"新人{n}", "DPT-YW-04")
    history.record(Position.objects.values_list("pk", flat=True))
    bigger = open_year(name="2027 年度", starts_on=datetime.date(2027, 1, 1), ends_on=datetime.date(2027, 12, 31))
    assert bigger.n_assessments == cycle.n_assessments + 6
    with django_assert_num_queries(2):
        results_workbook(bigger)


# The command ---------------------------------------------------------------------------------------


def run(*args):
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_the_command_writes_the_same_workbook_as_the_page(cycle, tmp_path):
    path = tmp_path / "结果.xlsx"
    with translation.override("en"):
        out = run("export_results", NAME, str(path))

    assert f"Wrote the results of “{NAME}” (5 assessments) to {path}." in out
    assert read(path.read_bytes()) == read(results_workbook(cycle))


@pytest.mark.parametrize(
    ("language", "message"),
    [("en", "No cycle is called “无此周期”."), ("zh-hans", "没有名为“无此周期”的周期。")],
)
def test_the_command_refuses_an_unknown_cycle_in_the_users_language(cycle, tmp_path, language, message):
    path = tmp_path / "out.xlsx"
    with translation.override(language), pytest.raises(CommandError) as refused:
        run("export_results", "无此周期", str(path))
    assert str(refused.value) == message
    assert not path.exists()


@pytest.mark.parametrize(("language", "message"), [("en", "Cannot write “{}”: "), ("zh-hans", "无法写入“{}”：")])
def test_the_command_refuses_a_path_it_cannot_write(cycle, tmp_path, language, message):
    for path in (tmp_path / "无此目录" / "out.xlsx", tmp_path):
        with translation.override(language), pytest.raises(CommandError) as refused:
            run("export_results", NAME, str(path))
        assert str(refused.value).startswith(message.format(path))


def test_the_command_exits_non_zero_when_refused(cycle, tmp_path, capsys):
    from django.core.management import ManagementUtility

    with pytest.raises(SystemExit) as exited:
        ManagementUtility(["manage.py", "export_results", "无此周期", str(tmp_path / "x.xlsx")]).execute()
    assert exited.value.code == 1
    assert "无此周期" in capsys.readouterr().err


# The page ------------------------------------------------------------------------------------------


def url(cycle):
    return f"/assessments/cycles/{cycle.pk}/results.xlsx"


@pytest.mark.parametrize("role", ["hr_user", "admin_user"])
def test_hr_editors_and_administrators_download_the_results_named_after_the_cycle(request, cycle, role):
    client = signed_in(request.getfixturevalue(role), "en")

    page = client.get(cycle.get_absolute_url())
    assert f'href="{url(cycle)}"' in page.content.decode()
    response = client.get(url(cycle))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == (
        f"attachment; filename=\"assessment-results-{cycle.pk}.xlsx\"; filename*=UTF-8''{quote(NAME + '-考核结果.xlsx')}"
    )
    assert read(response.content) == read(results_workbook(cycle))


@pytest.mark.parametrize("role", ["manager_user", "viewer_user", "outsider"])
def test_managers_viewers_and_people_without_a_role_get_403(request, cycle, role):
    assert signed_in(request.getfixturevalue(role)).get(url(cycle)).status_code == 403


def test_the_download_is_get_only_and_an_unknown_cycle_is_404(cycle, hr_user):
    client = signed_in(hr_user)
    assert client.post(url(cycle)).status_code == 405
    assert client.get("/assessments/cycles/999999/results.xlsx").status_code == 404


def test_a_cycle_name_with_a_slash_gives_a_file_name_without_one(cycle, hr_user):
    AssessmentCycle.objects.filter(pk=cycle.pk).update(name="2026/上半年")
    response = signed_in(hr_user).get(url(cycle))
    assert response["Content-Disposition"].endswith(quote("2026-上半年-考核结果.xlsx"))


def test_the_download_costs_the_same_whatever_the_cycles_size(cycle, hr_user, django_assert_num_queries):
    client = signed_in(hr_user)
    client.get(url(cycle))

    # The request's savepoint and its release, the session, the user, their permissions and group permissions
    # (a file: no menu counts); +1 the cycle, +1 the assessments with their people, +1 their lines
    with django_assert_num_queries(6 + 3):
        assert client.get(url(cycle)).status_code == 200


def test_in_a_cycle_weighing_the_superior_alone_the_superiors_total_is_the_weighted_total(seed):
    staffed_seed()
    cycle = open_year(self_weight=0)
    AssessmentLine.objects.filter(assessment__cycle=cycle).update(superior_score=D("77.77"), actual=D("95"))
    rows, _lines = read(results_workbook(cycle))
    header = rows[0]

    for row in rows[1:]:
        row = dict(zip(header, row, strict=True))
        assert row["自评"] is None  # nobody gave a self score: the linear line alone would not make a total
        assert exact(row["上级评"]) == exact(row["加权总分"])
        assert row["等级"] == ("A" if row["岗位编码"] == "DPT-YW-02" else "B")  # 88.89 (100 and 77.77), 77.77
