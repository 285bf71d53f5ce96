"""The org chart, the staffing table (定岗定编) and the job architecture matrix."""

from urllib.parse import urlencode

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from org_tree.architecture import matrix
from org_tree.chart import build_chart, build_chart_as_of, render_chart
from org_tree.forms import DepartmentFilterForm
from org_tree.staffing import staffing_table, totals
from positions import history
from positions.access import may_edit, reader_required
from positions.models import Position


def _chart_as_of(request, code):
    """The chart as it was at `as_of`, with a banner; a clear 400 when the history cannot answer."""
    query = request.GET.get("q", "")[:200]
    try:
        at = history.parse_as_of(request.GET["as_of"])
    except history.AsOfError as error:
        return render(request, "positions/as_of_error.html", {"message": str(error)}, status=400)
    nodes = build_chart_as_of(request.user, at, root_code=code, query=query)
    if nodes is None:
        raise Http404
    suffix = "?" + urlencode({"as_of": timezone.localtime(at).isoformat()})
    root = nodes[0] if code else None
    context = {
        "root": root,
        "ancestors": [],
        "nodes": nodes,
        "chart": render_chart(nodes, movable=False, query_string=suffix),
        "movable": False,
        "query": query,
        "matches": [node for node in nodes if node.match],
        "as_of": at,
        "as_of_value": request.GET["as_of"],
    }
    return render(request, "org_tree/chart.html", context)


@reader_required
@require_GET
def chart(request, code=None):
    if request.GET.get("as_of"):
        return _chart_as_of(request, code)
    root = get_object_or_404(Position, code=code) if code else None
    query = request.GET.get("q", "")[:200]
    nodes = build_chart(request.user, root=root, query=query)
    movable = may_edit(request.user)
    context = {
        "root": root,
        "ancestors": root.get_ancestors() if root else [],
        "nodes": nodes,
        "chart": render_chart(nodes, movable=movable),
        "movable": movable,
        "query": query,
        "matches": [node for node in nodes if node.match],
    }
    return render(request, "org_tree/chart.html", context)


def _department_filter(request):
    form = DepartmentFilterForm(request.GET or None)
    department = form.cleaned_data.get("department") if form.is_valid() else None
    return form, department


@reader_required
@require_GET
def staffing(request):
    form, department = _department_filter(request)
    rows = staffing_table(under=department) if form.is_valid() or not form.is_bound else []
    return render(
        request,
        "org_tree/staffing.html",
        {"form": form, "rows": rows, "totals": totals(rows), "department": department},
    )


@reader_required
@require_GET
def architecture(request):
    form, department = _department_filter(request)
    positions = Position.objects.visible_to(request.user)
    if department is not None:
        positions = positions.in_department(department)
    if form.is_bound and not form.is_valid():
        positions = positions.none()
    columns, rows = matrix(positions)
    return render(
        request,
        "org_tree/architecture.html",
        {"form": form, "columns": columns, "rows": rows, "department": department},
    )
