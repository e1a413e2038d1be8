"""Settings helpers for running several stateless app servers (SPEC §11).

- `CACHE_URL` (see `cache_from_url`): unset or `db://` (default) keeps the cache in
  the portal's own database, shared by every worker and every app server;
  `redis://host:port/db` (Django's own Redis backend) for larger deployments;
  `file:///dir` for the workers of one machine; `locmem://` (one copy per process,
  development only: a system check refuses it with debug off) or `dummy://`.
- `DATABASE_REPLICA_URL`: a PostgreSQL read replica; anonymous public GET requests
  read from it (see `ReplicaRouter`), everything else uses the primary.
- `STORAGE_BACKEND=s3` with `AWS_STORAGE_BUCKET_NAME`, `AWS_S3_ENDPOINT_URL`, … keeps
  uploaded files on S3-compatible object storage (django-storages); the local
  filesystem is the default.
"""

from __future__ import annotations

import contextvars
import re
from urllib.parse import parse_qs, urlparse

from django.utils.module_loading import import_string

_use_replica: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "use_replica", default=False
)


# The database cache's table (`db://`), created after every `migrate` (`ensure_cache_tables`).
DEFAULT_CACHE_TABLE = "portal_cache"
# Entries kept before the database or file cache culls a third of them: the public
# pages of a province (regions x domains x a few pages) fit with room to spare.
DEFAULT_MAX_ENTRIES = 20000
PER_PROCESS_BACKENDS = ("django.core.cache.backends.locmem.LocMemCache",)
NO_CACHE_BACKENDS = ("django.core.cache.backends.dummy.DummyCache",)
_TABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


def cache_from_url(url: str | None) -> dict:
    """The `CACHES` entry for a `CACHE_URL` (unset: the shared database cache).

    The default must be shared by all worker processes: a record withdrawn
    through one gunicorn worker has to disappear from the pages every other
    worker serves (the page cache's generation key lives in this cache).
    """
    url = url or "db://"
    parsed = urlparse(url)
    scheme = parsed.scheme
    options = {}
    max_entries = parse_qs(parsed.query).get("max_entries")
    if scheme in {"redis", "rediss"}:
        return {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "catalog_portal",
        }
    if max_entries:
        if not max_entries[0].isdigit() or int(max_entries[0]) < 1:
            raise ValueError(f"CACHE_URL 中的 max_entries 必须是正整数：{url}")
        options["MAX_ENTRIES"] = int(max_entries[0])
    if scheme in {"db", "database"}:
        table = (parsed.netloc + parsed.path).strip("/") or DEFAULT_CACHE_TABLE
        if not _TABLE_NAME.match(table):
            raise ValueError(
                f"CACHE_URL 中的缓存表名无效：{table}（只能用字母、数字和下划线，例如 db://portal_cache）"
            )
        return {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": table,
            "KEY_PREFIX": "catalog_portal",
            "OPTIONS": {"MAX_ENTRIES": DEFAULT_MAX_ENTRIES, **options},
        }
    if scheme == "file":
        if parsed.netloc or not parsed.path.startswith("/") or parsed.path == "/":
            raise ValueError(
                f"CACHE_URL 的文件缓存目录必须是绝对路径：{url}（例如 file:///var/cache/portal）"
            )
        return {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": parsed.path,
            "KEY_PREFIX": "catalog_portal",
            "OPTIONS": {"MAX_ENTRIES": DEFAULT_MAX_ENTRIES, **options},
        }
    if scheme == "dummy":
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    if scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    raise ValueError(
        f"CACHE_URL 无法识别：{url}（可用 db://、redis://、file:///目录、locmem://、dummy://）"
    )


def is_shared(config: dict) -> bool:
    """True for a cache that every worker process sees alike (database, file, Redis).

    Compares the configured backend path only, so that settings can call it
    before any app is loaded; `catalog_portal.checks` also catches subclasses.
    """
    return config["BACKEND"] not in PER_PROCESS_BACKENDS + NO_CACHE_BACKENDS


def ensure_cache_tables(
    sender=None, using: str = "default", verbosity: int = 1, **kwargs
) -> None:
    """Create the database cache's table if it is missing (post_migrate; idempotent).

    Every deployment runs `migrate`, so the default cache (`db://`) works on a
    fresh database, after a restore and after a change of table name alike.
    """
    from django.conf import settings
    from django.core.cache.backends.db import BaseDatabaseCache
    from django.core.management import call_command

    uses_db_cache = any(
        issubclass(import_string(config["BACKEND"]), BaseDatabaseCache)
        for config in settings.CACHES.values()
    )
    if uses_db_cache:
        call_command(
            "createcachetable", database=using, verbosity=max(verbosity - 1, 0)
        )


def replica_configured() -> bool:
    from django.conf import settings

    return "replica" in settings.DATABASES


class ReplicaRouter:
    """Send reads of anonymous public requests to the replica, when one is configured."""

    def db_for_read(self, model, **hints):
        # The database cache holds the page cache's generation key: reading it from
        # a lagging replica could serve pages of a record that was just withdrawn.
        if getattr(getattr(model, "_meta", None), "app_label", None) == "django_cache":
            return "default"
        if _use_replica.get() and replica_configured():
            return "replica"
        return None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"


class ReplicaReadsMiddleware:
    """Mark anonymous GET/HEAD requests outside /work/ and /admin/ as replica reads.

    Staff traffic keeps reading the primary so a clerk always sees what it just saved.
    """

    STAFF_PREFIXES = ("/work/", "/admin/", "/accounts/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        public = (
            request.method in {"GET", "HEAD"}
            and not request.path.startswith(self.STAFF_PREFIXES)
            and not request.COOKIES.get("sessionid")
        )
        token = _use_replica.set(public)
        try:
            return self.get_response(request)
        finally:
            _use_replica.reset(token)
