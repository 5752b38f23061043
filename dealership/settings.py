"""Settings for the after-sales service product, read from the environment.

Development defaults are safe to run on a laptop (SQLite, the filesystem broker, DEBUG on only when
asked). With DEBUG off a missing SECRET_KEY or ALLOWED_HOSTS stops the process at start-up.
"""

from datetime import date
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="") or ("insecure-development-key-only-for-debug" if DEBUG else "")
if not SECRET_KEY:
    raise environ.ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "simple_history",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    # The product's apps, in the order they may import each other (see ARCHITECTURE.md).
    "dealership",
    "parts",
    "service_desk",
    "workshop",
    "customer_care",
    "campaigns",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "dealership.middleware.LoginRequiredMiddleware",
]

ROOT_URLCONF = "dealership.urls"
WSGI_APPLICATION = "dealership.wsgi.application"

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
                "dealership.context_processors.navigation_links",
            ],
            "builtins": ["dealership.templatetags.display"],
        },
    }
]

# --- Database ------------------------------------------------------------------------------------
# PostgreSQL in production and CI; SQLite (a file under var/) is the embedded default.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(exist_ok=True)  # a fresh clone has no var/ yet
    # Web, worker and beat write to one file: wait for the lock instead of failing, take the
    # write lock at BEGIN so a read-then-write transaction cannot deadlock, and let readers
    # work beside a writer (WAL).
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication ------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
AUTHENTICATION_BACKENDS = ["dealership.auth.StaffBackend"]
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=12 * 60 * 60)  # one working day

# --- Language and time ---------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env("TIME_ZONE", default="Asia/Shanghai")
USE_TZ = True

# --- Static files --------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Forms, API ----------------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

REST_FRAMEWORK = {
    # Token first: its WWW-Authenticate header turns a missing credential into 401, not 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["dealership.permissions.HasAnyRole"],
    "DEFAULT_PAGINATION_CLASS": "dealership.rest.Pagination",
    "DEFAULT_FILTER_BACKENDS": ["dealership.filters.StrictFilterBackend"],
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "dealership.rest.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "COERCE_DECIMAL_TO_STRING": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": _("After-sales service API"),
    "DESCRIPTION": _("JSON API of the dealership's after-sales service department."),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["dealership.permissions.HasAnyRole"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Many resources have a `status`; name each state machine's enum after it in the schema.
    "ENUM_NAME_OVERRIDES": {
        "SmsStatusEnum": "dealership.models.SmsStatus",
        "BackorderStatusEnum": "parts.models.BackorderStatus",
        "AppointmentStatusEnum": "service_desk.models.AppointmentStatus",
        "OrderStatusEnum": "service_desk.models.OrderStatus",
        "ItemStatusEnum": "service_desk.models.ItemStatus",
        "ItemCategoryEnum": "service_desk.models.Category",
        "ComplaintCategoryEnum": "customer_care.models.ComplaintCategory",
        "ComplaintStatusEnum": "customer_care.models.ComplaintStatus",
        "RescueStatusEnum": "customer_care.models.RescueStatus",
    },
}

# --- Background work -----------------------------------------------------------------------------
# With REDIS_URL, Redis is the broker. Without it, Celery's filesystem transport under var/celery
# runs real workers and beat on one machine: the embedded default of `make run`.
REDIS_URL = env("REDIS_URL", default="")
CELERY_DATA_DIR = Path(env("CELERY_DATA_DIR", default=str(VAR_DIR / "celery")))
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # Longer than any task (60 s hard limit) so a slow task is not handed to a second worker;
        # short enough that a message held by a killed worker comes back within minutes. The
        # outbox sweep re-sends sooner from the database anyway.
        "visibility_timeout": 600,
        "socket_timeout": 5,
        "socket_connect_timeout": 2,
    }
