"""Reads for the public portal and the staff worklists: scoped, prefetched, bounded."""

from __future__ import annotations

from django.db.models import Prefetch

from catalogs.models import Catalog, Domain, Region
from catalogs.selectors import catalog_items_for_display, region_get_with_ancestors

from .models import DisclosureRecord


def latest_public_records(*, region_code: str = "", limit: int = 10):
    """The newest public records in a region's subtree (one query)."""
    return list(
        DisclosureRecord.objects.public()
        .in_subtree(region_code)
        .select_related("region", "domain")
        .order_by("-publish_at", "-pk")[:limit]
    )


def region_page(code: str) -> dict:
    """A region, its ancestors, children, catalogs and latest records.

    For each domain: the region's own published catalog, or else the nearest
    ancestor's, which is the one that applies there.
    """
    region, ancestors = region_get_with_ancestors(code)
    chain = [a.code for a in ancestors] + [region.code]
    applies: dict[int, Catalog] = {}
    for catalog in sorted(
        Catalog.objects.current_published()
        .filter(region_id__in=chain)
        .select_related("region", "domain"),
        key=lambda c: -len(c.region_id),
    ):
        applies.setdefault(catalog.domain_id, catalog)
    domains = [
        {
            "domain": domain,
            "catalog": applies.get(domain.pk),
            "own": applies.get(domain.pk) is not None
            and applies[domain.pk].region_id == region.code,
        }
        for domain in Domain.objects.all()
    ]
    return {
        "region": region,
        "ancestors": ancestors,
        "children": list(region.children.order_by("code")),
        "domains": domains,
        "latest_records": latest_public_records(region_code=region.code),
    }


def catalog_page(code: str, domain_slug: str) -> dict:
    """The region's current published catalog of a domain, its items and earlier versions."""
    region, ancestors = region_get_with_ancestors(code)
    domain = Domain.objects.get(slug=domain_slug)
    versions = list(
        Catalog.objects.published().filter(region=region, domain=domain).order_by("-version")
    )
    if not versions:
        raise Catalog.DoesNotExist
    catalog = versions[0]
    items = list(catalog_items_for_display(catalog, include_omitted=False))
    groups: list[dict] = []
    for item in items:
        if not groups or groups[-1]["category"].pk != item.category_id:
            groups.append({"category": item.category, "items": []})
        groups[-1]["items"].append(item)
    return {
        "region": region,
        "ancestors": ancestors,
        "domain": domain,
        "catalog": catalog,
        "groups": groups,
        "earlier_versions": versions[1:],
    }


def record_page(pk: int):
    return (
        DisclosureRecord.objects.public()
        .select_related("region", "domain", "item", "item__category")
        .prefetch_related(Prefetch("attachments"))
        .get(pk=pk)
    )


def home_page() -> dict:
    return {
        "domains": list(Domain.objects.all()),
        "cities": list(Region.objects.filter(level=Region.Level.CITY).order_by("code")),
        "latest_records": latest_public_records(),
    }
