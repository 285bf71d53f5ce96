"""Server-side timings of the main pages at several organisation sizes, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench .venv/bin/python bench/bench.py \\
        [--sizes 1000 10000] [--repeat 5]

For each size: migrate the (dedicated) database, build a synthetic organisation of
that many positions with `synth_org --replace`, then time the org chart, the list,
a card and the API list in-process with Django's test client as a superuser. Each
page gets one warm-up request, then --repeat timed requests (median and minimum),
then one more request to count its SQL queries. The figures are printed and
written to bench/results/latest.json.
"""

import argparse
import io
import json
import os
import platform
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "latest.json"
POSTGRES_SCHEMES = {"postgres", "postgresql", "pgsql"}
BENCH_USER = "bench"

# Each page: a name and its URL; {card} is filled in with a deep position that has many KPIs.
PAGES = (
    ("chart", "/org/"),
    ("chart_as_of", "/org/?as_of={as_of}"),
    ("list", "/positions/"),
    ("card", "/positions/{card}/"),
    ("api", "/api/positions/"),
    ("api_as_of", "/api/positions/?as_of={as_of}"),
    ("staffing", "/staffing/"),
    ("matrix", "/architecture/"),
    # The diagram, three levels under the top post ({top}); it must cost at most half the whole outline.
    ("diagram", "/org/{top}/diagram/?depth=3"),
)
# The same pages as a Viewer, who may not see drafts (synth_org leaves some): drafts are left out and
# their reports hung under the nearest published superior (positions/visibility.py).
READER_PAGES = (
    ("chart_reader", "/org/"),
    ("list_reader", "/positions/"),
    ("card_reader", "/positions/{card}/"),
    ("api_reader", "/api/positions/"),
    ("staffing_reader", "/staffing/"),
    ("diagram_reader", "/org/{top}/diagram/?depth=3"),
)
# What the portal promises at the largest size (milliseconds) and how costs may grow with size.
CHART_LIMIT_MS = 1000
CARD_LIMIT_MS = 20
# The staffing table and the job architecture matrix read every position, but must stay quick.
SUMMARY_LIMIT_MS = 300
# The chart shows every position, so it may grow with the size; the other pages show one page or one position.
MAX_GROWTH = {
    "chart": None,
    "chart_as_of": None,
    "list": 1.5,
    "card": 1.5,
    "api": 1.5,
    # The API list as of a date orders every position's version before it cuts a page.
    "api_as_of": None,
    "staffing": None,
    "matrix": None,
    "diagram": 1.5,
}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000], help="organisation sizes (positions)")
    parser.add_argument("--repeat", type=int, default=5, help="timed requests per page, after one warm-up")
    parser.add_argument("--seed", type=int, default=1, help="seed for synth_org")
    args = parser.parse_args()
    if args.repeat < 1 or any(size < 16 for size in args.sizes):
        parser.error("--repeat must be at least 1 and every size at least 16")
    return args


def database_settings():
    """The PostgreSQL database DATABASE_URL names; exits with a message for anything else."""
    url = os.environ.get("DATABASE_URL", "")
    if urlsplit(url).scheme not in POSTGRES_SCHEMES:
        sys.exit(
            "bench.py measures PostgreSQL only. Set DATABASE_URL, e.g.\n"
            "  DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench .venv/bin/python bench/bench.py"
        )
    import dj_database_url

    config = dj_database_url.parse(url)
    # The run creates a superuser and replaces thousands of rows: never point it at a real database.
    if "bench" not in config["NAME"]:
        sys.exit(f"Refusing database {config['NAME']!r}: use a dedicated database whose name contains 'bench'.")
    return config


def ensure_database(config):
    """Create the database through the `postgres` maintenance database if it does not exist yet."""
    import psycopg2
    from psycopg2 import sql

    connection = psycopg2.connect(
        dbname="postgres",
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
    )
    try:
        connection.autocommit = True  # CREATE DATABASE cannot run inside a transaction
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]])
            if cursor.fetchone() is None:
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))
                print(f"Created database {config['NAME']}.")
    finally:
        connection.close()


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def machine():
    from django import get_version
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "nproc": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "cpu": cpu,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "django": get_version(),
        "postgres": postgres,
    }


