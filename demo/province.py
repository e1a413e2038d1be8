"""`seed_demo --scale province`: every official county and township of Henan.

What it creates, deterministically (a fixed seed per region code) and relative to
the day it runs (the four quarters before the current one, plus the current
quarter up to today):

* a catalog of every domain for every official county that has none, in every
  state of the life cycle — published (some with a new draft on top), approved,
  submitted, returned, draft — and some counties with none at all; published
  ones are localized: a quarterly 临时救助 item added for townships, items left
  out with a reason, deadlines shortened;
* for every official county and township without obligations: a year of
  obligations from the catalog that applies there (events at random dates,
  quarterly items once per quarter) and the records that fulfilled them, with
  realistic lateness: each region has its own diligence, most publish on time,
  some late, a few never (still overdue, or a periodic period missed).

Everything goes in with `bulk_create` in a few dozen statements per table, so the
whole province (157 counties, 2,467 townships, ~90,000 obligations and records)
loads in well under two minutes on SQLite. Regions that already have catalogs or
obligations are left alone, so running it twice adds nothing, and the smaller
demo modules (Luoyang's counties, 洛龙区's records) keep their own data. At any
other scale this module does nothing.
"""

from __future__ import annotations

import random
import time as clock
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalogs import rules
from catalogs.deadlines import DeadlineRule, compute_due, parse_rule, publicity_end
from catalogs.models import (
    Catalog,
    CatalogItem,
    Category,
    Domain,
    ItemBasis,
    LegalDocument,
    Region,
)
from catalogs.selectors import work_calendar
from disclosures.models import DisclosureRecord, Obligation
from disclosures.progress.quarters import period_of
from disclosures.public import gate

SHANGHAI = ZoneInfo("Asia/Shanghai")
SEED = "henan-progress-demo"
BATCH = 2000

# Obligations per region per year, besides the quarterly ones.
COUNTY_EVENTS = 48
TOWNSHIP_EVENTS = 30

# Catalog life-cycle states of the counties, with their weights.
CATALOG_STATES = [
    ("published", 70),
    ("published_with_draft", 6),
    ("approved", 3),
    ("submitted", 7),
    ("returned", 3),
    ("draft", 6),
    ("none", 5),
]

QUARTERLY_ITEM = {
    "name": "临时救助对象公示（按季度）",
    "category": "临时救助",
    "content": ["临时救助对象所在村（社区）", "救助事由", "救助金额"],
    "time_limit_text": "每季度末",
    "subjects": ["乡镇人民政府（街道办事处）"],
    "channels": ["政府网站", "社区/企事业单位/村公示栏（电子屏）"],
    "audience": ["全社会"],
    "mode": ["主动"],
    "levels": ["乡级"],
}
OMIT_REASONS = ["本地未开展该业务", "该项业务由市级民政部门统一公开"]


@dataclass
class _Plan:
    """What a county's catalogs look like."""

    state: str
    diligence: float


def seed(*, scale: str = "demo", stdout=None) -> dict | None:
    """Province-scale data at `scale="province"`; nothing at any other scale."""
    if scale != "province":
        return None
    return build(root_code="41", stdout=stdout)


@contextmanager
def _historical_timestamps() -> Iterator[None]:
    """Let bulk_create keep the creation times given (they lie in the past).

    `auto_now`/`auto_now_add` would stamp every row with the moment of seeding;
    the flags are switched off for the duration of the seed and restored after.
    """
    fields = [
        Catalog._meta.get_field("created_at"),
        Obligation._meta.get_field("created_at"),
        DisclosureRecord._meta.get_field("created_at"),
        DisclosureRecord._meta.get_field("updated_at"),
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def _at(day: date, rng: random.Random) -> datetime:
    """A working-hours moment of `day` in Shanghai time."""
    minutes = rng.randint(8 * 60 + 30, 17 * 60 + 30)
    return datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=SHANGHAI)


def _rng(*parts: object) -> random.Random:
    return random.Random(":".join([SEED, *map(str, parts)]))


