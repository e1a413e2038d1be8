"""gunicorn with two workers and threads on the default configuration (issues 12, 13),
and background tasks on two app servers and a task worker (issue 14).

One module-scoped deployment: a fresh database of the suite's engine (a SQLite
file on the SQLite leg — the default database — and a new PostgreSQL database
on the PostgreSQL leg), migrated and seeded by the real commands, served by
`gunicorn -w 2 --threads 4` under the production settings with no CACHE_URL,
i.e. the default production cache. The access log names the worker process of
every request, so the tests can show that both workers took part.

The name-list tests add a second app server (its own gunicorn, its own temp
directory) and `manage.py db_worker` processes (the default database task
backend) sharing the database and the private storage (DJANGO_PRIVATE_ROOT):
a 20,000-row list uploaded through server A, mapped through server B,
processed by the worker and previewed through both; and a worker killed
mid-list (SIGKILL), after which the next worker finishes the list once the
periodic rescue job has handed it over again.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from django.urls import reverse
from django.utils import timezone

from demo import namelists as demo_namelists

from .serving import (
    ROOT,
    Browser,
    Server,
    csrf,
    fresh_database,
    gunicorn,
    manage,
    production_env,
    seed,
    sql,
)

REGION = "410311"  # 洛龙区, demo-county's region


@dataclass
class Deployment:
    server: Server
    database_url: str
    item_pk: int
    env: dict
    directory: Path


#: A list without progress for this long is handed to a worker again (the kill test).
STUCK_AFTER = 3


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    directory = tmp_path_factory.mktemp("workers")
    with fresh_database(directory, "workers") as database_url:
        env = production_env(
            database_url,
            directory,
            # Shared by every app server and worker: the staged uploads.
            DJANGO_PRIVATE_ROOT=str(directory / "private"),
            DJANGO_NAME_LIST_STUCK_AFTER=str(STUCK_AFTER),
        )
        seed_env = {
            **env,
            "DJANGO_SETTINGS_MODULE": "catalog_portal.settings.demo",
            "DJANGO_DEBUG": "1",
        }
        item_pk = seed(seed_env).item
        manage("collectstatic", "--noinput", "-v0", env=env)
        code = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'], 'public_pages' in settings.CACHES)"
        assert manage("shell", "-v0", "-c", code, env=env).stdout.split() == [
            "django.core.cache.backends.db.DatabaseCache",
            "True",
        ], (
            "the production default cache is the shared database cache, with the page cache on"
        )
        with gunicorn(
            {**env, "TMPDIR": str(_own_tmp(directory, "server-a"))},
            directory,
            workers=2,
            threads=4,
        ) as server:
            yield Deployment(
                server=server,
                database_url=database_url,
                item_pk=item_pk,
                env=env,
                directory=directory,
            )


def _own_tmp(directory: Path, name: str) -> Path:
    """A process's own temp directory (TMPDIR): nothing may be left in it."""
    path = directory / f"tmp-{name}"
    path.mkdir(exist_ok=True)
    return path


def _record_form(
    clerk: Browser, deployment: Deployment, title: str, token: str
) -> dict:
    return {
        "csrfmiddlewaretoken": token,
        "item": str(deployment.item_pk),
        "trigger_date": (timezone.localdate() - timedelta(days=1)).isoformat(),
        "title": title,
        "body": "并发登记测试：同时提交的多条公开信息。",
        "publish": "now",
    }


def test_sixteen_parallel_record_creations_give_no_server_error(deployment):
    """16 clerks' clicks at once through the real record form: all saved, none answered 5xx."""
    clerk = Browser(deployment.server.url)
    clerk.login("demo-county")
    status, _headers, html = clerk.request("/work/records/new/")
    assert status == 200
    assert f'value="{deployment.item_pk}"' in html
    token = csrf(html)
    titles = [f"并发登记测试第{n:02d}条" for n in range(1, 17)]
    offset = deployment.server.log_offset()

    def create(title: str) -> int:
        status, _headers, _html = clerk.request(
            "/work/records/new/", _record_form(clerk, deployment, title, token)
        )
        return status

    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(create, titles))

    assert [s for s in statuses if s >= 500] == []
    assert statuses == [302] * 16  # each one saved and redirected to its record
    rows = sql(
        deployment.database_url,
        "SELECT title, status FROM disclosures_disclosurerecord WHERE title LIKE ?",
        ("并发登记测试第%",),
    )
    assert sorted(title for title, _status in rows) == titles
    assert {status for _title, status in rows} == {"published"}
    # gunicorn writes an access-log line after sending the response: the last
    # lines may trail the responses by a moment, so wait for them (at most 10 s).
    logged = 0
    for _attempt in range(100):
        logged = sum(
            deployment.server.workers_since(
                offset, "/work/records/new/", "POST"
            ).values()
        )
        if logged >= 16:
            break
        time.sleep(0.1)
    assert logged == 16


