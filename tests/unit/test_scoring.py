"""Assessment arithmetic (assessments/scoring.py): the rules, the rater-weighted lines, the weighted total
rounded once half-up, the grade bands, and what people may type as a score or an actual value."""

import os
import re
import subprocess
import sys
from decimal import Decimal
from fractions import Fraction

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from assessments.models import KPI
from assessments.scoring import (
    InvalidInput,
    Line,
    RaterWeights,
    band,
    breakdown,
    check_bands,
    check_rule,
    parse_actual,
    parse_score,
    round_half_up,
    rule_score,
)

D = Decimal
R = KPI.Rule
RATERS = RaterWeights(20, 80)
RATERS_SUPERIOR_ONLY = RaterWeights(0, 100)


def hundredths(number):
    return D(number).scaleb(-2)


def linear(actual, *, target=95, floor=80, direction="higher", cap=100):
    return rule_score(R.LINEAR, D(actual), target=D(target), floor=D(floor), direction=direction, cap=cap)


def direct_lines(weights, scores):
    return [
        Line(order, weight, self_score=s, superior_score=p)
        for order, (weight, (s, p)) in enumerate(zip(weights, scores, strict=True), 1)
    ]


# --- the total: exact, rounded once --------------------------------------------------------------------

# KPI weights: 1 to 8 Decimals with two places, each at least 0.01, together exactly 100.
weights_in_hundredths = st.integers(1, 8).flatmap(
    lambda n: st.lists(st.integers(1, 9999), min_size=n - 1, max_size=n - 1, unique=True).map(
        lambda cuts: [b - a for a, b in zip([0, *sorted(cuts)], [*sorted(cuts), 10000], strict=True)]
    )
)
score_in_hundredths = st.integers(0, 10000)