def build(*, root_code: str = "41", today: date | None = None, stdout=None) -> dict:
    """Seed catalogs, obligations and records for the official counties and
    townships under `root_code` (the whole province by default). Idempotent."""
    started = clock.monotonic()
    today = today or timezone.localdate()
    with transaction.atomic(), _historical_timestamps():
        catalogs = _seed_catalogs(root_code, today)
        obligations, records = _seed_obligations(root_code, today)
    summary = {
        "catalogs": catalogs,
        "obligations": obligations,
        "records": records,
        "seconds": round(clock.monotonic() - started, 1),
    }
    if stdout is not None:
        stdout.write(
            _(
                "全省规模演示数据：新建标准目录 %(catalogs)s 个、公开义务 %(obligations)s 条、"
                "公开信息 %(records)s 条，用时 %(seconds)s 秒。"
            )
            % summary
        )
    return summary


# --- catalogs ---------------------------------------------------------------------------


def _county_plan(code: str) -> _Plan:
    rng = _rng("county", code)
    states, weights = zip(*CATALOG_STATES, strict=True)
    state = rng.choices(states, weights=weights)[0]
    # Some cities are diligent throughout, others lag; counties vary around their city.
    city = _rng("city", code[:4]).choice(
        [0.99, 0.985, 0.975, 0.96, 0.94, 0.91, 0.87, 0.8]
    )
    diligence = min(0.998, city + rng.uniform(-0.07, 0.015))
    if state in ("draft", "none", "returned"):
        diligence -= 0.08
    return _Plan(state=state, diligence=diligence)


def _source_catalogs(root_code: str) -> dict[tuple[str, int], Catalog]:
    """Current published catalogs of the province and the cities, by (code, domain)."""
    province_and_cities = [
        c
        for c in Catalog.objects.current_published().select_related("region")
        if len(c.region_id) <= 4
        and (root_code.startswith(c.region_id) or c.region_id.startswith(root_code))
    ]
    return {(c.region_id, c.domain_id): c for c in province_and_cities}


def _nearest(sources: dict, code: str, domain_id: int) -> Catalog | None:
    for length in (4, 2):
        found = sources.get((code[:length], domain_id))
        if found is not None:
            return found
    return None


def _source_items(
    sources: dict,
) -> tuple[dict[int, list[CatalogItem]], dict[int, list[tuple[int, int]]]]:
    """The source catalogs' items (by catalog) and their legal bases (by item)."""
    source_items: dict[int, list[CatalogItem]] = defaultdict(list)
    for item in CatalogItem.objects.filter(
        catalog_id__in=[c.pk for c in sources.values()], omitted=False
    ).order_by("category__order", "seq", "pk"):
        source_items[item.catalog_id].append(item)
    links: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for item_id, document_id, order in ItemBasis.objects.filter(
        item__catalog_id__in=[c.pk for c in sources.values()]
    ).values_list("item_id", "document_id", "order"):
        links[item_id].append((document_id, order))
    return source_items, links


def _county_catalog(
    county: Region,
    domain: Domain,
    plan: _Plan,
    source: Catalog,
    quarter_start: date,
    rng: random.Random,
) -> Catalog:
    """Version 1 of a county's catalog in the state of its plan, with plausible review dates."""
    created = _at(quarter_start - timedelta(days=rng.randint(400, 1500)), rng)
    status = {"published_with_draft": "published"}.get(plan.state, plan.state)
    catalog = Catalog(
        region=county,
        domain=domain,
        version=1,
        status=status,
        title=rules.localized_title(region=county, domain=domain),
        upstream=source,
        source_note=_("演示数据（全省规模）"),
        created_at=created,
    )
    if status in ("submitted", "approved", "returned", "published"):
        catalog.submitted_at = created + timedelta(days=rng.randint(20, 90))
    if status in ("approved", "returned", "published"):
        catalog.reviewed_at = catalog.submitted_at + timedelta(days=rng.randint(3, 20))
        if status == "returned":
            catalog.review_comment = _("请补充公开依据的文号，并核对办理时限。")
    if status == "published":
        catalog.published_at = catalog.reviewed_at + timedelta(days=rng.randint(1, 10))
    return catalog


def _county_draft(catalog: Catalog, today: date, rng: random.Random) -> Catalog:
    """A version 2 draft started on top of a published catalog."""
    return Catalog(
        region=catalog.region,
        domain=catalog.domain,
        version=2,
        status="draft",
        title=catalog.title,
        upstream=catalog.upstream,
        source_note=catalog.source_note,
        created_at=_at(today - timedelta(days=rng.randint(5, 60)), rng),
    )


