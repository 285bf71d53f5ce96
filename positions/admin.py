from django.contrib import admin
from mptt.admin import MPTTModelAdmin

from assessments.models import KPI
from positions.models import DescriptionItem, Holder, Position


class DescriptionItemInline(admin.TabularInline):
    model = DescriptionItem
    extra = 0


class KPIInline(admin.TabularInline):
    model = KPI
    extra = 0


class HolderInline(admin.TabularInline):
    model = Holder
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Position)
class PositionAdmin(MPTTModelAdmin):
    list_display = ["code", "title", "department", "headcount", "status", "has_description"]
    list_filter = ["status", "has_description", "department"]
    search_fields = ["code", "title"]
    autocomplete_fields = ["parent", "department"]
    list_select_related = ["department"]
    inlines = [DescriptionItemInline, KPIInline, HolderInline]


@admin.register(DescriptionItem)
class DescriptionItemAdmin(admin.ModelAdmin):
    list_display = ["position", "kind", "order", "text"]
    list_filter = ["kind"]
    list_select_related = ["position"]
    search_fields = ["position__code", "text"]
    autocomplete_fields = ["position"]


@admin.register(Holder)
class HolderAdmin(admin.ModelAdmin):
    list_display = ["name", "position", "user"]
    list_select_related = ["position", "user"]
    search_fields = ["name", "position__code", "position__title"]
    autocomplete_fields = ["position", "user"]
