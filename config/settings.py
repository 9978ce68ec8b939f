"""Settings for every runtime mode, read from the environment.

- nothing set: the embedded mode. SQLite, the in-memory channel layer, and Celery on
  kombu's filesystem transport, so a bare machine needs no server.
- DATABASE_URL / REDIS_URL: PostgreSQL, channels_redis and Redis as the Celery broker.
- DJANGO_ENV=production: refuses to start without SECRET_KEY and ALLOWED_HOSTS and turns
  on every deployment safeguard (`manage.py check --deploy` reports nothing).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured

from config.csp import POLICY

# Lets admin and form classes be subscripted with their model at run time, for mypy.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PARLEY_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_whole(name: str, default: int) -> int:
    """A whole number of at least 1 (hours, days) from the environment."""
    value = os.environ.get(name) or str(default)
    if not value.isdigit() or int(value) < 1:
        raise ImproperlyConfigured(f"{name} must be a whole number of at least 1, not {value!r}.")
    return int(value)


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


PRODUCTION = os.environ.get("DJANGO_ENV", "").lower() == "production"


def var_private(folder: Path) -> None:
    """The embedded mode's data folder holds caucus text (the database, the broker's
    queued tasks, e-mails): only its owner may enter it, whatever the umask made of the
    files inside."""
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    for database in folder.glob("*.sqlite3*"):
        database.chmod(0o600)


if PRODUCTION:
    SECRET_KEY = os.environ.get("SECRET_KEY", "")
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured(
            "DJANGO_ENV=production needs SECRET_KEY: a random string of 50 or more characters."
        )
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "DJANGO_ENV=production needs ALLOWED_HOSTS, e.g. ALLOWED_HOSTS=parley.example.org."
        )
    DEBUG = False
else:
    SECRET_KEY = os.environ.get(
        "SECRET_KEY", "django-insecure-parley-development-key-not-for-any-real-mediation"
    )
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
    # Off unless asked for: the run command serves real mediations, and Django's debug
    # pages show settings, URL patterns and local variables (caucus text among them).
    DEBUG = env_bool("DJANGO_DEBUG", False)

CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# The public address used in links sent by e-mail (invitations).
PARLEY_BASE_URL = os.environ.get("PARLEY_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "channels",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accounts",
    "negotiation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.csp.ParleyCSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.SessionTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "config" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------

DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    # Persistent connections, checked before reuse: opening one costs more than a query.
    DATABASES = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
    }
else:
    var_private(VAR_DIR)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "parley.sqlite3"),
            # Daphne, the worker and beat share the file: wait for locks instead of failing.
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
            # A file, not memory, so a live Daphne started by the browser tests sees it.
            "TEST": {"NAME": str(VAR_DIR / "test-parley.sqlite3")},
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# --- Redis: channel layer, cache, Celery broker -----------------------------------------

REDIS_URL = os.environ.get("REDIS_URL", "")
CHANNELS_PREFIX = os.environ.get("PARLEY_CHANNELS_PREFIX", "parley")

# Threads (each with its own database connection) that run one process's socket work
# against PostgreSQL, instead of Channels' one (negotiation/socket/db.py).
PARLEY_SOCKET_DB_THREADS = env_whole("PARLEY_SOCKET_DB_THREADS", 4)

CHANNEL_LAYERS: dict[str, dict[str, Any]]
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            # channels_redis, made to ride out a Redis restart (config/channel_layer.py).
            "BACKEND": "config.channel_layer.ResilientRedisChannelLayer",
            "CONFIG": {
                # Hundreds of sockets per process leave at once on a deploy: room enough.
                "hosts": [{"address": REDIS_URL, "max_connections": 2000}],
                "prefix": CHANNELS_PREFIX,
                # A socket joins its groups again on every heartbeat (browsers ping every
                # 15 s), so a membership not renewed for this long is a dead process's
                # socket: dropped, rather than sent every event for a day.
                "group_expiry": env_whole("PARLEY_CHANNEL_GROUP_EXPIRY", 300),
            },
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CHANNELS_PREFIX,
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE = {
    "sessions-clear-expired": {
        "task": "accounts.tasks.sessions_clear_expired",
        "schedule": 60 * 60,
    },
    "participants-expire": {
        "task": "negotiation.tasks.participants_expire",
        "schedule": 60,
    },
    "breaks-end": {
        "task": "negotiation.tasks.breaks_end_sweep",
        "schedule": 30,
    },
    "parked-due": {
        "task": "negotiation.tasks.parked_due_sweep",
        "schedule": 60,
    },
    "mediators-absent": {
        "task": "negotiation.tasks.mediators_absent_sweep",
        "schedule": 15,
    },
    "mediations-purge": {
        "task": "negotiation.tasks.mediations_purge",
        "schedule": 60 * 60,
    },
    "session-reminders": {
        "task": "negotiation.tasks.session_reminders_sweep",
        "schedule": 60,
    },
    "deliveries-pending": {
        "task": "negotiation.tasks.deliveries_pending_sweep",
        "schedule": 5 * 60,
    },
    # The board's history: a snapshot of each room whose log moved since its last one.
    "snapshots": {
        "task": "negotiation.tasks.snapshots_sweep",
        "schedule": float(os.environ.get("PARLEY_SNAPSHOT_SECONDS", "300")),
    },
}
# Where tasks go unless routed: a name of its own lets a test's worker and beat share a
# broker with nothing else.
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("PARLEY_CELERY_QUEUE", "celery")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # Longer than any countdown (a break ends at most two hours ahead), so a task waiting
    # for its time is not handed out twice.
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, Any] = {"visibility_timeout": 3 * 3600}
else:
    CELERY_BROKER_DIR = Path(os.environ.get("CELERY_BROKER_DIR", VAR_DIR / "celery-broker"))
    (CELERY_BROKER_DIR / "control").mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://localhost/"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR),
        "data_folder_out": str(CELERY_BROKER_DIR),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
    }

# --- Auth -----------------------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# One backend, so one sign-in rate limit for the API, the admin and anything else.
AUTHENTICATION_BACKENDS = ["accounts.backends.RateLimitedModelBackend"]
LOGIN_URL = "/signin"
# A session ends after this long without use (a request, or a command on one of its
# sockets): 12 hours holds a whole mediation day, with its hours of listening and of the
# other side's caucuses, and still signs out a device left signed in overnight.
PARLEY_SESSION_IDLE_SECONDS = 3600 * env_whole("PARLEY_SESSION_IDLE_HOURS", 12)
# And this long after signing in, however busy: a mediation runs over days, seldom over a
# week; a party signs in again with a fresh link, a mediator with their password.
PARLEY_SESSION_ABSOLUTE_SECONDS = 86400 * env_whole("PARLEY_SESSION_MAX_DAYS", 7)
# A use is recorded at most this often (a write to the session store).
PARLEY_SESSION_TOUCH_SECONDS = 300
# The cookie and the stored session last no longer than the absolute limit.
SESSION_COOKIE_AGE = PARLEY_SESSION_ABSOLUTE_SECONDS
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# A closed mediation is deleted entirely this many days after it was closed: long enough
# to come back for the agreement's wording or a question about what was settled, short
# enough that the caucus record (what each side said in confidence) does not linger.
PARLEY_RETENTION_DAYS = env_whole("PARLEY_RETENTION_DAYS", 90)

# Documents shared in a mediation (negotiation/services/documents.py). Their bytes are
# kept outside the web root (never under STATIC_ROOT or the front end's build) and are
# served only through a view that asks the permissions module. The folder holds what a
# side shares in private, so only its owner may enter it.
PARLEY_DOCUMENTS_DIR = Path(os.environ.get("PARLEY_DOCUMENTS_DIR", VAR_DIR / "documents"))
# The largest document taken, in megabytes (a scanned statement or a spreadsheet fits).
PARLEY_DOCUMENT_MAX_MB = env_whole("PARLEY_DOCUMENT_MAX_MB", 10)
# The kinds taken, by the names in negotiation/document_types.py; all of them unless set.
PARLEY_DOCUMENT_TYPES = env_list(
    "PARLEY_DOCUMENT_TYPES", "pdf,png,jpeg,webp,docx,xlsx,pptx,odt,ods,txt,csv"
)

PARLEY_INVITATION_TTL_DAYS = int(os.environ.get("PARLEY_INVITATION_TTL_DAYS", "7"))
# Failed sign-ins allowed per e-mail address and per client address in the window.
PARLEY_SIGNIN_FAILURES_PER_EMAIL = 5
PARLEY_SIGNIN_FAILURES_PER_CLIENT = 20
PARLEY_SIGNIN_WINDOW_SECONDS = 15 * 60

# --- REST API -------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + ([] if PRODUCTION else ["rest_framework.renderers.BrowsableAPIRenderer"]),
    "DEFAULT_PARSER_CLASSES": ["config.json_input.BoundedJSONParser"],
    "DEFAULT_SCHEMA_CLASS": "config.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "config.rest.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"invitation": "30/minute"},
    # Throttles count REMOTE_ADDR and never a client's own X-Forwarded-For. Behind the
    # bundled proxy, Daphne (--proxy-headers) sets REMOTE_ADDR from the header the proxy
    # writes; nothing else reaches Daphne there.
    "NUM_PROXIES": 0,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Parley API",
    "DESCRIPTION": "The negotiation board for mediation: mediations, sides, participants, "
    "invitations.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI served from our own static files, not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "MediationStatusEnum": "negotiation.models.mediation.Mediation.Status",
        "ProposalStatusEnum": "negotiation.models.board.Proposal.Status",
        "CaucusStatusEnum": "negotiation.models.caucus.CaucusSession.Status",
        "ReleaseStatusEnum": "negotiation.models.caucus.ReleaseRequest.Status",
        "ReleaseModeEnum": "negotiation.models.caucus.ReleaseRequest.Mode",
        "AttributionEnum": "negotiation.models.caucus.ReleaseRequest.Attribution",
        "ConfidentialityRuleEnum": "negotiation.models.mediation.ConfidentialityRule",
        # An issue's lane and the lane a parked card came from are one choice set.
        "LaneEnum": "negotiation.models.board.Lane",
        "DecisionKindEnum": "negotiation.models.board.Decision.Kind",
        "DecisionStatusEnum": "negotiation.models.board.Decision.Status",
    },
}

# --- Static files and the front end ------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
FRONTEND_DIST = BASE_DIR / "frontend" / "dist"
STATICFILES_DIRS = [FRONTEND_DIST] if FRONTEND_DIST.is_dir() else []


def outside_web_root(folder: Path, *web_roots: Path) -> Path:
    """A folder of private files, refused when it lies in a folder served as is."""
    resolved = folder.resolve()
    for root in web_roots:
        if resolved == root.resolve() or root.resolve() in resolved.parents:
            raise ImproperlyConfigured(
                f"PARLEY_DOCUMENTS_DIR must be outside {root}: files there are served to anyone."
            )
    return folder


PARLEY_DOCUMENTS_DIR = outside_web_root(
    PARLEY_DOCUMENTS_DIR, STATIC_ROOT, FRONTEND_DIST, BASE_DIR / "frontend"
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Outside production, serve straight from the front end's build folder, no collectstatic.
WHITENOISE_USE_FINDERS = not PRODUCTION
# Without collected files (the run command serves the build folder), look files up as
# they are asked for.
WHITENOISE_AUTOREFRESH = DEBUG or not STATIC_ROOT.is_dir()

# --- E-mail ---------------------------------------------------------------------------

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Parley <parley@localhost>")

# --- Notices beyond the app: SMS, web push, batching, retries ------------------------

# A class with send(to, text): by default the log, as no SMS provider is configured.
PARLEY_SMS_BACKEND = os.environ.get("PARLEY_SMS_BACKEND", "negotiation.delivery.sms.LoggingBackend")
PARLEY_SMS_FOLDER = os.environ.get("PARLEY_SMS_FOLDER", str(VAR_DIR / "sms"))
# Web push is offered once both VAPID keys are set (`vapid --gen`, or py_vapid).
PARLEY_VAPID_PUBLIC_KEY = os.environ.get("PARLEY_VAPID_PUBLIC_KEY", "")
PARLEY_VAPID_PRIVATE_KEY = os.environ.get("PARLEY_VAPID_PRIVATE_KEY", "")
PARLEY_VAPID_SUBJECT = os.environ.get("PARLEY_VAPID_SUBJECT", "mailto:parley@localhost")
PARLEY_PUSH_BACKEND = os.environ.get(
    "PARLEY_PUSH_BACKEND", "negotiation.delivery.push.WebPushBackend"
)
# Notices that need no answer now wait this long, so that what follows joins them in one
# message; urgent ones wait only a moment (seen in the app meanwhile, they are not sent)
# and take the waiting ones along.
PARLEY_NOTICE_BATCH_SECONDS = env_whole("PARLEY_NOTICE_BATCH_SECONDS", 60)
PARLEY_NOTICE_URGENT_SECONDS = env_whole("PARLEY_NOTICE_URGENT_SECONDS", 10)
# The first retry of a failed send waits this long, doubling up to an hour.
PARLEY_DELIVERY_RETRY_SECONDS = env_whole("PARLEY_DELIVERY_RETRY_SECONDS", 30)
# How many times a failed send is retried before it is recorded as failed for the mediator.
PARLEY_DELIVERY_RETRIES = env_whole("PARLEY_DELIVERY_RETRIES", 8)

# --- Security -------------------------------------------------------------------------

CONTENT_SECURITY_POLICY = POLICY
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if not SECURE_SSL_REDIRECT:
        # TLS ends at the proxy in front; the deploy check cannot see that.
        SILENCED_SYSTEM_CHECKS = ["security.W008"]

# --- Locale ---------------------------------------------------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Logging --------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "daphne": {"level": "WARNING"},
    },
}
