"""Ranks among siblings, 先进/落后 flags against the thresholds, and column sorting."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalogs.models import Domain

from ..models import ProgressThreshold
from .metrics import DRAFT, NONE, PUBLISHED, SUBMITTED, ProgressRow

#: The reason given for a unit that has no catalog of its own in any domain.
NO_CATALOG_REASON = gettext_lazy("未编制目录")


def has_no_catalog(row: ProgressRow) -> bool:
    """Whether neither the unit nor any catalog-keeping unit below it has begun a
    catalog in any domain (未编制目录)."""
    return bool(row.catalogs) and all(
        cell.state == NONE
        and not any(
            cell.counts.get(state, 0) for state in (DRAFT, SUBMITTED, PUBLISHED)
        )
        for cell in row.catalogs
    )


def assign_ranks_and_flags(
    rows: list[ProgressRow], thresholds: ProgressThreshold
) -> None:
    """Rank comparable sibling rows by on-time rate (ties share a rank) and set 先进/落后.

    A unit without any catalog (`has_no_catalog`) is named first among the
    criticised, for that reason alone (未编制目录), and is neither ranked nor
    commended. The others are compared only with each other: a row is ranked
    when it has something assessed and at least one comparable sibling does
    too (a rank among one is no rank). 落后: rate below
    `criticize_on_time_rate`, or at least `criticize_missed` periodic
    obligations missed (0 switches that test off). 先进: rate at least
    `commend_on_time_rate` and not 落后. Rows are grouped by `parent_code`.
    """
    groups: dict[str, list[ProgressRow]] = {}
    for row in rows:
        if not row.is_self:
            groups.setdefault(row.parent_code, []).append(row)
    for siblings in groups.values():
        comparable = [
            r
            for r in siblings
            if r.metrics.rate_exact is not None and not has_no_catalog(r)
        ]
        rates = [r.metrics.rate_exact for r in comparable]
        for row in siblings:
            exact = row.metrics.rate_exact
            row.reasons = []
            if has_no_catalog(row):
                row.rank = None
                row.reasons.append(str(NO_CATALOG_REASON))
                row.criticized, row.commended = True, False
                continue
            row.rank = (
                1 + sum(1 for other in rates if other > exact)
                if row in comparable and len(comparable) >= 2
                else None
            )
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


def criticized_in_order(rows: list[ProgressRow]) -> list[ProgressRow]:
    """The criticised rows, units without a catalog first (by code), then by rank."""
    return sorted(
        (r for r in rows if r.criticized and not r.is_self),
        key=lambda r: (not has_no_catalog(r), r.rank is None, r.rank or 0, r.code),
    )


def rate_summary(rows: list[ProgressRow]) -> str:
    """One sentence on the on-time rates of ``rows``, never comparing a unit with
    itself: the highest and lowest only when at least two units differ."""
    assessed = [r for r in rows if r.metrics.rate is not None and not has_no_catalog(r)]
    without = [r for r in rows if has_no_catalog(r)]
    parts = []
    if not assessed:
        parts.append(
            _("%(count)s个单位均暂无到期事项，无法比较按时公开率。")
            % {"count": len(rows)}
        )
    elif len(assessed) == 1:
        parts.append(
            _(
                "%(count)s个单位中只有%(name)s有到期事项，按时公开率为%(rate)s%%，没有可比较的单位。"
            )
            % {
                "count": len(rows),
                "name": assessed[0].name,
                "rate": _percent(assessed[0].metrics.rate),
            }
        )
    else:
        ordered = sorted(assessed, key=lambda r: (-r.metrics.rate_exact, r.code))
        best, worst = ordered[0], ordered[-1]
        if best.metrics.rate_exact == worst.metrics.rate_exact:
            parts.append(
                _("有到期事项的%(count)s个单位按时公开率相同，均为%(rate)s%%。")
                % {"count": len(assessed), "rate": _percent(best.metrics.rate)}
            )
        else:
            parts.append(
                _(
                    "有到期事项的%(count)s个单位中，按时公开率最高的是%(best)s（%(high)s%%），最低的是%(worst)s（%(low)s%%）。"
                )
                % {
                    "count": len(assessed),
                    "best": best.name,
                    "high": _percent(best.metrics.rate),
                    "worst": worst.name,
                    "low": _percent(worst.metrics.rate),
                }
            )
    if without:
        parts.append(
            _("未编制目录的单位%(count)s个：%(names)s。")
            % {"count": len(without), "names": "、".join(r.name for r in without)}
        )
    return "".join(parts)


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
