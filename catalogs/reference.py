"""Loading the reference data in `fixtures/`: regions, domains, role groups, templates.

Everything here is idempotent: running it twice changes nothing the second time.
"""

from __future__ import annotations

import csv
import json
from datetime import datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from chinese_calendar import constants

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import transaction

from . import services
from .models import CalendarDay, CalendarYear, Catalog, Category, Domain, Region
from .permissions import ROLE_GROUP_NAMES, role_permissions
from .provenance import TEMPLATE_LABEL, derived_note

FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def fixture_path(name: str) -> Path:
    return FIXTURES_DIR / name


def load_json(name: str) -> dict:
    with fixture_path(name).open(encoding="utf-8") as fh:
        return json.load(fh)


def ensure_reference_data_after_migrate(sender=None, using="default", **kwargs) -> None:
    ensure_reference_data(using=using)


def ensure_reference_data(*, using: str = "default") -> None:
    """Regions, domains, categories and role groups: what every page assumes exists."""
    load_regions(using=using)
    load_domains(using=using)
    ensure_role_groups(using=using)
    load_official_calendar(using=using)
    if using == "default":
        from .library import legal_library_sync

        legal_library_sync()


def load_regions(*, using: str = "default") -> int:
    """Load Henan's divisions from `henan_regions.csv` (parents before children)."""

    if Region.objects.using(using).exists():
        return 0
    rows = []
    with fixture_path("henan_regions.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            rows.append(
                Region(
                    code=row["code"],
                    name=row["name"],
                    level=row["level"],
                    parent_id=row["parent_code"] or None,
                    official=row["official"] == "1",
                )
            )
    # The file is sorted by level, so inserting in order satisfies the parent FK.
    Region.objects.using(using).bulk_create(rows, batch_size=1000)
    return len(rows)


def load_domains(*, using: str = "default") -> None:
    for spec in load_json("domains.json")["domains"]:
        domain, _ = Domain.objects.using(using).update_or_create(
            slug=spec["slug"],
            defaults={
                "name": spec["name"],
                "order": spec["order"],
                "allowed_levels": spec["levels"],
            },
        )
        for order, name in enumerate(spec["categories"], start=1):
            Category.objects.using(using).update_or_create(
                domain=domain, name=name, defaults={"order": order}
            )


def ensure_role_groups(*, using: str = "default") -> None:
    """One Group per role carrying that role's model permissions."""

    for role, perm_names in role_permissions().items():
        group, _ = Group.objects.using(using).get_or_create(name=ROLE_GROUP_NAMES[role])
        perms = Permission.objects.using(using).select_related("content_type")
        wanted = []
        for name in perm_names:
            app_label, codename = name.split(".")
            if codename == "*":
                wanted.extend(perms.filter(content_type__app_label=app_label))
            else:
                wanted.extend(
                    perms.filter(content_type__app_label=app_label, codename=codename)
                )
        group.permissions.set(wanted)


HOLIDAY_NAMES_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


def load_official_calendar(*, using: str = "default") -> int:
    """Seed holidays and make-up working days (调休) from the chinesecalendar package.

    Only years not yet in the table are loaded, so hand-entered corrections by
    province admins are never overwritten.
    """

    package_years = {d.year for d in constants.holidays} | {
        d.year for d in constants.workdays
    }
    known = set(CalendarYear.objects.using(using).values_list("year", flat=True))
    years = sorted(package_years - known)
    if not years:
        return 0
    days = [
        CalendarDay(
            date=d, kind=CalendarDay.Kind.HOLIDAY, name=HOLIDAY_NAMES_ZH.get(n, n)
        )
        for d, n in constants.holidays.items()
        if d.year in years
    ] + [
        CalendarDay(
            date=d, kind=CalendarDay.Kind.WORKDAY, name=HOLIDAY_NAMES_ZH.get(n, n)
        )
        for d, n in constants.workdays.items()
        if d.year in years
    ]
    CalendarDay.objects.using(using).bulk_create(
        days, batch_size=1000, ignore_conflicts=True
    )
    CalendarYear.objects.using(using).bulk_create(
        [
            CalendarYear(year=y, official=True, source="chinesecalendar 1.11.0")
            for y in years
        ]
    )
    return len(days)


def _aware(day: str) -> datetime:
    return datetime.combine(
        datetime.fromisoformat(day).date(), time(9, 0), tzinfo=SHANGHAI
    )


def _item_values(spec: dict) -> dict:
    """The element values of one item of the JSON fixtures."""
    return {
        "name": spec["name"],
        "seq": spec["seq"],
        "content": list(spec["content"]),
        "time_limit_text": spec["time_limit"],
        "subjects": list(spec["subjects"]),
        "channels": list(spec["channels"]),
        "audience": list(spec["audience"]),
        "mode": list(spec["mode"]),
        "levels": list(spec["levels"]),
        "uncertain": list(spec.get("uncertain", [])),
        "source_note": derived_note(spec.get("derived", [])),
    }


@transaction.atomic
def load_templates() -> list:
    """Create the province template catalogs (河南省, 41), published, if missing."""

    data = load_json("province_templates.json")
    source = data["source"]
    province = Region.objects.get(code="41")
    created = []
    for dspec in data["domains"]:
        domain = Domain.objects.get(slug=dspec["slug"])
        if Catalog.objects.filter(region=province, domain=domain).exists():
            continue
        catalog = services.catalog_create_template(
            region=province,
            domain=domain,
            title=dspec["catalog_title"],
            # A reconstruction, not the official attachment: no 印发文号 on it,
            # the honest label instead (catalogs.provenance).
            document_number="",
            source_note=TEMPLATE_LABEL,
            items=[
                {
                    **_item_values(ispec),
                    "category": cspec["name"],
                    "bases": ispec["basis"],
                }
                for cspec in dspec["categories"]
                for ispec in cspec["items"]
            ],
            actor=None,
        )
        services.catalog_publish(
            catalog=catalog,
            actor=None,
            published_at=_aware(source["issued"]),
            already_approved_elsewhere=True,
        )
        created.append(catalog)
    return created


@transaction.atomic
def load_luoyang_catalogs() -> list:
    """Create Luoyang's catalogs (4103) as localized clones of the province templates."""

    data = load_json("luoyang_catalogs.json")
    source = data["source"]
    city = Region.objects.get(code="4103")
    created = []
    for dspec in data["domains"]:
        domain = Domain.objects.get(slug=dspec["slug"])
        if Catalog.objects.filter(region=city, domain=domain).exists():
            continue
        catalog = services.catalog_clone(region=city, domain=domain, actor=None)
        Catalog.objects.filter(pk=catalog.pk).update(
            title=dspec["catalog_title"],
            document_number=source["document_number"],
            source_note=source["note"],
        )
        catalog.refresh_from_db()
        by_seq = {item.seq: item for item in catalog.items.all()}
        for cspec in dspec["categories"]:
            for ispec in cspec["items"]:
                values = _item_values(ispec)
                values["source_note"] = source["file"]
                services.catalog_item_set_elements(
                    item=by_seq[ispec["seq"]],
                    values=values,
                    bases=ispec["basis"],
                    actor=None,
                    enforce_rules=False,
                )
        services.catalog_publish(
            catalog=catalog,
            actor=None,
            published_at=_aware(source["issued"]),
            already_approved_elsewhere=True,
        )
        created.append(catalog)
    return created
