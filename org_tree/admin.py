from django.contrib import admin
from mptt.admin import MPTTModelAdmin

from org_tree.models import Department


@admin.register(Department)
class DepartmentAdmin(MPTTModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["code", "name"]
