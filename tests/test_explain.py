"""No public or dashboard page reads the records table sequentially at scale.

Runs in the PostgreSQL leg of CI (`.ci/run` runs `make test` with DATABASE_URL
set); on SQLite the `postgres` marker deselects it (tests/conftest.py). It
builds a sizeable synthetic data set once for the module — Luoyang at province
density (`demo.province.build(root_code="4103")`) replicated as 30 synthetic
provinces (`demo.national.build`), ~70,000 records — runs ANALYZE, then
requests each page through the test client, captures every query the page
runs against the records (and obligations) tables and asserts that PostgreSQL's
plan for it has no sequential scan of that table. Without the indexes of
`disclosures.0005_scale_indexes` the plans fall back to Seq Scan and these tests
fail, printing the plan.
"""

from __future__ import annotations

import pytest

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalogs.models import CatalogItem, User
from disclosures.models import DisclosureRecord
from disclosures.progress.quarters import period_of

pytestmark = [pytest.mark.postgres]

RECORDS = "disclosures_disclosurerecord"
OBLIGATIONS = "disclosures_obligation"


@pytest.fixture(scope="module")
def national_sample(django_db_setup, django_db_blocker):
    from catalogs.reference import load_luoyang_catalogs, load_templates
    from demo import national as demo_national
    from demo import portal as demo_portal
    from demo import province as demo_province
    from demo.users import seed_users

    with django_db_blocker.unblock():
        try:
            load_templates()
            load_luoyang_catalogs()
            seed_users()
            demo_portal.seed()
            demo_province.build(root_code="4103")
            demo_national.build(provinces=30)  # ANALYZEs the tables on PostgreSQL
            record = (
                DisclosureRecord.objects.public()
                .filter(
                    region__code__startswith="410311", item__catalog__region_id="410311"
                )
                .order_by("-publish_at")
                .first()
            )
            item = CatalogItem.objects.select_related("catalog__domain").get(
                pk=record.item_id
            )
            data = {
                "records": DisclosureRecord.objects.count(),
                "record": record,
                "item": item,
                "period": period_of(timezone.localdate()).shifted(-1).slug,
            }
            yield data
        finally:
            # Committed outside any test transaction: leave the database as found
            # (reference data reloads itself after a flush).
            call_command("flush", interactive=False, verbosity=0)


def _plans(client, url: str, tables: tuple[str, ...]) -> list[tuple[str, str]]:
    """(SQL, plan) of every SELECT the page runs on one of `tables`."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    plans = []
    for query in ctx.captured_queries:
        sql = query["sql"]
        if not sql.lstrip().upper().startswith("SELECT") or not any(
            f'"{t}"' in sql for t in tables
        ):
            continue
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN " + sql)
            plans.append((sql, "\n".join(row[0] for row in cursor.fetchall())))
    return plans


def _assert_no_seq_scan(plans, tables):
    assert plans, "the page ran no query on the table: nothing was checked"
    for sql, plan in plans:
        for table in tables:
            assert f"Seq Scan on {table}" not in plan, f"{sql}\n\n{plan}"


def test_sample_is_sizeable(national_sample, db):
    assert national_sample["records"] >= 50_000
    assert DisclosureRecord.objects.filter(region__code__startswith="66").exists()


PUBLIC_PAGES = {
    "home": lambda d: "/",
    "province region page": lambda d: "/r/41/",
    "county region page": lambda d: "/r/410311/",
    "township region page": lambda d: f"/r/{d['record'].region_id[:9]}/"
    if len(d["record"].region_id) == 9
    else "/r/410311012/",
    "county catalog (record counts)": lambda d: f"/r/410311/{d['item'].catalog.domain.slug}/",
    "province catalog (record counts)": lambda d: f"/r/41/{d['item'].catalog.domain.slug}/",
    "item records list": lambda d: (
        f"/r/410311/{d['item'].catalog.domain.slug}/items/{d['item'].key}/"
    ),
    "item records list, page 2": lambda d: (
        f"/r/410311/{d['item'].catalog.domain.slug}/items/{d['item'].key}/?page=2"
    ),
    "record detail": lambda d: f"/records/{d['record'].pk}/",
    # A selective phrase: since every township posts 临时救助对象 each quarter, that
    # word matches a tenth of the national sample, where reading the table until
    # the 1,001st hit is the planner's right choice; the city search keeps it.
    "search": lambda d: f"/search/?q=洛龙区{d['item'].name}",
    "search in a city": lambda d: "/search/?q=临时救助对象&region=4103",
    # Terms too short for a trigram: answered from the character-pair indexes (0011).
    "search, two characters": lambda d: "/search/?q=低保",
    "search, two characters in a county": lambda d: "/search/?q=救助&region=410311",
    "search, one character": lambda d: "/search/?q=养",
    "search in a county, by domain": lambda d: (
        f"/search/?region=410311&domain={d['item'].catalog.domain.slug}"
    ),
    "region feed": lambda d: "/r/410311/feed.rss",
    "province domain feed": lambda d: f"/r/41/{d['item'].catalog.domain.slug}/feed.atom",
}


@pytest.mark.parametrize("page", list(PUBLIC_PAGES))
def test_public_page_uses_indexes(page, national_sample, client):
    url = PUBLIC_PAGES[page](national_sample)
    _assert_no_seq_scan(_plans(client, url, (RECORDS,)), (RECORDS,))


STAFF_PAGES = {
    "province quarter dashboard": (
        "demo-province",
        lambda d: f"/work/progress/{d['period']}/41/",
    ),
    "city quarter dashboard": (
        "demo-city",
        lambda d: f"/work/progress/{d['period']}/4103/",
    ),
    "county worklist": ("demo-county", lambda d: "/work/records/"),
    "province worklist": ("demo-province", lambda d: "/work/records/"),
    "township workspace": ("demo-township", lambda d: "/work/"),
}


@pytest.mark.parametrize("page", list(STAFF_PAGES))
def test_dashboard_and_worklist_use_indexes(page, national_sample, client):
    username, url = STAFF_PAGES[page]
    client.force_login(User.objects.get(username=username))
    tables = (RECORDS, OBLIGATIONS)
    _assert_no_seq_scan(_plans(client, url(national_sample), tables), tables)
