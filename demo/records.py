"""Demo records: four quarters of disclosure work in 洛龙区 (410311) and its townships.

Runs after `demo.users` and `demo.portal` (洛龙区 then has a
published catalog of each domain). Through the real services:

* 洛龙区's social-assistance catalog gets a local quarterly item for townships
  (临时救助审核审批结果, 每季度末, 乡级) in a new version that goes through
  submit → approve (洛阳市) → publish, unless the published catalog has one;
* every official township (and the county, for items at both levels) owes each
  quarterly posting for each of the last four complete quarters and the current
  one; most posted on time, some late, some never (missed);
* the county and a few townships published event records (policies, 审核信息
  with a 公示期) — most on time, a few late, one still overdue as a draft, one
  due within days, one withdrawn (and replaced), and one scheduled for the future
  at 李楼街道 (demo-township).

Deterministic for a given day (fixed random seeds). Idempotent: if any demo
account has records in 洛龙区, nothing is added.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from catalogs import services as catalog_services
from catalogs.deadlines import RuleKind, period_bounds
from catalogs.models import Catalog, CatalogItem, Category, Domain, Region, User
from disclosures.models import DisclosureRecord, Obligation
from disclosures.records import obligations as obligation_services
from disclosures.records import services as record_services

COUNTY_CODE = "410311"
DEMO_TOWNSHIP_CODE = "410311012"  # 李楼街道, demo-township
DEMO_USERNAMES = ["demo-county", "demo-township", "demo-city"]

QUARTERLY_ITEM = {
    "name": "临时救助审核审批结果",
    "category": "临时救助",
    "content": ["救助对象所在村（社区）", "救助事由", "救助金额", "审批结果"],
    "time_limit_text": "每季度末",
    "subjects": ["乡镇人民政府（街道办事处）"],
    "channels": ["政府网站", "社区/企事业单位/村公示栏（电子屏）"],
    "audience": ["全社会"],
    "mode": ["主动"],
    "levels": ["乡级"],
}
QUARTERLY_BASES = [
    {"title": "《社会救助暂行办法》", "number": "国务院令第649号"},
    {"title": "《国务院关于全面建立临时救助制度的通知》", "number": "国发〔2014〕47号"},
]
FILLED_CONTENT = {
    "审核信息": ["初审对象名单", "初审对象家庭人口", "救助供养标准"],
    "审批信息": ["审批对象名单", "救助供养金额", "终止供养名单"],
}

COUNTY_TITLES = [
    "洛龙区民政局关于调整城乡最低生活保障标准的通知",
    "洛龙区特困人员救助供养工作实施细则",
    "洛龙区临时救助办事指南（修订）",
    "洛龙区社会救助工作专项检查情况通报",
    "洛龙区养老服务补贴发放情况",
    "洛龙区养老机构备案信息更新",
    "洛龙区经济困难老年人补贴申领指南",
    "洛龙区最低生活保障审批情况",
]
COUNTY_BODY = (
    "根据《社会救助暂行办法》（国务院令第649号）和省、市有关规定，结合本区实际，"
    "现将有关事项公开如下。一、适用范围：本区户籍的城乡困难群众。二、办理程序：申请、"
    "受理、审核、审批、公示。三、办理地点：所在街道（镇）便民服务中心社会救助窗口。"
    "如有疑问，请到区民政局社会救助股咨询。"
)
QUARTER_BODY = (
    "根据《社会救助暂行办法》和《河南省临时救助实施办法》，现将%(quarter)s%(item)s公开如下："
    "本季度共受理临时救助申请%(applied)s件，经入户调查、民主评议和审核审批，%(granted)s户获得临时救助，"
    "支出救助资金共计%(amount)s元。救助对象名单按规定去标识化后在各村（社区）公示栏同步公示。"
    "如有异议，请于公示期内向%(region)s民政部门反映。"
)
REVIEW_BODY = (
    "经本人申请、入户调查和民主评议，%(township)s拟将以下家庭纳入最低生活保障范围，现予公示，"
    "公示期为7个工作日。公示期内如有异议，请向%(township)s社会事务办公室或区民政局反映。"
    "名单（已去标识化）见各村（社区）公示栏。"
)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _say(stdout, message: str) -> None:
    if stdout is not None:
        stdout.write(message)


def _quarters(today: date) -> list[date]:
    """First days of the four complete quarters before the current one, oldest first."""
    start, _end = period_bounds(today, "quarter")
    firsts = []
    for _i in range(4):
        start, _end = period_bounds(start - timedelta(days=1), "quarter")
        firsts.append(start)
    return list(reversed(firsts))


def _has_quarterly_item(catalog: Catalog | None) -> bool:
    return (
        catalog is not None
        and catalog.items.filter(
            deadline_kind=RuleKind.PERIODIC.value, omitted=False
        ).exists()
    )


def ensure_quarterly_item(
    *, county_user: User, city_user: User, published_at: datetime
) -> Catalog | None:
    """洛龙区's published social-assistance catalog with a quarterly township item.

    Adds the item in a new version through the catalog services (start or clone,
    add, fill lost content, submit, approve by the city, publish) when the
    current published version lacks one. Returns None when a version someone
    else is working on blocks this (it is then left alone).
    """
    county = Region.objects.get(code=COUNTY_CODE)
    domain = Domain.objects.get(slug="social-assistance")
    published = (
        Catalog.objects.current_published().filter(region=county, domain=domain).first()
    )
    if _has_quarterly_item(published):
        return published
    open_version = (
        Catalog.objects.open_versions().filter(region=county, domain=domain).first()
    )
    if open_version is not None and open_version.status != Catalog.Status.DRAFT:
        return None
    with transaction.atomic():
        if open_version is None:
            if published is not None:
                open_version = catalog_services.catalog_start_new_version(
                    catalog=published, actor=county_user
                )
            else:
                open_version = catalog_services.catalog_clone(
                    region=county, domain=domain, actor=county_user
                )
        if not _has_quarterly_item(open_version):
            category = Category.objects.get(
                domain=domain, name=QUARTERLY_ITEM["category"]
            )
            values = {k: v for k, v in QUARTERLY_ITEM.items() if k != "category"}
            values["category_id"] = category.pk
            catalog_services.catalog_item_add(
                catalog=open_version,
                values=values,
                bases=QUARTERLY_BASES,
                actor=county_user,
            )
        for item in CatalogItem.objects.filter(catalog=open_version, content=[]):
            catalog_services.catalog_item_set_elements(
                item=item,
                values={"content": list(FILLED_CONTENT.get(item.name, ["相关信息"]))},
                bases=None,
                actor=county_user,
            )
        catalog_services.catalog_submit(catalog=open_version, actor=county_user)
        catalog_services.catalog_approve(
            catalog=open_version,
            actor=city_user,
            comment="同意。新增乡镇（街道）按季度公开临时救助审核审批结果。",
        )
        return catalog_services.catalog_publish(
            catalog=open_version, actor=county_user, published_at=published_at
        )


def _pick(
    items: list[CatalogItem], *, kind: str, publicity: bool | None = None
) -> list[CatalogItem]:
    return [
        i
        for i in items
        if i.deadline_kind == kind
        and (publicity is None or bool(i.publicity_amount) == publicity)
    ]


def seed(*, scale: str = "demo", stdout=None) -> dict | None:
    """Seed 洛龙区's records (any scale; a second run adds nothing)."""
    users = {u.username: u for u in User.objects.filter(username__in=DEMO_USERNAMES)}
    if len(users) < len(DEMO_USERNAMES):
        _say(stdout, "demo_records: 演示账号不存在，跳过。")
        return None
    if DisclosureRecord.objects.filter(
        region__code__startswith=COUNTY_CODE, created_by__username__in=DEMO_USERNAMES
    ).exists():
        _say(stdout, "demo_records: 洛龙区演示公开信息已存在，跳过。")
        return None
    county_user, township_user = users["demo-county"], users["demo-township"]
    now = timezone.now()
    today = timezone.localdate(now)
    quarters = _quarters(today)
    catalog = ensure_quarterly_item(
        county_user=county_user,
        city_user=users["demo-city"],
        published_at=_at(quarters[0] - timedelta(days=20), 9),
    )
    if catalog is None:
        _say(
            stdout,
            "demo_records: 洛龙区社会救助目录有未完成的版本，未添加按季度公开事项。",
        )

    with transaction.atomic():
        stats = _seed_records(quarters, today, now, county_user, township_user)
    _say(
        stdout,
        "demo_records: 洛龙区及所辖街道（镇）公开信息%(records)s条，公开义务%(obligations)s项。"
        % stats,
    )
    return stats


