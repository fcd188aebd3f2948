"""One settings module, read from the environment, with an embedded default that needs no server.

Unset `DATABASE_URL` means SQLite under `var/`; unset `REDIS_URL` means kombu's filesystem broker
under `var/`. Production sets `DEBUG=0`, `SECRET_KEY`, `ALLOWED_HOSTS`, `DATABASE_URL`, `REDIS_URL`.
"""

import datetime as dt
import os
import warnings
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from sosa_portal.lib.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent
VAR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_map(name: str, default: str) -> dict[str, str]:
    """'IN=a@b,US=c@d' → {"IN": "a@b", "US": "c@d"}; an entry without a value is left out."""
    pairs = (item.partition("=") for item in env_list(name, default))
    return {key.strip().upper(): value.strip() for key, _, value in pairs if value.strip()}


DEBUG = env_bool("DEBUG", True)
DEV_SECRET_KEY = "dev-only-insecure-key-change-me"
SECRET_KEY = os.environ.get("SECRET_KEY") or DEV_SECRET_KEY  # empty counts as unset
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", "")  # old keys, still accepted (rotation)
# The dev key, and any key still saying "change-me" (.env.example's placeholder), are public.
if not DEBUG and "change-me" in SECRET_KEY.lower():
    raise ImproperlyConfigured(
        "Set SECRET_KEY to a long random string: refusing to run with DEBUG=0 and "
        + ("the dev key." if SECRET_KEY == DEV_SECRET_KEY else "the placeholder key.")
    )
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
CSRF_FAILURE_VIEW = "sosa_portal.errors.csrf_failure"  # refused, but never a dead end

# HTTPS and security headers (SECURITY.md). Headers that cost nothing apply everywhere; the ones
# that need HTTPS apply with DEBUG=0, so `manage.py check --deploy` reports nothing in production.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    # Only behind a proxy that sets X-Forwarded-Proto itself and strips it from clients.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^(healthz(/live|/ready)?|metrics)$"]  # probes, scrapers: plain HTTP
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 60 * 60)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    # Off only for `make run`, which serves plain http on this machine.
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)

# Content security policy (django-csp 4): the site itself only, in every environment. Pages
# carry no inline script or style; only the Swagger UI view (sosa_portal/urls.py) adds a nonce
# for its inline script and style and `data:` images.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

INSTALLED_APPS = [
    "partners.apps.PortalAdminConfig",  # Django's admin, behind the second factor
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",  # recovery codes
    "axes",
    "csp",
    "partners",
    "requests_app",
]

MIDDLEWARE = [
    "sosa_portal.metrics.MetricsMiddleware",  # counts every answer, errors included (/metrics)
    "sosa_portal.lib.logs.RequestLogMiddleware",  # a request id, one line per request
    "sosa_portal.errors.ApiErrorsMiddleware",  # outermost: sees every error under /api/
    "django.middleware.security.SecurityMiddleware",
    "sosa_portal.lib.nul.RefuseNulMiddleware",  # a NUL in a parameter: 400, never a DB error
    "sosa_portal.lib.uploads.UploadSizeMiddleware",  # an oversized body: 413, unread
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "partners.accounts.middleware.SlidingSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",  # the language cookie, else Accept-Language
    "sosa_portal.errors.CommonMiddleware",  # Django's, never redirecting an API path
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "partners.accounts.middleware.TwoFactorMiddleware",
    "partners.accounts.middleware.UserTimeZoneMiddleware",
    "partners.accounts.middleware.NoStoreForSignedInMiddleware",
    "partners.accounts.throttles.PagesPerPersonMiddleware",  # pages, as the API per token
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a lock-out into the locked-out page
]

ROOT_URLCONF = "sosa_portal.urls"
WSGI_APPLICATION = "sosa_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "requests_app.web.context_processors.portal",
            ],
        },
    },
]

# Database: PostgreSQL when DATABASE_URL is set, otherwise SQLite under var/.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR / 'sosa.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
        disable_server_side_cursors=env_bool("DISABLE_SERVER_SIDE_CURSORS", False),  # PgBouncer
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default serves a web process, a worker and beat at once. Writers queue
    # instead of failing with "database is locked": every transaction takes the write lock
    # when it begins (IMMEDIATE, so it never has to upgrade a read lock mid-way, which SQLite
    # refuses at once), waits up to 20 s for it, and WAL lets readers run beside the writer.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# English (British dates) or Hindi, switched in every page's header; `make` compiles locale/.
LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en-gb", "English"), ("hi", "हिन्दी")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["sosa_portal.formats"]  # one date format per kind of value, both languages
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR / "staticfiles"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns at every start without it
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR / "media"))
# DEBUG=0: collectstatic's hashed names; before it has run, the plain names, served by WhiteNoise
# from the source folders (sosa_portal.lib.static), with a warning at start.
STATIC_MANIFEST = not DEBUG and (STATIC_ROOT / "staticfiles.json").exists()
if not DEBUG and not STATIC_MANIFEST:
    WHITENOISE_USE_FINDERS = True
    warnings.warn(
        f"No static manifest in {STATIC_ROOT}: serving unhashed static files. "
        "Run `manage.py collectstatic` for cacheable names.",
        RuntimeWarning,
        stacklevel=1,
    )
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "sosa_portal.lib.static.StaticStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

# Sign-in (DESIGN §8). Sessions end after 8 hours without a request: SlidingSessionMiddleware
# renews the session and its cookie when the last renewal is a minute old, so SESSION_COOKIE_AGE
# is an idle timeout, not a day length, at one write a minute instead of one per request.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 60 * 60)))
SOSA_SESSION_RENEW_SECONDS = int(os.environ.get("SOSA_SESSION_RENEW_SECONDS", "60"))
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", False)

# Lock-out after repeated failures (django-axes): 5 failures of one user name from one address
# lock that pair for 30 minutes. The lock-out backend goes first.
AUTHENTICATION_BACKENDS = [
    "partners.accounts.backends.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = dt.timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "partners.accounts.views.locked_out"
# Beside the lock of one user name from one address: failed sign-ins per address over 15 minutes
# (password spraying), reset mails per hour; pages per person per minute.
SOSA_SIGNIN_FAILURES_PER_ADDRESS = int(os.environ.get("SOSA_SIGNIN_FAILURES_PER_ADDRESS", "20"))
SOSA_PASSWORD_RESETS_PER_EMAIL = int(os.environ.get("SOSA_PASSWORD_RESETS_PER_EMAIL", "3"))
SOSA_PASSWORD_RESETS_PER_ADDRESS = int(os.environ.get("SOSA_PASSWORD_RESETS_PER_ADDRESS", "10"))
SOSA_PAGES_PER_MINUTE = int(os.environ.get("SOSA_PAGES_PER_MINUTE", "300"))  # per person; 0: off
SOSA_EXPORT_MAX_ROWS = int(os.environ.get("SOSA_EXPORT_MAX_ROWS", "10000"))  # one CSV, at most
# The address is REMOTE_ADDR: behind a reverse proxy the pair becomes user name + proxy.
# The audit log (partners/accounts/audit.py) records the last X-Forwarded-For hop instead when
# this is on: set it only behind a proxy that appends that header (clients can forge the rest).
SOSA_TRUST_X_FORWARDED_FOR = env_bool("SOSA_TRUST_X_FORWARDED_FOR", False)

# Second factor (django-otp) for these roles and staff, or all; set up with an admin's invitation.
SOSA_2FA_ROLES = ("liaison", "reviewer")
SOSA_REQUIRE_2FA_FOR_ALL = env_bool("SOSA_REQUIRE_2FA_FOR_ALL", False)
SOSA_2FA_INVITE_HOURS = int(os.environ.get("SOSA_2FA_INVITE_HOURS", "72"))
SOSA_DEMO = env_bool("SOSA_DEMO", False)
SOSA_DEMO_SKIP_2FA = env_bool("SOSA_DEMO_SKIP_2FA", DEBUG or SOSA_DEMO)  # never in production
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "SOSA Portal")

# E-mail: EMAIL_URL-style settings kept explicit. The embedded default keeps each message in
# var/mail/ and prints one line per message on the worker's console (sosa_portal.lib.mail).
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "sosa_portal.lib.mail.FileAndConsoleBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(VAR / "mail"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "sosa-portal@localhost")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

