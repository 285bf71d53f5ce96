"""The org chart, the staffing table (定岗定编) and the job architecture matrix."""

from urllib.parse import urlencode

from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from org_tree.architecture import matrix
from org_tree.chart import build_chart, build_chart_as_of, chart_nodes, render_chart
from org_tree.diagram import MAX_DEPTH, clamp_depth, layout, render_svg
from org_tree.forms import DepartmentFilterForm
from org_tree.staffing import staffing_table, totals
from positions import history
from positions.access import get_position_for_user, may_edit, readable_filter, reader_required
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
    root = get_position_for_user(request.user, code) if code else None
    query = request.GET.get("q", "")[:200]
    nodes = build_chart(request.user, root=root, query=query)
    movable = may_edit(request.user)
    context = {
        "root": root,
        "ancestors": readable_ancestors(request.user, root),
        "nodes": nodes,
        "chart": render_chart(nodes, movable=movable),
        "movable": movable,
        "query": query,
        "matches": [node for node in nodes if node.match],
    }
    return render(request, "org_tree/chart.html", context)


def readable_ancestors(user, root):
    """The chain of superiors above `root` that `user` may read, top first (the breadcrumb)."""
    return list(root.get_ancestors().filter(readable_filter(user))) if root else []


def _diagram(request, code):
    """What the diagram of `code` (or of the top) needs, from the request: nodes, depth, the root,
    its chain of superiors and the query string links keep. Raises Http404 for an unknown code and
    history.AsOfError for an `as_of` the history cannot answer."""
    depth, depth_message = clamp_depth(request.GET.get("depth"))
    query = request.GET.get("q", "")[:200]
    keep = {}
    if request.GET.get("as_of"):
        at = history.parse_as_of(request.GET["as_of"])
        nodes = build_chart_as_of(request.user, at, root_code=code, query=query)
        if nodes is None:
            raise Http404
        found = [(node.code, node.title) for node in nodes if node.match]  # drawn or not
        nodes = [node for node in nodes if node.level < depth]
        keep["as_of"] = timezone.localtime(at).isoformat()
        root = nodes[0] if code else None
        ancestors, movable = [], False
    else:
        at = None
        root = get_position_for_user(request.user, code) if code else None
        nodes = build_chart(request.user, root=root, query=query, depth=depth)
        ancestors = readable_ancestors(request.user, root)
        movable = may_edit(request.user)
        found = []
        if query:  # matches below the levels drawn count too: one query, only when searching
            below = Position.objects.visible_to(request.user).order_by("tree_id", "lft")
            below = below.under(root) if root else below
            found = list(
                below.filter(Q(code__icontains=query) | Q(title__icontains=query)).values_list("code", "title")
            )
    as_of_suffix = ("?" + urlencode({"as_of": keep["as_of"]})) if at else ""
    if query:
        keep["q"] = query
    return {
        "found": found,
        "as_of_suffix": as_of_suffix,
        "nodes": nodes,
        "depth": depth,
        "depth_message": depth_message,
        "root": root,
        "ancestors": ancestors,
        "movable": movable,
        "as_of": at,
        "query": query,
        "keep": ("?" + urlencode(keep)) if keep else "",
        "layout": layout(nodes, depth),
    }


def _as_of_refused(request, error):
    return render(request, "positions/as_of_error.html", {"message": str(error)}, status=400)


@reader_required
@require_GET
def diagram(request, code=None):
    try:
        context = _diagram(request, code)
    except history.AsOfError as error:
        return _as_of_refused(request, error)
    context["svg"] = mark_safe(  # noqa: S308 - render_svg escapes every value
        render_svg(
            context["layout"],
            query_string=context["as_of_suffix"],
            depth=context["depth"],
            movable=context["movable"],
        )
    )
    context["depths"] = range(1, MAX_DEPTH + 1)
    return render(request, "org_tree/diagram.html", context)


def _file_name(context, extension):
    root = context["root"]
    return f"org-chart{'-' + root.code if root else ''}.{extension}"


@reader_required
@require_GET
def diagram_svg(request, code=None):
    try:
        context = _diagram(request, code)
    except history.AsOfError as error:
        return HttpResponse(str(error), status=400, content_type="text/plain; charset=utf-8")
    title = context["root"].title if context["root"] else _("Org chart")
    svg = render_svg(context["layout"], depth=context["depth"], standalone=True, title=title)
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_file_name(context, "svg")}"'
    return response


PDF_IN_REQUEST = 1500  # positions; a larger PDF is made by the task worker, as an export job


@reader_required
@require_GET
def diagram_pdf(request, code=None):
    """The diagram as a PDF, over as many landscape pages as it needs: the whole subtree unless `depth` is given."""
    from org_tree.paper import PAPERS, render_pdf

    paper = request.GET.get("paper", "A4").upper()
    if paper not in PAPERS:
        paper = "A4"
    depth = clamp_depth(request.GET["depth"])[0] if request.GET.get("depth") else None
    try:
        at = history.parse_as_of(request.GET["as_of"]) if request.GET.get("as_of") else None
    except history.AsOfError as error:
        return HttpResponse(str(error), status=400, content_type="text/plain; charset=utf-8")
    nodes = chart_nodes(request.user, code, depth, at)
    if nodes is None:
        raise Http404
    if len(nodes) > PDF_IN_REQUEST and at is None:
        from transfers.jobs import start_chart_export

        job = start_chart_export(request.user, code, paper=paper, depth=depth)
        return redirect(job)
    title = nodes[0].title if code and nodes else _("Org chart")
    data, _pages = render_pdf(nodes, paper=paper, title=title)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="org-chart{"-" + code if code else ""}.pdf"'
    return response


def _department_filter(request):
    form = DepartmentFilterForm(request.GET or None, user=request.user)
    department = form.cleaned_data.get("department") if form.is_valid() else None
    return form, department


@reader_required
@require_GET
def staffing(request):
    form, department = _department_filter(request)
    rows = (
        staffing_table(request.user, under=department, hidden=form.hidden_departments)
        if form.is_valid() or not form.is_bound
        else []
    )
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
    return render(
        request,
        "org_tree/architecture.html",
        {"form": form, "ladders": matrix(positions), "department": department},
    )
