"""Assessment arithmetic (绩效计分): each KPI's scoring rule, the rater-weighted line score, the weighted
total, its grade band, and the parsing of scores and actual values that people type or import.

Pure: numbers in, numbers out, no database. Pages, forms, imports and exports all call it, so a score
is computed one way everywhere. Exact: every step is a fractions.Fraction of the Decimal inputs; the
total is rounded once, at the end, to two places half-up. Rounded line scores are for showing only.
"""

import functools
import re
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_lazy, gettext_noop

from portal.formatting import plain_decimal

HUNDRED = Fraction(100)
# A cycle may let a linear KPI score past 100 when its target is beaten, up to its cap.
CAP_DEFAULT, CAP_LOWEST, CAP_HIGHEST = 100, 100, 150
# An actual value is stored like a KPI's target (max_digits=18, decimal_places=4).
ACTUAL_DECIMAL_PLACES, ACTUAL_INTEGER_DIGITS = 4, 14

DIRECT, LINEAR, THRESHOLD, DEDUCTION = "direct", "linear", "threshold", "deduction"  # KPI.Rule's values
HIGHER, LOWER = "higher", "lower"  # KPI.Direction's values


class InvalidInput(ValueError):
    """Input that cannot be scored, with a message for the person who gave it.

    `message` is lazy (shown in the language active when it is shown); `str(error)` is the message in the
    current language; `english` is the untranslated text (for logs and start-up errors)."""

    def __init__(self, msgid, code, **params):
        self.msgid, self.code, self.params = msgid, code, params
        super().__init__(msgid % params)

    @property
    def message(self):
        return gettext_lazy(self.msgid)

    @property
    def english(self):
        return self.msgid % self.params

    def __str__(self):
        return gettext(self.msgid) % self.params

    def validation_error(self):
        """The same message as a form's ValidationError (a form field or an import row shows it)."""
        return ValidationError(self.message, code=self.code, params=self.params or None)


def _fraction(value, *, name="value"):
    """An exact Fraction of a Decimal or int. Floats are refused: they would carry binary noise."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int | Fraction):
        raise TypeError(f"{name} must be a Decimal or an int, not {type(value).__name__}")
    if isinstance(value, Decimal) and not value.is_finite():
        raise TypeError(f"{name} must be finite, not {value}")
    return Fraction(value)


def round_half_up(value, places=2):
    """A Fraction rounded once to `places` decimal places, halves away from zero, as a Decimal: 85.005 -> 85.01."""
    scale = 10**places
    scaled = abs(Fraction(value)) * scale
    whole = int(scaled + Fraction(1, 2))  # int() of a non-negative Fraction is its floor
    if value < 0:
        whole = -whole
    return Decimal(f"{whole}E-{places}")  # from text: exact, whatever the decimal context's precision


def shown(value):
    """How a page shows an exact number: rounded half-up to 2 places, trailing zeros dropped ('86', '25.8')."""
    return plain_decimal(round_half_up(value))


def _equals(value):
    """'=' when the shown number is exact, '≈' when it was rounded."""
    return "=" if Fraction(round_half_up(value)) == value else "≈"


# ---------------------------------------------------------------------------------------------------------
# Checks of what a rule, a cycle and a score may be


def check_score(score, *, name="score"):
    """A rater's score: 0 to 100, at most two decimal places."""
    number = _fraction(score, name=name)
    if not 0 <= number <= 100:
        raise InvalidInput(gettext_noop("A score is from 0 to 100, not %(value)s."), "score_range", value=score)
    if number * 100 != int(number * 100):
        raise InvalidInput(gettext_noop("Give at most two decimal places, not %(value)s."), "score_places", value=score)
    return number


def check_cap(cap):
    """A cycle's cap on a linear KPI's score: 100 to 150."""
    number = _fraction(cap, name="cap")
    if not CAP_LOWEST <= number <= CAP_HIGHEST:
        raise InvalidInput(
            gettext_noop("The cap on a score is from 100 to 150, not %(value)s."), "cap_range", value=cap
        )
    return number


