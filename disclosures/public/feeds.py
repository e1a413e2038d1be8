"""RSS and Atom feeds of public records, per region (its whole subtree) and per domain.

URLs: `/r/<code>/feed.rss|atom` and `/r/<code>/<domain_slug>/feed.rss|atom`;
the province's per-domain feed is `/r/41/<domain_slug>/feed.rss`. Three queries
per feed whatever the number of records.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from catalogs.models import Domain, Region

from ..models import DisclosureRecord
from . import gate

FEED_SIZE = 30
DESCRIPTION_CHARS = 200


@dataclass
class FeedScope:
    region: Region
    domain: Domain | None


class RegionRssFeed(Feed):
    """The newest public records of a region's subtree, optionally of one domain."""

    feed_type = Rss201rev2Feed

    def get_object(
        self, request, code: str, domain_slug: str | None = None
    ) -> FeedScope:
        # DoesNotExist becomes a 404 in Feed.__call__.
        region = Region.objects.get(code=code)
        domain = Domain.objects.get(slug=domain_slug) if domain_slug else None
        return FeedScope(region=region, domain=domain)

    def title(self, obj: FeedScope) -> str:
        if obj.domain is not None:
            return _("%(region)s %(domain)s领域公开信息") % {
                "region": obj.region.name,
                "domain": obj.domain.name,
            }
        return _("%(region)s公开信息") % {"region": obj.region.name}

    def description(self, obj: FeedScope) -> str:
        return _("%(region)s及所辖地区最新发布的基层政务公开信息。") % {
            "region": obj.region.name
        }

    def link(self, obj: FeedScope) -> str:
        if obj.domain is not None:
            return reverse(
                "disclosures:catalog_detail",
                kwargs={"code": obj.region.code, "domain_slug": obj.domain.slug},
            )
        return obj.region.get_absolute_url()

    def items(self, obj: FeedScope):
        qs = gate.records().in_subtree(obj.region.code)
        if obj.domain is not None:
            qs = qs.filter(domain=obj.domain)
        return list(
            qs.select_related("region", "domain", "item").order_by(
                "-publish_at", "-pk"
            )[:FEED_SIZE]
        )

    def item_title(self, item: DisclosureRecord) -> str:
        return item.title

    def item_description(self, item: DisclosureRecord) -> str:
        return Truncator(item.body).chars(DESCRIPTION_CHARS)

    def item_link(self, item: DisclosureRecord) -> str:
        return item.get_absolute_url()

    def item_pubdate(self, item: DisclosureRecord):
        return item.publish_at

    def item_updateddate(self, item: DisclosureRecord):
        return item.updated_at

    def item_author_name(self, item: DisclosureRecord) -> str:
        return item.region.name

    def item_categories(self, item: DisclosureRecord) -> list[str]:
        return [item.domain.name, item.item.name]


class RegionAtomFeed(RegionRssFeed):
    feed_type = Atom1Feed
    subtitle = RegionRssFeed.description
