"""KPIs (考核标准): the weighted key responsibilities a position is assessed against."""

from decimal import Decimal, InvalidOperation

from django.conf import settings
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


# Assessment cycles (考核周期) ----------------------------------------------------------------------
# The cycle is opened by assessments/services/opening.py, which freezes each post's KPI rows as published
# at that instant (from the history) into the lines below: a later edit of the job description never
# rewrites an assessment.

CAP_RANGE = (Decimal("100"), Decimal("150"))
FULL = Decimal("100")
# A constraint's message is %-formatted (with the constraint's name): a percent sign is written %%.
SHARE_RANGE = _("The share of concurrent posts must be more than 0%% and less than 100%%.")


class AssessmentCycle(models.Model):
    """A round of assessments (考核周期): the KPIs of one cycle type, over the whole organisation or a
    department subtree, between two dates, with the raters' weights, the score cap and the share of
    concurrent posts (兼岗)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    name = models.CharField(
        _("name"),
        max_length=100,
        unique=True,
        error_messages={"unique": _("A cycle with this name already exists.")},
    )
    kpi_cycle = models.CharField(_("KPI cycle type"), max_length=12, choices=KPI.Cycle.choices)
    starts_on = models.DateField(_("start date"))
    ends_on = models.DateField(_("end date"))
    # The scope: a department and every department under it; empty for the whole organisation.
    department = models.ForeignKey(
        "org_tree.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assessment_cycles",
        verbose_name=_("department (and those under it)"),
        help_text=_("Empty: the whole organisation."),
    )
    # Whole percentages totalling 100 (20/80, 0/100): a line's score is self × w_self + superior × w_superior, / 100.
    self_weight = models.PositiveSmallIntegerField(_("self-assessment weight (%)"), default=0)
    superior_weight = models.PositiveSmallIntegerField(_("superior's weight (%)"), default=100)
    cap = models.DecimalField(_("score cap"), max_digits=5, decimal_places=2, default=Decimal("100"))
    # Empty: concurrent posts are not assessed. Otherwise the share (%) of the person's result their
    # concurrent posts carry together; the primary post carries the rest.
    concurrent_share = models.DecimalField(
        _("share of concurrent posts (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Empty: concurrent posts (兼岗) are not assessed."),
    )
    status = models.CharField(_("status"), max_length=6, choices=Status.choices, default=Status.OPEN)
    opened_at = models.DateTimeField(_("opened at"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("opened by"),
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )
    # The posts in scope that could not be assessed, as the opening found them (language-neutral; the
    # cycle's page words them): [{"code", "title", "department", "reason", "problems": [completeness kinds]}].
    left_out = models.JSONField(_("posts left out"), default=list, blank=True, editable=False)

    class Meta:
        verbose_name = _("assessment cycle")
        verbose_name_plural = _("assessment cycles")
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(self_weight__lte=100)
                & Q(superior_weight__lte=100)
                & Q(self_weight=100 - models.F("superior_weight")),
                name="%(app_label)s_%(class)s_weights_total",
                violation_error_message=_("The self-assessment and superior's weights must total 100."),
            ),
            models.CheckConstraint(
                condition=Q(cap__gte=CAP_RANGE[0], cap__lte=CAP_RANGE[1]),
                name="%(app_label)s_%(class)s_cap_range",
                violation_error_message=_("The score cap must be between 100 and 150."),
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="%(app_label)s_%(class)s_ends_after_start",
                violation_error_message=_("A cycle cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(concurrent_share__isnull=True) | Q(concurrent_share__gt=0, concurrent_share__lt=100),
                name="%(app_label)s_%(class)s_concurrent_share_range",
                violation_error_message=SHARE_RANGE,
            ),
            models.CheckConstraint(
                condition=Q(status="open") | Q(closed_at__isnull=False),
                name="%(app_label)s_%(class)s_closed_when",
                violation_error_message=_("A closed cycle needs the time it was closed."),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("assessments:cycle", args=[self.pk])

    @property
    def is_open(self):
        return self.status == self.Status.OPEN

    @property
    def assesses_concurrent_posts(self):
        return self.concurrent_share is not None

    def clean(self):
        """Say at the field what the constraints refuse."""
        super().clean()
        errors = {}
        if self.self_weight is not None and self.superior_weight is not None:
            if self.self_weight + self.superior_weight != 100:
                errors["self_weight"] = _("The self-assessment and superior's weights must total 100.")
        if self.cap is not None and not CAP_RANGE[0] <= self.cap <= CAP_RANGE[1]:
            errors["cap"] = _("The score cap must be between 100 and 150.")
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("A cycle cannot end before it starts.")
        if self.concurrent_share is not None and not 0 < self.concurrent_share < FULL:
            errors["concurrent_share"] = SHARE_RANGE % {}
        if errors:
            raise ValidationError(errors)


class Assessment(models.Model):
    """One person's assessment in one post (主岗 or 兼岗) for a cycle, with the post's KPI rows frozen as
    published when the cycle opened (its lines)."""

    class Step(models.TextChoices):
        NOT_STARTED = "not-started", _("Not started")
        SELF = "self", _("Self-assessment")
        SUPERIOR = "superior", _("Superior scoring")
        REVIEW = "review", _("Second-level review")
        DONE = "done", _("Done")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        DISAGREED = "disagreed", _("Disagreed")

    class Kind(models.TextChoices):
        PRIMARY = "primary", _("Primary post (主岗)")
        CONCURRENT = "concurrent", _("Concurrent post (兼岗)")

    cycle = models.ForeignKey(
        AssessmentCycle, on_delete=models.CASCADE, related_name="assessments", verbose_name=_("cycle")
    )
    person = models.ForeignKey(
        "positions.Person", on_delete=models.PROTECT, related_name="assessments", verbose_name=_("person")
    )
    # Null once the post is deleted: the assessment keeps the post's code, title and department as they were.
    position = models.ForeignKey(
        "positions.Position",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assessments",
        verbose_name=_("position"),
    )
    position_code = models.CharField(_("position code"), max_length=40)
    position_title = models.CharField(_("position title"), max_length=200)
    department = models.ForeignKey(
        "org_tree.Department",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assessments",
        verbose_name=_("department"),
    )
    department_name = models.CharField(_("department name"), max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PRIMARY)
    # The share (%) of the person's result this post carries (100 for one post; 70/30 with a concurrent one).
    share = models.DecimalField(_("share (%)"), max_digits=5, decimal_places=2, default=Decimal("100"))
    step = models.CharField(_("step"), max_length=12, choices=Step.choices, default=Step.NOT_STARTED)
    # Bumped by every save of the assessment: a writer that started from an older one is refused (lost updates).
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    frozen_at = models.DateTimeField(_("KPIs frozen at"), editable=False)

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["cycle", "position_code", "person"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "person", "position_code"],
                name="%(app_label)s_%(class)s_once_per_post",
                violation_error_message=_("This person already has an assessment for this post in this cycle."),
            ),
            models.CheckConstraint(
                condition=Q(share__gt=0, share__lte=100),
                name="%(app_label)s_%(class)s_share_range",
                violation_error_message=_("A share must be more than 0%% and at most 100%%."),
            ),
        ]
        indexes = [models.Index(fields=["cycle", "step"], name="assessments_cycle_step")]

    def __str__(self):
        return f"{self.cycle} · {self.position_code} · {self.person}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("assessments:assessment", args=[self.pk])


class AssessmentLine(models.Model):
    """One frozen KPI row of an assessment (its text, weight, cycle and target as published when the
    cycle opened), with the actual value and the raters' scores and comments."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="lines", verbose_name=_("assessment")
    )
    order = models.PositiveIntegerField(_("order"))
    # The KPI row as it was published (KPI's fields, copied: never read from the job description again).
    responsibility = models.TextField(_("key responsibility"), max_length=2000)
    weight = models.DecimalField(_("weight (%)"), max_digits=5, decimal_places=2)
    standard = models.TextField(_("performance standard"), blank=True, max_length=2000)
    cycle = models.CharField(_("assessment cycle"), max_length=12, choices=KPI.Cycle.choices, blank=True)
    metric = models.CharField(_("metric"), max_length=100, blank=True, default="")
    unit = models.CharField(_("unit"), max_length=20, blank=True, default="")
    direction = models.CharField(_("direction"), max_length=6, choices=KPI.Direction.choices, blank=True, default="")
    target = models.DecimalField(_("target value (目标值)"), max_digits=18, decimal_places=4, null=True, blank=True)
    floor = models.DecimalField(_("floor (门槛值)"), max_digits=18, decimal_places=4, null=True, blank=True)
    rule = models.CharField(_("scoring rule"), max_length=10, choices=KPI.Rule.choices, default=KPI.Rule.DIRECT)
    points = models.DecimalField(_("points per occurrence"), max_digits=7, decimal_places=2, null=True, blank=True)
    # What the raters enter.
    actual = models.DecimalField(_("actual value (实际值)"), max_digits=18, decimal_places=4, null=True, blank=True)
    self_score = models.DecimalField(_("self score"), max_digits=5, decimal_places=2, null=True, blank=True)
    self_comment = models.TextField(_("self comment"), blank=True, default="", max_length=2000)
    superior_score = models.DecimalField(_("superior's score"), max_digits=5, decimal_places=2, null=True, blank=True)
    superior_comment = models.TextField(_("superior's comment"), blank=True, default="", max_length=2000)

    class Meta:
        verbose_name = _("assessment line")
        verbose_name_plural = _("assessment lines")
        ordering = ["assessment", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "order"],
                name="%(app_label)s_%(class)s_unique_order",
                violation_error_message=_("Two lines of one assessment cannot share an order number."),
            ),
            models.CheckConstraint(
                condition=Q(weight__gt=0, weight__lte=100),
                name="%(app_label)s_%(class)s_weight_range",
                violation_error_message=_("A weight must be more than 0%% and at most 100%%."),
            ),
            models.CheckConstraint(
                condition=Q(self_score__isnull=True) | Q(self_score__gte=0, self_score__lte=CAP_RANGE[1]),
                name="%(app_label)s_%(class)s_self_score_range",
                violation_error_message=_("A score must be between 0 and 150."),
            ),
            models.CheckConstraint(
                condition=Q(superior_score__isnull=True) | Q(superior_score__gte=0, superior_score__lte=CAP_RANGE[1]),
                name="%(app_label)s_%(class)s_superior_score_range",
                violation_error_message=_("A score must be between 0 and 150."),
            ),
        ]

    def __str__(self):
        return self.responsibility


