"""Benchmark of the province quarter progress page at province scale.

Usage (from the repository root)::

    .venv/bin/python bench/progress.py [--period 2026Q3] [--repeat 7] [--reuse]
    DATABASE_URL=postgres://… .venv/bin/python bench/progress.py

Without ``DATABASE_URL`` it builds a fresh SQLite file ``bench/out/progress.sqlite3``
(``--reuse`` keeps an already seeded one); with it, it uses that database.
Either way it migrates, runs ``seed_demo --scale province`` (idempotent: every
official county and township of Henan, about 90,000 obligations and records),
then renders ``/work/progress/<period>/`` as demo-province through Django's test
client ``--repeat`` times and prints the seed time, the number of obligations,
the query count and the fastest, median and slowest render. The goal is at most
one second. The default period is the last complete quarter, the one the seed
filled completely.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT_DIR = REPO / "bench" / "out"
GOAL_SECONDS = 1.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--period", help="统计期，例如 2026Q3（默认：上一个完整季度）")
    parser.add_argument("--region", default="41", help="区划代码（默认 41 河南省）")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="reuse bench/out/progress.sqlite3 if present",
    )
    args = parser.parse_args()

    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "catalog_portal.settings.demo"
    env.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
    if "DATABASE_URL" not in env:
        OUT_DIR.mkdir(parents=True, exist_ok=True)
        db_file = OUT_DIR / "progress.sqlite3"
        if db_file.exists() and not args.reuse:
            db_file.unlink()
        env["DATABASE_URL"] = f"sqlite:///{db_file}"
    python = sys.executable
    started = time.perf_counter()
    subprocess.run(
        [python, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=REPO,
        env=env,
        check=True,
    )
    subprocess.run(
        [python, "manage.py", "seed_demo", "--scale", "province"],
        cwd=REPO,
        env=env,
        check=True,
    )
    seed_seconds = time.perf_counter() - started
    os.environ.update(env)
    sys.path.insert(0, str(REPO))

    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from catalogs.models import User
    from disclosures.models import DisclosureRecord, Obligation
    from disclosures.progress.views import default_period

    period = args.period or default_period().slug
    client = Client()
    client.force_login(User.objects.get(username="demo-province"))
    path = f"/work/progress/{period}/{args.region}/"
    assert (
        client.get(path).status_code == 200
    )  # warm-up: imports, templates, calendar cache
    times = []
    queries = 0
    for _ in range(args.repeat):
        with CaptureQueriesContext(connection) as ctx:
            t0 = time.perf_counter()
            response = client.get(path)
            times.append(time.perf_counter() - t0)
        assert response.status_code == 200, response.status_code
        queries = len(ctx.captured_queries)
    xlsx_t0 = time.perf_counter()
    assert (
        client.get(f"/work/progress/{period}/{args.region}/export.xlsx").status_code
        == 200
    )
    xlsx_seconds = time.perf_counter() - xlsx_t0

    print(f"database: {connection.vendor} ({env['DATABASE_URL'].split('@')[-1]})")
    print(f"seed (migrate + seed_demo --scale province): {seed_seconds:.1f} s")
    print(
        f"data: {Obligation.objects.count():,} obligations, "
        f"{DisclosureRecord.objects.count():,} records"
    )
    print(f"page: {path} — {queries} queries")
    print(
        f"render: min {min(times) * 1000:.0f} ms, median {statistics.median(times) * 1000:.0f} ms, "
        f"max {max(times) * 1000:.0f} ms over {args.repeat} runs "
        f"(goal ≤ {GOAL_SECONDS * 1000:.0f} ms: {'met' if statistics.median(times) <= GOAL_SECONDS else 'NOT met'})"
    )
    print(
        f"xlsx export (three sheets, every county and township): {xlsx_seconds * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
