"""Text from users: the characters no field, code, query or cell may hold.

NUL (U+0000) cannot be stored by PostgreSQL at all, and the other control characters are
invisible and break exports, codes and URLs. Tab, line feed and carriage return are ordinary
text. One rule here, asked by every way text comes in (requests, the API, imported files).
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# C0 controls except tab, LF and CR; DEL; the C1 controls.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Where text is one line (a URL's path, its query string, a header), tab, LF and CR are controls too.
SINGLE_LINE_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def control_character(text, *, single_line=False):
    """The first control character in `text` (a str), or None when there is none.

    `single_line`: tab, line feed and carriage return count as well (paths, query strings)."""
    match = (SINGLE_LINE_CONTROL_CHARACTERS if single_line else CONTROL_CHARACTERS).search(text)
    return match.group() if match else None


def character_name(character):
    """How a message names a character: U+0000."""
    return f"U+{ord(character):04X}"


def control_character_message(character):
    """What a user is told about a control character in what they sent, in their language."""
    return _("This contains the invisible control character %(character)s; remove it and send it again.") % {
        "character": character_name(character)
    }


def validate_text(value):
    """A field validator: text with a control character (tab, LF and CR aside) is refused."""
    character = control_character(str(value))
    if character is not None:
        raise ValidationError(control_character_message(character), code="control_character")


def printable(text, *, single_line=True):
    """`text` with each control character written as its name (U+0000), to quote it back safely."""
    pattern = SINGLE_LINE_CONTROL_CHARACTERS if single_line else CONTROL_CHARACTERS
    return pattern.sub(lambda match: f"⟨{character_name(match.group())}⟩", text)


def near(text, character, *, width=12):
    """A few characters either side of the first `character` in `text`, printable: where to look for it."""
    at = text.index(character)
    before, after = text[max(0, at - width) : at], text[at + 1 : at + 1 + width]
    return (
        ("…" if at > width else "")
        + printable(before)
        + printable(character)
        + printable(after)
        + ("…" if at + 1 + width < len(text) else "")
    )


def whole_number(text, *, digits=9):
    """`text` as a whole number when it is 1 to `digits` ASCII digits, else None: str.isdigit() also takes
    "²" and "١٢", which int() refuses or reads, and a long string of digits overflows a database integer."""
    text = str(text)
    if text.isascii() and text.isdecimal() and len(text) <= digits:
        return int(text)
    return None
