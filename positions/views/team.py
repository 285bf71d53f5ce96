"""The manager's team (/team/): the part of the chart under each post the signed-in person holds."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from org_tree.chart import build_chart, render_chart
from portal.models import TREE_FIELDS
from positions.access import held_positions, reader_required


def held_posts(user):
    """The posts `user` holds now (primary and concurrent), with the tree numbers a chart needs."""
    return list(held_positions(user).only("code", "title", "status", *TREE_FIELDS))


def teams(user):
    """[(post, nodes)] for every post `user` holds."""
    return [(post, build_chart(user, root=post)) for post in held_posts(user)]


@reader_required
@require_GET
def my_team(request):
    return render(
        request,
        "positions/team.html",
        {"teams": [(post, nodes, render_chart(nodes)) for post, nodes in teams(request.user)]},
    )
