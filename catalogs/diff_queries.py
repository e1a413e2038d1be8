"""The reads behind `catalogs.diff`: items as snapshots, a catalog's diff and
summaries, the newer upstream versions and the merge plan against them.

Two queries load the snapshots for any number of items and catalogs; the
comparison itself is `catalogs.diff` (pure).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, Subquery

from .diff import (
    Basis,
    CatalogDiff,
    MergePlan,
    Snapshot,
    diff_rows,
    merge_items,
    summaries,
)
from .models import Catalog, CatalogItem, ItemBasis

_VALUE_FIELDS = (
    "pk",
    "catalog_id",
    "key",
    "upstream_item_id",
    *CatalogItem.ELEMENT_FIELDS,
    "category__name",
    "category__order",
    "omitted",
    "omitted_reason",
    "lock_version",
)


def load_snapshots(condition: Q) -> dict[int, Snapshot]:
    """Snapshots of the items matching `condition`, by pk (two queries)."""
    rows = CatalogItem.objects.filter(condition).order_by(
        "catalog_id", "category__order", "seq", "pk"
    )
    snapshots: dict[int, Snapshot] = {}
    for row in rows.values(*_VALUE_FIELDS):
        snapshots[row["pk"]] = Snapshot(
            **{
                name.replace("category__", "category_"): value
                for name, value in row.items()
            }
        )
    if snapshots:
        links = (
            ItemBasis.objects.filter(
                item__in=CatalogItem.objects.filter(condition).values("pk")
            )
            .select_related("document")
            .order_by("item_id", "order", "pk")
        )
        for link in links:
            snapshot = snapshots.get(link.item_id)
            if snapshot is not None:
                snapshot.bases.append(Basis(link.document_id, link.document.citation))
    return snapshots


def catalog_diff(catalog: Catalog) -> CatalogDiff:
    """Every item of `catalog` against its upstream version, element by element.

    Two queries (items of the catalog, its upstream version and the upstream items
    it points at; their basis links), whatever the number of items.
    """
    snapshots = load_snapshots(_diff_condition([catalog]))
    return CatalogDiff(catalog, diff_rows(catalog.pk, catalog.upstream_id, snapshots))


def catalog_diff_summary(catalog: Catalog) -> dict[str, int]:
    """The counts of `catalog_diff(catalog)`: items, inherited, changed, added,
    omitted, removed, shortened_deadlines."""
    return catalog_diff_summaries([catalog])[catalog.pk]


def catalog_diff_summaries(catalogs: Iterable[Catalog]) -> dict[int, dict[str, int]]:
    """`catalog_diff_summary` for many catalogs at once: two queries in all.

    The catalogs need only `pk` and `upstream_id` loaded.
    """
    catalogs = list(catalogs)
    if not catalogs:
        return {}
    snapshots = load_snapshots(_diff_condition(catalogs))
    return summaries([(c.pk, c.upstream_id) for c in catalogs], snapshots)


def _diff_condition(catalogs: list[Catalog]) -> Q:
    ids = [c.pk for c in catalogs]
    upstream_ids = [c.upstream_id for c in catalogs if c.upstream_id]
    return (
        Q(catalog_id__in=ids)
        | Q(catalog_id__in=upstream_ids)
        | Q(
            pk__in=Subquery(
                CatalogItem.objects.filter(
                    catalog_id__in=ids, upstream_item__isnull=False
                ).values("upstream_item_id")
            )
        )
    )


def newer_upstream_versions(catalogs: Iterable[Catalog]) -> dict[int, Catalog]:
    """For each catalog, the newer published version of its upstream, if any (one query).

    The catalogs need `upstream` loaded (``select_related("upstream")``).
    """
    catalogs = [c for c in catalogs if c.upstream_id]
    if not catalogs:
        return {}
    wanted = {(c.upstream.region_id, c.upstream.domain_id) for c in catalogs}
    current = {
        (c.region_id, c.domain_id): c
        for c in Catalog.objects.current_published()
        .filter(
            region_id__in={r for r, _d in wanted},
            domain_id__in={d for _r, d in wanted},
        )
        .select_related("region")
    }
    result = {}
    for catalog in catalogs:
        newest = current.get((catalog.upstream.region_id, catalog.upstream.domain_id))
        if newest is not None and newest.version > catalog.upstream.version:
            result[catalog.pk] = newest
    return result


def merge_plan(catalog: Catalog, newer: Catalog | None = None) -> MergePlan | None:
    """The three-way merge of `catalog` with the newest published upstream version.

    None when the catalog has no upstream or already follows its newest version.
    Queries: one for the newer version (unless given), two for the snapshots.
    """
    if catalog.upstream_id is None:
        return None
    if newer is None:
        newer = newer_upstream_versions([catalog]).get(catalog.pk)
        if newer is None:
            return None
    snapshots = load_snapshots(
        Q(catalog_id=catalog.pk)
        | Q(catalog_id=newer.pk)
        | Q(
            pk__in=Subquery(
                CatalogItem.objects.filter(
                    catalog_id=catalog.pk, upstream_item__isnull=False
                ).values("upstream_item_id")
            )
        )
    )
    items, repoint = merge_items(catalog.pk, newer.pk, snapshots)
    return MergePlan(
        catalog=catalog,
        current=catalog.upstream,
        newer=newer,
        items=items,
        repoint=repoint,
    )
