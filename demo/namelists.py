"""Demo name lists: made-up people published through the real de-identification pipeline.

Runs after `demo.records` (李楼街道 and the other townships of 洛龙区
then have public records). Each list is a synthetic workbook as a township
office would export it: a title row above the header, 姓名, 公民身份号码 (valid
GB 11643 check digits, one deliberately wrong), 联系电话, 银行卡号, 家庭住址 down
to the house number, 家庭人口, 金额, 所属村, 类别, a 备注 column in which clerks
sometimes type a phone or ID number, and a 致困原因 column ("因病致困",
"肢体残疾" …). It goes through exactly what a clerk's upload goes through:
staging, mapping (the header suggestions), de-identification, preview,
submission by the uploader and the confidentiality review (保密审查) by a
second person of the parent region. Only the four columns of 第六十一条
(姓名, 家庭人口, 金额, 所属村) are published: 类别, 备注, 致困原因 and the address
stay in the upload to show that they are not.

* 李楼街道's quarterly 临时救助 records (the two latest) get a list with masked
  given names, uploaded by demo-township and confirmed by demo-county; they
  are public for the province's display period (365 days);
* its two 最低生活保障 公示 records get full-name lists that end with the
  record's publicity period (公示期), so the older one shows the expired notice;
* one record of another 洛龙区 township gets a list uploaded by demo-county and
  confirmed by demo-city;
* a 最低生活保障 审批信息 record about 低保 in 洛龙区, if the demo has one, gets a
  standing list of current recipients (长期公示), uploaded by demo-county and
  confirmed by demo-city.

Deterministic (fixed seeds, no clock in the data). Idempotent: a record that
already has a list is left alone. `raw_identifiers()` returns every ID, phone
and card number the demo generates, for the privacy crawl test.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from datetime import date, timedelta

from openpyxl import Workbook

from django.db.models import Q

from catalogs.models import User
from disclosures.deidentify import gb11643_check_digit
from disclosures.models import DisclosureRecord, NameList
from disclosures.namelists import processing, staging
from disclosures.namelists import services as namelist_services

COUNTY_CODE = "410311"
LILOU = "410311012"
UPLOADER, COUNTY_REVIEWER, CITY_REVIEWER = "demo-township", "demo-county", "demo-city"
QUARTERLY_ITEM = "临时救助审核审批结果"
REVIEW_SUFFIX = "最低生活保障拟纳入对象公示"
# The county's 低保 审批信息 (低保对象名单): a standing list of current recipients.
STANDING_ITEM, STANDING_CATEGORY = "审批信息", "最低生活保障"

SURNAMES = [
    "王",
    "李",
    "张",
    "刘",
    "陈",
    "杨",
    "赵",
    "黄",
    "周",
    "吴",
    "徐",
    "孙",
    "马",
    "朱",
    "胡",
    "郭",
    "何",
    "高",
    "罗",
    "郑",
    "梁",
    "谢",
    "宋",
    "唐",
    "许",
    "韩",
    "冯",
    "邓",
    "曹",
    "彭",
    "欧阳",
    "司马",
    "诸葛",
    "上官",
]
GIVEN = (
    "伟 芳 娜 秀英 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 秀兰 霞 平 刚 桂英 建华 国强 "
    "玉兰 淑珍 春生 富贵 满仓 素芬 红梅 志刚 文革 卫东 小燕 金凤 保国 长海 翠花"
).split()
VILLAGES = [
    "李楼村",
    "东马沟村",
    "西马沟村",
    "岳村",
    "郭村",
    "冢头村",
    "东刘村",
    "前营村",
]
CATEGORIES = {
    "temporary": ["急难型临时救助", "支出型临时救助"],
    "dibao": ["A类", "B类", "C类"],
}
HEADER = [
    "序号",
    "姓名",
    "公民身份号码",
    "联系电话",
    "银行卡号",
    "家庭住址",
    "家庭人口",
    "%(amount)s",
    "所属村",
    "%(category)s",
    "备注",
    "致困原因",
]
# Why a household is on the list: sensitive (health, disability …), never published.
REASONS = [
    "因病致困",
    "肢体残疾，无劳动能力",
    "家庭成员患尿毒症",
    "因灾致困",
    "精神残疾",
    "刑满释放人员",
    "",
    "",
]


@dataclass(frozen=True)
class Person:
    """A made-up person on a list: every identifier is synthetic."""

    name: str
    id_number: str
    phone: str
    bank_card: str
    address: str
    household: int
    amount: int
    village: str
    category: str
    remark: str
    reason: str = ""


def id_number(region: str, birth: date, sequence: int, *, valid: bool = True) -> str:
    """An 18-character resident ID number (GB 11643) with a right or wrong check digit."""
    first17 = f"{region}{birth:%Y%m%d}{sequence % 1000:03d}"
    check = gb11643_check_digit(first17)
    if not valid:
        check = "0" if check != "0" else "1"
    return first17 + check


def synthetic_people(
    count: int, *, seed: str, kind: str = "temporary", region: str = COUNTY_CODE
) -> list[Person]:
    """``count`` made-up people, the same for the same seed."""
    rng = random.Random(seed)
    people = []
    for n in range(count):
        surname = rng.choice(SURNAMES)
        name = surname + rng.choice(GIVEN)
        birth = date(1940, 1, 1) + timedelta(days=rng.randint(0, 365 * 60))
        ident = id_number(region, birth, rng.randint(1, 999), valid=(n != 3))
        if n % 9 == 5:
            ident = (
                ident[:-1] + "x" if ident.endswith("X") else ident
            )  # lower-case x as clerks type it
        phone = (
            "1"
            + rng.choice("3456789")
            + "".join(rng.choice("0123456789") for _ in range(9))
        )
        card = "6217" + "".join(rng.choice("0123456789") for _ in range(15))
        village = rng.choice(VILLAGES)
        address = (
            f"洛阳市洛龙区李楼街道{village}{rng.randint(1, 9)}组{rng.randint(1, 80)}号"
        )
        remark = ""
        if n % 7 == 2:
            remark = f"联系电话{phone[:3]} {phone[3:7]} {phone[7:]}，请村委转告"
        elif n % 11 == 4:
            remark = f"代领人身份证{ident}"
        elif n % 5 == 1:
            remark = "因病致困，户主长期住院"
        reason = rng.choice(REASONS)
        people.append(
            Person(
                name=name,
                id_number=ident,
                phone=phone,
                bank_card=card,
                address=address,
                household=rng.randint(1, 6),
                amount=rng.choice([300, 450, 500, 800, 1200, 1500, 2000])
                if kind == "temporary"
                else rng.choice([292, 365, 438, 511]),
                village=village,
                category=rng.choice(CATEGORIES[kind]),
                remark=remark,
                reason=reason,
            )
        )
    return people


def raw_identifiers(people: list[Person]) -> set[str]:
    """Every identifier the people carry, as written in the upload."""
    found = set()
    for p in people:
        found.update({p.id_number, p.id_number.upper(), p.phone, p.bank_card})
    return found


def workbook_bytes(
    title: str, people: list[Person], *, kind: str = "temporary"
) -> bytes:
    """The list as a township office exports it: a title row, a blank row, the header, the rows."""
    amount = "救助金额（元）" if kind == "temporary" else "保障金额（元/月）"
    category = "救助类别" if kind == "temporary" else "保障类别"
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "名单"
    sheet.append([title])
    sheet.append([])
    sheet.append(
        [
            h % {"amount": amount, "category": category} if "%" in h else h
            for h in HEADER
        ]
    )
    for n, p in enumerate(people, start=1):
        sheet.append(
            [
                n,
                p.name,
                p.id_number,
                p.phone,
                p.bank_card,
                p.address,
                p.household,
                p.amount,
                p.village,
                p.category,
                p.remark or None,
                p.reason or None,
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@dataclass(frozen=True)
class DemoList:
    record: DisclosureRecord
    uploader: User
    reviewer: User
    kind: str
    mask_names: bool
    rows: int

    @property
    def seed(self) -> str:
        return f"namelist-{self.record.region_id}-{self.record.title}"

    def people(self) -> list[Person]:
        return synthetic_people(self.rows, seed=self.seed, kind=self.kind)


def _plan(users: dict[str, User]) -> list[DemoList]:
    public = DisclosureRecord.objects.public().filter(
        region__code__startswith=COUNTY_CODE
    )
    lilou = list(
        public.filter(region_id=LILOU).select_related("item").order_by("-publish_at")
    )
    plan: list[DemoList] = []
    quarterly = [r for r in lilou if r.item.name == QUARTERLY_ITEM][:2]
    for n, record in enumerate(quarterly):
        plan.append(
            DemoList(
                record,
                users[UPLOADER],
                users[COUNTY_REVIEWER],
                "temporary",
                True,
                120 if n == 0 else 40,
            )
        )
    for record in [r for r in lilou if r.title.endswith(REVIEW_SUFFIX)][:2]:
        plan.append(
            DemoList(
                record, users[UPLOADER], users[COUNTY_REVIEWER], "dibao", False, 30
            )
        )
    other = (
        public.filter(region__parent_id=COUNTY_CODE, item__name=QUARTERLY_ITEM)
        .exclude(region_id=LILOU)
        .order_by("region_id", "-publish_at")
        .first()
    )
    if other is not None:
        plan.append(
            DemoList(
                other,
                users[COUNTY_REVIEWER],
                users[CITY_REVIEWER],
                "temporary",
                False,
                25,
            )
        )
    standing = (
        public.filter(item__name=STANDING_ITEM, item__category__name=STANDING_CATEGORY)
        .filter(Q(title__contains="低保") | Q(title__contains="最低生活保障"))
        .exclude(title__endswith=REVIEW_SUFFIX)
        .order_by("region_id", "-publish_at")
        .first()
    )
    if standing is not None:
        plan.append(
            DemoList(
                standing,
                users[COUNTY_REVIEWER],
                users[CITY_REVIEWER],
                "dibao",
                False,
                45,
            )
        )
    return plan


def publish_list(entry: DemoList) -> NameList:
    """Upload, map (header suggestions), de-identify, submit and confirm one list."""
    record = entry.record
    people = entry.people()
    data = workbook_bytes(
        f"{record.region.name}{record.title}名单", people, kind=entry.kind
    )
    staged = staging.name_list_stage_upload(
        record=record, data=data, filename="名单.xlsx", actor=entry.uploader
    )
    table = staging.staged_upload_table(staged)
    mapping = {c.index: c.suggested for c in table.columns}
    name_list = processing.name_list_start(
        staged=staged,
        record=record,
        sheet=table.sheet,
        mapping=mapping,
        mask_names=entry.mask_names,
        publicity_end=record.publicity_end,
        actor=entry.uploader,
        dispatch=False,
    )
    name_list = processing.name_list_process(name_list.pk)
    if name_list is None or name_list.status != NameList.Status.PREVIEW:
        return name_list
    name_list = namelist_services.name_list_submit(
        name_list=name_list, actor=entry.uploader, now=record.publish_at
    )
    return namelist_services.name_list_confirm(
        name_list=name_list, actor=entry.reviewer, now=record.publish_at
    )


def demo_people() -> list[Person]:
    """Everybody the demo would put on a list, for the privacy tests."""
    users = {
        u.username: u
        for u in User.objects.filter(
            username__in=[UPLOADER, COUNTY_REVIEWER, CITY_REVIEWER]
        )
    }
    if len(users) < 3:
        return []
    return [p for entry in _plan(users) for p in entry.people()]


def seed(*, scale: str = "demo", stdout=None) -> list[NameList]:
    """Publish the demo lists that do not exist yet (any scale: a few small lists)."""
    users = {
        u.username: u
        for u in User.objects.filter(
            username__in=[UPLOADER, COUNTY_REVIEWER, CITY_REVIEWER]
        )
    }
    if len(users) < 3:
        if stdout is not None:
            stdout.write("demo_namelists: 演示账号不存在，跳过。")
        return []
    existing = set(NameList.objects.values_list("record_id", flat=True))
    created = [
        publish_list(entry) for entry in _plan(users) if entry.record.pk not in existing
    ]
    if stdout is not None:
        rows = sum(n.row_count for n in created if n is not None)
        stdout.write(
            "demo_namelists: 已通过去标识化流程发布名单%(lists)s份，共%(rows)s行。"
            % {"lists": len(created), "rows": rows}
        )
    return created
