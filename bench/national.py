#!/usr/bin/env python
"""Public record lists at national scale (~1 million records) on PostgreSQL.

    DATABASE_URL=postgres://… .venv/bin/python bench/national.py [--reuse] [--duration 5] [--rounds 2]

Migrates DATABASE_URL and runs `seed_demo --scale national` (Henan at province
scale plus 30 synthetic provinces; skipped with `--reuse` when the data is
there) and prints how long that took. Then starts gunicorn (debug off, 2
workers) twice — first with `CACHE_URL=dummy://`, so every request renders the
page and runs its queries (the cold path the record-list p95 goal is about),
then with the default cache (what visitors mostly get) — and measures with wrk
the region page, the item record lists (first and a deep page), a record, the
search and a feed, alternating with /healthz on the same server: req/s, p95
and the page/healthz ratio. wrk keeps one connection per worker by default
(`--connections`), so p95 is the time to serve a page rather than time spent
queueing behind other requests. Needs wrk; traffic stays on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT))

from http_pages import LUA_P95, free_port  # noqa: E402

PY = sys.executable


def wrk(url: str, duration: int, script: str, connections: int) -> tuple[float, float]:
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "-s", script, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p95_ms = int(re.search(r"P95_US (\d+)", out).group(1)) / 1000
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non2xx:
        raise SystemExit(f"{url}: {non2xx.group(1)} 个非 2xx/3xx 响应，基准无效")
    return rps, p95_ms


def serve_env(env: dict, tmp: Path, cache_url: str | None) -> dict:
    out = {
        **env,
        "DJANGO_SETTINGS_MODULE": "catalog_portal.settings.base",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "bench-only-secret-" + "k" * 40,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_HSTS_SECONDS": "0",
        "DJANGO_STATIC_ROOT": str(tmp / "static"),
    }
    if cache_url:
        out["CACHE_URL"] = cache_url
    else:
        out.pop("CACHE_URL", None)
    return out


def pick_paths() -> tuple[list[str], dict]:
    """URLs of the busiest county, its busiest item, a township, a record (Django ORM)."""
    import django

    django.setup()
    from django.db.models import Count

    from catalogs.models import CatalogItem
    from disclosures.models import DisclosureRecord

    public = DisclosureRecord.objects.public()
    counts = {"records": DisclosureRecord.objects.count(), "public": public.count()}
    county = "410311"
    item_key, _n = (
        public.filter(region__code__startswith=county, item__catalog__region_id=county)
        .values_list("item_key")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    item = (
        CatalogItem.objects.filter(
            key=item_key, catalog__region_id=county, catalog__status="published"
        )
        .select_related("catalog__domain")
        .first()
    )
    slug = item.catalog.domain.slug
    record = (
        public.filter(region__code__startswith="66").order_by("-publish_at").first()
    )
    listing = f"/r/{county}/{slug}/items/{item_key}/"
    paths = [
        "/r/41/",
        "/r/660311/",
        "/r/660311012/",
        listing,
        listing + "?page=3",
        f"/r/41/{slug}/",
        f"/records/{record.pk}/",
        "/search/?q=临时救助对象",
        "/r/41/feed.rss",
    ]
    return paths, counts


def measure(
    base: str,
    paths: list[str],
    script: str,
    duration: int,
    rounds: int,
    connections: int,
) -> None:
    for path in paths:  # warm up and check every page answers 200
        url = base + urllib.parse.quote(path, safe="/?=&")
        with urllib.request.urlopen(url, timeout=30) as r:
            assert r.status == 200, path
    print(
        f"{'page':52} {'req/s':>8} {'p95 ms':>8} {'healthz req/s':>14} {'ratio':>6}",
        flush=True,
    )
    for path in paths:
        url = base + urllib.parse.quote(path, safe="/?=&")
        page, health = [], []
        for _ in range(rounds):
            health.append(wrk(base + "/healthz", duration, script, connections))
            page.append(wrk(url, duration, script, connections))
        rps = sum(r for r, _ in page) / len(page)
        p95 = max(p for _, p in page)
        hrps = sum(r for r, _ in health) / len(health)
        print(
            f"{path:52} {rps:8.1f} {p95:8.1f} {hrps:14.1f} {rps / hrps:6.2f}",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--reuse", action="store_true", help="do not migrate/seed, use the data there"
    )
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--connections",
        type=int,
        default=2,
        help="wrk connections (default: one per worker, so p95 is service time, not queueing)",
    )
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit(
            "请设置 DATABASE_URL=postgres://…：全国规模基准只在 PostgreSQL 上运行。"
        )
    if not shutil.which("wrk"):
        raise SystemExit("需要 wrk：apt-get install -y wrk")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    seed_env = {**env, "DJANGO_SETTINGS_MODULE": "catalog_portal.settings.demo"}
    if not args.reuse:
        started = time.monotonic()
        subprocess.run(
            [PY, "manage.py", "migrate", "--noinput", "-v0"],
            cwd=ROOT,
            env=seed_env,
            check=True,
        )
        subprocess.run(
            [PY, "manage.py", "seed_demo", "--scale", "national"],
            cwd=ROOT,
            env=seed_env,
            check=True,
        )
        print(
            f"seed_demo --scale national: {time.monotonic() - started:.0f} s",
            flush=True,
        )
    os.environ.update(seed_env)
    paths, counts = pick_paths()
    print(f"records: {counts['records']:,} (public {counts['public']:,})", flush=True)

    tmp = Path(tempfile.mkdtemp(prefix="bench-national-"))
    script = tmp / "p95.lua"
    script.write_text(LUA_P95)
    subprocess.run(
        [PY, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=serve_env(env, tmp, None),
        check=True,
    )
    try:
        for label, cache_url in (
            ("no page cache (every request renders)", "dummy://"),
            ("default page cache (shared database cache)", None),
        ):
            print(f"\n== {label}", flush=True)
            port = free_port()
            server = subprocess.Popen(
                [
                    PY,
                    "-m",
                    "gunicorn",
                    "catalog_portal.wsgi",
                    "-w",
                    str(args.workers),
                    "-b",
                    f"127.0.0.1:{port}",
                    "--log-level",
                    "warning",
                ],
                cwd=ROOT,
                env=serve_env(env, tmp, cache_url),
            )
            base = f"http://127.0.0.1:{port}"
            try:
                for _ in range(200):
                    try:
                        urllib.request.urlopen(base + "/healthz", timeout=1)
                        break
                    except OSError:
                        time.sleep(0.1)
                measure(
                    base,
                    paths,
                    str(script),
                    args.duration,
                    args.rounds,
                    args.connections,
                )
            finally:
                server.send_signal(signal.SIGTERM)
                server.wait(timeout=20)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
