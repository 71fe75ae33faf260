"""microwork settings. Everything that differs between machines comes from the environment."""

import secrets
from decimal import Decimal
from pathlib import Path
from typing import Any

import dj_database_url
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from microwork.lib.env import envbool, envdecimal, envint, envlist, envstr
from microwork.lib.money import MAX_AMOUNT

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(envstr("MICROWORK_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    key = envstr("SECRET_KEY")
    if key:
        return key
    # A development key is made once and kept, so sessions survive restarts without
    # anyone committing a secret.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = envbool("DEBUG", False)
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = envstr("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Before django_tasks_db so that its `db_worker` command (with heartbeats, time limits
    # and recovery of dead workers' jobs) is the one `microwork db_worker` runs.
    "microwork.clock",
    "django_tasks_db",
    # Only for the Swagger UI files it ships, so /api/docs needs nothing from another site.
    "ninja",
    "microwork.accounts",
    "microwork.webhooks",
    "microwork.inbox",
    "microwork.projects",
    "microwork.ledger",
    "microwork.work",
    "microwork.quality",
    "microwork.aggregation",
    "microwork.payments",
    "microwork.review",
    "microwork.wellbeing",
    "microwork.privacy",
    "microwork.live",
    "microwork.voice",
    "microwork.mturk",
    "microwork.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Static files from the app server itself, so one process (or gunicorn alone) serves a
    # complete site; compressed and cached forever under hashed names.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    # Under /api/ every error is JSON {code, message}, even one no API handler saw.
    "microwork.lib.api_errors.ApiErrorMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "microwork.accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After log-in and messages: a person with terms to accept is sent to them first.
    "microwork.accounts.middleware.TermsGateMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "microwork" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "microwork.accounts.context_processors.roles",
            ],
            # Numbers, money and dates by the reader's language, on every page
            # (microwork/lib/l10n.py).
            "builtins": ["microwork.lib.template_filters"],
        },
    },
]

_DATABASE_URL = envstr("DATABASE_URL", f"sqlite:///{VAR_DIR / 'microwork.sqlite3'}")
_SQLITE = _DATABASE_URL.startswith("sqlite")
# PostgreSQL connections come from a pool in each server process (psycopg_pool): at most
# DB_POOL_MAX of them, whatever the number of threads. A thread per connection kept open
# (gunicorn -k gthread, decision 0008) would otherwise mean a PostgreSQL connection per
# thread, and two processes of 64 threads run past the server's 100 ("too many clients").
# A request takes one when it first queries and gives it back when it ends, a held live call
# each time it sleeps. Processes × DB_POOL_MAX (+ one live listener each) must stay under
# PostgreSQL's max_connections with room for the background workers and the clock.
# DB_POOL_MAX=0 turns the pool off: each thread then keeps its own for DB_CONN_MAX_AGE s.
DB_POOL_MAX = 0 if _SQLITE else envint("DB_POOL_MAX", 10)
DATABASES = {
    "default": dj_database_url.parse(
        _DATABASE_URL,
        # A new PostgreSQL connection costs several milliseconds, more than a claim's queries:
        # without the pool, keep it across requests. Opening a SQLite file is cheap. (The
        # pool keeps them itself and needs 0 here.)
        conn_max_age=0 if _SQLITE or DB_POOL_MAX else envint("DB_CONN_MAX_AGE", 60),
        # Checked before reuse (by the pool when there is one).
        conn_health_checks=True,
    )
}
if DB_POOL_MAX:
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": min(2, DB_POOL_MAX),
        "max_size": DB_POOL_MAX,
        # How long a request waits for a free connection before it fails.
        "timeout": envint("DB_POOL_TIMEOUT", 20),
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock at BEGIN, so two writers queue on busy_timeout instead of
    # failing half-way with "database is locked"; WAL lets readers go on meanwhile.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Failed log-ins (docs/security.md). This many failures for one account within the window --
