"""Filters for the org_tree pages, and the indented department menu every filter shares."""

from django import forms
from django.utils.translation import gettext_lazy as _

from org_tree.models import Department


def department_options(selected):
    """(id, label indented by tree level, selected) for a department menu, in tree order.

    Rendered by one template loop (templates/includes/department_select.html): Django's
    per-option widget templates cost ~0.1 ms each, which made pages grow with the number
    of departments.
    """
    selected = str(selected or "")
    departments = Department.objects.order_by("tree_id", "lft").values_list("pk", "name", "level")
    return [(pk, "\u3000" * level + name, str(pk) == selected) for pk, name, level in departments]


class DepartmentFilterForm(forms.Form):
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.all(), required=False, empty_label=_("All departments")
    )

    def department_options(self):
        return department_options(self.data.get("department"))

    def error_list(self):
        return [
            f"{self.fields[name].label}: {message}" for name, messages in self.errors.items() for message in messages
        ]
