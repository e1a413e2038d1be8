"""Public search: Chinese substring matching, filters, pagination, safe highlighting."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pytest_django.asserts import assertContains, assertNotContains

from django.db import connection
from django.utils import timezone

from catalogs.models import Category
from disclosures.models import DisclosureRecord
from disclosures.public import search
from disclosures.records import services as record_services
from tests.builders import (
    LILOU,
    LUOLONG,
    SA,
    YANSHI,
    add_name_list,
    draft_record,
    more_data,
    publish_record,
)

# --- pure helpers ------------------------------------------------------------------


def test_split_terms_handles_ideographic_spaces_duplicates_and_a_limit():
    assert search.split_terms("低保\u3000公示  低保") == ["低保", "公示"]
    assert search.split_terms("  ") == []
    assert len(search.split_terms("一 二 三 四 五 六 七")) == search.MAX_TERMS


def test_highlight_marks_every_term_and_escapes_everything_else():
    html = search.highlight("<b>低保</b> 与 低保金 & GB", ["低保", "gb"])
    assert (
        html
        == "&lt;b&gt;<mark>低保</mark>&lt;/b&gt; 与 <mark>低保</mark>金 &amp; <mark>GB</mark>"
    )
    assert search.highlight("<i>x</i>", ["<i>"]) == "<mark>&lt;i&gt;</mark>x&lt;/i&gt;"
    assert search.highlight("a<b", []) == "a&lt;b"


def test_excerpt_is_a_highlighted_window_around_the_first_match():
    text = "甲" * 100 + "低保金发放" + "乙" * 100
    html = search.excerpt(text, ["低保"], radius=10)
    assert html == "…" + "甲" * 10 + "<mark>低保</mark>" + "金发放" + "乙" * 7 + "…"
    assert search.excerpt("短文", ["无"], radius=10) == "短文"


# --- the search page -------------------------------------------------------------------


def test_searching_dibao_finds_records_by_title_and_body_with_the_query_marked(
    client, portal
):
    by_title = publish_record(
        title="李楼街道低保审核对象公示", body="拟纳入保障的家庭如下。"
    )
    by_body = publish_record(
        title="李楼街道救助审批结果",
        body="本季度新增低保对象十二户。",
        item_name="审批信息",
    )
    publish_record(title="李楼街道特困供养公示", body="特困人员名单如下。")
    response = client.get("/search/", {"q": "低保"})
    assert response.status_code == 200
    found = [r.pk for r in response.context["records"]]
    assert found == [by_body.pk, by_title.pk] or found == [by_title.pk, by_body.pk]
    assert set(found) == {by_title.pk, by_body.pk}
    assertContains(response, "李楼街道<mark>低保</mark>审核对象公示")
    assertContains(response, "本季度新增<mark>低保</mark>对象十二户。")


def test_every_term_must_match(client, portal):
    both = publish_record(title="李楼街道低保审核对象公示")
    publish_record(title="李楼街道低保审批结果", item_name="审批信息")
    response = client.get("/search/", {"q": "低保 审核"})
    assert [r.pk for r in response.context["records"]] == [both.pk]


def test_markup_in_records_and_queries_is_escaped(client, portal):
    publish_record(
        title="公示<script>alert(1)</script>低保", body="<img src=x onerror=alert(1)>"
    )
    response = client.get("/search/", {"q": "<script>"})
    html = response.content.decode()
    assert "<script>alert(1)" not in html
    assert "<img src=x" not in html
    assert "公示<mark>&lt;script&gt;</mark>alert(1)&lt;/script&gt;低保" in html


def test_drafts_scheduled_and_withdrawn_records_are_never_found(client, portal):
    draft_record(title="低保草稿")
    draft_record(
        title="低保定时发布",
        publish=record_services.PUBLISH_SCHEDULE,
        publish_at=timezone.now() + timedelta(days=3),
    )
    withdrawn = publish_record(title="低保已撤回")
    record_services.record_withdraw(record=withdrawn, reason="重复发布", actor=None)
    visible = publish_record(title="低保正式公示")
    response = client.get("/search/", {"q": "低保"})
    assert [r.title for r in response.context["records"]] == [visible.title]


def test_name_list_rows_are_not_searchable(client, portal):
    record = publish_record(title="李楼街道审核对象公示")
    add_name_list(record, rows=3)
    response = client.get("/search/", {"q": "张*明"})
    assert response.context["records"].paginator.count == 0


def test_region_filter_is_the_whole_subtree(client, portal):
    township = publish_record(title="李楼街道低保公示")
    county = publish_record(
        region_code=LUOLONG, title="洛龙区低保审批", item_name="审批信息"
    )
    other = publish_record(
        region_code=YANSHI, title="偃师区低保审批", item_name="审批信息"
    )
    found = {
        r.pk
        for r in client.get("/search/", {"q": "低保", "region": LUOLONG}).context[
            "records"
        ]
    }
    assert found == {township.pk, county.pk}
    found = {
        r.pk
        for r in client.get("/search/", {"q": "低保", "region": "4103"}).context[
            "records"
        ]
    }
    assert found == {township.pk, county.pk, other.pk}
    response = client.get("/search/", {"q": "低保", "region": "419999"})
    assertContains(response, "没有区划代码为“419999”的地区")


def test_domain_category_and_date_filters(client, portal):
    today = timezone.localdate()
    old = publish_record(
        title="低保审核（旧）", published_on=today - timedelta(days=200)
    )
    new = publish_record(title="低保审核（新）", published_on=today - timedelta(days=5))
    temporary = publish_record(
        title="临时救助审批（含低保边缘户）", item_name="审批信息", category="临时救助"
    )
    category = Category.objects.get(domain__slug=SA, name="临时救助")

    def found(**params):
        return {
            r.pk
            for r in client.get("/search/", {"q": "低保", **params}).context["records"]
        }

    assert found(domain="elderly-care") == set()
    assert found(domain=SA) == {old.pk, new.pk, temporary.pk}
    assert found(category=category.pk) == {temporary.pk}
    start = (today - timedelta(days=30)).isoformat()
    assert found(date_from=start) == {new.pk, temporary.pk}
    assert found(date_to=start) == {old.pk}
    elderly = Category.objects.get(domain__slug="elderly-care", name="养老服务通用政策")
    response = client.get(
        "/search/", {"q": "低保", "domain": SA, "category": elderly.pk}
    )
    assertContains(response, "所选一级事项不属于所选领域")


def test_bad_dates_are_explained_by_field(client, portal):
    response = client.get("/search/", {"q": "低保", "date_from": "2025-13-45"})
    assert response.status_code == 200
    assertContains(response, "“发布日期从”格式不正确，请按 2025-01-31 的格式填写。")
    response = client.get(
        "/search/", {"q": "低保", "date_from": "2025-06-01", "date_to": "2025-01-01"}
    )
    assertContains(response, "“发布日期至”早于“发布日期从”")


def test_results_are_paginated(client, portal):
    today = timezone.localdate()
    for n in range(25):
        publish_record(
            title=f"低保审核公示第{n}期", published_on=today - timedelta(days=40 + n)
        )
    first = client.get("/search/", {"q": "低保"})
    assert first.context["records"].paginator.count == 25
    assert len(first.context["records"]) == search.RECORDS_PER_PAGE
    assertContains(first, "第 1 页，共 2 页")
    assertContains(first, "?q=%E4%BD%8E%E4%BF%9D&amp;page=2")
    second = client.get("/search/", {"q": "低保", "page": "2"})
    assert [r.title for r in second.context["records"]] == [
        f"低保审核公示第{n}期" for n in range(20, 25)
    ]
    assert (
        client.get("/search/", {"q": "低保", "page": "99"}).context["records"].number
        == 2
    )


def _region(code: str):
    from catalogs.models import Region

    return Region.objects.get(code=code)


def test_catalog_items_are_found_by_name_and_content_elements(client, portal):
    response = client.get("/search/", {"q": "终止供养名单", "region": LUOLONG})
    items = list(response.context["items"])
    # Filled in by the demo seed for 洛龙区's 特困人员 审批信息 (content elements).
    assert [(i.catalog.region_id, i.name) for i in items] == [(LUOLONG, "审批信息")]
    assertContains(response, "<mark>终止供养名单</mark>")
    response = client.get("/search/", {"q": "养老机构备案", "region": "4103"})
    by_name = response.context["items"]
    # Issue 21: the same item in Luoyang's and its counties' catalogs is one result.
    regions = set(
        search.item_queryset(
            search.SearchFilters(terms=["养老机构备案"], region=_region("4103"))
        ).values_list("catalog__region_id", flat=True)
    )
    assert len(regions) == 15 and {"4103", LUOLONG} <= regions
    assert all(code.startswith("4103") for code in regions)
    groups = list(by_name)
    assert len({(i.category_id, i.name) for i in groups}) == len(groups)
    first = next(i for i in groups if i.region_count == 15)
    assert first.catalog.region_id == "4103"
    assertContains(response, '洛阳市 <strong class="region-count">等15个地区</strong>')


def test_omitted_and_unpublished_catalog_items_are_not_found(client, templates):
    from catalogs import services as catalog_services
    from catalogs.models import Catalog, Domain, Region

    draft = catalog_services.catalog_clone(
        region=Region.objects.get(code=LUOLONG),
        domain=Domain.objects.get(slug=SA),
        actor=None,
    )
    catalog_services.catalog_item_set_elements(
        item=draft.items.get(name="监督检查"),
        values={"name": "监督检查（本地草稿）"},
        bases=None,
        actor=None,
    )
    assert (
        client.get("/search/", {"q": "本地草稿"}).context["items"].paginator.count == 0
    )
    city = Catalog.objects.get(region_id="4103", domain__slug=SA)
    assert (
        client.get("/search/", {"q": "监督检查", "region": "4103"})
        .context["items"]
        .paginator.count
        == 1
    )
    assert city.items.filter(name="监督检查").exists()


def test_an_empty_search_shows_guidance_not_everything(client, portal):
    publish_record()
    response = client.get("/search/")
    assert response.context["records"] is None
    assertContains(response, "请输入关键词")
    browse = client.get("/search/", {"region": LILOU})
    assert browse.context["records"].paginator.count == 1
    assert browse.context["items"] is None


def test_search_queries_do_not_grow_with_the_data(
    client, portal, django_assert_max_num_queries
):
    """Search: domains, categories, cities, region, record count, record page,
    item count, item page — 8 at most, with any amount of data."""
    publish_record()
    params = {
        "q": "低保 审核",
        "region": LUOLONG,
        "domain": SA,
        "date_from": "2020-01-01",
    }
    with django_assert_max_num_queries(15) as small:
        client.get("/search/", params)
        client.get("/search/", {"q": "审核"})
    more_data()
    with django_assert_max_num_queries(15) as large:
        client.get("/search/", params)
        client.get("/search/", {"q": "审核"})
    assert len(large.captured_queries) == len(small.captured_queries)


@pytest.mark.django_db
def test_trigram_indexes_exist_exactly_on_postgresql():
    with connection.cursor() as cursor:
        records = connection.introspection.get_constraints(
            cursor, DisclosureRecord._meta.db_table
        )
        items = connection.introspection.get_constraints(cursor, "catalogs_catalogitem")
    names = set(records) | set(items)
    expected = {
        "record_title_trgm",
        "record_body_trgm",
        "catalogitem_name_trgm",
        "catalogitem_content_trgm",
    }
    if connection.vendor == "postgresql":
        assert expected <= names
        with connection.cursor() as cursor:
            cursor.execute("SELECT extname FROM pg_extension WHERE extname = 'pg_trgm'")
            assert cursor.fetchone() == ("pg_trgm",)
    else:
        assert not expected & names


def test_search_page_has_labelled_controls(client, portal):
    response = client.get("/search/", {"q": "低保"})
    for field in ["q", "region", "domain", "category", "date_from", "date_to"]:
        assertContains(response, f'for="id_{field}"')
        assertContains(response, f'id="id_{field}"')
    assertNotContains(response, "aria-invalid")


def test_result_count_is_capped_so_broad_terms_stay_cheap(monkeypatch):
    """Counting stops after the cap; the page says there are more and asks to narrow."""
    from disclosures.public import search as search_module

    monkeypatch.setattr(search_module.CappedPaginator, "cap", 2)

    class FakeQS(list):
        """Records how far counting went, like LIMIT in SQL."""

        def order_by(self, *a):
            return self

        def __getitem__(self, index):
            return FakeQS(list.__getitem__(self, index))

        def count(self):
            return len(self)

    page = search_module.CappedPaginator(FakeQS(range(5)), 10)
    assert page.count == 2 and page.capped
    page = search_module.CappedPaginator(FakeQS(range(2)), 10)
    assert page.count == 2 and not page.capped
