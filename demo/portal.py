"""Demo data for the public portal: every Luoyang county has a published catalog.

For each official county under 洛阳市 (4103) and each domain, a county that has
no catalog yet gets a clone of Luoyang's current published catalog. Luoyang's
transcription lost the content elements of two items (特困人员 审核信息 and
审批信息), so the clone fills them in, and then the catalog goes through the real
life cycle: submit (which runs every localization rule), approve by the city,
publish. Regions that already have a catalog of a domain are left alone, so the
function is idempotent and never touches a county's own work.
"""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils.translation import gettext as _

from catalogs import services
from catalogs.models import Catalog, CatalogItem, Domain, Region

CITY_CODE = "4103"
SHANGHAI = ZoneInfo("Asia/Shanghai")
# When the demo counties published their catalogs (after 洛民通〔2020〕15号).
DEMO_PUBLISHED_AT = datetime.combine(
    datetime(2020, 12, 15).date(), time(9, 0), tzinfo=SHANGHAI
)

# Content elements for the items whose content the city's transcription lost,
# by item name (豫民文〔2020〕102号 lists these elements for 审核/审批信息).
FILLED_CONTENT = {
    "审核信息": ["初审对象名单", "初审对象家庭人口", "救助供养标准"],
    "审批信息": ["审批对象名单", "救助供养金额", "终止供养名单"],
}
DEFAULT_CONTENT = ["相关信息"]


def _fill_missing_content(catalog: Catalog) -> int:
    """Give every item without content elements the usual ones (through the service)."""
    filled = 0
    for item in CatalogItem.objects.filter(catalog=catalog, content=[]):
        services.catalog_item_set_elements(
            item=item,
            values={"content": list(FILLED_CONTENT.get(item.name, DEFAULT_CONTENT))},
            bases=None,
            actor=None,
        )
        filled += 1
    return filled


@transaction.atomic
def county_catalog_publish(*, region: Region, domain: Domain) -> Catalog:
    """Clone, complete, submit, approve and publish one county's catalog (one transaction)."""
    catalog = services.catalog_clone(region=region, domain=domain, actor=None)
    catalog.domain = domain
    _fill_missing_content(catalog)
    services.catalog_submit(catalog=catalog, actor=None)
    services.catalog_approve(
        catalog=catalog, actor=None, comment="演示数据：经洛阳市民政局审核通过。"
    )
    # Never dated before the upstream version it copies (issue 16): a clone of a
    # later city version (the demo revision) is published now.
    upstream = catalog.upstream
    published_at = DEMO_PUBLISHED_AT
    if upstream is not None and (upstream.published_at or published_at) > published_at:
        published_at = None
    return services.catalog_publish(
        catalog=catalog, actor=None, published_at=published_at
    )


def seed(*, scale: str = "demo", stdout=None) -> list[Catalog]:
    """Publish a catalog of every domain for every official Luoyang county that lacks one.

    Needs Luoyang's own catalogs (`catalogs.reference.load_luoyang_catalogs`);
    domains the city has not published are skipped.
    """
    city_domains = set(
        Catalog.objects.current_published()
        .filter(region_id=CITY_CODE)
        .values_list("domain_id", flat=True)
    )
    counties = list(
        Region.objects.filter(
            parent_id=CITY_CODE, level=Region.Level.COUNTY, official=True
        )
    )
    existing = set(
        Catalog.objects.filter(region__in=counties).values_list(
            "region_id", "domain_id"
        )
    )
    created = []
    for domain in Domain.objects.filter(pk__in=city_domains):
        for county in counties:
            if (county.code, domain.pk) in existing:
                continue
            created.append(county_catalog_publish(region=county, domain=domain))
    if stdout is not None:
        stdout.write(
            _(
                "公开门户：已为洛阳市各县（市、区）复制、审核并发布 %(count)s 个标准目录。"
            )
            % {"count": len(created)}
        )
    return created
