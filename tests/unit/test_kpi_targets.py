"""The KPI target rule (assessments.models.KPI.read_targets): every combination it refuses, at its field, in
Chinese and English; what it accepts, normalised; and the one-line target the card and the history show."""

from decimal import Decimal

import pytest
from django.utils import translation

from assessments.models import KPI, TARGET_FIELDS
from positions.documents import KPI_TARGET_DEFAULTS, kpi_defaults
from positions.templatetags.position_tags import kpi_target

LINEAR = {"metric": "系统可用率", "unit": "%", "direction": "higher", "target": "99.9", "floor": "99", "rule": "linear"}

# (what is sent, the field refused, words of the English message, words of the Chinese one)
REFUSED = [
    ({"rule": "linear", "target": 90, "direction": "higher"}, "floor", "needs a floor", "门槛值"),
    ({"rule": "linear", "floor": 80, "direction": "higher"}, "target", "needs a target value", "需要目标值"),
    ({"rule": "linear", "target": 90, "floor": 80}, "direction", "needs a direction", "需要方向"),
    ({"rule": "threshold", "direction": "higher"}, "target", "needs a target value", "需要目标值"),
    ({"rule": "threshold", "target": 100}, "direction", "needs a direction", "需要方向"),
    ({**LINEAR, "floor": "100"}, "floor", "below the target (99.9)", "低于目标值"),
    ({**LINEAR, "direction": "lower"}, "floor", "above the target (99.9)", "高于目标值"),
    ({**LINEAR, "floor": "99.9"}, "floor", "below the target", "低于目标值"),  # equal is refused too
    ({"target": 5, "floor": 3}, "floor", "Only the linear rule uses a floor", "只有线性计分使用门槛值"),
    ({"floor": 3}, "floor", "needs a target value", "需要目标值"),
    ({"unit": "%"}, "unit", "A unit needs a target value", "单位"),
    ({"metric": "客户满意度"}, "metric", "A metric name needs a target value", "指标名称"),
    ({"direction": "higher"}, "direction", "A direction needs a target value", "方向"),
    ({"rule": "deduction", "unit": "次"}, "points", "needs the points", "每次扣分"),
    ({"rule": "deduction", "points": 5, "direction": "higher"}, "direction", "fewer is better", "越少越好"),
    ({"points": 5}, "points", "Only the deduction rule", "只有扣分制"),
    ({"rule": "threshold", "target": 1, "direction": "higher", "points": 5}, "points", "Only the deduction", "扣分制"),
    ({"rule": "deduction", "points": 0}, "points", "more than 0 and at most 100", "大于 0"),
    ({"rule": "deduction", "points": 101}, "points", "more than 0 and at most 100", "不超过 100"),
    ({"rule": "deduction", "points": "2.555"}, "points", "two decimal places", "两位小数"),
    ({"target": "九十"}, "target", "is not a number", "不是数字"),
    ({"target": "99.9%"}, "target", "is not a number", "不是数字"),
    ({"target": True}, "target", "is not a number", "不是数字"),
    ({"target": [1]}, "target", "is not a number", "不是数字"),
    ({"target": "NaN"}, "target", "is not a number", "不是数字"),
    ({"rule": "linear", "target": 1, "floor": "x", "direction": "higher"}, "floor", "is not a number", "不是数字"),
    ({"rule": "deduction", "points": "five"}, "points", "is not a number", "不是数字"),
    ({"target": "12345678901"}, "target", "ten digits", "十位"),
    ({"target": "1.23456"}, "target", "four decimal places", "四位小数"),
    ({"rule": "scored by feel"}, "rule", "is not one of", "不是有效选项"),
    ({"target": 1, "direction": "sideways"}, "direction", "is not one of", "不是有效选项"),
    ({"target": 1, "metric": "x" * 101}, "metric", "At most 100 characters", "100"),
    ({"target": 1, "unit": "毫" * 21}, "unit", "At most 20 characters", "20"),
    ({"target": 1, "metric": "可用\x00率"}, "metric", "U+0000", "U+0000"),
    ({"target": 1, "unit": "%\n次"}, "unit", "U+000A", "U+000A"),  # one line: no line break
    ({"target": 1, "metric": {"a": 1}}, "metric", "Give this as text", "文字"),
]


@pytest.mark.parametrize(("values", "field", "english", "chinese"), REFUSED)
def test_each_bad_combination_is_refused_at_its_field_in_english_and_chinese(values, field, english, chinese):
    with translation.override("en"):
        errors = KPI.target_errors(values)
    assert field in errors and english in errors[field], errors
    with translation.override("zh-hans"):
        errors = KPI.target_errors(values)
    assert field in errors and chinese in errors[field], errors