@dataclass
class _Run:
    """One seeding run of 洛龙区: its regions, quarters, clock, users and the records made."""

    county: Region
    townships: list[Region]
    quarters: list[date]
    today: date
    now: datetime
    county_user: User
    township_user: User
    created: list[DisclosureRecord] = field(default_factory=list)

    @property
    def lilou(self) -> Region | None:
        return next((t for t in self.townships if t.code == DEMO_TOWNSHIP_CODE), None)

    def publish(
        self, region, item, trigger, title, body, at, actor
    ) -> DisclosureRecord:
        record = record_services.record_create(
            region=region,
            item=item,
            trigger_date=trigger,
            title=title,
            body=body,
            actor=actor,
            publish=record_services.PUBLISH_NOW,
            now=at,
        )
        self.created.append(record)
        return record


def _seed_records(quarters, today, now, county_user, township_user) -> dict:
    county = Region.objects.get(code=COUNTY_CODE)
    townships = list(Region.objects.official().filter(parent=county).order_by("code"))
    run = _Run(county, townships, quarters, today, now, county_user, township_user)
    for first in [*quarters, today]:
        obligation_services.obligation_generate_periodic(
            on=first, region_code=COUNTY_CODE, actor=county_user
        )

    county_items = obligation_services.applicable_items(county)
    township_items = (
        obligation_services.applicable_items(townships[0]) if townships else []
    )
    _seed_quarterly(run, county_items, township_items)
    county_event_items = _pick(
        county_items, kind=RuleKind.WORKING_DAYS.value, publicity=False
    )
    _seed_county_events(run, county_event_items)
    review_items = _pick(
        township_items, kind=RuleKind.WORKING_DAYS.value, publicity=True
    )
    lilou = run.lilou
    if lilou is not None and review_items:
        _seed_quarter_reviews(run, lilou, review_items[0])

    extra = {}
    if county_event_items:
        _seed_correction(run, county_event_items[0])
        extra.update(_seed_open_records(run, county_event_items[0]))
    if lilou is not None and review_items:
        extra.update(_seed_recent_reviews(run, lilou, review_items[0]))
    return {
        "records": len(run.created) + len(extra),
        "obligations": Obligation.objects.filter(
            region__code__startswith=COUNTY_CODE
        ).count(),
    }


