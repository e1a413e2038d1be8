"""Progress review reads: the page's report of one region and the export's levels.

Built from the one-query aggregates in `metrics`; ranks and flags from `ranking`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from catalogs.models import Domain, Region

from ..models import ProgressThreshold
from .metrics import (
    CATALOG_STATES,
    COUNTY_LENGTH,
    DRAFT,
    LEVEL_BY_LENGTH,
    LEVEL_LENGTHS,
    NONE,
    PUBLISHED,
    SUBMITTED,
    TOWNSHIP_LENGTH,
    UNIT_NAMES,
    CatalogCell,
    Localization,
    Metrics,
    ProgressRow,
    catalog_states,
    child_length,
    domain_metrics,
    localization_depth,
    obligation_metrics,
    official_unit_counts,
    quarter_trend,
)
from .quarters import Period
from .ranking import assign_ranks_and_flags, sort_rows


@dataclass
class ProgressReport:
    """Everything the progress page, the charts and the exports show."""

    region: Region
    ancestors: list[Region]
    period: Period
    today: date
    domains: list[Domain]
    thresholds: ProgressThreshold
    rows: list[ProgressRow]
    own: ProgressRow | None
    total: Metrics
    localization: Localization
    catalog_totals: list[CatalogCell]
    trend: list[tuple[Period, Metrics]]
    by_domain: list[tuple[Domain, Metrics]]
    child_length: int | None
    sort: str = "code"
    descending: bool = False

    @property
    def unit_name(self) -> str:
        return str(UNIT_NAMES.get(self.child_length or 0, ""))

    @property
    def commended(self) -> list[ProgressRow]:
        return [r for r in self.ranked_rows if r.commended]

    @property
    def criticized(self) -> list[ProgressRow]:
        return [r for r in self.ranked_rows if r.criticized]

    @property
    def ranked_rows(self) -> list[ProgressRow]:
        """Child rows by rank (unranked last), then code."""
        return sorted(self.rows, key=lambda r: (r.rank is None, r.rank or 0, r.code))


@dataclass
class ProgressLevel:
    """One level of an export (a sheet): every region of that level in the subtree."""

    length: int
    name: str
    rows: list[ProgressRow]
    total: Metrics
    localization: Localization


def progress_thresholds() -> ProgressThreshold:
    """The province's thresholds (a singleton); the model defaults until one is saved."""
    return ProgressThreshold.objects.order_by("pk").first() or ProgressThreshold()


def _catalog_cells(
    *,
    code: str,
    length: int,
    domains: list[Domain],
    states: dict,
    unit_length: int,
    units: dict[str, int],
) -> list[CatalogCell]:
    """Per domain: the region's own state and the state counts of its units."""
    cells = []
    own_only = len(code) != length  # 本级 rows: only their own catalogs
    for domain in domains:
        state, at, _official = states.get((code, domain.pk), (NONE, None, True))
        cells.append(
            CatalogCell(
                domain=domain,
                state=state,
                at=at,
                summarised=not own_only and unit_length > len(code),
            )
        )
    if own_only:
        return cells
    total_units = units.get(code, 0)
    for cell in cells:
        cell.units = total_units
    if unit_length == len(code):
        for cell in cells:
            cell.counts[cell.state] += 1
            cell.units = max(cell.units, 1)
        return cells
    by_domain = {cell.domain.pk: cell for cell in cells}
    for (region_code, domain_id), (state, _at, official) in states.items():
        if (
            official
            and len(region_code) == unit_length
            and region_code.startswith(code)
        ):
            cell = by_domain.get(domain_id)
            if cell is not None:
                cell.counts[state] += 1
    for cell in cells:
        known = sum(cell.counts[s] for s in (DRAFT, SUBMITTED, PUBLISHED))
        cell.counts[NONE] = max(cell.units - known, 0)
    return cells


def _build_rows(
    *,
    root_code: str,
    length: int,
    names: dict[str, Region],
    period: Period,
    today: date,
    domains: list[Domain],
    include: Iterable[str] = (),
) -> list[ProgressRow]:
    """Rows of every region of `length` in the subtree, plus 本级 rows for shorter codes.

    Regions in `include` always get a row; others (unofficial units) only when
    they have figures. Four queries whatever the size of the subtree.
    """
    unit_length = max(length, COUNTY_LENGTH)
    metrics = obligation_metrics(
        root_code, length, start=period.start, end=period.end, today=today
    )
    depth = localization_depth(root_code, length)
    states = catalog_states(
        root_code, {length, unit_length, *range(len(root_code), length)}
    )
    units = official_unit_counts(root_code, unit_length, length)
    codes = set(include) | set(metrics) | set(depth)
    codes |= {code for (code, _d) in states if len(code) == length}
    rows = []
    for code in sorted(codes):
        region = names.get(code)
        is_self = len(code) < length
        if region is None and not is_self and code not in metrics and code not in depth:
            continue
        parent_code = code[
            : max((n for n in LEVEL_LENGTHS if n < len(code)), default=0)
        ]
        parent = names.get(parent_code)
        rows.append(
            ProgressRow(
                code=code,
                name=region.name if region else code,
                level=region.level if region else LEVEL_BY_LENGTH.get(len(code), ""),
                metrics=metrics.get(code, Metrics()),
                localization=depth.get(code, Localization()),
                catalogs=_catalog_cells(
                    code=code,
                    length=length,
                    domains=domains,
                    states=states,
                    unit_length=unit_length,
                    units=units,
                ),
                parent_code=parent_code if not is_self else code,
                parent_name=parent.name if parent else "",
                is_self=is_self,
                drillable=not is_self
                and region is not None
                and length <= TOWNSHIP_LENGTH,
            )
        )
    return rows


