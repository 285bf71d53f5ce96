"""Changes between two position documents as people read them: every field by its label in the
reader's language, every column of a changed row, and values as the card shows them (departments,
job families and grades by name, posts as "title (code)", status, education, cycle and yes/no by
their labels, percentages with their sign).

The one presentation of positions/diffs.py's Changes, used by the proposal page, the history page
and the editor's conflict panel (templates/includes/diff.html). It respects who reads it: a post the
reader may not read (a draft, for a Viewer or a Manager) is never named, by code or by title.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.formatting import plain_decimal
from positions.access import can_read_status
from positions.diffs import characters
from positions.templatetags.position_tags import kpi_target

POSITION_KEYS = ("reports_to", "dotted_reports_to", "career.promotes_to", "career.rotates_with")
# Texts long enough to be compared character by character when both sides have one.
LONG_TEXT_KEYS = ("purpose", "work_environment")
# The columns of a section's rows besides the first (a duty's text, a KPI's key responsibility).
# A KPI's "targets" column is its target fields (metric, unit, direction, target, floor, rule, points)
# said in one line as the card says them ("系统可用率 ≥ 99.9 %（门槛值 99 %，线性计分）").
ROW_COLUMNS = {"duties": ("share",), "kpis": ("weight", "standard", "cycle", "targets")}
# Row columns that hold text, compared character by character.
TEXT_COLUMNS = ("standard", "targets")


@dataclass
class Cell:
    """One value of a line, before and after, as shown ("" where the row was not there)."""

    label: str
    before: str = ""
    after: str = ""
    segments: list | None = None  # a character diff (diffs.Segment), when a text changed
    changed: bool = False


@dataclass
class Line:
    """One line of the diff: a field (kind "field") or a row of a section ("added", "removed",
    "changed", "moved"), with the row's other columns."""

    kind: str
    label: str
    main: Cell
    columns: list = field(default_factory=list)


class Names:
    """The names of what the changes refer to by code, read once for a page: at most one query each
    for departments, job families, grades and posts, and none for what the changes do not name."""

    def __init__(self, codes, user):
        from org_tree.models import Department, Grade, JobFamily
        from positions.models import Position

        self.user = user
        self.departments = dict(_read(Department.objects, codes["department"], "name"))
        self.families = {
            code: f"{category} / {name}"
            for code, name, category in _read(JobFamily.objects, codes["job_family"], "name", "category__name")
        }
        self.grades = {code: f"{code} {name}" for code, name in _read(Grade.objects, codes["grade"], "name")}
        self.posts = {code: (title, status) for code, title, status in _read(Position.objects, codes["posts"], "title", "status")}  # fmt: skip
        gone = sorted(set(codes["posts"]) - set(self.posts))
        if gone:
            # Deleted since: named as their last version was (its status too: a deleted draft stays unnamed).
            versions = Position.history.filter(code__in=gone).order_by("code", "-history_date", "-history_id")
            for code, title, status in versions.values_list("code", "title", "status"):
                self.posts.setdefault(code, (title, status))

    def post(self, code):
        title, status = self.posts.get(code, ("", None))
        if status is None:
            return code  # not on file under that code at all: the code as it was written
        if not can_read_status(self.user, status):
            return _("(a post not yet published)")
        return f"{title} ({code})"


def _read(manager, codes, *names):
    if not codes:
        return []
    return manager.filter(code__in=set(codes)).order_by().values_list("code", *names)


def _codes(changes):
    """{kind: [codes]} of the departments, families, grades and posts the changes name."""
    codes = {"department": [], "job_family": [], "grade": [], "posts": []}
    for change in changes:
        if change.key in ("department", "job_family", "grade"):
            codes[change.key] += [value for value in (change.before, change.after) if value]
        elif change.key in POSITION_KEYS:
            for value in (change.before, change.after):
                codes["posts"] += _as_list(value)
    return codes


def _as_list(value):
    if not value:
        return []
    return [value] if isinstance(value, str) else [code for code in value if code]


def value_shown(key, value, names):
    """A header value as the card shows it; "—" for nothing."""
    from positions.models import Position
    from positions.templatetags.position_tags import education_label

    if value in (None, "", []):
        return "—"
    if key == "department":
        return names.departments.get(value, value)
    if key == "job_family":
        return names.families.get(value, value)
    if key == "grade":
        return names.grades.get(value, value)
    if key in POSITION_KEYS:
        return "、".join(names.post(code) for code in _as_list(value)) or "—"
    if key == "status":
        return str(dict(Position.Status.choices).get(value, value))
    if key == "education":
        return str(education_label(value))
    if key == "experience_years" and isinstance(value, int):
        return ngettext("%(years)s year or more", "%(years)s years or more", value) % {"years": value}
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list | tuple):
        return "、".join(str(item) for item in value)
    return str(value)


