"""Approval comments stored before notes existed ("批准了 王芳 的变更申请。 同意", or the English) become a
note (shown in the reader's language) and the approver's own words (kept as typed)."""

import re

from django.db import migrations

PATTERNS = (
    re.compile(r"^批准了 (?P<author>.+?) 的变更申请。\s*(?P<comment>.*)$", re.DOTALL),
    re.compile(r"^Approved the proposal of (?P<author>.+?)\.(?:\s+(?P<comment>.*))?$", re.DOTALL),
)


def split_notes(apps, schema_editor):
    Version = apps.get_model("positions", "HistoricalPosition")
    candidates = Version.objects.filter(note__isnull=True).filter(
        history_change_reason__startswith="批准了 "
    ) | Version.objects.filter(note__isnull=True, history_change_reason__startswith="Approved the proposal of ")
    for version in candidates.only("history_id", "history_change_reason").iterator():
        for pattern in PATTERNS:
            found = pattern.match(version.history_change_reason)
            if found:
                Version.objects.filter(history_id=version.history_id).update(
                    note={"kind": "approved", "author": found["author"]},
                    history_change_reason=(found["comment"] or "").strip() or None,
                )
                break


class Migration(migrations.Migration):
    dependencies = [
        ("positions", "0010_proposals_scheduled_revised_withdrawn_and_version_notes"),
    ]

    operations = [migrations.RunPython(split_notes, migrations.RunPython.noop)]
