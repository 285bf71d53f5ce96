"""Pages: the list of positions and the job-description card."""

from django.core.paginator import Paginator
from django.shortcuts import render

from positions.access import get_position_for_user, reader_required, visible_positions
from positions.forms import PositionFilterForm
from positions.queries import card_queryset, list_queryset

PAGE_SIZE = 50


@reader_required
def position_list(request):
    form = PositionFilterForm(request.GET or None)
    positions = visible_positions(request.user, list_queryset())
    if form.is_bound:
        positions = form.filter(positions) if form.is_valid() else positions.none()
    page = Paginator(positions, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "positions/position_list.html", {"form": form, "page": page, "positions": page.object_list})


@reader_required
def position_detail(request, code):
    position = get_position_for_user(request.user, code, card_queryset())
    return render(request, "positions/position_detail.html", {"position": position, "print": "print" in request.GET})
