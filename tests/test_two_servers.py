"""Two stateless app servers, one PostgreSQL, one Redis: a login and a cache
invalidation cross between them (SPEC §11, issue 9); and the Redis/RQ task
backend (issue 14): a name list enqueued with ``TASK_BACKEND=rq`` is processed
by `manage.py rqworker`.

Runs in the PostgreSQL leg of CI (`.ci/run`; deselected on SQLite by the
`postgres` marker). The test starts, on loopback, a throwaway `redis-server`
on a free port and two gunicorn servers (debug off, `CACHE_URL` pointing at
that Redis) on two more ports, against the PostgreSQL test database the suite
runs on. Sessions live in the database, public pages in the shared Redis.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
import redis

from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone

from catalogs.models import Region, User
from catalogs.reference import load_luoyang_catalogs, load_templates
from disclosures.records import obligations as obligation_services
from disclosures.records import services as record_services

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(django_settings.BASE_DIR)
PASSWORD = "Two-Servers-2026"
TITLE = "双服务器缓存失效测试公开信息"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database_url() -> str:
    db = connection.settings_dict
    auth = urllib.parse.quote(db["USER"] or "postgres")
    if db.get("PASSWORD"):
        auth += ":" + urllib.parse.quote(db["PASSWORD"])
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A cookie jar shared by requests to any of the servers (like one visitor behind a balancer)."""

    def __init__(self):
        self.cookies: dict[str, str] = {}
        self.opener = urllib.request.build_opener(_NoRedirect)

    def request(self, url: str, data: dict | None = None, *, cookies: bool = True):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(url, data=body)
        if cookies and self.cookies:
            req.add_header(
                "Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            )
        try:
            response = self.opener.open(req, timeout=20)
        except urllib.error.HTTPError as error:  # 3xx (not followed) and 4xx/5xx
            response = error
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        text = response.read().decode("utf-8", "replace")
        return response.status, response.headers, text


def _csrf(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def _wait(check, what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except (OSError, redis.exceptions.ConnectionError):
            pass
        time.sleep(0.1)
    raise AssertionError(f"{what} did not start within {seconds} s")


def _start_redis(tmp: Path) -> tuple[subprocess.Popen, str]:
    redis_bin = shutil.which("redis-server")
    assert redis_bin, "redis-server is needed (scripts/system-deps.sh installs it)"
    port = _free_port()
    process = subprocess.Popen(
        [
            redis_bin,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp),
        ],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    _wait(redis.Redis.from_url(url).ping, "redis-server")
    return process, url


def _server_env(tmp: Path, **extra: str) -> dict[str, str]:
    """Production settings (debug off) on the suite's PostgreSQL test database."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "CACHE_URL", "TASK"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="catalog_portal.settings.base",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="two-servers-test-secret-" + "x" * 40,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_SECURE_COOKIES="0",
        DJANGO_HSTS_SECONDS="0",
        DJANGO_CONN_MAX_AGE="0",
        DJANGO_STATIC_ROOT=str(tmp / "static"),
        DATABASE_URL=_database_url(),
    )
    env.pop("DATABASE_REPLICA_URL", None)
    env.update(extra)
    return env


@pytest.fixture
def stack(settings):
    """Redis + two gunicorn servers; yields (redis URL, server A URL, server B URL)."""
    redis_bin = shutil.which("redis-server")
    assert redis_bin, "redis-server is needed (scripts/system-deps.sh installs it)"
    tmp = Path(tempfile.mkdtemp(prefix="two-servers-"))
    redis_port, port_a, port_b = _free_port(), _free_port(), _free_port()
    redis_url = f"redis://127.0.0.1:{redis_port}/0"
    processes = []
    try:
        processes.append(
            subprocess.Popen(
                [
                    redis_bin,
                    "--port",
                    str(redis_port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--dir",
                    str(tmp),
                ],
                stdout=subprocess.DEVNULL,
            )
        )
        client = redis.Redis.from_url(redis_url)
        _wait(client.ping, "redis-server")
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DJANGO_", "CACHE_URL"))
        }
        env.update(
            DJANGO_SETTINGS_MODULE="catalog_portal.settings.base",
            DJANGO_DEBUG="0",
            DJANGO_SECRET_KEY="two-servers-test-secret-" + "x" * 40,
            DJANGO_ALLOWED_HOSTS="127.0.0.1",
            DJANGO_SECURE_SSL_REDIRECT="0",
            DJANGO_SECURE_COOKIES="0",
            DJANGO_HSTS_SECONDS="0",
            DJANGO_CONN_MAX_AGE="0",
            DJANGO_STATIC_ROOT=str(tmp / "static"),
            DATABASE_URL=_database_url(),
            CACHE_URL=redis_url,
        )
        env.pop("DATABASE_REPLICA_URL", None)
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        for port in (port_a, port_b):
            processes.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "gunicorn",
                        "catalog_portal.wsgi",
                        "-w",
                        "1",
                        "-b",
                        f"127.0.0.1:{port}",
                        "--log-level",
                        "warning",
                    ],
                    cwd=ROOT,
                    env=env,
                )
            )
        for port in (port_a, port_b):
            _wait(
                lambda port=port: urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/healthz", timeout=1
                ).status
                == 200,
                f"gunicorn on port {port}",
            )
        # This process writes through the services too: same shared cache.
        redis_cache = {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
        }
        settings.CACHES = {
            "default": {**redis_cache, "KEY_PREFIX": "catalog_portal"},
            "public_pages": {
                **redis_cache,
                "KEY_PREFIX": "public_pages",
                "TIMEOUT": 600,
            },
        }
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
        yield redis_url, f"http://127.0.0.1:{port_a}", f"http://127.0.0.1:{port_b}"
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(tmp, ignore_errors=True)


def test_login_and_cache_invalidation_cross_between_servers(stack, make_user):
    redis_url, server_a, server_b = stack
    load_templates()
    load_luoyang_catalogs()
    clerk = make_user(User.Role.COUNTY_CLERK, "410311", username="two-servers-clerk")
    clerk.set_password(PASSWORD)
    clerk.save()
    region = Region.objects.get(code="410311")
    item = next(
        i
        for i in obligation_services.applicable_items(region)
        if obligation_services.item_allows_region(i, region)
    )
    page = "/r/410311/"
    visitor = Browser()

    # A public page rendered and cached by server A is served from the shared cache by B.
    status, headers, html = visitor.request(server_a + page)
    assert status == 200 and headers["X-Public-Cache"] == "miss"
    assert TITLE not in html
    status, headers, _html = visitor.request(server_b + page)
    assert status == 200 and headers["X-Public-Cache"] == "hit"

    # Publishing through the services invalidates it for both servers.
    record = record_services.record_create(
        region=region,
        item=item,
        trigger_date=timezone.localdate() - timedelta(days=1),
        title=TITLE,
        body="两台应用服务器共享缓存的测试。",
        actor=clerk,
        publish="now",
    )
    status, headers, html = visitor.request(server_b + page)
    assert status == 200 and headers["X-Public-Cache"] == "miss"
    assert TITLE in html
    status, headers, html = visitor.request(server_a + page)
    assert status == 200 and headers["X-Public-Cache"] == "hit" and TITLE in html

    # A login made on server A is valid on server B (sessions in the database).
    staff = Browser()
    status, _h, html = staff.request(server_a + "/accounts/login/")
    assert status == 200
    status, headers, _html = staff.request(
        server_a + "/accounts/login/",
        {
            "username": clerk.username,
            "password": PASSWORD,
            "csrfmiddlewaretoken": _csrf(html),
        },
    )
    assert status == 302, "login on server A failed"
    assert "sessionid" in staff.cookies
    status, _h, _html = Browser().request(server_b + "/work/records/")
    assert status == 302  # without the session: to the login page
    status, _h, html = staff.request(server_b + "/work/records/")
    assert status == 200 and TITLE in html

    # Withdrawn through server B's staff UI: server A stops showing it at once.
    withdraw = f"/work/records/{record.pk}/withdraw/"
    status, _h, html = staff.request(server_b + withdraw)
    assert status == 200
    status, _h, _html = staff.request(
        server_b + withdraw,
        {"reason": "测试撤回：信息有误。", "csrfmiddlewaretoken": _csrf(html)},
    )
    assert status == 302
    record.refresh_from_db()
    assert record.status == "withdrawn"
    status, headers, html = visitor.request(server_a + page)
    assert status == 200 and headers["X-Public-Cache"] == "miss"
    assert TITLE not in html


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, (
        f"manage.py {args}:\n{result.stdout}\n{result.stderr}"
    )
    return result


def test_a_name_list_goes_through_the_redis_rq_backend(settings, make_user):
    """TASK_BACKEND=rq: the mapping's task waits in Redis until `rqworker` runs it."""
    from demo import namelists as demo_namelists
    from disclosures.models import NameList
    from disclosures.namelists import processing, staging

    tmp = Path(tempfile.mkdtemp(prefix="rq-backend-"))
    redis_process, redis_url = _start_redis(tmp)
    try:
        # This process and the subprocesses share the private storage.
        settings.NAME_LIST_STAGING_DIR = str(tmp / "private" / "namelist-staging")
        tasks_url = redis_url.removesuffix("/0") + "/1"  # the queue's own database
        env = _server_env(
            tmp,
            CACHE_URL=redis_url,
            TASK_BACKEND="rq",
            TASKS_REDIS_URL=tasks_url,
            DJANGO_PRIVATE_ROOT=str(tmp / "private"),
        )
        _manage("check", env=env)  # the RQ backend's own checks (queues, django_rq)
        load_templates()
        load_luoyang_catalogs()
        clerk = make_user(User.Role.COUNTY_CLERK, "410311", username="rq-clerk")
        region = Region.objects.get(code="410311")
        item = next(
            i
            for i in obligation_services.applicable_items(region)
            if obligation_services.item_allows_region(i, region)
        )
        record = record_services.record_create(
            region=region,
            item=item,
            trigger_date=timezone.localdate() - timedelta(days=1),
            title="RQ 后台任务测试：临时救助审批结果",
            body="RQ 后台任务测试。",
            actor=clerk,
            publish="now",
        )
        people = demo_namelists.synthetic_people(30, seed="rq")
        staged = staging.name_list_stage_upload(
            record=record,
            data=demo_namelists.workbook_bytes("RQ 测试名单", people),
            filename="名单.xlsx",
            actor=clerk,
        )
        started = processing.name_list_start(
            staged=staged,
            record=record,
            sheet=None,
            mapping={1: "name", 8: "village"},
            mask_names=False,
            publicity_end=None,
            actor=clerk,
            dispatch=False,
        )
        # Enqueued as the mapping does on commit, in a process on the RQ settings.
        _manage(
            "shell",
            "-c",
            "from disclosures.namelists.processing import name_list_dispatch;"
            f" name_list_dispatch({started.pk})",
            env=env,
        )
        client = redis.Redis.from_url(tasks_url)
        assert client.llen("rq:queue:default") == 1
        started.refresh_from_db()
        assert started.status == NameList.Status.PROCESSING  # no worker yet

        worker = _manage(
            "rqworker",
            "default",
            "--burst",
            "--job-class",
            "django_tasks_rq.Job",
            env=env,
        )
        started.refresh_from_db()
        assert started.status == NameList.Status.PREVIEW, worker.stdout + worker.stderr
        assert started.row_count == 30
        assert client.llen("rq:queue:default") == 0
        assert not staging.staged_file_exists(staged.token)
    finally:
        redis_process.terminate()
        redis_process.wait(timeout=20)
        shutil.rmtree(tmp, ignore_errors=True)
