"""Reads for the public portal: published material only, prefetched, bounded.

Every function here runs a fixed number of queries whatever the amount of
data; the docstrings count them. Staff worklists live in `disclosures.records.worklists`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from django.core.paginator import Paginator
from django.db.models import BooleanField, Case, Count, F, Q, Value, When
from django.urls import reverse
from django.utils.translation import gettext

from catalogs.models import Catalog, CatalogItem, Domain, ItemBasis, Region
from catalogs.selectors import catalog_items_for_display, region_get_with_ancestors

from . import gate

LATEST_LIMIT = 10
RECORDS_PER_PAGE = 20


def _with_on_time(qs):
    """Annotate `on_time`: published on or before the due date (None without a due date)."""
    return qs.annotate(
        on_time=Case(
            When(due_date__isnull=True, then=Value(None)),
            When(publish_at__date__lte=F("due_date"), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(null=True),
        )
    )


def latest_public_records(*, region_code: str = "", limit: int = LATEST_LIMIT) -> list:
    """The newest public records in a region's subtree, everywhere without a code (one query)."""
    qs = gate.records()
    if region_code:
        qs = qs.in_subtree(region_code)
    return list(
        qs.select_related("region", "domain", "item", "item__category").order_by(
            "-publish_at", "-pk"
        )[:limit]
    )


# --- region picker ------------------------------------------------------------

PICKER_LEVELS = [
    (Region.Level.CITY, "city"),
    (Region.Level.COUNTY, "county"),
    (Region.Level.TOWNSHIP, "township"),
    # Only where a county has added villages (村/社区); empty and disabled elsewhere.
    (Region.Level.VILLAGE, "village"),
]


@dataclass
class PickerLevel:
    """One select of the region picker (city, county, township or village)."""

    level: str
    field: str
    label: str
    options: list[Region]
    selected: Region | None
    enabled: bool


def region_picker(choice: dict[str, str] | None = None) -> dict:
    """The city → county → township (→ village) picker for a (possibly partial) choice (1 query).

    `choice` maps "city"/"county"/"township"/"village" to codes. A code that is not a
    child of the level above is dropped, with everything below it. Returns the
    levels to render and `chosen`, the deepest valid region (or None).
    """
    choice = choice or {}
    codes: list[str] = []
    for _level, name in PICKER_LEVELS:
        code = (choice.get(name) or "").strip()
        if not code or (codes and not code.startswith(codes[-1])):
            break
        codes.append(code)
    parents = Q(level=Region.Level.CITY)
    if codes:
        parents |= Q(parent_id__in=codes)
    by_parent: dict[str | None, list[Region]] = {}
    for region in Region.objects.filter(parents).order_by("-official", "code"):
        key = None if region.level == Region.Level.CITY else region.parent_id
        by_parent.setdefault(key, []).append(region)
    levels: list[PickerLevel] = []
    chosen: Region | None = None
    valid = True
    for index, (level, name) in enumerate(PICKER_LEVELS):
        options = by_parent.get(chosen.code if chosen else None, []) if valid else []
        wanted = codes[index] if index < len(codes) else ""
        selected = next((r for r in options if r.code == wanted), None)
        levels.append(
            PickerLevel(
                level=level,
                field=name,
                label=str(Region.Level(level).label),
                options=options,
                selected=selected,
                enabled=bool(options),
            )
        )
        if selected is None:
            # Everything below a missing or invalid choice stays empty.
            valid = False
        else:
            chosen = selected
    return {"levels": levels, "chosen": chosen}


def region_children_options(code: str) -> list[dict]:
    """Children of a region as {code, name} for the picker's script (1 query)."""
    return list(
        Region.objects.filter(parent_id=code).order_by("code").values("code", "name")
    )


# --- pages --------------------------------------------------------------------


def home_page(choice: dict[str, str] | None = None) -> dict:
    """Home: domains, the region picker, the province and latest records (4 queries)."""
    province = (
        Region.objects.filter(level=Region.Level.PROVINCE).order_by("code").first()
    )
    return {
        "domains": list(Domain.objects.all()),
        "province": province,
        "picker": region_picker(choice),
        "latest_records": latest_public_records(),
    }


def _applicable_catalogs(chain: list[str]) -> dict[int, Catalog]:
    """Per domain id, the current published catalog of the nearest region in `chain` (1 query)."""
    applies: dict[int, Catalog] = {}
    for catalog in sorted(
        Catalog.objects.current_published()
        .filter(region_id__in=chain)
        .select_related("region", "domain"),
        key=lambda c: -len(c.region_id),
    ):
        applies.setdefault(catalog.domain_id, catalog)
    return applies


def region_page(code: str) -> dict:
    """A region, its ancestors, catalogs per domain, children and latest records (6 queries).

    For each domain: the region's own current published catalog, or else the
    nearest ancestor's, which is the one that applies there. Children carry
    `catalog_domains`, the names of the domains they published a catalog for.
    """
    region, ancestors = region_get_with_ancestors(code)
    chain = [a.code for a in ancestors] + [region.code]
    applies = _applicable_catalogs(chain)
    domains = [
        {
            "domain": domain,
            "catalog": applies.get(domain.pk),
            "own": domain.pk in applies and applies[domain.pk].region_id == region.code,
        }
        for domain in Domain.objects.all()
    ]
    children = list(region.children.order_by("-official", "code"))
    with_catalogs: dict[str, list[str]] = {}
    for region_id, domain_name in (
        Catalog.objects.current_published()
        .filter(region__parent=region)
        .order_by("domain__order")
        .values_list("region_id", "domain__name")
    ):
        with_catalogs.setdefault(region_id, []).append(domain_name)
    for child in children:
        child.catalog_domains = with_catalogs.get(child.code, [])
    return {
        "region": region,
        "ancestors": ancestors,
        "children": children,
        "domains": domains,
        "latest_records": latest_public_records(region_code=region.code),
    }


