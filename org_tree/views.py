"""The org chart: the whole reporting tree, or the part under one position."""

from django.shortcuts import get_object_or_404, render

from org_tree.chart import build_chart, render_chart
from positions.access import reader_required
from positions.models import Position


@reader_required
def chart(request, code=None):
    root = get_object_or_404(Position, code=code) if code else None
    query = request.GET.get("q", "")[:200]
    nodes = build_chart(request.user, root=root, query=query)
    context = {
        "root": root,
        "ancestors": root.get_ancestors() if root else [],
        "nodes": nodes,
        "chart": render_chart(nodes),
        "query": query,
        "matches": [node for node in nodes if node.match],
    }
    return render(request, "org_tree/chart.html", context)
