"""Reads of the on-request workflow: staff lists, the worklist panel, progress counts,
the public status lookup and table 三 of the annual report.

Only `application_list_for_staff`/`application_get` (staff of the receiving region)
read the applicant's fields; everything for other audiences selects codes, dates,
states and counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q
from django.utils import timezone

from catalogs.deadlines import add_working_days
from catalogs.models import Region
from catalogs.scope import scope_code
from catalogs.selectors import work_calendar

from .models import Application
from .outcomes import (
    APPLICANT_KIND_KEYS,
    OUTCOME_KEYS,
    ROW_CARRIED_IN,
    ROW_CARRIED_OUT,
    ROW_RECEIVED,
    ROW_TOTAL_HANDLED,
)
from .querysets import OPEN_STATUSES

#: "Due soon": due within this many working days from today (as records).
DUE_SOON_WORKING_DAYS = 3
TOTAL = "total"
#: Row keys of table 三 in the order of the official format.
TABLE_THREE_ROWS = (
    ROW_RECEIVED,
    ROW_CARRIED_IN,
    *OUTCOME_KEYS,
    ROW_TOTAL_HANDLED,
    ROW_CARRIED_OUT,
)


# --------------------------------------------------------------------------- table 三


def annual_table_three(
    region: Region | str, year: int, *, include_subregions: bool = False
) -> dict[str, dict[str, int]]:
    """Table 三 (收到和处理政府信息公开申请情况) of the annual report, counted.

    Row key → applicant-kind key (`APPLICANT_KIND_KEYS` and ``"total"``) → count,
    zeros included. Rows: ``received`` (本年新收: received in ``year``),
    ``carried_in`` (上年结转: received before the year, not answered before it),
    every outcome key (answered in the year with that outcome), ``total_handled``
    (the sum of the outcome rows) and ``carried_out`` (结转下年度继续办理: received
    up to the year's end and not answered in or before it). Applications never
    registered (online, not yet confirmed) have no receipt date and are not
    counted. ``include_subregions`` adds the applications received by regions
    below ``region`` (a county's report with its townships). One query.
    """
    code = region if isinstance(region, str) else region.code
    first, last = date(year, 1, 1), date(year, 12, 31)
    qs = Application.objects.filter(received_on__isnull=False)
    qs = (
        qs.filter(region__code__startswith=code)
        if include_subregions
        else qs.filter(region_id=code)
    )
    replied_in_year = Q(replied_on__gte=first, replied_on__lte=last)
    filters = {
        ROW_RECEIVED: Q(received_on__gte=first, received_on__lte=last),
        ROW_CARRIED_IN: Q(received_on__lt=first)
        & (Q(replied_on__isnull=True) | Q(replied_on__gte=first)),
        ROW_CARRIED_OUT: Q(received_on__lte=last)
        & (Q(replied_on__isnull=True) | Q(replied_on__gt=last)),
    }
    for key in OUTCOME_KEYS:
        filters[key] = replied_in_year & Q(outcome=key)
    rows = (
        qs.values("applicant_kind")
        .annotate(**{f"n_{key}": Count("pk", filter=f) for key, f in filters.items()})
        .order_by()
    )
    table = {
        row: dict.fromkeys((*APPLICANT_KIND_KEYS, TOTAL), 0) for row in TABLE_THREE_ROWS
    }
    for row in rows:
        kind = row["applicant_kind"]
        if kind not in APPLICANT_KIND_KEYS:
            continue
        for key in filters:
            table[key][kind] += row[f"n_{key}"]
    for kind in APPLICANT_KIND_KEYS:
        table[ROW_TOTAL_HANDLED][kind] = sum(table[key][kind] for key in OUTCOME_KEYS)
    for counts in table.values():
        counts[TOTAL] = sum(counts[kind] for kind in APPLICANT_KIND_KEYS)
    return table


# --------------------------------------------------------------------------- staff


def application_list_for_staff(user, *, status: str = "", limit: int = 100):
    """The applications of the user's own region and the escalated ones of the
    regions directly below it, newest first (one query)."""
    qs = Application.objects.visible_to(user).select_related("region")
    if status in Application.Status.values:
        qs = qs.filter(status=status)
    return list(qs.order_by("-submitted_at", "-pk")[:limit])


@dataclass
class ApplicationWorklist:
    """Due-soon and overdue applications of the user's own region (the workspace panel)."""

    today: date
    horizon: date
    waiting: list[Application] = field(default_factory=list)
    due_soon: list[Application] = field(default_factory=list)
    overdue: list[Application] = field(default_factory=list)
    archive_due: list[Application] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def application_worklist(user, *, today: date | None = None, limit: int = 10):
    """What the workspace shows about applications: new online ones to register,
    due soon, overdue, and replies to archive (due or overdue). Counts in one
    aggregate; lists bounded (five queries)."""
    today = today or timezone.localdate()
    horizon, _provisional = add_working_days(
        work_calendar(), today, DUE_SOON_WORKING_DAYS
    )
    result = ApplicationWorklist(today=today, horizon=horizon)
    qs = Application.objects.handled_by(user)
    if scope_code(user) is None:
        return result
    waiting_q = Q(status=Application.Status.SUBMITTED)
    open_q = Q(status__in=OPEN_STATUSES)
    soon_q = open_q & Q(due_date__gte=today, due_date__lte=horizon)
    overdue_q = open_q & Q(due_date__lt=today)
    archive_q = Q(status=Application.Status.REPLIED, archive_due__lte=horizon)
    result.counts = qs.aggregate(
        waiting=Count("pk", filter=waiting_q),
        due_soon=Count("pk", filter=soon_q),
        overdue=Count("pk", filter=overdue_q),
        archive_due=Count("pk", filter=archive_q),
        open=Count("pk", filter=open_q),
    )
    listed = qs.select_related("region")
    result.waiting = list(listed.filter(waiting_q).order_by("submitted_at")[:limit])
    result.due_soon = list(listed.filter(soon_q).order_by("due_date", "pk")[:limit])
    result.overdue = list(listed.filter(overdue_q).order_by("due_date", "pk")[:limit])
    result.archive_due = list(
        listed.filter(archive_q).order_by("archive_due", "pk")[:limit]
    )
    return result


# --------------------------------------------------------------------------- progress


@dataclass
class ProgressRow:
    region: Region
    received: int = 0
    open: int = 0
    overdue: int = 0
    replied: int = 0
    replied_late: int = 0
    archive_overdue: int = 0


def application_progress(user, *, today: date | None = None):
    """Counts per region below the reviewer's region, and the overdue applications
    (code, receiving region and dates only: never the applicant). Two queries."""
    today = today or timezone.localdate()
    code = scope_code(user)
    if code is None:
        return [], []
    qs = Application.objects.in_subtree(code).filter(received_on__isnull=False)
    open_q = Q(status__in=OPEN_STATUSES)
    figures = (
        qs.values("region_id", "region__name")
        .annotate(
            received=Count("pk"),
            open=Count("pk", filter=open_q),
            overdue=Count("pk", filter=open_q & Q(due_date__lt=today)),
            replied=Count("pk", filter=Q(replied_on__isnull=False)),
            archive_overdue=Count(
                "pk",
                filter=Q(status=Application.Status.REPLIED, archive_due__lt=today),
            ),
        )
        .order_by("region_id")
    )
    rows = [
        {
            "region_code": row["region_id"],
            "region_name": row["region__name"],
            **{
                k: row[k]
                for k in ("received", "open", "overdue", "replied", "archive_overdue")
            },
        }
        for row in figures
    ]
    overdue = list(
        qs.overdue(on=today)
        .select_related("region")
        .only(
            "pk",
            "code",
            "region__name",
            "region__code",
            "received_on",
            "due_date",
            "status",
        )
        .order_by("due_date", "pk")[:50]
    )
    return rows, overdue


# --------------------------------------------------------------------------- public


def application_status_lookup(code: str) -> Application | None:
    """An application by its code (the view checks the check value); None if unknown."""
    return (
        Application.objects.select_related("region")
        .only(
            "pk",
            "code",
            "check_hash",
            "status",
            "region__name",
            "region__level",
            "submitted_at",
            "received_on",
            "due_date",
            "due_rule",
            "correction_requested_on",
            "correction_deadline",
            "corrected_on",
            "extension_days",
            "replied_on",
            "archived_on",
        )
        .filter(code=(code or "").strip().upper())
        .first()
    )


def application_audit(application: Application):
    """The steps of one application as the audit log recorded them (actor, time)."""
    from catalogs.models import AuditLogEntry

    return list(
        AuditLogEntry.objects.filter(
            object_type="onrequest.application", object_id=str(application.pk)
        )
        .select_related("actor")
        .order_by("created_at", "pk")
    )
