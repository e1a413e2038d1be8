"""Page-cache hit rate over a simulated working day: publications interleaved with reads.

Usage (from the repository root)::

    .venv/bin/python bench/cache_day.py [--reads 4000] [--publish-every 40] [--reuse]
    DATABASE_URL=postgres://… .venv/bin/python bench/cache_day.py

Without ``DATABASE_URL`` it builds a fresh SQLite file ``bench/out/cache_day.sqlite3``
(``--reuse`` keeps an already seeded one) and runs ``seed_demo``. Then, in this
process, with a local-memory ``public_pages`` cache, it replays one reading day
twice with the same random sequence:

- **scoped** — the portal as built: a record published in a township forgets the
  pages of that township, its county, city and province, and the pages that list
  records of any region (home, search, record pages);
- **global** — the same, plus a full invalidation after every publication (how
  the cache worked before: one generation key for everything).

Readers pick among the public pages of every Luoyang region (region page and
both catalogs), the home page and a search, weighted towards the home page,
the city and the counties; every ``--publish-every`` reads a clerk publishes a
record in a random township (through the records service, as the form does).
It prints, per mode, the hit rate, the mean server time of hits and misses and
the total; the ratio of the totals says what the scoping saves.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT_DIR = REPO / "bench" / "out"


def _prepare(args) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "catalog_portal.settings.demo"
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
    if "DATABASE_URL" not in os.environ:
        OUT_DIR.mkdir(parents=True, exist_ok=True)
        db_file = OUT_DIR / "cache_day.sqlite3"
        fresh = not (args.reuse and db_file.exists())
        if fresh and db_file.exists():
            db_file.unlink()
        os.environ["DATABASE_URL"] = f"sqlite:///{db_file}"
    python = sys.executable
    started = time.perf_counter()
    for command in (
        ["migrate", "--noinput", "-v0"],
        ["collectstatic", "--noinput", "-v0"],
        ["seed_demo"],
    ):
        subprocess.run(
            [python, "manage.py", *command],
            cwd=REPO,
            env=os.environ,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    print(f"migrate + seed_demo: {time.perf_counter() - started:.1f} s")


def _pages() -> tuple[list[str], list[float]]:
    from catalogs.models import Domain, Region

    slugs = list(Domain.objects.values_list("slug", flat=True))
    urls, weights = ["/", "/search/?q=低保"], [20.0, 4.0]
    regions = Region.objects.filter(code__startswith="4103", official=True).order_by(
        "code"
    )
    weight = {
        Region.Level.CITY: 10.0,
        Region.Level.COUNTY: 3.0,
        Region.Level.TOWNSHIP: 1.0,
    }
    for region in regions:
        if region.level not in weight:
            continue
        for url in [f"/r/{region.code}/", *(f"/r/{region.code}/{s}/" for s in slugs)]:
            urls.append(url)
            weights.append(weight[region.level])
    urls.append("/r/41/")
    weights.append(10.0)
    # A region without its own catalog redirects to the one that applies: readers
    # land on that page, which is in the list already.
    from django.test import Client

    client = Client()
    kept = [
        (u, w)
        for u, w in zip(urls, weights, strict=True)
        if client.get(u).status_code == 200
    ]
    return [u for u, _w in kept], [w for _u, w in kept]


def _publishers():
    """(region, item) pairs a township has published under: where clerks publish."""
    from catalogs.models import Region
    from disclosures.models import DisclosureRecord

    pairs = (
        DisclosureRecord.objects.public()
        .filter(region__level=Region.Level.TOWNSHIP)
        .values_list("region_id", "item_id")
        .distinct()
        .order_by("region_id", "item_id")
    )
    return list(pairs)


def _day(mode: str, args, urls, weights, publishers) -> dict:
    from django.core.cache import caches
    from django.test import Client
    from django.utils import timezone

    from catalogs.models import CatalogItem, Region
    from disclosures.public import cache as page_cache
    from disclosures.records import services as record_services

    rng = random.Random(args.seed)
    caches[page_cache.ALIAS].clear()
    client = Client()
    times = {"hit": [], "miss": []}
    published = 0
    today = timezone.localdate()
    for n in range(1, args.reads + 1):
        if n % args.publish_every == 0:
            region_code, item_id = rng.choice(publishers)
            record_services.record_create(
                region=Region.objects.get(code=region_code),
                item=CatalogItem.objects.get(pk=item_id),
                trigger_date=today - timedelta(days=1),
                title=f"缓存模拟公开信息第{n}条",
                body="模拟一天中的发布，与阅读交替进行。",
                actor=None,
                publish=record_services.PUBLISH_NOW,
            )
            published += 1
            if mode == "global":
                page_cache.invalidate()
        url = rng.choices(urls, weights)[0]
        started = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        times[response.get("X-Public-Cache", "miss")].append(elapsed)
    hits, misses = len(times["hit"]), len(times["miss"])
    return {
        "mode": mode,
        "reads": args.reads,
        "published": published,
        "hit_rate": hits / args.reads,
        "hit_ms": 1000 * sum(times["hit"]) / max(hits, 1),
        "miss_ms": 1000 * sum(times["miss"]) / max(misses, 1),
        "total_s": sum(times["hit"]) + sum(times["miss"]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reads", type=int, default=4000)
    parser.add_argument("--publish-every", type=int, default=40)
    parser.add_argument("--seed", type=int, default=20261208)
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()
    _prepare(args)

    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.conf import settings
    from django.db import transaction
    from django.test.utils import override_settings

    from disclosures.public import cache as page_cache

    caches_setting = {
        **settings.CACHES,
        page_cache.ALIAS: {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "bench-public-pages",
            "TIMEOUT": 3600,
        },
    }
    with override_settings(CACHES=caches_setting, DEBUG=False):
        urls, weights = _pages()
        publishers = _publishers()
        print(
            f"{len(urls)} public pages, {len(publishers)} (township, item) publishers, "
            f"{args.reads} reads, one publication every {args.publish_every} reads"
        )
        results = []
        for mode in ("scoped", "global"):
            # Each day's publications are rolled back so both days start equal.
            with transaction.atomic():
                results.append(_day(mode, args, urls, weights, publishers))
                transaction.set_rollback(True)
    print(f"{'mode':<8} {'hit rate':>9} {'hit ms':>8} {'miss ms':>8} {'total s':>8}")
    for r in results:
        print(
            f"{r['mode']:<8} {r['hit_rate']:>9.1%} {r['hit_ms']:>8.2f} "
            f"{r['miss_ms']:>8.1f} {r['total_s']:>8.1f}"
        )
    scoped, global_ = results
    print(
        f"server time, scoped / global: {scoped['total_s'] / global_['total_s']:.2f}× "
        f"({scoped['published']} publications each)"
    )


if __name__ == "__main__":
    main()