def _fetch_all(
    paths: list[str], *, concurrency: int = 8
) -> list[tuple[str, int, dict, str]]:
    """Anonymous GETs in parallel (no cookies kept: each request is a new visitor)."""

    def get(url: str):
        base, path = url.split("|", 1)
        status, headers, html = Browser(base).request(path)
        return path, status, headers, html

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        return list(pool.map(get, paths))


def test_a_withdrawn_record_is_gone_from_both_workers_at_once(deployment):
    """Pages cached by both workers (in the shared default cache) stop showing a
    withdrawn record on the very next request, whichever worker answers it."""
    server = deployment.server
    title = "撤回测试：某村低保公示（信息有误）"
    clerk = Browser(server.url)
    clerk.login("demo-county")
    status, _headers, html = clerk.request("/work/records/new/")
    status, headers, _html = clerk.request(
        "/work/records/new/", _record_form(clerk, deployment, title, csrf(html))
    )
    assert status == 302
    record_pk = int(re.search(r"/work/records/(\d+)/", headers["Location"]).group(1))
    pages = [f"/records/{record_pk}/", f"/r/{REGION}/", f"/r/{REGION}/feed.rss"]

    # Warm: every page many times, in parallel, until both workers have served them.
    offset = server.log_offset()
    cache_states = set()
    for _round in range(10):
        results = _fetch_all(
            [f"{server.url}|{page}" for page in pages for _ in range(12)]
        )
        for path, status, headers, html in results:
            assert status == 200, (path, status)
            assert title in html, path
            cache_states.add(headers.get("X-Public-Cache"))
        if (
            len(server.workers_since(offset, "/r/")) == 2
            and len(server.workers_since(offset, "/records/")) == 2
        ):
            break
    assert len(server.workers_since(offset, "/records/")) == 2, (
        "both workers served the record page"
    )
    assert "hit" in cache_states, (
        "the page cache is on with the default production cache"
    )

    # Withdrawn through the staff page (the service: audit, cache invalidation).
    withdraw = f"/work/records/{record_pk}/withdraw/"
    status, _headers, html = clerk.request(withdraw)
    assert status == 200
    status, _headers, _html = clerk.request(
        withdraw,
        {"reason": "信息有误，更正后重新发布。", "csrfmiddlewaretoken": csrf(html)},
    )
    assert status == 302
    assert sql(
        deployment.database_url,
        "SELECT status FROM disclosures_disclosurerecord WHERE id = ?",
        (record_pk,),
    ) == [("withdrawn",)]

    # Every one of the next requests (12 per page), on either worker, no longer
    # shows it; more rounds only if one worker happened to answer them all.
    offset = server.log_offset()
    for _round in range(5):
        results = _fetch_all(
            [f"{server.url}|{page}" for page in pages for _ in range(12)]
        )
        for path, status, _headers, html in results:
            if path.startswith("/records/"):
                # The withdrawn notice: the title, when and why; never the content.
                assert status == 410, (path, status)
                assert "撤回原因：信息有误" in html, path
                assert "并发登记测试" not in html, f"{path} still shows the body"
            else:
                assert status == 200, (path, status)
                assert title not in html, f"{path} still lists the withdrawn record"
        if len(server.workers_since(offset, "/")) == 2:
            break
    served_by = server.workers_since(offset, "/")
    assert len(served_by) == 2, (
        f"both workers answered after the withdrawal: {served_by}"
    )


# --------------------------------------------------------------------------- name lists on a task worker


@contextlib.contextmanager
def db_worker(deployment: Deployment, name: str) -> Iterator[subprocess.Popen]:
    """`manage.py db_worker` (the default database backend) with its own temp directory."""
    log = open(deployment.directory / f"{name}.log", "ab")  # noqa: SIM115
    process = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "db_worker",
            "--no-reload",
            "--no-startup-delay",
            "--interval",
            "0.2",
            "--worker-id",
            name,
        ],
        cwd=ROOT,
        env={**deployment.env, "TMPDIR": str(_own_tmp(deployment.directory, name))},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        log.close()


