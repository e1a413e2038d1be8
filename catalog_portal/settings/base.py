"""Settings for 政务公开目录平台, all driven by the environment (SPEC §11).

`DATABASE_URL` defaults to an SQLite file inside the project; production sets a
`postgres://` URL. `DJANGO_SECRET_KEY` is required whenever debug is off.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from catalog_portal.scaleout import cache_from_url, is_shared

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [
        part.strip()
        for part in os.environ.get(name, default).split(",")
        if part.strip()
    ]


DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY 未设置：关闭调试模式（DJANGO_DEBUG）时必须通过环境变量提供密钥。"
        )
    SECRET_KEY = "insecure-development-key-only-for-debug"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "simple_history",
    "import_export",
    "django_tasks",  # background tasks (the django.tasks API of Django 6), TASKS below
    "django_tasks_db",  # the database task backend and its `db_worker`
    "catalogs",
    "disclosures",
    "onrequest",  # 依申请公开 (imports catalogs and disclosures, never the reverse)
    "opengov",  # 政府信息公开专栏: guide, annual report (imports the three apps above)
    "demo",  # seed_demo; above both apps, no models
    "catalog_portal",  # system checks, cache table, backup/restore; no models
    "csp",
    # Last, so its receivers of the auth signals run after the portal's.
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Early, so static files (served by WhiteNoise below) carry the headers too.
    "csp.middleware.CSPMiddleware",
    "catalog_portal.middleware.SecurityHeadersMiddleware",
    "catalog_portal.scaleout.ReplicaReadsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before any view or CSRF check reads a body: oversized requests end here.
    "catalog_portal.limits.RequestBodyLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "catalog_portal.middleware.StaffSessionLimitsMiddleware",
    # Last (django-axes' requirement): turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "catalog_portal.urls"
WSGI_APPLICATION = "catalog_portal.wsgi.application"

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
                "catalog_portal.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent writers (parallel clicks, gunicorn threads and workers): every
    # transaction takes the write lock when it begins (IMMEDIATE) and waits for it
    # up to `timeout` seconds, instead of failing with "database is locked" when a
    # read lock cannot be upgraded; WAL lets readers go on while one writes.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": int(os.environ.get("DJANGO_SQLITE_TIMEOUT", "20")),
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        **DATABASES["default"].get("OPTIONS", {}),
    }
# SQLite with debug off only when asked for: a pilot on one machine
# (catalog_portal.checks refuses it otherwise; production uses PostgreSQL).
ALLOW_SQLITE = env_bool("DJANGO_ALLOW_SQLITE", False)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Django's four validators with messages in Chinese (catalogs.passwords), at least
# 12 characters; the last entry writes "password changed" to the audit log
# (Django calls every validator's password_changed() after set_password() + save()).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "catalogs.passwords.UserAttributeSimilarityValidator"},
    {
        "NAME": "catalogs.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "catalogs.passwords.CommonPasswordValidator"},
    {"NAME": "catalogs.passwords.NumericPasswordValidator"},
    {"NAME": "catalogs.security.PasswordChangeAuditValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/work/"
LOGOUT_REDIRECT_URL = "/"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文"))]
LOCALE_PATHS = [BASE_DIR / "catalog_portal" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "/media/"
# Uploads larger than this are refused before they are read (name lists, attachments).
MAX_UPLOAD_BYTES = int(os.environ.get("DJANGO_MAX_UPLOAD_BYTES", str(20 * 1024 * 1024)))
# Whole request bodies (catalog_portal.limits, before anything reads them): a staff
# form may carry several attachments; anonymous visitors only post small forms
# (login). The proxy's limit (client_max_body_size, docs/deploy.md) matches
# MAX_REQUEST_BYTES.
MAX_REQUEST_BYTES = int(
    os.environ.get("DJANGO_MAX_REQUEST_BYTES", str(64 * 1024 * 1024))
)
ANONYMOUS_MAX_REQUEST_BYTES = int(
    os.environ.get("DJANGO_ANONYMOUS_MAX_REQUEST_BYTES", str(1024 * 1024))
)
# Form fields (files excluded) read into memory at most; uploaded files larger
# than FILE_UPLOAD_MAX_MEMORY_SIZE are spooled to a temporary file.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(
    os.environ.get("DJANGO_DATA_UPLOAD_MAX_MEMORY_SIZE", str(5 * 1024 * 1024))
)
FILE_UPLOAD_MAX_MEMORY_SIZE = int(
    os.environ.get("DJANGO_FILE_UPLOAD_MAX_MEMORY_SIZE", str(2621440))
)

# Shared by every worker process: by default a table in the portal's own database
# (`db://`, created after every migrate), or Redis / a file directory via CACHE_URL
# (catalog_portal.scaleout). A per-process cache is refused with debug off
# (catalog_portal.checks).
CACHES = {"default": cache_from_url(os.environ.get("CACHE_URL"))}
# Whole anonymous public pages (disclosures.public.cache), on the same backend, only when
# that backend is shared: a withdrawn record must disappear from every worker at
# once. Settings without this alias (the test settings, locmem://, dummy://)
# cache no pages.
if is_shared(CACHES["default"]):
    CACHES["public_pages"] = {
        **cache_from_url(os.environ.get("CACHE_URL")),
        "KEY_PREFIX": "public_pages",
        "TIMEOUT": int(os.environ.get("DJANGO_PUBLIC_PAGE_CACHE_SECONDS", "600")),
    }

# A read replica for public pages (PostgreSQL streaming replica), when configured.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"],
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["catalog_portal.scaleout.ReplicaRouter"]

# Uploaded files: local filesystem by default, S3-compatible object storage on demand.
if os.environ.get("STORAGE_BACKEND") == "s3":
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["AWS_STORAGE_BUCKET_NAME"],
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL"),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }

# Private files: staged name-list uploads (raw ID numbers until masked), never behind
# a URL. On the default storage's backend: a directory outside MEDIA_ROOT (shared by
# every app server and worker, e.g. an NFS mount, when there are several machines),
# or with STORAGE_BACKEND=s3 a private prefix of the same bucket (no ACL, no URL).
PRIVATE_ROOT = Path(os.environ.get("DJANGO_PRIVATE_ROOT", BASE_DIR / "private"))
if os.environ.get("STORAGE_BACKEND") == "s3":
    STORAGES["private"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            **STORAGES["default"]["OPTIONS"],
            "location": "private",
            "default_acl": "private",
        },
    }
else:
    STORAGES["private"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": str(PRIVATE_ROOT),
            "base_url": "/no-url/",  # never served; nothing builds a URL to it
            "file_permissions_mode": 0o600,
            "directory_permissions_mode": 0o700,
        },
    }

# Background tasks (django-tasks; docs/deploy.md "Workers"): name-list processing,
# reminders, scheduled publication, the expiry sweep. The database backend by
# default (SQLite or PostgreSQL, no extra server; `manage.py db_worker`), RQ on
# Redis with TASK_BACKEND=rq and TASKS_REDIS_URL (`manage.py rqworker --job-class
# django_tasks_rq.Job`).
TASK_BACKEND = os.environ.get("TASK_BACKEND", "db")
if TASK_BACKEND == "rq":
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    RQ_QUEUES = {
        "default": {
            "URL": os.environ.get("TASKS_REDIS_URL", "redis://127.0.0.1:6379/1"),
            "DEFAULT_TIMEOUT": 3600,
        }
    }
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# The portal's address in e-mails sent by the periodic jobs (reminders).
PORTAL_BASE_URL = os.environ.get("PORTAL_BASE_URL", "")
# A `processing` name list without progress for this long is handed to the worker
# again (at most NAME_LIST_MAX_ATTEMPTS runs), then failed with a message.
NAME_LIST_STUCK_AFTER = int(os.environ.get("DJANGO_NAME_LIST_STUCK_AFTER", "600"))
# A staged upload nobody mapped is deleted after this many seconds (ID numbers
# must not wait on a disk: the expiry sweep runs every minute).
NAME_LIST_STAGING_MAX_AGE = int(
    os.environ.get("DJANGO_NAME_LIST_STAGING_MAX_AGE", str(30 * 60))
)

# Security: every header `check --deploy` asks for, HSTS settable by the environment.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG and env_bool("DJANGO_SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = int(
    os.environ.get("DJANGO_HSTS_SECONDS", "0" if DEBUG else "31536000")
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

# Logins (django-axes): 10 failures for one account, or from one client address,
# lock that account / address for 30 minutes; even the right password is then
# refused with a Chinese page that says when to try again (catalogs.security).
# Failures during the lockout do not extend it, and a successful login resets
# nothing (resetting would also clear another account's failures from that address).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 10
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = False
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "catalogs.security.lockout_response"
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
# Logins are in the portal's audit log (catalogs.security); no second copy in axes.
AXES_DISABLE_ACCESS_LOG = True
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "csrfmiddlewaretoken"]
# The client address (login throttling and the security log). Directly exposed,
# REMOTE_ADDR. Behind the reverse proxy of docs/deploy.md, name the header that the
# proxy overwrites, e.g. DJANGO_CLIENT_IP_HEADER=HTTP_X_REAL_IP; with
# HTTP_X_FORWARDED_FOR also set DJANGO_PROXY_COUNT. Never name a header a client can set.
AXES_IPWARE_META_PRECEDENCE_ORDER = tuple(env_list("DJANGO_CLIENT_IP_HEADER")) + (
    "REMOTE_ADDR",
)
AXES_IPWARE_PROXY_COUNT = (
    int(os.environ["DJANGO_PROXY_COUNT"])
    if os.environ.get("DJANGO_PROXY_COUNT")
    else None
)
AXES_IPWARE_PROXY_ORDER = "left-most"

# Sessions: a staff session ends 12 hours after login and after 30 minutes without a
# request (catalog_portal.middleware.StaffSessionLimitsMiddleware), and with the browser.
SESSION_ABSOLUTE_SECONDS = 12 * 60 * 60
SESSION_IDLE_SECONDS = 30 * 60
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_SECONDS
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_SAMESITE = "Lax"

# Content-Security-Policy (django-csp 4): scripts and styles only from the portal's
# own static files, no inline script or style, no plugins, no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}
# Browser features the portal never uses (catalog_portal.middleware).
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), browsing-topics=(), camera=(), display-capture=(), "
    "geolocation=(), gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), "
    "usb=(), serial=(), hid=()"
)
# Responses under these paths are never stored by a browser or a proxy
# (Cache-Control: private, no-store): staff pages, name-list previews, the admin.
NEVER_CACHE_PATH_PREFIXES = ("/work/", "/admin/", "/accounts/")

EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "noreply@localhost")

# What the header and footer of a government portal carry.
SITE_NAME = _("基层政务公开标准目录平台")
SITE_SPONSOR = os.environ.get("SITE_SPONSOR", "河南省民政厅")
SITE_IDENTIFIER = os.environ.get(
    "SITE_IDENTIFIER", "4100000000"
)  # 网站标识码 placeholder
SITE_ICP = os.environ.get("SITE_ICP", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {
        "handlers": ["console"],
        "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING"),
    },
    # One line per run of each periodic job and per name-list task (never a cell value).
    "loggers": {
        "catalog_portal.tasks": {"level": "INFO"},
        "disclosures.namelists": {"level": "INFO"},
    },
}
AUTH_USER_MODEL = "catalogs.User"
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = (
    True  # admin exports: a leading "=" is not a live formula
)
