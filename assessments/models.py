"""KPIs (考核标准): the weighted key responsibilities a position is assessed against."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.text import control_character, control_character_message

# The target fields of a KPI row, in the order the editor, the API and the workbook give them.
TARGET_FIELDS = ("metric", "unit", "direction", "target", "floor", "rule", "points")
METRIC_LIMIT, UNIT_LIMIT = 100, 20
# Targets and floors: at most ten digits before the point and four after it. The model's columns hold
# more, but a number of fourteen digits in all is carried exactly by a JSON number (position documents).
TARGET_BOUND = Decimal("1e10")
POINTS_LIMIT = Decimal(100)  # a deduction of more than the whole score per occurrence means nothing
# Other spellings of a direction and a rule: the workbook's names (transfers/format.py), signs, short forms.
DIRECTION_ALIASES = {
    "越高越好": "higher",
    "≥": "higher",
    ">=": "higher",
    "＞＝": "higher",
    "高": "higher",
    "越低越好": "lower",
    "≤": "lower",
    "<=": "lower",
    "＜＝": "lower",
    "低": "lower",
}
RULE_ALIASES = {
    "直接评分": "direct",
    "直接": "direct",
    "线性": "linear",
    "线性计分": "linear",
    "达标": "threshold",
    "达标计分": "threshold",
    "扣分制": "deduction",
    "扣分": "deduction",
}


class KPI(models.Model):
    """One row of a position's 考核标准 table: 关键职责 | 权重 | 绩效标准 | 考核周期."""

    class Cycle(models.TextChoices):
        MONTHLY = "monthly", _("Monthly (月度)")
        QUARTERLY = "quarterly", _("Quarterly (季度)")
        HALF_YEARLY = "half-yearly", _("Half-yearly (半年度)")
        YEARLY = "yearly", _("Yearly (年度)")

    class Direction(models.TextChoices):
        HIGHER = "higher", _("Higher is better (≥)")
        LOWER = "lower", _("Lower is better (≤)")

    class Rule(models.TextChoices):
        """How a line's score follows from the actual value (实际值); assessments/scoring.py computes it."""

        DIRECT = "direct", _("Scored directly (0–100)")
        LINEAR = "linear", _("Linear between floor and target")
        THRESHOLD = "threshold", _("Target met or not")
        DEDUCTION = "deduction", _("Deduction per occurrence (扣分制)")

    position = models.ForeignKey(
        "positions.Position", on_delete=models.CASCADE, related_name="kpis", verbose_name=_("position")
    )
    order = models.PositiveIntegerField(_("order"))
    responsibility = models.TextField(_("key responsibility"), max_length=2000)
    # A percentage kept exactly (no float), e.g. 12.50; empty where the source gives none.
    weight = models.DecimalField(
        _("weight (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
    )
    standard = models.TextField(_("performance standard"), blank=True, max_length=2000)
    cycle = models.CharField(_("assessment cycle"), max_length=12, choices=Cycle.choices, blank=True)
    # An optional measurable target, added to the row's text (which it never replaces).
    # Database defaults too: synth_org and imports insert KPI rows by plain SQL naming older columns only.
    metric = models.CharField(_("metric"), max_length=100, blank=True, default="", db_default="")
    unit = models.CharField(_("unit"), max_length=20, blank=True, default="", db_default="")
    direction = models.CharField(
        _("direction"), max_length=6, choices=Direction.choices, blank=True, default="", db_default=""
    )
    target = models.DecimalField(_("target value (目标值)"), max_digits=18, decimal_places=4, null=True, blank=True)
    floor = models.DecimalField(_("floor (门槛值)"), max_digits=18, decimal_places=4, null=True, blank=True)
    rule = models.CharField(
        _("scoring rule"), max_length=10, choices=Rule.choices, default=Rule.DIRECT, db_default=Rule.DIRECT
    )
    points = models.DecimalField(
        _("points per occurrence"),
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
    )

    # The target rule's names, reached through the model (positions/ imports nothing else of assessments/).
    TARGET_FIELDS = TARGET_FIELDS
    METRIC_LIMIT, UNIT_LIMIT = METRIC_LIMIT, UNIT_LIMIT
    DIRECTION_ALIASES, RULE_ALIASES = DIRECTION_ALIASES, RULE_ALIASES

    class Meta:
        verbose_name = _("KPI")
        verbose_name_plural = _("KPIs")
        ordering = ["position", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["position", "order"],
                name="%(app_label)s_%(class)s_unique_order",
                violation_error_message=_("Two KPIs of one position cannot share an order number."),
            ),
            models.CheckConstraint(
                condition=Q(weight__isnull=True) | (Q(weight__gt=0) & Q(weight__lte=100)),
                name="%(app_label)s_%(class)s_weight_range",
                violation_error_message=_("A weight must be more than 0%% and at most 100%%."),
            ),
            models.CheckConstraint(
                condition=~Q(responsibility=""),
                name="%(app_label)s_%(class)s_responsibility_not_empty",
                violation_error_message=_("A KPI needs a key responsibility."),
            ),
        ]

    def __str__(self):
        return self.responsibility

    def clean(self):
        """The target fields' rules (read_targets) at their fields, for the Django admin."""
        super().clean()
        errors = self.target_errors({name: getattr(self, name) for name in TARGET_FIELDS})
        if errors:
            raise ValidationError(errors)

    @classmethod
    def target_errors(cls, values):
        """{field: message} for the target fields in `values`: empty when they may be saved together."""
        return cls.read_targets(values)[1]

    @classmethod
    def read_targets(cls, values):
        """The one place that judges a KPI's target fields: (targets, errors).

        `values` maps TARGET_FIELDS (any may be missing: empty, the direct rule) to what a writer sent:
        text, numbers (str, int, Decimal or a JSON float), a direction or rule by its code, its label or
        another spelling (越高越好, ≥, 线性, 扣分制…). `targets` holds them normalised (stripped text,
        codes, Decimals or None); `errors` maps a field to one message in the active language.

        The rules: direct (the rater gives 0–100) is the rule of a KPI without a target; linear needs a
        target, a floor and a direction, the floor on the worse side of the target; threshold needs a
        target and a direction; deduction needs points per occurrence (its actual value is a count, so a
        target is optional and, if given, fewer is better). Only linear uses a floor, only deduction
        points. A metric name, a unit or a direction without a target means nothing, except for
        deduction, whose unit names the occurrences (次).
        """
        errors = {}
        targets = {
            "metric": _target_text(values.get("metric"), METRIC_LIMIT, "metric", errors),
            "unit": _target_text(values.get("unit"), UNIT_LIMIT, "unit", errors),
            "direction": _target_choice(values.get("direction"), cls.Direction, DIRECTION_ALIASES, "direction", errors),
            "rule": _target_choice(values.get("rule"), cls.Rule, RULE_ALIASES, "rule", errors) or cls.Rule.DIRECT,
        }
        given = {name for name in ("target", "floor", "points") if not _empty(values.get(name))}
        for name in ("target", "floor", "points"):
            targets[name] = _target_number(values.get(name), name, errors)

        def refuse(name, message):
            errors.setdefault(name, message)

        rule, direction, target, floor = targets["rule"], targets["direction"], targets["target"], targets["floor"]
        has_target = "target" in given
        if "rule" not in errors:
            if rule in (cls.Rule.LINEAR, cls.Rule.THRESHOLD):
                label = gettext("The linear rule") if rule == cls.Rule.LINEAR else gettext("The threshold rule")
                if not has_target:
                    refuse(
                        "target",
                        gettext("%(rule)s needs a target value (目标值); a KPI without a target is scored directly.")
                        % {"rule": label},
                    )
                if not direction and "direction" not in errors:
                    refuse(
                        "direction",
                        gettext("%(rule)s needs a direction: higher is better (≥) or lower is better (≤).")
                        % {"rule": label},
                    )
            if rule == cls.Rule.LINEAR and "floor" not in given:
                refuse("floor", gettext("The linear rule needs a floor (门槛值): the value that scores 0."))
            if rule == cls.Rule.DEDUCTION:
                if "points" not in given:
                    refuse("points", gettext("The deduction rule needs the points taken off per occurrence."))
                if direction == cls.Direction.HIGHER:
                    refuse(
                        "direction",
                        gettext(
                            "The deduction rule counts occurrences, so fewer is better: "
                            "choose lower is better (≤) or no direction."
                        ),
                    )
            elif "points" in given:
                refuse("points", gettext("Only the deduction rule (扣分制) takes points per occurrence."))
        if "floor" in given:
            if not has_target:
                refuse("floor", gettext("A floor (门槛值) needs a target value (目标值)."))
            elif rule != cls.Rule.LINEAR and "rule" not in errors:
                refuse(
                    "floor", gettext("Only the linear rule uses a floor (门槛值); choose it, or leave the floor empty.")
                )
            elif target is not None and floor is not None and direction:
                if direction == cls.Direction.HIGHER and not floor < target:
                    refuse(
                        "floor",
                        gettext("Higher is better: the floor must be below the target (%(target)s).")
                        % {"target": _plain(target)},
                    )
                elif direction == cls.Direction.LOWER and not floor > target:
                    refuse(
                        "floor",
                        gettext("Lower is better: the floor must be above the target (%(target)s).")
                        % {"target": _plain(target)},
                    )
        # (Linear and threshold without a target have said so at the target already.)
        if not has_target and rule == cls.Rule.DIRECT and "rule" not in errors:
            for name, message in (
                ("metric", gettext("A metric name needs a target value (目标值), unless the rule is deduction.")),
                ("unit", gettext("A unit needs a target value (目标值), unless the rule is deduction.")),
                ("direction", gettext("A direction needs a target value (目标值), unless the rule is deduction.")),
            ):
                if targets[name]:
                    refuse(name, message)
        return targets, errors


