"""Positions (岗位): the reporting tree and the text of each job description."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from mptt.managers import TreeManager
from mptt.models import TreeForeignKey

from portal.models import LockedTreeModel
from positions.completeness import PositionQuerySet, facts_for, judge

CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"


class PositionManager(TreeManager.from_queryset(PositionQuerySet)):
    """mptt's tree manager (rebuild, disable_mptt_updates, ...) with the portal's query helpers."""


class Position(LockedTreeModel):
    """A post in the organisation; its parent is the direct superior (直接上级)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    code = models.CharField(
        _("position code"),
        max_length=40,
        unique=True,
        validators=[
            RegexValidator(
                CODE_PATTERN, _("Use letters, digits, '-', '_' or '.' only, starting with a letter or digit.")
            )
        ],
        error_messages={"unique": _("A position with this code already exists.")},
    )
    title = models.CharField(_("position title"), max_length=200)
    department = models.ForeignKey(
        "org_tree.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="positions",
    )
    parent = TreeForeignKey(
        "self",
        verbose_name=_("direct superior"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    headcount = models.PositiveIntegerField(_("headcount"), default=1)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    has_description = models.BooleanField(
        _("job description on file"),
        default=True,
        help_text=_("Off for posts known only from another position's reporting line."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = PositionManager()

    class MPTTMeta:
        order_insertion_by = ["code"]

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        # Chart order: lets a page of the list stop after LIMIT rows instead of sorting the whole tree.
        indexes = [models.Index(fields=["tree_id", "lft"], name="%(app_label)s_%(class)s_tree_order")]
        constraints = [
            models.CheckConstraint(
                condition=Q(headcount__gte=0),
                name="%(app_label)s_%(class)s_headcount_not_negative",
                violation_error_message=_("Headcount cannot be negative."),
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"

    def get_absolute_url(self):
        return reverse("positions:detail", args=[self.code])

    @cached_property
    def facts(self):
        """Counts and the KPI weight total that completeness is judged on (see completeness.py)."""
        return facts_for(self)

    @cached_property
    def problems(self):
        """Why this job description is incomplete (empty when it is complete)."""
        return judge(self.has_description, self.facts)

    @property
    def is_complete(self):
        return not self.problems

    def items_of(self, kind):
        return [item.text for item in self.items.all() if item.kind == kind]

    @property
    def duties(self):
        return self.items_of(DescriptionItem.Kind.DUTY)

    @property
    def qualifications(self):
        return self.items_of(DescriptionItem.Kind.QUALIFICATION)

    @property
    def training(self):
        return self.items_of(DescriptionItem.Kind.TRAINING)


class DescriptionItem(models.Model):
    """One numbered line of a job description: a duty, a qualification or a training requirement."""

    class Kind(models.TextChoices):
        DUTY = "duty", _("Duty")
        QUALIFICATION = "qualification", _("Qualification")
        TRAINING = "training", _("Training requirement")

    position = models.ForeignKey(Position, on_delete=models.CASCADE, related_name="items", verbose_name=_("position"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    order = models.PositiveIntegerField(_("order"))
    text = models.TextField(_("text"))

    class Meta:
        verbose_name = _("job description item")
        verbose_name_plural = _("job description items")
        ordering = ["position", "kind", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["position", "kind", "order"],
                name="%(app_label)s_%(class)s_unique_order",
                violation_error_message=_("Two items of the same kind cannot share an order number."),
            ),
            models.CheckConstraint(
                condition=~Q(text=""),
                name="%(app_label)s_%(class)s_text_not_empty",
                violation_error_message=_("An item needs some text."),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.order}: {self.text}"


class Holder(models.Model):
    """A person who holds a position, optionally tied to a login so the portal knows who they manage."""

    position = models.ForeignKey(Position, on_delete=models.CASCADE, related_name="holders", verbose_name=_("position"))
    name = models.CharField(pgettext_lazy("person", "name"), max_length=100)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="held_positions",
    )

    class Meta:
        verbose_name = _("holder")
        verbose_name_plural = _("holders")
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["position", "user"],
                name="%(app_label)s_%(class)s_unique_user",
                violation_error_message=_("This login already holds this position."),
            ),
        ]

    def __str__(self):
        return self.name
