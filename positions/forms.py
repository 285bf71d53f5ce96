"""The position filter shared by the list page and the JSON API."""

from django import forms
from django.utils.translation import gettext_lazy as _

from org_tree.models import Department
from positions.models import Position


class PositionFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.all(),
        required=False,
        empty_label=_("All departments"),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Any status")), *Position.Status.choices],
        required=False,
    )

    def filter(self, queryset):
        """Apply the valid filters; call after is_valid()."""
        data = self.cleaned_data
        if data.get("q"):
            queryset = queryset.search(data["q"])
        department = data.get("department")
        if department is not None:
            # A department includes its sub-departments.
            queryset = queryset.filter(
                department__tree_id=department.tree_id,
                department__lft__gte=department.lft,
                department__rght__lte=department.rght,
            )
        if data.get("status"):
            queryset = queryset.filter(status=data["status"])
        return queryset

    def department_options(self):
        """(id, label indented by tree level, selected) for the department menu, in tree order.

        Rendered by one template loop: Django's per-option widget templates cost ~0.1 ms each,
        which made the list page grow with the number of departments.
        """
        selected = str(self.data.get("department", ""))
        departments = Department.objects.order_by("tree_id", "lft").values_list("pk", "name", "level")
        return [(pk, "\u3000" * level + name, str(pk) == selected) for pk, name, level in departments]

    def error_list(self):
        """Errors as 'field: message' strings for the page and the API."""
        return [
            f"{self.fields[name].label if name in self.fields else name}: {message}"
            for name, messages in self.errors.items()
            for message in messages
        ]
