"""No identifier reaches the public: a crawl of the seeded portal (SPEC §5, issue 6).

`seed_demo` publishes its synthetic name lists through the real pipeline
(`disclosures.demo_namelists`: ID numbers with valid check digits, phones, bank
cards, addresses down to the house number, identifiers typed into remarks).
Then a breadth-first walk from `/` fetches every public page, every feed
(`<link rel=alternate>` and feed links) and every download it finds — catalog
docx/xlsx, name-list xlsx/csv — and scans the text of each (HTML text and
attribute values, XML parts of the Office files, CSV cells) for:

* 18- and 15-digit ID numbers, also written with spaces, hyphens or
  full-width digits (normalised first);
* 11-digit mobile numbers (with or without +86);
* 13–19-digit bank card numbers;
* every exact raw identifier the seed used.

The log records and the console output of the seed and of the crawl are
scanned the same way. Regions outside 洛阳市 are fetched but not expanded,
which bounds the walk while reaching every kind of page.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import unicodedata
import zipfile
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.management import call_command

from disclosures import demo_namelists
from disclosures.models import NameList

MAX_FETCHES = 3000
EXPANDED_REGIONS = ("41", "4103")
STAFF_PREFIXES = ("/admin/", "/work/", "/accounts/", "/static/")
HEX_TOKENS = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|\b[0-9a-fA-F]{32,}\b"
)
SEPARATORS = re.compile(r"(?<=\d)[\s\-‐‑‒–—―−－﹣]+(?=\d)")
PATTERNS = {
    "ID number (18)": re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)"),
    "ID number (15)": re.compile(r"(?<!\d)\d{15}(?!\d)"),
    "mobile": re.compile(r"(?<!\d)(?:\+?86)?1[3-9]\d{9}(?!\d)"),
    "bank card": re.compile(r"(?<!\d)\d{13,19}(?!\d)"),
}


class PageParser(HTMLParser):
    """Links to follow, and every text node and attribute value to scan."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.texts: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value:
                self.texts.append(value)
        attrs = dict(attrs)
        if tag in ("a", "link") and attrs.get("href"):
            self.links.append(attrs["href"])

    def handle_data(self, data):
        self.texts.append(data)


def normalise(text: str) -> str:
    """Full-width digits to ASCII, separators between digits removed.

    UUIDs (catalog item keys in URLs and exports) and long hex tokens are
    dropped first: their digit runs are not identifiers.
    """
    text = unicodedata.normalize("NFKC", text)
    text = HEX_TOKENS.sub("#", text)
    return SEPARATORS.sub("", text)


def leaks_in(segments, raw: set[str]) -> list[str]:
    found = []
    for segment in segments:
        compact = normalise(segment)
        for label, pattern in PATTERNS.items():
            match = pattern.search(compact)
            if match:
                found.append(f"{label}: …{compact[max(match.start() - 20, 0):match.end() + 5]}…")
        found.extend(f"raw identifier in {segment[:40]!r}" for r in raw if r in compact or r in segment)
    return found


def office_segments(data: bytes) -> list[str]:
    """Text of every XML part of a docx/xlsx, per paragraph (docx runs joined), row or string."""
    segments = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if not name.endswith((".xml", ".rels")):
                continue
            xml = archive.read(name).decode("utf-8", "replace")
            for paragraph in re.split(r"</w:p>|</row>|</si>", xml):
                segments.append(re.sub(r"<[^>]+>", "", paragraph))
                # Attribute values are data only in relationships (link targets) and
                # document properties; elsewhere they are styles, fonts and sizes.
                if name.endswith(".rels") or name.startswith("docProps/"):
                    segments.extend(re.findall(r'="([^"]*)"', paragraph))
    return segments


def csv_segments(data: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))) for cell in row]


def expand(path: str) -> bool:
    match = re.match(r"^/r/(\d+)/", path)
    if match is None:
        return True
    code = match.group(1)
    return code in EXPANDED_REGIONS or code.startswith("4103")


