"""Which links the crawls follow: every page of the regions that hold records, a
sample of each kind of page elsewhere.

The two crawls (tests/test_crawl.py, tests/test_privacy_crawl.py) prove that every
kind of public page answers 200 and that no identifier reaches any of them. The
pages of the ~200 Luoyang regions without records differ only in the region they
name, so a few of each kind (same path with the numbers and item keys taken out,
same query parameter names) prove the same as all of them; the regions that hold
records (and their parents) are crawled page by page, downloads included.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from disclosures.models import DisclosureRecord

# Pages of each kind fetched outside the regions that hold records.
PER_KIND = 3

_KEY = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)
_NUMBER = re.compile(r"\d+")
_REGION = re.compile(r"^/r/(\d+)/|[?&]region=(\d+)")


def kind(target: str) -> str:
    """The kind of a page: `/r/410305/feed.rss` → `/r/N6/feed.rss`, query values dropped."""
    path, _sep, query = target.partition("?")
    path = _NUMBER.sub(lambda m: f"N{len(m.group())}", _KEY.sub("K", path))
    names = "&".join(sorted(part.split("=")[0] for part in query.split("&") if part))
    return f"{path}?{names}" if names else path


class Sample:
    """Decides, link by link, whether the crawl fetches it (call it once per new link)."""

    def __init__(
        self,
        full_regions: Iterable[str],
        *,
        records: bool = False,
        keep: tuple[str, ...] = (),
        per_kind: int = PER_KIND,
    ):
        self.full_regions = tuple(full_regions)
        self.records = records
        self.keep = keep
        self.per_kind = per_kind
        self.taken: Counter[str] = Counter()

    @classmethod
    def around_records(
        cls, *, records: bool = False, keep: tuple[str, ...] = ()
    ) -> Sample:
        """Full crawl of every county that holds a record.

        `records=True` samples the record pages too (`/records/…`, a few of each
        kind), except those starting with one of `keep`; the privacy crawl leaves it
        off and reads every record page.
        """
        codes = DisclosureRecord.objects.values_list("region_id", flat=True).distinct()
        return cls({code[:6] for code in codes}, records=records, keep=keep)

    def full(self, code: str) -> bool:
        """A region with records, inside one or above one (the province, the city)."""
        return any(code.startswith(r) or r.startswith(code) for r in self.full_regions)

    def __call__(self, target: str) -> bool:
        if self.keep and target.startswith(self.keep):
            return True
        match = _REGION.search(target)
        if match is None:
            if not (self.records and target.startswith("/records/")):
                return True  # not a region's page: search, preferences, static
        elif self.full(match.group(1) or match.group(2)):
            return True
        key = kind(target)
        if self.taken[key] >= self.per_kind:
            return False
        self.taken[key] += 1
        return True
