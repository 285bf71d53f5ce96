"""KPIs (考核标准): the weighted key responsibilities a position is assessed against."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


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
