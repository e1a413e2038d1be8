"""Disclosure records (公开信息): create, publish, schedule, correct, withdraw, and
publish what is due; every write with its audit entry.

A record fulfils its obligation (`disclosures.records.obligations`) when it
becomes public; every path to the public passes the publication gate
(`disclosures.public.gate`).

Clock: services take ``now=`` (default `timezone.now()`), so tests and the demo
can publish "in the past"; views never pass it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalogs.deadlines import (
    RuleKind,
    compute_due,
)
from catalogs.models import CatalogItem, Region, User
from catalogs.rules import item_rule
from catalogs.selectors import work_calendar
from catalogs.services import audit

from ..models import DisclosureRecord, Obligation
from ..namelists.services import name_list_sync_with_record
from ..public import gate
from . import metadata
from .attachments import attachments_add
from .obligations import (
    applicable_items,
    new_obligation,
    obligation_for_period,
    obligation_sync,
    set_record_dates,
)

PUBLISH_DRAFT = "draft"
PUBLISH_NOW = "now"
PUBLISH_SCHEDULE = "schedule"

Status = DisclosureRecord.Status


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _save_record(record: DisclosureRecord, actor: User | None, **kwargs) -> None:
    """Save with the actor on the history row, also outside a request (commands, demo)."""
    if actor is not None and actor.pk:
        record._history_user = actor
    record.save(**kwargs)


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


def _check_written_date(record: DisclosureRecord, now: datetime) -> None:
    if record.written_date and record.written_date > timezone.localdate(now):
        raise ValidationError(
            {
                "written_date": _(
                    "成文日期%(date)s晚于今天：请填写文件实际成文（签发）的日期。"
                )
                % {"date": record.written_date.isoformat()}
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
    issuer: str = "",
    written_date: date | None = None,
    document_number: str = "",
    topic: str = "",
) -> DisclosureRecord:
    """Register a record against an item of the region's applicable catalog.

    Metadata (SPEC §13): `issuer` (发布机构) defaults to the region's office,
    `written_date` (成文日期) to `trigger_date`, `topic` (主题分类) to the domain;
    the index number (索引号) is given when the record first goes public or is
    scheduled (`disclosures.records.metadata`).

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
        raise ValidationError(
            {"publish": _("请选择发布方式：保存草稿、立即发布或定时发布。")}
        )
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
                _(
                    "所选的公开义务不属于本区划的这一事项，或已经完成。请从工作台重新选择。"
                )
            )
    elif not region.official:
        pass  # statistical units (开发区 …) publish, but owe no obligations
    elif rule.kind is RuleKind.PERIODIC:
        obligation = obligation_for_period(
            region=region, item=item, day=trigger_date, actor=actor, cal=cal
        )
    elif rule.is_proactive:
        due = compute_due(rule, trigger_date, cal)
        obligation = new_obligation(
            region=region,
            item=item,
            trigger_date=trigger_date,
            due=due,
            title=title or item.name,
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
        issuer=issuer,
        written_date=written_date,
        document_number=document_number,
        topic=topic,
    )
    metadata.fill_defaults(record, region, item.catalog.domain.name)
    _check_written_date(record, now)
    set_record_dates(record, rule, cal, obligation)
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
def record_publish(
    *, record: DisclosureRecord, actor: User | None, now: datetime | None = None
) -> DisclosureRecord:
    """Publish a draft, or a scheduled record ahead of its time, at `now`."""
    now = _now(now)
    if record.status == Status.PUBLISHED or _is_public(record, now):
        raise ValidationError(
            _("这条信息已经公开，无需再次发布。如需修改内容，请使用“更正”。")
        )
    if record.status == Status.WITHDRAWN:
        raise ValidationError(_("已撤回的信息不能重新发布；如需公开，请重新登记一条。"))
    _set_publication(
        record,
        status=Status.PUBLISHED,
        publish_at=now,
        actor=actor,
        action="disclosures.record.published",
    )
    if record.obligation is not None:
        obligation_sync(obligation=record.obligation, actor=actor, now=now)
    return record


