"""Open an assessment cycle from the command line (which counts as an Administrator).

    manage.py open_cycle "2026 年第四季度" --type quarterly --start 2026-10-01 --end 2026-12-31 \\
        [--department CODE] [--self-weight N] [--cap N] [--concurrent-share N]

Refused (a bad option, an overlapping cycle, nothing to assess): the message, and a non-zero exit.
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from assessments.models import KPI
from assessments.services.opening import open_cycle, reason_text


def _date(text):
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"“{text}” is not a date (YYYY-MM-DD).") from None


def _number(text, option):
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise CommandError(f"{option}: “{text}” is not a number.") from None
    if not value.is_finite():
        raise CommandError(f"{option}: “{text}” is not a number.")
    return value


# The option that gives each field of a cycle.
OPTIONS = {
    "name": "NAME",
    "kpi_cycle": "--type",
    "starts_on": "--start",
    "ends_on": "--end",
    "department": "--department",
    "self_weight": "--self-weight",
    "cap": "--cap",
    "concurrent_share": "--concurrent-share",
}


def messages(error):
    """A ValidationError's messages, one a line, each after the option it is about."""
    if not hasattr(error, "error_dict"):
        return "\n".join(error.messages)
    lines = []
    for field, errors in error.message_dict.items():
        label = f"{OPTIONS[field]}: " if field in OPTIONS else ""
        lines += [f"{label}{message}" for message in errors]
    return "\n".join(lines)


class Command(BaseCommand):
    help = "Open an assessment cycle: one assessment per holder of every post in scope, its KPIs frozen."

    def add_arguments(self, parser):
        parser.add_argument("name", help="The cycle's name, e.g. “2026 年第四季度”.")
        parser.add_argument("--type", required=True, choices=KPI.Cycle.values, help="The KPI cycle type assessed.")
        parser.add_argument("--start", required=True, help="First day (YYYY-MM-DD).")
        parser.add_argument("--end", required=True, help="Last day (YYYY-MM-DD).")
        parser.add_argument("--department", help="The code of the department whose subtree is assessed (default: all).")
        parser.add_argument(
            "--self-weight", default="0", help="Self-assessment weight (%%); the superior's is 100 − N."
        )
        parser.add_argument("--cap", default="100", help="Score cap, 100 to 150 (default 100).")
        parser.add_argument(
            "--concurrent-share", help="Assess concurrent posts (兼岗), carrying this share (%%) of the result."
        )

    def handle(self, *args, **options):
        from org_tree.models import Department

        department = None
        if options["department"]:
            department = Department.objects.filter(code=options["department"]).first()
            if department is None:
                raise CommandError(f"No department has the code “{options['department']}”.")
        weight = _number(options["self_weight"], "--self-weight")
        if weight != weight.to_integral_value():
            raise CommandError("--self-weight: the weights are whole percentages.")
        share = options["concurrent_share"]
        try:
            cycle = open_cycle(
                name=options["name"],
                kpi_cycle=options["type"],
                starts_on=_date(options["start"]),
                ends_on=_date(options["end"]),
                department=department,
                self_weight=int(weight),
                cap=_number(options["cap"], "--cap"),
                concurrent_share=None if share is None else _number(share, "--concurrent-share"),
            )
        except ValidationError as error:
            raise CommandError(messages(error)) from None
        self.stdout.write(
            f"Opened “{cycle.name}”: {cycle.n_assessments} assessments, {len(cycle.left_out)} posts left out."
        )
        for entry in cycle.left_out:
            self.stdout.write(f"  {entry['code']} {entry['title']}: {reason_text(entry)}")