@given(
    weights=weights_in_hundredths,
    data=st.data(),
    self_weight=st.integers(0, 100),
)
def test_the_total_is_the_exact_result_rounded_once_half_up(weights, data, self_weight):
    scores = data.draw(
        st.lists(st.tuples(score_in_hundredths, score_in_hundredths), min_size=len(weights), max_size=len(weights))
    )
    raters = RaterWeights(self_weight, 100 - self_weight)
    lines = direct_lines([hundredths(w) for w in weights], [(hundredths(s), hundredths(p)) for s, p in scores])
    result = breakdown(lines, raters=raters)
    # The oracle in whole numbers: weight (1/100 %) × (w_self × self + w_superior × superior) (1/100 point, %),
    # over 100 × 100 × 100 × 100 gives points; hundredths of a point are N / 10**6, halves up.
    n = sum(
        w * (raters.self_weight * s + raters.superior_weight * p) for w, (s, p) in zip(weights, scores, strict=True)
    )
    assert result.total == hundredths((n + 500_000) // 1_000_000)
    assert result.total.as_tuple().exponent == -2
    assert result.total_exact == Fraction(n, 10**8)


@given(score=score_in_hundredths, self_weight=st.integers(0, 100))
def test_four_kpis_of_25_percent_all_scored_the_same_give_exactly_that_score(score, self_weight):
    lines = direct_lines([D(25)] * 4, [(hundredths(score), hundredths(score))] * 4)
    assert breakdown(lines, raters=RaterWeights(self_weight, 100 - self_weight)).total == hundredths(score)


def test_four_kpis_of_25_percent_scored_100_give_100_00():
    total = breakdown(direct_lines([D(25)] * 4, [(D(100), D(100))] * 4), raters=RATERS).total
    assert str(total) == "100.00"


@pytest.mark.parametrize(
    ("value", "rounded"),
    [
        (Fraction(85005, 1000), "85.01"),
        (Fraction(85004999, 1000000), "85.00"),
        (Fraction(5, 1000), "0.01"),
        (Fraction(2, 3), "0.67"),
        (Fraction(1, 3), "0.33"),
        (Fraction(99995, 1000), "100.00"),
        (Fraction(-5, 1000), "-0.01"),
        (Fraction(10**40 + 1, 100), "1" + "0" * 38 + ".01"),  # past the decimal context's 28 digits, still exact
    ],
)
def test_halves_are_rounded_up_once_at_the_end(value, rounded):
    assert str(round_half_up(value)) == rounded


def test_a_line_ending_in_exactly_half_a_hundredth_rounds_the_total_up():
    # 0.5 × 85.01 + 0.5 × 85.00 = 85.005 exactly: half-up gives 85.01 (banker's rounding would give 85.00).
    result = breakdown([Line(1, D(100), self_score=D("85.01"), superior_score=D("85.00"))], raters=RaterWeights(50, 50))
    assert result.total == D("85.01")


def test_the_total_is_not_the_sum_of_rounded_line_scores():
    # Three thirds of 100 scored 0.01, 0.01 and 0: each contribution is 0.00333…, shown as 0; the total is 0.01.
    lines = [
        Line(1, D("33.33"), superior_score=D("0.01")),
        Line(2, D("33.33"), superior_score=D("0.01")),
        Line(3, D("33.34"), superior_score=D("0.00")),
    ]
    result = breakdown(lines, raters=RaterWeights(0, 100))
    assert [line.contribution_shown for line in result.lines] == [D("0.00"), D("0.00"), D("0.00")]
    assert result.total == D("0.01")  # 0.006666 rounded once
    assert result.formula == "0 + 0 + 0 ≈ 0.01"


def test_the_total_waits_for_every_line_that_counts():
    lines = [Line(1, D(60), superior_score=D(80)), Line(2, D(40), self_score=D(90))]
    result = breakdown(lines, raters=RATERS)
    assert result.lines[0].score is None  # the self score is missing and counts 20%
    assert result.total is None and result.band is None and not result.complete
    with translation.override("en"):
        assert result.formula == "not every line is scored yet"
        assert result.lines[1].contribution_formula == "40% × —"
    with translation.override("zh-hans"):
        assert result.formula == "尚有考核标准未评分"


def test_a_rater_weighted_0_need_not_score():
    result = breakdown([Line(1, D(100), superior_score=D(77))], raters=RaterWeights(0, 100))
    assert result.total == D("77.00")
    assert result.lines[0].score_formula == "1 × 77 = 77"


def test_a_rule_scores_the_one_actual_value_for_both_raters():
    line = Line(1, D(100), rule=R.THRESHOLD, actual=D(96), target=D(95), direction="higher", self_score=D(0))
    assert breakdown([line], raters=RATERS).total == D("100.00")


def test_a_breakdown_line_gives_what_a_page_shows():
    line = Line(3, D("12.5"), rule=R.LINEAR, actual=D(91), target=D(95), floor=D(80), direction="higher")
    (scored,) = breakdown([line, Line(1, D("87.5"), superior_score=D(60))], raters=RaterWeights(0, 100)).lines[1:]
    assert (scored.order, scored.weight, scored.rule, scored.actual, scored.self_score, scored.superior_score) == (
        3,
        D("12.5"),
        "linear",
        D(91),
        None,
        None,
    )
    assert scored.rule_score == scored.score == Fraction(220, 3)
    assert scored.rule_score_shown == scored.score_shown == D("73.33")
    assert scored.contribution == Fraction(55, 6) and scored.contribution_shown == D("9.17")


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ([D(50), D("50.01")], "The KPI weights add up to 100.01%, more than 100%."),
        ([D(100), None], "KPI 2 has no weight."),
        ([D(100), D(0)], "The weight of KPI 2 must be more than 0% and at most 100%, not 0."),
    ],
)
def test_kpi_weights_must_each_be_given_and_total_at_most_100(weights, message):
    lines = [Line(order, weight, superior_score=D(80)) for order, weight in enumerate(weights, 1)]
    with pytest.raises(InvalidInput) as refused:
        breakdown(lines, raters=RATERS)
    with translation.override("en"):
        assert str(refused.value) == message