def record_counts_by_item(*, region_code: str, domain: Domain) -> dict[UUID, int]:
    """Public records per item key in a region's subtree for one domain (1 query)."""
    return dict(
        gate.records()
        .in_subtree(region_code)
        .filter(domain=domain)
        .order_by()
        .values_list("item_key")
        .annotate(n=Count("pk"))
    )


def catalog_applicable(code: str, domain_slug: str) -> Catalog | None:
    """The current published catalog that applies to a region without its own (2 queries)."""
    chain = list(Region.objects.ancestors_of(code).values_list("code", flat=True))
    domain = Domain.objects.get(slug=domain_slug)
    return _applicable_catalogs(chain).get(domain.pk)


def catalog_page(code: str, domain_slug: str, *, version: int | None = None) -> dict:
    """A region's published catalog of a domain as the official table (6 queries).

    The current version unless `version` names an earlier published one.
    Omitted items are left out; each item carries `record_count`, the number
    of public records against it in the region's subtree. Raises
    `Catalog.DoesNotExist` when the region has no such published version.
    """
    region, ancestors = region_get_with_ancestors(code)
    domain = Domain.objects.get(slug=domain_slug)
    versions = list(
        Catalog.objects.published()
        .filter(region=region, domain=domain)
        .select_related("upstream", "upstream__region")
        .order_by("-version")
    )
    if version is None:
        catalog = versions[0] if versions else None
    else:
        catalog = next((v for v in versions if v.version == version), None)
    if catalog is None:
        raise Catalog.DoesNotExist
    catalog.region, catalog.domain = region, domain
    items = list(catalog_items_for_display(catalog, include_omitted=False))
    counts = record_counts_by_item(region_code=region.code, domain=domain)
    groups: list[dict] = []
    for number, item in enumerate(items, start=1):
        # Printed numbering: 1…n in table order; an omitted item leaves no hole.
        item.number = number
        item.record_count = counts.get(item.key, 0)
        if not groups or groups[-1]["category"].pk != item.category_id:
            groups.append({"category": item.category, "items": []})
        groups[-1]["items"].append(item)
    return {
        "region": region,
        "ancestors": ancestors,
        "domain": domain,
        "catalog": catalog,
        "is_current": catalog is versions[0],
        "current": versions[0],
        "groups": groups,
        "item_count": len(items),
        "other_versions": [v for v in versions if v is not catalog],
    }


def catalog_for_download(
    code: str, domain_slug: str, *, version: int | None = None
) -> Catalog:
    """A published catalog version with its region and domain loaded (1 query)."""
    qs = Catalog.objects.published().filter(region_id=code, domain__slug=domain_slug)
    qs = qs.select_related("region", "domain")
    if version is not None:
        return qs.get(version=version)
    latest = qs.order_by("-version").first()
    if latest is None:
        raise Catalog.DoesNotExist
    return latest


def item_records_page(code: str, domain_slug: str, key: UUID, *, page=1) -> dict:
    """One item of a region's catalog, its legal bases and its public records, newest
    first (6 queries).

    Records come from the region's whole subtree (a county's item is published
    by the county and its townships) and carry `on_time`. Raises
    `CatalogItem.DoesNotExist` if no published version of the region's catalog
    has the item.
    """
    region, ancestors = region_get_with_ancestors(code)
    domain = Domain.objects.get(slug=domain_slug)
    item = (
        CatalogItem.objects.filter(
            key=key,
            catalog__region=region,
            catalog__domain=domain,
            catalog__status="published",
        )
        .select_related("category", "catalog")
        .order_by("-catalog__version")
        .first()
    )
    if item is None:
        raise CatalogItem.DoesNotExist
    records = (
        _with_on_time(gate.records())
        .in_subtree(region.code)
        .filter(item_key=key)
        .select_related("region")
        .order_by("-publish_at", "-pk")
    )
    catalog_url = reverse(
        "disclosures:catalog_detail",
        kwargs={"code": region.code, "domain_slug": domain.slug},
    )
    return {
        "region": region,
        "ancestors": ancestors,
        "domain": domain,
        "item": item,
        # 3. 公开依据, in the catalog's order (one query): the page shows all nine elements.
        "bases": [
            basis.document.citation
            for basis in ItemBasis.objects.filter(item=item)
            .select_related("document")
            .order_by("order", "pk")
        ],
        "catalog": item.catalog,
        "trail": [
            (gettext("%(domain)s标准目录") % {"domain": domain.name}, catalog_url)
        ],
        "records": Paginator(records, RECORDS_PER_PAGE).get_page(page),
    }


def record_page(pk: int) -> dict:
    """A public record, its attachments and breadcrumb (3 queries).

    Raises `DisclosureRecord.DoesNotExist` for anything not public (drafts,
    scheduled records before their time, withdrawn ones).
    """
    record = gate.with_public_attachments(
        _with_on_time(gate.records()).select_related(
            "region", "domain", "item", "item__category", "item__catalog", "village"
        )
    ).get(pk=pk)
    ancestors = list(Region.objects.ancestors_of(record.region_id))
    return {
        "record": record,
        "region": record.region,
        "ancestors": ancestors,
        "catalog_region_code": record.item.catalog.region_id,
    }


def public_attachment(record_pk: int, attachment_pk: int):
    """A publishable attachment of a public record (1 query)."""
    return gate.attachment(record_pk, attachment_pk)


def name_list_public(record, *, page=1, today: date | None = None):
    """The record's name list as the public may see it (1–3 queries), through the gate."""
    return gate.name_list(record, page=page, today=today)
