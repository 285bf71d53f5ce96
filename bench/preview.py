"""An import's preview at about 100,000 rows: how long the job takes, and the peak memory of its process.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench_preview .venv/bin/python bench/preview.py \\
        [--positions 4500] [--roster 20000] [--posts 100000] [--skip roster posts]

Each preview runs as the worker runs it: `transfers.jobs.run` on a stored import Job (read the file,
check every row, preview it in a rolled-back transaction, store the report), in a process of its own
that reports its wall time, its own CPU time and its peak memory (VmHWM: Python, Django, the file
and the report; the database server's own time shows in the wall time only). The scenarios:

- `unchanged, administrator`: a synth_org organisation of --positions posts, exported with every sheet
  (about 23 rows a post: 4,500 posts make about 100,000 rows), previewed against itself as the command
  line and an Administrator import (everything unchanged);
- `unchanged, HR editor`: the same, by an HR editor who is not an approver (changes to published job
  descriptions would be proposals);
- `all new`: the same file into an empty database;
- `roster`: a synth_roster of --roster people (one row each) into an empty database;
- `positions CSV`: --posts positions in one CSV (code, title, superior, headcount, status) into an empty
  database: 100,000 posts in one file.

Only databases whose name contains `bench` are touched: the run replaces the synthetic organisation in
DATABASE_URL and drops and re-creates `<name>_target` for the empty ones.
"""

import argparse
import hashlib
import json
import os
import platform
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

from imports import ROOT, _database, _manage, _recreate, setup_django

RESULTS = ROOT / "bench" / "results" / "preview.json"
SCENARIOS = ("unchanged, administrator", "unchanged, HR editor", "all new", "roster", "positions CSV")


def peak_mb():
    """This process's peak resident memory (VmHWM; ru_maxrss may start at its parent's peak)."""
    with open("/proc/self/status") as status:
        return int(re.search(r"VmHWM:\s*(\d+)", status.read()).group(1)) / 1024


def phase_job(path, username):
    """Run one import preview as the worker does; its figures."""
    setup_django()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from portal.roles import HR_EDITOR, ensure_roles
    from transfers import jobs
    from transfers.models import Job

    user = None  # the command line: counts as an Administrator
    if username != "-":
        ensure_roles()
        user, _created = get_user_model().objects.get_or_create(username=username)
        user.groups.set([Group.objects.get(name=HR_EDITOR)])
    data = Path(path).read_bytes()
    job = Job.objects.create(
        kind=Job.Kind.IMPORT,
        user=user,
        language="zh-hans",
        file_name=Path(path).name,
        data=data,
        file_sha256=hashlib.sha256(data).hexdigest(),
    )
    del data
    before = peak_mb()
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    jobs.run(job.pk)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    job.refresh_from_db()
    report = job.report or {}
    return {
        "status": job.status,
        "message": job.message,
        "rows": job.rows_read,
        "totals": report.get("totals", {}),
        "seconds": seconds,
        "cpu_seconds": (after.ru_utime + after.ru_stime) - (cpu.ru_utime + cpu.ru_stime),
        "peak_mb": peak_mb(),
        "before_mb": before,
        "report_mb": len(json.dumps(report, ensure_ascii=False).encode()) / 1024 / 1024,
    }


def _job(url, path, username="-"):
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench-only", "DJANGO_SETTINGS_MODULE": "portal.settings"}
    env.pop("DEBUG", None)  # as in production: DEBUG keeps every query's SQL
    out = subprocess.run(
        [sys.executable, __file__, "--phase", "job", str(path), username],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def positions_csv(path, count, seed=3):
    """`count` positions under one top post, each under one of the 2,000 before it: a tree 10-20 levels deep."""
    rng = random.Random(seed)
    lines = ["岗位编码,岗位名称,直接上级编码,编制,状态"]
    for number in range(count):
        superior = f"T-{rng.randrange(max(0, number - 2000), number):06d}" if number else ""
        lines.append(f"T-{number:06d},岗位{number},{superior},1,草稿")
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--positions", type=int, default=4500, help="posts of the organisation (~23 rows each)")
    parser.add_argument("--roster", type=int, default=20000, help="people in the roster")
    parser.add_argument("--posts", type=int, default=100000, help="positions in the one-sheet CSV")
    parser.add_argument("--skip", nargs="*", default=[], choices=["roster", "posts", "empty", "editor"])
    parser.add_argument("--phase", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        name, *rest = args.phase
        print(json.dumps({"job": phase_job}[name](*rest)))
        return
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres") or "bench" not in urlsplit(url).path:
        sys.exit("Set DATABASE_URL to a PostgreSQL database whose name contains 'bench'.")
    target = _database(url, urlsplit(url).path.lstrip("/") + "_target")
    work = Path(tempfile.mkdtemp(prefix="bench-preview-"))
    results = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "load": os.getloadavg()},
        "scenarios": {},
    }

    def record(name, figures):
        results["scenarios"][name] = figures
        print(f"{name}: {json.dumps(figures, ensure_ascii=False)}", flush=True)

    print(f"— an organisation of {args.positions} posts", flush=True)
    _recreate(url)
    _manage(url, "synth_org", "--positions", str(args.positions), "--replace")
    organisation = work / f"organisation-{args.positions}.xlsx"
    _manage(url, "export_org", str(organisation))
    record(SCENARIOS[0], _job(url, organisation))
    if "editor" not in args.skip:
        record(SCENARIOS[1], _job(url, organisation, "bench-hr-editor"))
    if "empty" not in args.skip:
        _recreate(target)
        record(SCENARIOS[2], _job(target, organisation))
    if "roster" not in args.skip and args.roster:
        setup_django()
        from transfers.management.commands.synth_roster import roster_rows, roster_xlsx

        roster = work / f"roster-{args.roster}.xlsx"
        roster.write_bytes(roster_xlsx(roster_rows(args.roster)))
        _recreate(target)
        record(SCENARIOS[3], _job(target, roster))
    if "posts" not in args.skip and args.posts:
        posts = positions_csv(work / f"positions-{args.posts}.csv", args.posts)
        _recreate(target)
        record(SCENARIOS[4], _job(target, posts))

    print()
    print(f"{'scenario':<26} {'rows':>7} {'status':>10} {'wall s':>7} {'CPU s':>6} {'peak MB':>8} {'before MB':>9}")
    for name, f in results["scenarios"].items():
        print(
            f"{name:<26} {f['rows']:>7} {f['status']:>10} {f['seconds']:>7.1f} {f['cpu_seconds']:>6.1f} "
            f"{f['peak_mb']:>8.0f} {f['before_mb']:>9.0f}"
        )
    print(f"load average at the start: {results['machine']['load'][0]:.1f} on {results['machine']['cpus']} CPUs")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