def test_a_cycle_assessing_some_of_a_posts_kpis_scales_their_weights_to_100():
    """A quarterly cycle of a post whose quarterly KPIs weigh 30 % and 20 % (its yearly ones the other 50 %):
    (30 × 80 + 20 × 90) ÷ 50 = 84, not the 42 that dividing by 100 would give."""
    lines = [Line(1, D(30), superior_score=D(80)), Line(2, D(20), superior_score=D(90))]
    result = breakdown(lines, raters=RATERS_SUPERIOR_ONLY)
    assert result.total == D("84.00") and result.total_exact == 84
    assert [line.contribution for line in result.lines] == [48, 36]
    assert result.lines[0].contribution_formula == "30% ÷ 50% × 80 = 48"
    assert result.formula == "48 + 36 = 84"


@pytest.mark.parametrize(("self_weight", "superior_weight"), [(30, 80), (-20, 120), (D("20.5"), D("79.5")), (True, 99)])
def test_rater_weights_are_whole_numbers_totalling_100(self_weight, superior_weight):
    with pytest.raises(InvalidInput) as refused:
        RaterWeights(self_weight, superior_weight)
    with translation.override("en"):
        assert str(refused.value) == (
            "Rater weights are whole numbers from 0 to 100 that add up to 100,"
            f" not {self_weight} and {superior_weight}."
        )
    with translation.override("zh-hans"):
        assert str(refused.value).startswith("自评与上级评分的权重应为 0 到 100 的整数且合计为 100")


def test_scores_out_of_range_are_refused_even_past_the_parser():
    with pytest.raises(InvalidInput) as refused:
        breakdown([Line(1, D(100), superior_score=D("100.01"))], raters=RaterWeights(0, 100))
    assert refused.value.code == "score_range"


def test_floats_are_refused_where_decimals_belong():
    with pytest.raises(TypeError):
        breakdown([Line(1, D(100), superior_score=85.5)], raters=RaterWeights(0, 100))


# --- the rules at their edges --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actual", "cap", "score"),
    [
        ("95", 100, 100),  # at the target
        ("80", 100, 0),  # at the floor
        ("87.5", 100, 50),  # half way
        ("91", 100, Fraction(220, 3)),  # 73.33…, kept exact
        ("79.99", 100, 0),  # below the floor
        ("-1000", 100, 0),
        ("98", 120, 120),  # beyond the target: 120 exactly at the cap
        ("96.5", 120, 110),  # beyond the target, under the cap
        ("110", 120, 120),  # capped
        ("110", 100, 100),  # the default cap is 100
        ("110", 150, 150),
    ],
)
def test_linear_goes_from_0_at_the_floor_to_100_at_the_target_and_on_up_to_the_cap(actual, cap, score):
    assert linear(actual, cap=cap) == score


@pytest.mark.parametrize(
    ("actual", "cap", "score"),
    [
        ("2", 100, 100),
        ("10", 100, 0),
        ("6", 100, 50),
        ("10.5", 100, 0),
        ("0", 120, 120),
        ("1", 150, Fraction("112.5")),
        ("0", 150, 125),
    ],
)
def test_linear_with_lower_is_better_is_the_mirror(actual, cap, score):
    # Target 2 (e.g. complaints), floor 10: 100 at 2, 0 at 10 and above, better below 2 up to the cap.
    assert linear(actual, target=2, floor=10, direction="lower", cap=cap) == score


@given(
    a=st.decimals(min_value=-1000, max_value=1000, places=2),
    b=st.decimals(min_value=-1000, max_value=1000, places=2),
    cap=st.integers(100, 150),
)
def test_linear_never_leaves_0_to_the_cap_and_never_falls_as_the_actual_improves(a, b, cap):
    low, high = sorted((a, b))
    assert 0 <= linear(low, cap=cap) <= linear(high, cap=cap) <= cap
    mirror = {"target": 2, "floor": 10, "direction": "lower", "cap": cap}
    assert 0 <= linear(high, **mirror) <= linear(low, **mirror) <= cap


