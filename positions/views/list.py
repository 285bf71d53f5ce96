"""The list of positions: searchable and filtered, one page at a time."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from positions.access import reader_required
from positions.completeness import Judgement
from positions.forms.filters import PositionFilterForm
from positions.models import JDTemplate, Position
from positions.querysets import holder_counts

PAGE_SIZE = 50


def list_queryset(user):
    """The positions `user` may read, in chart order, with what a row of the list shows."""
    return Position.objects.visible_to(user).select_related("department", "parent").order_by("tree_id", "lft")


@reader_required
@require_GET
def position_list(request):
    form = PositionFilterForm(request.GET or None)
    positions = list_queryset(request.user)
    if form.is_bound:
        positions = form.filter(positions) if form.is_valid() else positions.none()
    page = Paginator(positions, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    filled = holder_counts(Position.objects.filter(pk__in=[p.pk for p in rows]))
    judge = Judgement(JDTemplate.current().required)
    # Families and grades come from the filter menus' own queries rather than two more joins.
    families, grades = form.families_by_id(), form.grades_by_id()
    for position in rows:
        position.problems = judge(position.stored_facts())
        position.filled = filled.get(position.pk, 0)
        position.family_name = families.get(position.job_family_id, "")
        position.grade_code = grades.get(position.grade_id, "")
    return render(request, "positions/position_list.html", {"form": form, "page": page, "positions": rows})