# Celery: Redis when REDIS_URL is set, otherwise kombu's filesystem transport (one host, no server).
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(VAR / "broker" / "queue"),
        "data_folder_out": str(VAR / "broker" / "queue"),  # the same folder: one host
        "processed_folder": str(VAR / "broker" / "processed"),
        "control_folder": str(VAR / "broker" / "control"),
        "store_processed": False,
        # Kombu polls the folder; at its default (1 s) a worker takes one message a second and
        # the demo's seeded notices hold a posture recount back for minutes.
        "polling_interval": 0.1,
    }
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR / "celerybeat-schedule")
CELERY_TIMEZONE = "UTC"
# A publish must not hang a web request when the broker is down: the outbox catches up later.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 0.5,
}
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_QUEUE", "celery")
CELERY_WORKER_HIJACK_ROOT_LOGGER = False  # the workers log JSON lines too (LOGGING below)
# Webhook deliveries have a queue (and in production a worker pool) of their own: a slow or dead
# destination never delays a notice.
# Empty: the default queue's name + "-webhooks" (sosa_portal.celery.route_task).
CELERY_WEBHOOK_QUEUE = os.environ.get("CELERY_WEBHOOK_QUEUE", "")
CELERY_TASK_ROUTES = ("sosa_portal.celery.route_task",)
# How often beat sweeps the clocks and re-sends what is still unsent (seconds).
SOSA_BEAT_SECONDS = float(os.environ.get("SOSA_BEAT_SECONDS", "60"))
CELERY_BEAT_SCHEDULE = {
    name: {"task": f"requests_app.tasks.{task}", "schedule": SOSA_BEAT_SECONDS}
    for name, task in (
        ("sweep-deadlines", "sweep_deadlines"),
        ("resend-unsent-notifications", "resend_unsent"),
        ("resend-webhooks", "resend_webhooks"),
    )
}
CELERY_BEAT_SCHEDULE |= {
    # On the quarter hour: each person's digest goes out in the first run at or after their
    # local digest hour (time zones with a half-hour offset included).
    "send-digests": {"task": "requests_app.tasks.send_digests", "schedule": crontab(minute="*/15")},
}

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "requests_app.api.openapi.PortalSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "requests_app.api.auth.HashedTokenAuthentication",
        "requests_app.api.auth.VerifiedSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # orjson: the same compact UTF-8 JSON as DRF's renderer, several times faster.
    "DEFAULT_RENDERER_CLASSES": ["drf_orjson_renderer.renderers.ORJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["requests_app.api.parsers.StrictJSONParser"],
    "DEFAULT_THROTTLE_CLASSES": ["requests_app.api.throttling.TokenRateThrottle"],
    # Per token (per user for browser sessions).
    "DEFAULT_THROTTLE_RATES": {"api": os.environ.get("API_RATE", "1200/min")},
    "EXCEPTION_HANDLER": "requests_app.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "SOSA Portal API",
    "DESCRIPTION": (
        "Priority-support requests under a Security of Supply Arrangement. Authenticate with "
        '`Authorization: Token <key>`. Errors are `{"errors": {field: [messages]}}`.'
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",  # self-hosted: no CDN
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # 3.1: `null` is a type, so a nullable reference validates strictly (3.0's `nullable`
    # beside an `allOf` does not).
    "OAS_VERSION": "3.1.0",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "requests_app.api.openapi.complete_the_contract",
    ],
}

