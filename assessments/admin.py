from django.contrib import admin

from assessments.models import KPI
from positions.admin import TouchesPosition


@admin.register(KPI)
class KPIAdmin(TouchesPosition, admin.ModelAdmin):
    list_display = ["position", "order", "responsibility", "weight", "cycle"]
    list_filter = ["cycle"]
    list_select_related = ["position"]
    search_fields = ["position__code", "position__title", "responsibility", "standard"]
    autocomplete_fields = ["position"]
