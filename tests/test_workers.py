"""gunicorn with two workers and threads on the default configuration (issues 12, 13).

One module-scoped deployment: a fresh database of the suite's engine (a SQLite
file on the SQLite leg — the default database — and a new PostgreSQL database
on the PostgreSQL leg), migrated and seeded by the real commands, served by
`gunicorn -w 2 --threads 4` under the production settings with no CACHE_URL,
i.e. the default production cache. The access log names the worker process of
every request, so the tests can show that both workers took part.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

import pytest

from django.utils import timezone

from .serving import (
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


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    directory = tmp_path_factory.mktemp("workers")
    with fresh_database(directory, "workers") as database_url:
        env = production_env(database_url, directory)
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
        with gunicorn(env, directory, workers=2, threads=4) as server:
            yield Deployment(server=server, database_url=database_url, item_pk=item_pk)


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
    assert (
        sum(
            deployment.server.workers_since(
                offset, "/work/records/new/", "POST"
            ).values()
        )
        == 16
    )


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
                assert status == 404, (path, status)
            else:
                assert status == 200, (path, status)
            assert title not in html, f"{path} still shows the withdrawn record"
        if len(server.workers_since(offset, "/")) == 2:
            break
    served_by = server.workers_since(offset, "/")
    assert len(served_by) == 2, (
        f"both workers answered after the withdrawal: {served_by}"
    )
