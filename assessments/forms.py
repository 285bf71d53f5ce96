"""The form HR opens a cycle with. It checks only what each field is (a date, a whole number); the rules of
a cycle (weights totalling 100, the cap, the dates, overlaps) are the opening service's, shown at the field."""

from django import forms
from django.utils.translation import gettext_lazy as _

from assessments.models import KPI
from org_tree.forms import department_menu


class OpenCycleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("For example 2026 年第四季度."))
    kpi_cycle = forms.ChoiceField(
        label=_("KPI cycle type"),
        choices=KPI.Cycle.choices,
        initial=KPI.Cycle.QUARTERLY,
        help_text=_("The KPIs of this cycle are assessed; KPIs with no cycle count as yearly."),
    )
    starts_on = forms.DateField(label=_("Start date"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("End date"), widget=forms.DateInput(attrs={"type": "date"}))
    department = forms.TypedChoiceField(
        label=_("Scope"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("A department and every department under it, or the whole organisation."),
    )
    self_weight = forms.IntegerField(
        label=_("Self-assessment weight (%)"),
        initial=0,
        help_text=_("The superior's weight is 100 minus this: 20 gives 20/80, 0 gives 0/100."),
    )
    cap = forms.DecimalField(
        label=_("Score cap"), max_digits=5, decimal_places=2, initial=100, help_text=_("From 100 to 150.")
    )
    concurrent_share = forms.DecimalField(
        label=_("Share of concurrent posts (%)"),
        max_digits=5,
        decimal_places=2,
        required=False,
        help_text=_("Empty: concurrent posts (兼岗) are not assessed. 30: concurrent 30 %, primary 70 %."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [("", _("The whole organisation"))] + [
            (pk, label) for pk, _code, label in department_menu()
        ]

    def options(self):
        """The cleaned fields as open_cycle() takes them."""
        from org_tree.models import Department

        data = dict(self.cleaned_data)
        data["department"] = Department.objects.filter(pk=data["department"]).first() if data["department"] else None
        return data
