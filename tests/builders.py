"""Builders shared by test modules (plain functions; the fixtures live in conftest.py).

- public records and de-identified name lists as the services store them (the portal tests,
  the crawls, the browser tests, the access matrix);
- name-list uploads run through staging and processing (the name-list tests, the privacy crawl);
- the catalog item form as a browser without JavaScript posts it.
"""

from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from django.utils import timezone

from catalogs.models import CatalogItem, Region
from demo import namelists as demo_namelists
from disclosures.models import DisclosureRecord, NameList, NameListRow
from disclosures.namelists import processing as namelist_processing
from disclosures.namelists import services as namelist_services
from disclosures.namelists import staging as namelist_staging
from disclosures.records import obligations as obligation_services
from disclosures.records import services as record_services

SHANGHAI = ZoneInfo("Asia/Shanghai")


LUOLONG, LILOU, YANSHI = "410311", "410311012", "410307"


SA = "social-assistance"


# --- public records and their name lists --------------------------------------------


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=SHANGHAI)


def item_for(
    region_code: str, name: str, category: str = "最低生活保障"
) -> CatalogItem:
    region = Region.objects.get(code=region_code)
    return next(
        i
        for i in obligation_services.applicable_items(region)
        if i.name == name and i.category.name == category
    )


def publish_record(
    *,
    region_code: str = LILOU,
    title: str = "李楼街道2025年第三季度低保审核对象公示",
    body: str = "经入户调查和民主评议，以下家庭拟纳入最低生活保障。",
    item_name: str = "审核信息",
    category: str = "最低生活保障",
    published_on: date | None = None,
    trigger_days_before: int = 3,
) -> DisclosureRecord:
    """A record published through the records service at 10:00 on `published_on`."""
    published_on = published_on or timezone.localdate() - timedelta(days=20)
    return record_services.record_create(
        region=Region.objects.get(code=region_code),
        item=item_for(region_code, item_name, category),
        trigger_date=published_on - timedelta(days=trigger_days_before),
        title=title,
        body=body,
        actor=None,
        publish=record_services.PUBLISH_NOW,
        now=at(published_on),
    )


def draft_record(*, title: str, region_code: str = LILOU, **kwargs) -> DisclosureRecord:
    return record_services.record_create(
        region=Region.objects.get(code=region_code),
        item=item_for(region_code, "审核信息"),
        trigger_date=timezone.localdate() - timedelta(days=2),
        title=title,
        actor=None,
        **kwargs,
    )


NAME_COLUMNS = ["姓名", "家庭人口", "保障金额（元/月）", "村（社区）"]


def add_name_list(
    record: DisclosureRecord,
    *,
    rows: int = 3,
    status: str = NameList.Status.CONFIRMED,
    publicity_end: date | None = None,
) -> NameList:
    """A de-identified list as the name-list pipeline stores it (masked rows only)."""
    name_list = NameList.objects.create(
        record=record,
        status=status,
        source_filename="名单.xlsx",
        columns=NAME_COLUMNS,
        column_kinds=["name", "household_size", "amount", "village"],
        mask_names=True,
        row_count=rows,
        rows_done=rows,
        publicity_end=publicity_end,
        confirmed_at=timezone.now() if status == NameList.Status.CONFIRMED else None,
    )
    NameListRow.objects.bulk_create(
        [
            NameListRow(
                name_list=name_list,
                number=n,
                cells=[
                    f"张*{'明亮'[n % 2]}{n}",
                    str(1 + n % 4),
                    str(500 + n),
                    "李楼村",
                ],
            )
            for n in range(1, rows + 1)
        ]
    )
    return name_list


def more_data() -> None:
    """Grow the data set for the query-count tests: records everywhere, a long list."""
    for n, code in enumerate(
        [LUOLONG, LILOU, "410311013", YANSHI, "410307001", "410302"] * 4
    ):
        region = Region.objects.filter(code=code).first() or Region.objects.get(
            code=LUOLONG
        )
        record = publish_record(
            region_code=region.code,
            title=f"{region.name}低保审核对象公示（第{n}批）",
            published_on=timezone.localdate() - timedelta(days=30 + n),
            item_name="审核信息"
            if region.level == Region.Level.TOWNSHIP
            else "审批信息",
        )
        if n % 3 == 0:
            add_name_list(record, rows=40)


# --- name-list uploads through the pipeline ------------------------------------------


def temporary_record(title: str, **kwargs):
    """A 临时救助 审批信息 record of 李楼街道 (no publicity period, not a standing list):
    its list is public for the province's display period."""
    return publish_record(
        title=title, item_name="审批信息", category="临时救助", **kwargs
    )


def people(count: int = 12, seed: str = "test"):
    return demo_namelists.synthetic_people(count, seed=seed)


