"""Disclosure records and obligations: every write, with its audit entry.

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

Clock: services take ``now=`` (default `timezone.now()`), so tests and the demo
can publish "in the past"; views never pass it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
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
    add_working_days,
    compute_due,
    period_bounds,
)
from catalogs.deadlines import publicity_end as count_publicity_end
from catalogs.models import AuditLogEntry, Catalog, CatalogItem, Region, User
from catalogs.rules import item_rule
from catalogs.selectors import work_calendar
from catalogs.services import audit

from . import gate
from .namelists.services import name_list_sync_with_record
from .models import DisclosureRecord, Obligation
from .querysets import public_q

PUBLISH_DRAFT = "draft"
PUBLISH_NOW = "now"
PUBLISH_SCHEDULE = "schedule"

REMIND_DUE_SOON = "due_soon"
REMIND_OVERDUE = "overdue"
#: "Due soon" means due within this many working days from today (today included).
DUE_SOON_WORKING_DAYS = 3

Status = DisclosureRecord.Status


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _save_record(record: DisclosureRecord, actor: User | None, **kwargs) -> None:
    """Save with the actor on the history row, also outside a request (commands, demo)."""
    if actor is not None and actor.pk:
        record._history_user = actor
    record.save(**kwargs)


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


def _due(item: CatalogItem, trigger: date, cal: WorkCalendar) -> tuple[DeadlineRule, DueDate]:
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
    return _("%(item)s（%(period)s）") % {"item": item.name, "period": period_label(start, period)}


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


def _set_record_dates(
    record: DisclosureRecord, rule: DeadlineRule, cal: WorkCalendar, obligation: Obligation | None
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


def _new_obligation(
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
    *, region: Region, item: CatalogItem, day: date, actor: User | None, cal: WorkCalendar | None = None
) -> Obligation:
    """The obligation of a periodic item for the period containing `day` (created if missing)."""
    rule = item_rule(item)
    if rule.kind is not RuleKind.PERIODIC or rule.period is None:
        raise ValueError("obligation_for_period needs a periodic item")
    start, end = period_bounds(day, rule.period)
    existing = Obligation.objects.filter(region=region, item_key=item.key, period_start=start).first()
    if existing is not None:
        return existing
    cal = cal or work_calendar()
    due = compute_due(rule, start, cal)
    obligation = _new_obligation(
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
    published = list(Catalog.objects.current_published().only("pk", "region_id", "domain_id"))
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
                (by_region_domain[(code, domain_id)] for code in chain if (code, domain_id) in by_region_domain),
                None,
            )
            for item in periodic.get(catalog.pk, []) if catalog else []:
                if item_allows_region(item, region):
                    wanted.append((region, item))
                    if item.pk not in dues:
                        rule = item_rule(item)
                        start, end = period_bounds(on, rule.period)
                        dues[item.pk] = (rule, start, end, compute_due(rule, start, cal))
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
            _new_obligation(
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


def _fulfilling_record(obligation: Obligation, now: datetime) -> DisclosureRecord | None:
    return (
        DisclosureRecord.objects.filter(obligation=obligation)
        .filter(public_q(now=now))
        .order_by("publish_at", "pk")
        .first()
    )


def obligation_sync(*, obligation: Obligation, actor: User | None, now: datetime | None = None) -> Obligation:
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
    if (obligation.status, obligation.fulfilled_at) == (status, fulfilled_at):
        return obligation
    before = obligation.status
    obligation.status = status
    obligation.fulfilled_at = fulfilled_at
    obligation.save(update_fields=["status", "fulfilled_at"])
    audit(
        "disclosures.obligation.reopened" if status == Obligation.Status.OPEN else "disclosures.obligation.fulfilled",
        actor=actor,
        region=obligation.region_id,
        obj=obligation,
        before=before,
        status=status,
        record=record.pk if record else None,
    )
    return obligation


@transaction.atomic
def obligation_recompute_open(*, first: date, last: date, actor: User | None = None) -> int:
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
        moved = (due.due, due.provisional) != (obligation.due_date, obligation.due_provisional)
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
            .filter(Q(status=Status.DRAFT) | Q(status=Status.SCHEDULED, publish_at__gt=now))
            .select_related("item")
        )
        records = []
        for record in pending:
            _set_record_dates(record, item_rule(record.item), cal, by_pk[record.obligation_id])
            records.append(record)
        DisclosureRecord.objects.bulk_update(
            records, ["due_date", "due_provisional", "calendar_version", "publicity_end"]
        )
    return len(changed)


# --------------------------------------------------------------------------- records


def _check_trigger_date(trigger_date: date, now: datetime) -> None:
    if trigger_date > timezone.localdate(now):
        raise ValidationError(
            {
                "trigger_date": _(
                    "信息形成（获取）日期%(date)s晚于今天：请填写信息实际形成或获取的日期。"
                )
                % {"date": trigger_date.isoformat()}
            }
        )


def _check_publish_at(publish_at: datetime | None, now: datetime) -> None:
    if publish_at is None:
        raise ValidationError({"publish_at": _("选择定时发布时，请填写发布时间。")})
    if publish_at <= now:
        raise ValidationError(
            {
                "publish_at": _(
                    "定时发布时间%(time)s已经过去：请选择晚于现在的时间，或选择“立即发布”。"
                )
                % {"time": timezone.localtime(publish_at).strftime("%Y-%m-%d %H:%M")}
            }
        )


def _is_public(record: DisclosureRecord, now: datetime) -> bool:
    return record.status in (Status.PUBLISHED, Status.SCHEDULED) and (
        record.publish_at is not None and record.publish_at <= now
    )


@transaction.atomic
def record_create(
    *,
    region: Region,
    item: CatalogItem,
    trigger_date: date,
    title: str,
    body: str = "",
    actor: User | None,
    publish: str = PUBLISH_DRAFT,
    publish_at: datetime | None = None,
    files: Sequence = (),
    obligation: Obligation | None = None,
    now: datetime | None = None,
) -> DisclosureRecord:
    """Register a record against an item of the region's applicable catalog.

    Registering is what creates an event item's obligation (so "overdue and not
    yet published" shows before anything is published); a periodic item's
    record joins the obligation of the period containing `trigger_date` (or the
    given `obligation`). Regions that are not official (开发区 and other
    statistical units) get the due date but no obligation. `publish` is ``draft``, ``now`` or ``schedule`` (with
    `publish_at`). Attachments are checked and stripped of document metadata.
    """
    now = _now(now)
    if item.pk not in {i.pk for i in applicable_items(region)}:
        raise ValidationError(
            {
                "item": _(
                    "事项“%(item)s”不在%(region)s适用的已发布标准目录中，或其公开主体、公开层级不包括本级。"
                    "请从列表中选择本级负责公开的事项。"
                )
                % {"item": item.name, "region": region.name}
            }
        )
    _check_trigger_date(trigger_date, now)
    if publish not in (PUBLISH_DRAFT, PUBLISH_NOW, PUBLISH_SCHEDULE):
        raise ValidationError({"publish": _("请选择发布方式：保存草稿、立即发布或定时发布。")})
    if publish == PUBLISH_SCHEDULE:
        _check_publish_at(publish_at, now)
    cal = work_calendar()
    rule = item_rule(item)
    title = (title or "").strip()
    if obligation is not None:
        if (
            obligation.region_id != region.code
            or obligation.item_key != item.key
            or obligation.status != Obligation.Status.OPEN
        ):
            raise ValidationError(
                _("所选的公开义务不属于本区划的这一事项，或已经完成。请从工作台重新选择。")
            )
    elif not region.official:
        pass  # statistical units (开发区 …) publish, but owe no obligations
    elif rule.kind is RuleKind.PERIODIC:
        obligation = obligation_for_period(region=region, item=item, day=trigger_date, actor=actor, cal=cal)
    elif rule.is_proactive:
        due = compute_due(rule, trigger_date, cal)
        obligation = _new_obligation(
            region=region, item=item, trigger_date=trigger_date, due=due, title=title or item.name
        )
        obligation.full_clean(validate_unique=False, validate_constraints=False)
        obligation.save()
        audit(
            "disclosures.obligation.created",
            actor=actor,
            region=region,
            obj=obligation,
            due_date=obligation.due_date.isoformat(),
        )
    record = DisclosureRecord(
        region=region,
        item=item,
        item_key=item.key,
        domain_id=item.catalog.domain_id,
        obligation=obligation,
        title=title,
        body=(body or "").strip(),
        trigger_date=trigger_date,
        status=Status.DRAFT,
        created_by=actor if actor is not None and actor.pk else None,
    )
    _set_record_dates(record, rule, cal, obligation)
    record.full_clean()
    _save_record(record, actor)
    audit(
        "disclosures.record.created",
        actor=actor,
        region=region,
        obj=record,
        item=item.name,
        due_date=record.due_date.isoformat() if record.due_date else None,
    )
    attachments_add(record=record, files=files, actor=actor)
    if publish == PUBLISH_NOW:
        record_publish(record=record, actor=actor, now=now)
    elif publish == PUBLISH_SCHEDULE:
        record_schedule(record=record, publish_at=publish_at, actor=actor, now=now)
    return record


@transaction.atomic
def record_publish(*, record: DisclosureRecord, actor: User | None, now: datetime | None = None) -> DisclosureRecord:
    """Publish a draft, or a scheduled record ahead of its time, at `now`."""
    now = _now(now)
    if record.status == Status.PUBLISHED or _is_public(record, now):
        raise ValidationError(_("这条信息已经公开，无需再次发布。如需修改内容，请使用“更正”。"))
    if record.status == Status.WITHDRAWN:
        raise ValidationError(_("已撤回的信息不能重新发布；如需公开，请重新登记一条。"))
    _set_publication(
        record, status=Status.PUBLISHED, publish_at=now, actor=actor,
        action="disclosures.record.published",
    )
    if record.obligation is not None:
        obligation_sync(obligation=record.obligation, actor=actor, now=now)
    return record


@transaction.atomic
def record_schedule(
    *, record: DisclosureRecord, publish_at: datetime | None, actor: User | None, now: datetime | None = None
) -> DisclosureRecord:
    """Schedule a draft (or move a scheduled record's time) to go public at `publish_at`.

    Public pages show the record from `publish_at` on, whether or not
    `publish_due` has run. The time must lie in the future.
    """
    now = _now(now)
    if record.status == Status.WITHDRAWN:
        raise ValidationError(_("已撤回的信息不能重新发布；如需公开，请重新登记一条。"))
    if record.status == Status.PUBLISHED or _is_public(record, now):
        raise ValidationError(_("这条信息已经公开，不能再设定时发布。如需修改内容，请使用“更正”。"))
    _check_publish_at(publish_at, now)
    _set_publication(
        record, status=Status.SCHEDULED, publish_at=publish_at, actor=actor,
        action="disclosures.record.scheduled",
    )
    return record


def _set_publication(
    record: DisclosureRecord, *, status: str, publish_at: datetime, actor: User | None, action: str
) -> None:
    """Scan, set status and publication time, recompute the record's dates, save and audit.

    The publication gate refuses a record whose title, body or attachment
    names hold an identifier, or whose attachments are not publishable.
    """
    gate.record_clear_for_publication(record)
    record.status = status
    record.publish_at = publish_at
    _set_record_dates(record, item_rule(record.item), work_calendar(), record.obligation)
    record.full_clean()
    _save_record(record, actor)
    audit(action, actor=actor, region=record.region_id, obj=record, publish_at=publish_at.isoformat())
    # A list confirmed before the record went public counts its display period
    # from the record's publication day.
    name_list_sync_with_record(record=record, actor=actor)


@transaction.atomic
def record_correct(
    *,
    record: DisclosureRecord,
    title: str,
    body: str,
    reason: str,
    actor: User | None,
    files: Sequence = (),
) -> DisclosureRecord:
    """Correct title and body (更正) and add attachments; the history keeps every version.

    The trigger date (and so the due date) cannot be corrected: a wrong one is
    withdrawn and registered again, which keeps the obligation record honest.
    """
    if record.status == Status.WITHDRAWN:
        raise ValidationError(_("已撤回的信息不能更正。"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写更正说明，例如“更正救助金额笔误”。")})
    title = (title or "").strip()
    body = (body or "").strip()
    changed = [f for f, v in (("title", title), ("body", body)) if getattr(record, f) != v]
    if not changed and not files:
        raise ValidationError(_("标题、正文都没有改动，也没有新增附件：没有需要更正的内容。"))
    record.title = title
    record.body = body
    if files:
        attachments_add(record=record, files=files, actor=actor)
    if record.status == Status.DRAFT:
        record.privacy_checked_at = None  # scanned again when it is published
    else:
        # A public or scheduled record stays public only with clean content.
        gate.record_clear_for_publication(record)
    record.full_clean()
    record._change_reason = reason[:100]
    _save_record(record, actor)
    audit(
        "disclosures.record.corrected",
        actor=actor,
        region=record.region_id,
        obj=record,
        fields=changed,
        reason=reason,
    )
    return record


@transaction.atomic
def record_withdraw(
    *, record: DisclosureRecord, reason: str, actor: User | None, now: datetime | None = None
) -> DisclosureRecord:
    """Withdraw a record (撤回) with a reason: gone from public pages, kept for staff.

    If it fulfilled its obligation, the next public record takes over or the
    obligation reopens. A draft whose event obligation has no other live record
    takes that obligation with it: the registration was a mistake, not a missed
    duty. (A scheduled record keeps its obligation: the event did happen; move
    its publication time instead.)
    """
    now = _now(now)
    if record.status == Status.WITHDRAWN:
        raise ValidationError(_("这条信息已经撤回。"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写撤回理由，例如“信息有误，更正后重新发布”。")})
    was_public = _is_public(record, now)
    was_draft = record.status == Status.DRAFT
    record.status = Status.WITHDRAWN
    record.withdrawn_reason = reason[:300]
    record.withdrawn_at = now
    record.full_clean()
    record._change_reason = reason[:100]
    _save_record(record, actor)
    audit(
        "disclosures.record.withdrawn",
        actor=actor,
        region=record.region_id,
        obj=record,
        reason=reason,
        was_public=was_public,
    )
    obligation = record.obligation
    if obligation is None:
        return record
    others_live = obligation.records.exclude(pk=record.pk).exclude(status=Status.WITHDRAWN).exists()
    if was_draft and obligation.period_start is None and not others_live and obligation.status == Obligation.Status.OPEN:
        audit(
            "disclosures.obligation.cancelled",
            actor=actor,
            region=obligation.region_id,
            obj=obligation,
            record=record.pk,
            reason=reason,
        )
        record.obligation = None
        DisclosureRecord.objects.filter(pk=record.pk).update(obligation=None)
        obligation.delete()
        return record
    obligation_sync(obligation=obligation, actor=actor, now=now)
    return record


@transaction.atomic
def record_publish_due(*, now: datetime | None = None, actor: User | None = None) -> int:
    """Flip scheduled records whose time has come to published; sync their obligations.

    Idempotent. Public pages do not depend on it (they show a scheduled record
    from its `publish_at` on); it keeps statuses and obligations tidy.
    """
    now = _now(now)
    due = list(
        DisclosureRecord.objects.filter(status=Status.SCHEDULED, publish_at__lte=now)
        .select_related("obligation")
        .order_by("publish_at", "pk")
    )
    obligations = {}
    published = 0
    for record in due:
        try:
            gate.record_clear_for_publication(record, now=now)
        except ValidationError as exc:
            # The scanner learned something since the record was scheduled:
            # back to draft, and off public pages from now on (no stamp).
            record.status = Status.DRAFT
            record.privacy_checked_at = None
            _save_record(record, actor, update_fields=["status", "privacy_checked_at", "updated_at"])
            audit(
                "disclosures.record.publication_refused",
                actor=actor,
                region=record.region_id,
                obj=record,
                fields=sorted(exc.message_dict),
            )
            continue
        record.status = Status.PUBLISHED
        published += 1
        _save_record(record, actor, update_fields=["status", "privacy_checked_at", "updated_at"])
        audit(
            "disclosures.record.published",
            actor=actor,
            region=record.region_id,
            obj=record,
            publish_at=record.publish_at.isoformat(),
            scheduled=True,
        )
        if record.obligation is not None:
            obligations[record.obligation_id] = record.obligation
    for obligation in obligations.values():
        obligation_sync(obligation=obligation, actor=actor, now=now)
    return published


# --------------------------------------------------------------------------- reminders


@dataclass
class ReminderResult:
    sent: int = 0  # e-mails
    obligations: int = 0  # obligations reminded
    without_recipient: int = 0  # obligations whose region has no user with an e-mail address


def obligation_send_reminders(*, today: date | None = None, base_url: str = "") -> ReminderResult:
    """E-mail each region's staff about obligations due soon or overdue.

    One reminder per obligation per state (``due_soon``: due within
    DUE_SOON_WORKING_DAYS working days; ``overdue``): the state is added to
    `reminded_states` after the region's e-mail was sent, so a failed send is
    retried on the next run and a successful one never repeated. Obligations of
    regions without any active user with an e-mail address are left unmarked.
    """
    today = today or timezone.localdate()
    cal = work_calendar()
    horizon, _provisional = add_working_days(cal, today, DUE_SOON_WORKING_DAYS)
    candidates = list(
        Obligation.objects.open()
        .filter(due_date__lte=horizon)
        .select_related("region", "item")
        .order_by("region_id", "due_date", "pk")
    )
    pending: dict[str, list[tuple[Obligation, str]]] = defaultdict(list)
    for obligation in candidates:
        state = REMIND_OVERDUE if obligation.due_date < today else REMIND_DUE_SOON
        if state not in (obligation.reminded_states or []):
            pending[obligation.region_id].append((obligation, state))
    result = ReminderResult()
    if not pending:
        return result
    recipients: dict[str, list[str]] = defaultdict(list)
    for region_id, email in (
        User.objects.filter(region_id__in=list(pending), is_active=True)
        .exclude(email="")
        .exclude(role="")
        .values_list("region_id", "email")
        .order_by("region_id", "email")
    ):
        recipients[region_id].append(email)
    connection = get_connection()
    for region_id, entries in pending.items():
        if not recipients.get(region_id):
            result.without_recipient += len(entries)
            continue
        region = entries[0][0].region
        message = EmailMessage(
            subject=_("【政务公开提醒】%(region)s有%(count)s项公开事项即将到期或已逾期")
            % {"region": region.name, "count": len(entries)},
            body=_reminder_body(region, entries, base_url),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=recipients[region_id],
            connection=connection,
        )
        message.send()
        result.sent += 1
        with transaction.atomic():
            for obligation, state in entries:
                obligation.reminded_states = [*(obligation.reminded_states or []), state]
            Obligation.objects.bulk_update([o for o, _s in entries], ["reminded_states"])
            audit(
                "disclosures.obligation.reminded",
                actor=None,
                region=region_id,
                count=len(entries),
                obligations=[o.pk for o, _s in entries],
            )
        result.obligations += len(entries)
    return result


def _reminder_body(region: Region, entries: list[tuple[Obligation, str]], base_url: str) -> str:
    lines = [_("%(region)s的工作人员，您好：") % {"region": region.name}, ""]
    for obligation, state in entries:
        template = (
            _("【已逾期】%(title)s，公开截止日期%(due)s，尚未公开。")
            if state == REMIND_OVERDUE
            else _("【即将到期】%(title)s，公开截止日期%(due)s。")
        )
        lines.append(template % {"title": obligation.title or obligation.item.name, "due": obligation.due_date.isoformat()})
    lines += [
        "",
        _("请登录工作台处理：%(url)s") % {"url": f"{base_url}/work/records/"},
        _("本邮件由系统自动发送，每项公开义务在每个状态下只提醒一次。"),
    ]
    return "\n".join(lines)


# --------------------------------------------------------------------------- attachments
# Checking, scanning and storing attachments lives in `disclosures.attachments`;
# these names stay importable from here for existing callers.
from .attachments import (  # noqa: E402, F401  (re-exported)
    ATTACHMENT_TYPES,
    MAX_ATTACHMENTS,
    MAX_UNZIPPED_BYTES,
    OfficeFileError,
    attachment_max_bytes,
    attachments_add,
    strip_office_metadata,
    strip_pdf_metadata,
)
