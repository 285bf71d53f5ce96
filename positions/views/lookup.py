"""Suggestions for the pickers of editor.js: a few positions or people as JSON, light enough to ask at each keystroke.

Not the API (whose documents are heavy): code, title and department only, in one query; only the
positions the user may read (drafts for editors); people only for those who manage them.
"""

from django.http import JsonResponse
from django.views.decorators.http import require_GET

from positions.access import people_manager_required, reader_required
from positions.lookup import find_people, find_positions


def _answer(matches):
    return JsonResponse({"results": [match.as_json() for match in matches]}, json_dumps_params={"ensure_ascii": False})


@reader_required
@require_GET
def position_suggestions(request):
    return _answer(find_positions(request.user, request.GET.get("q", "")))


@people_manager_required
@require_GET
def person_suggestions(request):
    return _answer(find_people(request.GET.get("q", "")))