@dataclass(frozen=True)
class RaterWeights:
    """How much the self-assessment and the superior's score count, in whole percent totalling 100."""

    self_weight: int
    superior_weight: int

    def __post_init__(self):
        weights = (self.self_weight, self.superior_weight)
        if (
            any(isinstance(w, bool) or not isinstance(w, int | Decimal) for w in weights)
            or any(w != int(w) or not 0 <= w <= 100 for w in weights)
            or sum(weights) != 100
        ):
            raise InvalidInput(
                gettext_noop(
                    "Rater weights are whole numbers from 0 to 100 that add up to 100, not %(self_weight)s and %(superior_weight)s."
                ),
                "rater_weights",
                self_weight=self.self_weight,
                superior_weight=self.superior_weight,
            )
        object.__setattr__(self, "self_weight", int(self.self_weight))
        object.__setattr__(self, "superior_weight", int(self.superior_weight))


class RuleIncomplete(InvalidInput):
    """A KPI's target fields that its rule cannot score with; the message is the KPI model's own (KPI.read_targets,
    the one place that judges them), in the language active when it is shown."""

    code = "rule_incomplete"

    def __init__(self, values):
        self.values, self.params = values, {}
        ValueError.__init__(self, self.english)

    def _problem(self):
        from assessments.models import KPI  # the models import this module's constants

        _targets, errors = KPI.read_targets(self.values)
        return next(iter(errors.values()))

    @property
    def message(self):
        return lazy(self._problem, str)()

    @property
    def english(self):
        with translation.override("en"):
            return self._problem()

    def __str__(self):
        return self._problem()


def check_rule(rule, *, target=None, floor=None, direction="", points=None):
    """Whether a KPI's rule has what it needs (linear a target, a floor on the worse side and a direction;
    threshold a target and a direction; deduction the points per occurrence), as the KPI model judges it when
    the job description is saved: raises RuleIncomplete with the model's message."""
    if not _rule_complete(rule, target, floor, direction, points):
        raise RuleIncomplete({"rule": rule, "target": target, "floor": floor, "direction": direction, "points": points})


@functools.lru_cache(maxsize=4096)
def _rule_complete(rule, target, floor, direction, points):
    """KPI.read_targets' verdict, remembered: a cycle's lines repeat a few rules many thousand times, and an
    export scores each line up to three times (the model's check reads and words every field)."""
    from assessments.models import KPI

    values = {"rule": rule, "target": target, "floor": floor, "direction": direction, "points": points}
    return not KPI.read_targets(values)[1]


def check_actual(rule, actual):
    """Whether `actual` can be a rule's actual value: for a deduction, a whole number of occurrences, 0 or more."""
    number = _fraction(actual, name="actual")
    if rule == DEDUCTION and (number < 0 or number.denominator != 1):
        raise InvalidInput(
            gettext_noop("The number of occurrences is a whole number, 0 or more, not %(value)s."),
            "occurrences",
            value=actual,
        )
    return number


# ---------------------------------------------------------------------------------------------------------
# The rules


def rule_score(rule, actual, *, target=None, floor=None, direction="", points=None, cap=CAP_DEFAULT):
    """The exact score (a Fraction) a rule gives an actual value; None for a direct rule (the raters score it)
    and while there is no actual value.

    linear: 100 at the target, 0 at the floor, straight in between, 0 past the floor; beyond the target it
      goes on in a straight line up to `cap`. threshold: 100 when the target is met, else 0. deduction:
      100 − points × occurrences, never below 0."""
    check_rule(rule, target=target, floor=floor, direction=direction, points=points)
    if rule == DIRECT or actual is None:
        return None
    value = check_actual(rule, actual)
    if rule == LINEAR:
        target, floor, cap = Fraction(target), Fraction(floor), check_cap(cap)
        # One formula serves both directions: (actual − floor) / (target − floor) changes sign with them.
        return min(max(HUNDRED * (value - floor) / (target - floor), Fraction(0)), cap)
    if rule == THRESHOLD:
        met = value >= Fraction(target) if direction == HIGHER else value <= Fraction(target)
        return HUNDRED if met else Fraction(0)
    return max(HUNDRED - Fraction(points) * value, Fraction(0))