def _plan_catalogs(
    root_code: str, today: date, sources: dict, source_items: dict
) -> list[tuple[Catalog, list[dict]]]:
    """The missing catalogs of the counties under `root_code`, each with its item specs."""
    domains = list(Domain.objects.order_by("order", "pk"))
    counties = list(
        Region.objects.filter(
            code__startswith=root_code, level=Region.Level.COUNTY, official=True
        ).order_by("code")
    )
    existing = set(
        Catalog.objects.filter(region__code__startswith=root_code).values_list(
            "region_id", "domain_id"
        )
    )
    quarter_start = period_of(today).start
    planned: list[tuple[Catalog, list[dict]]] = []
    for county in counties:
        plan = _county_plan(county.code)
        for domain in domains:
            if (county.code, domain.pk) in existing or plan.state == "none":
                continue
            source = _nearest(sources, county.code, domain.pk)
            if source is None:
                continue
            rng = _rng("catalog", county.code, domain.slug)
            catalog = _county_catalog(county, domain, plan, source, quarter_start, rng)
            specs = _localized_items(
                source_items[source.pk],
                domain,
                rng,
                localize=catalog.status != "draft" or rng.random() < 0.5,
            )
            planned.append((catalog, specs))
            if plan.state == "published_with_draft":
                planned.append((_county_draft(catalog, today, rng), specs))
    return planned


def _link_drafts(new_catalogs: list[Catalog]) -> None:
    """A new version points at the version before it."""
    previous_by_key = {
        (c.region_id, c.domain_id): c for c in new_catalogs if c.version == 1
    }
    drafts = [c for c in new_catalogs if c.version == 2]
    for c in drafts:
        c.previous = previous_by_key[(c.region_id, c.domain_id)]
    if drafts:
        Catalog.objects.bulk_update(drafts, ["previous"], batch_size=BATCH)


def _create_items(planned: list[tuple[Catalog, list[dict]]], links: dict) -> None:
    """The items of the new catalogs and their legal bases (the source item's, or the
    社会救助暂行办法 for a local item)."""
    categories = {(c.domain_id, c.name): c for c in Category.objects.all()}
    basis = (
        LegalDocument.objects.filter(title__contains="社会救助暂行办法")
        .order_by("pk")
        .first()
    )
    items: list[CatalogItem] = []
    item_links: list[list[tuple[int, int]]] = []
    for catalog, specs in planned:
        for spec in specs:
            item = CatalogItem(catalog=catalog, **spec["fields"])
            if spec["category"]:
                item.category = categories[(catalog.domain_id, spec["category"])]
            items.append(item)
            item_links.append(
                links.get(spec["upstream_id"], [])
                if spec["upstream_id"]
                else ([(basis.pk, 0)] if basis else [])
            )
    CatalogItem.objects.bulk_create(items, batch_size=BATCH)
    ItemBasis.objects.bulk_create(
        [
            ItemBasis(item=item, document_id=document_id, order=order)
            for item, pairs in zip(items, item_links, strict=True)
            for document_id, order in pairs
        ],
        batch_size=BATCH,
    )


def _seed_catalogs(root_code: str, today: date) -> int:
    sources = _source_catalogs(root_code)
    source_items, links = _source_items(sources)
    planned = _plan_catalogs(root_code, today, sources, source_items)
    if not planned:
        return 0
    new_catalogs = [catalog for catalog, _specs in planned]
    Catalog.objects.bulk_create(new_catalogs, batch_size=BATCH)
    _link_drafts(new_catalogs)
    _create_items(planned, links)
    return len(new_catalogs)


_COPIED = ("key", *CatalogItem.ELEMENT_FIELDS)


