"""Versions of job descriptions: every user action writes one version per position it changed.

A version (simple-history's HistoricalPosition row) holds the position's own columns and its
whole document (documents.position_document: every section's rows, links and holders), so a
job description is read, compared and restored with its rows. Who acted and why come from
`acting()`: the request middleware opens one action per request, management commands their own;
a service called outside any (a test, a shell) is an action of its own.

The services call `record()` before their transaction ends, so a change and its version are
saved together or not at all; a position recorded twice in one action keeps one version, the last.
"""

import datetime
import uuid
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.utils import timezone

from portal.bulk import bulk_insert

_current = ContextVar("positions_history_action", default=None)
# A version's comment is text (any length). What people type is at most 500 characters (the forms' limit);
# what the portal composes around it ("Approved the proposal of <name>." before an approver's 500, "Imported
# from <a 255-character file name>") stays well under this. The cut only keeps a forged form from filling
# the table: every comment the portal composes is kept whole.
COMMENT_LIMIT = 2000
# The clock versions are stamped with: a seam, so tests can move time on between actions.
clock = timezone.now


@dataclass
class Action:
    who: object = None  # a user, or a function that gives one (a request's user, known later)
    comment: str = ""
    note: dict | None = None  # what the portal says of the action, language-neutral (NOTES)
    key: uuid.UUID = field(default_factory=uuid.uuid4)
    held: set | None = None  # inside deferred(): the ids to record once, at its end

    @property
    def user(self):
        user = self.who() if callable(self.who) else self.who
        return user if user is not None and getattr(user, "is_authenticated", False) else None


@contextmanager
def acting(user=None, comment=""):
    """Everything recorded inside is one action of `user` (None: the system), with `comment`."""
    token = _current.set(Action(user, comment or ""))
    try:
        yield _current.get()
    finally:
        _current.reset(token)


@contextmanager
def commenting(comment):
    """Give the action under way `comment` (or open an action of the system with it)."""
    action = _current.get()
    if action is None:
        with acting(comment=comment) as action:
            yield action
        return
    action.comment = (comment or "").strip()[:COMMENT_LIMIT]
    yield action


@contextmanager
def noting(note):
    """Give the action under way `note` (or open an action of the system with it): what the portal
    says of it, language-neutral, as {"kind": one of note_text's kinds, and the values its sentence
    names}; it is composed in the reader's language when shown."""
    action = _current.get()
    if action is None:
        with acting() as action:
            action.note = note
            yield action
        return
    action.note = note
    yield action


def today():
    """Today in the portal's time zone, by the clock versions are stamped with: effective dates are
    compared with it, so a change takes effect exactly when its version says it did."""
    return timezone.localtime(clock()).date()


@contextmanager
def deferred(*, discard=False):
    """Record the positions that the services inside record only once, at the end (a bulk import
    saves, signs off and assigns people: three records of the same 10,000 posts otherwise).
    `discard`: record nothing (a dry run that is rolled back anyway)."""
    action = _current.get()
    if action is None:
        with acting() as action, deferred(discard=discard):
            yield
        return
    outer, action.held = action.held, set()
    try:
        yield
        held = action.held
    finally:
        action.held = outer
    if not discard and held:
        from positions.models import Position

        record(set(Position.objects.filter(pk__in=held).values_list("pk", flat=True)))  # not those deleted since


