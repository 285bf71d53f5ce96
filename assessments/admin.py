from django.contrib import admin

from assessments.models import KPI


@admin.register(KPI)
class KPIAdmin(admin.ModelAdmin):
    list_display = ["position", "order", "responsibility", "weight"]
    list_select_related = ["position"]
    search_fields = ["position__code", "position__title", "responsibility", "standard"]
    autocomplete_fields = ["position"]
