"""Forms for people and the posts they hold."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from positions.forms.editor import PositionRefInput
from positions.models import Assignment, Person, Position


class PersonForm(forms.Form):
    employee_number = forms.CharField(label=_("Employee number"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=100)
    login = forms.CharField(
        label=_("Login"), max_length=150, required=False, help_text=_("The username they sign in with, if any.")
    )

    def __init__(self, *args, person=None, **kwargs):
        if person is not None:
            kwargs.setdefault(
                "initial",
                {
                    "employee_number": person.employee_number,
                    "name": person.name,
                    "login": person.user.get_username() if person.user_id else "",
                },
            )
        super().__init__(*args, **kwargs)
        self.person = person

    def clean_login(self):
        username = self.cleaned_data["login"].strip()
        if not username:
            return None
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise forms.ValidationError(_("There is no login “%(name)s”.") % {"name": username})
        others = Person.objects.filter(user=user)
        if self.person is not None:
            others = others.exclude(pk=self.person.pk)
        if others.exists():
            raise forms.ValidationError(_("This login already belongs to another person."))
        return user


class AssignForm(forms.Form):
    """Assign a person to a post: from the person's page (position given) or from the card (person given)."""

    position = forms.CharField(label=_("Position code"), max_length=40, widget=PositionRefInput())
    employee_number = forms.CharField(label=_("Employee number"), max_length=40)
    kind = forms.ChoiceField(label=_("Kind"), choices=Assignment.Kind.choices, initial=Assignment.Kind.PRIMARY)
    started_on = forms.DateField(label=_("Started on"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, person=None, position=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.person, self.position = person, position
        if person is not None:
            del self.fields["employee_number"]
        if position is not None:
            del self.fields["position"]

    def clean_position(self):
        code = self.cleaned_data["position"].strip()
        position = Position.objects.filter(code=code).first()
        if position is None:
            raise forms.ValidationError(_("Unknown position %(code)s.") % {"code": code})
        return position

    def clean_employee_number(self):
        number = self.cleaned_data["employee_number"].strip()
        person = Person.objects.filter(employee_number=number).first()
        if person is None:
            raise forms.ValidationError(_("Nobody has the employee number %(number)s.") % {"number": number})
        return person


class EndForm(forms.Form):
    ended_on = forms.DateField(label=_("Ended on"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
