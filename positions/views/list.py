"""The list of positions: searchable and filtered, one page at a time."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from positions import history
from positions.access import readable_filter, reader_required
from positions.completeness import Judgement, facts_from_document
from positions.forms.filters import PositionFilterForm
from positions.models import JDTemplate, Position
from positions.querysets import holder_counts
from positions.visibility import redact, shown_superiors

PAGE_SIZE = 50


def list_queryset(user):
    """The positions `user` may read, in chart order, with what a row of the list shows."""
    return Position.objects.visible_to(user).select_related("department", "parent").order_by("tree_id", "lft")


def _list_as_of(request):
    """The positions as they were at `as_of` (newest version of each then), searched by code or title."""
    try:
        at = history.parse_as_of(request.GET["as_of"])
    except history.AsOfError as error:
        return render(request, "positions/as_of_error.html", {"message": str(error)}, status=400)
    versions = history.latest_as_of(at).filter(readable_filter(request.user))
    tree = history.tree_as_of(at)
    found = history.ordered_as_of(versions, tree)
    needle = request.GET.get("q", "").strip()[:200].casefold()
    if needle:
        found = [row for row in found if needle in row[1].casefold() or needle in row[2].casefold()]
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    documents = history.documents_as_of(at, versions.filter(id__in=[row[0] for row in page.object_list]), tree)
    related = {
        code: (title, status)
        for code, title, status in history.latest_as_of(at).order_by().values_list("code", "title", "status")
    }
    documents = redact(request.user, documents, at=at, related=related)
    judge = Judgement(JDTemplate.current().required)
    rows = []
    for document in documents:
        rows.append(
            {
                **document,
                "superior_title": related.get(document.get("reports_to"), ("", None))[0],
                "filled": sum(1 for holder in document.get("holders", []) if holder.get("kind") == "primary"),
                "problems": judge(facts_from_document(document)),
                "status_label": Position.Status(document["status"]).label,
            }
        )
    ignored = sorted(set(request.GET) - {"as_of", "q", "page"} - {k for k, v in request.GET.items() if not v})
    context = {
        "page": page,
        "rows": rows,
        "as_of": at,
        "as_of_value": request.GET["as_of"],
        "q": needle,
        "ignored": ignored,
    }
    return render(request, "positions/position_list_as_of.html", context)


@reader_required
@require_GET
def position_list(request):
    if request.GET.get("as_of"):
        return _list_as_of(request)
    form = PositionFilterForm(request.GET or None, user=request.user)
    positions = list_queryset(request.user)
    if form.is_bound:
        positions = form.filter(positions) if form.is_valid() else positions.none()
    page = Paginator(positions, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    filled = holder_counts(Position.objects.filter(pk__in=[p.pk for p in rows]))
    judge = Judgement(JDTemplate.current().required)
    # Families and grades come from the filter menus' own queries rather than two more joins.
    families, grades = form.families_by_id(), form.grades_by_id()
    superiors = shown_superiors(request.user, rows)
    for position in rows:
        position.superior = superiors[position.pk]  # (code, title, hidden): a hidden one gives way
        position.problems = judge(position.stored_facts())
        position.filled = filled.get(position.pk, 0)
        position.family_name = families.get(position.job_family_id, "")
        position.grade_code = grades.get(position.grade_id, "")
    return render(request, "positions/position_list.html", {"form": form, "page": page, "positions": rows})
