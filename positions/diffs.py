"""Differences between two position documents, for people: fields side by side, rows added,
removed, moved and changed, and a character-level diff inside a changed line (Chinese has no
spaces, so words are no help: characters are).

Used where an editor's save meets someone else's (the conflict panel) and by the history.
"""

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from difflib import SequenceMatcher

from positions.documents import LIST_KEYS, kpi_defaults

ROW_SECTIONS = (*LIST_KEYS, "kpis")
# Keys that are not the job description's own content (derived, or shown elsewhere).
IGNORED = {"version", "direct_reports", "dotted_reports", "filled", "holders", "department_name", "job_family_name",
           "job_category", "job_category_name", "grade_name", "duty_share_total", "kpi_weight_total", "complete",
           "problems", "superior_hidden"}  # fmt: skip


@dataclass
class Segment:
    op: str  # "same", "removed", "added"
    text: str


@dataclass
class RowChange:
    kind: str  # "added", "removed", "changed", "moved"
    before_number: int | None  # 1-based row numbers
    after_number: int | None
    before: object = None
    after: object = None
    segments: list = field(default_factory=list)  # for a changed line: the character-level diff


@dataclass
class Change:
    key: str
    before: object = None
    after: object = None
    rows: list = field(default_factory=list)  # RowChange, for sections of rows

    @property
    def is_rows(self):
        return self.key in ROW_SECTIONS


def characters(before, after):
    """The character-level diff of two lines, as segments."""
    segments = []
    for op, a1, a2, b1, b2 in SequenceMatcher(None, before, after, autojunk=False).get_opcodes():
        if op == "equal":
            segments.append(Segment("same", before[a1:a2]))
            continue
        if a2 > a1:
            segments.append(Segment("removed", before[a1:a2]))
        if b2 > b1:
            segments.append(Segment("added", after[b1:b2]))
    return segments


def _label(row):
    """What identifies a row for matching: its text (a line, a duty) or its key responsibility (a KPI)."""
    if isinstance(row, dict):
        return row.get("text", row.get("responsibility", ""))
    return row


def _changed(before, after, i, j):
    return RowChange(
        "changed",
        i + 1,
        j + 1,
        before,
        after,
        segments=characters(_label(before), _label(after)),
    )


def diff_rows(before, after):
    """RowChanges turning the rows `before` into `after`."""
    labels_a, labels_b = [_label(r) for r in before], [_label(r) for r in after]
    changes, removed, added = [], [], []
    for op, a1, a2, b1, b2 in SequenceMatcher(None, labels_a, labels_b, autojunk=False).get_opcodes():
        if op == "equal":
            for i, j in zip(range(a1, a2), range(b1, b2), strict=True):
                if before[i] != after[j]:
                    changes.append(_changed(before[i], after[j], i, j))
            continue
        pairs = min(a2 - a1, b2 - b1) if op == "replace" else 0
        for offset in range(pairs):
            changes.append(_changed(before[a1 + offset], after[b1 + offset], a1 + offset, b1 + offset))
        removed.extend(range(a1 + pairs, a2))
        added.extend(range(b1 + pairs, b2))
    # A row that left one place and arrived at another unchanged has moved.
    for i in list(removed):
        j = next((j for j in added if labels_b[j] == labels_a[i]), None)
        if j is not None:
            removed.remove(i)
            added.remove(j)
            changes.append(RowChange("moved", i + 1, j + 1, before[i], after[j]))
    changes += [RowChange("removed", i + 1, None, before[i]) for i in removed]
    changes += [RowChange("added", None, j + 1, None, after[j]) for j in added]
    return sorted(changes, key=lambda c: (c.after_number or c.before_number or 0, c.kind))


def diff_documents(before, after):
    """[Change] from document `before` to `after` (either may be None: a post created or deleted)."""
    # A version saved before KPIs had targets has rows without those keys: empty, the direct rule.
    before, after = kpi_defaults(before or {}), kpi_defaults(after or {})
    changes = []
    keys = [k for k in dict.fromkeys([*before, *after]) if k not in IGNORED]
    for key in keys:
        a, b = before.get(key), after.get(key)
        if a == b:
            continue
        if key in ROW_SECTIONS:
            rows = diff_rows(a or [], b or [])
            if rows:
                changes.append(Change(key, a, b, rows))
        elif key == "career":
            for name in ("promotes_to", "rotates_with"):
                if (a or {}).get(name) != (b or {}).get(name):
                    changes.append(Change(f"career.{name}", (a or {}).get(name), (b or {}).get(name)))
        else:
            changes.append(Change(key, a, b))
    return changes


def summary(changes):
    """A one-line summary of changes: the keys that changed (labels in the active language)."""
    from positions.documents import describe

    return "、".join(dict.fromkeys(describe(change.key) for change in changes))


def _canonical(value):
    """A value as compared by merge_documents(): row ids dropped, numbers by value, empty as empty."""
    if isinstance(value, dict):
        return {key: _canonical(item) for key, item in value.items() if key != "id"}
    if isinstance(value, (list, tuple)):
        return [_canonical(item) for item in value]
    if value is None:
        return ""
    text = str(value).strip()
    try:
        return format(Decimal(text).normalize(), "f") if text else ""
    except InvalidOperation:
        return text


def merge_documents(base, mine, theirs):
    """What saving again after a lost race should hold: `mine` where the user changed it since
    `base` (the document they opened), `theirs` (the one saved since) everywhere else. The unit is
    a field, or a whole section of rows; a field both changed keeps the user's, knowingly."""
    return {
        key: value if _canonical(value) != _canonical(base.get(key)) else theirs.get(key, value)
        for key, value in mine.items()
    }