def _localized_items(
    source: list[CatalogItem], domain: Domain, rng: random.Random, *, localize: bool
) -> list[dict]:
    """Item field values of a county's clone, with some local changes."""
    specs = []
    for item in source:
        fields = {name: getattr(item, name) for name in _COPIED}
        fields["upstream_item_id"] = item.pk
        specs.append({"fields": fields, "category": None, "upstream_id": item.pk})
    if not localize:
        return specs
    # Left out with a reason (SPEC §3: recorded, shown as omitted, never deleted).
    if rng.random() < 0.3 and len(specs) > 4:
        for spec in rng.sample(specs, rng.randint(1, 2)):
            spec["fields"]["omitted"] = True
            spec["fields"]["omitted_reason"] = rng.choice(OMIT_REASONS)
    # Shortened deadlines: 10 working days become 7 or 5.
    if rng.random() < 0.3:
        candidates = [
            s
            for s in specs
            if s["fields"]["deadline_kind"] == "working_days"
            and (s["fields"]["deadline_amount"] or 0) >= 10
            and not s["fields"].get("omitted")
        ]
        for spec in rng.sample(candidates, min(len(candidates), rng.randint(1, 3))):
            amount = rng.choice([7, 5])
            old = spec["fields"]["deadline_amount"]
            spec["fields"]["deadline_amount"] = amount
            spec["fields"]["time_limit_text"] = spec["fields"][
                "time_limit_text"
            ].replace(f"{old}个工作日", f"{amount}个工作日", 1)
    # Added: townships post 临时救助 results every quarter (seed 003).
    if domain.slug == "social-assistance" and rng.random() < 0.7:
        rule = parse_rule(QUARTERLY_ITEM["time_limit_text"])
        seq = max((s["fields"]["seq"] for s in specs), default=0) + 1
        fields = {k: v for k, v in QUARTERLY_ITEM.items() if k not in ("category",)}
        fields.update(
            seq=seq,
            deadline_kind=rule.kind.value,
            deadline_period=rule.period.value if rule.period else "",
            upstream_item_id=None,
            source_note=_("本地新增：乡镇（街道）按季度公示临时救助对象。"),
        )
        specs.append(
            {
                "fields": fields,
                "category": QUARTERLY_ITEM["category"],
                "upstream_id": None,
            }
        )
    return specs


# --- obligations and records ----------------------------------------------------------------


def _rule_of(item: CatalogItem) -> DeadlineRule | None:
    if item.deadline_kind not in ("working_days", "calendar_days", "periodic"):
        return None
    try:
        return DeadlineRule(
            kind=item.deadline_kind,
            trigger=item.deadline_trigger,
            amount=item.deadline_amount,
            period=item.deadline_period or None,
            publicity_amount=item.publicity_amount,
            publicity_unit=item.publicity_unit or None,
            text=item.time_limit_text,
        )
    except ValueError:
        return None


def _applicable_items(root_code: str) -> tuple[dict, dict]:
    """Published catalogs that apply in the subtree and their active items.

    Returns ({(region code, domain id): catalog id}, {catalog id: [items]}).
    """
    catalogs = [
        c
        for c in Catalog.objects.current_published()
        if c.region_id.startswith(root_code) or root_code.startswith(c.region_id)
    ]
    by_region = {(c.region_id, c.domain_id): c.pk for c in catalogs}
    items: dict[int, list[CatalogItem]] = defaultdict(list)
    for item in CatalogItem.objects.filter(
        catalog_id__in=[c.pk for c in catalogs], omitted=False
    ).order_by("catalog_id", "category__order", "seq", "pk"):
        items[item.catalog_id].append(item)
    return by_region, items


def _catalog_for(by_region: dict, code: str, domain_id: int) -> int | None:
    for length in (len(code), 6, 4, 2):
        if length <= len(code) and (code[:length], domain_id) in by_region:
            return by_region[(code[:length], domain_id)]
    return None


class _Window:
    """The seeding window (four quarters back to today) and the due dates in it.

    Due dates repeat a lot (same rule, same trigger day), so they are cached.
    """

    def __init__(self, today: date, cal) -> None:
        self.today = today
        self.cal = cal
        first = period_of(today).shifted(-4)
        self.start = first.start
        self.quarters = [first.shifted(i) for i in range(5)]
        self._dues: dict[tuple, object] = {}

    def due_of(self, rule: DeadlineRule, trigger: date):
        key = (rule.without_text(), trigger)
        found = self._dues.get(key)
        if found is None:
            found = self._dues[key] = compute_due(rule, trigger, self.cal)
        return found


# (the region's rng, its diligence, the item, its rule): how an obligation gets fulfilled.
_Fulfilment = tuple[random.Random, float, CatalogItem, DeadlineRule]


def _seed_obligations(root_code: str, today: date) -> tuple[int, int]:
    window = _Window(today, work_calendar())
    obligations, plans = _plan_obligations(root_code, window)
    records = _fulfil(obligations, plans, window)
    Obligation.objects.bulk_create(obligations, batch_size=BATCH)
    for record in records:
        record.obligation_id = record.obligation.pk
    DisclosureRecord.objects.bulk_create(records, batch_size=BATCH)
    return len(obligations), len(records)


