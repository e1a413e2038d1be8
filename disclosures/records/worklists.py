"""The clerk's worklist: what is due soon, overdue, scheduled and recently published.

Scope is the user's region and everything below it. Every list is bounded and
every figure is counted in SQL, so the number of queries is the same with ten
records as with ten thousand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from catalogs.deadlines import add_working_days
from catalogs.scope import scope_code
from catalogs.selectors import work_calendar

from ..models import DisclosureRecord, Obligation
from .reminders import DUE_SOON_WORKING_DAYS

#: Records published within this many calendar days count as "recently published".
RECENT_DAYS = 30


@dataclass
class Worklist:
    """What /work/ and /work/records/ show. Lists hold at most `limit` rows each."""

    today: date
    horizon: (
        date  # last day of "due soon" (DUE_SOON_WORKING_DAYS working days from today)
    )
    scope_code: str | None
    due_soon: list[Obligation] = field(default_factory=list)
    overdue: list[Obligation] = field(default_factory=list)
    scheduled: list[DisclosureRecord] = field(default_factory=list)
    recent: list[DisclosureRecord] = field(default_factory=list)
    drafts: list[DisclosureRecord] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        return not any(self.counts.values())


def _live_records():
    """Records shown beside an obligation: not withdrawn, oldest first."""
    return DisclosureRecord.objects.exclude(
        status=DisclosureRecord.Status.WITHDRAWN
    ).order_by("created_at", "pk")


def worklist_for(
    user, *, today: date | None = None, now: datetime | None = None, limit: int = 10
) -> Worklist:
    """The worklist of `user`'s region subtree.

    Queries (the calendar is cached; two more on a cold cache):
    1. obligation counts (due soon, overdue, missed) in one aggregate;
    2. due-soon obligations with region and item; 3. their live records;
    4. overdue obligations with region and item; 5. their live records;
    6. record counts (scheduled, recent, drafts) in one aggregate;
    7. scheduled records; 8. recently published records; 9. drafts.
    """
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    horizon, _provisional = add_working_days(
        work_calendar(), today, DUE_SOON_WORKING_DAYS
    )
    code = scope_code(user)
    result = Worklist(today=today, horizon=horizon, scope_code=code)
    if code is None:
        return result

    obligations = Obligation.objects.visible_to(user)
    soon_q = Q(
        status=Obligation.Status.OPEN, due_date__gte=today, due_date__lte=horizon
    )
    overdue_q = Q(status=Obligation.Status.OPEN, due_date__lt=today)
    counts = obligations.aggregate(
        due_soon=Count("pk", filter=soon_q),
        overdue=Count("pk", filter=overdue_q),
        missed=Count("pk", filter=overdue_q & Q(period_start__isnull=False)),
    )
    with_details = obligations.select_related(
        "region", "item", "domain"
    ).prefetch_related(
        Prefetch("records", queryset=_live_records(), to_attr="live_records")
    )
    result.due_soon = list(
        with_details.filter(soon_q).order_by("due_date", "region_id", "pk")[:limit]
    )
    result.overdue = list(
        with_details.filter(overdue_q).order_by("due_date", "region_id", "pk")[:limit]
    )

    records = DisclosureRecord.objects.in_subtree(code)
    scheduled_q = Q(status=DisclosureRecord.Status.SCHEDULED, publish_at__gt=now)
    recent_q = Q(
        status__in=[
            DisclosureRecord.Status.PUBLISHED,
            DisclosureRecord.Status.SCHEDULED,
        ],
        publish_at__lte=now,
        publish_at__gt=now - timedelta(days=RECENT_DAYS),
    )
    draft_q = Q(status=DisclosureRecord.Status.DRAFT)
    counts.update(
        records.aggregate(
            scheduled=Count("pk", filter=scheduled_q),
            recent=Count("pk", filter=recent_q),
            drafts=Count("pk", filter=draft_q),
        )
    )
    listed = records.select_related("region", "item", "domain")
    result.scheduled = list(
        listed.filter(scheduled_q).order_by("publish_at", "pk")[:limit]
    )
    result.recent = list(listed.filter(recent_q).order_by("-publish_at", "-pk")[:limit])
    result.drafts = list(listed.filter(draft_q).order_by("due_date", "pk")[:limit])
    result.counts = counts
    return result


def record_list_for(
    user, *, status: str = "", limit: int = 50
) -> list[DisclosureRecord]:
    """The newest records of the user's subtree, any status (staff list; one query)."""
    code = scope_code(user)
    if code is None:
        return []
    qs = DisclosureRecord.objects.in_subtree(code)
    if status in DisclosureRecord.Status.values:
        qs = qs.filter(status=status)
    return list(
        qs.select_related("region", "item", "domain").order_by("-created_at", "-pk")[
            :limit
        ]
    )
