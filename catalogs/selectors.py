"""Reads for catalog pages: scoped, prefetched, aggregated."""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import Max, Prefetch

from .models import CalendarDay, CalendarYear, Catalog, CatalogItem, ItemBasis, Region

WORK_CALENDAR_CACHE_KEY = "catalogs:work_calendar:v1"


def work_calendar():
    """The official working-day calendar as a pure `WorkCalendar` (cached).

    Two queries on a cache miss; the cache entry is dropped whenever a province
    admin edits the calendar (`catalogs.services_calendar`).
    """
    from .deadlines import WorkCalendar

    cal = cache.get(WORK_CALENDAR_CACHE_KEY)
    if cal is not None:
        return cal
    holidays, workdays = set(), set()
    for day, kind in CalendarDay.objects.values_list("date", "kind"):
        (holidays if kind == CalendarDay.Kind.HOLIDAY else workdays).add(day)
    years = CalendarYear.objects.filter(official=True)
    stamp = years.aggregate(m=Max("updated_at"))["m"]
    cal = WorkCalendar(
        holidays=frozenset(holidays),
        workdays=frozenset(workdays),
        years=frozenset(years.values_list("year", flat=True)),
        version=f"db-{stamp:%Y%m%d%H%M%S%f}" if stamp else "fallback",
    )
    cache.set(WORK_CALENDAR_CACHE_KEY, cal, 3600)
    return cal


def forget_work_calendar() -> None:
    cache.delete(WORK_CALENDAR_CACHE_KEY)


def catalog_items_for_display(catalog: Catalog, *, include_omitted: bool = True):
    """Items of one catalog with everything the nine-element table needs (3 queries)."""
    qs = (
        CatalogItem.objects.filter(catalog=catalog)
        .select_related("category")
        .prefetch_related(
            Prefetch(
                "basis_links",
                queryset=ItemBasis.objects.select_related("document").order_by("order"),
            )
        )
        .order_by("category__order", "seq", "pk")
    )
    if not include_omitted:
        qs = qs.filter(omitted=False)
    return qs


def region_get_with_ancestors(code: str) -> tuple[Region, list[Region]]:
    """A region and its ancestor chain (province first) in one query."""
    chain = list(Region.objects.ancestors_of(code, include_self=True))
    if not chain or chain[-1].code != code:
        raise Region.DoesNotExist(code)
    return chain[-1], chain[:-1]


def workspace_overview(user) -> dict:
    """What the workspace shows: the user's region, its catalogs per domain, the review queue."""
    from .models import Domain
    from .permissions import scope_code

    code = scope_code(user)
    region = Region.objects.filter(code=code).first() if code else None
    domains = list(Domain.objects.all())
    catalogs = []
    if region is not None:
        by_domain: dict[int, list[Catalog]] = {}
        for catalog in (
            Catalog.objects.for_region(region).select_related("domain").order_by("-version")
        ):
            by_domain.setdefault(catalog.domain_id, []).append(catalog)
        for domain in domains:
            versions = by_domain.get(domain.pk, [])
            catalogs.append(
                {
                    "domain": domain,
                    "current": next((c for c in versions if c.is_published), None),
                    "open": next((c for c in versions if not c.is_published), None),
                    "versions": versions,
                }
            )
    review_queue = list(
        Catalog.objects.reviewable_by(user).select_related("region", "domain").order_by("submitted_at")
    )
    return {
        "region": region,
        "domain_catalogs": catalogs,
        "review_queue": review_queue,
    }
