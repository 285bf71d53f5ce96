"""Builds and renders the org chart as a flat list in tree order.

Each node knows how many nested lists close after it, so nothing recurses. Node
markup is written here rather than in a template: a Django template spends ~1.8 s
on the tags of 10,000 boxes, this code ~0.1 s (bench/README.md). Every piece of
content goes through html.escape.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from html import escape

from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from positions.access import can_read_status, can_see_drafts, readable_filter
from positions.completeness import FACT_NAMES, Judgement
from positions.models import Assignment, JDTemplate, Position, PositionLink
from positions.visibility import hidden_in, nesting, placements, readable_superiors

# Charts larger than this open only their top levels; smaller ones open fully.
OPEN_ALL_LIMIT = 150
OPEN_DEPTH = 2
CODE_SLOT = "0CODE0SLOT0"  # a well-formed code, replaced by each real one


@dataclass
class Node:
    code: str
    title: str
    department: str
    headcount: int
    status: str
    has_description: bool
    level: int
    descendants: int
    holders: list  # (name, is_primary)
    filled: int  # primary holders: only they fill headcount
    problems: list
    readable: bool
    dotted: list = field(default_factory=list)  # dotted-line superiors: (code, title, readable)
    # Its direct superior is a post the reader may not see (a draft): it hangs under the nearest one
    # they may (positions/visibility.py).
    superior_hidden: bool = False
    open: bool = False
    match: bool = False
    closes: int = 0
    children: int = 0  # direct reports
    version: int = 0  # sent back by drag and drop: a move of a post saved since the page was drawn is refused

    @property
    def has_children(self):
        return self.descendants > 0

    @property
    def open_headcount(self):
        """Vacancies: only primary holders fill headcount (编制)."""
        return self.headcount - self.filled

    @property
    def is_draft(self):
        return self.status == Position.Status.DRAFT


HAS_DESCRIPTION = FACT_NAMES.index("has_description")

FIELDS = (
    "pk",
    "code",
    "title",
    "department__name",
    "headcount",
    "status",
    "level",
    "lft",
    "rght",
    "version",
)


def build_chart(user, root=None, query="", depth=None):
    """Nodes of the whole chart, or of the subtree under `root`, in tree order; `depth`: only so
    many levels from the top (the diagram's), each node still knowing how many are below it.

    What `user` may not read is left out (positions/visibility.py): a post under a hidden one moves
    up under its nearest readable superior, marked, and levels and counts below follow.

    Four queries whatever the size: the positions with their completeness facts, their holders,
    their dotted-line superiors and the JD template; a reader who may not see drafts adds one, for
    the hidden posts.
    """
    positions = Position.objects.order_by("tree_id", "lft")
    if root is not None:
        positions = positions.under(root)
    hidden = hidden_in(user, positions)
    if hidden:
        positions = positions.filter(readable_filter(user))
    top = root.level if root is not None else 0
    if depth is not None:
        # Hidden posts on a chain leave gaps: read as many more levels as one chain holds of them.
        positions = positions.filter(level__lt=top + depth + nesting(hidden, top, depth))
    holders = defaultdict(list)
    for position_id, name, kind in (
        Assignment.objects.current()
        .filter(position__in=positions.order_by().values("pk"))
        .order_by("-kind", "person__name")  # primary before concurrent
        .values_list("position_id", "person__name", "kind")
    ):
        holders[position_id].append((name, kind == Assignment.Kind.PRIMARY))
    dotted = defaultdict(list)
    for source_id, code, title, status in (
        PositionLink.objects.filter(source__in=positions.order_by().values("pk"), kind=PositionLink.Kind.DOTTED)
        .order_by("order")
        .values_list("source_id", "target__code", "target__title", "target__status")
    ):
        if can_read_status(user, status):  # a hidden dotted-line superior is not named
            dotted[source_id].append((code, title, True))
    judge = Judgement(JDTemplate.current().required)
    drafts_visible = can_see_drafts(user)
    facts_from = len(FIELDS)  # the row's facts follow its fields, in FACT_NAMES order
    rows = list(positions.values_list(*FIELDS, "tree_id", *FACT_NAMES))
    places = placements([(row[facts_from], row[7], row[8], row[6]) for row in rows], hidden) if hidden else None
    facts_from += 1  # past tree_id
    if depth is None:
        top = None
    nodes = []
    for number, row in enumerate(rows):
        pk, code, title, department, headcount, status, level, lft, rght, version = row[: len(FIELDS)]
        node_holders = holders.get(pk, [])
        place = places[number] if places else None
        level -= place.above if place else 0
        if top is not None and level - top >= depth:
            continue
        nodes.append(
            Node(
                code=code,
                title=title,
                department=department or "",
                headcount=headcount,
                status=status,
                has_description=row[facts_from + HAS_DESCRIPTION],
                level=level,
                descendants=(rght - lft - 1) // 2 - (place.inside if place else 0),
                holders=node_holders,
                filled=sum(1 for _name, primary in node_holders if primary),
                problems=judge.values(row[facts_from:]),
                readable=drafts_visible or status == Position.Status.PUBLISHED,
                dotted=dotted.get(pk, []),
                superior_hidden=place.superior_hidden if place else False,
                version=version,
            )
        )
    _mark_structure(nodes, query)
    return nodes


def _mark_structure(nodes, query):
    """Set which nodes start open, which match the search, and the closing markers."""
    if not nodes:
        return
    base = nodes[0].level
    open_all = len(nodes) <= OPEN_ALL_LIMIT
    needle = query.strip().casefold()
    path = []  # the ancestors of the current node
    for index, node in enumerate(nodes):
        while path and path[-1].level >= node.level:
            path.pop()
        if path:
            path[-1].children += 1
        node.open = node.has_children and (open_all or node.level - base < OPEN_DEPTH)
        if needle and (needle in node.code.casefold() or needle in node.title.casefold()):
            node.match = True
            for ancestor in path:
                ancestor.open = True
        path.append(node)
        next_level = nodes[index + 1].level if index + 1 < len(nodes) else base
        # After a leaf, every level climbed back up closes an ancestor's list.
        node.closes = 0 if node.has_children else node.level - next_level


def render_chart(nodes, movable=False, query_string=""):
    """The chart's <li> elements: each box, then its reports in a <details> that folds without JavaScript.

    The box's links stay outside <summary> (links inside one are not reachable as links);
    the summary is a plain toggle. `movable`: HR editors get a "move under…" link on each
    box, which chart.js also turns into drag and drop. `query_string` ("?as_of=…") follows every
    link to a card or a chart, so a chart of the past leads to the past.
    """
    card_url = reverse("positions:detail", args=[CODE_SLOT]) + escape(query_string)
    chart_url = reverse("org_tree:subtree", args=[CODE_SLOT]) + escape(query_string)
    move_url = reverse("positions:move", args=[CODE_SLOT])
    move_label = escape(_("Move under…"))
    concurrent = escape("（" + pgettext("short mark", "concurrent") + "）")
    concurrent_title = escape(_("Concurrent post"))
    dotted_label = escape(_("Dotted line to: %(names)s"))  # the names are escaped HTML already
    vacant, over, incomplete, undescribed, draft, from_here = (
        escape(_("Vacant")),
        escape(_("over headcount")),
        escape(_("Incomplete")),
        escape(_("No description")),
        escape(_("Draft")),
        escape(_("Chart from here")),
    )
    superior_hidden = escape(_("Superior not published"))
    superior_hidden_title = escape(
        _("Its direct superior is not published yet: it is shown under the nearest published superior.")
    )
    close_list = "</ul></details></li>"
    parts = []
    for n in nodes:
        code = escape(n.code)
        title = escape(n.title)
        classes = "box"
        if n.match:
            classes += " match"
        if n.problems:
            classes += " incomplete" if n.has_description else " undescribed"
        if n.readable:
            title_html = f'<a class="title" href="{card_url.replace(CODE_SLOT, code)}">{title}</a>'
        else:
            title_html = f'<span class="title">{title}</span>'
        people = (
            "、".join(
                escape(name)
                if primary
                else f'{escape(name)}<span class="concurrent" title="{concurrent_title}">{concurrent}</span>'
                for name, primary in n.holders
            )
            or vacant
        )
        if n.open_headcount > 0:
            people += " · " + escape(
                ngettext("%(open)s open", "%(open)s open", n.open_headcount) % {"open": n.open_headcount}
            )
        elif n.open_headcount < 0:
            people += " · " + over
        badges = ""
        if n.problems:
            label = incomplete if n.has_description else undescribed
            kind = "incomplete" if n.has_description else "none"
            badges += f'<span class="badge {kind}" title="{escape(" ".join(n.problems))}">{label}</span>'
        if n.is_draft:
            badges += f'<span class="badge draft">{draft}</span>'
        if n.superior_hidden:
            badges += f'<span class="badge hidden-superior" title="{superior_hidden_title}">{superior_hidden}</span>'
        dotted = ""
        if n.dotted:
            names = "、".join(
                f'<a href="{card_url.replace(CODE_SLOT, escape(code))}">{escape(title)}</a>'
                if readable
                else escape(title)
                for code, title, readable in n.dotted
            )
            dotted = f'<span class="dotted">{dotted_label % {"names": names}}</span>'
            classes += " has-dotted"
        below = ""
        if n.has_children:
            count = escape(ngettext("%(below)s below", "%(below)s below", n.descendants) % {"below": n.descendants})
            below = f'<a class="subtree" href="{chart_url.replace(CODE_SLOT, code)}" title="{from_here}">{count}</a>'
        move = version = ""
        if movable:
            move = f'<a class="move" href="{move_url.replace(CODE_SLOT, code)}">{move_label}</a>'
            version = f' data-version="{n.version}"'
        box = (
            f'<div class="{classes}" data-code="{code}"{version}><span class="code">{code}</span> {title_html} '
            f'<span class="dept">{escape(n.department)}</span> <span class="people">{people}</span>'
            f"{dotted}{badges}{below}{move}</div>"
        )
        if n.has_children:
            toggle = escape(ngettext("%(count)s report", "%(count)s reports", n.children) % {"count": n.children})
            parts.append(
                f'<li id="p-{code}">{box}<details{" open" if n.open else ""}>'
                f'<summary><span class="toggle">{toggle}</span></summary><ul>\n'
            )
        else:
            parts.append(f'<li id="p-{code}">{box}</li>{close_list * n.closes}\n')
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


def build_chart_as_of(user, at, root_code=None, query=""):
    """Nodes of the chart as it was at `at` (positions/history.py), whole or under `root_code`.

    Two queries: the newest version of each position up to `at` with its facts, holders and dotted
    lines as they were, and the JD template. Tree order and levels are worked out here from the
    superiors, as the tree numbers of that time are not kept. What `user` may not read at that time
    is left out, as today (positions/visibility.py). None when `root_code` did not exist then, or
    may not be read.
    """
    from positions import history

    fields = ("id", "parent_id", "code", "title", "headcount", "status")
    extra = ("document__department_name", "document__holders", "document__dotted_reports_to")
    rows = {}
    for row in history.latest_as_of(at).order_by().values_list(*fields, *extra, *FACT_NAMES):
        rows[row[0]] = row
    readable = {pk: can_read_status(user, row[5]) for pk, row in rows.items()}
    superiors = readable_superiors({pk: row[1] for pk, row in rows.items()}, readable)
    children = defaultdict(list)
    for pk, row in rows.items():
        if readable[pk]:
            children[superiors[pk][0]].append((row[2], pk))
    if root_code is None:
        roots = sorted(children[None])
    else:
        roots = [(code, pk) for pk, row in rows.items() if (code := row[2]) == root_code and readable[pk]]
        if not roots:
            return None
    titles = {row[2]: (row[3], row[5]) for row in rows.values()}
    judge = Judgement(JDTemplate.current().required)
    drafts_visible = can_see_drafts(user)
    facts_from = len(fields) + len(extra)
    order = []  # (pk, level) in tree order
    stack = [(code, pk, 0) for code, pk in reversed(roots)]
    while stack:
        _code, pk, level = stack.pop()
        order.append((pk, level))
        stack.extend((code, child, level + 1) for code, child in sorted(children[pk], reverse=True))
    sizes = {}
    for pk, _level in reversed(order):
        sizes[pk] = sum(1 + sizes[child] for _code, child in children[pk])
    nodes = []
    for pk, level in order:
        _pk, _parent, code, title, headcount, status, department, holders, dotted_codes = rows[pk][:facts_from]
        holders = [(h.get("name", ""), h.get("kind") == Assignment.Kind.PRIMARY) for h in holders or []]
        holders.sort(key=lambda holder: (not holder[1], holder[0]))
        dotted = []
        for target in dotted_codes or []:
            target_title, target_status = titles.get(target, ("", None))
            if target_status is not None and can_read_status(user, target_status):
                dotted.append((target, target_title, True))
        nodes.append(
            Node(
                code=code,
                title=title,
                department=department or "",
                headcount=headcount,
                status=status,
                has_description=rows[pk][facts_from + HAS_DESCRIPTION],
                level=level,
                descendants=sizes[pk],
                holders=holders,
                filled=sum(1 for _name, primary in holders if primary),
                problems=judge.values(rows[pk][facts_from:]),
                readable=drafts_visible or status == Position.Status.PUBLISHED,
                dotted=dotted,
                superior_hidden=superiors[pk][1],
            )
        )
    _mark_structure(nodes, query)
    return nodes


def chart_nodes(user, code=None, depth=None, as_of=None):
    """The nodes a printed chart shows (the PDF from a page, a job or export_chart): under `code` (or
    all), `depth` levels (or all), as of an instant (or today). None when `code` names no post then
    that `user` may read."""
    if as_of is not None:
        nodes = build_chart_as_of(user, as_of, root_code=code)
        if nodes is None:
            return None
        return [node for node in nodes if depth is None or node.level < depth]
    root = None
    if code:
        root = Position.objects.filter(code=code).filter(readable_filter(user)).first()
        if root is None:
            return None
    return build_chart(user, root=root, depth=depth)
