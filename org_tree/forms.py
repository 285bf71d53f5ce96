"""Filters for the org_tree pages, and the indented department menu every filter shares."""

from collections import defaultdict

from django import forms
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from org_tree.models import Department

INDENT = "\u3000"  # an ideographic space per tree level
PATH_SEPARATOR = " › "


def department_menu():
    """[(pk, code, label)] for every department in tree order, the label indented by its level.

    A name that several departments share (three 行政中心 under different parents) is shown with as
    much of its path as tells them apart, "运维部 › 行政中心": a closed menu shows the chosen label
    alone, without the indentation around it. One query, for the editor's menu and every filter.
    """
    rows = list(Department.objects.order_by("tree_id", "lft").values_list("pk", "code", "name", "level", "parent_id"))
    paths, by_name = {}, defaultdict(list)
    for pk, _code, name, _level, parent in rows:
        paths[pk] = (*paths.get(parent, ()), name)  # tree order: a parent comes before its children
        by_name[name].append(pk)
    shown = {}
    for pks in by_name.values():
        if len(pks) > 1:
            shown.update(_distinct_tails({pk: paths[pk] for pk in pks}))
    return [
        (pk, code, INDENT * level + PATH_SEPARATOR.join(shown.get(pk, (name,))))
        for pk, code, name, level, _parent in rows
    ]


def _distinct_tails(paths):
    """{pk: the shortest tail of its path, two names at least, that no other of these paths ends with}."""
    tails = {}
    for pk, path in paths.items():
        others = [other for other_pk, other in paths.items() if other_pk != pk]
        length = 2
        while length < len(path) and any(other[-length:] == path[-length:] for other in others):
            length += 1
        tails[pk] = path[-length:]
    return tails


def department_options(selected, hidden=frozenset()):
    """(id, label, selected) for a department filter's menu, in tree order (department_menu's labels),
    without the `hidden` ones (positions/visibility.hidden_departments).

    Rendered by one template loop (templates/includes/department_select.html): Django's
    per-option widget templates cost ~0.1 ms each, which made pages grow with the number
    of departments.
    """
    selected = str(selected or "")
    return [(pk, label, str(pk) == selected) for pk, _code, label in department_menu() if pk not in hidden]


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
