"""Template helpers for job descriptions: numbered lists and choice labels."""

from decimal import Decimal

from django import template
from django.template.defaultfilters import linebreaksbr
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from assessments.models import KPI
from portal.formatting import plain_decimal
from positions.models import Position

register = template.Library()
EDUCATION = dict(Position.Education.choices)
CYCLES = dict(KPI.Cycle.choices)


@register.simple_tag
def print_header(doc):
    """The printed card's running header and page numbers, as attributes of the root element, which the
    print sheet's @page margin boxes read (static/css/print.css): the post's code and title, and the
    translated "Page n of m" cut around its two numbers, which the page counters fill in."""
    pages = _("Page {page} of {pages}")
    if pages.find("{page}") > pages.find("{pages}") or pages.count("{page}") != 1:
        pages = "Page {page} of {pages}"  # a translation that reorders the numbers cannot be cut so
    before, rest = pages.split("{page}")
    between, after = rest.split("{pages}")
    return format_html(
        'data-print-header="{} {}" data-print-title="{}" data-page-before="{}" data-page-between="{}"'
        ' data-page-after="{}"',
        doc["code"],
        doc["title"],
        _("Job description"),
        before,
        between,
        after,
    )


@register.filter
def education_label(code):
    return EDUCATION.get(code, code)


@register.filter
def cycle_label(code):
    return CYCLES.get(code, code)


def _amount(value, unit):
    """A number as the card shows it (99.90 -> 99.9), with its unit after a space: "99.9 %", "3 次"."""
    try:
        number = plain_decimal(
            Decimal(str(value))
        )  # a JSON float by its shortest spelling: 99.9, not 99.90000000000000568
    except (ArithmeticError, ValueError, TypeError):
        number = str(value)
    return f"{number} {unit}".strip() if unit else number


@register.filter
def kpi_target(kpi):
    """A KPI's target as one line, e.g. "系统可用率 ≥ 99.9 %（门槛值 99 %，线性计分）"; "" when it has none.

    `kpi` is a document's row (a dict; an old version's may lack the keys, which then mean nothing set)."""
    if not isinstance(kpi, dict):
        return ""
    metric, unit = str(kpi.get("metric") or ""), str(kpi.get("unit") or "")
    target, rule = kpi.get("target"), kpi.get("rule") or KPI.Rule.DIRECT
    if target in (None, "") and not metric and rule == KPI.Rule.DIRECT:
        return ""
    head = metric
    if target not in (None, ""):
        sign = {"higher": "≥", "lower": "≤"}.get(kpi.get("direction") or "")
        amount = _amount(target, unit)
        if sign:
            head = f"{metric} {sign} {amount}".strip()
        else:
            head = (_("%(metric)s target %(amount)s") % {"metric": metric, "amount": amount}).strip()
    if rule == KPI.Rule.LINEAR:
        detail = _("floor %(floor)s, scored linearly") % {"floor": _amount(kpi.get("floor"), unit)}
    elif rule == KPI.Rule.THRESHOLD:
        detail = _("scored as met or not met")
    elif rule == KPI.Rule.DEDUCTION:
        detail = _("deduction, %(points)s points per occurrence") % {"points": _amount(kpi.get("points"), "")}
    else:
        detail = ""
    if head and detail:
        return _("%(target)s (%(detail)s)") % {"target": head, "detail": detail}
    return head or detail


@register.filter
def numbered(lines):
    """Lines as a numbered list, or "None on file." (a filter: an {% include %} per list cost ~1 ms).

    A line's own line breaks are shown (escaped text, <br>), never run together."""
    if not lines:
        return format_html('<p class="missing">{}</p>', _("None on file."))
    return format_html(
        "<ol>{}</ol>", format_html_join("", "<li>{}</li>", ((linebreaksbr(line, autoescape=True),) for line in lines))
    )


@register.filter
def found(field):
    """The choices a search found for a form field (positions/forms/editor.py: Searchable), or None."""
    return getattr(field.form, "found", {}).get(field.name)