def bench_user():
    from django.contrib.auth import get_user_model

    User = get_user_model()
    user = User.objects.filter(username=BENCH_USER).first()
    if user is None:
        # No password: the benchmark logs in with force_login, nobody can log in as this user.
        user = User.objects.create_superuser(BENCH_USER, email="", password=None)
    return user


def build_organisation(size, seed):
    """synth_org at `size` positions; returns its output and the wall time."""
    from django.core.management import call_command
    from django.db import connection

    output = io.StringIO()
    started = time.perf_counter()
    call_command("synth_org", positions=size, seed=seed, replace=True, stdout=output)
    seconds = time.perf_counter() - started
    # Reclaim the rows --replace deleted and gather fresh planner statistics, as autovacuum would soon
    # after a real bulk load; without it, repeated runs measure index bloat (220k dead position rows).
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        # Write the load's dirty pages out now and let autovacuum finish: both otherwise run in the
        # background during the first timings of the larger size and made them 50-90% slower.
        cursor.execute("CHECKPOINT")
        for _ in range(60):
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'")
            if not cursor.fetchone()[0]:
                break
            time.sleep(1)
    return output.getvalue().strip(), seconds


def record_history():
    """A version of every position (as load_seed or an import writes them), then a second one of
    every tenth, so the as-of chart has older versions to pass over. Returns the as-of instant and
    the seconds the first recording took."""
    from django.db import connection
    from django.utils import timezone

    from positions import history
    from positions.models import Position

    Position.history.all().delete()  # synth_org --replace deletes positions in bulk, leaving no versions
    ids = list(Position.objects.order_by("pk").values_list("pk", flat=True))
    started = time.perf_counter()
    with history.acting(comment="bench"):
        history.record(ids)
    seconds = time.perf_counter() - started
    with history.acting(comment="bench, again"):
        history.record(ids[::10])
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE positions_historicalposition")
    return timezone.localtime().isoformat(timespec="milliseconds"), seconds


