"""Obligations (公开义务): which catalog items apply to a region, due dates, and the
obligations themselves: generated per period for periodic items, created with the
record for event items, fulfilled by the earliest public record, recomputed when
the working-day calendar changes.

Semantics other parts rely on (the progress review reads them straight from the
tables):

* An obligation is fulfilled by the earliest non-withdrawn *public* record
  attached to it (published, or scheduled with ``publish_at`` reached). It is
  ``on_time`` when the local date of that record's ``publish_at`` is on or before
  ``due_date``, else ``late``. Withdrawing the fulfilling record passes the
  obligation to the next public record, or reopens it.
* "Overdue" is ``open`` with ``due_date`` before today; an overdue obligation of
  a periodic item (it has ``period_start``) is "missed" for that period.
* Periodic items (每季度末 …) create one obligation per official region per
  period at the levels the item allows; event items create one when the clerk
  registers the event, that is when a record with its trigger date is created.
* Due dates are computed once and stored with the rule wording and calendar
  version. When the calendar changes, open obligations whose counting window
  touches the changed dates are recomputed (and logged); closed ones keep
  their dates.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from catalogs import choices
from catalogs.deadlines import (
    WORKING_DAY,
    DeadlineRule,
    DueDate,
    Period,
    RuleKind,
    WorkCalendar,
    compute_due,
    period_bounds,
)
from catalogs.deadlines import publicity_end as count_publicity_end
from catalogs.models import AuditLogEntry, Catalog, CatalogItem, Region, User
from catalogs.rules import item_rule
from catalogs.selectors import work_calendar
from catalogs.services import audit

from ..models import DisclosureRecord, Obligation
from ..querysets import public_q
from .posting import obligation_posted_on

Status = DisclosureRecord.Status


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


# --------------------------------------------------------------------------- applicable items

# Which 公开主体 / 公开层级 terms let a region of each level publish an item.
_LEVEL_TERMS = {
    Region.Level.COUNTY: (choices.Subject.COUNTY, choices.Level.COUNTY),
    Region.Level.TOWNSHIP: (choices.Subject.TOWNSHIP, choices.Level.TOWNSHIP),
}


def item_allows_region(item: CatalogItem, region: Region) -> bool:
    """Whether a region of this level may publish against the item.

    Both the item's 公开主体 (who publishes) and 公开层级 (at which level) must
    name the region's level; an element left empty does not restrict.
    """
    terms = _LEVEL_TERMS.get(region.level)
    if terms is None:
        return False
    subject, level = terms
    subject_ok = not item.subjects or subject in item.subjects
    level_ok = not item.levels or level in item.levels
    return subject_ok and level_ok


def applicable_catalogs(region: Region) -> dict[int, Catalog]:
    """The catalog that applies in `region`, per domain id (one query).

    The region's own current published catalog, else the nearest ancestor's.
    """
    chain = [*region.ancestor_codes, region.code]
    found: dict[int, Catalog] = {}
    for catalog in (
        Catalog.objects.current_published()
        .filter(region_id__in=chain)
        .select_related("domain", "region")
    ):
        current = found.get(catalog.domain_id)
        if current is None or len(catalog.region_id) > len(current.region_id):
            found[catalog.domain_id] = catalog
    return found


def applicable_items(region: Region) -> list[CatalogItem]:
    """Items `region` may publish records against (two queries).

    Active items of the applicable catalogs whose 公开主体 and 公开层级 allow the
    region's level, in catalog order (domain, category, sequence).
    """
    catalogs = applicable_catalogs(region)
    if not catalogs:
        return []
    items = (
        CatalogItem.objects.filter(catalog__in=list(catalogs.values()), omitted=False)
        .select_related("category", "catalog", "catalog__domain")
        .order_by("catalog__domain__order", "category__order", "seq", "pk")
    )
    return [item for item in items if item_allows_region(item, region)]


# --------------------------------------------------------------------------- due dates


def _due(
    item: CatalogItem, trigger: date, cal: WorkCalendar
) -> tuple[DeadlineRule, DueDate]:
    rule = item_rule(item)
    return rule, compute_due(rule, trigger, cal)


def due_preview(*, item: CatalogItem, trigger_date: date) -> DueDate:
    """The due date a record with this trigger date would get (no write)."""
    return _due(item, trigger_date, work_calendar())[1]


def period_label(start: date, period: Period | str) -> str:
    """2026年第3季度, 2026年5月, 2026年上半年, 2026年 — the period an obligation covers."""
    period = Period(period)
    if period is Period.MONTH:
        return _("%(year)s年%(month)s月") % {"year": start.year, "month": start.month}
    if period is Period.QUARTER:
        return _("%(year)s年第%(quarter)s季度") % {
            "year": start.year,
            "quarter": (start.month - 1) // 3 + 1,
        }
    if period is Period.HALF_YEAR:
        if start.month <= 6:
            return _("%(year)s年上半年") % {"year": start.year}
        return _("%(year)s年下半年") % {"year": start.year}
    return _("%(year)s年") % {"year": start.year}


def _period_title(item: CatalogItem, start: date, period: Period | str) -> str:
    return _("%(item)s（%(period)s）") % {
        "item": item.name,
        "period": period_label(start, period),
    }


def _record_publicity_end(
    rule: DeadlineRule, record: DisclosureRecord, due: DueDate | None, cal: WorkCalendar
) -> tuple[date | None, bool]:
    """End of the record's publicity period (公示期) and whether it is provisional.

    Counted from the publication day once one is set (published or scheduled);
    for a draft, from the due date, the latest allowed publication day.
    """
    if not rule.has_publicity:
        return None, False
    if record.publish_at is not None:
        start = timezone.localdate(record.publish_at)
    elif due is not None and due.due is not None:
        start = due.due
    else:
        return None, False
    return count_publicity_end(
        cal, start, rule.publicity_amount or 0, unit=rule.publicity_unit or WORKING_DAY
    )


def set_record_dates(
    record: DisclosureRecord,
    rule: DeadlineRule,
    cal: WorkCalendar,
    obligation: Obligation | None,
) -> None:
    """Copy the due date from the obligation (or compute it) and the publicity end.

    ``due_provisional`` also covers the publicity end: the record shows one
    provisional note for both dates.
    """
    if obligation is not None:
        due = DueDate(
            due=obligation.due_date,
            provisional=obligation.due_provisional,
            calendar_version=obligation.calendar_version,
        )
    else:
        due = compute_due(rule, record.trigger_date, cal)
    end, end_provisional = _record_publicity_end(rule, record, due, cal)
    record.due_date = due.due
    record.due_provisional = bool(due.provisional or end_provisional)
    record.calendar_version = due.calendar_version
    record.rule_text = obligation.rule_text if obligation is not None else rule.text
    record.publicity_end = end


# --------------------------------------------------------------------------- obligations


def new_obligation(
    *,
    region: Region,
    item: CatalogItem,
    trigger_date: date,
    due: DueDate,
    title: str,
    period: tuple[date, date] | None = None,
) -> Obligation:
    return Obligation(
        region=region,
        item=item,
        item_key=item.key,
        domain_id=item.catalog.domain_id,
        title=title[:200],
        trigger_date=trigger_date,
        period_start=period[0] if period else None,
        period_end=period[1] if period else None,
        due_date=due.due,
        due_provisional=due.provisional,
        calendar_version=due.calendar_version,
        rule_text=item.time_limit_text,
    )


def obligation_for_period(
    *,
    region: Region,
    item: CatalogItem,
    day: date,
    actor: User | None,
    cal: WorkCalendar | None = None,
) -> Obligation:
    """The obligation of a periodic item for the period containing `day` (created if missing)."""
    rule = item_rule(item)
    if rule.kind is not RuleKind.PERIODIC or rule.period is None:
        raise ValueError("obligation_for_period needs a periodic item")
    start, end = period_bounds(day, rule.period)
    existing = Obligation.objects.filter(
        region=region, item_key=item.key, period_start=start
    ).first()
    if existing is not None:
        return existing
    cal = cal or work_calendar()
    due = compute_due(rule, start, cal)
    obligation = new_obligation(
        region=region,
        item=item,
        trigger_date=start,
        due=due,
        title=_period_title(item, start, rule.period),
        period=(start, end),
    )
    obligation.full_clean(validate_unique=False, validate_constraints=False)
    obligation.save()
    audit(
        "disclosures.obligation.created",
        actor=actor,
        region=region,
        obj=obligation,
        due_date=obligation.due_date.isoformat(),
        period_start=start.isoformat(),
    )
    return obligation


@transaction.atomic
def obligation_generate_periodic(
    *, on: date, region_code: str = "", actor: User | None = None
) -> int:
    """Create the obligations of every periodic item for the period containing `on`.

    For every official county and township (in `region_code`'s subtree) the
    catalog that applies there (its own, else the nearest ancestor's) is read;
    each active periodic item whose 公开主体/公开层级 allow the region's level
    gets one obligation for the period. Idempotent: existing obligations are kept.
    The number of queries does not depend on the number of regions. Returns the
    number of obligations created.
    """
    published = list(
        Catalog.objects.current_published().only("pk", "region_id", "domain_id")
    )
    periodic: dict[int, list[CatalogItem]] = defaultdict(list)
    for item in CatalogItem.objects.filter(
        catalog__in=[c.pk for c in published],
        deadline_kind=RuleKind.PERIODIC.value,
        omitted=False,
    ).select_related("catalog"):
        periodic[item.catalog_id].append(item)
    if not periodic:
        return 0
    by_region_domain = {(c.region_id, c.domain_id): c for c in published}
    roots = {c.region_id for c in published if c.pk in periodic}
    within = Q()
    for root in roots:
        within |= Q(code__startswith=root)
    regions = (
        Region.objects.official()
        .filter(level__in=[Region.Level.COUNTY, Region.Level.TOWNSHIP])
        .filter(within)
        .filter(code__startswith=region_code)
        .order_by("code")
    )
    domain_ids = {c.domain_id for c in published}
    cal = work_calendar()
    dues: dict[int, tuple[DeadlineRule, date, date, DueDate]] = {}
    wanted: list[tuple[Region, CatalogItem]] = []
    for region in regions:
        chain = [region.code, *reversed(region.ancestor_codes)]
        for domain_id in domain_ids:
            catalog = next(
                (
                    by_region_domain[(code, domain_id)]
                    for code in chain
                    if (code, domain_id) in by_region_domain
                ),
                None,
            )
            for item in periodic.get(catalog.pk, []) if catalog else []:
                if item_allows_region(item, region):
                    wanted.append((region, item))
                    if item.pk not in dues:
                        rule = item_rule(item)
                        start, end = period_bounds(on, rule.period)
                        dues[item.pk] = (
                            rule,
                            start,
                            end,
                            compute_due(rule, start, cal),
                        )
    if not wanted:
        return 0
    existing = set(
        Obligation.objects.filter(
            region__code__startswith=region_code,
            item_key__in={item.key for _r, item in wanted},
            period_start__in={d[1] for d in dues.values()},
        ).values_list("region_id", "item_key", "period_start")
    )
    new = []
    for region, item in wanted:
        rule, start, end, due = dues[item.pk]
        if (region.code, item.key, start) in existing:
            continue
        existing.add((region.code, item.key, start))
        new.append(
            new_obligation(
                region=region,
                item=item,
                trigger_date=start,
                due=due,
                title=_period_title(item, start, rule.period),
                period=(start, end),
            )
        )
    Obligation.objects.bulk_create(new, batch_size=500)
    if new:
        audit(
            "disclosures.obligation.generated",
            actor=actor,
            region=region_code or None,
            count=len(new),
            on=on.isoformat(),
        )
    return len(new)


def _fulfilling_record(
    obligation: Obligation, now: datetime
) -> DisclosureRecord | None:
    return (
        DisclosureRecord.objects.filter(obligation=obligation)
        .filter(public_q(now=now))
        .order_by("publish_at", "pk")
        .first()
    )


def obligation_sync(
    *, obligation: Obligation, actor: User | None, now: datetime | None = None
) -> Obligation:
    """Derive the obligation's status from its records (see the module docstring).

    Writes (and logs) only when something changed.
    """
    now = _now(now)
    record = _fulfilling_record(obligation, now)
    if record is None:
        status, fulfilled_at = Obligation.Status.OPEN, None
    elif timezone.localdate(record.publish_at) <= obligation.due_date:
        status, fulfilled_at = Obligation.Status.ON_TIME, record.publish_at
    else:
        status, fulfilled_at = Obligation.Status.LATE, record.publish_at
    # 张榜 obligations: posted once the record is public and proof is attached.
    posted_on = obligation_posted_on(obligation, record)
    if (obligation.status, obligation.fulfilled_at, obligation.posted_on) == (
        status,
        fulfilled_at,
        posted_on,
    ):
        return obligation
    if (obligation.status, obligation.fulfilled_at) == (status, fulfilled_at):
        obligation.posted_on = posted_on
        obligation.save(update_fields=["posted_on"])
        audit(
            "disclosures.obligation.posting_changed",
            actor=actor,
            region=obligation.region_id,
            obj=obligation,
            posted_on=posted_on.isoformat() if posted_on else None,
            record=record.pk if record else None,
        )
        return obligation
    before = obligation.status
    obligation.status = status
    obligation.fulfilled_at = fulfilled_at
    obligation.posted_on = posted_on
    obligation.save(update_fields=["status", "fulfilled_at", "posted_on"])
    audit(
        "disclosures.obligation.reopened"
        if status == Obligation.Status.OPEN
        else "disclosures.obligation.fulfilled",
        actor=actor,
        region=obligation.region_id,
        obj=obligation,
        before=before,
        status=status,
        record=record.pk if record else None,
    )
    return obligation


@transaction.atomic
def obligation_recompute_open(
    *, first: date, last: date, actor: User | None = None
) -> int:
    """Recompute the due dates of open obligations after a calendar change.

    `first`..`last` is the range of changed dates. A change on day d can only
    move a due date whose counting window (trigger day, due date] contains d, so
    only open obligations with ``trigger_date <= last`` and ``due_date >= first``
    are read. Closed obligations (on time, late) keep their dates. Records of a
    changed obligation that are not public yet (draft, or scheduled for later)
    follow it. Each changed obligation gets an audit entry. Returns the number of
    obligations whose due date or provisional flag changed.
    """
    cal = work_calendar()
    candidates = list(
        Obligation.objects.open()
        .filter(trigger_date__lte=last, due_date__gte=first)
        .select_related("item")
    )
    changed, touched, entries = [], [], []
    for obligation in candidates:
        due = compute_due(item_rule(obligation.item), obligation.trigger_date, cal)
        if due.due is None:
            continue
        moved = (due.due, due.provisional) != (
            obligation.due_date,
            obligation.due_provisional,
        )
        if not moved and due.calendar_version == obligation.calendar_version:
            continue
        if moved:
            entries.append(
                AuditLogEntry(
                    action="disclosures.obligation.recomputed",
                    actor=actor if actor is not None and actor.pk else None,
                    region_id=obligation.region_id,
                    object_type=Obligation._meta.label_lower,
                    object_id=str(obligation.pk),
                    data={
                        "before": obligation.due_date.isoformat(),
                        "after": due.due.isoformat(),
                        "provisional": due.provisional,
                        "calendar_version": due.calendar_version,
                        "changed": [first.isoformat(), last.isoformat()],
                    },
                )
            )
            changed.append(obligation)
        obligation.due_date = due.due
        obligation.due_provisional = due.provisional
        obligation.calendar_version = due.calendar_version
        touched.append(obligation)
    Obligation.objects.bulk_update(
        touched, ["due_date", "due_provisional", "calendar_version"], batch_size=500
    )
    AuditLogEntry.objects.bulk_create(entries, batch_size=500)
    if touched:
        by_pk = {o.pk: o for o in touched}
        now = timezone.now()
        pending = (
            DisclosureRecord.objects.filter(obligation_id__in=list(by_pk))
            .filter(
                Q(status=Status.DRAFT) | Q(status=Status.SCHEDULED, publish_at__gt=now)
            )
            .select_related("item")
        )
        records = []
        for record in pending:
            set_record_dates(
                record, item_rule(record.item), cal, by_pk[record.obligation_id]
            )
            records.append(record)
        DisclosureRecord.objects.bulk_update(
            records,
            ["due_date", "due_provisional", "calendar_version", "publicity_end"],
        )
    return len(changed)
