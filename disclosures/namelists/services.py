"""Name-list services: the province masking policy, submission, the confidentiality
review (保密审查: confirm, reject), deletion, and the end of a list's public period.

Every write with its audit entry. The end of a confirmed list's public period
is stored at confirmation (`compute_public_until`) and recomputed when its
record's dates change (`name_list_sync_with_record`).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from catalogs.models import User
from catalogs.services import audit

from ..deidentify import MaskingPolicy, publishable
from ..models import DisclosureRecord, MaskingPolicySetting, NameList
from ..permissions import can_confirm_name_list, can_manage_name_list
from .staging import discard_token
from .states import Status, name_list_is_stuck, now_or, region_code

# --------------------------------------------------------------------------- policy


#: The province policy's fields, as `masking_policy_set` takes them (the admin
#: passes ``{f: getattr(obj, f) for f in MASKING_POLICY_FIELDS}``).
MASKING_POLICY_FIELDS = (
    "publish_id_number",
    "publish_phone",
    "publish_category",
    "publish_address",
    "mask_names_default",
    "display_days",
)
#: The switches that decide which columns are published and how they are masked:
#: a list processed under other values cannot be confirmed.
_COLUMN_SWITCHES = (
    "publish_id_number",
    "publish_phone",
    "publish_category",
    "publish_address",
)


def policy_setting() -> MaskingPolicySetting:
    """The province policy row, or an unsaved one holding the defaults (1 query)."""
    return MaskingPolicySetting.objects.order_by("pk").first() or MaskingPolicySetting()


def masking_policy(
    *, mask_names: bool = False, setting: MaskingPolicySetting | None = None
) -> MaskingPolicy:
    """The province-wide policy (`MaskingPolicySetting`, defaults when unset) for one list (1 query).

    By default only the four fields of 第六十一条 are published; the province
    may add 类别, 地址 (cut to the village), ID and phone numbers (masked).
    """
    setting = setting or policy_setting()
    return MaskingPolicy(
        publish_id_number=setting.publish_id_number,
        publish_phone=setting.publish_phone,
        publish_category=setting.publish_category,
        publish_address=setting.publish_address,
        mask_names=mask_names,
    )


@transaction.atomic
def masking_policy_set(
    *,
    publish_id_number: bool,
    publish_phone: bool,
    publish_category: bool | None = None,
    publish_address: bool | None = None,
    mask_names_default: bool | None = None,
    display_days: int | None = None,
    actor: User | None,
) -> MaskingPolicySetting:
    """Change the one province-wide masking policy (province admins; the admin calls this).

    Arguments left ``None`` keep their current value. Free-text columns (备注,
    原因, other) have no switch: they are never published. Lists processed
    under the old column switches keep their masked rows; a list still waiting
    for review must be uploaded again (`name_list_confirm` refuses it). A new
    display period applies to lists confirmed from now on.
    """
    setting = MaskingPolicySetting.objects.select_for_update().order_by("pk").first()
    before = None
    if setting is None:
        setting = MaskingPolicySetting()
    else:
        before = {f: getattr(setting, f) for f in MASKING_POLICY_FIELDS}
    values = {
        "publish_id_number": publish_id_number,
        "publish_phone": publish_phone,
        "publish_category": publish_category,
        "publish_address": publish_address,
        "mask_names_default": mask_names_default,
        "display_days": display_days,
    }
    for name, value in values.items():
        if value is not None:
            setattr(setting, name, value)
    setting.full_clean()
    setting.save()
    audit(
        "disclosures.masking_policy.changed",
        actor=actor,
        obj=setting,
        before=before,
        after={f: getattr(setting, f) for f in MASKING_POLICY_FIELDS},
    )
    return setting


def policy_json(policy: MaskingPolicy) -> dict:
    return {
        "publish_id_number": policy.publish_id_number,
        "publish_phone": policy.publish_phone,
        "publish_category": policy.publish_category,
        "publish_address": policy.publish_address,
        "mask_names": policy.mask_names,
    }


# --------------------------------------------------------------------------- review


def _check_policy_unchanged(name_list: NameList, setting: MaskingPolicySetting) -> None:
    used = (name_list.report or {}).get("policy") or {}
    if any(
        used.get(switch, False) != getattr(setting, switch)
        for switch in _COLUMN_SWITCHES
    ):
        raise ValidationError(
            _(
                "全省名单脱敏规则在该名单处理之后已调整。请退回，由上传人按新规则重新上传后再审查。"
            ),
            code="policy_changed",
        )


@transaction.atomic
def name_list_submit(
    *, name_list: NameList, actor: User, now: datetime | None = None
) -> NameList:
    """The uploader's region submits a previewed list for the confidentiality review."""
    name_list = (
        NameList.objects.select_for_update()
        .select_related("record")
        .get(pk=name_list.pk)
    )
    if not can_manage_name_list(actor, name_list):
        raise PermissionDenied(_("您没有提交该名单的权限。"))
    if name_list.status != Status.PREVIEW:
        raise ValidationError(
            _("只有处理完成、尚未提交的名单可以提交保密审查。"), code="bad_status"
        )
    name_list.status = Status.PENDING
    name_list.submitted_at = now_or(now)
    name_list.review_note = ""
    name_list.save(update_fields=["status", "submitted_at", "review_note"])
    audit(
        "disclosures.namelist.submitted",
        actor=actor,
        region=region_code(name_list),
        obj=name_list,
        rows=name_list.row_count,
    )
    return name_list