def _regions_without_obligations(root_code: str) -> list[Region]:
    """The official counties and townships under `root_code` not seeded yet.

    Publishing a catalog already gives every township the current quarter's
    periodic obligations (the 临时救助 quarterly posting), so those do not make
    a region "seeded"; an event obligation does.
    """
    busy = set(
        Obligation.objects.filter(
            region__code__startswith=root_code, period_start__isnull=True
        )
        .values_list("region_id", flat=True)
        .distinct()
    )
    regions = Region.objects.filter(
        code__startswith=root_code,
        level__in=[Region.Level.COUNTY, Region.Level.TOWNSHIP],
        official=True,
    ).order_by("code")
    return [region for region in regions if region.code not in busy]


def _plan_obligations(
    root_code: str, window: _Window
) -> tuple[list[Obligation], list[_Fulfilment]]:
    """A year of obligations for every region without any, with how each gets fulfilled."""
    domains = list(Domain.objects.order_by("order", "pk"))
    by_region, items_by_catalog = _applicable_items(root_code)
    domain_of = dict(Category.objects.values_list("pk", "domain_id"))
    owed = set(
        Obligation.objects.filter(
            region__code__startswith=root_code, period_start__isnull=False
        ).values_list("region_id", "item_key", "period_start")
    )
    obligations: list[Obligation] = []
    plans: list[_Fulfilment] = []
    for region in _regions_without_obligations(root_code):
        is_county = region.level == Region.Level.COUNTY
        diligence = _county_plan(region.code[:6]).diligence
        rng = _rng("records", region.code)
        if not is_county:
            diligence = min(0.998, max(0.35, diligence + rng.uniform(-0.06, 0.02)))
        events, periodic = _region_items(
            region,
            domains,
            by_region,
            items_by_catalog,
            "县级" if is_county else "乡级",
        )
        count = COUNTY_EVENTS if is_county else TOWNSHIP_EVENTS
        span = (window.today - window.start).days
        for _n in range(int(count * span / 365) if events else 0):
            item, rule = rng.choice(events)
            trigger = window.start + timedelta(days=rng.randrange(span))
            obligations.append(
                _event_obligation(region, item, rule, trigger, window, domain_of, rng)
            )
            plans.append((rng, diligence, item, rule))
        for item, rule in periodic:
            for quarter in window.quarters:
                if (region.code, item.key, quarter.start) in owed:
                    continue  # given when the catalog was published
                obligations.append(
                    _periodic_obligation(
                        region, item, rule, quarter, window, domain_of, rng
                    )
                )
                plans.append((rng, diligence, item, rule))
    return obligations, plans


def _region_items(
    region: Region,
    domains: list[Domain],
    by_region: dict,
    items_by_catalog: dict,
    level_word: str,
) -> tuple[
    list[tuple[CatalogItem, DeadlineRule]], list[tuple[CatalogItem, DeadlineRule]]
]:
    """The items that apply at the region's level, split into (events, periodic)."""
    events: list[tuple[CatalogItem, DeadlineRule]] = []
    periodic: list[tuple[CatalogItem, DeadlineRule]] = []
    for domain in domains:
        catalog_id = _catalog_for(by_region, region.code, domain.pk)
        for item in items_by_catalog.get(catalog_id, []):
            rule = _rule_of(item)
            if rule is None or level_word not in (item.levels or []):
                continue
            (periodic if rule.kind.value == "periodic" else events).append((item, rule))
    return events, periodic


def _event_obligation(
    region: Region,
    item: CatalogItem,
    rule: DeadlineRule,
    trigger: date,
    window: _Window,
    domain_of: dict,
    rng: random.Random,
) -> Obligation:
    """An obligation triggered by an event on `trigger`."""
    due = window.due_of(rule, trigger)
    return Obligation(
        region=region,
        item=item,
        item_key=item.key,
        domain_id=domain_of[item.category_id],
        title=item.name,
        trigger_date=trigger,
        due_date=due.due,
        due_provisional=due.provisional,
        calendar_version=due.calendar_version,
        rule_text=item.time_limit_text,
        created_at=_at(trigger, rng),
    )


def _periodic_obligation(
    region: Region,
    item: CatalogItem,
    rule: DeadlineRule,
    quarter,
    window: _Window,
    domain_of: dict,
    rng: random.Random,
) -> Obligation:
    """The obligation of a quarterly item for `quarter`."""
    due = window.due_of(rule, quarter.end)
    return Obligation(
        region=region,
        item=item,
        item_key=item.key,
        domain_id=domain_of[item.category_id],
        title=_("%(period)s%(name)s") % {"period": quarter.label, "name": item.name},
        trigger_date=quarter.end,
        period_start=quarter.start,
        period_end=quarter.end,
        due_date=due.due,
        due_provisional=due.provisional,
        calendar_version=due.calendar_version,
        rule_text=item.time_limit_text,
        created_at=_at(quarter.start, rng),
    )


