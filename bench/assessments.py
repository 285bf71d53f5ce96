"""Opening an assessment cycle over a whole synthetic organisation, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench_cycles .venv/bin/python bench/assessments.py \\
        [--positions 10000] [--repeat 3] [--seed 1]

Migrates the database (creating it if needed), replaces the synthetic organisation (`synth_org --positions N
--replace`, which records a version of every post, as any writer does), vacuums, then opens a yearly cycle
over the whole organisation (assessments/services/opening.py: one transaction) --repeat times, deleting the
cycle between runs, and prints the seconds (median and minimum), the queries Django sent (PostgreSQL's COPY of
the lines goes by the driver's cursor: it is counted apart, one per 5,000 lines), the assessments, the frozen
lines and the posts left out. The target is under 10 s for ~10,000 posts. Then it times the cycle's page
(progress by step and department, the posts left out) as a signed-in superuser: under 300 ms; and, with every
line scored, the results workbook (export_results) and its download from the cycle's page.

Only databases whose name contains `bench` are touched: the run deletes every cycle in it.
"""

import argparse
import datetime
import json
import math
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import ROOT, bench_user, build_organisation, ensure_database, machine, setup_django  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "assessments.json"
CYCLE = "bench yearly cycle"


def open_once():
    """Open the cycle once; (seconds, queries, the cycle)."""
    from django.db import connection

    from assessments.models import KPI
    from assessments.services.opening import open_cycle

    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        started = time.perf_counter()
        cycle = open_cycle(
            name=CYCLE,
            kpi_cycle=KPI.Cycle.YEARLY,
            starts_on=datetime.date(2026, 1, 1),
            ends_on=datetime.date(2026, 12, 31),
        )
        seconds = time.perf_counter() - started
    return seconds, len(queries), cycle


def page_times(cycle, repeat=5):
    """The cycle's page as its HR editor gets it: (median ms, queries), after one request to warm up."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(bench_user())
    url = cycle.get_absolute_url()
    assert client.get(url).status_code == 200
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return statistics.median(times), len(queries)


def export_times(cycle, repeat=3):
    """The cycle's results workbook (assessments/exports.py) with every line scored, as the command writes it and
    as the cycle's download serves it: (median seconds, queries, bytes, median seconds of the download)."""
    from django.db import connection
    from django.test import Client

    from assessments.exports import results_workbook
    from assessments.models import AssessmentLine

    AssessmentLine.objects.filter(assessment__cycle=cycle).update(self_score=90, superior_score=85)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        data = results_workbook(cycle)
        times.append(time.perf_counter() - started)
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        results_workbook(cycle)
    client = Client()
    client.force_login(bench_user())
    url = reverse_results(cycle)
    downloads = []
    for _ in range(repeat):
        started = time.perf_counter()
        assert client.get(url).status_code == 200
        downloads.append(time.perf_counter() - started)
    return statistics.median(times), len(queries), len(data), statistics.median(downloads)


def reverse_results(cycle):
    from django.urls import reverse

    return reverse("assessments:cycle-results", args=[cycle.pk])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--positions", type=int, default=10000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    os.environ.setdefault("DEBUG", "false")
    setup_django()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from assessments.models import AssessmentCycle, AssessmentLine

    config = settings.DATABASES["default"]
    if connection.vendor != "postgresql" or "bench" not in config["NAME"]:
        sys.exit("Give DATABASE_URL a PostgreSQL database whose name contains 'bench'.")
    ensure_database(config)
    call_command("migrate", verbosity=0)
    AssessmentCycle.objects.all().delete()  # synth_org --replace deletes the people they name
    _output, built = build_organisation(args.positions, args.seed)
    print(f"synth_org --positions {args.positions}: {built:.1f} s")

    runs = []
    for _ in range(args.repeat):
        AssessmentCycle.objects.filter(name=CYCLE).delete()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE assessments_assessment")
            cursor.execute("VACUUM ANALYZE assessments_assessmentline")
        seconds, queries, cycle = open_once()
        runs.append(seconds)
    assessments = cycle.n_assessments
    lines = AssessmentLine.objects.filter(assessment__cycle=cycle).count()
    page_ms, page_queries = page_times(cycle)
    export_s, export_queries, export_bytes, download_s = export_times(cycle)
    figures = {
        "machine": machine(),
        "positions": args.positions,
        "seconds_median": statistics.median(runs),
        "seconds_min": min(runs),
        "runs": runs,
        "queries": queries,
        "copies": math.ceil(lines / 5000),
        "assessments": assessments,
        "lines": lines,
        "left_out": len(cycle.left_out),
        "target_seconds": 10,
        "page_ms": page_ms,
        "page_queries": page_queries,
        "page_target_ms": 300,
        "export_seconds": export_s,
        "export_queries": export_queries,
        "export_bytes": export_bytes,
        "download_seconds": download_s,
    }
    print(
        f"Opening a yearly cycle over {args.positions} posts: {figures['seconds_median']:.2f} s median "
        f"({figures['seconds_min']:.2f} s best of {len(runs)}), {queries} queries + {figures['copies']} COPY, "
        f"{assessments} assessments, {lines} lines, {figures['left_out']} posts left out "
        f"(target: under 10 s) {'OK' if figures['seconds_median'] < 10 else 'TOO SLOW'}"
    )
    print(
        f"The cycle's page over {assessments} assessments: {page_ms:.0f} ms median, {page_queries} queries "
        f"(target: under 300 ms) {'OK' if page_ms < 300 else 'TOO SLOW'}"
    )
    print(
        f"The results workbook over {assessments} assessments ({lines} scored lines): {export_s:.2f} s median, "
        f"{export_queries} queries, {export_bytes / 1e6:.1f} MB; its download from the cycle's page {download_s:.2f} s"
    )
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
