from django.contrib import admin
from mptt.admin import MPTTModelAdmin

from org_tree.models import Department, Grade, JobCategory, JobFamily


@admin.register(Department)
class DepartmentAdmin(MPTTModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["code", "name"]


class JobFamilyInline(admin.TabularInline):
    model = JobFamily
    extra = 0


@admin.register(JobCategory)
class JobCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "order"]
    search_fields = ["code", "name"]
    inlines = [JobFamilyInline]


@admin.register(JobFamily)
class JobFamilyAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "category", "order"]
    list_filter = ["category"]
    list_select_related = ["category"]
    search_fields = ["code", "name", "category__name"]


@admin.register(Grade)
class GradeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "rank"]
    search_fields = ["code", "name"]
    filter_horizontal = ["categories"]
