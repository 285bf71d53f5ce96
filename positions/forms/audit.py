"""The audit log's filters: who, which position, which department (sub-departments included), when."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from org_tree.forms import department_options
from org_tree.models import Department


class AuditFilterForm(forms.Form):
    person = forms.CharField(label=_("Changed by (login)"), required=False, max_length=150)
    position = forms.CharField(label=_("Position code"), required=False, max_length=40)
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.all(), required=False, empty_label=_("All departments")
    )
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        for name in ("since", "until"):
            day = data.get(name)
            if day is not None and not 1900 <= day.year <= 9000:
                self.add_error(name, _("Give a date between the years 1900 and 9000."))
                data[name] = None
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", _("The end date comes before the start date."))
        return data

    def filter(self, versions):
        """Apply the valid filters to the versions; call after is_valid()."""
        data = self.cleaned_data
        if data.get("person"):
            versions = versions.filter(history_user__username=data["person"].strip())
        if data.get("position"):
            versions = versions.filter(code=data["position"].strip())
        department = data.get("department")
        if department is not None:
            ids = Department.objects.filter(
                tree_id=department.tree_id, lft__gte=department.lft, rght__lte=department.rght
            ).values("pk")
            versions = versions.filter(department_id__in=ids)
        if data.get("since"):
            versions = versions.filter(history_date__gte=_start_of(data["since"]))
        if data.get("until"):
            versions = versions.filter(history_date__lt=_start_of(data["until"] + datetime.timedelta(days=1)))
        return versions

    def department_options(self):
        return department_options(self.data.get("department"))


def _start_of(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