# by username or e-mail address, in any case -- lock that account until they age out of it.
LOGIN_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", 5)
LOGIN_FAILURE_WINDOW_SECONDS = envint("LOGIN_FAILURE_WINDOW_SECONDS", 15 * 60)
# Failures from one client address (IPv6: one /64) within the window, all accounts together,
# after which that address's wrong and unknown log-ins are answered "too many". A right
# password for an account that is not locked still logs in: a café or a carrier's NAT shares
# one address among many workers, and one of them must not lock the others out.
LOGIN_ADDRESS_FAILURE_LIMIT = envint("LOGIN_ADDRESS_FAILURE_LIMIT", 100)
# Password-reset e-mails: at most this many per address typed within the window (further
# requests are quietly not sent, so the answer never tells whether the address has an
# account), and at most this many requests per client address (answered "too many").
PASSWORD_RESET_LIMIT = envint("PASSWORD_RESET_LIMIT", 3)
PASSWORD_RESET_ADDRESS_LIMIT = envint("PASSWORD_RESET_ADDRESS_LIMIT", 20)
PASSWORD_RESET_TIMEOUT = envint("PASSWORD_RESET_TIMEOUT", 60 * 60 * 24)
# The proxies in front of the platform (addresses or networks, e.g. "10.0.0.0/8,::1"). Only a
# request arriving from one of them has its X-Forwarded-For read, from the right, skipping
# these hops. Empty: the client is REMOTE_ADDR and the header is ignored.
TRUSTED_PROXIES = envlist("TRUSTED_PROXIES", [])

# Mail (password resets): printed on the console unless EMAIL_HOST names an SMTP server.
# STARTTLS (usually port 587) unless EMAIL_USE_SSL asks for TLS from the first byte (465).
_EMAIL_HOST = envstr("EMAIL_HOST", "")
_EMAIL_USE_SSL = envbool("EMAIL_USE_SSL", False)
MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": _EMAIL_HOST,
            "port": envint("EMAIL_PORT", 465 if _EMAIL_USE_SSL else 587),
            "username": envstr("EMAIL_HOST_USER", ""),
            "password": envstr("EMAIL_HOST_PASSWORD", ""),
            "use_tls": envbool("EMAIL_USE_TLS", not _EMAIL_USE_SSL),
            "use_ssl": _EMAIL_USE_SSL,
            "timeout": envint("EMAIL_TIMEOUT", 20),
        },
    }
    if _EMAIL_HOST
    else {"BACKEND": envstr("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")}
}
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "microwork <noreply@localhost>")

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "microwork" / "locale"]
# One date style per language, French number marks (microwork/lib/l10n.py).
FORMAT_MODULE_PATH = ["microwork.lib.locale_formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "microwork" / "static"]
# Hashed, compressed names once `collectstatic` has run (the run command does); plain names
# before that, so tests and a fresh checkout work without it.
_COLLECTED = (STATIC_ROOT / "staticfiles.json").exists()
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if _COLLECTED
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not _COLLECTED
# Where task media (the requesters' pictures, sounds and videos) are kept: local disk under
# MEDIA_ROOT by default; MEDIA_STORAGE=s3 keeps them in an S3-compatible bucket instead (AWS,
# MinIO, Ceph, Scaleway…). Either way they are served only through the signed media view,
# which streams them (docs/media.md). Uploaded task files waiting for the background job
# stay on local disk.
MEDIA_STORAGE = envstr("MEDIA_STORAGE", "local")
if MEDIA_STORAGE == "s3":
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": envstr("MEDIA_S3_BUCKET"),
            "endpoint_url": envstr("MEDIA_S3_ENDPOINT_URL") or None,
            "region_name": envstr("MEDIA_S3_REGION") or None,
            "access_key": envstr("MEDIA_S3_ACCESS_KEY_ID") or None,
            "secret_key": envstr("MEDIA_S3_SECRET_ACCESS_KEY") or None,
            "location": envstr("MEDIA_S3_PREFIX"),
            # Private objects; never overwritten (every stored name is new).
            "default_acl": None,
            "file_overwrite": False,
            "querystring_auth": True,
            "querystring_expire": 300,
            "addressing_style": envstr("MEDIA_S3_ADDRESSING_STYLE") or None,
        },
    }
