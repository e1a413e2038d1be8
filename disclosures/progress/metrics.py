"""Progress review figures (SPEC §8): the value types and the one-query aggregates.

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
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalogs.models import Catalog, CatalogItem, Domain, Region

from ..models import Obligation
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
