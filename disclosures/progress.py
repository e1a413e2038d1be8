"""Progress review (SPEC §8): how far each region below a reviewer has come in a period.

Every figure is computed in the database with GROUP BY on a code prefix
(`Substr(region_id, 1, n)`): region codes are hierarchical prefixes, so the
subtree of a child region is "codes starting with the child's code" and one
aggregate query yields the figures of all children at once. The number of
queries depends on nothing but the number of levels exported, never on the
number of regions, records or obligations.

Metrics are read from the model fields the record services maintain:

* records due in a period: obligations whose `due_date` falls in the period;
* published on time / late: obligation status `on_time` / `late` (fulfilled by
  the earliest non-withdrawn public record);
* still overdue: status `open` and `due_date` before today;
* periodic obligations missed: overdue obligations of a periodic item (they carry
  `period_start`);
* on-time rate: on time ÷ (on time + late + still overdue); obligations not yet
  due are left out, so a quarter in progress is not punished for the future.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    Max,
    OuterRef,
    Q,
    Value,
    When,
)
from django.db.models.functions import Length, Substr
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalogs.models import Catalog, CatalogItem, Domain, Region
from catalogs.permissions import in_scope
from catalogs.scope import scope_code
from catalogs.selectors import region_get_with_ancestors

from .models import Obligation, ProgressThreshold
from .quarters import Period

# Catalog states shown per domain, in the order of progress.
NONE = "none"
DRAFT = "draft"
SUBMITTED = "submitted"
PUBLISHED = "published"
CATALOG_STATES = (NONE, DRAFT, SUBMITTED, PUBLISHED)
CATALOG_STATE_LABELS = {
    NONE: gettext_lazy("未建立"),
    DRAFT: gettext_lazy("编制中"),
    SUBMITTED: gettext_lazy("审核中"),
    PUBLISHED: gettext_lazy("已发布"),
}
LEVEL_LENGTHS = [
    Region.CODE_LENGTHS[Region.Level.PROVINCE],
    Region.CODE_LENGTHS[Region.Level.CITY],
    Region.CODE_LENGTHS[Region.Level.COUNTY],
    Region.CODE_LENGTHS[Region.Level.TOWNSHIP],
]
COUNTY_LENGTH = Region.CODE_LENGTHS[Region.Level.COUNTY]
TOWNSHIP_LENGTH = Region.CODE_LENGTHS[Region.Level.TOWNSHIP]
LEVEL_BY_LENGTH = {length: level for level, length in Region.CODE_LENGTHS.items()}
UNIT_NAMES = {
    Region.CODE_LENGTHS[Region.Level.CITY]: gettext_lazy("省辖市"),
    COUNTY_LENGTH: gettext_lazy("县（市、区）"),
    TOWNSHIP_LENGTH: gettext_lazy("乡镇（街道）"),
}
HUNDRED = Decimal(100)
PROVINCE_CODE = "41"


# --- access --------------------------------------------------------------------------


def can_view_progress(user) -> bool:
    """Province admins, city reviewers and county clerks (and superusers).

    A township has no region below it to review, so its clerks have no
    progress pages; everybody else sees exactly its own subtree.
    """
    code = scope_code(user)
    if code is None:
        return False
    return len(code) < TOWNSHIP_LENGTH


def progress_home_code(user) -> str:
    """The region a user's progress pages start at (the province for superusers)."""
    return scope_code(user) or PROVINCE_CODE


def progress_access_region(
    user, code: str | None = None
) -> tuple[Region, list[Region]]:
    """The region to review and its ancestors; 404 outside the user's subtree.

    Raises `PermissionDenied` for users without progress pages at all (township
    clerks, accounts without a region) and `Http404` for a region that does not
    exist, lies outside the user's subtree or is below township level.
    """
    if not can_view_progress(user):
        raise PermissionDenied(
            _("进展统计面向省、市、县三级工作人员；您的账号没有可查看的下级单位。")
        )
    code = code or progress_home_code(user)
    if not in_scope(user, code) or len(code) not in LEVEL_LENGTHS:
        raise Http404
    try:
        return region_get_with_ancestors(code)
    except Region.DoesNotExist:
        raise Http404 from None


