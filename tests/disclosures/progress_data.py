"""A small hand-built dataset for the progress review, with known answers.

Period 2026Q3 (2026-07-01 … 2026-09-30), "today" 2026-11-20, under 洛阳市 (4103):

| region | obligations due in Q3 | on time | late | overdue | missed | rate |
|---|---|---|---|---|---|---|
| 洛龙区 410311 (+ 李楼街道 410311012) | 7 | 4 | 1 | 2 | 1 | 57.1% |
| 偃师区 410307 | 4 (two on the period's first/last day) | 4 | 0 | 0 | 0 | 100.0% |
| 涧西区 410305 | 4 | 2 | 2 | 0 | 0 | 50.0% |
| 老城区 410302 | 0 (its two fall just outside Q3) | | | | | — |
| 洛阳市 itself (本级) | 1 | 1 | | | | |

Outside the subtree: one late obligation of 中原区 (410102, 郑州市).

Catalogs (社会救助): 洛龙区 a draft clone with one item added, one omitted and
one deadline shortened (and one changed to calendar days, which is not
"shortened": another unit); 偃师区 published v1 (two items omitted) and a draft
v2 with a third item omitted (only v2 counts); 涧西区 a submitted clone.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from catalogs import services
from catalogs.models import Catalog, CatalogItem, Domain, Region
from disclosures.models import Obligation

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 11, 20)
PUBLISHED_AT = datetime(2024, 3, 5, 9, 0, tzinfo=SHANGHAI)
SUBMITTED_AT = datetime(2026, 10, 8, 15, 0, tzinfo=SHANGHAI)


def aware(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=SHANGHAI)


def template_item() -> CatalogItem:
    return (
        CatalogItem.objects.filter(
            catalog__region_id="41", catalog__domain__slug="social-assistance"
        )
        .order_by("seq")
        .first()
    )


def obligation(
    region: str, due: date, status: str = "open", *, periodic: bool = False, item=None
):
    """One obligation; fulfilled the day before (on time) or three days after (late) its due date."""
    item = item or template_item()
    fulfilled = {
        "on_time": aware(due - timedelta(days=1)),
        "late": aware(due + timedelta(days=3)),
    }
    return Obligation.objects.create(
        region_id=region,
        item=item,
        item_key=item.key,
        domain_id=item.catalog.domain_id,
        title=item.name,
        trigger_date=due - timedelta(days=14),
        period_start=date(due.year, due.month, 1) if periodic else None,
        period_end=due if periodic else None,
        due_date=due,
        rule_text=item.time_limit_text,
        status=status,
        fulfilled_at=fulfilled.get(status),
    )


def build_obligations() -> None:
    # 洛龙区 itself: 3 on time, 1 late, 1 overdue (event item).
    for _ in range(3):
        obligation("410311", date(2026, 7, 15), "on_time")
    obligation("410311", date(2026, 8, 10), "late")
    obligation("410311", date(2026, 9, 30), "open")
    # 李楼街道: a quarterly result never published (missed), one on time.
    obligation("410311012", date(2026, 9, 30), "open", periodic=True)
    obligation("410311012", date(2026, 8, 20), "on_time")
    # 偃师区: all on time, two on the period's boundaries.
    for due in (
        date(2026, 7, 1),
        date(2026, 8, 3),
        date(2026, 8, 4),
        date(2026, 9, 30),
    ):
        obligation("410307", due, "on_time")
    # 涧西区: half late.
    for status in ("on_time", "on_time", "late", "late"):
        obligation("410305", date(2026, 8, 17), status)
    # 老城区: just outside the quarter on both sides.
    obligation("410302", date(2026, 6, 30), "on_time")
    obligation("410302", date(2026, 10, 1), "on_time")
    # 洛阳市 itself.
    obligation("4103", date(2026, 8, 1), "on_time")
    # Another city's county (outside 洛阳市's subtree).
    obligation("410102", date(2026, 8, 1), "late")


def build_catalogs(actor=None) -> dict[str, Catalog]:
    domain = Domain.objects.get(slug="social-assistance")
    region = {
        code: Region.objects.get(code=code) for code in ("410311", "410307", "410305")
    }

    luolong = services.catalog_clone(
        region=region["410311"], domain=domain, actor=actor
    )
    items = list(luolong.items.order_by("seq"))
    CatalogItem.objects.filter(pk=items[0].pk).update(
        omitted=True, omitted_reason="本地未开展该业务"
    )
    CatalogItem.objects.filter(pk=items[1].pk).update(deadline_amount=5)  # shortened
    CatalogItem.objects.filter(pk=items[2].pk).update(
        deadline_kind="calendar_days", deadline_amount=5
    )  # another unit: not comparable, not counted
    added = items[3]
    added.pk = None
    added.key = uuid.uuid4()
    added.upstream_item = None
    added.name = "临时救助对象公示（按季度）"
    added.save()

    yanshi = services.catalog_clone(region=region["410307"], domain=domain, actor=actor)
    first_two = list(yanshi.items.order_by("seq").values_list("pk", flat=True)[:2])
    CatalogItem.objects.filter(pk__in=first_two).update(
        omitted=True, omitted_reason="本地未开展该业务"
    )
    services.catalog_publish(
        catalog=yanshi,
        actor=actor,
        published_at=PUBLISHED_AT,
        already_approved_elsewhere=True,
    )
    yanshi_v2 = services.catalog_start_new_version(catalog=yanshi, actor=actor)
    third = yanshi_v2.items.filter(omitted=False).order_by("seq").first()
    CatalogItem.objects.filter(pk=third.pk).update(
        omitted=True, omitted_reason="本地未开展该业务"
    )

    jianxi = services.catalog_clone(region=region["410305"], domain=domain, actor=actor)
    Catalog.objects.filter(pk=jianxi.pk).update(
        status="submitted", submitted_at=SUBMITTED_AT
    )
    return {
        "410311": luolong,
        "410307": yanshi,
        "410307v2": yanshi_v2,
        "410305": jianxi,
    }
