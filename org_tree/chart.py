"""Builds and renders the org chart as a flat list in tree order.

Each node knows how many nested lists close after it, so nothing recurses. Node
markup is written here rather than in a template: a Django template spends ~1.8 s
on the tags of 10,000 boxes, this code ~0.1 s (bench/README.md). Every piece of
content goes through html.escape.
"""

from collections import defaultdict
from dataclasses import dataclass
from html import escape

from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from positions.access import can_see_drafts
from positions.completeness import judge
from positions.models import Holder, Position

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
    holders: list
    problems: list
    readable: bool
    open: bool = False
    match: bool = False
    closes: int = 0

    @property
    def has_children(self):
        return self.descendants > 0

    @property
    def open_headcount(self):
        return self.headcount - len(self.holders)

    @property
    def is_draft(self):
        return self.status == Position.Status.DRAFT


FIELDS = ("pk", "code", "title", "department__name", "headcount", "status", "has_description", "level", "lft", "rght")


def build_chart(user, root=None, query=""):
    """Nodes of the whole chart, or of the subtree under `root`, in tree order.

    Two queries: the positions with their completeness facts, and their holders.
    """
    positions = Position.objects.with_facts().order_by("tree_id", "lft")
    holders = Holder.objects.order_by("name")
    if root is not None:
        positions = positions.filter(tree_id=root.tree_id, lft__gte=root.lft, lft__lte=root.rght)
        holders = holders.filter(
            position__tree_id=root.tree_id, position__lft__gte=root.lft, position__lft__lte=root.rght
        )
    names = defaultdict(list)
    for position_id, name in holders.values_list("position_id", "name"):
        names[position_id].append(name)

    drafts_visible = can_see_drafts(user)
    nodes = [
        Node(
            code=row["code"],
            title=row["title"],
            department=row["department__name"] or "",
            headcount=row["headcount"],
            status=row["status"],
            has_description=row["has_description"],
            level=row["level"],
            descendants=(row["rght"] - row["lft"] - 1) // 2,
            holders=names.get(row["pk"], []),
            problems=judge(row["has_description"], row),
            readable=drafts_visible or row["status"] == Position.Status.PUBLISHED,
        )
        for row in positions.values(*FIELDS, *positions.query.annotations)
    ]
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
        node.open = node.has_children and (open_all or node.level - base < OPEN_DEPTH)
        if needle and (needle in node.code.casefold() or needle in node.title.casefold()):
            node.match = True
            for ancestor in path:
                ancestor.open = True
        path.append(node)
        next_level = nodes[index + 1].level if index + 1 < len(nodes) else base
        # After a leaf, every level climbed back up closes an ancestor's list.
        node.closes = 0 if node.has_children else node.level - next_level


def render_chart(nodes):
    """The chart's <li> elements: boxes in nested <details> that fold without JavaScript."""
    card_url = reverse("positions:detail", args=[CODE_SLOT])
    chart_url = reverse("org_tree:subtree", args=[CODE_SLOT])
    vacant, over, incomplete, undescribed, draft, from_here = (
        escape(_("Vacant")),
        escape(_("over headcount")),
        escape(_("Incomplete")),
        escape(_("No description")),
        escape(_("Draft")),
        escape(_("Chart from here")),
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
        people = escape("、".join(n.holders)) if n.holders else vacant
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
        below = ""
        if n.has_children:
            count = escape(ngettext("%(below)s below", "%(below)s below", n.descendants) % {"below": n.descendants})
            below = f'<a class="subtree" href="{chart_url.replace(CODE_SLOT, code)}" title="{from_here}">{count}</a>'
        box = (
            f'<div class="{classes}"><span class="code">{code}</span> {title_html} '
            f'<span class="dept">{escape(n.department)}</span> <span class="people">{people}</span>{badges}{below}</div>'
        )
        if n.has_children:
            parts.append(f'<li id="p-{code}"><details{" open" if n.open else ""}><summary>{box}</summary><ul>\n')
        else:
            parts.append(f'<li id="p-{code}">{box}</li>{close_list * n.closes}\n')
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped
