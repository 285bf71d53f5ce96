"""定岗定编: the staffing table. 编制 (headcount) against 在岗 (primary holders) per department.

Figures are summed per position: a post with 3 places and 1 holder is 2 vacant even if a
sibling post is over by one, so 空缺 and 超编 show where people are missing or surplus
(编制 − 在岗 = 空缺 − 超编 still holds). Each department has its own figures and the
roll-up with its sub-departments. Two queries whatever the size (two more for a reader who may not
see drafts: which departments hold only drafts): positions with their
holder counts, and the departments.
"""

from dataclasses import dataclass, field

from django.db.models import Count, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from org_tree.models import Department
from positions.models import Assignment, Position
from positions.visibility import hidden_departments

FIGURES = ("headcount", "filled", "vacant", "over")


@dataclass
class Figures:
    headcount: int = 0
    filled: int = 0
    vacant: int = 0
    over: int = 0

    def add_position(self, headcount, filled):
        self.headcount += headcount
        self.filled += filled
        self.vacant += max(headcount - filled, 0)
        self.over += max(filled - headcount, 0)

    def add(self, other):
        for name in FIGURES:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class Row:
    """One department (None: the posts without a department), its own figures and the roll-up."""

    department: Department | None
    level: int
    own: Figures = field(default_factory=Figures)
    total: Figures = field(default_factory=Figures)
    positions: int = 0

    @property
    def indent(self):
        return "\u3000" * self.level

    def as_json(self):
        d = self.department
        data = {
            "department": d.code if d else None,
            "name": d.name if d else None,
            "parent": d.parent.code if d and d.parent_id else None,
            "level": self.level,
            "positions": self.positions,
        }
        data.update({name: getattr(self.own, name) for name in FIGURES})
        data.update({f"{name}_total": getattr(self.total, name) for name in FIGURES})
        return data


def staffing_table(user, under=None, hidden=None):
    """Rows in department tree order, of the posts `user` may read (positions/visibility.py: drafts only
    for editors, and no department that holds only drafts); `under` limits them to a department and
    its sub-departments. `hidden`: visibility.hidden_departments(user), when the caller has read it."""
    filled = (
        Assignment.objects.current()
        .filter(position=OuterRef("pk"), kind=Assignment.Kind.PRIMARY)
        .order_by()
        .values("position")
        .annotate(n=Count("pk"))
        .values("n")
    )
    positions = Position.objects.visible_to(user).order_by().annotate(filled=Coalesce(Subquery(filled), Value(0)))
    departments = Department.objects.select_related("parent").order_by("tree_id", "lft")
    hidden = hidden_departments(user) if hidden is None else hidden
    if hidden:
        departments = departments.exclude(pk__in=hidden)
    if under is not None:
        departments = departments.filter(tree_id=under.tree_id, lft__gte=under.lft, rght__lte=under.rght)
        positions = positions.filter(
            department__tree_id=under.tree_id, department__lft__gte=under.lft, department__rght__lte=under.rght
        )
    rows = {d.pk: Row(d, d.level - (under.level if under else 0)) for d in departments}
    orphans = Row(None, 0)
    for department_id, headcount, number in positions.values_list("department_id", "headcount", "filled"):
        row = rows.get(department_id, orphans)
        row.own.add_position(headcount, number)
        row.positions += 1
    # Roll-ups: children come after their parents in tree order, so walk it backwards.
    ordered = list(rows.values())
    for row in ordered:
        row.total.add(row.own)
    for row in reversed(ordered):
        parent = row.department.parent_id
        if parent in rows:
            rows[parent].total.add(row.total)
    if under is None and orphans.positions:
        orphans.total.add(orphans.own)
        ordered.append(orphans)
    return ordered


def totals(rows):
    """The whole table's figures: the roll-ups of its top rows."""
    result = Figures()
    top = min((row.level for row in rows), default=0)
    for row in rows:
        if row.level == top:
            result.add(row.total)
    return result
