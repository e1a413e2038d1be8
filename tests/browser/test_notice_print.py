"""The village notice printed to PDF by headless Chromium (SPEC §14, 适老化).

A record with a 120-row list (an attacker's upload: ID, phone and bank-card
numbers in the published columns and in free text) goes through the real
name-list pipeline; its notice is printed with Playwright's `page.pdf` using the
page's own @page size, and the PDF is read back with pypdf: A4 portrait (A3 on
request), several pages with the table header repeated on each, every row
present (nothing clipped), no digit run of 11 or more, large type.
"""

from __future__ import annotations

import dataclasses
import io
import re

import pytest
from pypdf import PdfReader

from django.urls import reverse

from catalogs.models import User
from catalogs.reference import load_luoyang_catalogs, load_templates
from demo import namelists as demo_namelists
from demo import portal as demo_portal
from tests.builders import people, publish_list, temporary_record
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "李楼街道2025年第三季度临时救助审核审批结果"
ROWS = 120
A4 = (595, 842)  # points, portrait
A3 = (842, 1191)


@pytest.fixture
def notice_record(settings, tmp_path):
    settings.NAME_LIST_STAGING_DIR = str(tmp_path / "staging")
    load_templates()
    load_luoyang_catalogs()
    demo_portal.seed()
    uploader = UserFactory(
        role=User.Role.COUNTY_CLERK, region_code="410311", username="clerk-print"
    )
    reviewer = UserFactory(
        role=User.Role.CITY_REVIEWER, region_code="4103", username="reviewer-print"
    )
    record = temporary_record(TITLE)
    crowd = people(ROWS, seed="print")
    crowd[0] = dataclasses.replace(
        crowd[0],
        name=f"{crowd[0].name}{crowd[1].id_number}",
        village=f"{crowd[0].village}{crowd[1].phone}",
        remark=f"卡号{crowd[2].bank_card}",
    )
    data = demo_namelists.workbook_bytes("李楼街道临时救助名单", crowd)
    publish_list(record, uploader, reviewer, data=data)
    return record, demo_namelists.raw_identifiers(crowd)


def _pdf(page, url: str) -> PdfReader:
    page.goto(url)
    page.emulate_media(media="print")
    return PdfReader(
        io.BytesIO(page.pdf(prefer_css_page_size=True, print_background=True))
    )


def _size(pdf_page) -> tuple[int, int]:
    box = pdf_page.mediabox
    return round(float(box.width)), round(float(box.height))


def test_notice_prints_on_a4_with_every_row_and_no_identifier(
    page, live_server, notice_record
):
    record, raw = notice_record
    url = live_server.url + reverse("disclosures:record_notice", args=[record.pk])
    page.set_viewport_size({"width": 1000, "height": 1400})
    pdf = _pdf(page, url)

    # Large readable type on paper (适老化): table text 14pt, the title larger.
    sizes = page.evaluate(
        """() => ({
            td: parseFloat(getComputedStyle(document.querySelector('#notice-table td')).fontSize),
            th: parseFloat(getComputedStyle(document.querySelector('#notice-table th')).fontSize),
            h1: parseFloat(getComputedStyle(document.querySelector('h1')).fontSize),
            tools: getComputedStyle(document.querySelector('.notice-tools')).display,
            tableRight: document.querySelector('#notice-table').getBoundingClientRect().right,
            bodyRight: document.body.getBoundingClientRect().right,
            overflow: document.querySelector('#notice-table').scrollWidth
                      - document.querySelector('#notice-table').clientWidth,
            qr: !!document.querySelector('#notice-qr svg.segno path'),
        })"""
    )
    assert sizes["td"] >= 18.6 and sizes["th"] >= 18.6  # 14pt = 18.67px
    assert sizes["h1"] >= 28
    assert sizes["tools"] == "none"  # the screen toolbar is not printed
    assert sizes["tableRight"] <= sizes["bodyRight"] + 0.5 and sizes["overflow"] <= 0
    assert sizes["qr"]

    pages = [p.extract_text() or "" for p in pdf.pages]
    assert {_size(p) for p in pdf.pages} == {A4}
    # 120 rows of 14pt type: several pages, not one squeezed page nor one per row.
    assert 3 <= len(pages) <= 8, len(pages)
    text = "\n".join(pages)
    assert TITLE in text.replace("\n", "")
    assert "公示期" in text or "发布日期" in text
    # The header is repeated on every page that carries rows.
    for number, page_text in enumerate(pages[:-1], start=1):
        assert "序号" in page_text and "姓名" in page_text, f"page {number}"
    # Every row is there: numbers 1..120 each begin a line of the table.
    numbers = {int(m) for m in re.findall(r"(?m)^\s*(\d{1,3})\s", text)}
    assert set(range(1, ROWS + 1)) <= numbers
    # The issuer, the supervision line and the QR caption made it to paper.
    assert "监督电话" in text and "扫码查看网上公开信息" in text
    # Privacy: no raw identifier, no digit run of 11+ (after removing separators).
    compact = re.sub(r"[\s\-]", "", text)
    assert not re.search(r"\d{11,}", compact)
    for identifier in raw:
        assert identifier not in compact


def test_a3_option_prints_on_a3_in_larger_type(page, live_server, notice_record):
    """A3 for a board read from a step away: larger type, no more pages than A4."""
    record, _raw = notice_record
    url = live_server.url + reverse("disclosures:record_notice", args=[record.pk])
    a4 = _pdf(page, url)
    a3 = _pdf(page, url + "?size=a3")
    td = page.evaluate(
        "() => parseFloat(getComputedStyle(document.querySelector('#notice-table td')).fontSize)"
    )
    assert td >= 24  # 18pt
    assert {_size(p) for p in a3.pages} == {A3}
    assert len(a3.pages) <= len(a4.pages)
    text = "".join(p.extract_text() or "" for p in a3.pages)
    assert not re.search(r"\d{11,}", re.sub(r"[\s\-]", "", text))
