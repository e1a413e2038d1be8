"""RSS and Atom feeds per region subtree and per domain."""

from __future__ import annotations

from xml.etree import ElementTree

from django.urls import reverse

from tests.builders import (
    LILOU,
    LUOLONG,
    SA,
    YANSHI,
    draft_record,
    more_data,
    publish_record,
)

ATOM = "{http://www.w3.org/2005/Atom}"


def rss_titles(response) -> list[str]:
    root = ElementTree.fromstring(response.content)
    return [item.findtext("title") for item in root.iter("item")]


def test_region_rss_lists_the_public_records_of_the_subtree_newest_first(
    client, portal
):
    from datetime import timedelta

    from django.utils import timezone

    today = timezone.localdate()
    older = publish_record(
        title="李楼街道低保审核公示（上月）", published_on=today - timedelta(days=40)
    )
    newer = publish_record(
        region_code=LUOLONG, title="洛龙区低保审批结果", item_name="审批信息"
    )
    publish_record(region_code=YANSHI, title="偃师区低保审批结果", item_name="审批信息")
    draft_record(title="李楼街道草稿")
    response = client.get(reverse("disclosures:region_feed_rss", args=[LUOLONG]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    assert rss_titles(response) == [newer.title, older.title]
    channel = ElementTree.fromstring(response.content).find("channel")
    assert channel.findtext("title") == "洛龙区公开信息"
    item = ElementTree.fromstring(response.content).find("channel/item")
    assert item.findtext("link").endswith(newer.get_absolute_url())
    assert [c.text for c in item.findall("category")] == ["社会救助", "审批信息"]


def test_domain_atom_feed_has_only_that_domain(client, portal):
    record = publish_record(region_code=LILOU)
    elderly = publish_record(
        region_code=LILOU,
        title="李楼街道高龄津贴发放",
        item_name="老年人补贴",
        category="养老服务业务办理",
    )
    response = client.get(reverse("disclosures:domain_feed_atom", args=["4103", SA]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ElementTree.fromstring(response.content)
    assert root.findtext(f"{ATOM}title") == "洛阳市 社会救助领域公开信息"
    titles = [e.findtext(f"{ATOM}title") for e in root.iter(f"{ATOM}entry")]
    assert titles == [record.title]
    other = client.get(
        reverse("disclosures:domain_feed_rss", args=["41", "elderly-care"])
    )
    assert rss_titles(other) == [elderly.title]


def test_unknown_region_or_domain_feed_is_404(client, portal):
    assert client.get("/r/419999/feed.rss").status_code == 404
    assert client.get(f"/r/{LUOLONG}/no-such-domain/feed.atom").status_code == 404


def test_region_pages_link_their_feeds(client, portal):
    page = client.get(f"/r/{LUOLONG}/").content.decode()
    assert 'type="application/rss+xml"' in page
    assert reverse("disclosures:region_feed_atom", args=[LUOLONG]) in page


def test_feed_queries_do_not_grow_with_the_data(
    client, portal, django_assert_max_num_queries
):
    """Region, (domain,) the records with their region, domain and item: 3 at most."""
    publish_record()
    urls = [
        reverse("disclosures:region_feed_rss", args=[LUOLONG]),
        reverse("disclosures:domain_feed_atom", args=["41", SA]),
    ]
    with django_assert_max_num_queries(6) as small:
        for url in urls:
            client.get(url)
    more_data()
    with django_assert_max_num_queries(6) as large:
        for url in urls:
            client.get(url)
    assert len(large.captured_queries) == len(small.captured_queries)