# --- figures --------------------------------------------------------------------------


@dataclass
class Metrics:
    """Obligation counts of one region subtree in one period."""

    due: int = 0
    on_time: int = 0
    late: int = 0
    overdue: int = 0
    missed: int = 0

    @property
    def assessed(self) -> int:
        """Obligations that are fulfilled or past due (the rate's denominator)."""
        return self.on_time + self.late + self.overdue

    @property
    def pending(self) -> int:
        """Open obligations not yet due."""
        return self.due - self.assessed

    @property
    def rate_exact(self) -> Decimal | None:
        if not self.assessed:
            return None
        return Decimal(self.on_time) * HUNDRED / Decimal(self.assessed)

    @property
    def rate(self) -> Decimal | None:
        """On-time rate in percent, one decimal; None when nothing was due yet."""
        exact = self.rate_exact
        return None if exact is None else exact.quantize(Decimal("0.1"))

    def __add__(self, other: Metrics) -> Metrics:
        return Metrics(
            due=self.due + other.due,
            on_time=self.on_time + other.on_time,
            late=self.late + other.late,
            overdue=self.overdue + other.overdue,
            missed=self.missed + other.missed,
        )


@dataclass
class Localization:
    """How far the current catalogs of a subtree depart from their upstream."""

    added: int = 0
    omitted: int = 0
    shortened: int = 0

    def __add__(self, other: Localization) -> Localization:
        return Localization(
            added=self.added + other.added,
            omitted=self.omitted + other.omitted,
            shortened=self.shortened + other.shortened,
        )


@dataclass
class CatalogCell:
    """One domain's catalog status for a row.

    `state`/`at`: the row region's own catalog (none / draft / submitted /
    published and since when). `counts`: states of the catalog-keeping units
    below (counties; townships when the row is a township), `units` their number.
    """

    domain: Domain
    state: str = NONE
    at: datetime | None = None
    counts: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(CATALOG_STATES, 0)
    )
    units: int = 0
    summarised: bool = False

    @property
    def state_label(self) -> str:
        return str(CATALOG_STATE_LABELS[self.state])

    @property
    def published_share(self) -> float:
        if self.summarised:
            return self.counts[PUBLISHED] / self.units if self.units else -1.0
        return float(CATALOG_STATES.index(self.state))

    def counts_display(self) -> list[tuple[str, str, int]]:
        """(state, label, count), published first."""
        return [
            (s, str(CATALOG_STATE_LABELS[s]), self.counts[s])
            for s in reversed(CATALOG_STATES)
        ]

    def others(self) -> list[tuple[str, str, int]]:
        """The states other than published that occur, for a compact summary."""
        return [c for c in self.counts_display() if c[0] != PUBLISHED and c[2]]


@dataclass
class ProgressRow:
    """One region of the table (a child region, or the viewed region's own work: 本级)."""

    code: str
    name: str
    level: str
    metrics: Metrics
    localization: Localization
    catalogs: list[CatalogCell]
    parent_code: str = ""
    parent_name: str = ""
    is_self: bool = False
    drillable: bool = False
    rank: int | None = None
    commended: bool = False
    criticized: bool = False
    reasons: list[str] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        if self.criticized:
            return _("落后")
        if self.commended:
            return _("先进")
        return ""

    @property
    def display_name(self) -> str:
        return (
            _("%(name)s（本级）") % {"name": self.name} if self.is_self else self.name
        )


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


