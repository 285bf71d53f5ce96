"""Write an assessment cycle's results workbook from the command line (which counts as an Administrator).

    manage.py export_results "2026 年第四季度" results.xlsx

Refused (no such cycle, a file that cannot be written): the message, and a non-zero exit.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from assessments.exports import results_workbook
from assessments.models import AssessmentCycle


class Command(BaseCommand):
    help = "Write an assessment cycle's results (one row per assessment, one column per KPI line) to an .xlsx file."

    def add_arguments(self, parser):
        parser.add_argument("name", help="The cycle's name.")
        parser.add_argument("file", help="The .xlsx file to write.")

    def handle(self, *args, name, file, **options):
        cycle = AssessmentCycle.objects.defer("left_out").filter(name=name).first()
        if cycle is None:
            raise CommandError(_("No cycle is called “%(name)s”.") % {"name": name})
        path = Path(file)
        data = results_workbook(cycle)
        try:
            path.write_bytes(data)
        except OSError as error:
            raise CommandError(
                _("Cannot write “%(file)s”: %(reason)s.") % {"file": file, "reason": error.strerror or error}
            ) from None
        self.stdout.write(
            _("Wrote the results of “%(name)s” (%(count)d assessments) to %(file)s.")
            % {"name": cycle.name, "count": cycle.assessments.count(), "file": file}
        )
