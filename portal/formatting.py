"""Formatting shared by pages, the API and exports: numbers, and cells a spreadsheet cannot run."""

from decimal import Decimal


def plain_decimal(value):
    """Decimal('35.00') -> '35', Decimal('12.50') -> '12.5'; None -> ''."""
    if value is None:
        return ""
    text = format(Decimal(value).normalize(), "f")
    return text


def json_number(value):
    """A Decimal as a JSON number without float noise: 35 or 12.5; None stays None."""
    if value is None:
        return None
    value = Decimal(value)
    if value == value.to_integral_value():
        return int(value)
    return float(plain_decimal(value))


# What Excel, WPS and LibreOffice take for the start of a formula in a cell (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """A cell that a spreadsheet shows as text: a leading ' before what would start a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
