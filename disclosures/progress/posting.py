"""Proof-of-posting coverage (张榜证明覆盖情况) for the progress review (SPEC §14).

The periodic obligations of items posted on the village notice board (张榜:
the channel 社区/企事业单位/村公示栏) are counted per unit below the reviewed
region — per township on a county's page — with how many were posted in time
(record public and proof attached by the due date), posted late, and not yet
posted. Two queries whatever the number of regions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Q
from django.db.models.functions import Substr

from catalogs import choices
from catalogs.deadlines import RuleKind
from catalogs.models import CatalogItem, Region

from ..models import Obligation
from .metrics import child_length


@dataclass
class PostingCoverage:
    """One unit's 张榜 obligations in the period and how many were proven."""

    code: str
    name: str
    due: int
    posted: int
    late: int

    @property
    def missing(self) -> int:
        return self.due - self.posted - self.late

    @property
    def rate(self) -> Decimal | None:
        """Share posted in time, in percent with one decimal (None with nothing due)."""
        if not self.due:
            return None
        return (Decimal(100 * self.posted) / self.due).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )


def notice_board_item_ids() -> list[int]:
    """Periodic items whose channels include the village notice board (1 query).

    Filtered in Python: JSON containment is not available on every database
    the portal runs on, and periodic items are few.
    """
    board = choices.Channel.NOTICE_BOARD.value
    return [
        pk
        for pk, channels in CatalogItem.objects.filter(
            deadline_kind=RuleKind.PERIODIC.value
        ).values_list("pk", "channels")
        if board in (channels or [])
    ]


def posting_coverage(
    region: Region, *, start: date, end: date
) -> list[PostingCoverage]:
    """Per unit below `region` (its own code below township level), the 张榜
    obligations due within `start`..`end` and their proof (3 queries)."""
    items = notice_board_item_ids()
    if not items:
        return []
    length = child_length(region.code) or len(region.code)
    rows = list(
        Obligation.objects.filter(
            region__code__startswith=region.code,
            period_start__isnull=False,
            item_id__in=items,
            due_date__range=(start, end),
        )
        .annotate(unit=Substr("region_id", 1, length))
        .values("unit")
        .annotate(
            due=Count("pk"),
            posted=Count("pk", filter=Q(posted_on__lte=F("due_date"))),
            late=Count("pk", filter=Q(posted_on__gt=F("due_date"))),
        )
        .order_by("unit")
    )
    # The units are the region's children (or the region itself below township
    # level); asked for whether or not any is due, so the page makes the same
    # queries at every scale.
    names = dict(
        Region.objects.filter(
            Q(parent_id=region.code) | Q(code=region.code)
        ).values_list("code", "name")
    )
    return [
        PostingCoverage(
            code=row["unit"],
            name=names.get(row["unit"], row["unit"]),
            due=row["due"],
            posted=row["posted"],
            late=row["late"],
        )
        for row in rows
    ]
