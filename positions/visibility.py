"""What a reader sees of the organisation: the one access rule (positions/access.py) applied to
everything that names positions, their people or their reporting lines.

A draft is visible only to those who may edit: for everyone else it is left out wherever posts are
named (charts, diagrams and their files, lists, documents' reporting lines, teams, the staffing
table, departments that hold nothing but drafts). A published post whose direct superior is a
draft hangs under its nearest readable superior, marked `superior_hidden`; a published post under
a draft is listed among that superior's direct reports. So an unannounced reorganisation leaks
neither a title nor a holder, and the published organisation keeps its shape.

Editors' views are never changed here, and cost nothing extra: every function returns at once for
a user who may see drafts.
"""

from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from positions.access import can_read_status, can_see_drafts, readable_filter

# Keys of a position document that name other positions by code (career paths are nested).
REFERENCE_LISTS = ("dotted_reports_to", "dotted_reports")
CAREER_LISTS = ("promotes_to", "rotates_with")


# -- The live tree: hidden ranges -------------------------------------------------------------


@dataclass(frozen=True)
class Hidden:
    """A post the reader may not see, by its tree numbers."""

    tree_id: int
    lft: int
    rght: int
    level: int

    def contains(self, tree_id, lft):
        return self.tree_id == tree_id and self.lft < lft < self.rght


def hidden_in(user, positions):
    """The posts of `positions` (a queryset) that `user` may not read, in tree order; [] (no query)
    for a user who may see drafts."""
    if can_see_drafts(user):
        return []
    rows = positions.exclude(readable_filter(user)).order_by("tree_id", "lft")
    return [Hidden(*row) for row in rows.values_list("tree_id", "lft", "rght", "level")]


def nesting(hidden, top=0, depth=None):
    """The most hidden posts on one chain of superiors: how many more levels a depth-limited read
    must fetch so that, with the hidden ones left out, it still reaches the depth asked for.

    With `depth`, only hidden posts inside the drawn window count (levels `top` to `top + depth - 1`
    once the hidden ones above them are left out): drafts deep below it cost the read nothing."""
    deepest, open_ = 0, []
    for post in hidden:
        while open_ and not open_[-1].contains(post.tree_id, post.lft):
            open_.pop()
        if depth is not None and post.level - len(open_) >= top + depth:
            continue  # below the window, and so is everything under it
        open_.append(post)
        deepest = max(deepest, len(open_))
    return deepest


@dataclass
class Placement:
    """Where a readable post stands once hidden posts are left out."""

    above: int  # hidden posts between it and the top of what was read: its level rises by that much
    inside: int  # hidden posts under it: its count of posts below falls by that much
    superior_hidden: bool  # its own direct superior is hidden


def placements(rows, hidden):
    """A Placement for each readable row (tree_id, lft, rght, level), given in tree order, among the
    `hidden` posts (tree order). Linear in both, plus a binary search per row."""
    keys = [(post.tree_id, post.lft) for post in hidden]
    result, open_, next_hidden = [], [], 0
    for tree_id, lft, rght, level in rows:
        while next_hidden < len(hidden) and keys[next_hidden] < (tree_id, lft):
            post = hidden[next_hidden]
            while open_ and not open_[-1].contains(post.tree_id, post.lft):
                open_.pop()
            open_.append(post)
            next_hidden += 1
        while open_ and not open_[-1].contains(tree_id, lft):
            open_.pop()
        inside = bisect_right(keys, (tree_id, rght)) - bisect_left(keys, (tree_id, lft))
        result.append(Placement(len(open_), inside, bool(open_) and open_[-1].level == level - 1))
    return result


def readable_superiors(parents, readable):
    """{key: (the nearest readable superior's key or None, whether the direct superior is hidden)} for a
    tree given as {key: superior's key or None} and {key: readable?}; a superior not in the tree counts
    as none. Each post is walked once: a hidden superior's answer is reused by everyone under it."""
    found = {}
    for start in parents:
        chain, key = [], start
        while key not in found:
            parent = parents[key]
            chain.append(key)
            if parent not in parents or parent in chain:  # the top (or a loop, which no tree holds)
                found[key] = (None, False)
                chain.pop()
                break
            if readable[parent]:
                found[key] = (parent, False)
                chain.pop()
                break
            key = parent
        # Walking back down: each post's nearest readable superior is that of the hidden one above it.
        for key in reversed(chain):
            found[key] = (found[parents[key]][0], True)
    return found


# -- Any tree as a map: documents, lists, the past ---------------------------------------------


class ReaderTree:
    """The reporting lines `user` may see, over a map of every post {code: (superior code, status, title)}:
    today's (from the positions) or the past's (`at`: from the versions then). The map is read once,
    and only when a hidden post is named next to a readable one."""

    def __init__(self, user, at=None):
        self.user, self.at = user, at
        self._posts = None
        self._children = None
        self._superiors = None

    def _load(self):
        if self._posts is not None:
            return
        if self.at is None:
            from positions.models import Position

            rows = Position.objects.order_by().values_list("pk", "parent_id", "code", "status", "title")
        else:
            from positions import history

            rows = history.latest_as_of(self.at).order_by().values_list("id", "parent_id", "code", "status", "title")
        rows = list(rows)
        codes = {pk: code for pk, _parent, code, _status, _title in rows}
        self._posts = {code: (codes.get(parent), status, title) for _pk, parent, code, status, title in rows}
        self._children = {}
        for code, (parent, _status, _title) in sorted(self._posts.items()):
            self._children.setdefault(parent, []).append(code)

    def readable(self, code):
        self._load()
        post = self._posts.get(code)
        return post is None or can_read_status(self.user, post[1])  # an unknown code (deleted) is not a draft

    def title(self, code):
        self._load()
        post = self._posts.get(code)
        return post[2] if post else ""

    def status(self, code):
        self._load()
        post = self._posts.get(code)
        return post[1] if post else None

    def superior(self, code):
        """(the nearest readable superior's code or None, whether the direct superior is hidden)."""
        self._load()
        if self._superiors is None:
            self._superiors = readable_superiors(
                {key: parent for key, (parent, _status, _title) in self._posts.items()},
                {key: self.readable(key) for key in self._posts},
            )
        return self._superiors.get(code, (None, False))

    def reports(self, code):
        """The readable posts that report to `code` once hidden posts are left out: its readable direct
        reports, and the readable posts under a hidden one, in chart order."""
        self._load()
        found, stack = [], list(reversed(self._children.get(code, [])))
        while stack:
            child = stack.pop()
            if self.readable(child):
                found.append(child)
            else:
                stack.extend(reversed(self._children.get(child, [])))
        return found