def _sum(rows: Iterable[ProgressRow]) -> tuple[Metrics, Localization]:
    metrics, localization = Metrics(), Localization()
    for row in rows:
        metrics = metrics + row.metrics
        localization = localization + row.localization
    return metrics, localization


def _catalog_totals(
    rows: list[ProgressRow], domains: list[Domain]
) -> list[CatalogCell]:
    totals = [CatalogCell(domain=d, summarised=True) for d in domains]
    for row in rows:
        if row.is_self:
            continue
        for total, cell in zip(totals, row.catalogs, strict=True):
            for state in CATALOG_STATES:
                total.counts[state] += cell.counts[state]
            total.units += cell.units
    return totals


def region_progress(
    *,
    region: Region,
    ancestors: list[Region],
    period: Period,
    today: date | None = None,
    sort: str = "code",
) -> ProgressReport:
    """The progress of every region directly below `region` in `period`.

    Queries: children, domains, thresholds, and one each for obligation
    metrics, localization depth, catalog states, unit counts, the four-quarter
    trend and the per-domain breakdown — nine, at any scale. A township (no
    children) gets only its own row.
    """
    today = today or timezone.localdate()
    domains = list(Domain.objects.order_by("order", "pk"))
    thresholds = progress_thresholds()
    length = child_length(region.code)
    names = {region.code: region}
    if length is not None:
        children = list(Region.objects.filter(parent_id=region.code).order_by("code"))
        names.update({c.code: c for c in children})
        include = [region.code] + [c.code for c in children if c.official]
    else:
        # A township: group by village length so only its own row is of interest.
        length = Region.CODE_LENGTHS[Region.Level.VILLAGE]
        include = [region.code]
    rows = _build_rows(
        root_code=region.code,
        length=length,
        names=names,
        period=period,
        today=today,
        domains=domains,
        include=include,
    )
    own = next(r for r in rows if r.is_self)
    children_rows = [r for r in rows if not r.is_self and r.code in names]
    rows = [own, *children_rows]
    assign_ranks_and_flags(children_rows, thresholds)
    total, localization = _sum(rows)
    children_rows, sort_key, descending = sort_rows(children_rows, sort, domains)
    return ProgressReport(
        region=region,
        ancestors=ancestors,
        period=period,
        today=today,
        domains=domains,
        thresholds=thresholds,
        rows=children_rows,
        own=own,
        total=total,
        localization=localization,
        catalog_totals=_catalog_totals(children_rows, domains),
        trend=quarter_trend(region.code, period, today=today),
        by_domain=domain_metrics(region.code, period, today=today, domains=domains),
        child_length=child_length(region.code),
        sort=sort_key,
        descending=descending,
    )


def progress_levels(
    *, region: Region, period: Period, today: date | None = None
) -> list[ProgressLevel]:
    """Every level below `region` down to townships, one `ProgressLevel` each (exports).

    Each level's rows cover the whole subtree: regions of that level plus 本级
    rows for the work of regions above it, so every level adds up to the same
    total. Ranks are among siblings (same parent). Three queries plus four per level.
    """
    today = today or timezone.localdate()
    domains = list(Domain.objects.order_by("order", "pk"))
    thresholds = progress_thresholds()
    names = {
        r.code: r
        for r in Region.objects.filter(code__startswith=region.code).order_by("code")
    }
    names[region.code] = region
    levels = []
    length = child_length(region.code)
    while length is not None:
        include = [
            code for code, r in names.items() if len(code) == length and r.official
        ]
        rows = _build_rows(
            root_code=region.code,
            length=length,
            names=names,
            period=period,
            today=today,
            domains=domains,
            include=include,
        )
        assign_ranks_and_flags([r for r in rows if not r.is_self], thresholds)
        total, localization = _sum(rows)
        levels.append(
            ProgressLevel(
                length=length,
                name=str(UNIT_NAMES[length]),
                rows=rows,
                total=total,
                localization=localization,
            )
        )
        length = child_length("0" * length)
    return levels
