"""Settings helpers for running several stateless app servers (SPEC §11).

- `CACHE_URL`: `locmem://` (default), `redis://host:port/db` (Django's own Redis
  backend, shared by all app servers), or `dummy://`.
- `DATABASE_REPLICA_URL`: a PostgreSQL read replica; anonymous public GET requests
  read from it (see `ReplicaRouter`), everything else uses the primary.
- `STORAGE_BACKEND=s3` with `AWS_STORAGE_BUCKET_NAME`, `AWS_S3_ENDPOINT_URL`, … keeps
  uploaded files on S3-compatible object storage (django-storages); the local
  filesystem is the default.
"""

from __future__ import annotations

import contextvars
from urllib.parse import urlparse

_use_replica: contextvars.ContextVar[bool] = contextvars.ContextVar("use_replica", default=False)


def cache_from_url(url: str | None) -> dict:
    url = url or "locmem://"
    scheme = urlparse(url).scheme
    if scheme in {"redis", "rediss"}:
        return {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "catalog_portal",
        }
    if scheme == "dummy":
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    if scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    raise ValueError(f"CACHE_URL 无法识别：{url}（可用 redis://、locmem://、dummy://）")


def replica_configured() -> bool:
    from django.conf import settings

    return "replica" in settings.DATABASES


class ReplicaRouter:
    """Send reads of anonymous public requests to the replica, when one is configured."""

    def db_for_read(self, model, **hints):
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
