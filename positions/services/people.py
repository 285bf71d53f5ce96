"""People and the posts they hold: adding people, assigning them to posts, ending assignments.

Holders are part of a job description's document, so every change to them is a new
version of the posts it touches (`editing.touch`). Rules are the models' own (one current
primary post per person, a post held once at a time, an end after the start), explained
at the field by their clean() and full_clean().
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from positions.models import Assignment, Person
from positions.services.editing import touch


class PeopleError(Exception):
    """A change to people or assignments that is refused; `errors` maps fields to messages."""

    def __init__(self, errors):
        self.errors = errors
        super().__init__("; ".join(f"{key}: {' '.join(messages)}" for key, messages in errors.items()))


def _checked(instance, exclude=()):
    from django.core.exceptions import ValidationError

    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise PeopleError(exc.message_dict) from None


@transaction.atomic
def save_person(person, *, employee_number, name, user=None):
    """Create (`person` None) or change a person; returns it."""
    person = person or Person()
    before = (person.employee_number, person.name) if person.pk else None
    person.employee_number = (employee_number or "").strip()
    person.name = (name or "").strip()
    person.user = user
    _checked(person)
    person.save()
    if before is not None and before != (person.employee_number, person.name):
        # The number and the name show in the documents of the posts this person holds.
        touch(list(person.assignments.current().values_list("position_id", flat=True)))
    return person


@transaction.atomic
def assign(person, position, *, kind=Assignment.Kind.PRIMARY, started_on=None):
    """Make `person` a holder of `position` (primary or concurrent); returns the Assignment."""
    Person.objects.select_for_update().filter(pk=person.pk).first()  # one writer per person at a time
    assignment = Assignment(person=person, position=position, kind=kind, started_on=started_on or timezone.localdate())
    _checked(assignment)
    assignment.save()
    touch([position.pk])
    return assignment


@transaction.atomic
def end_assignment(assignment, *, ended_on=None):
    """End a current assignment (today unless told otherwise); the person keeps the record.

    One already set to end later can be given another end date.
    """
    assignment = Assignment.objects.select_for_update(of=("self",)).select_related("position").get(pk=assignment.pk)
    if not assignment.is_current:
        raise PeopleError({"ended_on": [_("This assignment has already ended.")]})
    assignment.ended_on = ended_on or timezone.localdate()
    _checked(assignment)
    assignment.save()
    touch([assignment.position_id])
    return assignment