MEDIA_URL = "media/"
MEDIA_ROOT = VAR_DIR / "media"
# Seconds a signed media address (microwork/projects/media.py) works, for the one person it
# was made for. Pages and API responses make a fresh one each time they are loaded.
MEDIA_URL_MAX_AGE = envint("MEDIA_URL_MAX_AGE", 3600)
# Uploads bigger than this are refused before parsing (a 2 GB file must not fill the disk).
MAX_UPLOAD_BYTES = envint("MAX_UPLOAD_BYTES", 200 * 1024 * 1024)
# Task media a requester uploads (docs/media.md): each file's limit by kind, counted on its
# bytes; a ZIP of media: its own size, its number of files, what it unpacks to, and how many
# times its packed size one entry may unpack to (more is a "zip bomb").
MEDIA_MAX_BYTES = {
    "image": envint("MEDIA_MAX_IMAGE_BYTES", 20 * 1024 * 1024),
    "audio": envint("MEDIA_MAX_AUDIO_BYTES", 100 * 1024 * 1024),
    "video": envint("MEDIA_MAX_VIDEO_BYTES", 500 * 1024 * 1024),
}
MEDIA_ZIP_MAX_BYTES = envint("MEDIA_ZIP_MAX_BYTES", 1024 * 1024 * 1024)
MEDIA_ZIP_MAX_FILES = envint("MEDIA_ZIP_MAX_FILES", 1000)
MEDIA_ZIP_MAX_UNPACKED_BYTES = envint("MEDIA_ZIP_MAX_UNPACKED_BYTES", 2 * 1024 * 1024 * 1024)
MEDIA_ZIP_MAX_RATIO = envint("MEDIA_ZIP_MAX_RATIO", 100)
# One API request of media files (several files, or one big video) may not be bigger.
MEDIA_MAX_REQUEST_BYTES = envint("MEDIA_MAX_REQUEST_BYTES", 1024 * 1024 * 1024)
# Files workers send with an answer (a photo, a recording; docs/workers-files.md): one file's
# limit, one piece of a resumable upload, and how long an upload left half-way is kept before
# the periodic sweep removes its pieces (the page resumes it within that time).
WORKER_FILE_MAX_BYTES = envint("WORKER_FILE_MAX_BYTES", 25 * 1024 * 1024)
WORKER_UPLOAD_CHUNK_MAX_BYTES = envint("WORKER_UPLOAD_CHUNK_MAX_BYTES", 2 * 1024 * 1024)
WORKER_UPLOAD_ABANDON_HOURS = envint("WORKER_UPLOAD_ABANDON_HOURS", 24)
# Bounds on the shape of what users send, each checked in linear time before anything is
# stored (docs/projects.md, "Limits"): a file's columns, one row's size, and for every JSON
# (API bodies, uploaded files, answers) its nesting and the digits of a number.
UPLOAD_MAX_COLUMNS = envint("UPLOAD_MAX_COLUMNS", 1000)
UPLOAD_MAX_ROW_BYTES = envint("UPLOAD_MAX_ROW_BYTES", 1024 * 1024)
MAX_UPLOAD_ROWS = envint("MAX_UPLOAD_ROWS", 200_000)
JSON_MAX_DEPTH = envint("JSON_MAX_DEPTH", 32)
JSON_MAX_NUMBER_DIGITS = envint("JSON_MAX_NUMBER_DIGITS", 100)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Big request bodies are spooled here (not the shared system temporary directory) so that the
# periodic cleanup can remove what a crashed request left behind.
FILE_UPLOAD_TEMP_DIR = str(VAR_DIR / "tmp" / "uploads")
Path(FILE_UPLOAD_TEMP_DIR).mkdir(parents=True, exist_ok=True)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 24 * 30
# SECURE=1 says the site is reached over HTTPS: cookies are sent over HTTPS only, plain HTTP
# is redirected to HTTPS and browsers are told (HSTS) never to use plain HTTP again.
# SECURE_COOKIES is its older name. Behind a proxy that ends TLS, also set
# SECURE_PROXY_SSL_HEADER, or every request looks like plain HTTP and the redirect loops.
SECURE = envbool("SECURE", envbool("SECURE_COOKIES", False))
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", SECURE)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 365 * 24 * 60 * 60 if SECURE else 0)
# Off by default: the platform may live on a subdomain of a site whose other hosts still
# serve plain HTTP, and preloading cannot be undone quickly.
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", False)
# The header the TLS-ending proxy sets to the scheme the client used, e.g. X-Forwarded-Proto.
# Only when that proxy always sets or overwrites it: otherwise any client could claim HTTPS.
_PROXY_SSL_HEADER = envstr("SECURE_PROXY_SSL_HEADER")
if _PROXY_SSL_HEADER:
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _PROXY_SSL_HEADER.upper().replace("-", "_"), "https")
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Background jobs run on three queues so that one tenant's big upload or re-estimate never
# holds up payouts and the periodic jobs: `default` (periodic jobs, money, notifications),
# `uploads` (checking and adding an uploaded file) and `aggregation` (re-estimating a
# project's answers). Run one `microwork db_worker --queue-name <queue>` per queue
# (docs/projects.md, "Background jobs"); a worker started without --queue-name serves every
# queue in turn.
TASK_QUEUES = ["default", "uploads", "aggregation"]
# Content-Security-Policy on every response: script and style only from files this site
# serves (no inline script, no eval, no inline style), nothing embeds the site, forms post
# only to it. An injected <script> or onclick= therefore does not run.
# Task pictures are the one thing taken from elsewhere: a task's image_url may be any
# http(s) URL (docs/projects.md); over HTTPS, http:// pictures are upgraded (below).
# CSP_IMAGE_SOURCES narrows that to named hosts ("https://img.example.org,https://cdn.example.net").
CSP_IMAGE_SOURCES = envlist("CSP_IMAGE_SOURCES", ["https:"] if SECURE else ["https:", "http:"])
# The same for a task's audio and video (audio_url, video_url): the platform's own files are
# signed addresses of this site; CSP_MEDIA_SOURCES names the outside hosts clips may come from.
CSP_MEDIA_SOURCES = envlist("CSP_MEDIA_SOURCES", ["https:"] if SECURE else ["https:", "http:"])
# A Mechanical Turk ExternalQuestion is the requester's own page in a sandboxed frame of the
# task page (docs/mturk.md), so frames may come from other sites; CSP_FRAME_SOURCES narrows
# that to named requester hosts. Over plain HTTP (development, tests) http pages are allowed
# too, and so are http ExternalURLs (MTURK_EXTERNAL_HTTP).
CSP_FRAME_SOURCES = envlist("CSP_FRAME_SOURCES", ["https:"] if SECURE else ["https:", "http:"])
MTURK_EXTERNAL_HTTP = not SECURE
SECURE_CSP: dict[str, list[str] | bool] = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:", "blob:", *CSP_IMAGE_SOURCES],
    # blob: a worker plays back the recording just made, before it is uploaded.
    "media-src": [CSP.SELF, "blob:", *CSP_MEDIA_SOURCES],
    "frame-src": [CSP.SELF, *CSP_FRAME_SOURCES],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
