"""Reading positions back the way every page does (as judged position documents), and the whole database
as it stands, to show that a refusal changed nothing."""

from django.apps import apps

from positions.documents import judged, load_positions, position_document
from positions.models import JDTemplate, Position


def document_of(code):
    """The judged document of the position with `code` (what the card and the API show)."""
    (position,) = load_positions(Position.objects.filter(code=code))
    return judged(position_document(position), JDTemplate.current().required)


def texts(rows):
    """The text of each duty row ({"text", "share"}), or the lines themselves."""
    return [row["text"] if isinstance(row, dict) else row for row in rows]


# Tables a refused request may write: signing in stores the session.
NOT_IN_SNAPSHOT = {"sessions.Session"}


def snapshot():
    """Every row of every table but the sessions, column by column: whatever a write could change, whichever
    app's table it is in (the history, roles and their members, permissions, API tokens, departments, the job
    architecture, the JD template, proposals, jobs, the admin's log). A new model is in it by default."""
    return {
        model._meta.label: list(model._default_manager.order_by("pk").values())
        for model in apps.get_models(include_auto_created=True)  # many-to-many tables too
        if not model._meta.proxy and model._meta.label not in NOT_IN_SNAPSHOT
    }


def signed_in(user, language=None):
    """A test client logged in as `user`, in `language` ("zh-hans", "en") when given, as the switcher sets it."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    if language:
        client.cookies["django_language"] = language
    return client
