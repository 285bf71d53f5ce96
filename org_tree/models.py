"""Organisational units (departments) as a tree, and the job architecture: job families and grades."""

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from mptt.models import TreeForeignKey

from portal.models import LockedTreeModel


class Department(LockedTreeModel):
    """An org unit such as 运维部 or its sub-department 客户服务部."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    parent = TreeForeignKey(
        "self",
        verbose_name=_("parent department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class MPTTMeta:
        order_insertion_by = ["code"]

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        indexes = [models.Index(fields=["tree_id", "lft"], name="%(app_label)s_%(class)s_tree_order")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("positions:list") + f"?department={self.pk}"


class JobCategory(models.Model):
    """A job category (职类), the upper level of the job families: 管理类, 技术类, 营销类, 职能类, 操作类."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("job category")
        verbose_name_plural = _("job categories")
        ordering = ["order", "code"]

    def __str__(self):
        return self.name


class JobFamily(models.Model):
    """A job family (职种) inside a category, such as 网络运维 or 客户服务. Positions belong to a family."""

    category = models.ForeignKey(
        JobCategory, on_delete=models.PROTECT, related_name="families", verbose_name=_("job category")
    )
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("job family")
        verbose_name_plural = _("job families")
        ordering = ["category__order", "category__code", "order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "name"],
                name="%(app_label)s_%(class)s_unique_name",
                violation_error_message=_("This category already has a job family of that name."),
            ),
        ]

    def __str__(self):
        return f"{self.category.name} / {self.name}"


class Grade(models.Model):
    """A grade (职级) such as M3 or P5: ranked, and applying to some job categories (all when none are named)."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    rank = models.PositiveIntegerField(_("rank"), help_text=_("Higher ranks are more senior."))
    categories = models.ManyToManyField(
        JobCategory,
        blank=True,
        related_name="grades",
        verbose_name=_("applies to job categories"),
        help_text=_("Leave empty for a grade that applies to every category."),
    )

    class Meta:
        verbose_name = _("grade")
        verbose_name_plural = _("grades")
        ordering = ["rank", "code"]

    def __str__(self):
        return f"{self.code} {self.name}"

    def applies_to(self, family, category_ids=None):
        """Whether a position of `family` may have this grade (category_ids: prefetched ids, if at hand)."""
        if family is None:
            return True
        if category_ids is None:
            category_ids = {category.pk for category in self.categories.all()}
        return not category_ids or family.category_id in category_ids


def check_grade_fits_family(grade, family):
    """The one rule for grades and families, raised at the grade field."""
    if grade is not None and family is not None and not grade.applies_to(family):
        raise ValidationError(
            {
                "grade": _("Grade %(grade)s does not apply to the job family %(family)s (category %(category)s).")
                % {"grade": grade.code, "family": family.name, "category": family.category.name}
            }
        )