def _review(
    name_list: NameList, actor: User, status: str, note: str, now: datetime | None
) -> NameList:
    name_list = (
        NameList.objects.select_for_update()
        .select_related("record")
        .get(pk=name_list.pk)
    )
    if not can_confirm_name_list(actor, name_list):
        if (
            name_list.uploaded_by_id is not None
            and name_list.uploaded_by_id == actor.pk
        ):
            raise PermissionDenied(
                _(
                    "上传人不能审查自己上传的名单，请由本单位或上级单位的另一位工作人员确认。"
                )
            )
        raise PermissionDenied(
            _(
                "只有名单所属区划或上级区划、具有审查权限的工作人员可以审查待审查的名单。"
            )
        )
    name_list.status = status
    name_list.confirmed_by = actor
    name_list.confirmed_region_id = actor.region_id
    name_list.confirmed_at = now_or(now)
    name_list.review_note = note
    # Runs the CheckConstraints (not the uploader; within the region's line).
    name_list.full_clean()
    name_list.save(
        update_fields=[
            "status",
            "confirmed_by",
            "confirmed_region",
            "confirmed_at",
            "review_note",
        ]
    )
    return name_list


def _check_columns_publishable(name_list: NameList, policy: MaskingPolicy) -> None:
    """Refuse a list holding a column the current rules do not publish.

    A list processed before the defaults were narrowed (or under other
    switches) may hold 类别, 备注 … columns; it must be uploaded again.
    """
    refused = [
        header
        for header, kind in zip(name_list.columns, name_list.column_kinds, strict=False)
        if not publishable(kind, policy)
    ]
    if refused:
        raise ValidationError(
            _(
                "名单中的列“%(columns)s”按现行全省规则不公开。请退回，由上传人重新上传后再审查。"
            )
            % {"columns": "、".join(refused)},
            code="column_not_publishable",
        )


def _public_start(name_list: NameList, today: date) -> date:
    """The first day the rows are public: the record's publication day, or ``today``
    (the confirmation) when that is later or the record has no publication time yet."""
    record = name_list.record
    if record.publish_at is None:
        return today
    return max(timezone.localdate(record.publish_at), today)


def _display_from(name_list: NameList, today: date) -> date:
    """Where the display period counts from: the record's publication day (as the
    public page shows it), or ``today`` when the record has no publication time yet."""
    record = name_list.record
    return timezone.localdate(record.publish_at) if record.publish_at else today


def compute_public_until(
    name_list: NameList, *, display_days: int, today: date
) -> date | None:
    """The last day a confirmed list's rows are public (None: standing, until replaced).

    A publicity period (公示期) ends with ``publicity_end``; a standing list
    has no end of its own; any other list ends ``display_days`` calendar days
    after its record's publication (the day of publication counts as the
    first). Pure: reads the list and its record only.
    """
    if name_list.standing:
        return None
    if name_list.publicity_end is not None:
        return name_list.publicity_end
    return _display_from(name_list, today) + timedelta(days=display_days - 1)


def _same_item_and_region(name_list: NameList) -> QuerySet:
    return (
        NameList.objects.confirmed()
        .filter(
            record__item_key=name_list.record.item_key, region_id=region_code(name_list)
        )
        .exclude(pk=name_list.pk)
    )


def _newer_than(name_list: NameList):
    record = name_list.record
    return (record.trigger_date, name_list.confirmed_at or timezone.now(), name_list.pk)


@transaction.atomic
def _settle_public_until(
    name_list: NameList, *, display_days: int, today: date
) -> list[int]:
    """Store the confirmed list's ``public_until`` and end the standing lists it replaces.

    A standing list of the same item and region that is older (by its
    record's trigger date, then confirmation) ends the day before this list
    becomes public; if this list is a standing list and a newer list already
    exists, this one ends likewise. Returns the ids of the lists ended.
    """
    name_list.public_until = compute_public_until(
        name_list, display_days=display_days, today=today
    )
    others = list(
        _same_item_and_region(name_list)
        .select_related("record")
        .select_for_update(of=("self",))
    )
    mine = _newer_than(name_list)
    newer = [o for o in others if _newer_than(o) > mine]
    if name_list.standing and newer:
        # Confirmed late: a newer list already replaces this one.
        first = min(newer, key=_newer_than)
        first_day = (
            timezone.localdate(first.confirmed_at) if first.confirmed_at else today
        )
        name_list.public_until = _public_start(first, first_day) - timedelta(days=1)
    name_list.save(update_fields=["public_until"])
    end = _public_start(name_list, today) - timedelta(days=1)
    ended = []
    for other in others:
        if other.standing and other.public_until is None and _newer_than(other) < mine:
            other.public_until = end
            other.save(update_fields=["public_until"])
            ended.append(other.pk)
    return ended


