"""The HR worklist (/quality/): every post with a problem, grouped by the kind of problem, linked to its
editor; limited to a department (with its sub-departments) by the department menu."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from org_tree.forms import DepartmentFilterForm
from positions.access import editor_required
from positions.quality import worklist


@editor_required
@require_GET
def worklist_page(request):
    form = DepartmentFilterForm(request.GET or None)
    department = form.cleaned_data.get("department") if form.is_valid() else None
    context = {"form": form, "worklist": worklist(department) if form.is_valid() or not form.is_bound else None}
    return render(request, "positions/quality.html", context)
