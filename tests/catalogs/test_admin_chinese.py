"""No English left in reach of clerks in the admin (issue 21): the 时限类型 filter
and the legal-basis inline speak Chinese."""

from __future__ import annotations

import pytest
from pytest_django.asserts import assertContains, assertNotContains

from django.urls import reverse

from catalogs.models import CatalogItem

pytestmark = pytest.mark.django_db


def test_the_deadline_filter_and_the_basis_inline_are_chinese(admin_client, templates):
    changelist = admin_client.get(reverse("admin:catalogs_catalogitem_changelist"))
    assert changelist.status_code == 200
    assertContains(changelist, "时限类型")
    assertContains(changelist, "定期公开")
    for raw in (">on_request<", ">periodic<", ">working_days<"):
        assertNotContains(changelist, raw)
    item = CatalogItem.objects.exclude(bases=None).first()
    change = admin_client.get(
        reverse("admin:catalogs_catalogitem_change", args=[item.pk])
    )
    assert change.status_code == 200
    assertNotContains(change, ">Document<")
    assertNotContains(change, ">Order<")
    assertContains(change, "顺序")
    assertContains(change, item.bases.first().title)
