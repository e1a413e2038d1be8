"""Reviewers see their queue on the workspace (issue 21): how many name lists wait
for 保密审查 and how many catalogs for review, each a link to its queue."""

from __future__ import annotations

import pytest
from pytest_django.asserts import assertContains, assertNotContains

from django.urls import reverse

from catalogs import services as catalog_services
from catalogs.models import Domain, Region
from disclosures.namelists import services as namelist_services
from tests.builders import process, publish_record

pytestmark = pytest.mark.django_db


def test_the_city_workspace_counts_what_waits_and_links_to_it(
    client, portal, township_clerk, city_reviewer, staging
):
    pending = process(publish_record(title="李楼街道待审查名单"), township_clerk)
    namelist_services.name_list_submit(name_list=pending, actor=township_clerk)
    client.force_login(city_reviewer)
    page = client.get(reverse("workspace"))
    queue = page.context["reviewer_queue"]
    assert queue["name_lists"] == 1
    assertContains(page, 'id="reviewer-queue"')
    assertContains(page, "待保密审查的名单：1份")
    assertContains(page, f'href="{reverse("disclosures:namelist_review_queue")}"')
    assertContains(page, f"待审核的下级目录：{queue['catalogs']}份")
    assertContains(
        page, f'href="{reverse("catalogs:review_queue")}" id="queue-catalogs"'
    )


def test_the_catalog_count_follows_submissions(
    client, templates, county_clerk, city_reviewer
):
    client.force_login(city_reviewer)
    before = client.get(reverse("workspace")).context["reviewer_queue"]["catalogs"]
    catalog = catalog_services.catalog_clone(
        region=Region.objects.get(code="410311"),
        domain=Domain.objects.get(slug="elderly-care"),
        actor=county_clerk,
    )
    catalog_services.catalog_submit(catalog=catalog, actor=county_clerk)
    page = client.get(reverse("workspace"))
    assert page.context["reviewer_queue"]["catalogs"] == before + 1
    assertContains(page, f"待审核的下级目录：{before + 1}份")


def test_a_township_clerk_reviews_lists_but_not_catalogs(client, templates, make_user):
    from catalogs.models import User

    clerk = make_user(User.Role.TOWNSHIP_CLERK, "410311012", username="lilou-2")
    client.force_login(clerk)
    page = client.get(reverse("workspace"))
    assert page.context["reviewer_queue"] == {"catalogs": None, "name_lists": 0}
    assertContains(page, "待保密审查的名单：0份")
    assertNotContains(page, 'id="queue-catalogs"')
