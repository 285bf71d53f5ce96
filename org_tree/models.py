"""Organisational units (departments) as a tree."""

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