def list_bytes(count: int = 12, seed: str = "test") -> bytes:
    return demo_namelists.workbook_bytes("李楼街道临时救助名单", people(count, seed))


def staged_files(staging: Path) -> list[str]:
    return sorted(p.name for p in staging.iterdir()) if staging.exists() else []


def process(
    record,
    actor,
    data: bytes | None = None,
    filename: str = "名单.xlsx",
    *,
    mapping: dict | None = None,
    mask_names: bool = False,
    publicity_end=None,
) -> NameList:
    """Upload, map (suggestions unless given) and process in this thread."""
    staged = namelist_staging.name_list_stage_upload(
        record=record,
        data=data if data is not None else list_bytes(),
        filename=filename,
        actor=actor,
    )
    table = namelist_staging.staged_upload_table(staged)
    if mapping is None:
        mapping = {c.index: c.suggested for c in table.columns}
    name_list = namelist_processing.name_list_start(
        staged=staged,
        record=record,
        sheet=table.sheet,
        mapping=mapping,
        mask_names=mask_names,
        publicity_end=publicity_end,
        actor=actor,
        dispatch=False,
    )
    return namelist_processing.name_list_process(name_list.pk)


def publish_list(record, uploader, reviewer, **kwargs) -> NameList:
    name_list = process(record, uploader, **kwargs)
    name_list = namelist_services.name_list_submit(name_list=name_list, actor=uploader)
    return namelist_services.name_list_confirm(name_list=name_list, actor=reviewer)


DIBAO_HEADER = [
    "序号",
    "姓名",
    "身份证号",
    "性别",
    "年龄",
    "家庭人口",
    "保障金额",
    "类别",
    "备注",
    "致困原因",
    "地址",
    "村/社区",
    "联系电话",
    "银行卡号",
    "开户行",
]


DIBAO_SENSITIVE = [
    "户主患尿毒症",
    "精神残疾",
    "刑满释放人员",
    "因病致困",
    "重残",
    "A类",
]


def dibao_bytes(count: int = 9) -> bytes:
    """A 15-column 低保 list as county systems export it, sensitive words in 类别/备注/原因."""
    import openpyxl

    crowd = people(count, seed="dibao")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["李楼街道城乡低保对象名单"])
    sheet.append(DIBAO_HEADER)
    for n, p in enumerate(crowd, start=1):
        sheet.append(
            [
                n,
                p.name,
                p.id_number,
                "女" if n % 2 else "男",
                40 + n,
                p.household,
                p.amount,
                ["A类", "B类（重残）", "C类"][n % 3],
                DIBAO_SENSITIVE[n % 3],
                DIBAO_SENSITIVE[3],
                p.address,
                p.village,
                p.phone,
                p.bank_card,
                "洛阳农商银行",
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- catalog items --------------------------------------------------------------------


def item_post_data(item, *, content=None, bases=None, **fields) -> dict:
    """The item form as a browser without JavaScript would post it."""
    content = list(item.content) if content is None else content
    if bases is None:
        bases = list(item.basis_links.values_list("document_id", flat=True))
    data = {
        "name": item.name,
        "category": item.category_id,
        "deadline_kind": item.deadline_kind,
        "deadline_trigger": item.deadline_trigger,
        "deadline_amount": item.deadline_amount or "",
        "deadline_period": item.deadline_period,
        "publicity_amount": item.publicity_amount or "",
        "publicity_unit": item.publicity_unit or "working_day",
        "subjects": item.subjects,
        "channels": item.channels,
        "channel_other": item.channel_other,
        "audience": item.audience,
        "mode": item.mode,
        "levels": item.levels,
        "lock_version": item.lock_version,
        "content-TOTAL_FORMS": len(content),
        "content-INITIAL_FORMS": min(len(item.content), len(content)),
        "content-MIN_NUM_FORMS": 0,
        "content-MAX_NUM_FORMS": 1000,
        "bases-TOTAL_FORMS": len(bases),
        "bases-INITIAL_FORMS": 0,
        "bases-MIN_NUM_FORMS": 0,
        "bases-MAX_NUM_FORMS": 1000,
    }
    for i, text in enumerate(content):
        data[f"content-{i}-text"] = text
        data[f"content-{i}-ORDER"] = i + 1
    for i, basis in enumerate(bases):
        data[f"bases-{i}-ORDER"] = i + 1
        if isinstance(basis, dict):
            data[f"bases-{i}-title"] = basis["title"]
            data[f"bases-{i}-number"] = basis.get("number", "")
            data[f"bases-{i}-kind"] = basis.get("kind", "document")
        else:
            data[f"bases-{i}-document"] = basis
            data[f"bases-{i}-kind"] = "document"
    data.update(fields)
    return data
