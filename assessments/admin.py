from django.contrib import admin

from assessments.models import KPI, Assessment, AssessmentCycle, AssessmentLine
from positions.admin import TouchesPosition


@admin.register(KPI)
class KPIAdmin(TouchesPosition, admin.ModelAdmin):
    list_display = ["position", "order", "responsibility", "weight", "cycle"]
    list_filter = ["cycle"]
    list_select_related = ["position"]
    search_fields = ["position__code", "position__title", "responsibility", "standard"]
    autocomplete_fields = ["position"]


class ReadOnly:
    """Cycles and assessments change only through their services (opening, closing, scoring): the admin shows them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AssessmentCycle)
class AssessmentCycleAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["name", "kpi_cycle", "starts_on", "ends_on", "department", "status"]
    list_filter = ["kpi_cycle", "status"]
    list_select_related = ["department"]
    search_fields = ["name"]


class LineInline(ReadOnly, admin.TabularInline):
    model = AssessmentLine
    extra = 0


@admin.register(Assessment)
class AssessmentAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["cycle", "position_code", "person", "kind", "share", "step"]
    list_filter = ["step", "kind", "cycle"]
    list_select_related = ["cycle", "person"]
    search_fields = ["position_code", "person__employee_number", "person__name"]
    inlines = [LineInline]
