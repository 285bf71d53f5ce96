"""Settings for the job-description portal, read from the environment.

Unset variables give safe production defaults; a malformed value stops start-up
with ImproperlyConfigured rather than being guessed at.
"""

import os
import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def envint(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def envlist(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def envbands(name, default):
    """A grade-band table, "S:95,A:85,B:70,C:60,D:0" (name:lowest total, highest first), as ((name, Decimal), ...).

    Only the form is read here; assessments/scoring.py's check_bands, the one rule for a band table, refuses
    a table out of order or not ending at 0 when the app starts (assessments/apps.py)."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        value = default
    table = []
    for item in value.split(","):
        band, colon, threshold = item.partition(":")
        # ASCII digits only: Decimal() would also read "٩٥", "９５" and "9_5" as 95.
        if not colon or not band.strip() or not re.fullmatch(r"[0-9]+(?:\.[0-9]+)?", threshold.strip()):
            raise ImproperlyConfigured(
                f"{name} must be name:threshold pairs separated by commas, highest first and ending at 0 "
                f"(e.g. S:95,A:85,B:70,C:60,D:0), not {value!r}"
            )
        table.append((band.strip(), Decimal(threshold.strip())))
    return tuple(table)


DEBUG = envbool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    # Development only: DEBUG is on, so nothing is served to the outside world.
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "mptt",
    "import_export",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "axes",
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    "portal",
    "positions",
    "org_tree",
    "assessments",
    "transfers",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    # Serves collected static files from gunicorn itself: no separate web server needed.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Before any view: a path, query or form field holding a control character (NUL...) is refused with 400.
    "portal.middleware.ControlCharacterMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "portal.middleware.PrivatePagesMiddleware",
    # Each request that may write is one action: the versions it records share who and why.
    "positions.middleware.ActionPerRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "positions.context_processors.my_positions",
                "assessments.context_processors.my_assessments",
            ],
        },
    },
]

WSGI_APPLICATION = "portal.wsgi.application"


def database_from_env():
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        config = {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"}
        # The web server and the task worker write the same file: a writer waits for the other
        # (IMMEDIATE takes the write lock at BEGIN, so a transaction never fails half-way to a
        # write), and with WAL pages can be read while an import is being written.
        config["OPTIONS"] = {"timeout": 30, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    else:
        try:
            config = dj_database_url.parse(url, conn_max_age=envint("DB_CONN_MAX_AGE", 60))
        except Exception as exc:  # dj_database_url raises several types for a bad URL
            raise ImproperlyConfigured(f"DATABASE_URL is not a usable database URL: {exc}") from None
        if not config.get("ENGINE"):
            raise ImproperlyConfigured(f"DATABASE_URL names an unknown database scheme: {url!r}")
    if config["ENGINE"] == "django.db.backends.postgresql":
        # The portal's queries are many cheap index lookups; PostgreSQL's JIT spent 1.3 s compiling
        # the 10,000-position chart query that runs in 0.25 s without it (see bench/README.md).
        config.setdefault("OPTIONS", {})["options"] = "-c jit=off"
    # One transaction per user action: a request either saves everything or nothing.
    config["ATOMIC_REQUESTS"] = True
    return config


DATABASES = {"default": database_from_env()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a login that has failed too often, before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Login throttling: after LOGIN_FAILURE_LIMIT failures for one username from one address, that
# login is refused for LOGIN_LOCKOUT_MINUTES, even with the right password.
AXES_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=envint("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_IPWARE_PROXY_COUNT = 1 if envbool("BEHIND_PROXY", False) else 0

# Content-Security-Policy: the portal's pages load scripts only from their own static files
# (no inline scripts). Inline style attributes stay allowed: Django admin indents trees with them.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "org_tree:chart"
LOGOUT_REDIRECT_URL = "login"

# Chinese first: Simplified Chinese is the default, English the alternative.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Compressed copies next to each collected file; names unchanged, so no manifest is needed to run.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Secure cookies and HSTS whenever the portal is served over HTTPS in production.
SECURE_HTTPS = envbool("SECURE_HTTPS", not DEBUG)
SESSION_COOKIE_SECURE = SECURE_HTTPS
CSRF_COOKIE_SECURE = SECURE_HTTPS
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0)
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", False)  # usually the reverse proxy's job
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if envbool("BEHIND_PROXY", False) else None
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

# The JSON API (positions/api/): tokens for scripts (Authorization: Token <key>; first, so that an
# anonymous call gets 401 with WWW-Authenticate), sessions with CSRF for the browser; JSON only.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "positions.api.permissions.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["positions.api.permissions.Allowed"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    # drf-spectacular's, with every operation's error answers and the session login (positions/api/schema.py).
    "DEFAULT_SCHEMA_CLASS": "positions.api.schema.AutoSchema",
    "UNICODE_JSON": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Job-description portal API",
    "DESCRIPTION": (
        "Positions (岗位) and their job descriptions (岗位说明书), people and their posts, the staffing table. "
        "Authenticate with a session (and its CSRF token) or `Authorization: Token <key>` "
        "(`manage.py api_token USERNAME`). Every GET of a position gives an ETag; every write needs If-Match."
    ),
    "VERSION": "2.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "OAS_VERSION": "3.1.0",
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVE_PERMISSIONS": ["positions.api.permissions.Allowed"],
    # Two "status" choice sets (positions, proposals): named after their models, not by a hash (W001).
    "ENUM_NAME_OVERRIDES": {
        "PositionStatusEnum": "positions.models.Position.Status",
        "ProposalStatusEnum": "positions.models.Proposal.Status",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}


# Imports and exports run as jobs on django-tasks' database queue: no server beyond the database.
# The worker is `manage.py db_worker` (`make run` starts it beside the web server).
TASKS = {"default": {"BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}
# What an upload may be: its size, its rows (all sheets), and what an .xlsx may expand to when unzipped.
TRANSFER_MAX_UPLOAD_BYTES = envint("TRANSFER_MAX_UPLOAD_MB", 20) * 1024 * 1024
TRANSFER_MAX_ROWS = envint("TRANSFER_MAX_ROWS", 300_000)
TRANSFER_MAX_EXPANDED_BYTES = envint("TRANSFER_MAX_EXPANDED_MB", 200) * 1024 * 1024
# Uploads larger than this go to a temporary file rather than memory; the limit above still applies.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# The first handler stops reading an upload past its view's limit (transfers/uploads.py): a body whose
# Content-Length is over TRANSFER_MAX_UPLOAD_MB is refused before its file is read, not streamed to disk
# first. The proxy's own body limit (nginx: client_max_body_size) belongs a little above it (README).
FILE_UPLOAD_HANDLERS = [
    "transfers.uploads.UploadLimit",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# Grade bands of an assessment's (rounded) total, highest first; the last starts at 0 (assessments/scoring.py).
ASSESSMENT_BANDS = envbands("ASSESSMENT_BANDS", "S:95,A:85,B:70,C:60,D:0")
