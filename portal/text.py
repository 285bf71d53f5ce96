"""Text from users: the characters no field, code, query or cell may hold.

NUL (U+0000) cannot be stored by PostgreSQL at all, and the other control characters are
invisible and break exports, codes and URLs. Tab, line feed and carriage return are ordinary
text. One rule here, asked by every way text comes in (requests, the API, imported files).
"""

import re

# C0 controls except tab, LF and CR; DEL; the C1 controls.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def control_character(text):
    """The first control character in `text` (a str), or None when there is none."""
    match = CONTROL_CHARACTERS.search(text)
    return match.group() if match else None


def character_name(character):
    """How a message names a character: U+0000."""
    return f"U+{ord(character):04X}"