def _quarterly_day(
    region: Region, q_index: int, last: date, rng: random.Random, quarters: list[date]
) -> date | None:
    """When a quarterly posting goes up: mostly on time, some late, some never (None)."""
    roll = rng.random()
    if region.code in (DEMO_TOWNSHIP_CODE, COUNTY_CODE):
        roll = 0.95 if q_index == len(quarters) - 1 else 0.2  # the last quarter: late
    if roll < 0.78:
        return last - timedelta(days=rng.randint(0, 8))
    if roll < 0.9:
        return None  # never posted: missed
    return last + timedelta(days=rng.randint(3, 20))


def _seed_quarterly(
    run: _Run, county_items: list[CatalogItem], township_items: list[CatalogItem]
) -> None:
    """Quarterly postings (每季度末 items) of the county and every township: most on
    time, some late, some never posted (missed)."""
    for region in [run.county, *run.townships]:
        items = county_items if region.code == COUNTY_CODE else township_items
        user = (
            run.township_user if region.code == DEMO_TOWNSHIP_CODE else run.county_user
        )
        for item in _pick(items, kind=RuleKind.PERIODIC.value):
            for q_index, first in enumerate(run.quarters):
                _start, last = period_bounds(first, "quarter")
                label = obligation_services.period_label(first, "quarter")
                rng = random.Random(f"{region.code}-{item.key}-{first.isoformat()}")
                day = _quarterly_day(region, q_index, last, rng, run.quarters)
                if day is None or day > run.today:
                    continue
                body = QUARTER_BODY % {
                    "quarter": label,
                    "item": item.name,
                    "applied": rng.randint(6, 30),
                    "granted": rng.randint(3, 12),
                    "amount": rng.randint(8, 60) * 500,
                    "region": region.name,
                }
                at = _at(day, rng.randint(9, 16), rng.choice([0, 15, 30, 45]))
                run.publish(
                    region,
                    item,
                    min(day, last),
                    f"{region.name}{label}{item.name}",
                    body,
                    at,
                    user,
                )


def _seed_county_events(run: _Run, county_event_items: list[CatalogItem]) -> None:
    """County event records: policies and guides, mostly on time."""
    rng = random.Random(f"{COUNTY_CODE}-events")
    titles = iter(COUNTY_TITLES)
    for q_index, first in enumerate(run.quarters):
        for n in range(2):
            item = county_event_items[(2 * q_index + n) % len(county_event_items)]
            trigger = first + timedelta(days=rng.randint(5, 70))
            due = obligation_services.due_preview(item=item, trigger_date=trigger).due
            late = (q_index, n) in ((1, 1), (3, 0))
            day = (
                due + timedelta(days=rng.randint(2, 9))
                if late
                else due - timedelta(days=rng.randint(0, 6))
            )
            day = max(day, trigger + timedelta(days=1))
            title = (
                next(titles, None)
                or f"{item.name}（{obligation_services.period_label(first, 'quarter')}）"
            )
            run.publish(
                run.county,
                item,
                trigger,
                title,
                COUNTY_BODY,
                _at(day, 10, 30),
                run.county_user,
            )


