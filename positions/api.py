"""Read-only JSON API: the same login and permissions as the pages."""

from functools import wraps

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _

from portal.formatting import json_number
from positions.access import get_position_for_user, may_read, visible_positions
from positions.forms import PositionFilterForm
from positions.openapi import openapi_document
from positions.queries import card_queryset

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


def position_document(position):
    """The API's representation of a position (also the shape of an organisation document)."""
    return {
        "code": position.code,
        "title": position.title,
        "department": position.department.name if position.department_id else None,
        "reports_to": position.parent.code if position.parent_id else None,
        "direct_reports": [child.code for child in position.children.all()],
        "headcount": position.headcount,
        "holders": len(position.holders.all()),
        "status": position.status,
        "has_description": position.has_description,
        "duties": position.duties,
        "qualifications": position.qualifications,
        "training": position.training,
        "kpis": [
            {"responsibility": kpi.responsibility, "weight": json_number(kpi.weight), "standard": kpi.standard}
            for kpi in position.kpis.all()
        ],
        "kpi_weight_total": json_number(position.facts["kpi_weight_total"]),
        "complete": not position.problems,
        "problems": position.problems,
    }


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
    positions = form.filter(visible_positions(request.user, card_queryset()))
    paginator = Paginator(positions, page_size)
    try:
        page = paginator.page(request.GET.get("page") or 1)
    except PageNotAnInteger:
        return error(400, _("page: give a whole number."))
    except EmptyPage:
        return error(404, _("page: there is no page %(page)s.") % {"page": request.GET.get("page")})
    return respond(
        {
            "count": paginator.count,
            "page": page.number,
            "pages": paginator.num_pages,
            "results": [position_document(p) for p in page.object_list],
        }
    )


@api_reader_required
def position_detail(request, code):
    return respond(position_document(get_position_for_user(request.user, code, card_queryset())))


@api_reader_required
def openapi(request):
    return respond(openapi_document(request.build_absolute_uri("/")))
