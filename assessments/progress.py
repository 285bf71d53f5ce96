"""What a cycle's page shows of it: how many assessments are at each step, overall and by department, in one
query whatever the number of assessments."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count

from assessments.models import Assessment
from assessments.services.opening import REASONS, reason_text


@dataclass
class Progress:
    steps: list  # [(step, label, count)] in workflow order
    departments: list  # [(department name, [count per step], total)] by name
    total: int
    left_out: list = field(default_factory=list)  # [(entry, reason text)]
    left_out_by_reason: list = field(default_factory=list)  # [(label, count)]


def progress(cycle):
    counts = defaultdict(lambda: defaultdict(int))
    for department, step, number in (
        Assessment.objects.filter(cycle=cycle).order_by().values_list("department_name", "step").annotate(Count("id"))
    ):
        counts[department][step] += number
    order = Assessment.Step.values
    by_step = defaultdict(int)
    departments = []
    for department in sorted(counts):
        row = [counts[department][step] for step in order]
        for step, number in zip(order, row, strict=True):
            by_step[step] += number
        departments.append((department, row, sum(row)))
    reasons = defaultdict(int)
    for entry in cycle.left_out:
        reasons[entry.get("reason")] += 1
    return Progress(
        steps=[(step, label, by_step[step]) for step, label in Assessment.Step.choices],
        departments=departments,
        total=sum(by_step.values()),
        left_out=[(entry, reason_text(entry)) for entry in cycle.left_out],
        left_out_by_reason=[(label, reasons[key]) for key, label in REASONS.items() if reasons[key]],
    )
