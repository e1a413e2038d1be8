"""Demo accounts, templates, Luoyang's catalogs and demo-county's localization (SPEC §10)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from catalogs import provenance, services
from catalogs.accounts import user_set_role
from catalogs.models import Catalog, Domain, Region, User
from catalogs.reference import (
    ensure_reference_data,
    load_luoyang_catalogs,
    load_templates,
)

DEMO_USERS = [
    ("demo-province", User.Role.PROVINCE_ADMIN, "41", "省民政厅管理员"),
    ("demo-city", User.Role.CITY_REVIEWER, "4103", "洛阳市民政局审核员"),
    ("demo-county", User.Role.COUNTY_CLERK, "410311", "洛龙区民政局工作人员"),
    ("demo-county2", User.Role.COUNTY_CLERK, "410307", "偃师区民政局工作人员"),
    ("demo-township", User.Role.TOWNSHIP_CLERK, "410311012", "李楼街道工作人员"),
]


def demo_password() -> str:
    """The demo accounts' password; only demo settings have one."""
    password = getattr(settings, "DEMO_PASSWORD", None)
    if not password:
        raise ImproperlyConfigured(
            "当前设置未提供演示账号密码（DEMO_PASSWORD）：演示数据只能在演示设置"
            "（catalog_portal.settings.demo）下创建。"
        )
    return password


@transaction.atomic
def seed_users() -> list[User]:
    password = demo_password()
    users = []
    for username, role, code, name in DEMO_USERS:
        user, _created = User.objects.get_or_create(username=username)
        user.first_name = name
        user.set_password(password)
        users.append(
            user_set_role(
                user=user, role=role, region=Region.objects.get(code=code), actor=None
            )
        )
    return users


def seed(*, scale: str = "demo", stdout=None) -> None:
    demo_password()  # refuse before touching any data
    ensure_reference_data()
    seed_users()
    load_templates()
    load_luoyang_catalogs()
    seed_localization(stdout=stdout)


# Localizations of demo-county (洛龙区), per domain slug: what SPEC §3 allows.
# Items are found by their sequence number in Luoyang's catalogs.
DEMO_LOCALIZATION = {
    "social-assistance": {
        "shorten": (1, "制定或获取信息之日起5个工作日内"),
        "add_channel": (1, "两微一端"),
        "omit": (2, "本区监督检查结果由市民政局统一公开，区级暂不单独公开。"),
        "local_item": {
            "category": "临时救助",
            "name": "临时救助备用金管理",
            "content": [
                "备用金管理办法",
                "备用金额度",
                "审批权限",
                "下拨乡镇（街道）情况",
            ],
            "time_limit_text": "制定或获取信息之日起10个工作日内",
            "subjects": ["县级人民政府民政部门", "乡镇人民政府（街道办事处）"],
            "channels": ["政府网站", "社区/企事业单位/村公示栏（电子屏）"],
            "audience": ["全社会"],
            "mode": ["主动"],
            "levels": ["县级", "乡级"],
            "bases": [
                {
                    "title": "《国务院关于全面建立临时救助制度的通知》",
                    "number": "国发〔2014〕47号",
                }
            ],
        },
    },
    "elderly-care": {
        "shorten": (11, "行政处罚决定做出之日起3个工作日内"),
        "add_channel": (4, "公开查阅点"),
        "omit": (3, "本区暂无社会资本投资养老机构项目，投资指南由市级统一公开。"),
        "local_item": {
            "category": "养老服务业务办理",
            "name": "老年人助餐服务",
            "content": ["助餐点名单", "服务对象", "补贴标准", "办理流程"],
            "time_limit_text": "制定或获取信息之日起10个工作日内",
            "subjects": ["县级人民政府民政部门"],
            "channels": ["政府网站", "两微一端", "便民服务站"],
            "audience": ["全社会"],
            "mode": ["主动"],
            "levels": ["县级", "乡级"],
            "bases": [
                {
                    "title": "《中华人民共和国老年人权益保障法》",
                    "number": "",
                    "kind": "law",
                }
            ],
        },
    },
}
LOST_CONTENT = ["初审对象名单及相关信息", "终止供养名单"]
LUOYANG_V2_NOTE = "演示数据：洛阳市社会救助目录第2版（政策法规文件时限缩短为7个工作日，特困人员救助供养政策法规文件增加公开内容），洛龙区尚未采纳。"