class AssessmentEvent(models.Model):
    """One step or save in an assessment's history (assessments/services/workflow.py writes it in the same
    transaction as the change): who, when, on whose behalf, what changed and the reason given."""

    class Action(models.TextChoices):
        SAVE = "save", _("Saved")
        SUBMIT_SELF = "submit_self", _("Submitted the self-assessment")
        SUBMIT_SUPERIOR = "submit_superior", _("Submitted the superior's scores")
        AGREE = "agree", _("Agreed (second-level review)")
        RETURN = "return", _("Returned to the superior")
        ACKNOWLEDGE = "acknowledge", _("Acknowledged")
        DISAGREE = "disagree", _("Disagreed")
        COMMENT = "comment", _("Commented")

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="events", verbose_name=_("assessment")
    )
    # The assessment's version this event made (a comment leaves it as it was).
    version = models.PositiveIntegerField(_("version"))
    at = models.DateTimeField(_("at"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    # An HR editor acting for the person whose step it was.
    on_behalf = models.BooleanField(_("on someone's behalf"), default=False)
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    # {"step": [from, to]} and/or {"lines": {order: {field: [old, new]}}}, numbers as text.
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    comment = models.TextField(_("comment or reason"), blank=True, default="", max_length=2000)

    class Meta:
        verbose_name = _("assessment event")
        verbose_name_plural = _("assessment events")
        ordering = ["assessment", "at", "pk"]

    def __str__(self):
        return f"{self.assessment_id} · {self.action} · v{self.version}"
