"""Whole-page cache of anonymous public pages and its O(1) invalidation."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest

from django.core.cache import caches
from django.utils import timezone

from catalogs import services as catalog_services
from catalogs.models import Catalog
from disclosures.public import cache as page_cache
from disclosures.records import services as record_services
from tests.builders import (
    LILOU,
    LUOLONG,
    SA,
    YANSHI,
    add_name_list,
    draft_record,
    publish_record,
)


@pytest.fixture
def page_caching(settings):
    """The production arrangement: a `public_pages` cache next to the default one."""
    settings.CACHES = {
        **settings.CACHES,
        page_cache.ALIAS: {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "test-public-pages",
            "TIMEOUT": 600,
        },
    }
    caches[page_cache.ALIAS].clear()
    yield caches[page_cache.ALIAS]
    caches[page_cache.ALIAS].clear()


def test_without_the_alias_nothing_is_cached(client, portal):
    assert not page_cache.enabled()
    client.get("/")
    assert "X-Public-Cache" not in client.get("/")


def test_a_second_anonymous_visit_is_served_without_queries(
    client, portal, page_caching, django_assert_num_queries
):
    first = client.get(f"/r/{LUOLONG}/{SA}/")
    assert first["X-Public-Cache"] == "miss"
    with django_assert_num_queries(0):
        second = client.get(f"/r/{LUOLONG}/{SA}/")
    assert second["X-Public-Cache"] == "hit"
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]
    download = client.get(f"/r/{LUOLONG}/{SA}/download.docx")
    again = client.get(f"/r/{LUOLONG}/{SA}/download.docx")
    assert again["X-Public-Cache"] == "hit"
    assert again["Content-Disposition"] == download["Content-Disposition"]


def test_publishing_correcting_and_withdrawing_a_record_show_at_once(
    client, portal, page_caching
):
    client.get("/")
    record = publish_record(title="李楼街道低保审核对象公示（第一批）")
    home = client.get("/")
    assert home["X-Public-Cache"] == "miss"
    assert record.title in home.content.decode()
    assert client.get("/")["X-Public-Cache"] == "hit"
    record_services.record_correct(
        record=record,
        title="李楼街道低保审核对象公示（更正）",
        body=record.body,
        reason="标题笔误",
        actor=None,
    )
    assert "（更正）" in client.get("/").content.decode()
    client.get(record.get_absolute_url())
    record_services.record_withdraw(record=record, reason="信息有误", actor=None)
    assert "（更正）" not in client.get("/").content.decode()
    assert client.get(record.get_absolute_url()).status_code == 410  # withdrawn


def test_a_new_draft_does_not_empty_the_cache(client, portal, page_caching):
    client.get("/")
    draft_record(title="草稿")
    assert client.get("/")["X-Public-Cache"] == "hit"


def test_publishing_a_catalog_shows_the_new_version(
    client, portal, page_caching, django_capture_on_commit_callbacks
):
    assert "第1版" in client.get(f"/r/{YANSHI}/").content.decode()
    catalog = Catalog.objects.get(region_id=YANSHI, domain__slug=SA)
    draft = catalog_services.catalog_start_new_version(catalog=catalog, actor=None)
    catalog_services.catalog_submit(catalog=draft, actor=None)
    catalog_services.catalog_approve(catalog=draft, actor=None)
    with django_capture_on_commit_callbacks(execute=True):
        catalog_services.catalog_publish(catalog=draft, actor=None)
    page = client.get(f"/r/{YANSHI}/")
    assert page["X-Public-Cache"] == "miss"
    assert "第2版" in page.content.decode()


def test_the_catalog_published_signal_alone_invalidates(client, portal, page_caching):
    from catalogs.signals import catalog_published

    client.get("/")
    catalog_published.send(sender=Catalog, catalog=Catalog.objects.first())
    assert client.get("/")["X-Public-Cache"] == "miss"


def test_invalidation_is_one_cache_write_and_no_query(
    portal, page_caching, django_assert_num_queries
):
    token = page_cache.generation()
    with django_assert_num_queries(0):
        page_cache.invalidate()
    assert page_cache.generation() != token


def test_display_preferences_are_cached_separately(client, portal, page_caching):
    plain = client.get(f"/r/{LUOLONG}/")
    client.cookies["a11y"] = "large"
    large = client.get(f"/r/{LUOLONG}/")
    assert large["X-Public-Cache"] == "miss"
    assert 'class="pref-large"' in large.content.decode()
    assert 'class="pref-large"' not in plain.content.decode()
    assert client.get(f"/r/{LUOLONG}/")["X-Public-Cache"] == "hit"


def test_staff_are_neither_served_nor_stored(
    client, portal, page_caching, county_clerk
):
    client.get("/")
    client.force_login(county_clerk)
    page = client.get("/")
    assert "X-Public-Cache" not in page
    assert "工作台" in page.content.decode()
    client.logout()
    assert "工作台" not in client.get("/").content.decode()


def test_not_found_pages_are_not_cached(client, portal, page_caching):
    assert client.get("/records/999999/").status_code == 404
    assert "X-Public-Cache" not in client.get("/records/999999/")


def _shift_clock(monkeypatch, moment: datetime) -> None:
    monkeypatch.setattr(timezone, "now", lambda: moment)


def test_a_scheduled_record_appears_at_its_time_without_any_write(
    client, portal, page_caching, monkeypatch
):
    start = timezone.now()
    record = draft_record(
        title="定时发布的低保审核公示",
        publish=record_services.PUBLISH_SCHEDULE,
        publish_at=start + timedelta(hours=1),
    )
    assert record.title not in client.get(f"/r/{LILOU}/").content.decode()
    assert client.get(f"/r/{LILOU}/")["X-Public-Cache"] == "hit"
    _shift_clock(monkeypatch, start + timedelta(hours=1, minutes=1))
    later = client.get(f"/r/{LILOU}/")
    assert later["X-Public-Cache"] == "miss"
    assert record.title in later.content.decode()


def test_name_list_rows_disappear_when_the_publicity_period_ends(
    client, portal, page_caching, monkeypatch
):
    record = publish_record()
    today = timezone.localdate()
    add_name_list(record, rows=3, publicity_end=today)
    assert "张*亮1" in client.get(record.get_absolute_url()).content.decode()
    assert client.get(record.get_absolute_url())["X-Public-Cache"] == "hit"
    tomorrow = timezone.make_aware(
        datetime.combine(today + timedelta(days=1), time(0, 1))
    )
    _shift_clock(monkeypatch, tomorrow)
    page = client.get(record.get_absolute_url()).content.decode()
    assert "张*亮1" not in page
    assert "公示期已结束" in page


def _cached(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response["X-Public-Cache"]


def test_a_township_publication_leaves_the_other_regions_pages_cached(
    client, portal, page_caching
):
    from catalogs.models import Region

    sibling = (
        Region.objects.filter(parent_id=LUOLONG, official=True)
        .exclude(code=LILOU)
        .order_by("code")
        .first()
    )
    chain = [f"/r/{code}/" for code in ("41", "4103", LUOLONG, LILOU)]
    untouched = [
        f"/r/{YANSHI}/",
        f"/r/{YANSHI}/{SA}/",
        f"/r/{sibling.code}/",
        f"/r/{LUOLONG}/{SA}/download.docx",  # the official table shows no record
    ]
    for url in [*chain, *untouched, "/"]:
        assert _cached(client, url) == "miss"
    record = publish_record(title="李楼街道低保审核对象公示（分区失效）")
    for url in untouched:
        assert _cached(client, url) == "hit", url
    for url in [*chain, "/"]:
        page = client.get(url)
        assert page["X-Public-Cache"] == "miss", url
        assert record.title in page.content.decode(), url


def test_withdrawing_a_record_empties_its_regions_pages(client, portal, page_caching):
    record = publish_record(title="李楼街道低保审核对象公示（将撤回）")
    assert record.title in client.get(f"/r/{LUOLONG}/").content.decode()
    assert _cached(client, f"/r/{LUOLONG}/") == "hit"
    record_services.record_withdraw(record=record, reason="信息有误", actor=None)
    page = client.get(f"/r/{LUOLONG}/")
    assert page["X-Public-Cache"] == "miss"
    assert record.title not in page.content.decode()


def test_region_invalidation_is_one_cache_write_and_no_query(
    portal, page_caching, django_assert_num_queries
):
    scopes = page_cache.region_scopes(LILOU)
    assert scopes == [
        page_cache.RECORDS_SCOPE,
        "region:41",
        "region:4103",
        f"region:{LUOLONG}",
        f"region:{LILOU}",
    ]
    before = page_cache.scope_tokens(scopes)
    yanshi = page_cache.scope_tokens([page_cache.region_scope(YANSHI)])
    generation = page_cache.generation()
    with django_assert_num_queries(0):
        page_cache.invalidate_region(LILOU)
    after = page_cache.scope_tokens(scopes)
    assert all(a != b for a, b in zip(before.split("."), after.split("."), strict=True))
    assert page_cache.scope_tokens([page_cache.region_scope(YANSHI)]) == yanshi
    assert page_cache.generation() == generation
