"""The organisation's JD template, set by Administrators: which sections are used and which required."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from positions.access import may_configure
from positions.completeness import FACT_NAMES, Judgement
from positions.forms.template import JDTemplateForm
from positions.models import JDTemplate, Position


@login_required
@require_http_methods(["GET", "POST"])
def jd_template(request):
    if not may_configure(request.user):
        raise PermissionDenied
    template = JDTemplate.current()
    form = JDTemplateForm(request.POST or None, template=template)
    if request.method == "POST" and form.is_valid():
        judge = Judgement(form.save().required)
        published = Position.objects.filter(status=Position.Status.PUBLISHED).values(*FACT_NAMES)
        incomplete = sum(1 for facts in published.iterator() if judge(facts))
        messages.success(
            request,
            _("The job-description template is saved.")
            + " "
            + ngettext(
                "%(count)d published job description is incomplete under the new template.",
                "%(count)d published job descriptions are incomplete under the new template.",
                incomplete,
            )
            % {"count": incomplete},
        )
        return redirect("positions:jd-template")
    return render(request, "positions/jd_template.html", {"form": form})