def _seed_quarter_reviews(run: _Run, lilou: Region, item: CatalogItem) -> None:
    """李楼街道 审核信息 with a 7-working-day publicity period (公示), last two quarters."""
    for first in run.quarters[-2:]:
        trigger = first + timedelta(days=40)
        due = obligation_services.due_preview(item=item, trigger_date=trigger).due
        run.publish(
            lilou,
            item,
            trigger,
            f"{lilou.name}{obligation_services.period_label(first, 'quarter')}最低生活保障拟纳入对象公示",
            REVIEW_BODY % {"township": lilou.name},
            _at(due - timedelta(days=2), 9, 30),
            run.township_user,
        )


def _seed_correction(run: _Run, item: CatalogItem) -> None:
    """A county record withdrawn (wrong figures), then published again."""
    trigger = run.today - timedelta(days=25)
    wrong = run.publish(
        run.county,
        item,
        trigger,
        "洛龙区2026年城乡低保标准调整公告",
        COUNTY_BODY,
        _at(trigger + timedelta(days=5), 10),
        run.county_user,
    )
    record_services.record_withdraw(
        record=wrong,
        reason="公告中农村低保标准数字有误，已更正后重新发布。",
        actor=run.county_user,
        now=_at(trigger + timedelta(days=6), 9),
    )
    run.created.append(
        record_services.record_create(
            region=run.county,
            item=item,
            trigger_date=trigger,
            title="洛龙区2026年城乡低保标准调整公告（更正）",
            body=COUNTY_BODY,
            actor=run.county_user,
            publish=record_services.PUBLISH_NOW,
            obligation=wrong.obligation,  # the reopened obligation passes to the replacement
            now=_at(trigger + timedelta(days=6), 11),
        )
    )


def _seed_open_records(run: _Run, item: CatalogItem) -> dict[str, DisclosureRecord]:
    """Two county records registered but not published: one overdue, one due soon."""
    today = run.today
    overdue_trigger = today - timedelta(days=30)
    overdue = record_services.record_create(
        region=run.county,
        item=item,
        trigger_date=overdue_trigger,
        title="洛龙区社会救助资金使用情况专项审计整改情况",
        body=COUNTY_BODY,
        actor=run.county_user,
        now=_at(overdue_trigger + timedelta(days=1), 9),
    )
    # Registered earlier, due within the next working days.
    soon_trigger = next(
        (
            today - timedelta(days=back)
            for back in range(21, 0, -1)
            if obligation_services.due_preview(
                item=item, trigger_date=today - timedelta(days=back)
            ).due
            >= today
        ),
        today - timedelta(days=1),
    )
    due_soon = record_services.record_create(
        region=run.county,
        item=item,
        trigger_date=soon_trigger,
        title="洛龙区困难群众冬季救助工作方案",
        body=COUNTY_BODY,
        actor=run.county_user,
        now=_at(soon_trigger, 16),
    )
    return {"overdue": overdue, "due_soon": due_soon}


def _seed_recent_reviews(
    run: _Run, lilou: Region, item: CatalogItem
) -> dict[str, DisclosureRecord]:
    """李楼街道: one review published a few days ago (within its deadline) and one
    scheduled for the future (the public cannot see it before then)."""
    today = run.today
    trigger = today - timedelta(days=8)
    run.publish(
        lilou,
        item,
        trigger,
        f"{lilou.name}城乡低保拟纳入对象公示（{today:%Y年%m月}）",
        REVIEW_BODY % {"township": lilou.name},
        _at(today - timedelta(days=3), 9, 30),
        run.township_user,
    )
    trigger = today - timedelta(days=2)
    publish_day = today + timedelta(days=3)
    scheduled = record_services.record_create(
        region=lilou,
        item=item,
        trigger_date=trigger,
        title=f"{lilou.name}特困人员供养拟审批对象公示",
        body=REVIEW_BODY % {"township": lilou.name},
        actor=run.township_user,
        publish=record_services.PUBLISH_SCHEDULE,
        publish_at=_at(publish_day, 9),
        now=run.now,
    )
    return {"scheduled": scheduled}
