"""Which village or community (村/社区) a record or a name list concerns (SPEC §14).

A township's record (a 低保 审核 公示 for one village, the quarterly 临时救助
results of one village's applicants …) may name the village it concerns; the
public record page and the printed notice show it. Only a village under the
record's own region is accepted. Every change is audited.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from catalogs.audit import audit, history_actor
from catalogs.models import Region, User

from ..models import DisclosureRecord, NameList


def _check(region_code: str, region_name: str, village: Region | None) -> None:
    if village is None:
        return
    if village.level != Region.Level.VILLAGE or not village.code.startswith(
        region_code
    ):
        raise ValidationError(
            {
                "village": _(
                    "“%(village)s”不是“%(region)s”辖区内的村（社区），请重新选择。"
                )
                % {"village": village.name, "region": region_name}
            },
            code="village_outside",
        )


def villages_of(region: Region) -> list[Region]:
    """The villages (村/社区) under `region`, in code order (1 query)."""
    return list(
        Region.objects.filter(
            level=Region.Level.VILLAGE, code__startswith=region.code
        ).order_by("code")
    )


@transaction.atomic
def record_village_set(
    *, record: DisclosureRecord, village: Region | None, actor: User | None
) -> DisclosureRecord:
    """Name (or clear) the village a record concerns (audited; no-op when unchanged)."""
    _check(record.region_id, record.region.name, village)
    new = village.code if village else None
    if record.village_id == new:
        return record
    before = record.village_id
    record.village = village
    history_actor(record, actor)
    record.save(update_fields=["village", "updated_at"])
    audit(
        "disclosures.record.village_set",
        actor=actor,
        region=record.region_id,
        obj=record,
        before=before,
        village=new,
    )
    return record


@transaction.atomic
def name_list_village_set(
    *, name_list: NameList, village: Region | None, actor: User | None
) -> NameList:
    """Name (or clear) the village a name list concerns (audited; no-op when unchanged)."""
    record = name_list.record
    _check(record.region_id, record.region.name, village)
    new = village.code if village else None
    if name_list.village_id == new:
        return name_list
    before = name_list.village_id
    name_list.village = village
    name_list.save(update_fields=["village"])
    audit(
        "disclosures.namelist.village_set",
        actor=actor,
        region=record.region_id,
        obj=name_list,
        before=before,
        village=new,
    )
    return name_list
