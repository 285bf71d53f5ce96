"""Load the seed organisation (运维部) from fixtures/seed_yunwei.json; safe to run again."""

import json
import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from positions import history
from positions.services.loading import OrganisationError, load_organisation

SEED_FILE = settings.BASE_DIR / "fixtures" / "seed_yunwei.json"


class Command(BaseCommand):
    help = "Load the seed organisation (运维部); running it again changes nothing."

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(SEED_FILE), help="organisation document (JSON)")

    def handle(self, *args, **options):
        try:
            with open(options["file"], encoding="utf-8") as handle:
                document = json.load(handle)
        except (OSError, ValueError) as exc:
            raise CommandError(f"Cannot read {options['file']}: {exc}") from None
        try:
            with history.acting(comment=f"load_seed {os.path.basename(options['file'])}"):
                report = load_organisation(document)
        except OrganisationError as exc:
            raise CommandError("\n".join(exc.messages)) from None
        if options["verbosity"]:
            self.stdout.write(
                f"created {len(report.created)}, updated {len(report.updated)}, unchanged {len(report.unchanged)}"
            )