@pytest.mark.parametrize(
    ("actual", "direction", "score"),
    [
        ("95", "higher", 100),
        ("94.99", "higher", 0),
        ("200", "higher", 100),
        ("95", "lower", 100),
        ("95.01", "lower", 0),
        ("0", "lower", 100),
    ],
)
def test_threshold_is_100_when_the_target_is_met_and_0_when_not(actual, direction, score):
    assert rule_score(R.THRESHOLD, D(actual), target=D(95), direction=direction) == score


@pytest.mark.parametrize(("occurrences", "score"), [(0, 100), (1, 95), (19, 5), (20, 0), (21, 0), (1000, 0)])
def test_deduction_takes_points_per_occurrence_down_to_0_and_never_below(occurrences, score):
    assert rule_score(R.DEDUCTION, D(occurrences), points=D(5)) == score


def test_deduction_with_fractional_points_is_exact():
    assert rule_score(R.DEDUCTION, D(3), points=D("2.5")) == Fraction("92.5")


@pytest.mark.parametrize("occurrences", ["1.5", "-1", "0.1"])
def test_deduction_refuses_fractions_and_negatives_with_a_message(occurrences):
    with pytest.raises(InvalidInput) as refused:
        rule_score(R.DEDUCTION, D(occurrences), points=D(5))
    with translation.override("en"):
        assert str(refused.value) == f"The number of occurrences is a whole number, 0 or more, not {occurrences}."
    with translation.override("zh-hans"):
        assert str(refused.value) == f"发生次数应为 0 或以上的整数，而不是 {occurrences}。"


def test_a_direct_rule_or_a_missing_actual_has_no_rule_score():
    assert rule_score(R.DIRECT, None) is None
    assert rule_score(R.LINEAR, None, target=D(95), floor=D(80), direction="higher") is None


@pytest.mark.parametrize(
    ("rule", "fields"),
    [
        (R.LINEAR, {"target": D(95), "direction": "higher"}),
        (R.LINEAR, {"target": D(95), "floor": D(80)}),
        (R.LINEAR, {"target": D(95), "floor": D(95), "direction": "higher"}),
        (R.LINEAR, {"target": D(95), "floor": D(80), "direction": "lower"}),
        (R.LINEAR, {"target": D(2), "floor": D(10), "direction": "higher"}),
        (R.THRESHOLD, {"direction": "higher"}),
        (R.THRESHOLD, {"target": D(95)}),
        (R.DEDUCTION, {}),
        (R.DEDUCTION, {"points": D(0)}),
        ("bonus", {}),
    ],
)
def test_a_rule_without_what_it_needs_is_refused_as_the_kpi_model_refuses_it(rule, fields):
    """One rule in one place: scoring asks KPI.read_targets, which judges a job description's KPI when it is saved."""
    from assessments.models import KPI

    with pytest.raises(InvalidInput) as refused:
        check_rule(rule, **fields)
    assert refused.value.code == "rule_incomplete"
    _targets, errors = KPI.read_targets({"rule": rule, **fields})
    assert str(refused.value) == next(iter(errors.values()))
    with translation.override("zh-hans"):
        chinese = str(refused.value)
    assert re.search(r"[\u4e00-\u9fff]", chinese) and chinese != refused.value.english  # shown translated


@pytest.mark.parametrize("cap", [99, 151, D("150.01")])
def test_the_cap_is_from_100_to_150(cap):
    with pytest.raises(InvalidInput) as refused:
        linear("90", cap=cap)
    assert refused.value.code == "cap_range"


def test_a_line_is_made_from_a_kpi():
    kpi = KPI(
        order=2,
        responsibility="Deliver on time",
        weight=D(35),
        rule=R.LINEAR,
        direction=KPI.Direction.HIGHER,
        target=D(95),
        floor=D(80),
    )
    line = Line.for_kpi(kpi, actual=D(91))
    assert (line.order, line.weight, line.rule, line.target, line.floor, line.label) == (
        2,
        D(35),
        "linear",
        D(95),
        D(80),
        "Deliver on time",
    )


# --- formulas ------------------------------------------------------------------------------------------