@transaction.atomic
def seed_localization(*, stdout=None) -> None:
    """demo-county: a published localized catalog for both domains; demo-county2: a
    draft; Luoyang: a newer published social-assistance version demo-county has not
    taken yet. Through the real services (rules, review, audit). Idempotent: each
    step runs only if its result is missing."""

    users = {u.username: u for u in User.objects.filter(username__startswith="demo-")}
    clerk, reviewer, clerk2 = (
        users["demo-county"],
        users["demo-city"],
        users["demo-county2"],
    )
    luolong, yanshi = (
        Region.objects.get(code="410311"),
        Region.objects.get(code="410307"),
    )
    for slug, spec in DEMO_LOCALIZATION.items():
        domain = Domain.objects.get(slug=slug)
        if Catalog.objects.filter(region=luolong, domain=domain).exists():
            continue
        source = Catalog.objects.get(region_id="4103", domain=domain, version=1)
        catalog = services.catalog_clone(
            region=luolong, domain=domain, actor=clerk, source=source
        )
        by_seq = {
            item.seq: item
            for item in catalog.items.select_related("upstream_item", "catalog__domain")
        }
        for item in by_seq.values():
            if not item.content:  # lost in Luoyang's transcription (seq 9, 10)
                services.catalog_item_set_elements(
                    item=item,
                    values={"content": list(LOST_CONTENT)},
                    bases=None,
                    actor=clerk,
                )
        seq, text = spec["shorten"]
        services.catalog_item_set_elements(
            item=by_seq[seq], values={"time_limit_text": text}, bases=None, actor=clerk
        )
        seq, channel = spec["add_channel"]
        item = by_seq[seq]
        services.catalog_item_set_elements(
            item=item,
            values={"channels": [*item.channels, channel]},
            bases=None,
            actor=clerk,
        )
        seq, reason = spec["omit"]
        services.catalog_item_omit(item=by_seq[seq], reason=reason, actor=clerk)
        local = dict(spec["local_item"])
        category = domain.categories.get(name=local.pop("category"))
        bases = local.pop("bases")
        services.catalog_item_add(
            catalog=catalog,
            values={**local, "category_id": category.pk},
            bases=bases,
            actor=clerk,
        )
        services.catalog_submit(catalog=catalog, actor=clerk)
        services.catalog_approve(catalog=catalog, actor=reviewer, comment="同意。")
        services.catalog_publish(catalog=catalog, actor=clerk)
        if stdout:
            stdout.write(f"demo-county: {catalog.title} 第{catalog.version}版已发布\n")

    social = Domain.objects.get(slug="social-assistance")
    if not Catalog.objects.filter(region=yanshi, domain=social).exists():
        services.catalog_clone(region=yanshi, domain=social, actor=clerk2)

    luoyang_v1 = Catalog.objects.get(region_id="4103", domain=social, version=1)
    if not Catalog.objects.filter(
        region_id="4103", domain=social, version__gt=1
    ).exists():
        draft = services.catalog_start_new_version(catalog=luoyang_v1, actor=reviewer)
        by_seq = {item.seq: item for item in draft.items.all()}
        services.catalog_item_set_elements(
            item=by_seq[1],
            values={"time_limit_text": "制定或获取信息之日起7个工作日内"},
            bases=None,
            actor=reviewer,
            enforce_rules=False,
        )
        item = by_seq[7]
        services.catalog_item_set_elements(
            item=item,
            values={"content": [*item.content, "政策解读材料"]},
            bases=None,
            actor=reviewer,
            enforce_rules=False,
        )
        # A demo edit, not an issued document: no real 文号 on it (issue 16).
        Catalog.objects.filter(pk=draft.pk).update(
            source_note=LUOYANG_V2_NOTE, document_number=""
        )
        # The known errors of the source table (国务院令第659号, 我而且, 养老机构案数量)
        # are corrected in this version too, and the outdated 低保 standard flagged,
        # so 洛龙区 sees the corrections as an upstream update (issue 16).
        provenance.source_errors_apply(draft=draft, actor=reviewer)
        # Luoyang's catalogs are issued outside the portal (洛民通〔2020〕15号 and
        # its demo revision), like the province templates.
        services.catalog_publish(
            catalog=draft, actor=reviewer, already_approved_elsewhere=True
        )
        if stdout:
            stdout.write("洛阳市社会救助目录第2版已发布（洛龙区尚未采纳）\n")