def progress_thresholds_validate(
    *, commend_on_time_rate: Decimal, criticize_on_time_rate: Decimal, **_ignored
) -> None:
    """Rates are percentages: raise ValidationError (keyed by field) outside 0–100."""
    errors = {
        name: [_("按时公开率是百分比，请填写0到100之间的数。")]
        for name, value in (
            ("commend_on_time_rate", commend_on_time_rate),
            ("criticize_on_time_rate", criticize_on_time_rate),
        )
        if value is not None and not 0 <= Decimal(value) <= 100
    }
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def progress_thresholds_set(
    *,
    commend_on_time_rate: Decimal,
    criticize_on_time_rate: Decimal,
    criticize_missed: int,
    actor,
) -> ProgressThreshold:
    """Change the one province-wide set of 先进/落后 thresholds (the admin calls this).

    Rates are percentages (0–100). Writes ``disclosures.progress_threshold.changed``
    with the values before and after.
    """
    from catalogs.services import audit

    values = {
        "commend_on_time_rate": Decimal(commend_on_time_rate),
        "criticize_on_time_rate": Decimal(criticize_on_time_rate),
        "criticize_missed": criticize_missed,
    }
    progress_thresholds_validate(**values)
    setting = ProgressThreshold.objects.select_for_update().order_by("pk").first()
    before = None
    if setting is None:
        setting = ProgressThreshold()
    else:
        before = {k: str(getattr(setting, k)) for k in values}
    for name, value in values.items():
        setattr(setting, name, value)
    setting.full_clean()
    setting.save()
    audit(
        "disclosures.progress_threshold.changed",
        actor=actor,
        obj=setting,
        before=before,
        after={k: str(v) for k, v in values.items()},
    )
    return setting


def child_length(code: str) -> int | None:
    """Code length of the level below `code`, or None below township level."""
    return next((n for n in LEVEL_LENGTHS if n > len(code)), None)


def _metric_aggregates(today: date) -> dict:
    overdue = Q(status=Obligation.Status.OPEN, due_date__lt=today)
    return {
        "due": Count("pk"),
        "on_time": Count("pk", filter=Q(status=Obligation.Status.ON_TIME)),
        "late": Count("pk", filter=Q(status=Obligation.Status.LATE)),
        "overdue": Count("pk", filter=overdue),
        "missed": Count("pk", filter=overdue & Q(period_start__isnull=False)),
    }


def _metrics(values: dict) -> Metrics:
    return Metrics(
        due=values["due"],
        on_time=values["on_time"],
        late=values["late"],
        overdue=values["overdue"],
        missed=values["missed"],
    )


def obligation_metrics(
    root_code: str, length: int, *, start: date, end: date, today: date
) -> dict[str, Metrics]:
    """Metrics per code prefix of `length` within `root_code`'s subtree (one query).

    Obligations of regions above `length` (the root's own, or a city's own when
    grouping by county) come back under their own, shorter code.
    """
    rows = (
        Obligation.objects.filter(
            region__code__startswith=root_code, due_date__range=(start, end)
        )
        .annotate(unit=Substr("region_id", 1, length))
        .values("unit")
        .annotate(**_metric_aggregates(today))
        .order_by()
    )
    return {row["unit"]: _metrics(row) for row in rows}


def localization_depth(root_code: str, length: int) -> dict[str, Localization]:
    """Items added, omitted and deadlines shortened per code prefix (one query).

    Counted over the current version (the newest, whatever its state) of every
    catalog in the subtree that has an upstream. Added: items without an upstream
    item; omitted: items marked 本地不公开; shortened: items whose deadline has
    the same kind (unit) as the upstream item's and a smaller amount.
    """
    newer = Catalog.objects.filter(
        region_id=OuterRef("catalog__region_id"),
        domain_id=OuterRef("catalog__domain_id"),
        version__gt=OuterRef("catalog__version"),
    )
    rows = (
        CatalogItem.objects.filter(
            catalog__region__code__startswith=root_code, catalog__upstream__isnull=False
        )
        .exclude(Exists(newer))
        .annotate(unit=Substr("catalog__region_id", 1, length))
        .values("unit")
        .annotate(
            added=Count("pk", filter=Q(upstream_item__isnull=True)),
            omitted=Count("pk", filter=Q(omitted=True)),
            shortened=Count(
                "pk",
                filter=Q(
                    upstream_item__isnull=False,
                    deadline_kind=F("upstream_item__deadline_kind"),
                    deadline_amount__lt=F("upstream_item__deadline_amount"),
                ),
            ),
        )
        .order_by()
    )
    return {
        row["unit"]: Localization(row["added"], row["omitted"], row["shortened"])
        for row in rows
    }


