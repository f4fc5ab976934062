"""Settings for the IOMS portal, read from the environment (see README)."""

import datetime
import os
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
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "signin",  # after django_otp: signin/admin.py takes its devices out of the admin
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
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
    # Last, as its documentation asks: turns a sign-in refused by a lock into signin.views.locked_out.
    "axes.middleware.AxesMiddleware",
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
        # Messages stored while the broker or the workers were down are picked up again.
        "task": "courts.tasks.requeue_court_messages",
        "schedule": 300,
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