def line_score(self_score, superior_score, raters):
    """w_self × self + w_superior × superior (weights as fractions of 1), exact; None while a score that
    counts is missing. A rater whose weight is 0 need not score."""
    total = Fraction(0)
    for score, weight, name in (
        (self_score, raters.self_weight, "self_score"),
        (superior_score, raters.superior_weight, "superior_score"),
    ):
        if weight == 0:
            continue
        if score is None:
            return None
        total += Fraction(weight, 100) * check_score(score, name=name)
    return total


# ---------------------------------------------------------------------------------------------------------
# Grade bands


def default_bands():
    return settings.ASSESSMENT_BANDS


def check_bands(bands):
    """A band table: (name, threshold) pairs, thresholds from highest to lowest, the last 0, names unique and
    not empty, thresholds 0 to 150 with at most two decimal places. Returns it as a tuple of (str, Decimal)."""
    bands = tuple(bands)
    if not bands:
        raise InvalidInput(gettext_noop("Give at least one band."), "bands_empty")
    seen, table = set(), []
    for name, threshold in bands:
        name = str(name).strip()
        if not name:
            raise InvalidInput(gettext_noop("Each band needs a name."), "band_name")
        if name in seen:
            raise InvalidInput(
                gettext_noop("Band names must differ: %(name)s is named twice."), "band_twice", name=name
            )
        seen.add(name)
        if (
            isinstance(threshold, bool)
            or not isinstance(threshold, Decimal | int)
            or not Decimal(threshold).is_finite()
            or not 0 <= threshold <= CAP_HIGHEST
            or Decimal(threshold) != Decimal(threshold).quantize(Decimal("0.01"))
        ):
            raise InvalidInput(
                gettext_noop("A band starts at a number from 0 to 150 with at most two decimal places, not %(value)s."),
                "band_threshold",
                value=threshold,
            )
        if table and not threshold < table[-1][1]:
            raise InvalidInput(
                gettext_noop("Bands go from the highest threshold to the lowest: %(name)s must start below %(above)s."),
                "bands_order",
                name=name,
                above=plain_decimal(table[-1][1]),
            )
        table.append((name, Decimal(threshold)))
    if table[-1][1] != 0:
        raise InvalidInput(
            gettext_noop("The last band starts at 0, so that every total has a band (%(name)s starts at %(value)s)."),
            "bands_floor",
            name=table[-1][0],
            value=plain_decimal(table[-1][1]),
        )
    return tuple(table)


def band(total, bands=None):
    """The band of a total: the first whose threshold the total reaches. Give it the ROUNDED total (as
    Breakdown does): 94.995 is shown as 95.00, and is an S where S starts at 95. None for no total."""
    if total is None:
        return None
    return _band_in(total, check_bands(default_bands() if bands is None else bands))


def _band_in(total, table):
    for name, threshold in table:
        if total >= threshold:
            return name
    return None  # a negative total: no rule gives one


# ---------------------------------------------------------------------------------------------------------
# An assessment's lines and their breakdown


@dataclass(frozen=True)
class Line:
    """One KPI line of an assessment: the KPI's order, weight (%) and rule, and what was entered for it."""

    order: int
    weight: Decimal
    rule: str = DIRECT
    self_score: Decimal | None = None
    superior_score: Decimal | None = None
    actual: Decimal | None = None
    target: Decimal | None = None
    floor: Decimal | None = None
    direction: str = ""
    points: Decimal | None = None
    label: str = ""

    @classmethod
    def for_kpi(cls, kpi, *, self_score=None, superior_score=None, actual=None):
        """A line from a KPI (or anything with its fields: order, weight, rule, target, floor, direction, points)."""
        return cls(
            order=kpi.order,
            weight=kpi.weight,
            rule=kpi.rule,
            self_score=self_score,
            superior_score=superior_score,
            actual=actual,
            target=kpi.target,
            floor=kpi.floor,
            direction=kpi.direction,
            points=kpi.points,
            label=str(kpi.responsibility) if hasattr(kpi, "responsibility") else "",
        )


