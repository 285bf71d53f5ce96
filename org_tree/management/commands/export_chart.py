"""`manage.py export_chart FILE.pdf [--under CODE] [--paper A4|A3]`: the org chart diagram as a multi-page PDF."""

import sys
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from org_tree.chart import chart_nodes
from org_tree.paper import PAPERS, FontMissing, render_pdf


class Command(BaseCommand):
    help = "Write the org chart (all of it, or the subtree under a post) as a PDF diagram over landscape pages."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--under", metavar="CODE", help="only the post with this code and everything under it")
        parser.add_argument("--paper", default="A4", choices=sorted(PAPERS), help="paper size (landscape)")
        parser.add_argument("--depth", type=int, help="only so many levels from the top (default: all)")

    def handle(self, *args, file, under, paper, depth, **options):
        with translation.override(settings.LANGUAGE_CODE):
            self._export(Path(file), under, paper, depth)

    def _export(self, path, under, paper, depth):
        if path.suffix.lower() != ".pdf":
            raise CommandError("The file name ends in .pdf.")
        if depth is not None and not 1 <= depth <= 10:
            raise CommandError("--depth goes from 1 to 10.")
        started = time.perf_counter()
        everyone = get_user_model()(is_superuser=True, is_active=True)  # the command sees every post
        nodes = chart_nodes(everyone, under, depth)
        if nodes is None:
            raise CommandError(f"No position has the code {under}.")
        if not nodes:
            raise CommandError("There are no positions to draw.")
        tty = sys.stderr.isatty()

        def progress(done, total):
            if tty:
                filled = int(30 * done / max(total, 1))
                sys.stderr.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] page {done}/{total}   ")
                sys.stderr.flush()

        try:
            data, pages = render_pdf(nodes, paper=paper, title=nodes[0].title if under else "", progress=progress)
        except FontMissing as exc:
            raise CommandError(str(exc)) from None
        if tty:
            sys.stderr.write("\n")
        path.write_bytes(data)
        self.stdout.write(
            f"Wrote {path}: {len(nodes)} positions on {pages} {paper} pages ({len(data)} bytes) "
            f"in {time.perf_counter() - started:.1f} s."
        )
