"""Builds the org chart as a flat list in tree order, ready for one template loop.

Each node carries how many nested lists close after it, so the template never
recurses (recursive includes are far too slow for 10,000 positions).
"""

from collections import defaultdict
from dataclasses import dataclass

from positions.access import can_see_drafts
from positions.completeness import judge
from positions.models import Holder, Position

# Charts larger than this open only their top levels; smaller ones open fully.
OPEN_ALL_LIMIT = 150
OPEN_DEPTH = 2


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
    closes: range = range(0)

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
    rows = list(positions.values(*FIELDS, *positions.query.annotations))
    nodes = []
    for row in rows:
        node = Node(
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
        nodes.append(node)
    _mark_structure(nodes, query)
    return nodes


def _mark_structure(nodes, query):
    """Set which nodes start open, which match the search, and the closing markers."""
    if not nodes:
        return
    base = nodes[0].level
    open_all = len(nodes) <= OPEN_ALL_LIMIT
    needle = query.strip().casefold()
    path = []  # the open ancestors of the current node
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
        node.closes = range(0) if node.has_children else range(node.level - next_level)
