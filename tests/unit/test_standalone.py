"""The repository stands alone: the check in `make test` finds references to paths outside it."""

import importlib.util
import subprocess

import pytest
from django.conf import settings

SCRIPT = settings.BASE_DIR / "scripts" / "check_standalone.py"
spec = importlib.util.spec_from_file_location("check_standalone", SCRIPT)
check = importlib.util.module_from_spec(spec)
spec.loader.exec_module(check)


@pytest.mark.parametrize(
    ("name", "line"),
    [
        ("README.md", "The scrape is `" + "../" + "shared/seed/000.txt`."),  # split: no tracked file names it
        ("tests/unit/test_seed.py", 'SCRAPE = settings.BASE_DIR.parent / "shared" / "seed" / "a.txt"'),
        ("fixtures/seed.json", '"source": "../../elsewhere/file.txt"'),
        ("Makefile", "\tcp ../other-checkout/db.sqlite3 ."),
        ("portal/settings.py", "LOCALE = os.path.join(BASE_DIR, os.pardir, 'locale')"),
        ("docs/a.md", "see ..\\..\\outside\\file.txt"),
    ],
)
def test_it_flags_paths_outside_the_repository(name, line):
    assert check.violations_in(name, line)


@pytest.mark.parametrize(
    ("name", "line"),
    [
        ("fixtures/a.json", '"source": "fixtures/source/om-department-job-descriptions.txt"'),
        ("tests/integration/test_access.py", '"/positions/../etc/passwd/",'),  # a URL path, not a file
        ("docs/guide.md", "see ../README.md"),  # from docs/, still inside
        (".ci/run", 'cd "$(dirname "$0")/.."'),
        ("portal/settings.py", "BASE_DIR = Path(__file__).resolve().parent.parent"),
    ],
)
def test_it_leaves_paths_inside_the_repository_alone(name, line):
    assert check.violations_in(name, line) == []


def test_the_repository_itself_refers_to_nothing_outside_it():
    result = subprocess.run(
        ["python", str(SCRIPT), str(settings.BASE_DIR)], capture_output=True, text=True, cwd=settings.BASE_DIR
    )
    assert result.returncode == 0, result.stderr


def test_the_seed_source_document_is_in_the_repository():
    source = settings.BASE_DIR / "fixtures" / "source" / "om-department-job-descriptions.txt"
    assert source.read_text(encoding="utf-8").startswith("运维部岗位职责说明书")
