"""Django settings for jaring.

Everything an operator may change comes from the environment:

- ``JARING_HOME``: folder for the embedded database, the secret key and collected static files
  (default ``./var``).
- ``DATABASE_URL``: a PostgreSQL URL for production; without it jaring runs on embedded SQLite.
- ``DATABASE_REPLICA_URL``: a streaming read replica of that PostgreSQL database; dashboards, contest,
  agent and payer pages and their exports read from it (``jaring.common.replica``, docs/operations.md).
  ``JARING_REPLICA_MAX_LAG``: how many seconds the replica may lag before those reads go back to the
  primary (default 30).
- ``JARING_PG_RANDOM_PAGE_COST``: PostgreSQL's ``random_page_cost`` for jaring's connections (default
  1.1, for solid-state storage; empty to keep the server's own).
- ``JARING_SECRET_KEY``, ``JARING_DEBUG``, ``JARING_ALLOWED_HOSTS`` (comma-separated).
- ``JARING_HTTPS=1`` when jaring is reached over HTTPS (directly or behind a proxy that sets
  ``X-Forwarded-Proto``): secure cookies and HSTS. ``JARING_PROXY_COUNT``: how many reverse proxies stand
  in front of jaring (default 0), so the client address is read from ``X-Forwarded-For``.

Sign-in hardening, the content security policy and the audit trail are described in docs/security.md.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

HOME = Path(os.environ.get("JARING_HOME", Path.cwd() / "var")).resolve()
HOME.mkdir(parents=True, exist_ok=True)
PACKAGE_DIR = Path(__file__).resolve().parent


def _secret_key() -> str:
    """The key from the environment, or one generated once and kept beside the database."""
    if key := os.environ.get("JARING_SECRET_KEY"):
        return key
    path = HOME / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("JARING_DEBUG", "") == "1"
# A covering index (``Index(include=...)``) is PostgreSQL's; SQLite builds it without the extra columns,
# which is all it needs, so its warning would only be noise on every command.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
ALLOWED_HOSTS = os.environ.get("JARING_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
    "jaring.common",
    "jaring.regions",
    "jaring.org",
    "jaring.channels",
    "jaring.members",
    "jaring.employers",
    "jaring.contributions",
    "jaring.imports",
    "jaring.tallies",
    "jaring.monitoring",
    "jaring.web",
    "jaring.desk",
    "jaring.dashboards",
    "jaring.perisai",
    "jaring.reminders",
    "jaring.settlement",
    "jaring.outreach",
    "jaring.events",
    "jaring.claims",
    "jaring.field",
    "jaring.api",
    # axes before accounts: its failed-sign-in receiver marks a lock-out before the audit trail records it.
    "axes",
    "jaring.accounts",
    "ninja",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "jaring.web.language.PagesSpeakIndonesian",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "jaring.accounts.middleware.SessionLifetimeMiddleware",
    "jaring.accounts.middleware.AuditContextMiddleware",
    # Pins a session to the primary after its writes; does nothing without a read replica.
    "jaring.common.replica.PrimaryAfterWrite",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lock-out page (429).
    "axes.middleware.AxesMiddleware",
]

# The throttle first: it refuses a locked-out username+address before any password is checked.
AUTHENTICATION_BACKENDS = [
    "jaring.accounts.backends.ThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "jaring.urls"
WSGI_APPLICATION = "jaring.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "jaring.web.navigation.navigation",
                "jaring.common.replica.freshness",
            ],
        },
    },
]


def _postgresql(url: str) -> dict:
    database = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    # The planner's price of a random read. PostgreSQL's default (4.0) is a spinning disk's: with
    # it, looking up a chunk's few thousand keys in a table of a few hundred thousand rows is planned
    # as a scan of the whole table, a cost that grows with the table. Storage today is solid-state.
    cost = os.environ.get("JARING_PG_RANDOM_PAGE_COST", "1.1")
    if cost:
        options = database.setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c random_page_cost={float(cost)}".strip()
    return database


def _databases() -> dict:
    """PostgreSQL from ``DATABASE_URL`` (with ``DATABASE_REPLICA_URL``, its read replica as ``replica``);
    otherwise SQLite in WAL mode under ``JARING_HOME``."""
    url = os.environ.get("DATABASE_URL")
    replica_url = os.environ.get("DATABASE_REPLICA_URL")
    if url:
        databases = {"default": _postgresql(url)}
        if replica_url:
            replica = _postgresql(replica_url)
            if "postgresql" not in replica["ENGINE"] or "postgresql" not in databases["default"]["ENGINE"]:
                raise ImproperlyConfigured("DATABASE_REPLICA_URL is a streaming replica of PostgreSQL")
            # A replica that does not answer must not hold a page: its reads go to the primary instead.
            replica.setdefault("OPTIONS", {}).setdefault("connect_timeout", 3)
            # Tests read the test database through both names, as the replica would hold the same rows.
            replica["TEST"] = {"MIRROR": "default"}
            databases["replica"] = replica
        return databases
    if replica_url:
        raise ImproperlyConfigured("DATABASE_REPLICA_URL needs DATABASE_URL: a replica of embedded SQLite")
    return {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": HOME / "jaring.sqlite3",
            "CONN_MAX_AGE": 60,
            "OPTIONS": {
                # WAL lets readers go on while one writer writes; IMMEDIATE takes the write lock at the
                # start of a transaction so two writers queue instead of failing half-way.
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;"
                ),
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
            "TEST": {},  # the tests' database: a file of each run's own (tests/conftest.py)
        }
    }


DATABASES = _databases()
# Reads of the dashboards and reports go to the replica when there is one (jaring.common.replica).
DATABASE_ROUTERS = ["jaring.common.replica.PrimaryReplicaRouter"] if "replica" in DATABASES else []
# Seconds the replica may lag before its reads go back to the primary (docs/architecture.md says why this
# bound lives beside DATABASE_REPLICA_URL and not in a rule row).
# The population registry (Dukcapil) registrations are checked against: "" (off), "fake", or a dotted path
# to an adapter class (``members.population``).
POPULATION_REGISTRY = os.environ.get("JARING_POPULATION_REGISTRY", "")
REPLICA_MAX_LAG = float(os.environ.get("JARING_REPLICA_MAX_LAG", "") or 30)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TASKS = {"default": {"BACKEND": os.environ.get("JARING_TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "id"
LANGUAGES = [("id", "Bahasa Indonesia"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = HOME / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed, compressed files once `jaring init`/`serve` has collected them; plain files before that
    # (tests, a fresh checkout), so a page never fails for want of a manifest.
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if (STATIC_ROOT / "staticfiles.json").exists()
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = HOME / "media"
# Uploads (docs/import.md): a file above JARING_IMPORT_MAX_BYTES (default 50 MB) is refused while it streams
# in, before it is stored whole (jaring.imports.uploads.SizeLimitHandler, first of the handlers).
IMPORT_MAX_BYTES = int(os.environ.get("JARING_IMPORT_MAX_BYTES", "") or 50 * 1024 * 1024)
FILE_UPLOAD_HANDLERS = [
    "jaring.imports.uploads.SizeLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# Sign-in, sessions and cookies (docs/security.md).
HTTPS = os.environ.get("JARING_HTTPS", "") == "1"
PROXY_COUNT = int(os.environ.get("JARING_PROXY_COUNT", "0") or 0)
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# A session lasts until the browser closes and never more than 8 hours after sign-in, however active
# (jaring.accounts.middleware.SessionLifetimeMiddleware enforces the hard limit).
SESSION_COOKIE_AGE = 8 * 60 * 60
SESSION_MAX_AGE = SESSION_COOKIE_AGE
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 365 * 24 * 60 * 60
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# django-axes: 5 failed sign-ins of one username from one address lock that pair out for 15 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True  # successful sign-ins are in the audit trail (accounts.AuditEntry)
AXES_CLIENT_IP_CALLABLE = "jaring.accounts.network.client_ip"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

# Content Security Policy (django-csp): only jaring's own scripts run, no inline script anywhere (the
# Django admin and ninja's API docs use none). Inline *styles* are allowed: the web pages carry their
# stylesheet in a <style> element and a few style attributes. ``data:`` images are the icons inside the
# admin's and Swagger UI's stylesheets.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("JARING_LOG_LEVEL", "WARNING")},
}