@dataclass(frozen=True)
class ScoredLine:
    """A line with its exact scores. `score` is the line score (None while unscored); `contribution` is
    weight × score / the lines' total weight (100, unless the cycle assesses only some of a post's KPIs).
    The *_shown values and formulas are for pages; the total never reads them."""

    line: Line
    raters: RaterWeights
    cap: Fraction
    rule_score: Fraction | None
    score: Fraction | None
    total_weight: Fraction = HUNDRED

    @property
    def order(self):
        return self.line.order

    @property
    def weight(self):
        return self.line.weight

    @property
    def rule(self):
        return self.line.rule

    @property
    def actual(self):
        return self.line.actual

    @property
    def self_score(self):
        return self.line.self_score

    @property
    def superior_score(self):
        return self.line.superior_score

    @property
    def rule_score_shown(self):
        return None if self.rule_score is None else round_half_up(self.rule_score)

    @property
    def scored(self):
        return self.score is not None

    @property
    def contribution(self):
        return None if self.score is None else Fraction(self.line.weight) * self.score / self.total_weight

    @property
    def score_shown(self):
        return None if self.score is None else round_half_up(self.score)

    @property
    def contribution_shown(self):
        return None if self.score is None else round_half_up(self.contribution)

    @property
    def rule_formula(self):
        """How the rule turned the actual value into a score, e.g. '100 × (92 − 80) ÷ (95 − 80) = 80'."""
        line, score = self.line, self.rule_score
        if line.rule == DIRECT or score is None:
            return ""
        actual = plain_decimal(line.actual)
        if line.rule == LINEAR:
            target, floor = plain_decimal(line.target), plain_decimal(line.floor)
            if line.direction == HIGHER:
                raw = (
                    HUNDRED
                    * (Fraction(line.actual) - Fraction(line.floor))
                    / (Fraction(line.target) - Fraction(line.floor))
                )
                text = f"100 × ({actual} − {floor}) ÷ ({target} − {floor})"
            else:
                raw = (
                    HUNDRED
                    * (Fraction(line.floor) - Fraction(line.actual))
                    / (Fraction(line.floor) - Fraction(line.target))
                )
                text = f"100 × ({floor} − {actual}) ÷ ({floor} − {target})"
            if raw < 0:
                return gettext("%(formula)s < 0: past the floor, 0") % {"formula": text}
            if raw > self.cap:
                return gettext("%(formula)s %(equals)s %(raw)s, capped at %(cap)s") % {
                    "formula": text,
                    "equals": _equals(raw),
                    "raw": shown(raw),
                    "cap": shown(self.cap),
                }
            return f"{text} {_equals(score)} {shown(score)}"
        if line.rule == THRESHOLD:
            target = plain_decimal(line.target)
            if line.direction == HIGHER:
                sign = "≥" if score else "<"
            else:
                sign = "≤" if score else ">"
            return f"{actual} {sign} {target} → {shown(score)}"
        points = plain_decimal(line.points)
        raw = HUNDRED - Fraction(line.points) * Fraction(line.actual)
        if raw < 0:
            return gettext("100 − %(points)s × %(actual)s < 0: no lower than 0") % {"points": points, "actual": actual}
        return f"100 − {points} × {actual} = {shown(score)}"

    @property
    def score_formula(self):
        """How the line score came about: '0.2 × 90 + 0.8 × 85 = 86' (direct), or the rule's formula."""
        if self.score is None:
            return gettext("not scored yet")
        if self.line.rule != DIRECT:
            return self.rule_formula
        terms = [
            f"{plain_decimal(Decimal(weight) / 100)} × {plain_decimal(score)}"
            for weight, score in (
                (self.raters.self_weight, self.line.self_score),
                (self.raters.superior_weight, self.line.superior_score),
            )
            if weight
        ]
        return f"{' + '.join(terms)} {_equals(self.score)} {shown(self.score)}"

    @property
    def contribution_formula(self):
        """The line's part of the total: '30% × 86 = 25.8', or '30% ÷ 60% × 86 = 43' when the cycle's lines
        weigh less than 100 % between them (their weights are scaled to 100 % within the cycle)."""
        weight = plain_decimal(self.line.weight)
        if self.total_weight != HUNDRED:
            weight = f"{weight}% ÷ {shown(self.total_weight)}"
        if self.score is None:
            return f"{weight}% × —"
        return f"{weight}% × {shown(self.score)} {_equals(self.contribution)} {shown(self.contribution)}"


