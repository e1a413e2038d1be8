"""Helpers for tests that run the portal as it is deployed: a fresh database of the
suite's engine, `manage.py` in subprocesses, gunicorn, and a cookie-keeping client.

The database is a new one next to the suite's (a SQLite file on the SQLite leg,
a new PostgreSQL database on the same server on the PostgreSQL leg), migrated and
seeded through the real commands; nothing here touches the test database.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path

from django.conf import settings as django_settings

ROOT = Path(django_settings.BASE_DIR)
DEMO_PASSWORD = "DemoPass-2026"
SECRET_KEY = "serving-tests-" + uuid.uuid4().hex + uuid.uuid4().hex

# A published record with a docx attachment, made through the services by the
# county clerk of seed_demo; prints the ids of the record, of an item the clerk
# may register records for, and of the attachment.
EXTRA_SEED = """
from datetime import timedelta
from io import BytesIO

import docx
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from catalogs.models import User
from disclosures.records import services as record_services
from disclosures.records import obligations as obligation_services

clerk = User.objects.get(username="demo-county")
region = clerk.region
item = next(i for i in obligation_services.applicable_items(region) if obligation_services.item_allows_region(i, region))
document = docx.Document()
document.add_paragraph("备份与恢复测试附件：本季度临时救助发放情况说明。")
buffer = BytesIO()
document.save(buffer)
record = record_services.record_create(
    region=region, item=item, trigger_date=timezone.localdate() - timedelta(days=1),
    title="部署测试：临时救助发放情况说明", body="部署测试用的公开信息。", actor=clerk, publish="now",
    files=[SimpleUploadedFile(
        "发放情况说明.docx", buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )],
)
print("RECORD", record.pk, "ITEM", item.pk, "ATTACHMENT", record.attachments.get().pk)
"""


def on_postgresql() -> bool:
    return (
        django_settings.DATABASES["default"]["ENGINE"]
        == "django.db.backends.postgresql"
    )


def _pg_params() -> dict:
    db = django_settings.DATABASES["default"]
    return {
        "host": db.get("HOST") or "127.0.0.1",
        "port": db.get("PORT") or 5432,
        "user": db.get("USER") or "postgres",
        "password": db.get("PASSWORD") or None,
    }


def _pg_url(name: str) -> str:
    p = _pg_params()
    auth = urllib.parse.quote(p["user"])
    if p["password"]:
        auth += ":" + urllib.parse.quote(p["password"])
    return f"postgres://{auth}@{p['host']}:{p['port']}/{name}"


def _pg_admin(statement: str) -> None:
    import psycopg2

    connection = psycopg2.connect(dbname="postgres", **_pg_params())
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(statement)
    finally:
        connection.close()


@contextlib.contextmanager
def fresh_database(
    directory: Path, label: str, engine: str | None = None
) -> Iterator[str]:
    """An empty database (of the suite's engine unless `engine` is "sqlite" or
    "postgresql"); yields its DATABASE_URL, drops it after."""
    engine = engine or ("postgresql" if on_postgresql() else "sqlite")
    if engine == "sqlite":
        yield f"sqlite:///{directory / (label + '.sqlite3')}"
        return
    name = f"portal_{label}_{uuid.uuid4().hex[:8]}"
    _pg_admin(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0")
    try:
        yield _pg_url(name)
    finally:
        _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def sql(database_url: str, query: str, params: tuple = ()) -> list[tuple]:
    """Rows of one query against a database given by URL (SQLite file or PostgreSQL)."""
    if database_url.startswith("sqlite:///"):
        import sqlite3

        connection = sqlite3.connect(
            database_url.removeprefix("sqlite:///"), timeout=20
        )
        try:
            return connection.execute(query, params).fetchall()
        finally:
            connection.close()
    import psycopg2

    connection = psycopg2.connect(database_url)
    try:
        with connection.cursor() as cursor:
            cursor.execute(query.replace("?", "%s"), params)
            return cursor.fetchall()
    finally:
        connection.close()


def table_counts(
    database_url: str, *, skip: tuple[str, ...] = ("portal_cache",)
) -> dict[str, int]:
    if database_url.startswith("sqlite:///"):
        names = [
            r[0]
            for r in sql(
                database_url,
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'",
            )
        ]
    else:
        names = [
            r[0]
            for r in sql(
                database_url,
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'",
            )
        ]
    return {
        name: sql(database_url, f'SELECT COUNT(*) FROM "{name}"')[0][0]  # noqa: S608
        for name in sorted(names)
        if name not in skip
    }


def portal_env(
    database_url: str, media_root: Path, *, settings_module: str, **extra: str
) -> dict[str, str]:
    """The environment of a portal process: none of the caller's DJANGO_*/CACHE_URL/DATABASE_*."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(
            ("DJANGO_", "CACHE_URL", "DATABASE_", "STORAGE_BACKEND", "PYTEST")
        )
    }
    env.update(
        DJANGO_SETTINGS_MODULE=settings_module,
        DATABASE_URL=database_url,
        DJANGO_MEDIA_ROOT=str(media_root),
        # Private files (applicants' files, proof photos, staged uploads) beside
        # the media root, never in the repository's own private/ folder.
        DJANGO_PRIVATE_ROOT=str(media_root.with_name(f"{media_root.name}-private")),
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def production_env(database_url: str, directory: Path, **extra: str) -> dict[str, str]:
    """Production settings (debug off, the default cache), plain HTTP on loopback."""
    env = portal_env(
        database_url,
        directory / "media",
        settings_module="catalog_portal.settings.base",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=SECRET_KEY,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_SECURE_COOKIES="0",
        DJANGO_HSTS_SECONDS="0",
        DJANGO_STATIC_ROOT=str(directory / "static"),
    )
    if database_url.startswith("sqlite:"):
        env["DJANGO_ALLOW_SQLITE"] = "1"  # the documented single-machine pilot
    env.update(extra)
    return env


def manage(
    *args: str, env: dict[str, str], check: bool = True, timeout: float = 600
) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
        )
    return result


