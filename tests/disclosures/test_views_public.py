"""Public portal pages (SPEC §6): what an anonymous visitor sees, and what never reaches them.

The builders (`publish_record`, `add_name_list` …) are in tests/builders.py, the `portal`
fixture in tests/conftest.py: other public-portal test modules share them.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from catalogs import services as catalog_services
from catalogs.models import Catalog, Domain, Region
from demo import portal as demo_portal
from disclosures.models import Attachment, DisclosureRecord, NameList
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

# --- home and the region picker -----------------------------------------------------


def test_home_has_search_domains_picker_and_latest_public_records(client, portal):
    record = publish_record()
    draft = draft_record(title="尚未发布的草稿记录")
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="zh-Hans"' in html
    assertContains(response, 'role="search"')
    assertContains(response, reverse("disclosures:catalog_detail", args=["41", SA]))
    assertContains(response, "养老服务领域标准目录")
    assertContains(response, '<option value="4103">洛阳市</option>', html=True)
    assertContains(response, record.title)
    assertNotContains(response, draft.title)


def test_picker_without_javascript_goes_city_then_county_then_township(client, portal):
    step1 = client.get("/r/pick/", {"city": "4103", "step": "next"})
    assert step1.status_code == 200
    counties = step1.context["picker"]["levels"][1]
    assert counties.enabled and "洛龙区" in [r.name for r in counties.options]
    assertContains(step1, '<option value="410311">洛龙区</option>', html=True)
    step2 = client.get("/r/pick/", {"city": "4103", "county": LUOLONG, "step": "next"})
    townships = step2.context["picker"]["levels"][2]
    assert "李楼街道" in [r.name for r in townships.options]
    go_county = client.get("/r/pick/", {"city": "4103", "county": LUOLONG, "go": "1"})
    assertRedirects(go_county, "/r/410311/")
    township = client.get(
        "/r/pick/", {"city": "4103", "county": LUOLONG, "township": LILOU}
    )
    assertRedirects(township, "/r/410311012/")


def test_picker_drops_a_county_of_another_city_and_explains_an_empty_choice(
    client, portal
):
    response = client.get("/r/pick/", {"city": "4101", "county": LUOLONG, "go": "1"})
    # 洛龙区 is not in 郑州市: the choice stops at the city.
    assertRedirects(response, "/r/4101/")
    empty = client.get("/r/pick/", {"go": "1"})
    assert empty.status_code == 200
    assertContains(empty, "请先在“市”一栏选择您所在的市")
    options = client.get("/r/pick/options/", {"parent": "4103"}).json()["regions"]
    assert {"code": LUOLONG, "name": "洛龙区"} in options
    assert client.get("/r/pick/options/", {"parent": "x'"}).json() == {"regions": []}


# --- region pages ---------------------------------------------------------------------


def test_county_page_lists_its_catalogs_children_and_subtree_records(client, portal):
    own = publish_record(title="李楼街道低保审核公示")
    other = publish_record(
        region_code=YANSHI, title="偃师区低保审批结果", item_name="审批信息"
    )
    response = client.get("/r/410311/")
    assert response.status_code == 200
    assertContains(response, reverse("disclosures:catalog_detail", args=[LUOLONG, SA]))
    assertContains(response, "洛龙区社会救助领域基层政务公开标准目录")
    assertContains(response, "李楼街道")
    assertContains(response, own.title)
    assertNotContains(response, other.title)
    assertContains(response, reverse("disclosures:region_feed_rss", args=[LUOLONG]))


def test_township_page_names_the_county_catalog_that_applies(client, portal):
    response = client.get("/r/410311012/")
    assert response.status_code == 200
    assertContains(response, "本地区尚未发布本地目录，适用洛龙区的目录")
    assertContains(response, reverse("disclosures:catalog_detail", args=[LUOLONG, SA]))
    city = client.get("/r/4103/")
    child = next(c for c in city.context["children"] if c.code == LUOLONG)
    assert child.catalog_domains == ["社会救助", "养老服务"]


def test_unknown_region_is_a_chinese_404(client, portal):
    response = client.get("/r/419999/")
    assert response.status_code == 404
    assertContains(response, "页面不存在", status_code=404)


# --- catalog pages --------------------------------------------------------------------


def test_catalog_page_is_the_official_table_grouped_by_category(client, portal):
    publish_record()
    response = client.get(f"/r/{LUOLONG}/{SA}/")
    assert response.status_code == 200
    for header in [
        "序号",
        "公开事项",
        "公开内容（要素）",
        "公开依据",
        "公开时限",
        "公开主体",
        "公开渠道和载体",
        "公开对象",
        "公开方式",
        "公开层级",
        "一级事项",
        "二级事项",
    ]:
        assertContains(response, f">{header}</th>")
    groups = response.context["groups"]
    assert [g["category"].name for g in groups] == [
        "综合业务",
        "最低生活保障",
        "特困人员救助供养",
        "临时救助",
    ]
    assert response.context["item_count"] == 14
    audit_item = next(
        i
        for g in groups
        for i in g["items"]
        if i.name == "审核信息" and i.category.name == "最低生活保障"
    )
    assert audit_item.record_count == 1
    assertContains(
        response,
        reverse("disclosures:item_records", args=[LUOLONG, SA, audit_item.key]),
    )
    assertContains(response, "第1版")
    assertContains(response, "2020年12月15日")
    assertContains(
        response, reverse("disclosures:catalog_download", args=[LUOLONG, SA, "docx"])
    )
    assertContains(
        response, reverse("disclosures:catalog_download", args=[LUOLONG, SA, "xlsx"])
    )


def test_omitted_items_are_left_out_and_earlier_versions_stay_readable(client, portal):
    first = Catalog.objects.get(region_id=YANSHI, domain__slug=SA)
    draft = catalog_services.catalog_start_new_version(catalog=first, actor=None)
    item = draft.items.get(name="监督检查")
    catalog_services.catalog_item_omit(item=item, reason="本地未开展该业务", actor=None)
    catalog_services.catalog_submit(catalog=draft, actor=None)
    catalog_services.catalog_approve(catalog=draft, actor=None)
    catalog_services.catalog_publish(catalog=draft, actor=None)
    response = client.get(f"/r/{YANSHI}/{SA}/")
    assert response.context["catalog"].version == 2
    assert response.context["item_count"] == 13
    names = [i.name for g in response.context["groups"] for i in g["items"]]
    assert "监督检查" not in names
    old_url = reverse("disclosures:catalog_version", args=[YANSHI, SA, 1])
    assertContains(response, old_url)
    old = client.get(old_url)
    assert old.status_code == 200
    assert old.context["item_count"] == 14
    assertContains(old, "您正在查看历史版本第1版，现行版本为第2版。")
    assert (
        client.get(
            reverse("disclosures:catalog_version", args=[YANSHI, SA, 9])
        ).status_code
        == 404
    )


def test_region_without_own_catalog_is_sent_to_the_catalog_that_applies(client, portal):
    assertRedirects(client.get(f"/r/{LILOU}/{SA}/"), f"/r/{LUOLONG}/{SA}/")
    assert client.get(f"/r/{LILOU}/no-such-domain/").status_code == 404


def test_unpublished_catalog_versions_are_not_public(client, templates):
    county = Region.objects.get(code=LUOLONG)
    catalog_services.catalog_clone(
        region=county, domain=Domain.objects.get(slug=SA), actor=None
    )
    # Only a draft: the city's catalog is the one that applies.
    assertRedirects(client.get(f"/r/{LUOLONG}/{SA}/"), f"/r/4103/{SA}/")
    assert client.get(f"/r/{LUOLONG}/{SA}/download.docx").status_code == 404


def test_catalog_downloads_are_the_official_documents(client, portal):
    from docx import Document
    from openpyxl import load_workbook

    docx = client.get(f"/r/{LUOLONG}/{SA}/download.docx")
    assert docx.status_code == 200
    assert docx["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml"
    )
    assert "attachment" in docx["Content-Disposition"]
    assert ".docx" in docx["Content-Disposition"]
    text = "\n".join(
        cell.text
        for table in Document(io.BytesIO(docx.content)).tables
        for row in table.rows
        for cell in row.cells
    )
    assert "审核信息" in text and "最低生活保障" in text
    xlsx = client.get(f"/r/{LUOLONG}/{SA}/download.xlsx")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    values = [c.value for row in sheet.iter_rows() for c in row if c.value]
    assert "审核信息" in values


# --- item records ---------------------------------------------------------------------


def test_item_records_are_newest_first_with_due_date_and_on_time_status(client, portal):
    today = timezone.localdate()
    late = publish_record(
        title="迟到的公示",
        published_on=today - timedelta(days=60),
        trigger_days_before=40,
    )
    on_time = publish_record(
        title="按时的公示",
        published_on=today - timedelta(days=10),
        trigger_days_before=2,
    )
    elsewhere = publish_record(
        region_code=YANSHI, title="偃师区的记录", item_name="审批信息"
    )
    draft_record(title="李楼街道草稿")
    key = on_time.item_key
    response = client.get(reverse("disclosures:item_records", args=[LUOLONG, SA, key]))
    assert response.status_code == 200
    records = list(response.context["records"])
    assert [r.title for r in records] == ["按时的公示", "迟到的公示"]
    assert [r.on_time for r in records] == [True, False]
    assertContains(response, "按时公开")
    assertContains(response, "逾期公开")
    assertContains(response, on_time.due_date.strftime("%Y-%m-%d"))
    assertNotContains(response, elsewhere.title)
    assert late.due_date < timezone.localdate(late.publish_at)


def test_item_records_of_an_unknown_item_is_404(client, portal):
    import uuid

    assert (
        client.get(
            reverse("disclosures:item_records", args=[LUOLONG, SA, uuid.uuid4()])
        ).status_code
        == 404
    )


# --- record pages ---------------------------------------------------------------------


def test_record_page_shows_body_dates_publicity_and_the_masked_list(client, portal):
    record = publish_record()
    add_name_list(
        record, rows=60, publicity_end=timezone.localdate() + timedelta(days=5)
    )
    response = client.get(record.get_absolute_url())
    assert response.status_code == 200
    assertContains(response, record.title)
    assertContains(response, "经入户调查和民主评议")
    assertContains(response, "公示期")
    assertContains(response, "名单公示")
    assertContains(response, '<th scope="col">保障金额（元/月）</th>', html=True)
    rows = response.context["public_name_list"].rows
    assert [r.number for r in rows][:2] == [1, 2] and len(rows) == 50
    second = client.get(record.get_absolute_url(), {"page": 2})
    assert [r.number for r in second.context["public_name_list"].rows] == list(
        range(51, 61)
    )
    assertContains(second, "张*明60")


@pytest.mark.parametrize(
    "status",
    [NameList.Status.PROCESSING, NameList.Status.PENDING, NameList.Status.REJECTED],
)
def test_unconfirmed_name_lists_are_never_shown(client, portal, status):
    record = publish_record()
    add_name_list(record, rows=3, status=status)
    response = client.get(record.get_absolute_url())
    assert response.status_code == 200
    assert response.context["public_name_list"] is None
    assertNotContains(response, "张*")
    assertNotContains(response, "名单公示")


def test_after_the_publicity_period_only_the_fact_of_publication_remains(
    client, portal
):
    record = publish_record(published_on=timezone.localdate() - timedelta(days=30))
    end = timezone.localdate() - timedelta(days=1)
    add_name_list(record, rows=3, publicity_end=end)
    response = client.get(record.get_absolute_url())
    start = timezone.localdate(record.publish_at)
    assertContains(
        response,
        f"该名单已于{start.year}年{start.month}月{start.day}日至{end.year}年{end.month}月{end.day}日公示，公示期已结束。",
    )
    assertNotContains(response, "张*")
    assert response.context["public_name_list"].rows is None


def test_drafts_future_scheduled_and_withdrawn_records_are_not_public(client, portal):
    draft = draft_record(title="草稿")
    scheduled = draft_record(
        title="定时发布",
        publish=record_services.PUBLISH_SCHEDULE,
        publish_at=timezone.now() + timedelta(days=2),
    )
    withdrawn = publish_record(title="已撤回的记录")
    record_services.record_withdraw(record=withdrawn, reason="信息有误", actor=None)
    for record in (draft, scheduled):
        assert client.get(record.get_absolute_url()).status_code == 404
    # Withdrawn after being public: 410 with a notice, the record itself gone.
    gone = client.get(withdrawn.get_absolute_url())
    assert gone.status_code == 410
    assert "record" not in gone.context
    for url in ["/", f"/r/{LUOLONG}/", f"/r/{LILOU}/", "/search/?q=定时"]:
        html = client.get(url).content.decode()
        assert (
            "草稿" not in html and "定时发布" not in html and "已撤回的记录" not in html
        )


def test_a_scheduled_record_is_public_from_its_time_on(client, portal):
    record = draft_record(
        title="定时发布的审核公示",
        publish=record_services.PUBLISH_SCHEDULE,
        publish_at=timezone.now() + timedelta(hours=1),
        now=timezone.now() - timedelta(hours=2),
    )
    DisclosureRecord.objects.filter(pk=record.pk).update(
        publish_at=timezone.now() - timedelta(minutes=5)
    )
    assert client.get(record.get_absolute_url()).status_code == 200


def test_attachments_of_public_records_download_and_others_do_not(client, portal):
    record = publish_record()
    hidden = draft_record(title="草稿")
    attachments = []
    for owner in (record, hidden):
        attachment = Attachment(
            record=owner,
            original_name="审核对象公示.pdf",
            size=8,
            content_type="application/pdf",
            scan_status=Attachment.ScanStatus.CLEAN,  # as `attachments_add` stores a scanned file
        )
        attachment.file.save("公示.pdf", ContentFile(b"%PDF-1.4"), save=False)
        attachment.save()
        attachments.append(attachment)
    page = client.get(record.get_absolute_url())
    url = reverse(
        "disclosures:attachment_download", args=[record.pk, attachments[0].pk]
    )
    assertContains(page, url)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4"
    assert (
        client.get(
            reverse(
                "disclosures:attachment_download", args=[hidden.pk, attachments[1].pk]
            )
        ).status_code
        == 404
    )
    assert (
        client.get(
            reverse(
                "disclosures:attachment_download", args=[record.pk, attachments[1].pk]
            )
        ).status_code
        == 404
    )


# --- site-wide ------------------------------------------------------------------------


def test_public_pages_answer_head_requests_and_refuse_posts(client, portal):
    assert client.head("/").status_code == 200
    assert client.head(f"/r/{LUOLONG}/{SA}/").status_code == 200
    assert client.post("/search/", {"q": "低保"}).status_code == 405


def test_robots_txt_keeps_crawlers_out_of_staff_pages(client, db):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert (
        "Disallow: /work/" in lines
        and "Disallow: /admin/" in lines
        and "Allow: /" in lines
    )


def test_server_error_page_is_chinese_and_needs_no_database(rf):
    """No `db` fixture: any database access in the handler would raise."""
    from catalog_portal.views import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert "服务器暂时出现问题" in html and 'lang="zh-Hans"' in html


def test_large_font_mode_without_javascript_persists_across_pages(client, portal):
    response = client.get(
        "/preferences/", {"toggle": "large", "next": f"/r/{LUOLONG}/"}
    )
    assertRedirects(response, f"/r/{LUOLONG}/", fetch_redirect_response=False)
    assert client.cookies["a11y"].value == "large"
    for url in ["/", f"/r/{LUOLONG}/", "/search/?q=低保"]:
        html = client.get(url).content.decode()
        assert re.search(r'<html lang="zh-Hans" class="pref-large">', html), url
        assert 'data-pref="large" aria-pressed="true"' in html
    client.get("/preferences/", {"toggle": "large", "next": "https://evil.example/"})
    assert client.cookies["a11y"].value == ""


# --- query counts ---------------------------------------------------------------------

MAX_QUERIES = 15
EXPECTED_QUERIES = {
    "home": 4,
    "picker": 1,
    "province": 6,
    "city": 6,
    "county": 6,
    "township": 6,
    "catalog": 6,
    "catalog_v1": 6,
    "download": 3,
    "item": 6,  # + the legal bases of the nine elements (issue 21)
    "record": 6,
    "record_list_page2": 6,
    "search": 8,  # + the representative items of the grouped results (issue 21)
    "search_filtered": 6,
    "feed": 2,
}


def page_urls(record: DisclosureRecord) -> dict[str, str]:
    return {
        "home": "/",
        "picker": "/r/pick/?city=4103&county=410311&step=next",
        "province": "/r/41/",
        "city": "/r/4103/",
        "county": f"/r/{LUOLONG}/",
        "township": f"/r/{LILOU}/",
        "catalog": f"/r/{LUOLONG}/{SA}/",
        "catalog_v1": f"/r/{LUOLONG}/{SA}/v1/",
        "download": f"/r/{LUOLONG}/{SA}/download.xlsx",
        "item": reverse(
            "disclosures:item_records", args=[LUOLONG, SA, record.item_key]
        ),
        "record": record.get_absolute_url(),
        "record_list_page2": record.get_absolute_url() + "?page=2",
        "search": "/search/?q=低保",
        "search_filtered": f"/search/?q=审核&region={LUOLONG}&domain={SA}&date_from=2020-01-01",
        "feed": f"/r/{LUOLONG}/feed.rss",
    }


def test_public_pages_run_the_same_bounded_number_of_queries_at_two_data_sizes(
    client, portal, django_assert_max_num_queries
):
    """Each page's queries, small and large data alike (see each selector's docstring):

    home 4 (province, domains, picker regions, latest records); picker 1; region 6
    (ancestor chain, applicable catalogs, domains, children, children's catalogs,
    latest records); catalog 6 (chain, domain, versions, items, basis links, record
    counts); download 3 (catalog, items, basis links); item records 5 (chain, domain,
    item, count, page); record 6 (record, attachments, ancestors, name list, row
    count, rows); search ≤ 8; feed 2 (region, records). Anonymous visitors cost no
    session or user query.
    """
    record = publish_record()
    add_name_list(record, rows=60)
    counts: dict[str, int] = {}
    for name, url in page_urls(record).items():
        with django_assert_max_num_queries(MAX_QUERIES) as captured:
            response = client.get(url)
        assert response.status_code == 200, name
        counts[name] = len(captured.captured_queries)
    assert counts == EXPECTED_QUERIES
    more_data()
    for name, url in page_urls(record).items():
        with django_assert_max_num_queries(MAX_QUERIES) as captured:
            response = client.get(url)
        assert response.status_code == 200, name
        assert len(captured.captured_queries) == counts[name], name


# --- demo data ------------------------------------------------------------------------


def test_demo_seed_publishes_a_catalog_of_each_domain_for_every_luoyang_county(
    templates,
):
    before = catalog_services.catalog_clone(
        region=Region.objects.get(code=YANSHI),
        domain=Domain.objects.get(slug=SA),
        actor=None,
    )
    created = demo_portal.seed()
    counties = Region.objects.filter(parent_id="4103", level="county", official=True)
    assert counties.count() == 14
    for county in counties:
        for domain in Domain.objects.all():
            catalogs = Catalog.objects.filter(region=county, domain=domain)
            if (county.code, domain.slug) == (YANSHI, SA):
                # A county's own work is never touched.
                assert list(catalogs) == [before] and catalogs.get().status == "draft"
                continue
            catalog = catalogs.get()
            assert catalog.status == Catalog.Status.PUBLISHED
            assert catalog.upstream.region_id == "4103"
            assert not catalog.items.filter(content=[]).exists()
    assert len(created) == 27
    assert not Region.objects.filter(code="410371", catalogs__isnull=False).exists()
    assert demo_portal.seed() == []


def test_an_on_request_item_links_to_the_application_form_of_its_region(client, portal):
    """依申请 items (SPEC §12) lead the reader to /apply/ with the county chosen."""
    from catalogs.models import CatalogItem

    items = CatalogItem.objects.filter(
        catalog__region__code=LUOLONG, catalog__status=Catalog.Status.PUBLISHED
    ).select_related("catalog__domain")
    item = next((i for i in items if "依申请" in i.mode), None)
    assert item is not None, "the portal fixture publishes an 依申请 item for 洛龙区"
    apply_url = reverse("onrequest:apply") + f"?county={LUOLONG}"
    page = client.get(
        reverse(
            "disclosures:item_records",
            args=[LUOLONG, item.catalog.domain.slug, item.key],
        )
    )
    assertContains(page, f'href="{apply_url}"')
    catalog_page = client.get(
        reverse("disclosures:catalog_detail", args=[LUOLONG, item.catalog.domain.slug])
    )
    assertContains(catalog_page, f'href="{apply_url}"')
    # An item open only proactively has no such link.
    proactive = next(
        i for i in items if i.catalog_id == item.catalog_id and "依申请" not in i.mode
    )
    page = client.get(
        reverse(
            "disclosures:item_records",
            args=[LUOLONG, item.catalog.domain.slug, proactive.key],
        )
    )
    assertNotContains(page, 'id="apply-for-item"')
