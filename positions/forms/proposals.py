"""An approver's decision on a proposal: a comment, and the effective date of what is approved."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class DecisionForm(forms.Form):
    comment = forms.CharField(label=gettext_lazy("Comment"), required=False, max_length=500)
    effective_on = forms.DateField(
        label=gettext_lazy("Effective date (生效日期)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy(
            "Today when left empty. A later date keeps the version in force until that day, when the change applies."
        ),
    )

    def clean_effective_on(self):
        day = self.cleaned_data.get("effective_on")
        today = timezone.localdate()
        if day is not None and not today - datetime.timedelta(days=366) <= day <= today + datetime.timedelta(
            days=5 * 366
        ):
            raise forms.ValidationError(_("Give a date from a year ago to five years ahead."))
        return day
