"""Template helpers shared by every app."""

from django import template

from portal.formatting import plain_decimal

register = template.Library()


@register.filter
def percent(value):
    """Decimal('35.00') -> '35%'."""
    if value is None or value == "":
        return ""
    return f"{plain_decimal(value)}%"


@register.filter
def minutes(duration):
    """A timedelta in whole minutes (at least 1)."""
    return max(1, round(duration.total_seconds() / 60)) if duration else 0


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters replaced (for paging links)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)  # left out
        else:
            params[key] = value
    return params.urlencode()


@register.filter
def placed(messages, place):
    """The messages meant for one part of a page, named by their extra tag ("holders"); "" gives those
    without a place, which base.html shows at the top."""
    return [message for message in messages if (message.extra_tags or "") == place]
