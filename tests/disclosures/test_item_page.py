"""The public item page shows all nine elements of the official table (issue 21)."""

from __future__ import annotations

import pytest

from django.urls import reverse

from catalogs.models import CatalogItem, ItemBasis
from tests.builders import LUOLONG, SA

pytestmark = pytest.mark.django_db

ELEMENTS = [
    "公开事项",
    "公开内容（要素）",
    "公开依据",
    "公开时限",
    "公开主体",
    "公开渠道和载体",
    "公开对象",
    "公开方式",
    "公开层级",
]


def test_the_item_page_lists_the_nine_elements_in_order(client, portal):
    item = (
        CatalogItem.objects.filter(
            catalog__region_id=LUOLONG,
            catalog__domain__slug=SA,
            catalog__status="published",
        )
        .exclude(bases=None)
        .order_by("seq")
        .first()
    )
    response = client.get(
        reverse("disclosures:item_records", args=[LUOLONG, SA, item.key])
    )
    assert response.status_code == 200
    html = response.content.decode()
    block = html[html.index('id="item-elements"') : html.index("</dl>")]
    positions = [block.index(f"<dt>{label}</dt>") for label in ELEMENTS]
    assert positions == sorted(positions)
    first_basis = (
        ItemBasis.objects.filter(item=item).order_by("order", "pk").first().document
    )
    assert first_basis.title in block
    assert response.context["bases"][0] == first_basis.citation
    for value in (item.channels[0], item.audience[0], item.mode[0], item.levels[0]):
        assert value in block
