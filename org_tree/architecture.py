"""The job architecture matrix: job families down, grades across, each cell the positions in it.

HR reads it to see whether grading is consistent (similar posts on similar grades). Grades apply to
some job categories (Grade.categories; all when none are named), so one table of every family against
every grade by rank would interleave the ladders (O1, P1, O2, P2…) and be mostly cells that cannot
hold a position. The matrix is therefore one table per ladder (职级序列): the categories whose
families the same grades apply to share a table (技术类、营销类、职能类 on P1–P10), with those grades as
columns; a grade that does not apply but that a position of those families holds anyway (its grade's
categories changed since) gets its column too, shaded, so that no position is left out. Positions
without a job family close the matrix in a table of their own.

Three queries: the grades joined to the categories they apply to, the families with their category,
and the positions' family, grade, code and title.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from org_tree.models import Grade, JobFamily

SHOWN_PER_CELL = 5


@dataclass
class Cell:
    grade: Grade | None
    applies: bool = True
    positions: list = field(default_factory=list)  # (code, title), chart order

    @property
    def count(self):
        return len(self.positions)

    @property
    def shown(self):
        return self.positions[:SHOWN_PER_CELL]

    @property
    def more(self):
        return max(self.count - SHOWN_PER_CELL, 0)


@dataclass
class MatrixRow:
    family: JobFamily | None
    cells: list
    total: int = 0


@dataclass
class Ladder:
    """One table of the matrix: the categories whose families share the grades that apply to them."""

    key: str  # the anchor of the table in the page
    categories: list  # JobCategory, in their order; empty for the positions without a job family
    columns: list  # Grade by rank, then None (no grade)
    rows: list  # MatrixRow, one per family
    total: int = 0

    @property
    def title(self):
        return "、".join(category.name for category in self.categories) or _("No job family")


def _row(family, columns, placed, applies):
    cells = []
    for grade in columns:
        cell = Cell(grade, positions=placed.get((family and family.pk, grade and grade.pk), []))
        if family is not None and grade is not None:
            cell.applies = grade.applies_to(family, applies[grade.pk])
        cells.append(cell)
    return MatrixRow(family, cells, sum(cell.count for cell in cells))


def matrix(positions):
    """[Ladder] for `positions` (a queryset, already filtered by what the user may see), in the order of
    the job categories; every family is a row of its category's ladder, with positions or not."""
    grades, applies = {}, defaultdict(set)  # by rank; grade id -> the categories it applies to (none: all)
    for pk, code, name, rank, category_id in Grade.objects.values_list("pk", "code", "name", "rank", "categories"):
        grades.setdefault(pk, Grade(pk=pk, code=code, name=name, rank=rank))
        if category_id is not None:
            applies[pk].add(category_id)
    grades = list(grades.values())
    families = list(JobFamily.objects.select_related("category"))  # by category, then their own order
    placed = defaultdict(list)
    for family_id, grade_id, code, title in positions.order_by("tree_id", "lft").values_list(
        "job_family_id", "grade_id", "code", "title"
    ):
        placed[(family_id, grade_id)].append((code, title))
    used = defaultdict(set)  # family id -> the grades its positions hold
    for family_id, grade_id in placed:
        if grade_id is not None:
            used[family_id].add(grade_id)

    # Categories that the same grades apply to share a ladder, in the order of their first category.
    ladders = {}
    for family in families:
        category = family.category
        grade_set = frozenset(g.pk for g in grades if not applies[g.pk] or category.pk in applies[g.pk])
        ladder = ladders.setdefault(grade_set, {"categories": [], "families": []})
        if category not in ladder["categories"]:
            ladder["categories"].append(category)
        ladder["families"].append(family)

    tables = []
    for number, (grade_set, ladder) in enumerate(ladders.items(), start=1):
        held = set().union(*(used[family.pk] for family in ladder["families"]))
        columns = [grade for grade in grades if grade.pk in grade_set or grade.pk in held]
        columns.append(None)  # the last column: no grade
        rows = [_row(family, columns, placed, applies) for family in ladder["families"]]
        tables.append(Ladder(f"ladder-{number}", ladder["categories"], columns, rows, sum(r.total for r in rows)))
    if any(family_id is None for family_id, _grade in placed):
        columns = [grade for grade in grades if grade.pk in used[None]] + [None]
        row = _row(None, columns, placed, applies)
        tables.append(Ladder("no-family", [], columns, [row], row.total))
    return tables
