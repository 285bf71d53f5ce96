from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgTreeConfig(AppConfig):
    name = "org_tree"
    verbose_name = _("Organisation")
