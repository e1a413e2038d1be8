"""Crawl the public portal from `/`: every same-origin link answers 200.

After `seed_demo` (every Luoyang county has published catalogs) and a record
with a name list, a breadth-first walk follows every link, feed, stylesheet and
script it finds. Pages of regions outside 洛阳市 are fetched but not expanded,
which bounds the walk (Henan has 2,467 townships) while still checking every
kind of page; the counties that hold records are walked page by page, the other
regions' pages and the record pages a few of each kind (`tests.crawling.Sample`;
the privacy crawl reads every record page). Every HTML page is
also checked for a leaked identifier.
"""

from __future__ import annotations

import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest

from tests.builders import add_name_list, publish_record
from tests.crawling import Sample

MAX_FETCHES = 3000
EXPANDED_REGIONS = ("41", "4103")
STAFF_PREFIXES = ("/admin/", "/work/", "/accounts/")
ID_NUMBER = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")
MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


class LinkParser(HTMLParser):
    """Collects link targets and the visible text of a page."""

    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.text: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag == "link" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag == "script" and attrs.get("src"):
            self.links.append(attrs["src"])
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


def expand(path: str) -> bool:
    """Whether to follow the links of a page (regions outside 洛阳市 are only fetched)."""
    match = re.match(r"^/r/(\d+)/", path)
    if match is None:
        return not path.startswith("/static/")
    code = match.group(1)
    return code in EXPANDED_REGIONS or code.startswith("4103")


@pytest.mark.django_db
def test_every_link_reachable_from_home_answers_200(client, seeded_demo):
    record = publish_record(title="李楼街道低保审核对象公示（抓取测试）")
    add_name_list(record, rows=120)
    sample = Sample.around_records(records=True, keep=(record.get_absolute_url(),))
    seen = {"/"}
    queue = deque(["/"])
    failures: list[str] = []
    leaks: list[str] = []
    fetched = 0
    while queue:
        path = queue.popleft()
        fetched += 1
        assert fetched <= MAX_FETCHES, "the crawl is not bounded"
        response = client.get(path, follow=True)
        if response.status_code != 200:
            failures.append(f"{path} → {response.status_code}")
            continue
        content_type = response.get("Content-Type", "")
        if not content_type.startswith("text/html") or not expand(path):
            continue
        if response.redirect_chain:
            path = response.redirect_chain[-1][0]
        parser = LinkParser()
        parser.feed(response.content.decode())
        text = " ".join(parser.text)
        if ID_NUMBER.search(text) or MOBILE.search(text):
            leaks.append(path)
        for href in parser.links:
            parts = urlsplit(urljoin("http://testserver" + path, href))
            if parts.netloc != "testserver" or parts.scheme not in ("http", "https"):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if parts.path == "/preferences/":
                # The display toggles are the same action on every page: check each once.
                target = "/preferences/?" + parts.query.split("&")[0]
            if target in seen or parts.path.startswith(STAFF_PREFIXES):
                continue
            if not sample(target):
                continue
            seen.add(target)
            queue.append(target)
    assert failures == []
    assert leaks == []
    # The walk reached every kind of public page.
    for expected in [
        "/r/4103/",
        "/r/410311/",
        "/r/410311012/",
        "/r/410311/social-assistance/",
        "/r/410311/social-assistance/download.docx",
        "/r/410311/elderly-care/download.xlsx",
        "/r/410311/feed.rss",
        record.get_absolute_url(),
        record.get_absolute_url() + "?page=2",
        f"/records/{record.pk}/notice/",  # the printable village notice (issue 19)
        "/r/410311012201/",  # a demo village under 李楼街道 (issue 19)
        "/search/?region=41",
        "/preferences/?toggle=large",
    ]:
        assert expected in seen, expected
    assert any(p.startswith("/r/410311/social-assistance/items/") for p in seen)
    # Counties without records are sampled, not skipped.
    others = {p.split("/")[2] for p in seen if re.match(r"^/r/4103\d\d/", p)} - {
        "410311"
    }
    assert others
