"""Settings, read from the environment.

GGZY_ENV              development (default) | production | test
GGZY_SECRET_KEY       required in production; development keeps a generated key in var/secret_key
GGZY_DATABASE_URL     e.g. postgres://postgres@127.0.0.1:5432/ggzy; default SQLite at var/ggzy.sqlite3
                      (sqlite:////path/file.sqlite3 for another SQLite file, same options)
GGZY_DB_POOL_MAX      PostgreSQL: size of the per-process connection pool (default 10, tests 0; 0 = none:
                      a new connection per request)
GGZY_DB_POOL_TIMEOUT  seconds a request waits for a pooled connection (default 120)
GGZY_REDIS_URL        e.g. redis://127.0.0.1:6379/0; enables the Redis channel layer and cache
GGZY_VAR_DIR          where the SQLite file, keys, uploads and mail outbox live (default ./var)
GGZY_SIGNING_KEY_FILE the platform's SM2 signing key (PEM); required in production
GGZY_ALLOWED_HOSTS    comma-separated host names (production)
GGZY_CLOCK_FACTOR     accelerated clock for demos and end-to-end tests (refused in production)
GGZY_CLOCK_ANCHOR     ISO time the accelerated clock starts from (default: var/clock-anchor)
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

ENV = os.environ.get("GGZY_ENV", "development").strip().lower()
if ENV not in {"development", "production", "test"}:
    raise ImproperlyConfigured(f"GGZY_ENV must be development, production or test, not {ENV!r}")
PRODUCTION = ENV == "production"

PACKAGE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("GGZY_VAR_DIR", Path.cwd() / "var")).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    key = os.environ.get("GGZY_SECRET_KEY", "")
    if key:
        return key
    if PRODUCTION:
        raise ImproperlyConfigured("GGZY_SECRET_KEY must be set in production")
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("GGZY_DEBUG", "0" if PRODUCTION else "1") == "1"
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("GGZY_DEBUG cannot be on in production")
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("GGZY_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")]
if not PRODUCTION:
    ALLOWED_HOSTS += ["testserver", "*"]

INSTALLED_APPS = [
    "daphne",
    "ggzy.accounts.adminconfig.PlatformAdminConfig",  # django.contrib.admin with the platform-admin site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "channels",
    "django_tasks",
    "django_tasks_db",
    "ggzy.core",
    "ggzy.audit",
    "ggzy.accounts",
    "ggzy.entities",
    "ggzy.rules",
    "ggzy.trading",
    "ggzy.supervision",
    "ggzy.tendering",
    "ggzy.experts",
    "ggzy.venues",
    "ggzy.auctions",
    "ggzy.deposits",
    "ggzy.evaluation",
    "ggzy.portal",
    "ggzy.opendata",
    "ggzy.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "ggzy.accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "ggzy.urls"
ASGI_APPLICATION = "ggzy.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ggzy.portal.context.site",
            ],
        },
    }
]

# --- database -------------------------------------------------------------------------------
SQLITE_PATH = VAR_DIR / "ggzy.sqlite3"
DATABASE_URL = os.environ.get("GGZY_DATABASE_URL", "").strip()


def _sqlite(name) -> dict:
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": name,
        "OPTIONS": {
            # Several writers (server and task worker): WAL, wait for the lock, and take the
            # write lock at BEGIN so a reader never fails upgrading it (see STACK-NOTES.md).
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        },
    }


_parsed = dj_database_url.parse(DATABASE_URL, conn_max_age=0) if DATABASE_URL else None
if _parsed is None:
    DATABASES = {"default": _sqlite(SQLITE_PATH)}
elif _parsed["ENGINE"] == "django.db.backends.sqlite3":
    # a sqlite:/// URL names another SQLite file: the same options as the default one, no pool
    if not _parsed.get("NAME") or _parsed["NAME"] == ":memory:":
        raise ImproperlyConfigured(
            f"GGZY_DATABASE_URL={DATABASE_URL!r}: name a SQLite file (sqlite:////path/to/ggzy.sqlite3); "
            "an in-memory database is not shared by the server's threads and the task worker"
        )
    DATABASES = {"default": _sqlite(Path(_parsed["NAME"]))}
else:
    # A pool by default outside the tests: without one, Django's persistent connections under
    # ASGI stay open per finished request thread, and 32 busy visitors exhausted PostgreSQL's 100
    # connections within a minute (bench/portal_http.py, docs/benchmarks.md (p)).
    DB_POOL_MAX = int(os.environ.get("GGZY_DB_POOL_MAX", "0" if ENV == "test" else "10") or 0)
    # no persistent connections: under ASGI each request runs in a thread of its own, and a kept
    # connection would outlive it (Django's documentation says to disable them there)
    DATABASES = {"default": _parsed}
    if DB_POOL_MAX and _parsed["ENGINE"] == "django.db.backends.postgresql":
        # A psycopg connection pool per process (Django >= 5.1): under ASGI every concurrent request
        # runs its database work in its own thread with its own connection, so 100 simultaneous
        # bid uploads would open 100 connections; with the pool they share DB_POOL_MAX and wait
        # their turn (GGZY_DB_POOL_TIMEOUT seconds). Persistent connections are then off (the pool
        # keeps them). docs/deploy.md, docs/benchmarks.md (t).
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            # all opened at start (in the background): a burst of requests on a fresh process
            # otherwise queued while the pool grew one connection at a time (docs/benchmarks.md (t))
            "min_size": DB_POOL_MAX,
            "max_size": DB_POOL_MAX,
            "timeout": float(os.environ.get("GGZY_DB_POOL_TIMEOUT", "120")),
        }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- redis: channel layer and cache ----------------------------------------------------------
REDIS_URL = os.environ.get("GGZY_REDIS_URL", "").strip()
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                # redis-py 8 drops idle connections after 5 s by default (STACK-NOTES.md)
                "hosts": [{"address": REDIS_URL, "socket_timeout": None}],
                "capacity": 5000,
                "expiry": 60,
            },
        }
    }
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels.layers.InMemoryChannelLayer", "CONFIG": {"capacity": 5000}}
    }
    # the local memory cache keeps 300 entries by default: fewer than the notice pages a visitor
    # crowd asks for (two entries each), so pages were culled and rendered again and again
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }

# Public pages that never change between publications (notice pages, notice lists) are cached
# this many seconds (0: not cached). Off in tests, where ids repeat from test to test; the
# caching itself is tested with its own cache (tests/trading/test_page_cache.py).
GGZY_PAGE_CACHE_SECONDS = int(os.environ.get("GGZY_PAGE_CACHE_SECONDS", "0" if ENV == "test" else "60"))
# The pages' cache version (the highest notice id) is itself cached this many seconds, so that a
# cached page costs no database query. A publication clears it in its own process at once (and in
# every process with the shared Redis cache); other processes with a local cache see it within
# this time. 0: asked of the database on every request (tests).
GGZY_NOTICES_VERSION_SECONDS = float(
    os.environ.get("GGZY_NOTICES_VERSION_SECONDS", "0" if ENV == "test" else "1")
)

# --- background tasks ------------------------------------------------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
if ENV == "test":
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# --- auth ------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["ggzy.accounts.backends.LockoutBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:console"
LOGOUT_REDIRECT_URL = "portal:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if ENV == "test":
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The server processes' garbage collector (ggzy.asgi; docs/deploy.md, GGZY_GC_THRESHOLDS): a
# live hall keeps thousands of long-lived objects per process, and with Python's default
# thresholds (700, 10, 10) the collector's full passes over them came every 2-5 s while bidding
# and stopped the event loop for 60-200 ms (docs/benchmarks.md (h)). A larger youngest generation
# lets short-lived objects die young, so full passes become rare. "default" keeps Python's.
_gc = os.environ.get("GGZY_GC_THRESHOLDS", "100000,50,10").strip()
GGZY_GC_THRESHOLDS = None
if _gc != "default":
    _parts = _gc.split(",")
    if len(_parts) != 3 or not all(p.strip().isdigit() and int(p) > 0 for p in _parts):
        raise ImproperlyConfigured(
            f"GGZY_GC_THRESHOLDS must be three positive integers (e.g. 100000,50,10) or 'default', not {_gc!r}"
        )
    GGZY_GC_THRESHOLDS = tuple(int(p) for p in _parts)
# ... and how long a thread may hold the GIL before another may take it (sys.setswitchinterval;
# Python's default 5 ms): the event loop waited behind the database thread's Python work; 0.5 ms
# took the live hall's p50 from ~76 to ~70 ms and its p99 from ~113 to ~103 ms (docs/benchmarks.md (h)).
try:
    GGZY_SWITCH_INTERVAL = float(os.environ.get("GGZY_SWITCH_INTERVAL", "0.0005"))
except ValueError:
    GGZY_SWITCH_INTERVAL = -1.0
if not 0 < GGZY_SWITCH_INTERVAL <= 1:
    raise ImproperlyConfigured(
        "GGZY_SWITCH_INTERVAL must be a number of seconds between 0 and 1, e.g. 0.0005"
    )
# Lockout: this many failures in a row locks the account for this many minutes.
GGZY_LOGIN_MAX_FAILURES = int(os.environ.get("GGZY_LOGIN_MAX_FAILURES", "5"))
GGZY_LOGIN_LOCK_MINUTES = int(os.environ.get("GGZY_LOGIN_LOCK_MINUTES", "15"))
# TOTP for staff is always on in production; elsewhere it is on unless switched off explicitly.
GGZY_TOTP_REQUIRED = PRODUCTION or os.environ.get("GGZY_TOTP_REQUIRED", "1") == "1"

# --- clock -----------------------------------------------------------------------------------
GGZY_CLOCK_FACTOR = float(os.environ.get("GGZY_CLOCK_FACTOR", "1") or "1")
GGZY_CLOCK_ANCHOR = os.environ.get("GGZY_CLOCK_ANCHOR", "")
if PRODUCTION and GGZY_CLOCK_FACTOR != 1:
    raise ImproperlyConfigured("The accelerated clock (GGZY_CLOCK_FACTOR) cannot be used in production")

# Per-project accelerated mode (every period of a demo project divided by a factor, issue 3 item 8):
# never in production.
GGZY_PROJECT_ACCELERATION_ALLOWED = not PRODUCTION

# --- i18n ------------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- static files, mail ----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
EMAIL_BACKEND = os.environ.get("GGZY_EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = VAR_DIR / "outbox"
DEFAULT_FROM_EMAIL = os.environ.get("GGZY_FROM_EMAIL", "noreply@ggzy.local")
# SMTP (with GGZY_EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend)
EMAIL_HOST = os.environ.get("GGZY_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("GGZY_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("GGZY_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("GGZY_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("GGZY_EMAIL_TLS", "0") == "1"

# --- security --------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("GGZY_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

# --- experts (docs/experts.md) -----------------------------------------------------------------
# The platform data key for sealing data at rest (ggzy.crypto.sealing): GGZY_DATA_KEY (hex) or this
# file; generated on first use outside production, required in production.
GGZY_DATA_KEY_FILE = os.environ.get("GGZY_DATA_KEY_FILE", str(VAR_DIR / "data_key"))
# Avoidance: no expert drawn more than K times in N days; none who evaluated for the same tenderer
# within N days.
GGZY_EXPERT_MAX_DRAWS = int(os.environ.get("GGZY_EXPERT_MAX_DRAWS", "3"))
GGZY_EXPERT_MAX_DRAWS_DAYS = int(os.environ.get("GGZY_EXPERT_MAX_DRAWS_DAYS", "30"))
GGZY_EXPERT_SAME_TENDERER_DAYS = int(os.environ.get("GGZY_EXPERT_SAME_TENDERER_DAYS", "90"))
# Ratings (1-5): a rating whose mean is below POOR_SCORE is poor; POOR_COUNT poor ratings within
# POOR_WINDOW_DAYS suspend the expert automatically.
GGZY_EXPERT_POOR_SCORE = float(os.environ.get("GGZY_EXPERT_POOR_SCORE", "2.5"))
GGZY_EXPERT_POOR_COUNT = int(os.environ.get("GGZY_EXPERT_POOR_COUNT", "2"))
GGZY_EXPERT_POOR_WINDOW_DAYS = int(os.environ.get("GGZY_EXPERT_POOR_WINDOW_DAYS", "365"))
# An invitation without an answer after this many minutes may be recorded as "no answer".
GGZY_EXPERT_ANSWER_MINUTES = int(os.environ.get("GGZY_EXPERT_ANSWER_MINUTES", "30"))
# Notification backend (SMS/voice): the logging backend writes to the "ggzy.sms" logger.
GGZY_SMS_BACKEND = os.environ.get("GGZY_SMS_BACKEND", "ggzy.experts.notify.LoggingSmsBackend")
# Venues: preparation and clearing time kept free before and after every booking of a room.
GGZY_VENUE_BUFFER_MINUTES = int(os.environ.get("GGZY_VENUE_BUFFER_MINUTES", "30"))

# --- the platform signing key (docs/crypto.md) ----------------------------------------------------
# SM2 key (PKCS#8 PEM) that signs receipts and tree heads: generated on first use outside production;
# production must name an existing file (the system check ggzy.E101 and every use refuse otherwise).
GGZY_SIGNING_KEY_FILE = os.environ.get(
    "GGZY_SIGNING_KEY_FILE", "" if PRODUCTION else str(VAR_DIR / "keys" / "platform-sm2.pem")
)

GGZY_SITE_NAME = os.environ.get("GGZY_SITE_NAME", "山西省公共资源交易平台")
GGZY_PROVINCE_CODE = os.environ.get("GGZY_PROVINCE_CODE", "140000")

# --- open data (docs/opendata.md) ------------------------------------------------------------------
# OCDS ocids are "ocds-" + this publisher prefix + "-" + the project code. Register a prefix with
# the Open Contracting Partnership before publishing; "ggzy14" is a placeholder for Shanxi.
GGZY_OCDS_PREFIX = os.environ.get("GGZY_OCDS_PREFIX", "ggzy14")
GGZY_OCDS_PUBLISHER = os.environ.get("GGZY_OCDS_PUBLISHER", GGZY_SITE_NAME)
GGZY_PUBLIC_BASE_URL = os.environ.get("GGZY_PUBLIC_BASE_URL", "http://127.0.0.1:8000")
# The 交易系统标识码 the national platform assigned to this platform (PLATFORM_CODE of every row).
GGZY_NATIONAL_PLATFORM_CODE = os.environ.get("GGZY_NATIONAL_PLATFORM_CODE", "")
# Monthly bulk files (ggzy opendata dump) are written here and served from the downloads page.
GGZY_OPENDATA_DIR = Path(os.environ.get("GGZY_OPENDATA_DIR", VAR_DIR / "opendata"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("GGZY_LOG_LEVEL", "WARNING")},
}