def redact(user, documents, *, at=None, related=None):
    """The position documents as `user` may see them: hidden posts are never named; a hidden direct
    superior gives way to the nearest readable one (`superior_hidden`), a hidden direct report to the
    readable posts under it. Documents are changed in place and returned.

    `related` ({code: (title, status)} of the posts the documents name, when the caller has it, as
    load_positions() gives it) spares a query, and gets the title and status of every post put in
    a hidden one's place, for the card's links. Without it one light query reads the statuses. For
    `at`, the statuses and the reporting lines of that time count. Nothing happens (and nothing is
    read) for a user who may see drafts."""
    documents = list(documents)
    if can_see_drafts(user) or not documents:
        return documents
    named = set()
    for document in documents:
        named.update(_named(document))
    named.discard(None)
    if related is not None:
        statuses = {code: status for code, (_title, status) in related.items()}
    else:
        statuses = _statuses(named, at)
    hidden = {code for code in named if code in statuses and not can_read_status(user, statuses[code])}
    if not hidden:
        return documents
    tree = ReaderTree(user, at)
    for document in documents:
        if document.get("reports_to") in hidden:
            document["reports_to"], document["superior_hidden"] = tree.superior(document["code"])
        if hidden.intersection(document.get("direct_reports") or ()):
            document["direct_reports"] = tree.reports(document["code"])
        for key in REFERENCE_LISTS:
            if key in document:
                document[key] = [code for code in document[key] or [] if code not in hidden]
        career = document.get("career")
        if career:
            document["career"] = {key: [c for c in career.get(key) or [] if c not in hidden] for key in CAREER_LISTS}
        if related is not None:
            for code in [document.get("reports_to"), *(document.get("direct_reports") or [])]:
                if code and code not in related:
                    related[code] = (tree.title(code), tree.status(code))
    return documents


def shown_superiors(user, positions):
    """{pk: (code, title, hidden)} of the superior to show for each of `positions` (read with their
    `parent`): the direct one, or when `user` may not read it the nearest one they may, `hidden` True.
    No query unless a direct superior is hidden."""
    shown, tree = {}, None
    for position in positions:
        parent = position.parent
        if parent is None:
            shown[position.pk] = None
        elif can_read_status(user, parent.status):
            shown[position.pk] = (parent.code, parent.title, False)
        else:
            tree = tree or ReaderTree(user)
            code, _hidden = tree.superior(position.code)
            shown[position.pk] = (code, tree.title(code), True) if code else (None, "", True)
    return shown


def _named(document):
    yield document.get("reports_to")
    for key in ("direct_reports", *REFERENCE_LISTS):
        yield from document.get(key) or []
    career = document.get("career") or {}
    for key in CAREER_LISTS:
        yield from career.get(key) or []


def _statuses(codes, at):
    if not codes:
        return {}
    if at is None:
        from positions.models import Position

        rows = Position.objects.filter(code__in=codes)
    else:
        from positions import history

        rows = history.latest_as_of(at).filter(code__in=codes)
    return dict(rows.order_by().values_list("code", "status"))


def related_of(positions):
    """{code: (title, status)} of every post named by positions read with load_positions(), and of themselves."""
    related = {}
    for position in positions:
        related[position.code] = (position.title, position.status)
        related.update(position.related)
    return related


# -- Departments --------------------------------------------------------------------------------


def hidden_departments(user):
    """Ids of the departments `user` may not see: those whose posts (with their sub-departments') are
    all hidden, such as a department a roster of an unannounced reorganisation created. A department
    with no post at all is shown: it was set up as it is. Empty (no query) for a user who may see
    drafts; else two queries, of one row per department."""
    if can_see_drafts(user):
        return set()
    from django.db.models import Count

    from org_tree.models import Department
    from positions.models import Position

    counts = {
        row["department_id"]: [row["seen"], row["shown"]]
        for row in Position.objects.exclude(department=None)
        .order_by()
        .values("department_id")
        .annotate(seen=Count("pk"), shown=Count("pk", filter=readable_filter(user)))
    }
    if all(shown for _seen, shown in counts.values()):
        return set()
    departments = list(Department.objects.order_by("tree_id", "lft").values_list("pk", "parent_id"))
    totals = {pk: list(counts.get(pk, (0, 0))) for pk, _parent in departments}
    for pk, parent in reversed(departments):  # children after parents in tree order: roll up backwards
        if parent in totals:
            totals[parent][0] += totals[pk][0]
            totals[parent][1] += totals[pk][1]
    return {pk for pk, (seen, shown) in totals.items() if seen and not shown}