def record(position_ids=(), *, gone=()):
    """One version of each position in `position_ids` as it stands now, and of each position in
    `gone` (pairs of a deleted Position and its last document) as deleted."""
    from positions.documents import load_positions, position_document
    from positions.models import Position

    ids = {pk for pk in position_ids if pk}
    action = _current.get()
    if action is not None and action.held is not None:
        action.held |= ids
        ids = set()
        if not gone:
            return
        # A deletion is recorded at once: its document exists only now.
    gone = [(position, document) for position, document in gone]
    if not ids and not gone:
        return
    action = action or Action()
    Version = Position.history.model
    every = ids | {position.pk for position, _document in gone}
    Version.objects.filter(action=action.key, id__in=every).delete()  # recorded earlier in this action
    before = dict(latest(ids=every).order_by().values_list("id", "document"))
    now = clock()
    now = now.replace(microsecond=now.microsecond // 1000 * 1000)  # as the history gives it: milliseconds
    rows = []
    for position in load_positions(Position.objects.filter(pk__in=ids).order_by()):
        document = position_document(position)
        kind = "~" if position.pk in before else "+"
        rows.append(_version(Version, position, document, kind, action, now, before.get(position.pk)))
    rows += [_version(Version, position, document, "-", action, now) for position, document in gone]
    user = action.user
    for row in rows:
        row["history_user"] = user
    bulk_insert(Version, rows)


def changed_keys(before, after):
    """The keys of the job description that differ (language-neutral: labels are looked up when shown)."""
    from positions.diffs import diff_documents

    keys = [change.key for change in diff_documents(before, after)]
    if (before or {}).get("holders") != after.get("holders"):
        keys.append("holders")
    return list(dict.fromkeys(keys))


def _version(Version, position, document, kind, action, now, before=None):
    """A version's row, as the fields bulk_insert writes."""
    values = {field.attname: getattr(position, field.attname) for field in Version.tracked_fields}
    return {
        **values,
        "document": document,
        "changed": ",".join(changed_keys(before, document)) if kind == "~" else "",
        "action": action.key,
        "history_date": now,
        "history_type": kind,
        "history_change_reason": action.comment or None,
        "note": action.note,
    }


# Reading the history -------------------------------------------------------------------------


class AsOfError(ValueError):
    """An `as_of` that names no instant the history can answer; the message says why."""


def parse_as_of(text):
    """An aware datetime from `as_of`: a date (the end of that day in the portal's time zone) or an
    ISO 8601 timestamp (one without a zone is read in the portal's). Raises AsOfError."""
    from django.utils.translation import gettext as _

    text = (text or "").strip()
    not_a_time = _("“%(value)s” is not a date (YYYY-MM-DD) or an ISO 8601 time (2026-11-24T22:30:05+08:00).") % {
        "value": text[:40]
    }
    try:
        if len(text) == 10:
            day = datetime.date.fromisoformat(text)
            at = datetime.datetime.combine(day, datetime.time.max)
        else:
            at = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
        if timezone.is_naive(at):
            at = timezone.make_aware(at)
        at = at.astimezone(datetime.UTC)  # years near 1 or 9999 overflow here, not in the database
    except (ValueError, OverflowError):
        raise AsOfError(not_a_time) from None
    now = timezone.now()
    at = min(at, now)  # the future looks like today
    first = first_instant()
    if first is None or at < first:
        raise AsOfError(
            _("The history starts at %(first)s; there is nothing to show as of %(at)s.")
            % {"first": _when(first) if first else "—", "at": _when(at)}
        )
    return timezone.localtime(at)


def _when(at):
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M:%S")


def first_instant():
    from positions.models import Position

    return Position.history.order_by("history_date").values_list("history_date", flat=True).first()


def versions_of(code):
    """The versions of the post called `code`, newest first: the live one's, and those of earlier posts
    of that code that were deleted (a deleted post that is restored comes back as a new row)."""
    from positions.models import Position

    live = Position.objects.filter(code=code).values_list("pk", flat=True).first()
    named = Position.history.filter(code=code).values("id")
    gone = latest(ids=named).filter(history_type="-").values_list("id", flat=True)
    ids = {*gone, *([live] if live is not None else [])}
    return Position.history.filter(id__in=ids).select_related("history_user").order_by("-history_date", "-history_id")


def readable_versions(user, code):
    """versions_of(code) that `user` may read, newest first; none when its newest is a draft they may not see
    (a post that is a draft now is hidden as a whole, as its card is)."""
    from positions.access import can_read_status

    versions = list(versions_of(code))
    if not versions or not can_read_status(user, versions[0].status):
        return []
    return [version for version in versions if can_read_status(user, version.status)]


def version_rows(versions):
    """Each version (newest first) with its one-line summary (what changed since the one before it) and its comment."""
    return [
        {"version": version, "summary": version_summary(version), "comment": comment_text(version)}
        for version in versions
    ]


def _notes():
    """What the portal says of an action, by the kind stored in a version's note, in the active language."""
    from django.utils.translation import gettext as _

    return {
        "approved": lambda note: _("Approved the proposal of %(author)s.") % note,
        "took_effect": lambda note: _("Took effect as approved by %(approver)s on %(approved_on)s.") % note,
    }


def note_text(note):
    """A version's note composed in the active language ("" for none, or a kind this code does not know)."""
    if not isinstance(note, dict):
        return ""
    compose = _notes().get(note.get("kind"))
    try:
        return compose(note) if compose else ""
    except KeyError:  # a note written without a value its sentence needs
        return ""


def comment_text(version):
    """The comment of a version as the history page, its JSON and the audit log show it: what the portal
    says, in the reader's language, then what the person typed, as typed."""
    return " ".join(part for part in (note_text(version.note), version.history_change_reason or "") if part)


def version_summary(version):
    """One line: created, deleted, or the labels of what changed since the version before."""
    from django.utils.translation import gettext as _

    from positions.documents import describe

    if version.history_type == "+":
        return _("Created")
    if version.history_type == "-":
        return _("Deleted")
    keys = [key for key in version.changed.split(",") if key]
    return "、".join(describe(key) for key in keys) or _("No change to the job description")


def latest_as_of(at):
    """The newest version of every position up to `at` that was not deleted by then.

    Newest by time, then by id: two actions in the same millisecond keep their order.
    """
    return latest(at).exclude(history_type="-")


def latest(at=None, ids=None):
    """The newest version of each position (up to `at`; of `ids`), deleted ones included."""
    from django.db.models import Exists, OuterRef, Q

    from positions.models import Position

    versions = Position.history.all()
    if at is not None:
        versions = versions.filter(history_date__lte=at)
    if ids is not None:
        versions = versions.filter(id__in=ids)
    newer = versions.filter(id=OuterRef("id")).filter(
        Q(history_date__gt=OuterRef("history_date"))
        | Q(history_date=OuterRef("history_date"), history_id__gt=OuterRef("history_id"))
    )
    return versions.filter(~Exists(newer))


def tree_as_of(at):
    """{id: (superior id, code)} of every position at `at`: one light query, read once per request."""
    return {
        pk: (parent_id, code)
        for pk, parent_id, code in latest_as_of(at).order_by().values_list("id", "parent_id", "code")
    }


def documents_as_of(at, versions=None, tree=None):
    """The documents of `versions` (default: every position) as they were at `at`, in chart order.

    A superior's stored document lists the reports it had when it was saved; the reports it had
    at `at` are read from the reports' own versions instead (as are the dotted lines to it).
    `tree`: tree_as_of(at), when the caller has read it already.
    """
    from positions.documents import kpi_defaults

    current = latest_as_of(at)
    rows = list((versions if versions is not None else current).order_by().values("id", "parent_id", "document"))
    if not rows:
        return []
    everyone = tree if tree is not None else tree_as_of(at)
    children = {}
    for _pk, (parent_id, code) in sorted(everyone.items(), key=lambda item: item[1][1]):
        children.setdefault(parent_id, []).append(code)
    incoming = {}
    for code, dotted in current.order_by().values_list("code", "document__dotted_reports_to"):
        for target in dotted or []:
            incoming.setdefault(target, []).append(code)
    documents = []
    for row in rows:
        document = dict(kpi_defaults(row["document"]))  # a version from before KPI targets: none, direct
        document["direct_reports"] = children.get(row["id"], [])
        parent = everyone.get(row["parent_id"])
        document["reports_to"] = parent[1] if parent else None  # its superior's code then, not at saving
        document["dotted_reports"] = sorted(incoming.get(document["code"], []))
        documents.append(document)
    order = chart_order(everyone)
    documents.sort(key=lambda document: order.get(document["code"], 0))
    return documents


def ordered_as_of(versions, tree):
    """[(id, code, title)] of `versions` in the chart order of `tree` (tree_as_of), without their
    documents: a page is cut from these, and only its documents are read (documents_as_of)."""
    order = chart_order(tree)
    rows = list(versions.order_by().values_list("id", "code", "title"))
    return sorted(rows, key=lambda row: order.get(row[1], 0))


def chart_order(everyone):
    """{code: place} in chart order (superiors first, reports by code) for {pk: (parent_id, code)}."""
    children = {}
    for pk, (parent_id, code) in everyone.items():
        children.setdefault(parent_id if parent_id in everyone else None, []).append((code, pk))
    order, stack = {}, sorted(children.get(None, []), reverse=True)
    while stack:
        code, pk = stack.pop()
        order[code] = len(order)
        stack.extend(sorted(children.get(pk, []), reverse=True))
    return order


def document_as_of(code, at):
    """The document of the position called `code` at `at`, or None."""
    found = documents_as_of(at, latest_as_of(at).filter(code=code))
    return found[0] if found else None
