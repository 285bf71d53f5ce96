"""Django admin for positions, their rows, people and the JD template.

Admin writes bypass the editor's service, so each save bumps the position's version
(positions/services/editing.py: touch) and the inline formsets apply the same
publishing rule: a published job description's weights and time shares total 100.
"""

from decimal import Decimal

from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from mptt.admin import MPTTModelAdmin

from assessments.models import KPI
from portal.formatting import plain_decimal
from positions import history
from positions.access import may_approve, may_transfer
from positions.documents import load_positions, position_document
from positions.models import Assignment, DescriptionItem, JDTemplate, Person, Position, PositionLink
from positions.services.editing import touch


class TotalFormSet(BaseInlineFormSet):
    """Rows whose percentages must total 100 on a published job description (weights, time shares)."""

    percent_field = None

    def rows(self):
        return [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE") and self._counts(form.cleaned_data)
        ]

    def _counts(self, data):
        return True

    def clean(self):
        super().clean()
        if self.instance is None or self.data.get("status") != Position.Status.PUBLISHED:
            return
        values = [row.get(self.percent_field) for row in self.rows()]
        given = [value for value in values if value is not None]
        if not given:
            return
        if len(given) != len(values):
            raise ValidationError(
                _("A published job description needs a %(what)s on every row.") % {"what": self.label}
            )
        total = sum(given, Decimal(0))
        if total != 100:
            raise ValidationError(
                _("The %(what)s total %(total)s%%, not 100%%.") % {"what": self.label, "total": plain_decimal(total)}
            )


class KPIFormSet(TotalFormSet):
    percent_field = "weight"

    def every_row_message(self):
        return _("On a published job description every KPI needs a weight.")

    def total_message(self):
        return _("KPI weights total %(total)s%%, not 100%%.")


class DutyFormSet(TotalFormSet):
    percent_field = "share"

    def every_row_message(self):
        return _("When one duty has a time share, every duty needs one.")

    def total_message(self):
        return _("Duty time shares total %(total)s%%, not 100%%.")

    def _counts(self, data):
        return data.get("kind") == DescriptionItem.Kind.DUTY


class DescriptionItemInline(admin.TabularInline):
    model = DescriptionItem
    formset = DutyFormSet
    extra = 0


class KPIInline(admin.TabularInline):
    model = KPI
    formset = KPIFormSet
    extra = 0


class PositionLinkInline(admin.TabularInline):
    model = PositionLink
    fk_name = "source"
    extra = 0
    autocomplete_fields = ["target"]


class AssignmentInline(admin.TabularInline):
    model = Assignment
    extra = 0
    autocomplete_fields = ["person"]


@admin.register(Position)
class PositionAdmin(MPTTModelAdmin):
    list_display = ["code", "title", "department", "job_family", "grade", "headcount", "status", "has_description"]
    list_filter = ["status", "has_description", "job_family__category", "grade", "education", "department"]
    search_fields = ["code", "title"]
    autocomplete_fields = ["parent", "department", "job_family", "grade"]
    list_select_related = ["department", "job_family", "grade"]
    readonly_fields = ["version"]
    inlines = [DescriptionItemInline, KPIInline, PositionLinkInline, AssignmentInline]
    actions = ["export_workbook"]
    # Importing goes through the portal's import page (preview, then all or nothing): the list links to it.
    change_list_template = "admin/positions/position/change_list.html"

    @admin.action(description=gettext_lazy("Export the selected positions as an organisation workbook (.xlsx)"))
    def export_workbook(self, request, queryset):
        from django.http import HttpResponse

        from transfers.views import XLSX  # the import/export app builds on this one, so it is imported late
        from transfers.writing import export_workbook

        if not may_transfer(request.user):
            raise PermissionDenied
        response = HttpResponse(export_workbook(queryset.order_by()), content_type=XLSX)
        response["Content-Disposition"] = 'attachment; filename="positions.xlsx"'
        return response

    # Approval holds here too: who may not approve cannot publish, nor change what is published.
    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.status == Position.Status.PUBLISHED and not may_approve(request.user):
            return False
        return super().has_change_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return fields if may_approve(request.user) else [*fields, "status"]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if change:
            touch([form.instance.pk])
        else:
            history.record([form.instance.pk])

    def delete_model(self, request, obj):
        self.delete_queryset(request, Position.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        """Each deleted post keeps its last version, marked deleted."""
        last = load_positions(queryset.order_by())
        documents = [(position, position_document(position)) for position in last]
        ids = [position.pk for position in last]
        # Posts whose dotted lines or career paths pointed at them lose those links: a version each.
        pointing = set(
            PositionLink.objects.filter(target__in=ids).exclude(source__in=ids).values_list("source_id", flat=True)
        )
        super().delete_queryset(request, queryset)
        history.record(gone=documents)
        touch(sorted(pointing))


class TouchesPosition:
    """Admin for a model whose rows belong to a position: every save or delete is a new version of it."""

    position_field = "position_id"
    text = True  # rows of the job description's text: published ones change only through approval

    def has_change_permission(self, request, obj=None):
        if obj is not None and self.text and not may_approve(request.user):
            position = Position.objects.filter(pk=getattr(obj, self.position_field))
            if position.filter(status=Position.Status.PUBLISHED).exists():
                return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj) and super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        before = None
        if change:  # a row moved to another position changes both
            before = type(obj).objects.filter(pk=obj.pk).values_list(self.position_field, flat=True).first()
        super().save_model(request, obj, form, change)
        touch([getattr(obj, self.position_field), before])

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        touch([getattr(obj, self.position_field)])

    def delete_queryset(self, request, queryset):
        ids = list(queryset.values_list(self.position_field, flat=True))
        super().delete_queryset(request, queryset)
        touch(ids)


@admin.register(DescriptionItem)
class DescriptionItemAdmin(TouchesPosition, admin.ModelAdmin):
    list_display = ["position", "kind", "order", "text", "share"]
    list_filter = ["kind"]
    list_select_related = ["position"]
    search_fields = ["position__code", "text"]
    autocomplete_fields = ["position"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["employee_number", "name", "user"]
    search_fields = ["employee_number", "name", "user__username"]
    autocomplete_fields = ["user"]
    inlines = [AssignmentInline]

    def save_related(self, request, form, formsets, change):
        before = set(form.instance.assignments.values_list("position_id", flat=True)) if change else set()
        super().save_related(request, form, formsets, change)
        touch(sorted(before | set(form.instance.assignments.values_list("position_id", flat=True)), key=str))

    def delete_model(self, request, obj):
        self.delete_queryset(request, Person.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        """The posts a deleted person held lose a holder: a version each."""
        held = set(Assignment.objects.current().filter(person__in=queryset).values_list("position_id", flat=True))
        super().delete_queryset(request, queryset)
        touch(sorted(held, key=str))


@admin.register(Assignment)
class AssignmentAdmin(TouchesPosition, admin.ModelAdmin):
    text = False  # holders are not the text of the job description
    list_display = ["person", "position", "kind", "started_on", "ended_on"]
    list_filter = ["kind"]
    list_select_related = ["person", "position"]
    search_fields = ["person__name", "person__employee_number", "position__code", "position__title"]
    autocomplete_fields = ["person", "position"]


@admin.register(JDTemplate)
class JDTemplateAdmin(admin.ModelAdmin):
    list_display = ["__str__", "updated_at"]
