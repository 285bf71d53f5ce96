"""Template helpers shared by every app."""

from django import template
from django.urls import reverse
from django.utils.html import format_html

from portal.formatting import plain_decimal
from positions.access import can_read

register = template.Library()


@register.filter
def percent(value):
    """Decimal('35.00') -> '35%'."""
    if value is None or value == "":
        return ""
    return f"{plain_decimal(value)}%"


@register.simple_tag(takes_context=True)
def position_link(context, position):
    """A position's title linked to its card when the user may read it; plain text otherwise."""
    label = format_html('{} <span class="code">{}</span>', position.title, position.code)
    if can_read(context["request"].user, position):
        return format_html('<a href="{}">{}</a>', reverse("positions:detail", args=[position.code]), label)
    return label


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters replaced (for paging links)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        params[key] = value
    return params.urlencode()
