"""The HR worklist (/quality/): every post with a problem, grouped by reason, linked to its editor."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from positions.access import editor_required
from positions.quality import worklist


@editor_required
@require_GET
def worklist_page(request):
    groups = worklist()
    total = len({code for group in groups for code, _title, _detail in group.positions})
    return render(request, "positions/quality.html", {"groups": groups, "total": total})