def _post_file(
    browser: Browser, path: str, fields: dict, filename: str, content: bytes
) -> tuple[int, dict, str]:
    """A multipart POST (an upload form) with the browser's cookies."""
    boundary = uuid.uuid4().hex
    body = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    )
    body += (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n"
    ).encode() + content
    body += f"\r\n--{boundary}--\r\n".encode()
    request = urllib.request.Request(
        browser.base + path,
        data=body,
        headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Cookie": "; ".join(f"{k}={v}" for k, v in browser.cookies.items()),
        },
    )
    try:
        response = browser.opener.open(request, timeout=120)
    except urllib.error.HTTPError as error:
        response = error
    return (
        response.status,
        dict(response.headers),
        response.read().decode("utf-8", "replace"),
    )


def _new_record(clerk: Browser, deployment: Deployment, title: str) -> int:
    status, _headers, html = clerk.request("/work/records/new/")
    assert status == 200
    status, headers, _html = clerk.request(
        "/work/records/new/", _record_form(clerk, deployment, title, csrf(html))
    )
    assert status == 302, status
    return int(re.search(r"/work/records/(\d+)/", headers["Location"]).group(1))


def _upload_on_a_map_on_b(
    a: Browser, b: Browser, record_pk: int, content: bytes
) -> int:
    """Upload through server A, map through server B; the list's id."""
    upload = reverse("disclosures:namelist_upload", args=[record_pk])
    status, _headers, html = a.request(upload)
    assert status == 200
    status, headers, html = _post_file(
        a, upload, {"csrfmiddlewaretoken": csrf(html)}, "名单.xlsx", content
    )
    assert status == 302, f"upload refused: {status} {html[:2000]}"
    mapping = headers["Location"]
    status, _headers, html = b.request(mapping)  # another server: the shared storage
    assert status == 200, status
    assert "户主姓名" in html or "姓名" in html
    status, headers, html = b.request(
        mapping,
        {
            "csrfmiddlewaretoken": csrf(html),
            "col_1": "name",
            "col_8": "village",
            "mask_names": "full",
            "action": "map",
        },
    )
    assert status == 302, f"mapping refused: {status} {html[:2000]}"
    return int(re.search(r"/namelists/(\d+)/", headers["Location"]).group(1))


def _name_list(deployment: Deployment, pk: int) -> tuple[str, int, int]:
    return sql(
        deployment.database_url,
        "SELECT status, rows_done, row_count FROM disclosures_namelist WHERE id = ?",
        (pk,),
    )[0]


def _wait_until_done(deployment: Deployment, pk: int, seconds: float = 600) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        status, _done, _count = _name_list(deployment, pk)
        if status != "processing":
            return status
        time.sleep(0.25)
    raise AssertionError(f"name list {pk} still processing after {seconds} s")


def _task_results(deployment: Deployment, task: str) -> list[tuple[str, str, str]]:
    return sql(
        deployment.database_url,
        "SELECT status, worker_ids, exception_class_path FROM django_tasks_database_dbtaskresult"
        " WHERE task_path = ? ORDER BY enqueued_at",
        (task,),
    )


def _leftovers(deployment: Deployment) -> list[str]:
    """Staged uploads left in the shared private storage, or files in any process's temp
    directory (the private storage also keeps other things: posting proofs)."""
    found = []
    staged = deployment.directory / "private" / "namelist-staging"
    for top in [staged, *deployment.directory.glob("tmp-*")]:
        found += [str(p) for p in top.rglob("*") if p.is_file()] if top.exists() else []
    return found


@pytest.fixture(scope="module")
def server_b(deployment):
    with gunicorn(
        {**deployment.env, "TMPDIR": str(_own_tmp(deployment.directory, "server-b"))},
        deployment.directory,
        workers=1,
        threads=2,
    ) as server:
        yield server


def _clerks(deployment: Deployment, server_b: Server) -> tuple[Browser, Browser]:
    a = Browser(deployment.server.url)
    a.login("demo-county")
    b = Browser(server_b.url)
    b.cookies = a.cookies  # one clerk behind a balancer without sticky sessions
    return a, b


PROCESS_TASK = "disclosures.namelists.tasks.process_name_list"