if SECURE:
    # A picture given as http:// is fetched over HTTPS instead of being blocked as mixed content.
    SECURE_CSP["upgrade-insecure-requests"] = True

TASKS = {
    "default": {
        "BACKEND": envstr("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": TASK_QUEUES,
    }
}
# A job running longer than its queue's limit (seconds) is stopped and fails with a reason the
# requester sees; one still running JOB_HARD_STOP_GRACE seconds later ends its worker process
# (the process supervisor starts it again and the job is recovered as below).
JOB_TIME_LIMITS = {
    "default": envint("JOB_TIME_LIMIT", 10 * 60),
    "uploads": envint("UPLOAD_JOB_TIME_LIMIT", 15 * 60),
    "aggregation": envint("AGGREGATION_JOB_TIME_LIMIT", 30 * 60),
}
JOB_HARD_STOP_GRACE = envint("JOB_HARD_STOP_GRACE", 30)
# Each worker writes a heartbeat this often; a worker silent for WORKER_STALE_SECONDS (or, on
# the same machine, whose process is gone) is dead, and any live worker fails or resumes the
# jobs it was running. A batch is retried this many times before it fails with the reason.
WORKER_HEARTBEAT_SECONDS = envint("WORKER_HEARTBEAT_SECONDS", 5)
WORKER_STALE_SECONDS = envint("WORKER_STALE_SECONDS", 30)
BATCH_MAX_ATTEMPTS = envint("BATCH_MAX_ATTEMPTS", 2)
# Stored uploads no waiting batch needs, and temporary upload files a crashed request left,
# are removed by the periodic cleanup once this many hours old.
UPLOAD_ORPHAN_HOURS = envint("UPLOAD_ORPHAN_HOURS", 1)

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# What a worker sees of control tasks (accuracy, agreement, missed controls with their expected
# answers) changes only in releases: a release covers a block of at least
# CONTROL_FEEDBACK_MIN_ANSWERS answers since the previous one, each at least
# CONTROL_FEEDBACK_DELAY hours old, so no figure can be tied to one answer (docs/quality.md).
# Fewer than 5 answers per release would let a worker narrow a control down to a handful.
CONTROL_FEEDBACK_DELAY = max(0, envint("CONTROL_FEEDBACK_DELAY", 24))
CONTROL_FEEDBACK_MIN_ANSWERS = max(5, envint("CONTROL_FEEDBACK_MIN_ANSWERS", 20))

# Disturbing content (docs/wellbeing.md): at most this many disturbing items a day per worker
# (UTC); a worker may set a lower limit, never a higher one, and requesters cannot change it.
WELLBEING_DAILY_CAP = max(1, envint("WELLBEING_DAILY_CAP", 100))
# A break is suggested after this many minutes or items of disturbing content without a pause
# of WELLBEING_PAUSE_MINUTES.
WELLBEING_BREAK_AFTER_MINUTES = max(1, envint("WELLBEING_BREAK_AFTER_MINUTES", 20))
WELLBEING_BREAK_AFTER_ITEMS = max(1, envint("WELLBEING_BREAK_AFTER_ITEMS", 40))
WELLBEING_PAUSE_MINUTES = max(1, envint("WELLBEING_PAUSE_MINUTES", 5))

# Platform money rules (issue: pay floor, fees). Decimal strings, never floats.
PLATFORM_CURRENCY = envstr("PLATFORM_CURRENCY", "USD")
# Logged-in people accept the terms in force before using the pages (accounts/middleware.py).
# Only the test suite turns it off, where accounts are made without signing up; its own tests
# of the gate turn it back on.
TERMS_GATE = envbool("TERMS_GATE", True)
PAY_FLOOR_PER_HOUR = envdecimal("PAY_FLOOR_PER_HOUR", "8.00", maximum=MAX_AMOUNT)
PLATFORM_FEE_RATE = envdecimal("PLATFORM_FEE_RATE", "0.20", maximum=Decimal(1))
# Workers may ask for a payout once their available balance reaches this.
PAYOUT_MINIMUM = envdecimal("PAYOUT_MINIMUM", "1.00", maximum=MAX_AMOUNT)
# The demo's card / mobile-money deposits and payouts that succeed without a real provider.
# Never on in production: set SIMULATED_PAYMENTS=0 (the default unless DEBUG).
SIMULATED_PAYMENTS = envbool("SIMULATED_PAYMENTS", DEBUG)

# Webhooks (docs/webhooks.md): deliveries go only to public addresses, so a subscription cannot
# make the server call its own network; development and tests, whose receivers listen on the
# loopback, allow private ones. Never on in production.
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = envbool("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", DEBUG)
# Seconds a receiver has to answer one delivery attempt.
WEBHOOK_TIMEOUT_SECONDS = max(1, envint("WEBHOOK_TIMEOUT_SECONDS", 10))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # The level is the handler's too: Django's own loggers (a 404's "Not Found" warning) pass
    # records to the root's handlers whatever the root's level.
    "handlers": {
        "console": {"class": "logging.StreamHandler", "level": envstr("LOG_LEVEL", "WARNING")}
    },
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "WARNING")},
    # A refused page (403) is a one-line warning; server errors keep their tracebacks.
    "filters": {"refusals_on_one_line": {"()": "microwork.lib.log_filters.RefusalsOnOneLine"}},
    "loggers": {"django.request": {"filters": ["refusals_on_one_line"]}},
}
