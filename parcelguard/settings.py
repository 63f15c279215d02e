"""ParcelGuard settings: one file, driven by environment variables (see .env.example)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


DEBUG = env_bool("PARCELGUARD_DEBUG", False)
SECRET_KEY = env("PARCELGUARD_SECRET_KEY", "insecure-development-key-change-me-" + "x" * 20)
ALLOWED_HOSTS = [h for h in env("PARCELGUARD_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in env("PARCELGUARD_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

# The authority running this installation, shown in the header and on documents.
PARCELGUARD_AUTHORITY_NAME = env("PARCELGUARD_AUTHORITY_NAME", "莆田市邮政管理局")
# Who issues documents, per body (parcelguard/documents/issuers.py, docs/documents.md): names, number
# abbreviations, and the bureau's reconsideration body, court and payment route. JSON.
DOCUMENT_ISSUERS = json.loads(env("PARCELGUARD_DOCUMENT_ISSUERS", "{}"))

DATA_DIR = Path(env("PARCELGUARD_DATA_DIR", str(BASE_DIR / "var")))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",  # serves Swagger UI's assets locally instead of from a CDN
    "django_tasks_db",
    "parcelguard.core",
    "parcelguard.accounts",
    "parcelguard.registry",
    "parcelguard.trail",
    "parcelguard.evidence",
    "parcelguard.documents",
    "parcelguard.events",
    "parcelguard.privacy",
    "parcelguard.parcels",
    "parcelguard.analytics",
    "parcelguard.selfcheck",
    "parcelguard.inspections",
    "parcelguard.oversight",
    "parcelguard.credit",
    "parcelguard.assessment",
    "parcelguard.training",
    "parcelguard.emergency",
    "parcelguard.partners",
    "parcelguard.video",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "parcelguard.core.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "parcelguard.urls"
WSGI_APPLICATION = "parcelguard.wsgi.application"
ASGI_APPLICATION = "parcelguard.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "parcelguard" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "parcelguard.core.context_processors.platform",
            ],
        },
    }
]


def _database() -> dict[str, object]:
    """PostgreSQL when DATABASE_URL or the standard PG* variables say so; SQLite (WAL) otherwise."""
    url = env("DATABASE_URL")
    if url:
        return dict(dj_database_url.parse(url, conn_max_age=60))
    if env("DB_ENGINE") == "postgres" or env("PGDATABASE"):
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": env("PGDATABASE", "parcelguard"),
            "USER": env("PGUSER", "postgres"),
            "PASSWORD": env("PGPASSWORD"),
            "HOST": env("PGHOST", "127.0.0.1"),
            "PORT": env("PGPORT", "5432"),
            "CONN_MAX_AGE": 60,
        }
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": env("SQLITE_PATH", str(DATA_DIR / "parcelguard.sqlite3")),
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        },
    }


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Covering indexes (INCLUDE) serve the dashboards on PostgreSQL; SQLite builds them as plain indexes.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = ["parcelguard.accounts.backends.LockoutModelBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Log-in throttling (accounts/backends.py): per client address and user name, and per client address;
# never a lock on the account itself. Counted in the database, shared by every server process.
LOGIN_MAX_FAILURES = env_int("PARCELGUARD_LOGIN_MAX_FAILURES", 5)
LOGIN_MAX_FAILURES_PER_CLIENT = env_int("PARCELGUARD_LOGIN_MAX_FAILURES_PER_CLIENT", 30)
LOGIN_LOCKOUT_MINUTES = env_int("PARCELGUARD_LOGIN_LOCKOUT_MINUTES", 15)
# Reverse proxies whose X-Forwarded-For is believed (addresses or networks, comma-separated). Rate limits
# and the trail key on the client behind them; with none listed, on the socket peer.
TRUSTED_PROXIES = [p.strip() for p in env("PARCELGUARD_TRUSTED_PROXIES", "").split(",") if p.strip()]
SESSION_COOKIE_AGE = env_int("PARCELGUARD_SESSION_SECONDS", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_SAVE_EVERY_REQUEST = False  # an absolute 8-hour session; no session write on every request
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # the pages read the CSRF token from the markup, never from the cookie

# Production: PARCELGUARD_HTTPS=true when the platform is reached over HTTPS (directly or through a
# TLS-terminating proxy listed in TRUSTED_PROXIES, which must set X-Forwarded-Proto and strip a
# client's own). Then cookies are Secure and HSTS is sent; see docs/security.md "Production settings".
HTTPS = env_bool("PARCELGUARD_HTTPS", False)
SESSION_COOKIE_SECURE = HTTPS or env_bool("PARCELGUARD_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS and TRUSTED_PROXIES else None
SECURE_SSL_REDIRECT = HTTPS and env_bool("PARCELGUARD_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("PARCELGUARD_HSTS_SECONDS", 365 * 24 * 3600) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("PARCELGUARD_HSTS_SUBDOMAINS", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Django's built-in Content-Security-Policy: scripts and styles only from the platform's own static
# files (no inline script, no event-handler attributes, no eval); style *attributes* are allowed (the
# charts and a few tables set them), style elements are not. Nothing is loaded from another origin.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "style-src-attr": [CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "media-src": [CSP.SELF, "blob:"],
    "font-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "worker-src": [CSP.SELF, "blob:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "parcelguard" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env("PARCELGUARD_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "parcelguard" / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("PARCELGUARD_MEDIA_ROOT", str(DATA_DIR / "media")))

STORAGES = {
    # Evidence files go here: local disk by default; any Django storage backend (e.g. an S3-compatible
    # store through a backend you install) by PARCELGUARD_STORAGE_BACKEND + PARCELGUARD_STORAGE_OPTIONS (JSON).
    "default": {"BACKEND": env("PARCELGUARD_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage"),
                "OPTIONS": json.loads(env("PARCELGUARD_STORAGE_OPTIONS", "{}"))},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True  # serve straight from the app folders when collectstatic has not run

# Uploads: imports are capped here, and a larger request is refused before it is read.
IMPORT_MAX_BYTES = env_int("PARCELGUARD_IMPORT_MAX_BYTES", 20 * 1024 * 1024)
# An import preview's upload waits at most this long for confirmation (scheduled purge_import_spool).
IMPORT_SPOOL_MAX_AGE = env_int("PARCELGUARD_IMPORT_SPOOL_MAX_AGE", 3600)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# The default cache: LocMem per process unless configured (it holds only recomputable figures). Rate
# limits do not use it: they count in the database (core.ratelimit), shared by every process.
CACHES = {"default": {"BACKEND": env("PARCELGUARD_CACHE_BACKEND", "django.core.cache.backends.locmem.LocMemCache"),
                      "LOCATION": env("PARCELGUARD_CACHE_LOCATION", "parcelguard")}}
# The public tip-off page: submissions per client address (behind TRUSTED_PROXIES) per window.
TIPOFF_RATE_LIMIT = env_int("PARCELGUARD_TIPOFF_RATE_LIMIT", 5)
TIPOFF_RATE_WINDOW = env_int("PARCELGUARD_TIPOFF_RATE_WINDOW", 3600)

# A task RUNNING under a worker on another host for longer than this is taken as orphaned and run again
# (core/orphans.py); on the worker's own host a dead pid is detected at once.
TASK_STALE_SECONDS = env_int("PARCELGUARD_TASK_STALE_SECONDS", 6 * 3600)

# The remote video library (docs/video.md): the media gateway class and its options. By default the
# nginx-RTMP server that `parcelguard serve` starts on loopback (`parcelguard media`), its run folder
# (config, HLS, recordings) under the data folder. Signed stream URLs live URL_TTL seconds.
VIDEO = {
    "GATEWAY": env("PARCELGUARD_VIDEO_GATEWAY", "parcelguard.video.gateway.NginxRtmpGateway"),
    "ROOT": env("PARCELGUARD_VIDEO_ROOT", str(DATA_DIR / "mediaserver")),
    "RTMP_PORT": env_int("PARCELGUARD_VIDEO_RTMP_PORT", 19350),
    "HTTP_PORT": env_int("PARCELGUARD_VIDEO_HTTP_PORT", 18080),
    "RECORD_INTERVAL": env_int("PARCELGUARD_VIDEO_RECORD_INTERVAL", 60),
}
VIDEO_URL_TTL = env_int("PARCELGUARD_VIDEO_URL_TTL", 600)
VIDEO_RETENTION_DAYS = env_int("PARCELGUARD_VIDEO_RETENTION_DAYS", 30)

TASKS = {
    "default": {
        "BACKEND": env("PARCELGUARD_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# Key for the keyed hashes (HMAC-SHA256) of sender ID numbers; never the raw number.
ID_HASH_KEY = env("PARCELGUARD_ID_HASH_KEY", "development-id-hash-key")

# Emergency management (应急管理): the time limits of an incident's steps, in minutes (首报 after the
# occurrence, the county forwards to the city, the city takes charge), and a plan's longest validity.
EMERGENCY_REPORT_MINUTES = env_int("PARCELGUARD_EMERGENCY_REPORT_MINUTES", 60)
EMERGENCY_FORWARD_MINUTES = env_int("PARCELGUARD_EMERGENCY_FORWARD_MINUTES", 30)
EMERGENCY_TAKE_CHARGE_MINUTES = env_int("PARCELGUARD_EMERGENCY_TAKE_CHARGE_MINUTES", 60)
EMERGENCY_PLAN_VALID_YEARS = 3
EMERGENCY_PLAN_WARN_DAYS = 30

# Pagination defaults for lists and the API.
PAGE_SIZE = 25
API_MAX_PAGE_SIZE = 200

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_pii": {"()": "parcelguard.core.logging.RedactPersonalData"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact_pii"]},
    },
    "root": {"handlers": ["console"], "level": env("PARCELGUARD_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "weasyprint": {"level": "WARNING"},
                "fontTools": {"level": "WARNING"}},
}
