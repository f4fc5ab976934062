"""Settings for the IOMS portal, read from the environment (see README)."""

import datetime
import os
import re
import sys
from pathlib import Path

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from ioms.env import database_from_url, envbool, envint, envlist

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = envbool("DJANGO_DEBUG", "False")
# With DEBUG on, the portal's own 404 and 500 pages still answer (ioms/error_pages.py) unless this is on.
IOMS_DEBUG_TECHNICAL_PAGES = envbool("IOMS_DEBUG_TECHNICAL_PAGES", "False")
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
DEV_SECRET_KEY = "dev-only-insecure-key-never-use-in-production"
if not SECRET_KEY:
    if DEBUG or os.environ.get("IOMS_ALLOW_DEV_SECRET") == "1":
        SECRET_KEY = DEV_SECRET_KEY
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
    "events",
    "audit",
    "staff",
    "offenders",
    "sentences",
    "casenotes",
    "documents",
    "agencies",
    "conditions",
    "allocation",
    "classification",
    "plans",
    "appointments",
    "compliance",
    "demo",
    "courts",
    "reconciliation",
    "muster",
    "datashare",
    "records",
    "inbox",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "signin",  # after django_otp: signin/admin.py takes its devices out of the admin
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",  # SECURE_CSP below
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "ioms.http.HardeningHeadersMiddleware",  # after WhiteNoise: static files keep their caching
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # user.is_verified(): a code given in this session
    "signin.idle.SessionIdleMiddleware",  # ends an idle session before the login check below
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "signin.second_factor.SecondFactorMiddleware",  # a password alone reaches only the code pages
    "signin.acting.ActingUserMiddleware",  # who changed a password (signin/signals.py)
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "audit.middleware.AuditContextMiddleware",
    # With DEBUG on too, an unknown address or an error answers with the portal's 404 or 500 page.
    "ioms.error_pages.PortalErrorPagesMiddleware",
    # A refused restricted record answers 403 with the masked page and its break-glass link.
    "offenders.middleware.RestrictedRecordMiddleware",
    # Last, as its documentation asks: turns a sign-in refused by a lock into signin.views.locked_out.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ioms.urls"
# Who reacts to each domain event (events/domain.py). Named here, not imported by the events app:
# the registry is the composition root, which may import every app's handlers, as ROOT_URLCONF
# names the tree of every app's urls.
IOMS_EVENT_SUBSCRIBERS = "ioms.subscribers.SUBSCRIBERS"
WSGI_APPLICATION = "ioms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "builtins": ["ioms.templatetags.clock"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.staff_context",
                "signin.context_processors.idle_warning",
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
# --- database roles (issue 11) ----------------------------------------------------------------------
# The role the portal connects as (DATABASE_URL) when migrate runs as a separate owner: migrate grants
# it INSERT and SELECT only on the append-only tables (audit/db_roles.py, README: Database roles).
IOMS_DB_APP_ROLE = os.environ.get("IOMS_DB_APP_ROLE", "ioms_app")
if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", IOMS_DB_APP_ROLE):
    raise ImproperlyConfigured(f"IOMS_DB_APP_ROLE must be a lower-case SQL name, got {IOMS_DB_APP_ROLE!r}")
# --- end database roles -------------------------------------------------------------------------------
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

# --- Sign-in (issue 11) ---------------------------------------------------------------------------
# Lockout by django-axes (signin/lockout.py): a username is locked after IOMS_LOCKOUT_FAILURES
# failures from anywhere, an address after IOMS_LOCKOUT_FAILURES_PER_ADDRESS failures for any
# usernames, each for IOMS_LOCKOUT_MINUTES from the failure that set the lock.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked sign-in before the password
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "signin.lockout.LockoutHandler"
AXES_FAILURE_LIMIT = envint("IOMS_LOCKOUT_FAILURES", "5")
IOMS_LOCKOUT_FAILURES_PER_ADDRESS = envint("IOMS_LOCKOUT_FAILURES_PER_ADDRESS", "20")
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each on its own, not only the pair
AXES_COOLOFF_TIME = datetime.timedelta(minutes=envint("IOMS_LOCKOUT_MINUTES", "15"))
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "signin.views.locked_out"
AXES_ENABLE_ADMIN = False  # deleting attempts in the admin would be an unlock without an audit row
AXES_VERBOSE = False
# Behind a reverse proxy, the number of proxies whose X-Forwarded-For is trusted for the address.
AXES_IPWARE_PROXY_COUNT = envint("IOMS_TRUSTED_PROXY_COUNT", "0") or None
if AXES_IPWARE_PROXY_COUNT:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
# A session ends after this long without a request, within the absolute SESSION_COOKIE_AGE.
IOMS_IDLE_MINUTES = envint("IOMS_IDLE_MINUTES", "30")
IOMS_IDLE_WARNING_SECONDS = envint("IOMS_IDLE_WARNING_SECONDS", "120")
# Roles that must give a TOTP code after the password (staff.roles.Role values); anyone may set one up.
IOMS_OTP_REQUIRED_ROLES = envlist("IOMS_OTP_REQUIRED_ROLES", "system_admin")
OTP_TOTP_ISSUER = "IOMS"
IOMS_SUPPORT_CONTACT = os.environ.get("IOMS_SUPPORT_CONTACT", "the IOMS help desk")
# --- end of sign-in settings --------------------------------------------------------------------

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = envint("IOMS_SESSION_SECONDS", "28800")
SESSION_COOKIE_HTTPONLY = True

