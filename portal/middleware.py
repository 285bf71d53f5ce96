"""The portal's own middleware: the language a user chose, private pages, and no control characters in.

Chinese first: the language is the user's explicit choice, else Simplified Chinese. Django's
LocaleMiddleware would follow the browser's Accept-Language; an HR portal for a Chinese
organisation should not turn English because a laptop was set up so.
"""

import json
from importlib import import_module

from django.conf import settings
from django.http import JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from portal import text


class ChosenLanguageMiddleware(LocaleMiddleware):
    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = dict(settings.LANGUAGES)
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class PrivatePagesMiddleware:
    """Pages and API answers are personal (what a user may see): no shared or browser cache keeps them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Cache-Control" not in response:
            patch_cache_control(response, private=True, no_store=True)
        return response


class ControlCharacterMiddleware:
    """Refuses, before any view, a request that carries a control character (portal/text.py's rule).

    NUL cannot be stored or even looked up in PostgreSQL, and the other controls are invisible: a code,
    a search or a field holding one is a mistake (a paste) or a probe, and either way is answered 400,
    naming where it was: JSON in the API's shape (`{"field": ["message"]}`, rows as lists) under /api/,
    a page elsewhere. Paths, query strings and the API token may hold none; form fields and JSON strings
    may hold tab, line feed and carriage return (multi-line text). A session cookie holding one is no
    session (the login page, or 401). Uploaded files are not read here: their contents
    are the import's to judge (transfers/reading.py), cell by cell.
    """

    BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and text.control_character(session.session_key or "", single_line=True):
            # No session has such a key, and PostgreSQL cannot even be asked: it is no session at all, as an
            # unknown key is (every page, the 404 page too, would look it up for the menu).
            request.session = import_module(settings.SESSION_ENGINE).SessionStore()
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        try:
            found = self.found(request, view_kwargs)
        except TooDeep:
            message = _("The JSON body is nested too deeply to be read.")
            return JsonResponse({"non_field_errors": [message]}, status=400, json_dumps_params={"ensure_ascii": False})
        if found is None:
            return None
        place, value, character = found
        message = text.control_character_message(character)
        if "api" in getattr(request.resolver_match, "namespaces", ()):
            return JsonResponse(_api_error(place, message), status=400, json_dumps_params={"ensure_ascii": False})
        name = ".".join(str(step) for step in place) if place else _("the request")
        context = {"name": text.printable(name), "message": message, "near": text.near(value, character)}
        return render(request, "control_characters.html", context, status=400)

    def found(self, request, view_kwargs):
        """(where, the text, its character) of the first control character in the request, or None."""
        if text.control_character(request.path, single_line=True):
            named = [(name, value) for name, value in view_kwargs.items() if isinstance(value, str)]
            for name, value in [*named, ("path", request.path)]:
                character = text.control_character(value, single_line=True)
                if character:
                    return (name,), value, character
        for found in _in_pairs(request.GET.lists(), single_line=True):
            return found
        # The API's token is looked up in the database (the session cookie is dealt with in __call__).
        for found in _in_pairs([("Authorization", [request.META.get("HTTP_AUTHORIZATION", "")])], single_line=True):
            return found
        if request.method not in self.BODY_METHODS:
            return None
        if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            for found in _in_pairs(request.POST.lists(), single_line=False):
                return found
        elif request.content_type == "application/json" or request.content_type.endswith("+json"):
            try:
                document = json.loads(request.body)
            except RecursionError:
                raise TooDeep from None  # Python's parser gives up (about 1,000 levels): a server error before
            except ValueError:
                return None  # the view says what is wrong with the JSON itself
            for found in _in_json(document, ()):
                return found
        return None


def _in_pairs(pairs, *, single_line):
    for name, values in pairs:
        character = text.control_character(name, single_line=True)
        if character:
            yield (), name, character
        for value in values:
            character = text.control_character(value, single_line=single_line)
            if character:
                yield (name,), value, character


class TooDeep(Exception):
    """A JSON body nested deeper than any document of the portal's (MAX_JSON_DEPTH): refused as a whole."""


# A position document is four levels deep (document, rows, row, field); a hundred leaves room for any client
# and keeps the parsers and serializers after this one far from Python's recursion limit.
MAX_JSON_DEPTH = 100


def _in_json(document, place):
    """(where, text, character) of each control character in a parsed JSON document, in document order, walked
    without recursion (a deep document must not exhaust the stack here); TooDeep past MAX_JSON_DEPTH levels."""
    pending = [(place, document, False)]
    while pending:
        place, node, is_key = pending.pop()
        if len(place) > MAX_JSON_DEPTH:
            raise TooDeep
        if isinstance(node, str):
            character = text.control_character(node, single_line=is_key)
            if character:
                yield place, node, character
        elif isinstance(node, dict):
            for key, value in reversed(node.items()):
                # A key is checked before its value; a key holding one is reported where the dict is.
                pending.append(((*place, key), value, False))
                pending.append((place, key, True))
        elif isinstance(node, list):
            pending.extend(((*place, index), value, False) for index, value in reversed(list(enumerate(node))))


def _api_error(place, message):
    """`message` where DRF would put it: {"field": [...]}, a row's field as {"rows": [{}, {"field": [...]}]},
    a string in a list of strings at its list; non_field_errors for the document itself."""
    while place and isinstance(place[-1], int):
        place = place[:-1]
    if not place:
        return {"non_field_errors": [message]}
    error = [message]
    for step in reversed(place):
        error = [*([{}] * step), error] if isinstance(step, int) else {step: error}
    return error
