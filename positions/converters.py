"""URL converters: a position code that is not well-formed never reaches a query."""

from positions.models import CODE_PATTERN


class PositionCodeConverter:
    regex = CODE_PATTERN.strip("^$")

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value
