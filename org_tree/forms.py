"""Filters for the org_tree pages, and the indented department menu every filter shares."""

from django import forms
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from org_tree.models import Department


def department_options(selected, hidden=frozenset()):
    """(id, label indented by tree level, selected) for a department menu, in tree order, without the
    `hidden` ones (positions/visibility.hidden_departments).

    Rendered by one template loop (templates/includes/department_select.html): Django's
    per-option widget templates cost ~0.1 ms each, which made pages grow with the number
    of departments.
    """
    selected = str(selected or "")
    departments = Department.objects.order_by("tree_id", "lft").values_list("pk", "name", "level")
    return [(pk, "\u3000" * level + name, str(pk) == selected) for pk, name, level in departments if pk not in hidden]


class DepartmentMenu:
    """A filter form's department menu, as `user` may see it: a department that holds only drafts is
    not offered to a reader, nor accepted from the address bar (positions/visibility.py). Asked only
    when the menu is drawn or a department is chosen."""

    user = None

    def limit_departments(self, user):
        self.user = user
        if user is not None and self.data.get("department"):
            hidden = self.hidden_departments
            if hidden:
                field = self.fields["department"]
                field.queryset = field.queryset.exclude(pk__in=hidden)

    @cached_property
    def hidden_departments(self):
        from positions.visibility import hidden_departments

        return hidden_departments(self.user) if self.user is not None else frozenset()

    def department_options(self):
        return department_options(self.data.get("department"), self.hidden_departments)


class DepartmentFilterForm(DepartmentMenu, forms.Form):
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.all(), required=False, empty_label=_("All departments")
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit_departments(user)

    def error_list(self):
        return [
            f"{self.fields[name].label}: {message}" for name, messages in self.errors.items() for message in messages
        ]
