"""Scale-out settings: CACHE_URL, the read-replica router, S3 storage selection."""

import os
import subprocess
import sys

import pytest

from django.conf import settings
from django.test import RequestFactory

from catalog_portal.scaleout import (
    ReplicaReadsMiddleware,
    ReplicaRouter,
    _use_replica,
    cache_from_url,
)


def test_cache_url_schemes():
    assert cache_from_url(None)["BACKEND"].endswith(
        "DatabaseCache"
    )  # shared by all workers
    assert cache_from_url("locmem://")["BACKEND"].endswith("LocMemCache")
    redis = cache_from_url("redis://127.0.0.1:6379/1")
    assert redis["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert redis["LOCATION"] == "redis://127.0.0.1:6379/1"
    assert cache_from_url("dummy://")["BACKEND"].endswith("DummyCache")
    with pytest.raises(ValueError, match="CACHE_URL"):
        cache_from_url("memcached://x")


def test_router_reads_replica_only_for_marked_requests(monkeypatch):
    import catalog_portal.scaleout as scaleout

    monkeypatch.setattr(scaleout, "replica_configured", lambda: True)
    router = ReplicaRouter()
    assert router.db_for_read(None) is None
    token = _use_replica.set(True)
    try:
        assert router.db_for_read(None) == "replica"
        assert router.db_for_write(None) == "default"
    finally:
        _use_replica.reset(token)
    assert router.allow_migrate("replica", "catalogs") is False


def test_middleware_marks_only_anonymous_public_reads():
    seen = {}

    def view(request):
        seen[request.path] = _use_replica.get()
        return None

    middleware = ReplicaReadsMiddleware(view)
    rf = RequestFactory()
    middleware(rf.get("/r/410311/"))
    middleware(rf.get("/work/"))
    middleware(rf.post("/search/"))
    logged_in = rf.get("/r/41/")
    logged_in.COOKIES["sessionid"] = "abc"
    middleware(logged_in)
    assert seen == {
        "/r/410311/": True,
        "/work/": False,
        "/search/": False,
        "/r/41/": False,
    }
    assert _use_replica.get() is False


def test_s3_storage_is_selected_by_environment():
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
        "DJANGO_SETTINGS_MODULE": "catalog_portal.settings.base",
        "DJANGO_DEBUG": "1",
        "STORAGE_BACKEND": "s3",
        "AWS_STORAGE_BUCKET_NAME": "portal-files",
        "AWS_S3_ENDPOINT_URL": "http://127.0.0.1:9000",
        "DATABASE_REPLICA_URL": "postgres://reader@127.0.0.1:5433/portal",
        "CACHE_URL": "redis://127.0.0.1:6379/2",
    }
    code = (
        "import django; django.setup();"
        "from django.conf import settings as s;"
        "print(s.STORAGES['default']['BACKEND']);"
        "print(s.STORAGES['default']['OPTIONS']['bucket_name']);"
        "print(s.DATABASES['replica']['HOST']);"
        "print(s.CACHES['default']['BACKEND'])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == [
        "storages.backends.s3.S3Storage",
        "portal-files",
        "127.0.0.1",
        "django.core.cache.backends.redis.RedisCache",
    ]
