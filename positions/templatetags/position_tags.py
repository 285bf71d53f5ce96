"""Template helpers for job descriptions: numbered lists and choice labels."""

from django import template
from django.template.defaultfilters import linebreaksbr
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from assessments.models import KPI
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
