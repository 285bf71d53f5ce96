"""JSON API: the same login, permissions and position document as the pages."""

from functools import wraps

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _

from positions.access import can_read, may_read
from positions.documents import DOCUMENT_RELATED, judged, load_positions, position_document
from positions.forms.filters import PositionFilterForm
from positions.models import JDTemplate, Position
from positions.openapi import openapi_document

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500


def respond(data, status=200):
    """JSON as UTF-8 Chinese, not \\u escapes."""
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


def error(status, *messages):
    return respond({"errors": list(messages)}, status=status)


def api_reader_required(view):
    """JSON 401/403/404 instead of redirects and HTML error pages."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return error(401, _("Log in to use the API."))
        if not may_read(request.user):
            return error(403, _("You do not have permission to read positions."))
        try:
            return view(request, *args, **kwargs)
        except Http404:
            return error(404, _("No such position."))

    return wrapped


def _page_size(raw):
    if raw in (None, ""):
        return DEFAULT_PAGE_SIZE
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE_SIZE:
        raise ValueError
    return int(raw)


@api_reader_required
def position_list(request):
    form = PositionFilterForm(request.GET)
    if not form.is_valid():
        return error(400, *form.error_list())
    try:
        page_size = _page_size(request.GET.get("page_size"))
    except ValueError:
        return error(400, _("page_size: give a whole number from 1 to %(max)d.") % {"max": MAX_PAGE_SIZE})
    positions = form.filter(Position.objects.visible_to(request.user)).select_related(*DOCUMENT_RELATED)
    paginator = Paginator(positions.order_by("tree_id", "lft"), page_size)
    try:
        page = paginator.page(request.GET.get("page") or 1)
    except PageNotAnInteger:
        return error(400, _("page: give a whole number."))
    except EmptyPage:
        return error(404, _("page: there is no page %(page)s.") % {"page": request.GET.get("page")})
    required = JDTemplate.current().required
    return respond(
        {
            "count": paginator.count,
            "page": page.number,
            "pages": paginator.num_pages,
            "results": [judged(position_document(p), required) for p in load_positions(list(page.object_list))],
        }
    )


@api_reader_required
def position_detail(request, code):
    positions = load_positions(Position.objects.filter(code=code).order_by())
    if not positions or not can_read(request.user, positions[0]):
        raise Http404
    return respond(judged(position_document(positions[0]), JDTemplate.current().required))


@api_reader_required
def openapi(request):
    return respond(openapi_document(request.build_absolute_uri("/")))
