"""Reading positions back the way every page does: as judged position documents."""

from positions.documents import judged, load_positions, position_document
from positions.models import JDTemplate, Position


def document_of(code):
    """The judged document of the position with `code` (what the card and the API show)."""
    (position,) = load_positions(Position.objects.filter(code=code))
    return judged(position_document(position), JDTemplate.current().required)


def texts(rows):
    """The text of each duty row ({"text", "share"}), or the lines themselves."""
    return [row["text"] if isinstance(row, dict) else row for row in rows]