@dataclass(frozen=True)
class Breakdown:
    """What a page shows of an assessment: each line, the total (None while any line is unscored) rounded
    once to two places half-up, and the band of that rounded total."""

    lines: tuple
    raters: RaterWeights
    total_exact: Fraction | None
    total: Decimal | None
    band: str | None
    bands: tuple = field(repr=False, default=())

    @property
    def complete(self):
        return self.total is not None

    @property
    def formula(self):
        """'34.4 + 25.67 + 22.5 ≈ 82.57': the lines' contributions as shown, and the total."""
        if self.total is None:
            return gettext("not every line is scored yet")
        parts = " + ".join(shown(line.contribution) for line in self.lines)
        exact = all(Fraction(line.contribution_shown) == line.contribution for line in self.lines)
        return (
            f"{parts} {'=' if exact and Fraction(self.total) == self.total_exact else '≈'} {plain_decimal(self.total)}"
        )


def check_weights(lines):
    """The KPI weights of an assessment's lines: each given, and together at most 100; the total weight.

    A cycle assesses the KPIs of its type only (quarterly ones in a quarterly cycle): a post mixing quarterly
    and yearly KPIs brings lines weighing less than 100 % between them, and their weights count in proportion
    (Σ weight × score ÷ Σ weight). A job description's weights never total more than 100 %."""
    for line in lines:
        if line.weight is None:
            raise InvalidInput(gettext_noop("KPI %(order)s has no weight."), "weight_missing", order=line.order)
        if not 0 < _fraction(line.weight, name="weight") <= 100:
            raise InvalidInput(
                gettext_noop("The weight of KPI %(order)s must be more than 0%% and at most 100%%, not %(weight)s."),
                "weight_range",
                order=line.order,
                weight=plain_decimal(line.weight),
            )
    total = sum((Fraction(line.weight) for line in lines), Fraction(0))
    if not 0 < total <= HUNDRED:
        raise InvalidInput(
            gettext_noop("The KPI weights add up to %(total)s%%, more than 100%%."),
            "weights_total",
            total=plain_decimal(sum(Decimal(line.weight) for line in lines)),
        )
    return total


def score_line(line, raters, cap=CAP_DEFAULT, total_weight=HUNDRED):
    """One line's exact scores. A rule other than direct scores the one actual value for both raters."""
    cap = check_cap(cap)
    found = rule_score(
        line.rule,
        line.actual,
        target=line.target,
        floor=line.floor,
        direction=line.direction,
        points=line.points,
        cap=cap,
    )
    if line.rule == DIRECT:
        score = line_score(line.self_score, line.superior_score, raters)
    else:
        score = found  # w_self × r + w_superior × r = r: the weights total 100
    return ScoredLine(line=line, raters=raters, cap=cap, rule_score=found, score=score, total_weight=total_weight)


def weighted_total(scored_lines):
    """Σ weight × line score / Σ weight (/ 100 when the lines are all of a post's KPIs), exact; None while any
    line is unscored."""
    if any(line.score is None for line in scored_lines):
        return None
    return sum((line.contribution for line in scored_lines), Fraction(0))


