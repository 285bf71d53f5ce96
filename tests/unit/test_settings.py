"""Settings come from the environment; a bad value stops start-up with a clear message."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection

from tests.conftest import CHROMIUM


def start(**env):
    """Import the settings in a fresh interpreter with `env`; return (exit code, stderr)."""
    clean = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY", "DATABASE_URL")}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={**clean, "DJANGO_SETTINGS_MODULE": "portal.settings", **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
    )
    return result.returncode, result.stderr


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "SECRET_KEY must be set"),
        ({"SECRET_KEY": "x", "DEBUG": "maybe"}, "DEBUG must be true or false"),
        (
            {"SECRET_KEY": "x", "DB_CONN_MAX_AGE": "soon", "DATABASE_URL": "postgres://u@h/db"},
            "DB_CONN_MAX_AGE must be a whole number",
        ),
        ({"SECRET_KEY": "x", "DATABASE_URL": "nosuchdb://h/db"}, "DATABASE_URL"),
    ],
)
def test_bad_settings_fail_loudly(env, message):
    code, stderr = start(**env)
    assert code != 0
    assert "ImproperlyConfigured" in stderr and message in stderr


def test_production_defaults_are_safe():
    code, stderr = start(SECRET_KEY="x")
    assert code == 0, stderr
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings as s; "
            "print(s.DEBUG, s.ALLOWED_HOSTS, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.DATABASES['default']['ENGINE'])",
        ],
        env={
            **{k: v for k, v in os.environ.items() if k not in ("DEBUG", "DATABASE_URL")},
            "SECRET_KEY": "x",
            "DJANGO_SETTINGS_MODULE": "portal.settings",
        },
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
    )
    assert probe.stdout.split() == ["False", "[]", "True", "True", "django.db.backends.sqlite3"]


def test_every_request_is_one_transaction():
    assert settings.DATABASES["default"]["ATOMIC_REQUESTS"] is True


@pytest.mark.skipif(not os.environ.get("CI"), reason="CI pins PostgreSQL and Chromium; a laptop may use SQLite")
@pytest.mark.django_db
def test_ci_runs_on_postgresql_and_chromium():
    assert connection.vendor == "postgresql"
    assert os.path.exists(CHROMIUM)
