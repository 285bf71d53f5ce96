"""Organisation import speed on PostgreSQL, beside django-import-export's row-by-row import.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench_import .venv/bin/python bench/imports.py \\
        [--sizes 1000 10000] [--baseline-sizes 1000 10000] [--roster 1500]

For each size: build a synthetic organisation (`synth_org`) in the database, export it
(`export_org`: every sheet, the roster of holders), then into an EMPTY database (dropped and
migrated each time) import that file as `import_org` does (read, validate, build the tree,
write, record history) and import it again (all unchanged). The baseline imports the same
positions with a plain django-import-export ModelResource, row by row into the mptt tree
(parents first, as it needs), after the same departments; the ratio compares the portal's
import of the positions sheet alone with it, and its import of the whole workbook too.
Then a roster (`synth_roster`) of --roster people is imported into an empty database.

Only databases whose name contains `bench` are touched: they are dropped and re-created.
Each measurement runs in its own process (`--phase`), timed inside it.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "imports.json"


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _database(url, name):
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _recreate(url):
    """Drop and create the database of `url`, then migrate it."""
    import psycopg2

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    assert "bench" in name, "only databases whose name contains 'bench' are used"
    connection = psycopg2.connect(_database(url, "postgres"))
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()
    _manage(url, "migrate", "--noinput", "-v0")


def _manage(url, *args):
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench-only"}
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], env=env, check=True, stdout=subprocess.DEVNULL)


def _phase(url, *args):
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench-only"}
    out = subprocess.run(
        [sys.executable, __file__, "--phase", *args], env=env, check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------------------------------------
# Phases, each in its own process


def phase_import(path, only_positions=False):
    setup_django()
    from transfers import importing
    from transfers.reading import read_upload

    data = Path(path).read_bytes()
    started = time.perf_counter()
    book = read_upload(Path(path).name, data)
    if only_positions:
        book.sheets = {
            kind: sheet for kind, sheet in book.sheets.items() if kind in ("departments", "architecture", "positions")
        }
    read = time.perf_counter() - started
    report = importing.apply(book, None)
    total = time.perf_counter() - started
    return {
        "seconds": total,
        "read": read,
        "rows": book.rows_read,
        "totals": report.totals(),
        "derived": len(report.derived),
        "new_departments": len(report.new_departments),
    }


def phase_baseline(path, order="tree"):
    """django-import-export 4: a ModelResource, row by row (the library's default), parents first:
    in the export's tree order (depth first), or level by level (a topological sort by depth)."""
    setup_django()
    import tablib
    from import_export import fields, resources, widgets
    from openpyxl import load_workbook

    from org_tree.models import Department
    from positions.models import Position
    from transfers import importing
    from transfers.format import normalise_header
    from transfers.reading import read_upload

    # The same departments first (not timed): the baseline's rows name them.
    book = read_upload(Path(path).name, Path(path).read_bytes())
    book.sheets = {"departments": book.sheets["departments"]}
    importing.apply(book, None)

    class PositionResource(resources.ModelResource):
        parent = fields.Field("parent", "直接上级编码", widget=widgets.ForeignKeyWidget(Position, "code"))
        department = fields.Field("department", "部门编码", widget=widgets.CachedForeignKeyWidget(Department, "code"))
        code = fields.Field("code", "岗位编码")
        title = fields.Field("title", "岗位名称")
        headcount = fields.Field("headcount", "编制", widget=widgets.IntegerWidget())

        class Meta:
            model = Position
            import_id_fields = ["code"]
            fields = ("code", "title", "parent", "department", "headcount")

    sheet = load_workbook(path, read_only=True)["岗位"]
    rows = list(sheet.iter_rows(values_only=True))
    wanted = ["岗位编码", "岗位名称", "直接上级编码", "部门编码", "编制"]
    names = [normalise_header(header) for header in rows[0]]  # "岗位编码*": a required column, marked
    index = [names.index(name) for name in wanted]
    dataset = tablib.Dataset(headers=wanted)
    body = rows[1:]  # the export lists positions in tree order: parents first, as the library needs
    if order == "levels":
        level, parent_of = {}, {row[index[0]]: row[index[2]] for row in body}

        def depth(code):
            if code not in level:
                level[code] = 0 if not parent_of.get(code) else depth(parent_of[code]) + 1
            return level[code]

        body = sorted(body, key=lambda row: depth(row[index[0]]))
    for row in body:
        dataset.append([row[i] if row[i] is not None else "" for i in index])
    started = time.perf_counter()
    result = PositionResource().import_data(dataset, dry_run=False, raise_errors=True)
    seconds = time.perf_counter() - started
    assert Position.objects.count() == len(dataset), "the baseline imported every position"
    return {"seconds": seconds, "rows": len(dataset), "new": result.totals["new"]}


# ---------------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--baseline-sizes", type=int, nargs="*", default=None, help="default: --sizes")
    parser.add_argument(
        "--levels-sizes",
        type=int,
        nargs="*",
        default=[1000],
        help="sizes for the level-by-level baseline (quadratic: 51 s at 1,000 here, over an hour at 10,000)",
    )
    parser.add_argument("--roster", type=int, default=1500, help="people in the roster (0: skip)")
    parser.add_argument("--phase", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        name, *rest = args.phase
        result = {"import": phase_import, "positions": lambda p: phase_import(p, True), "baseline": phase_baseline}[
            name
        ](*rest)
        print(json.dumps(result))
        return
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres") or "bench" not in urlsplit(url).path:
        sys.exit("Set DATABASE_URL to a PostgreSQL database whose name contains 'bench'.")
    source, target = url, _database(url, urlsplit(url).path.lstrip("/") + "_target")
    baseline_sizes = args.sizes if args.baseline_sizes is None else args.baseline_sizes
    results = {"sizes": {}, "roster": None}
    work = Path(tempfile.mkdtemp(prefix="bench-imports-"))
    for size in args.sizes:
        print(f"— {size} positions")
        _recreate(source)
        _manage(source, "synth_org", "--positions", str(size), "--replace")
        path = work / f"org-{size}.xlsx"
        started = time.perf_counter()
        _manage(source, "export_org", str(path))
        exported = time.perf_counter() - started
        figures = {"export_s": exported, "file_bytes": path.stat().st_size}
        _recreate(target)
        first = _phase(target, "import", str(path))
        again = _phase(target, "import", str(path))
        figures.update(import_s=first["seconds"], read_s=first["read"], rows=first["rows"], reimport_s=again["seconds"])
        figures["reimport_unchanged"] = again["totals"]["new"] == 0 and again["totals"]["changed"] == 0
        _recreate(target)
        figures["positions_only_s"] = _phase(target, "positions", str(path))["seconds"]
        if size in baseline_sizes:
            _recreate(target)
            figures["baseline_s"] = _phase(target, "baseline", str(path))["seconds"]
            figures["ratio_positions"] = figures["baseline_s"] / figures["positions_only_s"]
            figures["ratio_workbook"] = figures["baseline_s"] / figures["import_s"]
        if size in args.levels_sizes:
            _recreate(target)
            figures["baseline_levels_s"] = _phase(target, "baseline", str(path), "levels")["seconds"]
            figures["ratio_positions_levels"] = figures["baseline_levels_s"] / figures["positions_only_s"]
        results["sizes"][size] = figures
        print(json.dumps(figures, indent=1))
    if args.roster:
        setup_django()
        from transfers.management.commands.synth_roster import roster_csv, roster_rows

        path = work / f"roster-{args.roster}.csv"
        path.write_bytes(roster_csv(roster_rows(args.roster)))
        _recreate(target)
        first = _phase(target, "import", str(path))
        results["roster"] = {
            "people": args.roster,
            "posts": first["derived"],
            "departments": first["new_departments"],
            "seconds": first["seconds"],
        }
    print()
    print(
        f"{'positions':>9} {'rows':>7} {'import s':>9} {'again s':>8} {'posts only s':>12} "
        f"{'i-e tree s':>10} {'ratio':>6} {'i-e levels s':>12} {'ratio':>6} {'export s':>8}"
    )
    for size, f in results["sizes"].items():
        print(
            f"{size:>9} {f['rows']:>7} {f['import_s']:>9.1f} {f['reimport_s']:>8.1f} {f['positions_only_s']:>12.1f} "
            f"{f.get('baseline_s', float('nan')):>10.1f} {f.get('ratio_positions', float('nan')):>5.0f}× "
            f"{f.get('baseline_levels_s', float('nan')):>12.1f} {f.get('ratio_positions_levels', float('nan')):>5.0f}× "
            f"{f['export_s']:>8.1f}"
        )
    if results["roster"]:
        r = results["roster"]
        print(
            f"roster: {r['people']} people -> {r['posts']} posts and {r['departments']} new departments "
            f"in {r['seconds']:.1f} s"
        )
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
