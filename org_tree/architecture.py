"""The job architecture matrix: job families down, grades across, each cell the positions in it.

HR reads it to see whether grading is consistent (similar posts on similar grades). Three
queries: families, grades (with the categories they apply to), and the positions' family,
grade, code and title.
"""

from collections import defaultdict
from dataclasses import dataclass, field

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


def matrix(positions):
    """(grades, rows) for `positions` (a queryset, already filtered by what the user may see)."""
    grades = list(Grade.objects.prefetch_related("categories"))
    applies = {g.pk: {c.pk for c in g.categories.all()} for g in grades}
    families = list(JobFamily.objects.select_related("category"))
    placed = defaultdict(list)
    for family_id, grade_id, code, title in positions.order_by("tree_id", "lft").values_list(
        "job_family_id", "grade_id", "code", "title"
    ):
        placed[(family_id, grade_id)].append((code, title))
    columns = [*grades, None]  # the last column: no grade
    rows = []
    for family in [*families, None]:  # the last row: no job family
        cells = []
        for grade in columns:
            cell = Cell(grade, positions=placed.get((family and family.pk, grade and grade.pk), []))
            if family is not None and grade is not None:
                cell.applies = not applies[grade.pk] or family.category_id in applies[grade.pk]
            cells.append(cell)
        row = MatrixRow(family, cells, sum(cell.count for cell in cells))
        if family is not None or row.total:
            rows.append(row)
    return columns, rows