def test_a_list_uploaded_on_a_mapped_on_b_is_processed_by_the_worker(
    deployment, server_b
):
    people = demo_namelists.synthetic_people(20_000, seed="two-servers")
    content = demo_namelists.workbook_bytes(
        "洛龙区临时救助名单（双服务器测试）", people
    )
    a, b = _clerks(deployment, server_b)
    record_pk = _new_record(a, deployment, "双服务器名单测试：临时救助审批结果")
    with db_worker(deployment, "worker-1"):
        pk = _upload_on_a_map_on_b(a, b, record_pk, content)
        detail = reverse("disclosures:namelist_detail", args=[pk])
        status, _headers, html = a.request(detail)
        assert status == 200
        if "namelist-progress" in html:  # still processing: the page refreshes itself
            assert '<meta http-equiv="refresh"' in html and "已处理" in html
        assert _wait_until_done(deployment, pk) == "preview"
    status, rows_done, row_count = _name_list(deployment, pk)
    assert (rows_done, row_count) == (20_000, 20_000)
    assert sql(
        deployment.database_url,
        "SELECT COUNT(*), COUNT(DISTINCT number) FROM disclosures_namelistrow"
        " WHERE name_list_id = ?",
        (pk,),
    ) == [(20_000, 20_000)]
    [(task_status, worker_ids, _error)] = _task_results(deployment, PROCESS_TASK)
    assert task_status == "SUCCESSFUL" and "worker-1" in worker_ids
    # Previewed through either server: the masked table, no raw identifier.
    raw = demo_namelists.raw_identifiers(people[:50])
    for clerk in (a, b):
        status, _headers, html = clerk.request(detail)
        assert status == 200 and 'id="namelist-preview"' in html
        assert people[0].name in html and people[0].village in html
        assert not [value for value in raw if value in html]
    # The raw upload is gone from the private storage; no process kept a copy.
    assert _leftovers(deployment) == []


def test_a_worker_killed_mid_list_is_replaced_and_the_list_finishes(
    deployment, server_b
):
    people = demo_namelists.synthetic_people(40_000, seed="killed-worker")
    content = demo_namelists.workbook_bytes("洛龙区临时救助名单（中断测试）", people)
    a, b = _clerks(deployment, server_b)
    record_pk = _new_record(a, deployment, "中断测试：临时救助审批结果")
    with db_worker(deployment, "worker-killed") as doomed:
        pk = _upload_on_a_map_on_b(a, b, record_pk, content)
        deadline = time.monotonic() + 300
        while True:
            status, rows_done, _count = _name_list(deployment, pk)
            if status == "processing" and rows_done >= 2000:
                break
            assert status == "processing", "the list ended before the worker was killed"
            assert time.monotonic() < deadline, "the worker never started the list"
            time.sleep(0.02)
        os.kill(doomed.pid, signal.SIGKILL)
        doomed.wait()
    status, rows_done, _count = _name_list(deployment, pk)
    assert status == "processing" and 0 < rows_done < 40_000
    [(task_status, _workers, _error)] = _task_results(deployment, PROCESS_TASK)[-1:]
    assert task_status == "RUNNING"  # nobody will finish it: its worker is dead

    # Detail page on either server: still processing, refreshing itself.
    detail = reverse("disclosures:namelist_detail", args=[pk])
    status, _headers, html = b.request(detail)
    assert status == 200 and "namelist-progress" in html

    with db_worker(deployment, "worker-2"):
        time.sleep(
            STUCK_AFTER + 1
        )  # no heartbeat for longer than NAME_LIST_STUCK_AFTER
        # The schedule's run (cron every minute): the rescue job goes to the worker.
        out = manage("periodic_jobs", env=deployment.env).stdout
        assert "rescue_name_lists" in out, out
        assert _wait_until_done(deployment, pk) == "preview"
    status, rows_done, row_count = _name_list(deployment, pk)
    assert (rows_done, row_count) == (40_000, 40_000)
    assert sql(
        deployment.database_url,
        "SELECT COUNT(*), COUNT(DISTINCT number) FROM disclosures_namelistrow"
        " WHERE name_list_id = ?",
        (pk,),
    ) == [(40_000, 40_000)]
    results = _task_results(deployment, PROCESS_TASK)[-2:]
    assert results[0][0] == "FAILED" and results[0][2].endswith("WorkerDied")
    assert results[1][0] == "SUCCESSFUL" and "worker-2" in results[1][1]
    for clerk in (a, b):
        status, _headers, html = clerk.request(detail)
        assert status == 200 and 'id="namelist-preview"' in html
    assert _leftovers(deployment) == []