@transaction.atomic
def name_list_confirm(
    *, name_list: NameList, actor: User, note: str = "", now: datetime | None = None
) -> NameList:
    """Confirm a pending list (保密审查): it becomes public with its record, for a while.

    The reviewer belongs to the list's region or a region above it and is not
    the uploader (`can_confirm_name_list`, and the model's CheckConstraints).
    A list masked under a province policy that has changed since, or holding
    a column the current rules do not publish, is refused. The list's last
    public day (`public_until`) is stored now (`compute_public_until`), and
    standing lists of the same item and region that it replaces end the day
    before it becomes public.
    """
    setting = policy_setting()
    _check_policy_unchanged(name_list, setting)
    _check_columns_publishable(name_list, masking_policy(setting=setting))
    name_list = _review(name_list, actor, Status.CONFIRMED, note, now)
    today = timezone.localdate(now_or(now))
    replaced = _settle_public_until(
        name_list, display_days=setting.display_days, today=today
    )
    audit(
        "disclosures.namelist.confirmed",
        actor=actor,
        region=region_code(name_list),
        obj=name_list,
        record=name_list.record_id,
        rows=name_list.row_count,
        standing=name_list.standing,
        public_until=name_list.public_until.isoformat()
        if name_list.public_until
        else None,
        replaced=replaced,
    )
    return name_list


@transaction.atomic
def name_list_sync_with_record(
    *, record: DisclosureRecord, actor: User | None = None, now: datetime | None = None
) -> NameList | None:
    """Recompute the end of the record's confirmed list after the record's dates changed.

    For the records service to call when a record is published, scheduled or
    rescheduled after its list was confirmed: a display period counts from
    the record's publication day. Lists with a publicity period or standing
    lists keep their end, and an ended list stays ended. Returns the list, or
    None when the record has no confirmed list.
    """
    name_list = (
        NameList.objects.confirmed()
        .select_for_update(of=("self",))
        .select_related("record")
        .filter(record=record)
        .first()
    )
    if name_list is None:
        return None
    today = timezone.localdate(now_or(now))
    if name_list.public_period_kind != "display" or (
        name_list.public_until is not None and name_list.public_until < today
    ):
        return name_list
    before = name_list.public_until
    after = compute_public_until(
        name_list, display_days=policy_setting().display_days, today=today
    )
    if after == before:
        return name_list
    name_list.public_until = after
    name_list.save(update_fields=["public_until"])
    audit(
        "disclosures.namelist.public_until_changed",
        actor=actor,
        region=region_code(name_list),
        obj=name_list,
        before=before.isoformat() if before else None,
        after=after.isoformat() if after else None,
    )
    return name_list


@transaction.atomic
def name_list_reject(
    *, name_list: NameList, actor: User, note: str, now: datetime | None = None
) -> NameList:
    """Send a pending list back with the reviewer's reason; it is never published."""
    note = (note or "").strip()
    if not note:
        raise ValidationError(
            {"note": _("请填写退回理由，说明需要上传人修改什么。")}, code="required"
        )
    name_list = _review(name_list, actor, Status.REJECTED, note, now)
    audit(
        "disclosures.namelist.rejected",
        actor=actor,
        region=region_code(name_list),
        obj=name_list,
        record=name_list.record_id,
        note=note,
    )
    return name_list


@transaction.atomic
def name_list_delete(*, name_list: NameList, actor: User, reason: str = "") -> None:
    """Delete a list and its masked rows (a public one disappears from the record page).

    Not while it is being processed, unless its processing is stuck.
    """
    name_list = (
        NameList.objects.select_for_update()
        .select_related("record")
        .get(pk=name_list.pk)
    )
    if not can_manage_name_list(actor, name_list):
        raise PermissionDenied(_("您没有删除该名单的权限。"))
    if name_list.status == Status.PROCESSING and not name_list_is_stuck(name_list):
        raise ValidationError(
            _("名单正在处理中，请等处理完成后再删除。"), code="processing"
        )
    audit(
        "disclosures.namelist.deleted",
        actor=actor,
        region=region_code(name_list),
        obj=name_list,
        record=name_list.record_id,
        status=name_list.status,
        rows=name_list.row_count,
        reason=reason,
    )
    token = (name_list.report.get("job") or {}).get("token", "")
    name_list.delete()
    transaction.on_commit(partial(discard_token, token))
