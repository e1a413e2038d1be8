"""Production safety (issue 13): system checks, the shared default cache, SQLite for
concurrent writers, request-body limits."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from django.contrib.auth.models import AnonymousUser
from django.core.cache.backends.locmem import LocMemCache
from django.db import connection
from django.test import RequestFactory

from catalog_portal import checks
from catalog_portal.limits import RequestBodyLimitMiddleware
from catalog_portal.scaleout import (
    ReplicaRouter,
    _use_replica,
    cache_from_url,
    ensure_cache_tables,
    is_shared,
)

ROOT = Path(__file__).resolve().parent.parent.parent
SECRET = "a-long-random-production-secret-key-" + "Zq8#vN2$kL5@" * 4
POSTGRES_URL = "postgres://portal:secret@db.example.org:5432/portal"


def _production_env(**overrides: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "CACHE_URL", "DATABASE_", "STORAGE_BACKEND"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="catalog_portal.settings.base",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=SECRET,
        DJANGO_ALLOWED_HOSTS="gongkai.example.gov.cn",
        DATABASE_URL=POSTGRES_URL,
    )
    env.update(overrides)
    return env


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


SHOW_SETTINGS = """
import json
from django.conf import settings as s
print(json.dumps({
    "caches": {alias: c["BACKEND"] for alias, c in s.CACHES.items()},
    "cache_location": s.CACHES["default"].get("LOCATION"),
    "db_options": s.DATABASES["default"].get("OPTIONS", {}),
    "data_upload": s.DATA_UPLOAD_MAX_MEMORY_SIZE,
    "file_upload": s.FILE_UPLOAD_MAX_MEMORY_SIZE,
    "max_request": s.MAX_REQUEST_BYTES,
    "anonymous_max_request": s.ANONYMOUS_MAX_REQUEST_BYTES,
}))
"""


def _settings_under(**env: str) -> dict:
    result = _manage("shell", "-v0", "-c", SHOW_SETTINGS, env=_production_env(**env))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- manage.py check -------------------------------------------------------------


def test_check_deploy_is_clean_with_production_settings_and_postgresql():
    result = _manage(
        "check", "--deploy", "--fail-level", "WARNING", env=_production_env()
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_refuses_sqlite_in_production_unless_allowed_for_a_pilot(tmp_path):
    sqlite = f"sqlite:///{tmp_path / 'pilot.sqlite3'}"
    refused = _manage("check", env=_production_env(DATABASE_URL=sqlite))
    assert refused.returncode != 0
    assert "catalog_portal.E001" in refused.stderr
    assert (
        "使用的是 SQLite" in refused.stderr
        and "DJANGO_ALLOW_SQLITE=1" in refused.stderr
    )
    # migrate runs the same checks: a production shell cannot set up SQLite by mistake.
    migrate = _manage("migrate", "--plan", env=_production_env(DATABASE_URL=sqlite))
    assert migrate.returncode != 0 and "catalog_portal.E001" in migrate.stderr
    allowed = _manage(
        "check", env=_production_env(DATABASE_URL=sqlite, DJANGO_ALLOW_SQLITE="1")
    )
    assert allowed.returncode == 0, allowed.stderr


def test_check_refuses_a_per_process_cache_in_production():
    result = _manage("check", env=_production_env(CACHE_URL="locmem://"))
    assert result.returncode != 0
    assert "catalog_portal.E002" in result.stderr
    assert "进程内缓存" in result.stderr and "db://" in result.stderr


# --- the checks themselves (in process) -----------------------------------------


def test_sqlite_check(monkeypatch):
    production = SimpleNamespace(
        DEBUG=False,
        ALLOW_SQLITE=False,
        DATABASES={
            "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "x"},
            "replica": {"ENGINE": "django.db.backends.postgresql", "NAME": "y"},
        },
    )
    monkeypatch.setattr(checks, "settings", production)
    errors = checks.check_sqlite_in_production()
    assert [e.id for e in errors] == ["catalog_portal.E001"]
    assert "“default”" in errors[0].msg and "postgres://" in errors[0].hint
    production.ALLOW_SQLITE = True
    assert checks.check_sqlite_in_production() == []
    production.ALLOW_SQLITE = False
    production.DEBUG = True
    assert checks.check_sqlite_in_production() == []


class PortalLocMem(LocMemCache):
    pass


def test_cache_check_catches_locmem_and_its_subclasses_only_with_debug_off(settings):
    settings.DEBUG = False
    settings.CACHES = {
        "default": cache_from_url(None),
        "public_pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "other": {"BACKEND": f"{__name__}.PortalLocMem"},
        "redis": cache_from_url("redis://127.0.0.1:6379/0"),
        "files": cache_from_url("file:///var/cache/portal"),
        "none": cache_from_url("dummy://"),
    }
    errors = checks.check_shared_cache()
    assert [e.id for e in errors] == ["catalog_portal.E002"] * 2
    assert ["public_pages" in errors[0].msg, "other" in errors[1].msg] == [True, True]
    settings.DEBUG = True
    assert checks.check_shared_cache() == []


def test_body_limit_check(settings):
    settings.MAX_UPLOAD_BYTES = 20 * 1024 * 1024
    settings.MAX_REQUEST_BYTES = 10 * 1024 * 1024
    errors = checks.check_request_body_limits()
    assert [e.id for e in errors] == ["catalog_portal.E003"]
    assert "client_max_body_size" in errors[0].hint
    settings.MAX_REQUEST_BYTES = 64 * 1024 * 1024
    assert checks.check_request_body_limits() == []


# --- settings --------------------------------------------------------------------


def test_cache_urls():
    default = cache_from_url(None)
    assert default["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    assert default["LOCATION"] == "portal_cache"
    assert cache_from_url("db://other_cache")["LOCATION"] == "other_cache"
    assert cache_from_url("db://?max_entries=500")["OPTIONS"]["MAX_ENTRIES"] == 500
    files = cache_from_url("file:///var/cache/portal")
    assert (files["BACKEND"], files["LOCATION"]) == (
        "django.core.cache.backends.filebased.FileBasedCache",
        "/var/cache/portal",
    )
    for bad in (
        "file://relative/dir",
        "db://drop table;",
        "db://?max_entries=x",
        "memcached://x",
    ):
        with pytest.raises(ValueError, match="CACHE_URL"):
            cache_from_url(bad)
    assert (
        is_shared(default)
        and is_shared(files)
        and is_shared(cache_from_url("redis://h:6379/0"))
    )
    assert not is_shared(cache_from_url("locmem://")) and not is_shared(
        cache_from_url("dummy://")
    )


def test_production_default_cache_is_shared_and_the_page_cache_follows_it():
    default = _settings_under()
    assert default["caches"] == {
        "default": "django.core.cache.backends.db.DatabaseCache",
        "public_pages": "django.core.cache.backends.db.DatabaseCache",
    }
    assert default["cache_location"] == "portal_cache"
    # A per-process or no cache: no page cache at all (never stale on another worker).
    assert _settings_under(CACHE_URL="locmem://")["caches"] == {
        "default": "django.core.cache.backends.locmem.LocMemCache"
    }
    assert list(_settings_under(CACHE_URL="file:///tmp/portal-cache")["caches"]) == [
        "default",
        "public_pages",
    ]


def test_sqlite_is_configured_for_concurrent_writers_and_postgresql_is_untouched(
    tmp_path,
):
    sqlite = _settings_under(
        DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}", DJANGO_ALLOW_SQLITE="1"
    )
    assert sqlite["db_options"] == {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
    }
    assert _settings_under()["db_options"] == {}


def test_an_sqlite_connection_is_in_wal_mode_with_a_busy_timeout(tmp_path):
    code = (
        "from django.db import connection\n"
        "c = connection.cursor()\n"
        "print(c.execute('PRAGMA journal_mode').fetchone()[0], c.execute('PRAGMA busy_timeout').fetchone()[0])"
    )
    env = _production_env(
        DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}",
        DJANGO_SETTINGS_MODULE="catalog_portal.settings.demo",
        DJANGO_DEBUG="1",
    )
    result = _manage("shell", "-v0", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["wal", "20000"]


def test_upload_sizes_are_set_and_overridable():
    default = _settings_under()
    assert default["data_upload"] == 5 * 1024 * 1024
    assert default["file_upload"] == 2621440
    assert default["max_request"] == 64 * 1024 * 1024
    assert default["anonymous_max_request"] == 1024 * 1024
    changed = _settings_under(
        DJANGO_DATA_UPLOAD_MAX_MEMORY_SIZE="1000",
        DJANGO_FILE_UPLOAD_MAX_MEMORY_SIZE="2000",
        DJANGO_MAX_REQUEST_BYTES="3000",
        DJANGO_ANONYMOUS_MAX_REQUEST_BYTES="4000",
    )
    assert [
        changed[k]
        for k in ("data_upload", "file_upload", "max_request", "anonymous_max_request")
    ] == [
        1000,
        2000,
        3000,
        4000,
    ]


# --- the database cache's table -------------------------------------------------


@pytest.mark.django_db
def test_the_database_cache_table_is_created_after_migrate_and_again_without_harm(
    settings,
):
    settings.CACHES = {
        **settings.CACHES,
        "shared": cache_from_url("db://test_shared_cache"),
    }
    assert "test_shared_cache" not in connection.introspection.table_names()
    ensure_cache_tables(using="default", verbosity=0)
    ensure_cache_tables(using="default", verbosity=0)
    assert "test_shared_cache" in connection.introspection.table_names()


def test_database_cache_reads_never_go_to_the_replica(monkeypatch):
    from django.core.cache.backends.db import DatabaseCache

    import catalog_portal.scaleout as scaleout

    monkeypatch.setattr(scaleout, "replica_configured", lambda: True)
    cache_model = DatabaseCache("portal_cache", {}).cache_model_class
    token = _use_replica.set(True)
    try:
        assert ReplicaRouter().db_for_read(cache_model) == "default"
        assert ReplicaRouter().db_for_read(None) == "replica"
    finally:
        _use_replica.reset(token)


# --- request-body limits ---------------------------------------------------------


class Unreadable(io.RawIOBase):
    def read(self, *args):
        raise AssertionError("the body was read")


def _request(*, length: str | None = None, user=None, **meta) -> object:
    request = RequestFactory().generic(
        "POST",
        "/accounts/login/",
        b"",
        content_type="application/x-www-form-urlencoded",
    )
    request.META["wsgi.input"] = Unreadable()
    request._stream = Unreadable()
    if length is None:
        request.META.pop("CONTENT_LENGTH", None)
    else:
        request.META["CONTENT_LENGTH"] = length
    request.META.update(meta)
    request.user = user or AnonymousUser()
    return request


def _never_called(request):
    raise AssertionError("the view was called")


def test_oversized_anonymous_body_is_refused_unread(settings):
    settings.ANONYMOUS_MAX_REQUEST_BYTES = 1024 * 1024
    response = RequestBodyLimitMiddleware(_never_called)(
        _request(length=str(200 * 1024 * 1024))
    )
    assert response.status_code == 413
    text = response.content.decode()
    assert "提交的内容过大（200 MB）" in text and "最多 64 MB" in text
    response = RequestBodyLimitMiddleware(_never_called)(
        _request(length=str(2 * 1024 * 1024))
    )
    assert response.status_code == 413
    assert "未登录时提交的内容不能超过 1024 KB" in response.content.decode()


def test_chunked_or_malformed_lengths_are_refused(settings):
    response = RequestBodyLimitMiddleware(_never_called)(
        _request(HTTP_TRANSFER_ENCODING="chunked")
    )
    assert response.status_code == 411
    assert "Content-Length" in response.content.decode()
    response = RequestBodyLimitMiddleware(_never_called)(_request(length="12x"))
    assert response.status_code == 400


@pytest.mark.django_db
def test_staff_may_send_up_to_the_request_limit(settings, county_clerk):
    settings.MAX_REQUEST_BYTES = 64 * 1024 * 1024
    passed = []
    middleware = RequestBodyLimitMiddleware(
        lambda request: passed.append(request) or "view"
    )
    assert (
        middleware(_request(length=str(30 * 1024 * 1024), user=county_clerk)) == "view"
    )
    assert middleware(_request(length="100")) == "view"  # small anonymous posts (login)
    response = middleware(_request(length=str(65 * 1024 * 1024), user=county_clerk))
    assert response.status_code == 413
    assert len(passed) == 2


@pytest.mark.django_db
def test_the_limit_is_in_the_middleware_chain(client, settings):
    settings.ANONYMOUS_MAX_REQUEST_BYTES = 1000
    response = client.generic(
        "POST",
        "/accounts/login/",
        b"username=x&password=" + b"y" * 5000,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 413
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "未登录时提交的内容不能超过" in response.content.decode()
    assert (
        client.post("/accounts/login/", {"username": "x", "password": "y"}).status_code
        == 200
    )
