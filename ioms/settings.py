"""Settings for the IOMS portal, read from the environment (see README)."""

import os
import sys
from pathlib import Path

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from ioms.env import database_from_url, envbool, envint, envlist

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = envbool("DJANGO_DEBUG", "False")
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG or os.environ.get("IOMS_ALLOW_DEV_SECRET") == "1":
        SECRET_KEY = "dev-only-insecure-key-never-use-in-production"
    else:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set (or DJANGO_DEBUG=true for development)")

ALLOWED_HOSTS = envlist("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = envlist("DJANGO_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "ioms.admin_site.IomsAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "audit",
    "staff",
    "offenders",
    "sentences",
    "casenotes",
    "documents",
    "agencies",
    "allocation",
    "classification",
    "plans",
    "demo",
    "courts",
    "reconciliation",
    "muster",
    "datashare",
    "inbox",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "audit.middleware.AuditContextMiddleware",
]

ROOT_URLCONF = "ioms.urls"
WSGI_APPLICATION = "ioms.wsgi.application"

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
                "staff.context_processors.staff_context",
            ],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL", "")
if not DATABASE_URL:
    raise ImproperlyConfigured(
        "DATABASE_URL is not set. Use `make run` / `make test`, which start an embedded PostgreSQL "
        "when it is unset, or export DATABASE_URL=postgres://user@host:5432/ioms."
    )
DATABASES = {"default": database_from_url(DATABASE_URL)}
# --- database connections (issue 11) ----------------------------------------------------------------
# The development server runs each request in a thread of its own that ends with it: a persistent
# connection outlives its thread (97 of PostgreSQL's 100 were held under `make run`), so there each
# request closes its connection and the process holds at most DB_MAX_CONNECTIONS_PER_PROCESS at once
# (ioms/postgresql). Under gunicorn's sync workers each worker keeps one: WEB_CONCURRENCY bounds them.
_DEVELOPMENT_SERVER = sys.argv[1:2] == ["runserver"]
DATABASES["default"]["ENGINE"] = "ioms.postgresql"
DATABASES["default"]["CONN_MAX_AGE"] = envint("IOMS_DB_CONN_MAX_AGE", "0" if _DEVELOPMENT_SERVER else "60")
DB_MAX_CONNECTIONS_PER_PROCESS = envint("IOMS_DB_MAX_CONNECTIONS", "10" if _DEVELOPMENT_SERVER else "0")
DB_CONNECTION_WAIT_SECONDS = envint("IOMS_DB_CONNECTION_WAIT_SECONDS", "30")
# --- end database connections -------------------------------------------------------------------------
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": os.environ.get("IOMS_CACHE_PREFIX", "ioms"),
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = envlist("IOMS_PASSWORD_HASHERS", "") or [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = envint("IOMS_SESSION_SECONDS", "28800")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = envbool("IOMS_SECURE_COOKIES", "False")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LANGUAGE_CODE = "en-nz"
TIME_ZONE = "Pacific/Auckland"
USE_I18N = True
USE_TZ = True
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"]

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Session only: logins go through the audited login page. Machines (the courts' system,
        # data-share partners) get credentials of their own on their own endpoints.
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "ioms.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "ioms.api_errors.exception_handler",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "IOMS offender case-management API",
    "DESCRIPTION": "Records of offenders under sentence. Every request requires authentication; "
    "every read of an offender's record and every change is audited.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
}

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", REDIS_URL)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "create-pre-release-requests": {
        # Parole and release on conditions are allocated before release (seed 002).
        "task": "allocation.tasks.create_pre_release_requests",
        "schedule": crontab(hour=3, minute=0),
    },
    "requeue-court-messages": {
        # Messages stored while the broker or the workers were down are picked up again within a
        # minute or so (COURT_REQUEUE_AFTER_SECONDS after they arrived).
        "task": "courts.tasks.requeue_court_messages",
        "schedule": 60,
    },
    "scan-for-exceptions": {
        "task": "reconciliation.tasks.scan_for_exceptions",
        "schedule": crontab(hour=2, minute=30),  # nightly, New Zealand time (CELERY_TIMEZONE)
    },
    "commence-due-sentences": {
        "task": "sentences.tasks.commence_due_sentences",
        "schedule": 60 * 60,  # hourly: a sentence starting today is active within the hour
    },
    "notify-inbox-escalations": {
        # Managers hear once of each item of their team overdue beyond escalation (issue 6).
        "task": "inbox.tasks.notify_escalations",
        "schedule": crontab(hour=7, minute=0),
    },
    "refresh-review-schedules": {
        # Classification reviews due (seed 003, "When to use"; issue 5), after the nightly sentence work.
        "task": "classification.tasks.refresh_review_schedules",
        "schedule": crontab(hour=3, minute=30),
    },
}

# --- court interface (issue 11) ---------------------------------------------------------------------
# Per credential, counted in Redis; a busy minute is answered 429 with Retry-After. The endpoint
# carries live messages only (bulk loads go through manage.py import_court_messages), so these are
# far above a court system's live rate and are there to stop a runaway or stolen client.
COURT_RATE_PER_MINUTE = envint("IOMS_COURT_RATE_PER_MINUTE", "600")
COURT_QUOTA_PER_DAY = envint("IOMS_COURT_QUOTA_PER_DAY", "100000")
# How long the endpoint waits for Redis (the rate counter, the broker) before going on without it:
# the message is stored first, so a Redis outage costs the courts nothing but this wait.
COURT_REDIS_TIMEOUT_MS = envint("IOMS_COURT_REDIS_TIMEOUT_MS", "500")
COURT_CREDENTIAL_DAYS = envint("IOMS_COURT_CREDENTIAL_DAYS", "365")
COURT_CREDENTIAL_OVERLAP_DAYS = envint("IOMS_COURT_CREDENTIAL_OVERLAP_DAYS", "7")
# A message still RECEIVED this long after it arrived, never handed to the broker, is queued by the
# next sweep (every minute); one handed over but still not processed waits COURT_REQUEUE_QUEUED_AFTER.
COURT_REQUEUE_AFTER_SECONDS = envint("IOMS_COURT_REQUEUE_AFTER_SECONDS", "45")
COURT_REQUEUE_QUEUED_AFTER_SECONDS = envint("IOMS_COURT_REQUEUE_QUEUED_AFTER_SECONDS", "600")
# --- end court interface ------------------------------------------------------------------------------

MAILERS = {
    "default": {
        "BACKEND": os.environ.get("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"),
    }
}
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "ioms-noreply@corrections.example")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("IOMS_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # WeasyPrint reports each rendering step at INFO; only its warnings matter here.
        "weasyprint": {"level": "WARNING"},
        "weasyprint.progress": {"level": "WARNING"},
    },
}