def _fulfil(
    obligations: list[Obligation], plans: list[_Fulfilment], window: _Window
) -> list[DisclosureRecord]:
    """The records that fulfilled the obligations (marking each obligation on time or late)."""
    today, cal = window.today, window.cal
    records: list[DisclosureRecord] = []
    for obligation, (rng, diligence, item, rule) in zip(
        obligations, plans, strict=True
    ):
        published_on = _publication_day(obligation, rng, diligence, today)
        if published_on is None:
            if obligation.due_date >= today and rng.random() < 0.2:
                records.append(
                    _record(obligation, item, rule, None, rng, cal, status="draft")
                )
            continue
        if rng.random() < 0.02:
            # Published too early by mistake and withdrawn; the later record counts.
            early = published_on - timedelta(days=1)
            records.append(
                _record(obligation, item, rule, early, rng, cal, status="withdrawn")
            )
        records.append(
            _record(obligation, item, rule, published_on, rng, cal, status="published")
        )
        obligation.fulfilled_at = records[-1].publish_at
        obligation.status = (
            Obligation.Status.ON_TIME
            if published_on <= obligation.due_date
            else Obligation.Status.LATE
        )
    return records


def _publication_day(
    obligation: Obligation, rng: random.Random, diligence: float, today: date
) -> date | None:
    """When the region published (None: not yet, or never)."""
    due = obligation.due_date
    start = (
        (obligation.period_end - timedelta(days=6))
        if obligation.period_end
        else obligation.trigger_date + timedelta(days=1)
    )
    start = min(start, due)
    # Periodic results are rarely forgotten outright, except where work lags.
    never = (
        max(0.0, 0.93 - diligence) * 0.6
        if obligation.period_start
        else (1 - diligence) * 0.3
    )
    draw = rng.random()
    if draw < never:
        return None
    if draw < never + diligence:
        day = start + timedelta(days=rng.randint(0, max((due - start).days, 0)))
    else:
        day = due + timedelta(days=rng.choice([1, 1, 2, 3, 3, 5, 7, 10, 15, 25]))
    return day if day < today else None


def _record(
    obligation: Obligation,
    item: CatalogItem,
    rule: DeadlineRule,
    published_on: date | None,
    rng: random.Random,
    cal,
    *,
    status: str,
) -> DisclosureRecord:
    region = obligation.region
    if obligation.period_start:
        title = _("%(region)s%(period)s临时救助对象公示") % {
            "region": region.name,
            "period": period_of(obligation.period_start).label,
        }
    else:
        title = _("%(region)s%(item)s（%(date)s）") % {
            "region": region.name,
            "item": item.name,
            "date": f"{obligation.trigger_date:%Y年%m月%d日}",
        }
    publish_at = _at(published_on, rng) if published_on else None
    created = publish_at or _at(obligation.trigger_date, rng)
    record = DisclosureRecord(
        region=region,
        item=item,
        item_key=item.key,
        domain_id=obligation.domain_id,
        obligation=obligation,
        title=title[:200],
        body=_(
            "根据%(region)s%(item)s公开要求，现将有关信息予以公开。演示数据，不涉及真实个人信息。"
        )
        % {"region": region.name, "item": item.name},
        trigger_date=obligation.trigger_date,
        due_date=obligation.due_date,
        due_provisional=obligation.due_provisional,
        calendar_version=obligation.calendar_version,
        rule_text=obligation.rule_text,
        status=status,
        publish_at=publish_at,
        created_at=created,
        updated_at=created,
    )
    if published_on and rule.has_publicity:
        record.publicity_end = publicity_end(
            cal,
            published_on,
            rule.publicity_amount or 0,
            unit=rule.publicity_unit or "working_day",
        )[0]
    if publish_at and not gate.record_privacy_problems(record, attachments=[]):
        # Bulk-created for speed, but cleared by the same scan as every record.
        record.privacy_checked_at = publish_at
    if status == "withdrawn":
        record.withdrawn_reason = _("信息有误，已更正后重新发布。")
        record.withdrawn_at = publish_at + timedelta(hours=2) if publish_at else None
    return record