@pytest.mark.django_db
def test_no_identifier_in_any_public_page_feed_download_or_log(client, caplog, capsys, settings, tmp_path):
    settings.NAME_LIST_STAGING_DIR = str(tmp_path / "staging")
    caplog.set_level(logging.DEBUG)
    out, err = io.StringIO(), io.StringIO()
    call_command("seed_demo", stdout=out, stderr=err)
    people = demo_namelists.demo_people()
    raw = demo_namelists.raw_identifiers(people)
    assert len(raw) >= 3 * len(people) > 600
    lists = list(NameList.objects.confirmed().select_related("record"))
    assert len(lists) == 5

    seen = {"/"}
    queue = deque(["/"])
    leaks: list[str] = []
    kinds: dict[str, int] = {}
    fetched = 0
    while queue:
        path = queue.popleft()
        fetched += 1
        assert fetched <= MAX_FETCHES, "the crawl is not bounded"
        response = client.get(path, follow=True)
        assert response.status_code == 200, path
        content_type = response.get("Content-Type", "").split(";")[0]
        data = response.content
        if content_type == "text/html":
            kind = "html"
            parser = PageParser()
            parser.feed(data.decode())
            segments = parser.texts
        elif content_type in ("application/rss+xml", "application/atom+xml"):
            kind = "feed"
            parser = PageParser()
            parser.feed(data.decode())
            segments = parser.texts
            parser.links += re.findall(r"<link>([^<]+)</link>", data.decode())
        elif data[:2] == b"PK":
            kind = "xlsx" if path.endswith(".xlsx") else "docx"
            parser = None
            segments = office_segments(data)
        elif content_type == "text/csv":
            kind = "csv"
            parser = None
            segments = csv_segments(data)
        else:
            kind = content_type
            parser = None
            segments = [data.decode("utf-8", "replace")]
        kinds[kind] = kinds.get(kind, 0) + 1
        leaks.extend(f"{path}: {leak}" for leak in leaks_in(segments, raw))
        if parser is None or not expand(path):
            continue
        if response.redirect_chain:
            path = response.redirect_chain[-1][0]
        for href in parser.links:
            parts = urlsplit(urljoin("http://testserver" + path, href))
            if parts.netloc != "testserver" or parts.scheme not in ("http", "https"):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if parts.path == "/preferences/":
                target = "/preferences/?" + parts.query.split("&")[0]
            if target in seen or parts.path.startswith(STAFF_PREFIXES):
                continue
            seen.add(target)
            queue.append(target)

    logged = [record.getMessage() for record in caplog.records]
    console = capsys.readouterr()
    logged += [out.getvalue(), err.getvalue(), console.out, console.err]
    leaks.extend(f"log: {leak}" for leak in leaks_in(logged, raw))
    assert leaks == [], leaks[:20]

    # The walk reached every kind of output, and every list's downloads and pages.
    assert {"html", "feed", "docx", "xlsx", "csv"} <= set(kinds)
    for name_list in lists:
        assert name_list.record.get_absolute_url() in seen
    live = [n for n in lists if n.publicity_end is None]
    assert len(live) >= 3
    for name_list in live:
        for fmt in ("xlsx", "csv"):
            assert f"/records/{name_list.record_id}/namelist.{fmt}" in seen
    paged = max(live, key=lambda n: n.row_count)
    assert f"{paged.record.get_absolute_url()}?page=3" in seen


def test_the_scanner_finds_what_it_looks_for():
    """Each pattern fires on the ways clerks write identifiers (the crawl's assertions are honest)."""
    person = demo_namelists.synthetic_people(1, seed="scan")[0]
    wide = person.id_number.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    spaced = f"{person.phone[:3]} {person.phone[3:7]}-{person.phone[7:]}"
    for text in [person.id_number, wide, spaced, "+86" + person.phone, person.bank_card, "410311850612123"]:
        assert leaks_in([f"备注：{text}。"], set()), text
    assert leaks_in(["无"], {person.phone}) == []
    assert leaks_in([f"x{person.phone}x"], {person.phone})
    for harmless in ["/items/b6151544-7383-4209-8d06-52a1b2c3d4e5/", "2025-10-16 10:30", "网站标识码：4100000000", "410311012", "4***************3X", "138****5678"]:
        assert leaks_in([harmless], set()) == [], harmless