def breakdown(lines, *, raters, cap=CAP_DEFAULT, bands=None):
    """Score an assessment's lines (in their order) with the cycle's rater weights, cap and bands."""
    lines = sorted(lines, key=lambda line: line.order)
    total_weight = check_weights(lines)
    scored = tuple(score_line(line, raters, cap, total_weight) for line in lines)
    exact = weighted_total(scored)
    total = None if exact is None else round_half_up(exact)
    table = check_bands(default_bands() if bands is None else bands)
    return Breakdown(
        lines=scored,
        raters=raters,
        total_exact=exact,
        total=total,
        band=None if total is None else _band_in(total, table),
        bands=table,
    )


# ---------------------------------------------------------------------------------------------------------
# What people type (or a spreadsheet cell holds)

# Full-width forms an IME gives (８５．５, －３, １，２５０, ９６％) and the minus sign, as ASCII.
_WIDE = str.maketrans(
    {**{chr(0xFF10 + i): str(i) for i in range(10)}, "．": ".", "，": ",", "－": "-", "−": "-", "＋": "+", "％": "%"}
)
_SCORE = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)", re.ASCII)  # ASCII: \d would take ١٢
_ACTUAL = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?|[+-]?\.\d+", re.ASCII)


def _typed(value):
    """A cell or a field as text: strings stripped and made ASCII-wide; numbers as plain digits."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):  # a spreadsheet cell; its shortest repr is the number the person typed
        value = Decimal(repr(value)) if value == value and abs(value) != float("inf") else repr(value)
    if isinstance(value, Decimal | int):
        return format(value, "f") if isinstance(value, Decimal) and value.is_finite() else str(value)
    return str(value).translate(_WIDE).replace("\u3000", " ").strip()


def parse_score(value):
    """A rater's score as typed: a number from 0 to 100 with at most two decimal places, as a Decimal with two.

    Takes "85", "85.5", "85.50", full-width "８５" and a trailing 分 ("85分"); a spreadsheet's number cell.
    Empty is None (not scored yet). Refuses words, NaN and Infinity, exponents, percentages and anything
    outside 0–100, each with a message (InvalidInput) for the field or the row."""
    if value is None:
        return None
    text = _typed(value)
    if text.endswith("分"):
        text = text[:-1].rstrip()
    if not text:
        return None
    if not _SCORE.fullmatch(text):
        raise InvalidInput(
            gettext_noop("“%(value)s” is not a score: give a number from 0 to 100, such as 85 or 85.5."),
            "score_text",
            value=str(value).strip(),
        )
    number = Decimal(text)
    check_score(number)
    return number.quantize(Decimal("0.01"))


def parse_actual(value):
    """An actual value (实际值) as typed: any finite number, in the KPI's unit, as a Decimal.

    Takes "92", "-3.5", "1,250,000" (commas between groups of three), full-width digits, and a trailing %
    ("96.5%" is 96.5, as a target of 95 with the unit % is 95); a spreadsheet's number cell. Empty is
    None. At most 4 decimal places and 14 digits before the point (what is stored). Refuses words, NaN,
    Infinity and exponents with a message (InvalidInput)."""
    if value is None:
        return None
    text = _typed(value)
    if text.endswith("%"):
        text = text[:-1].rstrip()
    if not text:
        return None
    if not _ACTUAL.fullmatch(text):
        raise InvalidInput(
            gettext_noop("“%(value)s” is not a number: give a value such as 92, -3.5, 1,250 or 96.5%%."),
            "actual_text",
            value=str(value).strip(),
        )
    number = Decimal(text.replace(",", ""))
    if abs(number) >= Decimal(10) ** ACTUAL_INTEGER_DIGITS:
        raise InvalidInput(
            gettext_noop("%(value)s is too large: at most 14 digits before the decimal point."),
            "actual_size",
            value=str(value).strip(),
        )
    if number != number.quantize(Decimal(1).scaleb(-ACTUAL_DECIMAL_PLACES)):
        raise InvalidInput(
            gettext_noop("Give at most four decimal places, not %(value)s."), "actual_places", value=str(value).strip()
        )
    return number