def test_formulas_say_how_each_number_came_about_in_the_current_language():
    lines = [
        Line(1, D(30), rule=R.LINEAR, actual=D(110), target=D(95), floor=D(80), direction="higher"),
        Line(2, D(30), rule=R.LINEAR, actual=D(70), target=D(95), floor=D(80), direction="higher"),
        Line(3, D(20), rule=R.DEDUCTION, actual=D(30), points=D(5)),
        Line(4, D(10), rule=R.THRESHOLD, actual=D(3), target=D(5), direction="lower"),
        Line(5, D(10), rule=R.THRESHOLD, actual=D(6), target=D(5), direction="lower"),
    ]
    with translation.override("en"):
        result = breakdown(lines, raters=RATERS, cap=120)
        assert [line.score_formula for line in result.lines] == [
            "100 × (110 − 80) ÷ (95 − 80) = 200, capped at 120",
            "100 × (70 − 80) ÷ (95 − 80) < 0: past the floor, 0",
            "100 − 5 × 30 < 0: no lower than 0",
            "3 ≤ 5 → 100",
            "6 > 5 → 0",
        ]
        assert result.formula == "36 + 0 + 0 + 10 + 0 = 46"
    with translation.override("zh-hans"):
        assert [line.score_formula for line in result.lines][:3] == [
            "100 × (110 − 80) ÷ (95 − 80) = 200，封顶 120",
            "100 × (70 − 80) ÷ (95 − 80) < 0：未达门槛值，得 0 分",
            "100 − 5 × 30 < 0：最低为 0 分",
        ]
        assert result.lines[0].contribution_formula == "30% × 120 = 36"


# --- bands ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "name"),
    [
        ("150", "S"),
        ("95", "S"),
        ("94.99", "A"),
        ("85", "A"),
        ("84.99", "B"),
        ("70", "B"),
        ("69.99", "C"),
        ("60", "C"),
        ("59.99", "D"),
        ("0", "D"),
    ],
)
def test_the_default_bands_at_their_edges(total, name):
    assert band(D(total)) == name


def test_the_band_is_the_band_of_the_rounded_total():
    # 0.5 × 94.99 + 0.5 × 95.00 = 94.995, shown as 95.00: an S.
    result = breakdown([Line(1, D(100), self_score=D("94.99"), superior_score=D(95))], raters=RaterWeights(50, 50))
    assert result.total_exact < 95 and result.total == D("95.00") and result.band == "S"


def test_no_total_has_no_band():
    assert band(None) is None


@override_settings(ASSESSMENT_BANDS=(("优秀", D(90)), ("合格", D(60)), ("不合格", D(0))))
def test_the_bands_come_from_the_settings():
    assert [band(D(t)) for t in ("90", "89.99", "60", "59.99")] == ["优秀", "合格", "合格", "不合格"]


@pytest.mark.parametrize(
    ("table", "english", "chinese"),
    [
        ((), "Give at least one band.", "请至少设置一个等级。"),
        (
            (("S", D(95)), ("A", D(95)), ("D", D(0))),
            "Bands go from the highest threshold to the lowest: A must start below 95.",
            "等级须按起点从高到低排列：A 的起点须低于 95。",
        ),
        (
            (("S", D(95)), ("D", D(10))),
            "The last band starts at 0, so that every total has a band (D starts at 10).",
            "最后一个等级须从 0 开始，使每个总分都有等级（D 的起点为 10）。",
        ),
        ((("S", D(95)), ("S", D(0))), "Band names must differ: S is named twice.", "等级名称不能重复：S 出现了两次。"),
        ((("", D(0)),), "Each band needs a name.", "每个等级都需要名称。"),
        (
            (("S", D("95.001")), ("D", D(0))),
            "A band starts at a number from 0 to 150 with at most two decimal places, not 95.001.",
            "等级起点应为 0 到 150 之间、最多两位小数的数值，而不是 95.001。",
        ),
        (
            (("S", D(151)), ("D", D(0))),
            "A band starts at a number from 0 to 150 with at most two decimal places, not 151.",
            "等级起点应为 0 到 150 之间、最多两位小数的数值，而不是 151。",
        ),
        (
            (("S", D("NaN")), ("D", D(0))),
            "A band starts at a number from 0 to 150 with at most two decimal places, not NaN.",
            "等级起点应为 0 到 150 之间、最多两位小数的数值，而不是 NaN。",
        ),
    ],
)
def test_a_band_table_goes_down_to_0_with_unique_names(table, english, chinese):
    with pytest.raises(InvalidInput) as refused:
        check_bands(table)
    with translation.override("en"):
        assert str(refused.value) == english
    with translation.override("zh-hans"):
        assert str(refused.value) == chinese


