"""Forms for people and the posts they hold."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from positions.forms.editor import PersonRefInput, PositionRefInput, Searchable
from positions.lookup import Choices, find_people, search_term
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


class AssignForm(Searchable, forms.Form):
    """Assign a person to a post: from the person's page (position given) or from the card (person given).

    The person is found by 工号 or name, the post by code: text that names no one (or several) is
    refused with the matches to choose from under the field, never a guess.
    """

    searchable = ("position", "person")

    position = forms.CharField(
        label=_("Position"), max_length=100, widget=PositionRefInput(), help_text=_("Its code, or part of its title.")
    )
    person = forms.CharField(
        label=_("Person"), max_length=100, widget=PersonRefInput(), help_text=_("Name or employee number (工号).")
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Assignment.Kind.choices, initial=Assignment.Kind.PRIMARY)
    started_on = forms.DateField(label=_("Started on"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, person=None, position=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.person, self.position, self.user = person, position, user
        if person is not None:
            del self.fields["person"]
        if position is not None:
            del self.fields["position"]

    def find(self, name, user=None, exclude=()):
        """Show what the text of `position` or `person` may mean under it."""
        if name == "person" and "person" in self.fields:
            text = self.text_of("person")
            self.found["person"] = Choices(search_term(text), find_people(text))
        elif name in self.fields:
            super().find(name, user or self.user, exclude)

    def clean_position(self):
        code = self.cleaned_data["position"].strip()
        position = Position.objects.filter(code=code).first()
        if position is None:
            self.find("position")
            raise forms.ValidationError(
                _("No position has the code %(code)s: choose one of those below.")
                if self.found["position"].matches
                else _("Unknown position %(code)s."),
                params={"code": code},
            )
        return position

    def clean_person(self):
        text = self.cleaned_data["person"].strip()
        person = Person.objects.filter(employee_number=text).first()
        if person is not None:
            return person
        named = list(Person.objects.filter(name=text)[:2])
        if len(named) == 1:
            return named[0]
        self.find("person")
        if len(named) > 1:
            message = _("Several people are named %(text)s: choose one below by their employee number.")
        elif self.found["person"].matches:
            message = _("Nobody has the name or employee number %(text)s: choose one of those below.")
        else:
            message = _("Nobody has the name or employee number %(text)s.")
        raise forms.ValidationError(message, params={"text": text})


class EndForm(forms.Form):
    ended_on = forms.DateField(label=_("Ended on"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
