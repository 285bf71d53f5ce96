"""`manage.py export_org FILE.xlsx` (or FILE.csv: the positions sheet alone): the whole organisation."""

import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from transfers import writing


class Command(BaseCommand):
    help = "Export the whole organisation as a workbook in the import format (.xlsx), or its positions as .csv."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        path = Path(file)
        if path.suffix.lower() not in (".xlsx", ".csv"):
            raise CommandError("The file name ends in .xlsx or .csv.")
        started = time.perf_counter()

        def progress(done, total):
            if sys.stderr.isatty():
                sys.stderr.write(f"\rpositions: {done}/{total}   ")

        data = (
            writing.export_csv(progress=progress)
            if path.suffix.lower() == ".csv"
            else writing.export_workbook(progress=progress)
        )
        path.write_bytes(data)
        self.stdout.write(f"Wrote {path} ({len(data)} bytes) in {time.perf_counter() - started:.1f} s.")