LANGUAGE_CODE = "en-nz"
TIME_ZONE = "Pacific/Auckland"
USE_I18N = True
USE_TZ = True
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"]
# Django has no en_NZ locale: its "en" formats (month first) would override the line above.
FORMAT_MODULE_PATH = ["ioms.formats"]

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
    # drf-spectacular's, documenting the error answers of every operation (issue 11).
    "DEFAULT_SCHEMA_CLASS": "ioms.api_schema.IomsAutoSchema",
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
    "seal-append-only-chains": {
        # Issue 11: the audit trail's hash chain follows the writes within a minute or two.
        "task": "audit.tasks.seal_append_only_chains",
        "schedule": 60,
    },
    "send-appointment-reminders": {
        # Reminders of tomorrow's appointments (appointments.reminders): each run sends those not
        # yet sent and retries the failed ones, so a missed run costs nothing but a delay.
        "task": "appointments.send_due_reminders",
        "schedule": 15 * 60,
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

DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "ioms-noreply@corrections.example")

# --- HTTP hardening and e-mail (issue 11; the variables are listed in README "Deploying") ----------
# A deployment runs with DEBUG off and a secret key of its own; development and tests run with DEBUG
# on or the development key (IOMS_ALLOW_DEV_SECRET=1, set by the make targets), over plain HTTP.
IOMS_PRODUCTION = not DEBUG and SECRET_KEY != DEV_SECRET_KEY
IOMS_HTTPS = envbool("IOMS_HTTPS", str(IOMS_PRODUCTION))
if IOMS_HTTPS:
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = envint("IOMS_HSTS_SECONDS", str(365 * 24 * 60 * 60))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("IOMS_HSTS_INCLUDE_SUBDOMAINS", "True")
    # Preloading commits the whole domain to HTTPS in browsers for months: the department's call.
    SECURE_HSTS_PRELOAD = envbool("IOMS_HSTS_PRELOAD", "False")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = IOMS_HTTPS
# Behind a proxy that ends TLS, the header it sets to "https" (e.g. X-Forwarded-Proto). Only set it
# when the proxy always sets or strips that header: otherwise a client could claim HTTPS.
if _proxy_header := os.environ.get("IOMS_PROXY_SSL_HEADER", "").strip():
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _proxy_header.upper().replace("-", "_"), "https")
SILENCED_SYSTEM_CHECKS = [
    *(["security.W021"] if IOMS_HTTPS and not SECURE_HSTS_PRELOAD else []),
    *(["security.W005"] if IOMS_HTTPS and not SECURE_HSTS_INCLUDE_SUBDOMAINS else []),
]
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CSRF_FAILURE_VIEW = "audit.views.csrf_failure"  # audited like every refusal (audit/refusals.py)
# No inline script or style anywhere (JS and CSS are static files); the API docs load theirs from
# drf-spectacular-sidecar, served here. data: images are Swagger UI's icons.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
# DRF's browsable API styles its pages inline, which the policy blocks: the API answers JSON, and
# people explore it in the API docs (/api/v1/docs/), which run under the policy.
REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"] = ["rest_framework.renderers.JSONRenderer"]
IOMS_PERMISSIONS_POLICY = envlist(
    "IOMS_PERMISSIONS_POLICY",
    "accelerometer,camera,display-capture,geolocation,gyroscope,magnetometer,microphone,midi,payment,usb",
)
# E-mail: SMTP in a deployment, the console in development. IOMS_EMAIL_BACKEND takes a dotted path
# (DJANGO_EMAIL_BACKEND is its older name).
MAILERS = {
    "default": {
        "BACKEND": os.environ.get("IOMS_EMAIL_BACKEND")
        or os.environ.get("DJANGO_EMAIL_BACKEND")
        or f"django.core.mail.backends.{'smtp' if IOMS_PRODUCTION else 'console'}.EmailBackend",
    }
}
if MAILERS["default"]["BACKEND"] == "django.core.mail.backends.smtp.EmailBackend":
    MAILERS["default"]["OPTIONS"] = {
        "host": os.environ.get("IOMS_SMTP_HOST", "localhost"),
        "port": envint("IOMS_SMTP_PORT", "587"),
        "username": os.environ.get("IOMS_SMTP_USER", ""),
        "password": os.environ.get("IOMS_SMTP_PASSWORD", ""),
        "use_tls": envbool("IOMS_SMTP_STARTTLS", "True"),
        "timeout": envint("IOMS_SMTP_TIMEOUT", "10"),
    }
# --- end of HTTP hardening and e-mail ----------------------------------------------------------------

# Appointment reminders (appointments.reminders, docs/appointments.md "Reminders").
# IOMS_REMINDER_BACKEND: the dotted path of the class that sends them, read at each send. The
# default only logs that a reminder went (appointment and channel, never the address or the text);
# "appointments.reminders.EmailReminderBackend" sends e-mails through Django's mail (MAILERS above);
# a text-message gateway is another class with the same `send(reminder)` (see the docs).
IOMS_REMINDER_BACKEND = os.environ.get(
    "IOMS_REMINDER_BACKEND", "appointments.reminders.LoggingReminderBackend"
)
# IOMS_REMINDER_HOURS_BEFORE: remind of appointments starting this many hours ahead, give or take
# four hours (appointments.reminders.WINDOW_HOURS), so a run missed for a few hours loses nothing.
IOMS_REMINDER_HOURS_BEFORE = envint("IOMS_REMINDER_HOURS_BEFORE", "24")

# Need-to-know (offenders.services.offender_break_glass): how long breaking the glass opens a
# restricted record for.
IOMS_BREAK_GLASS_HOURS = envint("IOMS_BREAK_GLASS_HOURS", "4")

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
