"""People (员工) and the posts they hold: HR editors add people, assign them, end assignments."""

from urllib.parse import urlsplit

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from positions.access import people_manager_required
from positions.forms.people import AssignForm, EndForm, PersonForm
from positions.models import Assignment, Person, Position
from positions.services.people import PeopleError, assign, end_assignment, save_person
from positions.views.card import card_page

PAGE_SIZE = 50
# The card's holders section: its messages are shown there (templates/positions/position_detail.html).
HOLDERS = "holders"


# The model's name for what a form calls otherwise (Person.user is the form's "login").
FORM_FIELDS = {"user": "login"}


def _show_errors(form, error):
    for field, messages_ in error.errors.items():
        field = FORM_FIELDS.get(field, field)
        target = field if field in form.fields else None
        for message in messages_:
            form.add_error(target, message)


@people_manager_required
@require_http_methods(["GET"])
def person_list(request):
    query = request.GET.get("q", "").strip()[:100]
    people = Person.objects.select_related("user").order_by("employee_number")
    if query:
        people = people.filter(Q(employee_number__icontains=query) | Q(name__icontains=query))
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "positions/people.html", {"page": page, "query": query})


@people_manager_required
@require_http_methods(["GET", "POST"])
def person_new(request):
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person = save_person(None, **_person_values(form))
        except PeopleError as error:
            _show_errors(form, error)
        else:
            messages.success(request, _("%(name)s is added.") % {"name": person.name})
            return redirect("positions:person", person.pk)
    return render(request, "positions/person_form.html", {"form": form})


def _person_values(form):
    data = form.cleaned_data
    return {"employee_number": data["employee_number"], "name": data["name"], "user": data["login"]}


@people_manager_required
@require_http_methods(["GET", "POST"])
def person_detail(request, pk):
    person = get_object_or_404(Person.objects.select_related("user"), pk=pk)
    action = request.POST.get("action")
    form = PersonForm(request.POST if action == "save" else None, person=person)
    assign_form = AssignForm(request.POST if action == "assign" else None, person=person, user=request.user)
    if action == "save" and form.is_valid():
        try:
            save_person(person, **_person_values(form))
        except PeopleError as error:
            _show_errors(form, error)
        else:
            messages.success(request, _("%(name)s is saved.") % {"name": person.name})
            return redirect("positions:person", person.pk)
    if action == "assign" and request.POST.get("find") == "position":  # "Find", without JavaScript
        assign_form.find_only("position")
    elif action == "assign" and assign_form.is_valid():
        data = assign_form.cleaned_data
        try:
            assign(person, data["position"], kind=data["kind"], started_on=data["started_on"])
        except PeopleError as error:
            _show_errors(assign_form, error)
        else:
            messages.success(
                request, _("%(name)s now holds %(code)s.") % {"name": person.name, "code": data["position"].code}
            )
            return redirect("positions:person", person.pk)
    assignments = person.assignments.select_related("position").current_first()
    return render(
        request,
        "positions/person.html",
        {"person": person, "form": form, "assign_form": assign_form, "assignments": assignments},
    )


@people_manager_required
@require_POST
def assign_to_position(request, code):
    """Assign a person to this post, from its card. A refusal, or "Find" without JavaScript, sends the card
    back with the form as typed and its errors and choices beside it (card_page), where the form is."""
    position = get_object_or_404(Position, code=code)
    form = AssignForm(request.POST, position=position, user=request.user)
    if request.POST.get("find") == "person":
        form.find_only("person")
    elif form.is_valid():
        data = form.cleaned_data
        try:
            assign(data["person"], position, kind=data["kind"], started_on=data["started_on"])
        except PeopleError as error:
            _show_errors(form, error)
        else:
            messages.success(
                request,
                _("%(name)s now holds %(code)s.") % {"name": data["person"].name, "code": code},
                extra_tags=HOLDERS,
            )
            return redirect(f"{position.get_absolute_url()}#{HOLDERS}")
    return card_page(request, code, assign_form=form)


@people_manager_required
@require_POST
def end(request, pk):
    assignment = get_object_or_404(Assignment.objects.select_related("person", "position"), pk=pk)
    form = EndForm(request.POST)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = reverse("positions:person", args=[assignment.person_id])
    # Ended from the card's holders section: the messages are shown there, where the page opens.
    place = HOLDERS if urlsplit(back).fragment == HOLDERS else ""
    if form.is_valid():
        try:
            ended = end_assignment(assignment, ended_on=form.cleaned_data["ended_on"])
        except PeopleError as error:
            for field_messages in error.errors.values():
                for message in field_messages:
                    messages.error(request, message, extra_tags=place)
        else:
            names = {"name": assignment.person.name, "code": ended.position_code, "date": date_format(ended.ended_on)}
            if ended.is_current:
                messages.success(request, _("%(name)s leaves %(code)s on %(date)s.") % names, extra_tags=place)
            else:
                messages.success(request, _("%(name)s no longer holds %(code)s.") % names, extra_tags=place)
    else:
        messages.error(request, _("Give the end date as YYYY-MM-DD."), extra_tags=place)
    return redirect(back)