def catalog_states(
    root_code: str, lengths: Iterable[int]
) -> dict[tuple[str, int], tuple[str, datetime | None, bool]]:
    """(region code, domain id) → (state, since when, official) for regions of `lengths`.

    One aggregate query over the catalog versions of the subtree. A region that
    has published a version counts as published (a newer draft being edited does
    not undo that); otherwise submitted/approved versions count as under review
    and draft/returned versions as being drafted.
    """
    rows = (
        Catalog.objects.filter(region__code__startswith=root_code)
        .annotate(code_length=Length("region_id"))
        .filter(code_length__in=sorted(set(lengths)))
        .values("region_id", "domain_id", "region__official")
        .annotate(
            n_published=Count("pk", filter=Q(status=Catalog.Status.PUBLISHED)),
            published=Max("published_at", filter=Q(status=Catalog.Status.PUBLISHED)),
            n_submitted=Count(
                "pk",
                filter=Q(
                    status__in=[Catalog.Status.SUBMITTED, Catalog.Status.APPROVED]
                ),
            ),
            submitted=Max(
                "submitted_at",
                filter=Q(
                    status__in=[Catalog.Status.SUBMITTED, Catalog.Status.APPROVED]
                ),
            ),
            n_open=Count(
                "pk",
                filter=Q(status__in=[Catalog.Status.DRAFT, Catalog.Status.RETURNED]),
            ),
            opened=Max(
                "created_at",
                filter=Q(status__in=[Catalog.Status.DRAFT, Catalog.Status.RETURNED]),
            ),
        )
        .order_by()
    )
    states = {}
    for row in rows:
        if row["n_published"]:
            state, at = PUBLISHED, row["published"]
        elif row["n_submitted"]:
            state, at = SUBMITTED, row["submitted"]
        elif row["n_open"]:
            state, at = DRAFT, row["opened"]
        else:  # pragma: no cover - a catalog always has one of the statuses above
            continue
        states[(row["region_id"], row["domain_id"])] = (
            state,
            at,
            row["region__official"],
        )
    return states


def official_unit_counts(
    root_code: str, unit_length: int, length: int
) -> dict[str, int]:
    """Number of official regions of `unit_length` per code prefix of `length` (one query)."""
    rows = (
        Region.objects.filter(code__startswith=root_code, official=True)
        .annotate(code_length=Length("code"))
        .filter(code_length=unit_length)
        .annotate(unit=Substr("code", 1, length))
        .values("unit")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["unit"]: row["n"] for row in rows}


def quarter_trend(
    root_code: str, period: Period, *, today: date
) -> list[tuple[Period, Metrics]]:
    """Metrics of the subtree in the four quarters ending with `period`'s quarter (one query)."""
    quarters = period.trend_quarters(4)
    rows = (
        Obligation.objects.filter(
            region__code__startswith=root_code,
            due_date__range=(quarters[0].start, quarters[-1].end),
        )
        .annotate(
            quarter=Case(
                *[
                    When(due_date__range=(q.start, q.end), then=Value(q.slug))
                    for q in quarters
                ],
                output_field=CharField(),
            )
        )
        .values("quarter")
        .annotate(**_metric_aggregates(today))
        .order_by()
    )
    found = {row["quarter"]: _metrics(row) for row in rows}
    return [(q, found.get(q.slug, Metrics())) for q in quarters]


def domain_metrics(
    root_code: str, period: Period, *, today: date, domains: list[Domain]
) -> list[tuple[Domain, Metrics]]:
    """Metrics of the subtree per domain (one query)."""
    rows = (
        Obligation.objects.filter(
            region__code__startswith=root_code,
            due_date__range=(period.start, period.end),
        )
        .values("domain_id")
        .annotate(**_metric_aggregates(today))
        .order_by()
    )
    found = {row["domain_id"]: _metrics(row) for row in rows}
    return [(d, found.get(d.pk, Metrics())) for d in domains]


# --- rows, ranks and flags ---------------------------------------------------------------


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
