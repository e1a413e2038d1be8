"""Public pages cost the same number of queries at demo scale and at province-like
scale (issue 9): the whole of 洛阳市 filled by the province-scale generator.

The exact per-page counts are asserted in tests/disclosures/test_views_public.py;
this test checks they do not move when thousands of records are added, and that
no page exceeds 15.
"""

import pytest

from demo import province as demo_province
from disclosures.models import DisclosureRecord

MAX_PUBLIC_QUERIES = 15

pytestmark = pytest.mark.django_db


def _public_urls() -> dict[str, str]:
    record = (
        DisclosureRecord.objects.public()
        .filter(region__code__startswith="410311")
        .order_by("-pk")
        .first()
    )
    return {
        "home": "/",
        "province": "/r/41/",
        "city": "/r/4103/",
        "county": "/r/410311/",
        "township": "/r/410311012/",
        "catalog": "/r/410311/social-assistance/",
        "item": f"/r/410311/social-assistance/items/{record.item_key}/",
        "record": record.get_absolute_url(),
        "search": "/search/?q=低保",
        "search_region": "/search/?q=救助&region=4103",
        "feed": "/r/4103/feed.rss",
    }


def _counts(client, urls, django_assert_max_num_queries) -> dict[str, int]:
    counts = {}
    for name, url in urls.items():
        with django_assert_max_num_queries(MAX_PUBLIC_QUERIES) as captured:
            response = client.get(url)
        assert response.status_code == 200, (name, url)
        counts[name] = len(captured.captured_queries)
    return counts


def test_public_query_counts_do_not_grow_from_demo_to_province_scale(
    client, django_assert_max_num_queries, seeded_demo
):
    urls = _public_urls()
    before_records = DisclosureRecord.objects.count()
    demo_scale = _counts(client, urls, django_assert_max_num_queries)

    summary = demo_province.build(root_code="4103")
    assert summary["records"] > 1000
    assert DisclosureRecord.objects.count() > before_records * 5

    province_scale = _counts(client, urls, django_assert_max_num_queries)
    assert province_scale == demo_scale