def started_with_bands(value):
    """Start the portal in a fresh interpreter with ASSESSMENT_BANDS=`value`: (exit code, the table read, stderr)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings as s; print(s.ASSESSMENT_BANDS)",
        ],
        env={**env, "DJANGO_SETTINGS_MODULE": "portal.settings", "SECRET_KEY": "x", "ASSESSMENT_BANDS": value},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
    )
    return result.returncode, result.stdout.strip(), result.stderr


def test_the_default_band_table_is_s_a_b_c_d():
    assert check_bands(settings.ASSESSMENT_BANDS) == (("S", 95), ("A", 85), ("B", 70), ("C", 60), ("D", 0))


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("S95", "ASSESSMENT_BANDS must be name:threshold pairs"),
        ("S:high,D:0", "ASSESSMENT_BANDS must be name:threshold pairs"),
        ("S:95,A:85,", "ASSESSMENT_BANDS must be name:threshold pairs"),
        (":95,D:0", "ASSESSMENT_BANDS must be name:threshold pairs"),
        ("S:Infinity,D:0", "ASSESSMENT_BANDS must be name:threshold pairs"),
        ("S:９５,D:0", "ASSESSMENT_BANDS must be name:threshold pairs"),
        ("S:9_5,D:0", "ASSESSMENT_BANDS must be name:threshold pairs"),
        ("S:95,D:-0", "ASSESSMENT_BANDS must be name:threshold pairs"),
        ("S:85,A:95,D:0", "ASSESSMENT_BANDS is not a usable band table: Bands go from the highest threshold"),
        ("S:95,A:85,D:5", "ASSESSMENT_BANDS is not a usable band table: The last band starts at 0"),
        ("S:95,S:85,D:0", "ASSESSMENT_BANDS is not a usable band table: Band names must differ"),
    ],
)
def test_a_malformed_band_setting_stops_start_up(value, message):
    code, _, stderr = started_with_bands(value)
    assert code != 0
    assert "ImproperlyConfigured" in stderr and message in stderr


@pytest.mark.parametrize(
    ("value", "table"),
    [
        (
            "",
            "(('S', Decimal('95')), ('A', Decimal('85')), ('B', Decimal('70')), ('C', Decimal('60')), ('D', Decimal('0')))",
        ),
        (
            " 优秀 : 90.5 , 合格:60, 不合格:0 ",
            "(('优秀', Decimal('90.5')), ('合格', Decimal('60')), ('不合格', Decimal('0')))",
        ),
    ],
)
def test_a_band_setting_is_read_from_the_environment(value, table):
    code, read, stderr = started_with_bands(value)
    assert code == 0, stderr
    assert read == table


# --- what people type ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "score"),
    [
        ("85", "85.00"),
        ("85.5", "85.50"),
        ("85.50", "85.50"),
        ("85.500", "85.50"),
        (" 0 ", "0.00"),
        ("100", "100.00"),
        ("８５", "85.00"),
        ("８５．５", "85.50"),
        ("85分", "85.00"),
        ("８５ 分", "85.00"),
        ("\u300085\u3000", "85.00"),
        (".5", "0.50"),
        (85, "85.00"),
        (85.5, "85.50"),
        (D("92.25"), "92.25"),
    ],
)
def test_a_score_may_be_typed_as_people_type_it(typed, score):
    assert str(parse_score(typed)) == score


@pytest.mark.parametrize("typed", [None, "", "   ", "分"])
def test_an_empty_score_is_not_scored_yet(typed):
    assert parse_score(typed) is None


@pytest.mark.parametrize(
    ("typed", "english", "chinese"),
    [
        (
            "good",
            "“good” is not a score: give a number from 0 to 100, such as 85 or 85.5.",
            "“good”不是有效评分：请填写 0 到 100 之间的数值，例如 85 或 85.5。",
        ),
        (
            "NaN",
            "“NaN” is not a score: give a number from 0 to 100, such as 85 or 85.5.",
            "“NaN”不是有效评分：请填写 0 到 100 之间的数值，例如 85 或 85.5。",
        ),
        (
            "Infinity",
            "“Infinity” is not a score: give a number from 0 to 100, such as 85 or 85.5.",
            "“Infinity”不是有效评分：请填写 0 到 100 之间的数值，例如 85 或 85.5。",
        ),
        (
            "1e2",
            "“1e2” is not a score: give a number from 0 to 100, such as 85 or 85.5.",
            "“1e2”不是有效评分：请填写 0 到 100 之间的数值，例如 85 或 85.5。",
        ),
        (
            "85%",
            "“85%” is not a score: give a number from 0 to 100, such as 85 or 85.5.",
            "“85%”不是有效评分：请填写 0 到 100 之间的数值，例如 85 或 85.5。",
        ),
        (
            "١٢",
            "“١٢” is not a score: give a number from 0 to 100, such as 85 or 85.5.",
            "“١٢”不是有效评分：请填写 0 到 100 之间的数值，例如 85 或 85.5。",
        ),
        (
            "8²",
            "“8²” is not a score: give a number from 0 to 100, such as 85 or 85.5.",
            "“8²”不是有效评分：请填写 0 到 100 之间的数值，例如 85 或 85.5。",
        ),
        (
            "1,000",
            "“1,000” is not a score: give a number from 0 to 100, such as 85 or 85.5.",
            "“1,000”不是有效评分：请填写 0 到 100 之间的数值，例如 85 或 85.5。",
        ),
        ("100.01", "A score is from 0 to 100, not 100.01.", "评分应在 0 到 100 之间，而不是 100.01。"),
        ("-1", "A score is from 0 to 100, not -1.", "评分应在 0 到 100 之间，而不是 -1。"),
        ("85.555", "Give at most two decimal places, not 85.555.", "请最多保留两位小数，而不是 85.555。"),
        (
            float("nan"),
            "“nan” is not a score: give a number from 0 to 100, such as 85 or 85.5.",
            "“nan”不是有效评分：请填写 0 到 100 之间的数值，例如 85 或 85.5。",
        ),
        (
            True,
            "“True” is not a score: give a number from 0 to 100, such as 85 or 85.5.",
            "“True”不是有效评分：请填写 0 到 100 之间的数值，例如 85 或 85.5。",
        ),
    ],
)
def test_a_score_that_is_not_one_is_refused_in_the_users_language(typed, english, chinese):
    with pytest.raises(InvalidInput) as refused:
        parse_score(typed)
    assert isinstance(refused.value, ValueError)
    with translation.override("en"):
        assert str(refused.value) == english
    with translation.override("zh-hans"):
        assert str(refused.value) == chinese


@pytest.mark.parametrize(
    ("typed", "actual"),
    [
        ("92", "92"),
        ("-3.5", "-3.5"),
        ("+4", "4"),
        ("1,250,000", "1250000"),
        ("1,250,000.25", "1250000.25"),
        ("96.5%", "96.5"),
        ("９６．５％", "96.5"),
        ("－３", "-3"),
        ("−3", "-3"),
        ("１，２５０", "1250"),
        ("0.0001", "0.0001"),
        ("99999999999999.9999", "99999999999999.9999"),
        (1250, "1250"),
        (96.5, "96.5"),
        (1e13, "10000000000000"),
        (D("0.25"), "0.25"),
    ],
)
def test_an_actual_value_may_be_typed_as_people_type_it(typed, actual):
    assert parse_actual(typed) == D(actual)


@pytest.mark.parametrize("typed", [None, "", " ", "%"])
def test_an_empty_actual_value_is_none(typed):
    assert parse_actual(typed) is None


@pytest.mark.parametrize(
    ("typed", "english", "chinese"),
    [
        (
            "about 90",
            "“about 90” is not a number: give a value such as 92, -3.5, 1,250 or 96.5%.",
            "“about 90”不是数字：请填写数值，例如 92、-3.5、1,250 或 96.5%。",
        ),
        (
            "1,23",
            "“1,23” is not a number: give a value such as 92, -3.5, 1,250 or 96.5%.",
            "“1,23”不是数字：请填写数值，例如 92、-3.5、1,250 或 96.5%。",
        ),
        (
            "NaN",
            "“NaN” is not a number: give a value such as 92, -3.5, 1,250 or 96.5%.",
            "“NaN”不是数字：请填写数值，例如 92、-3.5、1,250 或 96.5%。",
        ),
        (
            "-Infinity",
            "“-Infinity” is not a number: give a value such as 92, -3.5, 1,250 or 96.5%.",
            "“-Infinity”不是数字：请填写数值，例如 92、-3.5、1,250 或 96.5%。",
        ),
        (
            "5e3",
            "“5e3” is not a number: give a value such as 92, -3.5, 1,250 or 96.5%.",
            "“5e3”不是数字：请填写数值，例如 92、-3.5、1,250 或 96.5%。",
        ),
        (
            "12万",
            "“12万” is not a number: give a value such as 92, -3.5, 1,250 or 96.5%.",
            "“12万”不是数字：请填写数值，例如 92、-3.5、1,250 或 96.5%。",
        ),
        ("0.00001", "Give at most four decimal places, not 0.00001.", "请最多保留四位小数，而不是 0.00001。"),
        (
            "100000000000000",
            "100000000000000 is too large: at most 14 digits before the decimal point.",
            "100000000000000 过大：整数部分最多 14 位。",
        ),
        (
            "1" + "0" * 40,
            "1" + "0" * 40 + " is too large: at most 14 digits before the decimal point.",
            "1" + "0" * 40 + " 过大：整数部分最多 14 位。",
        ),
    ],
)
def test_an_actual_value_that_is_not_a_number_is_refused_in_the_users_language(typed, english, chinese):
    with pytest.raises(InvalidInput) as refused:
        parse_actual(typed)
    with translation.override("en"):
        assert str(refused.value) == english
    with translation.override("zh-hans"):
        assert str(refused.value) == chinese


def test_a_refusal_becomes_a_form_error_in_the_language_it_is_shown_in():
    with pytest.raises(InvalidInput) as refused:
        parse_score("101")
    error = refused.value.validation_error()
    assert isinstance(error, ValidationError) and error.code == "score_range"
    with translation.override("zh-hans"):
        assert error.messages == ["评分应在 0 到 100 之间，而不是 101。"]
    with translation.override("en"):
        assert error.messages == ["A score is from 0 to 100, not 101."]


# --- README's worked example ---------------------------------------------------------------------------


def test_the_readme_example_is_what_the_module_computes():
    readme = (settings.BASE_DIR / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Assessment arithmetic (绩效计分)", 1)[1].split("\n## ", 1)[0]
    lines = [
        Line(1, D(40), self_score=D(90), superior_score=D(85)),
        Line(2, D(35), rule=R.LINEAR, actual=D(91), target=D(95), floor=D(80), direction="higher"),
        Line(3, D(25), rule=R.DEDUCTION, actual=D(2), points=D(5)),
    ]
    with translation.override("en"):
        result = breakdown(lines, raters=RATERS)
        rows = [f"| {line.score_formula} | {line.contribution_formula} |" for line in result.lines]
    for row in rows:
        assert row in section
    assert result.total == D("82.57") and result.band == "B" and result.total_exact == Fraction(2477, 30)
    assert f"Total: {result.formula} (exactly 2477/30 = 82.5666…, rounded once), band **{result.band}**." in section
    assert "rater weights 20/80" in section