@pytest.mark.parametrize(
    "values",
    [
        {},
        {name: "" for name in TARGET_FIELDS},
        {name: None for name in TARGET_FIELDS},
        {"rule": "direct"},
        LINEAR,
        {**LINEAR, "direction": "lower", "floor": "100", "target": "99.5"},
        {"metric": "报表按时提交率", "unit": "%", "direction": "≥", "target": 100, "rule": "达标"},
        {"metric": "重大差错", "unit": "次", "direction": "越低越好", "target": 0, "rule": "threshold"},
        {"metric": "差错", "unit": "次", "rule": "扣分制", "points": "2.5"},  # deduction: the unit names occurrences
        {"metric": "差错", "unit": "次", "direction": "lower", "target": 0, "rule": "deduction", "points": 100},
        {"metric": "培训学时", "unit": "学时", "direction": "higher", "target": 40},  # scored directly, target shown
        {"target": -5, "floor": -20, "direction": "higher", "rule": "linear"},  # negative numbers are numbers
        {"target": Decimal("9999999999.9999"), "floor": 0, "direction": "higher", "rule": "linear"},
    ],
)
def test_valid_combinations_pass(values):
    assert KPI.target_errors(values) == {}


def test_what_passes_comes_back_normalised():
    targets, errors = KPI.read_targets(
        {"metric": " 系统可用率 ", "unit": "%", "direction": "越高越好", "target": 99.9, "floor": "99", "rule": "线性"}
    )
    assert errors == {}
    assert targets == {
        "metric": "系统可用率",
        "unit": "%",
        "direction": "higher",
        "target": Decimal("99.9"),
        "floor": Decimal("99"),
        "rule": "linear",
        "points": None,
    }


@pytest.mark.parametrize(
    ("spelling", "code"),
    [("higher", "higher"), ("≥", "higher"), (">=", "higher"), ("越高越好", "higher"), ("Higher", "higher"),
     ("lower", "lower"), ("≤", "lower"), ("<=", "lower"), ("越低越好", "lower")],
)  # fmt: skip
def test_a_direction_is_read_by_its_code_sign_or_chinese_name(spelling, code):
    assert KPI.read_targets({"direction": spelling, "target": 1})[0]["direction"] == code


@pytest.mark.parametrize(
    ("spelling", "code"),
    [("", "direct"), ("direct", "direct"), ("直接评分", "direct"), ("linear", "linear"), ("线性", "linear"),
     ("threshold", "threshold"), ("达标", "threshold"), ("deduction", "deduction"), ("扣分制", "deduction")],
)  # fmt: skip
def test_a_rule_is_read_by_its_code_or_chinese_name_and_defaults_to_direct(spelling, code):
    assert KPI.read_targets({"rule": spelling})[0]["rule"] == code


def test_the_model_refuses_a_bad_combination_in_clean_for_the_admin():
    from django.core.exceptions import ValidationError

    kpi = KPI(responsibility="可用性", rule=KPI.Rule.LINEAR, target=Decimal(99), direction="higher")
    with pytest.raises(ValidationError) as refused:
        kpi.clean()
    assert set(refused.value.message_dict) == {"floor"}


@pytest.mark.parametrize(
    ("language", "row", "shown"),
    [
        ("zh-hans", {**LINEAR, "target": 99.9, "floor": 99}, "系统可用率 ≥ 99.9 %（门槛值 99 %，线性计分）"),
        ("en", {**LINEAR, "target": 99.9, "floor": 99}, "系统可用率 ≥ 99.9 % (floor 99 %, scored linearly)"),
        ("zh-hans", {"metric": "重大差错", "unit": "次", "direction": "lower", "target": 0, "rule": "threshold"},
         "重大差错 ≤ 0 次（达标计分）"),
        ("zh-hans", {"metric": "差错", "unit": "次", "rule": "deduction", "points": 5}, "差错（扣分制，每次扣 5 分）"),
        ("en", {"rule": "deduction", "points": 2.5}, "deduction, 2.5 points per occurrence"),
        ("zh-hans", {"metric": "培训学时", "unit": "学时", "target": 40, "rule": "direct"}, "培训学时目标值 40 学时"),
        ("zh-hans", {**KPI_TARGET_DEFAULTS}, ""),
        ("zh-hans", {"responsibility": "an old version's row, without the keys"}, ""),
    ],
)  # fmt: skip
def test_the_target_reads_as_one_line_and_only_when_set(language, row, shown):
    with translation.override(language):
        assert kpi_target(row) == shown


def test_an_old_documents_kpis_read_as_without_target_and_scored_directly():
    old = {"code": "A", "kpis": [{"responsibility": "甲", "weight": 100, "standard": "", "cycle": ""}]}
    filled = kpi_defaults(old)
    assert filled["kpis"] == [
        {"responsibility": "甲", "weight": 100, "standard": "", "cycle": "", **KPI_TARGET_DEFAULTS}
    ]
    assert old["kpis"][0] == {"responsibility": "甲", "weight": 100, "standard": "", "cycle": ""}  # not changed
    assert kpi_defaults(filled) is filled  # today's documents are left as they are
