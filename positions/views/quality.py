"""The HR worklist (/quality/): every post with a problem, grouped by reason, linked to its editor."""

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from positions.access import editor_required
from positions.quality import reviews_due, worklist
from positions.services import approval


@editor_required
@require_GET
def worklist_page(request):
    groups = worklist()
    total = len({code for group in groups for code, _title, _detail in group.positions})
    context = {
        "groups": groups,
        "total": total,
        "reviews": reviews_due(),
        "today": timezone.localdate(),
        "unsigned": approval.pending_acknowledgements(),
    }
    return render(request, "positions/quality.html", context)