def column_shown(name, value):
    """A row's column as the card shows it: percentages with their sign, the cycle by its label."""
    from positions.templatetags.position_tags import cycle_label

    if name == "targets":  # the whole row (its target fields)
        return kpi_target(value) or "—"
    if value in (None, ""):
        return "—"
    if name in ("share", "weight"):
        try:
            return f"{plain_decimal(value)}%"
        except (ArithmeticError, ValueError, TypeError):
            return str(value)
    if name == "cycle":
        return str(cycle_label(value))
    return str(value)


def _main_text(row):
    if isinstance(row, dict):
        return str(row.get("text", row.get("responsibility", "")) or "")
    return "" if row is None else str(row)


def _columns(key, before_rows, after_rows):
    """The columns a section's rows show besides the first, as the card shows them: a duty's time share
    when any duty has one; a KPI's weight and standard, its cycle when any KPI has one, and its target and
    scoring when any KPI has a target (or a rule other than direct)."""
    rows = [row for row in (*(before_rows or []), *(after_rows or [])) if isinstance(row, dict)]
    names = []
    for name in ROW_COLUMNS.get(key, ()):
        if name in ("share", "cycle") and not any(row.get(name) not in (None, "") for row in rows):
            continue
        if name == "targets" and not any(kpi_target(row) for row in rows):
            continue
        names.append(name)
    return names


def _column_value(name, row):
    return row if name == "targets" else row.get(name)


def _row_line(change, row, names, labels):
    section = labels.get(change.key, change.key)
    kind = row.kind
    if kind == "added":
        where = _("row %(n)s added") % {"n": row.after_number}
    elif kind == "removed":
        where = _("row %(n)s removed") % {"n": row.before_number}
    elif kind == "moved":
        where = _("row %(a)s moved to %(b)s") % {"a": row.before_number, "b": row.after_number}
    else:
        where = _("row %(n)s changed") % {"n": row.after_number}
    label = f"{section} · {where}"
    before, after = (
        _main_text(row.before) if kind != "added" else "",
        _main_text(row.after) if kind != "removed" else "",
    )
    main = Cell("", before, after, changed=before != after)
    if kind == "changed":
        main.segments = row.segments or characters(before, after)
    line = Line(kind, label, main)
    for name in names:
        old = column_shown(name, _column_value(name, row.before)) if isinstance(row.before, dict) else ""
        new = column_shown(name, _column_value(name, row.after)) if isinstance(row.after, dict) else ""
        cell = Cell(labels.get(name, name), old, new, changed=kind in ("changed", "moved") and old != new)
        if cell.changed and name in TEXT_COLUMNS and old != "—" and new != "—":
            cell.segments = characters(old, new)
        line.columns.append(cell)
    return line


def readable(changes, user):
    """[Line] for `changes` (diffs.diff_documents), as `user` may read them, in the active language."""
    from positions.documents import describe, field_labels

    labels = field_labels()
    names = Names(_codes(changes), user)
    lines = []
    for change in changes:
        if change.is_rows:
            columns = _columns(change.key, change.before, change.after)
            lines += [_row_line(change, row, columns, labels) for row in change.rows]
            continue
        before, after = value_shown(change.key, change.before, names), value_shown(change.key, change.after, names)
        main = Cell("", before, after, changed=True)
        if change.key in LONG_TEXT_KEYS and change.before and change.after:
            main.segments = characters(str(change.before), str(change.after))
        lines.append(Line("field", describe(change.key), main))
    return lines


def card_document(document, base=None):
    """`document` (a proposal's, say) ready for the card partial: the keys it lacks taken from `base`
    (the post's current document), and the names it shows read afresh for the codes it holds (a
    proposal keeps the names of the version it was made from, not of a department it moves to)."""
    from org_tree.models import Department, Grade, JobFamily

    doc = {**(base or {}), **document}
    department = Department.objects.filter(code=doc.get("department") or "").values_list("name", flat=True).first()
    doc["department_name"] = department
    family = (
        JobFamily.objects.filter(code=doc.get("job_family") or "")
        .values_list("name", "category__code", "category__name")
        .first()
    )
    doc["job_family_name"], doc["job_category"], doc["job_category_name"] = family or (None, None, None)
    doc["grade_name"] = Grade.objects.filter(code=doc.get("grade") or "").values_list("name", flat=True).first()
    doc.setdefault("dotted_reports", [])
    doc.setdefault("direct_reports", [])
    doc.setdefault("holders", [])
    return doc


def related_posts(document, user):
    """{code: (title, status)} of the posts `document` names, for the card's references (card_context)."""
    from positions.models import Position

    named = {document.get("reports_to"), *document.get("direct_reports", []), *document.get("dotted_reports_to", [])}
    named |= {*document.get("dotted_reports", [])}
    career = document.get("career") or {}
    named |= {*career.get("promotes_to", []), *career.get("rotates_with", [])}
    rows = Position.objects.filter(code__in=[code for code in named if code]).order_by()
    return {code: (title, status) for code, title, status in rows.values_list("code", "title", "status")}
