"""Settings for the test suite: the real settings with a throwaway secret key."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-not-secret")
# Playwright's sync API runs an event loop in the test thread; the live server's ORM calls are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from portal.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast logins in tests
SECURE_HTTPS = SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = False
# Static files straight from the source folders, as in development: tests never run collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Login throttling is off in tests (force_login and repeated logins would trip it); the test
# that proves the lock-out turns it on.
AXES_ENABLED = False

# Jobs run as soon as they are queued (after the request's transaction commits); the test of the
# real queue runs the database worker itself.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
