"""CPU instructions the portal spends per request, counted by valgrind: steady where wall time is not.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench .venv/bin/python bench/instructions.py \\
        [--pages chart list card api] [--requests 3]

Wall-clock times on a shared 2-core machine vary by ±30% from run to run. The number of
instructions the Python process executes for a request does not (PostgreSQL's own work,
in its server process, is not counted). Run bench/bench.py first: it builds the synthetic
organisation this measures (the card is its deepest position with the most KPIs).

For each page it runs a fresh interpreter under `valgrind --tool=callgrind` twice, once
making the page's requests after two warm-ups and once without them, and prints the
difference per request. Needs Debian's valgrind (`apt-get install valgrind`).
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = {
    "chart": "/org/",
    "list": "/positions/",
    "card": "/positions/{card}/",
    "api": "/api/positions/",
    "staffing": "/staffing/",
    "matrix": "/architecture/",
}
CHILD = """
import os, sys
sys.path.insert(0, {root!r})
os.environ.update(DJANGO_SETTINGS_MODULE="portal.settings", SECRET_KEY="bench-only", DEBUG="false", ALLOWED_HOSTS="testserver")
import django
django.setup()
from django.contrib.auth import get_user_model
from django.test import Client
client = Client()
client.force_login(get_user_model().objects.get(username="bench"))
for _ in range(2):
    client.get({url!r})
for _ in range({count}):
    assert client.get({url!r}).status_code == 200
"""


def card_code():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only")
    import django

    django.setup()
    from django.db.models import Count

    from positions.models import Position

    card = (
        Position.objects.filter(code__startswith="SYN-")
        .annotate(kpi_count=Count("kpis"))
        .order_by("-level", "-kpi_count", "code")
        .values_list("code", flat=True)
        .first()
    )
    if card is None:
        sys.exit("No synthetic organisation in this database: run bench/bench.py first.")
    return card


def instructions(url, count):
    script = CHILD.format(root=str(ROOT), url=url, count=count)
    result = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )
    match = re.search(r"Collected : (\d+)", result.stderr)
    if result.returncode or not match:
        sys.exit(f"valgrind failed for {url}:\n{result.stderr[-2000:]}")
    return int(match.group(1))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", nargs="+", choices=list(PAGES), default=["chart", "list", "card", "api"])
    parser.add_argument("--requests", type=int, default=3, help="requests counted per page (after two warm-ups)")
    args = parser.parse_args()
    if not shutil.which("valgrind"):
        sys.exit("valgrind is not installed: apt-get install valgrind")
    if "bench" not in os.environ.get("DATABASE_URL", ""):
        sys.exit("Point DATABASE_URL at the benchmark database (its name contains 'bench'), built by bench/bench.py.")
    card = card_code()
    print(f"{'page':<9} {'M instructions per request':>28}")
    for name in args.pages:
        url = PAGES[name].format(card=card)
        per_request = (instructions(url, args.requests) - instructions(url, 0)) / args.requests
        print(f"{name:<9} {per_request / 1e6:>28.1f}")


if __name__ == "__main__":
    main()
