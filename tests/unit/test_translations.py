"""The Simplified Chinese catalogue is complete, valid and compiled from its current .po."""

import re
import shutil
import subprocess

import pytest
from django.conf import settings
from django.utils import translation

PO = settings.BASE_DIR / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def po_entries():
    """(context, msgid, msgstr) of every singular entry, joined across continuation lines."""
    text = PO.read_text(encoding="utf-8")
    entries = []
    for block in text.split("\n\n")[1:]:  # the first block is the header
        if "msgid_plural" in block or block.lstrip().startswith("#~"):
            continue
        parts = {}
        for key in ("msgctxt", "msgid", "msgstr"):
            match = re.search(rf'^{key} ((?:".*"\n?)+)', block, re.M)
            if match:
                parts[key] = (
                    "".join(re.findall(r'"(.*)"', match.group(1)))
                    .encode()
                    .decode("unicode_escape")
                    .encode("latin-1")
                    .decode()
                )
        entries.append((parts.get("msgctxt"), parts["msgid"], parts["msgstr"]))
    return entries


def test_every_message_is_translated():
    untranslated = [msgid for _, msgid, msgstr in po_entries() if not msgstr]
    assert untranslated == []
    assert "#, fuzzy" not in PO.read_text(encoding="utf-8")


def test_the_compiled_catalogue_matches_the_po_file():
    stale = []
    with translation.override("zh-hans"):
        for context, msgid, msgstr in po_entries():
            got = translation.pgettext(context, msgid) if context else translation.gettext(msgid)
            if got != msgstr:
                stale.append(msgid)
    assert stale == [], "run manage.py compilemessages"


@pytest.mark.skipif(not shutil.which("msgfmt"), reason="gettext is not installed (CI installs it)")
def test_msgfmt_accepts_the_catalogue():
    result = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(PO)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
