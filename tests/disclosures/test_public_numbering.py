"""Numbering of the public catalog table follows the printed docx (issue 21):
1…n in table order, no gaps; an omitted item is not a hole."""

from __future__ import annotations

import re

import pytest

from django.urls import reverse

from catalogs import services as catalog_services
from catalogs.models import Catalog
from tests.builders import LUOLONG, SA

pytestmark = pytest.mark.django_db


def test_public_numbers_run_1_to_n_without_holes(client, portal):
    current = Catalog.objects.filter(
        region_id=LUOLONG, domain__slug=SA, status="published"
    ).latest("version")
    draft = catalog_services.catalog_start_new_version(catalog=current, actor=None)
    omitted = draft.items.order_by("category__order", "seq").all()[2]
    catalog_services.catalog_item_omit(
        item=omitted, reason="本地未开展该业务", actor=None
    )
    catalog_services.catalog_publish(
        catalog=draft, actor=None, already_approved_elsewhere=True
    )
    response = client.get(reverse("disclosures:catalog_detail", args=[LUOLONG, SA]))
    assert response.status_code == 200
    numbers = [
        item.number for group in response.context["groups"] for item in group["items"]
    ]
    assert numbers == list(range(1, response.context["item_count"] + 1))
    html = response.content.decode()
    table = html[html.index("<tbody") : html.index("</table>")]
    printed = [int(n) for n in re.findall(r"<tr[^>]*>\s*<td>(\d+)</td>", table)]
    assert printed == numbers
    assert str(omitted.key) not in table