@transaction.atomic
def record_schedule(
    *,
    record: DisclosureRecord,
    publish_at: datetime | None,
    actor: User | None,
    now: datetime | None = None,
) -> DisclosureRecord:
    """Schedule a draft (or move a scheduled record's time) to go public at `publish_at`.

    Public pages show the record from `publish_at` on, whether or not
    `publish_due` has run. The time must lie in the future.
    """
    now = _now(now)
    if record.status == Status.WITHDRAWN:
        raise ValidationError(_("已撤回的信息不能重新发布；如需公开，请重新登记一条。"))
    if record.status == Status.PUBLISHED or _is_public(record, now):
        raise ValidationError(
            _("这条信息已经公开，不能再设定时发布。如需修改内容，请使用“更正”。")
        )
    _check_publish_at(publish_at, now)
    _set_publication(
        record,
        status=Status.SCHEDULED,
        publish_at=publish_at,
        actor=actor,
        action="disclosures.record.scheduled",
    )
    return record


def _set_publication(
    record: DisclosureRecord,
    *,
    status: str,
    publish_at: datetime,
    actor: User | None,
    action: str,
) -> None:
    """Scan, set status and publication time, recompute the record's dates, save and audit.

    The publication gate refuses a record whose title, body or attachment
    names hold an identifier, or whose attachments are not publishable.
    """
    gate.record_clear_for_publication(record)
    record.status = status
    record.publish_at = publish_at
    metadata.assign_index_number(record, publish_at)
    set_record_dates(record, item_rule(record.item), work_calendar(), record.obligation)
    record.full_clean()
    _save_record(record, actor)
    audit(
        action,
        actor=actor,
        region=record.region_id,
        obj=record,
        publish_at=publish_at.isoformat(),
    )
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
    changed = [
        f for f, v in (("title", title), ("body", body)) if getattr(record, f) != v
    ]
    if not changed and not files:
        raise ValidationError(
            _("标题、正文都没有改动，也没有新增附件：没有需要更正的内容。")
        )
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
def record_set_metadata(
    *,
    record: DisclosureRecord,
    issuer: str,
    written_date: date | None,
    document_number: str = "",
    topic: str = "",
    actor: User | None,
    now: datetime | None = None,
) -> DisclosureRecord:
    """Change 发布机构, 成文日期, 文号 and 主题分类 (SPEC §13); the 索引号 never changes.

    Empty values fall back to the defaults of `metadata.fill_defaults`. A public
    record is scanned again (its metadata is public output too).
    """
    now = _now(now)
    if record.status == Status.WITHDRAWN:
        raise ValidationError(_("已撤回的信息不能修改发布机构、成文日期等信息。"))
    before = {
        f: getattr(record, f)
        for f in ("issuer", "written_date", "document_number", "topic")
    }
    record.issuer = issuer
    record.written_date = written_date
    record.document_number = document_number
    record.topic = topic
    metadata.fill_defaults(record, record.region, record.domain.name)
    _check_written_date(record, now)
    changed = [f for f, v in before.items() if getattr(record, f) != v]
    if not changed:
        return record
    if record.status == Status.DRAFT:
        record.privacy_checked_at = None
    else:
        gate.record_clear_for_publication(record)
    record.full_clean()
    _save_record(record, actor)
    audit(
        "disclosures.record.metadata_changed",
        actor=actor,
        region=record.region_id,
        obj=record,
        fields=changed,
    )
    return record


@transaction.atomic
def record_withdraw(
    *,
    record: DisclosureRecord,
    reason: str,
    actor: User | None,
    now: datetime | None = None,
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
        raise ValidationError(
            {"reason": _("请填写撤回理由，例如“信息有误，更正后重新发布”。")}
        )
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
    others_live = (
        obligation.records.exclude(pk=record.pk)
        .exclude(status=Status.WITHDRAWN)
        .exists()
    )
    if (
        was_draft
        and obligation.period_start is None
        and not others_live
        and obligation.status == Obligation.Status.OPEN
    ):
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
def record_publish_due(
    *, now: datetime | None = None, actor: User | None = None
) -> int:
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
            _save_record(
                record,
                actor,
                update_fields=["status", "privacy_checked_at", "updated_at"],
            )
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
        _save_record(
            record, actor, update_fields=["status", "privacy_checked_at", "updated_at"]
        )
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
