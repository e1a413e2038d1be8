"""Staff reads of name lists: lists for a user, the review queue, the processing
summary, progress, and the records that can take a new list.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils import timezone

from catalogs.models import User
from catalogs.scope import scope_code

from ..deidentify import (
    COLUMN_KIND_LABELS,
    FINDING_KIND_LABELS,
    ColumnKind,
    sensitive_kinds_label,
)
from ..models import DisclosureRecord, NameList, NameListRow
from ..permissions import can_review_name_lists, can_upload_name_lists
from .public import ROWS_PER_PAGE
from .states import REPLACEABLE, Status


def name_list_rows_page(name_list: NameList, page=1) -> Page:
    """One page of the masked rows (2 queries: count, page), as the public sees them."""
    return Paginator(
        NameListRow.objects.filter(name_list=name_list)
        .order_by("number")
        .only("number", "cells"),
        ROWS_PER_PAGE,
    ).get_page(page)


def name_list_is_expired(name_list: NameList, *, today: date | None = None) -> bool:
    """Whether a confirmed list's rows are no longer public (staff pages; no query).

    The same rule as the public query (`NameList.is_public_on`).
    """
    today = today or timezone.localdate()
    return name_list.status == Status.CONFIRMED and not name_list.is_public_on(today)


@dataclass
class NameListSummary:
    """The uploader's and reviewer's view of a processing report (never a cell value)."""

    rows_total: int
    rows_published: int
    rows_blank: int
    columns_kept: list[dict]
    columns_dropped: list[dict]
    masked_cells: list[dict]
    sensitive_columns: list[dict]
    findings_total: int
    findings_by_kind: list[dict]
    findings: list[dict]
    findings_truncated: int
    bad_check_digits: list[dict]
    bad_check_digits_total: int
    names_masked: int
    addresses_cut: int
    addresses_dropped: int
    addresses_dropped_rows: list[int]
    source: dict
    policy: dict


def name_list_summary(name_list: NameList) -> NameListSummary | None:
    """The summary of a processed list (no query); None before processing has ended."""
    report = name_list.report or {}
    if "columns" not in report:
        return None
    columns = [
        {
            **c,
            "kind_label": str(COLUMN_KIND_LABELS[ColumnKind(c["kind"])]),
            "sensitive_label": sensitive_kinds_label(c.get("sensitive", [])),
        }
        for c in report["columns"]
    ]
    findings = [
        {
            **f,
            "kind_label": str(FINDING_KIND_LABELS.get(f["kind"], f["kind"])),
        }
        for f in report.get("findings", [])
    ]
    return NameListSummary(
        rows_total=report.get("rows_total", 0),
        rows_published=report.get("rows_published", 0),
        rows_blank=report.get("rows_blank", 0),
        columns_kept=[c for c in columns if c["published"]],
        columns_dropped=[c for c in columns if not c["published"]],
        masked_cells=[c for c in columns if c["published"] and c["masked_cells"]],
        sensitive_columns=[
            c for c in columns if c["published"] and c.get("sensitive_cells")
        ],
        findings_total=report.get("findings_total", 0),
        findings_by_kind=[
            {"label": str(FINDING_KIND_LABELS.get(kind, kind)), "count": count}
            for kind, count in sorted(report.get("findings_by_kind", {}).items())
        ],
        findings=findings,
        findings_truncated=report.get("findings_total", 0) - len(findings),
        bad_check_digits=report.get("bad_check_digits", []),
        bad_check_digits_total=report.get("bad_check_digits_total", 0),
        names_masked=report.get("names_masked", 0),
        addresses_cut=report.get("addresses_cut", 0),
        addresses_dropped=report.get("addresses_dropped", 0),
        addresses_dropped_rows=report.get("addresses_dropped_rows", []),
        source=report.get("source", {}),
        policy=report.get("policy", {}),
    )


def name_list_of_record(record: DisclosureRecord) -> NameList | None:
    """The record's list in whatever state, for staff pages (1 query)."""
    return NameList.objects.filter(record=record).first()


def name_list_list_for(user: User, *, status: str = "") -> QuerySet:
    """Name lists of the user's subtree, newest first (1 query when iterated)."""
    qs = NameList.objects.visible_to(user).select_related(
        "record", "record__region", "uploaded_by", "confirmed_by"
    )
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-pk")


def name_list_review_queue(user: User) -> QuerySet:
    """Pending lists the user may confirm: its region or below, not its own uploads (1 query)."""
    code = scope_code(user)
    if not code or not can_review_name_lists(user):
        return NameList.objects.none()
    return (
        NameList.objects.filter(status=Status.PENDING, region__code__startswith=code)
        .exclude(uploaded_by=user)
        .select_related("record", "record__region", "uploaded_by")
        .order_by("submitted_at", "pk")
    )


def records_for_upload(user: User, *, limit: int = 200) -> list[DisclosureRecord]:
    """Records of the user's subtree that can take a new list, newest first (1 query)."""
    if not can_upload_name_lists(user):
        return []
    blocked = NameList.objects.exclude(
        status__in=[s.value for s in REPLACEABLE]
    ).values("record_id")
    return list(
        DisclosureRecord.objects.editable_by(user)
        .exclude(status=DisclosureRecord.Status.WITHDRAWN)
        .exclude(pk__in=blocked)
        .select_related("region")
        .order_by("-created_at", "-pk")[:limit]
    )


def name_list_progress(name_list: NameList) -> dict:
    """Rows done / total for the status page; the total is an estimate while processing."""
    total = name_list.row_count
    done = name_list.rows_done
    if total and done > total:
        total = done
    return {
        "done": done,
        "total": total,
        "percent": int(done * 100 / total) if total else None,
    }
