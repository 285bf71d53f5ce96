"""`manage.py import_org FILE [--dry-run] [--delete-missing] [--keep-status]`: import a workbook, roster or CSV as an
Administrator. `--keep-status` is for moving a whole organisation to a new server: new positions keep the file's status,
so a published job description that is incomplete stays published (and flagged incomplete) instead of becoming a draft."""

import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from transfers import importing
from transfers.reading import FileRefused, read_upload


class Progress:
    """A one-line progress bar on stderr (only when it is a terminal; otherwise one line per stage)."""

    def __init__(self, stream):
        self.stream = stream
        self.tty = stream.isatty()

    def __call__(self, label, done, total=None):
        if self.tty:
            bar = ""
            if total:
                filled = int(30 * done / total)
                bar = "[" + "#" * filled + "." * (30 - filled) + "] "
            self.stream.write(f"\r{bar}{label}: {done}{f'/{total}' if total else ''}   ")
            self.stream.flush()

    def stage(self, text):
        if self.tty:
            self.stream.write("\n")
        self.stream.write(text + "\n")
        self.stream.flush()


def print_report(out, report, limit=200):
    totals = report.totals()
    out.write(
        "new {new}, changed {changed}, unchanged {unchanged}, deleted {deleted}, proposed {proposed}, "
        "errors {errors}, warnings {warnings}".format(**totals)
    )
    for problem in report.problems[:limit]:
        out.write(f"{problem.level.upper()}: {problem}")
    if len(report.problems) > limit:
        out.write(f"… {len(report.problems) - limit} more problems")
    for row in report.rows:
        if row.status in ("new", "changed", "deleted", "proposed") and limit:
            out.write(f"{row.status}: {row.sheet} {row.key} {row.label}")
            for change in row.changes[:10]:
                out.write(f"    {change['field']}: {change.get('before', '')} → {change.get('after', '')}")
            limit -= 1


class Command(BaseCommand):
    help = "Import an organisation workbook (.xlsx), a roster, or a positions CSV; all or nothing."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="check and show what would change; write nothing")
        parser.add_argument(
            "--delete-missing",
            action="store_true",
            help="delete positions that the file's positions sheet does not list",
        )
        parser.add_argument(
            "--keep-status",
            action="store_true",
            help=(
                "new positions keep the file's status: a published job description that is incomplete stays "
                "published, flagged incomplete, with a warning each (to move a whole organisation as it was)"
            ),
        )

    def handle(self, *args, file, dry_run, delete_missing, keep_status, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {file}")
        progress = Progress(sys.stderr)
        started = time.perf_counter()
        try:
            book = read_upload(path.name, path.read_bytes(), progress=lambda n: progress("rows read", n))
        except FileRefused as exc:
            raise CommandError(str(exc)) from None
        progress.stage(f"read {book.rows_read} rows in {time.perf_counter() - started:.1f} s; checking and writing")
        try:
            if dry_run:
                report = importing.preview(book, None, delete_missing=delete_missing, keep_status=keep_status)
            else:
                report = importing.apply(book, None, delete_missing=delete_missing, keep_status=keep_status)
        except importing.ImportRefused as exc:
            print_report(self.stderr, exc.report)
            raise CommandError(str(exc)) from None
        print_report(self.stdout, report)
        seconds = time.perf_counter() - started
        if dry_run:
            self.stdout.write(f"Dry run in {seconds:.1f} s: nothing was written.")
            if report.errors:
                raise CommandError(f"{len(report.errors)} problems: the file would not import.")
        else:
            self.stdout.write(f"Imported in {seconds:.1f} s.")