def _empty(value):
    return value is None or (isinstance(value, str) and not value.strip())


def _plain(number):
    return format(number.normalize(), "f")


def _target_text(value, limit, name, errors):
    if _empty(value):
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal | float):
        errors[name] = gettext("Give this as text, not as a list or an object.")
        return ""
    text = str(value).strip()
    if character := control_character(text, single_line=True):
        errors[name] = control_character_message(character)
        return ""
    if len(text) > limit:
        errors[name] = gettext("At most %(limit)d characters (this has %(length)d).") % {
            "limit": limit,
            "length": len(text),
        }
        return ""
    return text


def _target_choice(value, choices, aliases, name, errors):
    if _empty(value):
        return ""
    text = str(value).strip() if isinstance(value, str) else value
    if isinstance(text, str):
        if text in choices.values:
            return text
        if text.lower() in choices.values:
            return text.lower()
        if text in aliases:
            return aliases[text]
        by_label = {str(label): code for code, label in choices.choices}
        if text in by_label:
            return by_label[text]
    names = "、".join([*choices.values, *aliases])
    errors[name] = gettext("“%(value)s” is not one of: %(choices)s.") % {"value": value, "choices": names}
    return ""


def _target_number(value, name, errors):
    """A target, a floor or points as a Decimal; None when empty or not a number (then an error at `name`)."""
    if _empty(value):
        return None
    number = None
    if not isinstance(value, bool) and isinstance(value, str | int | float | Decimal):
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            number = None
    if number is None or not number.is_finite():
        errors[name] = gettext("“%(value)s” is not a number: give a number such as 99.9 or 5.") % {"value": value}
        return None
    if name == "points":
        if not Decimal(0) < number <= POINTS_LIMIT:
            errors[name] = gettext("Points per occurrence are more than 0 and at most 100, not %(value)s.") % {
                "value": value
            }
            return None
        if number != number.quantize(Decimal("0.01")):
            errors[name] = gettext("Give at most two decimal places, not %(value)s.") % {"value": value}
            return None
        return number
    if abs(number) >= TARGET_BOUND:
        errors[name] = gettext("Give a number of at most ten digits before the decimal point, not %(value)s.") % {
            "value": value
        }
        return None
    if number != number.quantize(Decimal("0.0001")):
        errors[name] = gettext("Give at most four decimal places, not %(value)s.") % {"value": value}
        return None
    return number
