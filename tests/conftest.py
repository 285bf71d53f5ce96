"""Shared fixtures: the seed organisation and one named user per role."""

import os
import shutil
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command

from portal.roles import ADMINISTRATOR, APPROVER, HR_EDITOR, MANAGER, VIEWER, ensure_roles
from positions.models import Assignment, Person, Position

PASSWORD = "correct horse battery staple"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


ROOT = Path(__file__).resolve().parent.parent


def pytest_sessionstart(session):
    """The code under test is this checkout's, not another one an editable install points at."""
    import positions

    if not Path(positions.__file__).resolve().is_relative_to(ROOT):
        raise pytest.UsageError(f"positions is imported from {positions.__file__}, outside {ROOT}")


@pytest.fixture(autouse=True)
def fresh_cache():
    """Each test starts with an empty cache: the JD template cached by an earlier test was rolled back."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def seed(db):
    """The 运维部 seed organisation, loaded the way `manage.py load_seed` loads it."""
    call_command("load_seed", verbosity=0)


def make_user(username, role=None, **fields):
    user = get_user_model().objects.create_user(username=username, password=PASSWORD, **fields)
    if role:
        ensure_roles()
        user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def admin_user(db):
    return make_user("alice-admin", ADMINISTRATOR, is_staff=True, is_superuser=True)


def approver(user):
    """`user`, named an approver by an Administrator."""
    user.groups.add(Group.objects.get(name=APPROVER))
    return user


@pytest.fixture
def hr_user(db):
    """An HR editor an Administrator named approver: their changes publish at once."""
    return approver(make_user("hannah-hr", HR_EDITOR, is_staff=True))


@pytest.fixture
def proposer_user(db):
    """An HR editor who is not an approver: changes to published job descriptions wait for approval."""
    return make_user("peter-proposer", HR_EDITOR, is_staff=True)


@pytest.fixture
def manager_user(seed):
    """Holds DPT-YW-04 技术支持部经理."""
    user = make_user("mark-manager", MANAGER)
    person = Person.objects.create(employee_number="E0004", name="王经理", user=user)
    Assignment.objects.create(person=person, position=Position.objects.get(code="DPT-YW-04"))
    return user


@pytest.fixture
def viewer_user(db):
    return make_user("victor-viewer", VIEWER)


@pytest.fixture
def outsider(db):
    """Logged in, but with no role: may read nothing."""
    return make_user("olga-outsider")


@pytest.fixture
def viewer_client(client, viewer_user):
    client.force_login(viewer_user)
    return client


@pytest.fixture
def hr_client(client, hr_user):
    client.force_login(hr_user)
    return client


# Browser tests: Debian's Chromium, launched by Playwright. In CI a missing Chromium is an
# error (.ci/run installs it); on a developer machine without it the browser tests skip.
@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not shutil.which(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the browser tests, but {CHROMIUM} is missing")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium); browser tests need it")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


# PDF tests: a CJK TrueType font to embed (org_tree/paper.py) and poppler's tools to read the PDF
# back. In CI both are required (.ci/run installs them); elsewhere the tests that need them skip.
@pytest.fixture(scope="session")
def pdf_tools():
    from org_tree.paper import FONT_FILES

    missing = [tool for tool in ("pdftotext", "pdffonts", "pdftoppm", "pdfinfo") if not shutil.which(tool)]
    if not any(Path(path).exists() for path in FONT_FILES):
        missing.append("a CJK TrueType font (fonts-wqy-zenhei)")
    if missing:
        message = f"PDF tests need {', '.join(missing)} (apt-get install poppler-utils fonts-wqy-zenhei)"
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the PDF tests: {message}")
        pytest.skip(message)
