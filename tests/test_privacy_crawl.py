"""No identifier reaches the public: a crawl of the seeded portal (SPEC §5, issue 6).

`seed_demo` publishes its synthetic name lists through the real pipeline
(`demo.namelists`: ID numbers with valid check digits, phones, bank
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

Before the walk, a clerk tries every other way an identifier could reach
the public (issue 12): ID, phone and bank-card numbers typed into record
titles and bodies, hidden in docx/xlsx/pdf attachments (text, cells, XMP), a
raw name list attached as a workbook, a scanned PDF nobody confirmed, and
drafts full of identifiers. Besides the links it finds, the walk then
requests every record page, attachment and name-list download by id and
searches for every identifier. 备注/类别/致困原因 values of the demo lists
("因病致困", "精神残疾" …) must not be visible either.

The log records and the console output of the seed and of the crawl are
scanned the same way. Regions outside 洛阳市 are fetched but not expanded,
which bounds the walk while reaching every kind of page; the counties that
hold records are walked page by page, the other regions' pages a few of each
kind (`tests.crawling.Sample`: they hold no records, so no identifiers).
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

from catalogs.models import User
from demo import applications as demo_applications
from demo import namelists as demo_namelists
from disclosures.models import Attachment, DisclosureRecord, NameList
from disclosures.records import obligations as obligation_services
from disclosures.records import services as record_services
from tests.crawling import Sample
from tests.files import (
    docx_bytes,
    name_list_xlsx,
    pdf_bytes,
    scanned_pdf_bytes,
    xlsx_bytes,
)

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
        for _name, value in attrs:
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
                found.append(
                    f"{label}: …{compact[max(match.start() - 20, 0) : match.end() + 5]}…"
                )
        found.extend(
            f"raw identifier in {segment[:40]!r}"
            for r in raw
            if r in compact or r in segment
        )
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
    return [
        cell
        for row in csv.reader(io.StringIO(data.decode("utf-8-sig")))
        for cell in row
    ]


def sensitive_values() -> set[str]:
    """The free-text 致困原因/备注 values of the demo lists (never published by default)."""
    return {value for value in demo_namelists.REASONS if value} | {"户主长期住院"}


def sensitive_in(segments, words: set[str]) -> list[str]:
    return [
        f"sensitive {word!r} in {segment[:40]!r}"
        for segment in segments
        for word in words
        if word in segment
    ]


def attempt_leaks(raw: set[str]) -> tuple[set[str], list[str]]:
    """Try every way around the name-list pipeline as demo-county; return planted identifiers and probe paths.

    Each attempt that must be refused is asserted refused; the drafts and the
    unconfirmed scan stay stored, and are probed by id after the walk.
    """
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    clerk = User.objects.get(username="demo-county")
    item = next(
        i
        for i in obligation_services.applicable_items(clerk.region)
        if i.deadline_kind == "working_days" and not i.publicity_amount
    )
    person = demo_namelists.synthetic_people(1, seed="attack")[0]
    planted = {person.id_number, person.phone, person.bank_card}
    raw |= planted
    trigger = timezone.localdate() - timezone.timedelta(days=2)

    def create(title, body="经审核，现予公开。", files=(), publish="now"):
        return record_services.record_create(
            region=clerk.region,
            item=item,
            trigger_date=trigger,
            title=title,
            body=body,
            actor=clerk,
            publish=publish,
            files=files,
        )

    def upload(name, data):
        return SimpleUploadedFile(name, data)

    refused = [
        lambda: create(f"王某{person.id_number}低保审核结果"),
        lambda: create(
            "低保审核结果",
            body=f"联系人电话 {person.phone[:3]} {person.phone[3:7]} {person.phone[7:]}",
        ),
        lambda: create("低保审核结果", body=f"银行卡号：{person.bank_card}"),
        lambda: create(
            "低保审核结果",
            files=[upload("结果.docx", docx_bytes([f"王某 {person.id_number}"]))],
        ),
        lambda: create(
            "低保审核结果",
            files=[upload("结果.xlsx", xlsx_bytes({"D5": person.phone}))],
        ),
        lambda: create(
            "低保审核结果",
            files=[upload("结果.pdf", pdf_bytes([f"Card {person.bank_card}"]))],
        ),
        lambda: create("低保名单", files=[upload("名单.xlsx", name_list_xlsx())]),
        lambda: create(
            f"附件{person.id_number}",
            files=[upload(f"{person.id_number}.docx", docx_bytes())],
        ),
    ]
    for attempt in refused:
        before = DisclosureRecord.objects.count()
        with pytest.raises(ValidationError):
            attempt()
        assert DisclosureRecord.objects.count() == before
    # Drafts may hold anything; they are never public.
    draft = create(
        f"草稿{person.id_number}", body=f"电话{person.phone}", publish="draft"
    )
    # A scanned PDF nobody has confirmed: the record is public, the file is not.
    scanned = create(
        "低保审核结果（扫描件）", files=[upload("扫描件.pdf", scanned_pdf_bytes())]
    )
    assert scanned.attachments.get().scan_status == Attachment.ScanStatus.NEEDS_REVIEW
    probes = [
        f"/records/{pk}/"
        for pk in DisclosureRecord.objects.values_list("pk", flat=True)
    ]
    probes += [
        f"/records/{record_id}/attachments/{pk}/"
        for pk, record_id in Attachment.objects.values_list("pk", "record_id")
    ]
    probes += [
        f"/records/{record_id}/namelist.{fmt}"
        for record_id in NameList.objects.values_list("record_id", flat=True)
        for fmt in ("xlsx", "csv")
    ]
    probes += [f"/search/?q={value}" for value in sorted(planted)]
    assert draft.pk and scanned.pk
    return planted, probes


def expand(path: str) -> bool:
    match = re.match(r"^/r/(\d+)/", path)
    if match is None:
        return True
    code = match.group(1)
    return code in EXPANDED_REGIONS or code.startswith("4103")


def response_segments(path: str, response) -> tuple[str, list[str], PageParser | None]:
    """The kind of a response, the text segments to scan, and its links (HTML and feeds)."""
    content_type = response.get("Content-Type", "").split(";")[0]
    data = response.content
    if content_type == "text/html":
        parser = PageParser()
        parser.feed(data.decode())
        return "html", parser.texts, parser
    if content_type in ("application/rss+xml", "application/atom+xml"):
        parser = PageParser()
        parser.feed(data.decode())
        parser.links += re.findall(r"<link>([^<]+)</link>", data.decode())
        return "feed", parser.texts, parser
    if data[:2] == b"PK":
        return (
            ("xlsx" if path.endswith(".xlsx") else "docx"),
            office_segments(data),
            None,
        )
    if content_type == "text/csv":
        return "csv", csv_segments(data), None
    return content_type, [data.decode("utf-8", "replace")], None


@pytest.mark.django_db
def test_no_identifier_in_any_public_page_feed_download_or_log(
    client, caplog, capsys, settings, tmp_path, seeded_demo
):
    settings.NAME_LIST_STAGING_DIR = str(tmp_path / "staging")
    caplog.set_level(logging.DEBUG)
    people = demo_namelists.demo_people()
    raw = demo_namelists.raw_identifiers(people)
    assert len(raw) >= 3 * len(people) > 600
    lists = list(NameList.objects.confirmed().select_related("record"))
    assert len(lists) == 5
    planted, probes = attempt_leaks(raw)
    assert planted <= raw
    words = sensitive_values()
    # 依申请公开: the demo applicants' identity and contact details (issue 17).
    raw |= demo_applications.identifiers()
    words |= demo_applications.applicant_names()

    sample = Sample.around_records()
    seen = {"/"}
    queue = deque(["/"])
    for path in ("/apply/", "/apply/?county=410311", "/apply/status/"):
        seen.add(path)
        queue.append(path)
    leaks: list[str] = []
    kinds: dict[str, int] = {}
    fetched = 0
    while queue:
        path = queue.popleft()
        fetched += 1
        assert fetched <= MAX_FETCHES, "the crawl is not bounded"
        response = client.get(path, follow=True)
        assert response.status_code == 200, path
        kind, segments, parser = response_segments(path, response)
        kinds[kind] = kinds.get(kind, 0) + 1
        leaks.extend(f"{path}: {leak}" for leak in leaks_in(segments, raw))
        leaks.extend(f"{path}: {leak}" for leak in sensitive_in(segments, words))
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
            if not sample(target):
                continue
            seen.add(target)
            queue.append(target)

    # Requests by id for everything that exists, public or not: an attacker guesses URLs.
    statuses: dict[int, int] = {}
    for path in probes:
        response = client.get(path)
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        # 410: a withdrawn record's notice (title, dates, reason) is public text too.
        assert response.status_code in (200, 404, 410), path
        if response.status_code in (200, 410):
            _kind, segments, _parser = response_segments(path, response)
            leaks.extend(f"{path}: {leak}" for leak in leaks_in(segments, raw))
            leaks.extend(f"{path}: {leak}" for leak in sensitive_in(segments, words))
    assert statuses.get(404, 0) >= 2, (
        statuses
    )  # the draft, the unconfirmed scan at least

    logged = [record.getMessage() for record in caplog.records]
    console = capsys.readouterr()
    logged += [*seeded_demo.console, console.out, console.err]
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
    wide = person.id_number.translate(
        str.maketrans("0123456789", "０１２３４５６７８９")
    )
    spaced = f"{person.phone[:3]} {person.phone[3:7]}-{person.phone[7:]}"
    for text in [
        person.id_number,
        wide,
        spaced,
        "+86" + person.phone,
        person.bank_card,
        "410311850612123",
    ]:
        assert leaks_in([f"备注：{text}。"], set()), text
    assert leaks_in(["无"], {person.phone}) == []
    assert leaks_in([f"x{person.phone}x"], {person.phone})
    for harmless in [
        "/items/b6151544-7383-4209-8d06-52a1b2c3d4e5/",
        "2025-10-16 10:30",
        "网站标识码：4100000000",
        "410311012",
        "4***************3X",
        "138****5678",
    ]:
        assert leaks_in([harmless], set()) == [], harmless