# Cache: Redis when REDIS_URL is set (shared by all web processes: throttling), else local.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# API tokens one person may hold at once (unrevoked and unexpired).
SOSA_MAX_TOKENS_PER_USER = int(os.environ.get("SOSA_MAX_TOKENS_PER_USER", "20"))
# Webhooks go to public addresses only; a closed network where agency systems live on private
# addresses lists those networks here ("10.20.0.0/16,fd00:1::/64").
SOSA_WEBHOOK_ALLOWED_NETWORKS = env_list("SOSA_WEBHOOK_ALLOWED_NETWORKS", "")
# Webhooks must not crowd out notices: active webhooks per agency, deliveries of one agency in
# flight at once, and the circuit breaker (failures in a row, then a rest in seconds).
SOSA_WEBHOOKS_PER_AGENCY = int(os.environ.get("SOSA_WEBHOOKS_PER_AGENCY", "10"))
SOSA_WEBHOOK_IN_FLIGHT_PER_AGENCY = int(os.environ.get("SOSA_WEBHOOK_IN_FLIGHT_PER_AGENCY", "4"))
SOSA_WEBHOOK_BREAKER_FAILURES = int(os.environ.get("SOSA_WEBHOOK_BREAKER_FAILURES", "5"))
SOSA_WEBHOOK_BREAKER_PAUSE_SECONDS = int(
    os.environ.get("SOSA_WEBHOOK_BREAKER_PAUSE_SECONDS", "600")
)
SOSA_OUTBOX_GRACE_SECONDS = int(os.environ.get("SOSA_OUTBOX_GRACE_SECONDS", "30"))
# How long a worker's claim on an outbox row holds before another may send it again; 0: each
# channel's own (notices 5 min, webhook deliveries 1 min). Longer than any send takes.
SOSA_OUTBOX_LEASE_SECONDS = int(os.environ.get("SOSA_OUTBOX_LEASE_SECONDS", "0"))
SOSA_HEALTH_LIMITS = env_map("SOSA_HEALTH_LIMITS", "")  # /healthz, s: sosa_portal/health.py
# Who may read /metrics (sosa_portal/metrics.py): these networks, or a bearer token.
SOSA_METRICS_ALLOWED_NETWORKS = env_list("SOSA_METRICS_ALLOWED_NETWORKS", "127.0.0.1/32,::1/128")
SOSA_METRICS_TOKEN = os.environ.get("SOSA_METRICS_TOKEN", "")

# Attachments: size cap (bytes); types are checked by content (requests_app/services/).
SOSA_ATTACHMENT_MAX_BYTES = int(os.environ.get("SOSA_ATTACHMENT_MAX_BYTES", str(10 * 1024 * 1024)))
# A body announced larger is a 413, unread; a file stops being kept once larger than
# SOSA_ATTACHMENT_MAX_BYTES (sosa_portal.lib.uploads).
SOSA_UPLOAD_MAX_BYTES = int(os.environ.get("SOSA_UPLOAD_MAX_BYTES", str(51 * 1024 * 1024)))
FILE_UPLOAD_HANDLERS = [
    "sosa_portal.lib.uploads.SizeLimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # non-file request bodies

# Deadlines (DESIGN §5): working days per stage. Override a stage with SOSA_SLA_OVERRIDES.
SOSA_SLA_OVERRIDES: dict = {}

# A banner at the top and bottom of every page, e.g. "CUI" for deployments that handle
# controlled unclassified information (DoDI 5200.48). Empty: no banner.
SOSA_CUI_BANNER = os.environ.get("SOSA_CUI_BANNER", "")

# /help/: whom people write to for help, accessibility problems included. SOSA_HELP_EMAIL is the
# portal's own help desk; SOSA_HELP_CONTACTS maps a nation's ISO code to its own help address
# ("IN=sosa-help@your-mod.example,US=…"; a nation without one shows SOSA_HELP_EMAIL). Nations have
# no address field: a deployment configures this, no migration. The defaults are demo
# placeholders on the reserved `.example` domain, which no mail reaches: set your own.
_demo_nations = (
    "US", "AU", "CA", "DE", "DK", "EE", "ES", "FI", "GB", "IL",
    "IN", "IT", "JP", "KR", "LT", "LV", "NL", "NO", "SE", "SG",
)  # fmt: skip
SOSA_HELP_EMAIL = os.environ.get("SOSA_HELP_EMAIL", "sosa-help@portal.example")
SOSA_HELP_CONTACTS = env_map(
    "SOSA_HELP_CONTACTS",
    ",".join(f"{code}=sosa-help@defence.{code.lower()}.example" for code in _demo_nations),
)

DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "sosa-demo-pass")  # the demo data

# JSON lines with a request id, actor and reference (sosa_portal/lib/logs.py, the event catalogue
# in docs/ops/logging.md); LOG_FORMAT=console for lines a person reads at a terminal.
LOGGING = logging_config(os.environ.get("LOG_LEVEL", "INFO"), os.environ.get("LOG_FORMAT", "json"))