else:
    CELERY_BROKER_URL = "filesystem://localhost//"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_DATA_DIR / "queue"),
        "data_folder_out": str(CELERY_DATA_DIR / "queue"),
        "control_folder": str(CELERY_DATA_DIR / "control"),
        "store_processed": False,
        "polling_interval": 0.1,  # seconds between looks at the folder when it is empty
    }
    CELERY_RESULT_BACKEND = f"file://{CELERY_DATA_DIR / 'results'}"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # a worker holds one message at a time: less to lose when killed
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True  # the default from Celery 6
CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT = 10  # on SIGTERM, finish the task at hand first
# Publishing gives up quickly when the broker is down: the request that enqueued the message
# answers at once, and the outbox sweep hands the message over when the broker is back.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
CELERY_BEAT_SCHEDULE = {
    # 02:30 local time: ledger entries whose posting a crash or an older version left out (IN01-IN09)
    "reconcile-ledger": {"task": "customer_care.tasks.reconcile_ledger", "schedule": crontab(hour=2, minute=30)},
    # every minute, around the clock
    "sweep-sms": {"task": "dealership.tasks.sweep_sms", "schedule": 60.0},
    # every hour at :05 local time; notices of a missed date go out once (quiet hours hold them)
    "mark-overdue-backorders": {"task": "parts.tasks.mark_overdue_backorders", "schedule": crontab(minute=5)},
    # 08:00 local time: yesterday's figures to the front-desk supervisors (SD14)
    "text-daily-report": {"task": "service_desk.tasks.text_daily_report", "schedule": crontab(hour=8, minute=0)},
    # every minute: missed complaint stages and rescue promises are recorded once, escalations climb
    "sweep-care-deadlines": {"task": "customer_care.tasks.sweep_deadlines", "schedule": 60.0},
    # 09:00 local time: maintenance reminders whose day has come (the texts go out from 10:00)
    "maintenance-reminders": {
        "task": "customer_care.tasks.send_maintenance_reminders",
        "schedule": crontab(hour=9, minute=0),
    },
    # Mondays 08:30 local time: each advisor's own figures of last week (IN05)
    "text-weekly-figures": {
        "task": "customer_care.tasks.text_weekly_figures",
        "schedule": crontab(hour=8, minute=30, day_of_week=1),
    },
}

# The address customers reach the product at, for the links texted to them (confirm the items,
# follow the work): the dealership's public host name in production.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

# --- SMS -----------------------------------------------------------------------------------------
# console (prints), file (JSON lines in SMS_FILE_PATH), locmem (tests), http (a JSON gateway), or a
# dotted path to a Gateway class. See dealership/sms_gateways.py.
SMS_BACKEND = env("SMS_BACKEND", default="console")
SMS_FILE_PATH = env("SMS_FILE_PATH", default=str(VAR_DIR / "sms" / "sent.jsonl"))
SMS_HTTP_URL = env("SMS_HTTP_URL", default="")
SMS_HTTP_QUERY_URL = env("SMS_HTTP_QUERY_URL", default="")
SMS_HTTP_API_KEY = env("SMS_HTTP_API_KEY", default="")
SMS_HTTP_TIMEOUT_S = env.float("SMS_HTTP_TIMEOUT_S", default=10.0)
SMS_SWEEP_BATCH = env.int("SMS_SWEEP_BATCH", default=500)
# The day the ledger started (YYYY-MM-DD, the go-live day): the nightly reconcile posts nothing for
# ratings, praise or violations before it, so going live does not pay or fine two months backwards.
LEDGER_STARTS_ON = date.fromisoformat(env.str("LEDGER_STARTS_ON", default="2000-01-01"))
SMS_SETTLE_BATCH = env.int("SMS_SETTLE_BATCH", default=20)  # stuck messages asked about per sweep
# A due message still unclaimed this long after it was handed over is handed over again.
SMS_REPUBLISH_AFTER_S = env.int("SMS_REPUBLISH_AFTER_S", default=120)
# A message in `sending` this long is settled by the sweep: far past the 60 s task limit, its worker is gone.
SMS_STUCK_AFTER_S = env.int("SMS_STUCK_AFTER_S", default=300)

# --- Security ------------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
if not DEBUG:
    # Behind a TLS-terminating proxy set SECURE_PROXY_SSL_HEADER_FROM_PROXY=true.
    if env.bool("SECURE_PROXY_SSL_HEADER_FROM_PROXY", default=False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=365 * 24 * 60 * 60)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# --- Logging -------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
