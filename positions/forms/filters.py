"""The position filter shared by the list page, the API and exports."""

from django import forms
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from org_tree.forms import DepartmentMenu
from org_tree.models import Department, Grade, JobCategory, JobFamily
from positions.models import Position


class PositionFilterForm(DepartmentMenu, forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.all(),
        required=False,
        empty_label=_("All departments"),
    )
    scope = forms.ChoiceField(
        label=_("Sub-departments"),
        choices=[("", _("Included")), ("own", _("Not included"))],
        required=False,
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Any status")), *Position.Status.choices],
        required=False,
    )
    job_category = forms.ModelChoiceField(label=_("Job category"), queryset=JobCategory.objects.all(), required=False)
    job_family = forms.ModelChoiceField(label=_("Job family"), queryset=JobFamily.objects.all(), required=False)
    grade = forms.ModelChoiceField(label=_("Grade"), queryset=Grade.objects.all(), required=False)
    education = forms.ChoiceField(
        label=_("Minimum education"),
        choices=[("", _("Any")), *Position.Education.choices],
        required=False,
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit_departments(user)

    def filter(self, queryset):
        """Apply the valid filters; call after is_valid()."""
        data = self.cleaned_data
        if data.get("q"):
            queryset = queryset.search(data["q"])
        if data.get("department") is not None:
            queryset = queryset.in_department(data["department"], subtree=data.get("scope") != "own")
        if data.get("status"):
            queryset = queryset.filter(status=data["status"])
        if data.get("job_category") is not None:
            queryset = queryset.filter(job_family__category=data["job_category"])
        if data.get("job_family") is not None:
            queryset = queryset.filter(job_family=data["job_family"])
        if data.get("grade") is not None:
            queryset = queryset.filter(grade=data["grade"])
        if data.get("education"):
            queryset = queryset.filter(education=data["education"])
        return queryset

    @cached_property
    def _grades(self):
        return list(Grade.objects.values_list("pk", "code", "name"))

    @cached_property
    def _families(self):
        return list(JobFamily.objects.values_list("pk", "name", "category__name"))

    def grades_by_id(self):
        return {pk: code for pk, code, _name in self._grades}

    def families_by_id(self):
        return {pk: name for pk, name, _category in self._families}

    def grade_options(self):
        """(id, label, selected) for the grade menu, rendered by a template loop like the others."""
        selected = str(self.data.get("grade", ""))
        return [(pk, f"{code} {name}", str(pk) == selected) for pk, code, name in self._grades]

    def education_options(self):
        selected = self.data.get("education", "")
        return [(value, label, value == selected) for value, label in Position.Education.choices]

    def family_groups(self):
        """[(category name, [(id, family name, selected)])] for the job family menu, grouped by category."""
        selected = str(self.data.get("job_family", ""))
        groups = {}
        for pk, name, category in self._families:
            groups.setdefault(category, []).append((pk, name, str(pk) == selected))
        return list(groups.items())

    def error_list(self):
        """Errors as 'field: message' strings for the page and the API."""
        return [
            f"{self.fields[name].label if name in self.fields else name}: {message}"
            for name, messages in self.errors.items()
            for message in messages
        ]
