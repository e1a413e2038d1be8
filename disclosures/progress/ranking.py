"""Ranks among siblings, 先进/落后 flags against the thresholds, and column sorting."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from catalogs.models import Domain

from ..models import ProgressThreshold
from .metrics import ProgressRow


def assign_ranks_and_flags(
    rows: list[ProgressRow], thresholds: ProgressThreshold
) -> None:
    """Rank sibling rows by on-time rate (ties share a rank) and set 先进/落后.

    落后: rate below `criticize_on_time_rate`, or at least `criticize_missed`
    periodic obligations missed (0 switches that test off). 先进: rate at least
    `commend_on_time_rate` and not 落后. A row with nothing assessed yet is
    neither ranked nor flagged. Rows are grouped by `parent_code`.
    """
    groups: dict[str, list[ProgressRow]] = {}
    for row in rows:
        if not row.is_self:
            groups.setdefault(row.parent_code, []).append(row)
    for siblings in groups.values():
        rates = [
            r.metrics.rate_exact for r in siblings if r.metrics.rate_exact is not None
        ]
        for row in siblings:
            exact = row.metrics.rate_exact
            row.rank = (
                None
                if exact is None
                else 1 + sum(1 for other in rates if other > exact)
            )
            row.reasons = []
            if exact is not None and exact < thresholds.criticize_on_time_rate:
                row.reasons.append(
                    _("按时公开率低于%(rate)s%%")
                    % {"rate": _percent(thresholds.criticize_on_time_rate)}
                )
            if (
                thresholds.criticize_missed
                and row.metrics.missed >= thresholds.criticize_missed
            ):
                row.reasons.append(
                    _("漏报周期性公开%(count)s次") % {"count": row.metrics.missed}
                )
            row.criticized = bool(row.reasons)
            row.commended = (
                exact is not None
                and not row.criticized
                and exact >= thresholds.commend_on_time_rate
            )


def _percent(value: Decimal) -> str:
    text = f"{Decimal(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


SORT_KEYS = {
    "code": lambda r: r.code,
    "name": lambda r: r.name,
    "due": lambda r: r.metrics.due,
    "on_time": lambda r: r.metrics.on_time,
    "late": lambda r: r.metrics.late,
    "overdue": lambda r: r.metrics.overdue,
    "missed": lambda r: r.metrics.missed,
    "rate": lambda r: r.metrics.rate_exact,
    "rank": lambda r: r.rank,
    "added": lambda r: r.localization.added,
    "omitted": lambda r: r.localization.omitted,
    "shortened": lambda r: r.localization.shortened,
    "verdict": lambda r: 2 if r.commended else (0 if r.criticized else 1),
}


def sort_rows(
    rows: list[ProgressRow], sort: str, domains: list[Domain]
) -> tuple[list[ProgressRow], str, bool]:
    """Sort rows by a column key (``-key`` descending); unknown keys sort by code.

    Rows without a value (no rate, no rank) go last in either direction; ties
    keep code order.
    """
    descending = sort.startswith("-")
    key_name = sort.lstrip("-")
    key = SORT_KEYS.get(key_name)
    if key is None:
        index = next(
            (i for i, d in enumerate(domains) if key_name == f"catalog-{d.slug}"), None
        )
        if index is None:
            return sorted(rows, key=lambda r: r.code), "code", False

        def key(r, index=index):
            return r.catalogs[index].published_share

    by_code = sorted(rows, key=lambda r: r.code)
    present = [r for r in by_code if key(r) is not None]
    absent = [r for r in by_code if key(r) is None]
    present.sort(key=key, reverse=descending)
    return present + absent, key_name, descending
