"""Close an assessment cycle from the command line: its assessments become read-only."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from assessments.management.commands.open_cycle import messages
from assessments.models import AssessmentCycle
from assessments.services.opening import close_cycle


class Command(BaseCommand):
    help = "Close an assessment cycle: its assessments become read-only."

    def add_arguments(self, parser):
        parser.add_argument("name", help="The cycle's name.")

    def handle(self, *args, **options):
        cycle = AssessmentCycle.objects.filter(name=options["name"]).first()
        if cycle is None:
            raise CommandError(f"No cycle is called “{options['name']}”.")
        try:
            close_cycle(cycle)
        except ValidationError as error:
            raise CommandError(messages(error)) from None
        self.stdout.write(f"Closed “{cycle.name}”.")
