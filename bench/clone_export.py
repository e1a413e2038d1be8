"""Benchmark: cloning a 24-item and a 240-item catalog, and exporting docx/xlsx.

Usage (from the repository root)::

    .venv/bin/python bench/clone_export.py [--repeat 5]
    DATABASE_URL=postgres://… .venv/bin/python bench/clone_export.py

Builds a fresh SQLite file ``bench/out/clone.sqlite3`` unless DATABASE_URL is
set, loads the province templates and Luoyang's catalogs, then, alternating
small and large so machine noise hits both: clones Luoyang's 社会救助 catalog
(13 items, plus 11 more added = 24) and a 240-item one into counties, and
exports both as docx and xlsx. Prints time and query count per operation; the
clone's query count must be the same for 24 and 240 items.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "catalog_portal.settings.demo")
    if "DATABASE_URL" not in os.environ:
        out = REPO / "bench" / "out"
        out.mkdir(parents=True, exist_ok=True)
        db = out / "clone.sqlite3"
        if db.exists():
            db.unlink()
        os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from catalogs import services
    from catalogs.exports import catalog_export
    from catalogs.models import Catalog, Domain, Region
    from catalogs.reference import load_luoyang_catalogs, load_templates

    call_command("migrate", verbosity=0)
    load_templates()
    load_luoyang_catalogs()
    domain = Domain.objects.get(slug="social-assistance")

    def grown(n_items: int) -> Catalog:
        """A published draft-free source catalog with n_items items (province copies)."""
        latest = (
            Catalog.objects.filter(region_id="41", domain=domain, status="published")
            .order_by("-version")
            .first()
        )
        source = services.catalog_start_new_version(catalog=latest, actor=None)
        base = list(source.items.all())
        i = 0
        while source.items.count() < n_items:
            item = base[i % len(base)]
            services.catalog_item_add(
                catalog=source,
                values={
                    "category_id": item.category_id,
                    "name": f"{item.name}（扩展{i}）",
                    "content": item.content or ["内容"],
                    "time_limit_text": item.time_limit_text,
                    "subjects": item.subjects,
                    "channels": item.channels,
                    "audience": item.audience,
                    "mode": item.mode,
                    "levels": item.levels,
                },
                bases=list(item.bases.all()),
                actor=None,
                enforce_rules=False,
            )
            i += 1
        services.catalog_publish(catalog=source, actor=None)
        return Catalog.objects.get(pk=source.pk)

    small = grown(24)
    counties = list(
        Region.objects.filter(level="county", official=True).order_by("code")
    )
    results: dict[str, list[tuple[float, int]]] = {}

    def measure(label: str, fn) -> None:
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            fn()
            elapsed = time.perf_counter() - started
        results.setdefault(label, []).append((elapsed, len(ctx)))

    class Rollback(Exception):
        pass

    def clone_into(source: Catalog, region: Region) -> None:
        try:
            with transaction.atomic():
                services.catalog_clone(
                    region=region, domain=domain, actor=None, source=source
                )
                raise Rollback
        except Rollback:
            pass

    large = grown(240)
    for round_ in range(args.repeat):
        region = counties[round_ % len(counties)]
        measure("clone 24 items", lambda region=region: clone_into(small, region))
        measure("clone 240 items", lambda region=region: clone_into(large, region))
        measure("export docx 24", lambda: catalog_export(small, "docx"))
        measure("export docx 240", lambda: catalog_export(large, "docx"))
        measure("export xlsx 24", lambda: catalog_export(small, "xlsx"))
        measure("export xlsx 240", lambda: catalog_export(large, "xlsx"))
    print(f"database: {connection.vendor}, rounds: {args.repeat}")
    print(f"{'operation':20} {'median ms':>10} {'max ms':>8} {'queries':>8}")
    for label, runs in results.items():
        times = [t * 1000 for t, _ in runs]
        queries = sorted({q for _, q in runs})
        print(
            f"{label:20} {statistics.median(times):10.1f} {max(times):8.1f} {'/'.join(map(str, queries)):>8}"
        )


if __name__ == "__main__":
    main()
