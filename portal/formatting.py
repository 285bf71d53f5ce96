"""Number formatting shared by pages, the API and exports."""

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
