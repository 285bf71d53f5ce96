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
