"""No name list is public forever (SPEC §5), and narrower default columns.

Adds `NameList.standing` and `NameList.public_until` (the last day its rows are
public) and the province policy's new switches (类别, 地址, the default name
masking, the display period), then computes ``public_until`` for the lists
already confirmed, with the rules of `disclosures.namelists` as they stand
here (frozen, so that later changes of the service do not change history):

* a list with a publicity period (its ``publicity_end``) ends with it;
* a standing list (低保/特困 current recipients: an 审批 item of those
  categories, or an item published 长期) ends the day before a newer confirmed
  list of the same item and region became public, or stays until replaced;
* any other list ends ``display_days`` (default 365) after its record's
  publication.

It also narrows the lists already processed to the columns now published by
default (第六十一条: 姓名、家庭人口、金额、村/社区, plus ID and phone numbers if the
province had enabled them): 类别, 备注, 地址 … columns are removed from their
masked rows, so no earlier list keeps publishing them.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

import django.core.validators
from django.db import migrations, models
from django.utils import timezone

DEFAULT_DISPLAY_DAYS = 365
STANDING_WORDS = ("最低生活保障", "低保", "特困")


def _standing_item(item, record) -> bool:
    if record.publicity_end is not None or item.publicity_amount:
        return False
    if "长期" in (item.time_limit_text or ""):
        return True
    text = f"{item.category.name}{item.name}"
    return "审批" in item.name and any(word in text for word in STANDING_WORDS)


def _day(value, fallback):
    return timezone.localdate(value) if value is not None else fallback


def compute_public_until(apps, schema_editor):
    NameList = apps.get_model("disclosures", "NameList")
    Setting = apps.get_model("disclosures", "MaskingPolicySetting")
    setting = Setting.objects.order_by("pk").first()
    days = setting.display_days if setting is not None else DEFAULT_DISPLAY_DAYS
    today = timezone.localdate()
    lists = list(
        NameList.objects.filter(status="confirmed").select_related(
            "record", "record__item", "record__item__category"
        )
    )
    groups = defaultdict(list)
    for name_list in lists:
        record = name_list.record
        confirmed = _day(name_list.confirmed_at, today)
        name_list._start = max(_day(record.publish_at, confirmed), confirmed)
        name_list._from = _day(record.publish_at, confirmed)
        name_list.standing = name_list.publicity_end is None and _standing_item(record.item, record)
        groups[(record.item_key, record.region_id)].append(name_list)
    for members in groups.values():
        members.sort(key=lambda n: (n.record.trigger_date, n.confirmed_at or timezone.now(), n.pk))
        for index, name_list in enumerate(members):
            if name_list.standing:
                newer = members[index + 1] if index + 1 < len(members) else None
                name_list.public_until = newer._start - timedelta(days=1) if newer else None
            elif name_list.publicity_end is not None:
                name_list.public_until = name_list.publicity_end
            else:
                name_list.public_until = name_list._from + timedelta(days=days - 1)
            NameList.objects.filter(pk=name_list.pk).update(
                standing=name_list.standing, public_until=name_list.public_until
            )


ARTICLE_61 = {"name", "household_size", "amount", "village"}
ROW_BATCH = 1000


def narrow_columns(apps, schema_editor):
    NameList = apps.get_model("disclosures", "NameList")
    NameListRow = apps.get_model("disclosures", "NameListRow")
    Setting = apps.get_model("disclosures", "MaskingPolicySetting")
    setting = Setting.objects.order_by("pk").first()
    allowed = set(ARTICLE_61)
    if setting is not None and setting.publish_id_number:
        allowed.add("id_number")
    if setting is not None and setting.publish_phone:
        allowed.add("phone")
    pks = list(NameList.objects.exclude(status__in=["processing", "failed"]).values_list("pk", flat=True))
    for pk in pks:
        name_list = NameList.objects.get(pk=pk)
        kinds = list(name_list.column_kinds or [])
        keep = [i for i, kind in enumerate(kinds) if kind in allowed]
        if len(keep) == len(kinds):
            continue
        name_list.columns = [name_list.columns[i] for i in keep if i < len(name_list.columns)]
        name_list.column_kinds = [kinds[i] for i in keep]
        report = dict(name_list.report or {})
        for column in report.get("columns", []):
            if column.get("published") and column.get("kind") not in allowed:
                column["published"] = False
                column["reason"] = "按全省新规则（第六十一条）不再公开"
        name_list.report = report
        name_list.save(update_fields=["columns", "column_kinds", "report"])
        rows = NameListRow.objects.filter(name_list_id=pk).only("pk", "cells").order_by("pk")
        last = 0
        while batch := list(rows.filter(pk__gt=last)[:ROW_BATCH]):
            for row in batch:
                cells = row.cells or []
                row.cells = [cells[i] if i < len(cells) else "" for i in keep]
            NameListRow.objects.bulk_update(batch, ["cells"])
            last = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [
        ("disclosures", "0006_record_privacy_check"),
    ]

    operations = [
        migrations.AddField(
            model_name="namelist",
            name="standing",
            field=models.BooleanField(
                default=False,
                help_text="一直公开，直到同一事项、同一区划的新名单确认公开时被替换。",
                verbose_name="长期公示（当前在册人员名单）",
            ),
        ),
        migrations.AddField(
            model_name="namelist",
            name="public_until",
            field=models.DateField(
                blank=True,
                null=True,
                help_text="名单内容对公众公开到这一天（含）；之后公众只能看到公开起止时间。确认公开时计算；长期公示的名单在被新名单替换前为空。",
                verbose_name="名单公开至",
            ),
        ),
        migrations.AddField(
            model_name="maskingpolicysetting",
            name="publish_category",
            field=models.BooleanField(
                default=False,
                help_text="默认不公开。《社会救助暂行办法》第六十一条只要求公开姓名、家庭人口、金额和所在村（社区）；备注、原因等自由填写的列一律不公开。",
                verbose_name="公开“类别”列（如保障类别A类、B类）",
            ),
        ),
        migrations.AddField(
            model_name="maskingpolicysetting",
            name="publish_address",
            field=models.BooleanField(
                default=False,
                help_text="默认不公开：名单已有“村/社区”列时无需公开地址。",
                verbose_name="公开地址列（截取到村/社区）",
            ),
        ),
        migrations.AddField(
            model_name="maskingpolicysetting",
            name="mask_names_default",
            field=models.BooleanField(
                default=True,
                help_text="上传名单时“姓名如何公开”的默认选项；上传人可按名单性质改为公开全名。",
                verbose_name="姓名默认遮蔽名字（张*明）",
            ),
        ),
        migrations.AddField(
            model_name="maskingpolicysetting",
            name="display_days",
            field=models.PositiveIntegerField(
                default=365,
                help_text="既无公示期、又不是长期公示的名单，自公开之日起展示这么多天，之后只显示公开起止时间。调整只影响此后确认的名单。",
                validators=[
                    django.core.validators.MinValueValidator(1),
                    django.core.validators.MaxValueValidator(1098),
                ],
                verbose_name="无公示期名单的展示期（天）",
            ),
        ),
        migrations.RunPython(narrow_columns, migrations.RunPython.noop),
        migrations.RunPython(compute_public_until, migrations.RunPython.noop),
    ]