def bench_reader():
    """A Viewer (no password: logged in with force_login)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from portal.roles import VIEWER, ensure_roles

    ensure_roles()
    user, _created = get_user_model().objects.get_or_create(username=BENCH_USER + "-viewer")
    user.groups.set([Group.objects.get(name=VIEWER)])
    return user


def card_position():
    """The deepest published synthetic position with the most KPIs: the heaviest card (readers see it too)."""
    from django.db.models import Count

    from positions.models import Position

    return (
        Position.objects.filter(code__startswith="SYN-", status=Position.Status.PUBLISHED)
        .annotate(kpi_count=Count("kpis"))
        .order_by("-level", "-kpi_count", "code")
        .values("code", "level", "kpi_count")
        .first()
    )


def measure(client, url, repeat):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def get():
        response = client.get(url)
        if response.status_code != 200:
            sys.exit(f"GET {url} answered {response.status_code}")
        return response

    get()  # warm-up: templates compiled, connection open, caches filled
    times, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        get()
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    # Counted on a separate request: capturing queries adds a little overhead of its own.
    with CaptureQueriesContext(connection) as queries:
        response = get()
    return {
        "median_ms": round(statistics.median(times), 2),
        "min_ms": round(min(times), 2),
        # Python's own CPU time (no waiting on PostgreSQL): steadier than wall time on a shared machine.
        "cpu_ms": round(statistics.median(cpu), 2),
        "queries": len(queries),
        "bytes": len(response.content),
    }


def run(args):
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from positions.models import Position

    if connection.vendor != "postgresql":
        sys.exit(f"bench.py measures PostgreSQL only, not {connection.vendor}.")
    call_command("migrate", interactive=False, verbosity=0)
    client = Client()
    client.force_login(bench_user())
    reader = Client()
    reader.force_login(bench_reader())
    report = {
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "repeat": args.repeat,
        "sizes": {},
    }
    for size in args.sizes:
        output, seconds = build_organisation(size, args.seed)
        as_of, history_seconds = record_history()
        card = card_position()
        print(f"\n[{size}] {output}")
        print(f"[{size}] recording a version of every position took {history_seconds:.1f} s")
        print(
            f"[{size}] synth_org took {seconds:.1f} s; card: {card['code']} (level {card['level']}, {card['kpi_count']} KPIs)"
        )
        pages = {}
        for pages_of, who in ((PAGES, client), (READER_PAGES, reader)):
            for name, url in pages_of:
                page_url = url.format(card=card["code"], as_of=quote(as_of), top=top_code())
                pages[name] = {"url": page_url, **measure(who, page_url, args.repeat)}
        report["sizes"][str(size)] = {
            "positions_in_database": Position.objects.count(),
            "synth_seconds": round(seconds, 2),
            "history_seconds": round(history_seconds, 2),
            "card": card,
            "pages": pages,
        }
    report["ratios"] = ratios(report, args.sizes)
    report["targets"] = targets(report, args.sizes)
    return report


def top_code():
    from positions.models import Position

    return Position.objects.filter(level=0).order_by("tree_id").values_list("code", flat=True).first()


def ratios(report, sizes):
    """Median at the largest size over median at the smallest, per page."""
    if len(sizes) < 2:
        return {}
    small, large = report["sizes"][str(sizes[0])]["pages"], report["sizes"][str(sizes[-1])]["pages"]
    return {name: round(large[name]["median_ms"] / small[name]["median_ms"], 2) for name, _ in PAGES}


def targets(report, sizes):
    """Each target with the measured figure and whether it is met."""
    largest = report["sizes"][str(sizes[-1])]["pages"]
    checks = [
        (f"chart at {sizes[-1]} positions < {CHART_LIMIT_MS} ms", largest["chart"]["median_ms"], CHART_LIMIT_MS),
        (
            f"as-of chart at {sizes[-1]} positions < {CHART_LIMIT_MS} ms",
            largest["chart_as_of"]["median_ms"],
            CHART_LIMIT_MS,
        ),
        *(
            (f"{name} at {sizes[-1]} positions < {SUMMARY_LIMIT_MS} ms", largest[name]["median_ms"], SUMMARY_LIMIT_MS)
            for name in ("staffing", "matrix")
        ),
    ]
    checks.append(
        (
            f"diagram (depth 3) at {sizes[-1]} positions <= half the whole chart",
            largest["diagram"]["median_ms"],
            largest["chart"]["median_ms"] / 2,
        )
    )
    for size in sizes:
        card = report["sizes"][str(size)]["pages"]["card"]["median_ms"]
        checks.append((f"card at {size} positions < {CARD_LIMIT_MS} ms", card, CARD_LIMIT_MS))
    if report["ratios"]:
        size_ratio = sizes[-1] / sizes[0]
        for name, ratio in report["ratios"].items():
            limit = MAX_GROWTH[name] or size_ratio
            checks.append((f"{name} growth {sizes[-1]}/{sizes[0]} <= {limit:g}", ratio, limit))
    return [
        {"target": label, "measured": value, "limit": limit, "met": value <= limit} for label, value, limit in checks
    ]


def print_report(report, sizes):
    m = report["machine"]
    print(f"\nMachine: {m['nproc']} CPUs ({m['cpu'] or 'unknown CPU'}), {m['platform']}")
    print(
        f"Python {m['python']}, Django {m['django']}, PostgreSQL {m['postgres']}; {report['repeat']} timed runs per page"
    )
    header = f"{'size':>7}  {'page':<8} {'median ms':>10} {'min ms':>9} {'cpu ms':>8} {'queries':>8} {'bytes':>10}"
    print("\n" + header + "\n" + "-" * len(header))
    for size in sizes:
        for name, row in report["sizes"][str(size)]["pages"].items():
            print(
                f"{size:>7}  {name:<8} {row['median_ms']:>10.1f} {row['min_ms']:>9.1f} {row['cpu_ms']:>8.1f} "
                f"{row['queries']:>8} {row['bytes']:>10}"
            )
    if report["ratios"]:
        print(f"\nGrowth {sizes[-1]}/{sizes[0]} (median over median):")
        for name, ratio in report["ratios"].items():
            print(f"  {name:<8} {ratio:>6.2f}")
    print("\nTargets:")
    for check in report["targets"]:
        print(f"  {'met ' if check['met'] else 'MISS'}  {check['target']}: {check['measured']:g}")


def main():
    args = parse_args()
    ensure_database(database_settings())
    setup_django()
    report = run(args)
    print_report(report, args.sizes)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"\nWritten to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