@dataclass
class Seeded:
    record: int
    item: int
    attachment: int


def seed(env: dict[str, str]) -> Seeded:
    """Migrate, seed_demo and one published record with an attachment."""
    manage("migrate", "--noinput", "-v0", env=env)
    manage("seed_demo", env=env)
    out = manage("shell", "-v0", "-c", EXTRA_SEED, env=env).stdout
    match = re.search(r"RECORD (\d+) ITEM (\d+) ATTACHMENT (\d+)", out)
    assert match, out
    return Seeded(*(int(g) for g in match.groups()))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A cookie jar over urllib: redirects are returned, not followed."""

    def __init__(self, base: str):
        self.base = base
        self.cookies: dict[str, str] = {}
        self.opener = urllib.request.build_opener(_NoRedirect)

    def request(self, path: str, data: dict | None = None) -> tuple[int, dict, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body)
        if self.cookies:
            req.add_header(
                "Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            )
        try:
            response = self.opener.open(req, timeout=60)
        except urllib.error.HTTPError as error:  # 3xx (not followed), 4xx, 5xx
            response = error
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        text = response.read().decode("utf-8", "replace")
        return response.status, dict(response.headers), text

    def login(self, username: str, password: str = DEMO_PASSWORD) -> None:
        status, _headers, html = self.request("/accounts/login/")
        assert status == 200, status
        status, headers, html = self.request(
            "/accounts/login/",
            {
                "username": username,
                "password": password,
                "csrfmiddlewaretoken": csrf(html),
            },
        )
        assert status == 302, f"login of {username} failed ({status})"


def csrf(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


@dataclass
class Server:
    url: str
    access_log: Path
    process: subprocess.Popen

    def log_offset(self) -> int:
        return self.access_log.stat().st_size if self.access_log.exists() else 0

    def workers_since(
        self, offset: int, path_prefix: str = "/", method: str = "GET"
    ) -> dict[str, int]:
        """Requests per worker process (pid) logged after `offset`, for one method and
        paths under a prefix (a request logged just before `offset` was taken may
        still appear: the log line is written after the response)."""
        served: dict[str, int] = {}
        with open(self.access_log, encoding="utf-8", errors="replace") as fh:
            fh.seek(offset)
            for line in fh:
                parts = line.split()
                if (
                    len(parts) >= 3
                    and parts[1] == method
                    and parts[2].startswith(path_prefix)
                ):
                    served[parts[0]] = served.get(parts[0], 0) + 1
        return served


@contextlib.contextmanager
def gunicorn(
    env: dict[str, str], directory: Path, *, workers: int = 2, threads: int = 4
) -> Iterator[Server]:
    """gunicorn serving catalog_portal.wsgi on a free loopback port; logs the worker pid per request."""
    port = free_port()
    access_log = directory / f"access-{port}.log"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "catalog_portal.wsgi",
            "-w",
            str(workers),
            "--threads",
            str(threads),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--access-logfile",
            str(access_log),
            "--access-logformat",
            "%(p)s %(m)s %(U)s %(s)s",
        ],
        cwd=ROOT,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if urllib.request.urlopen(url + "/healthz", timeout=2).status == 200:
                    break
            except OSError:
                pass
            assert process.poll() is None, "gunicorn exited while starting"
            assert time.monotonic() < deadline, (
                "gunicorn did not answer /healthz within 60 s"
            )
            time.sleep(0.1)
        yield Server(url=url, access_log=access_log, process=process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
