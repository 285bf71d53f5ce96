"""Finding a position or a person from a few characters of a code, a title, a name or a 工号.

The editor's, the move and delete pages' and the holder forms' pickers ask these, with JavaScript
(the /lookup/ endpoints, positions/views/lookup.py) and without it (choices under the field after
"Find"). One query each whatever the size of the organisation; only positions the user may read.
"""

from dataclasses import dataclass, field

from django.db.models import Case, IntegerField, Q, Value, When
from django.utils.translation import gettext as _

from portal.text import CONTROL_CHARACTERS
from positions.models import Assignment, Person, Position

SHOWN = 10
TERM_MAX = 100


@dataclass
class Match:
    """One choice: what the field takes (`value`), how people recognise it (`label`, `detail`)."""

    value: str
    label: str
    detail: str = ""

    def as_json(self):
        return {"value": self.value, "label": self.label, "detail": self.detail}


@dataclass
class Choices:
    """What a search under a field found: the text searched for and the matches to choose from."""

    term: str
    matches: list = field(default_factory=list)


def search_term(text):
    """What is searched for: at most TERM_MAX characters, without the control characters no field holds."""
    return CONTROL_CHARACTERS.sub("", text or "").strip()[:TERM_MAX]


def _ranked(text, exact, starts):
    """Best matches first: the exact code or number, then those starting with the text, then the rest."""
    return Case(When(exact, then=Value(0)), When(starts, then=Value(1)), default=Value(2), output_field=IntegerField())


def find_positions(user, text, *, limit=SHOWN, exclude=()):
    """Readable positions whose code or title contains `text`, best first, then in chart order."""
    text = search_term(text)
    if not text:
        return []
    rows = (
        Position.objects.visible_to(user)
        .filter(Q(code__icontains=text) | Q(title__icontains=text))
        .exclude(code__in=exclude)
        .annotate(rank=_ranked(text, Q(code__iexact=text), Q(code__istartswith=text) | Q(title__istartswith=text)))
        .order_by("rank", "tree_id", "lft")
        .values_list("code", "title", "status", "department__name")[:limit]
    )
    matches = []
    for code, title, status, department in rows:
        detail = department or ""
        if status == Position.Status.DRAFT:
            detail = f"{detail} · {_('draft')}" if detail else _("draft")
        matches.append(Match(code, f"{title} {code}", detail))
    return matches


def find_people(text, *, limit=SHOWN):
    """People whose 工号 or name contains `text`, best first, each with the posts and departments they hold now."""
    text = search_term(text)
    if not text:
        return []
    people = list(
        Person.objects.filter(Q(employee_number__icontains=text) | Q(name__icontains=text))
        .annotate(
            rank=_ranked(text, Q(employee_number__iexact=text) | Q(name=text), Q(employee_number__istartswith=text))
        )
        .order_by("rank", "name", "employee_number")
        .values_list("pk", "employee_number", "name")[:limit]
    )
    posts = {}
    held = (
        Assignment.objects.current()
        .filter(person__in=[pk for pk, _number, _name in people])
        .order_by("person", "-kind", "pk")  # the primary post first
        .values_list("person_id", "position__title", "position__department__name")
    )
    for person_id, title, department in held:
        if title is not None:
            posts.setdefault(person_id, []).append(f"{title}（{department}）" if department else title)
    return [
        Match(number, f"{name} {number}", "、".join(posts.get(pk, [])) or _("no post")) for pk, number, name in people
    ]
