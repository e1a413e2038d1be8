"""A member of the public in a real browser (Chromium), on a PC and on a phone.

From `/` to 洛龙区 through the region picker, the 社会救助 catalog, a record with its
name list, the Word download and a search for 低保 — with large-font mode on
all the way; and the picker and the display toggles without JavaScript.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from docx import Document
from playwright.sync_api import expect

from django.utils import timezone

from catalogs.reference import load_luoyang_catalogs, load_templates
from demo import portal as demo_portal
from tests.builders import add_name_list, publish_record

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECORD_TITLE = "李楼街道2025年第三季度低保审核对象公示"
WIDTHS = [pytest.param(1280, 900, id="pc-1280"), pytest.param(390, 844, id="phone-390")]


@pytest.fixture
def public_data():
    """Templates, Luoyang's catalogs, every Luoyang county's catalogs, one record with a list."""
    load_templates()
    load_luoyang_catalogs()
    demo_portal.seed()
    record = publish_record(title=RECORD_TITLE)
    add_name_list(
        record, rows=60, publicity_end=timezone.localdate() + timedelta(days=7)
    )
    return record


def root_font_px(page) -> float:
    return float(
        page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    )


@pytest.mark.parametrize("width,height", WIDTHS)
def test_find_read_download_and_search(
    page, live_server, public_data, tmp_path, width, height
):
    record = public_data
    page.set_viewport_size({"width": width, "height": height})
    page.goto(live_server.url + "/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")

    # Large-font mode, kept on every following page.
    page.get_by_role("button", name="大字模式").click()
    expect(page.locator("html")).to_have_class(re.compile(r"\bpref-large\b"))
    assert root_font_px(page) == 22.0

    # Region picker: city, then county (filled in place by the script), then go.
    page.get_by_label("市", exact=True).select_option(label="洛阳市")
    county = page.get_by_label("县（市、区）")
    expect(county).to_be_enabled()
    county.select_option(label="洛龙区")
    page.get_by_role("button", name="进入所选地区").click()
    page.wait_for_url(f"{live_server.url}/r/410311/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("洛龙区")
    expect(page.locator("html")).to_have_class(re.compile(r"\bpref-large\b"))

    # The 社会救助 catalog.
    page.get_by_role("link", name="查看社会救助标准目录").click()
    page.wait_for_url(f"{live_server.url}/r/410311/social-assistance/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "洛龙区社会救助领域基层政务公开标准目录"
    )
    if width >= 1000:
        table = page.locator("table.catalog-table")
        expect(table).to_be_visible()
        expect(table.locator("thead")).to_contain_text("公开渠道和载体")
        item_link = page.locator(f"#item-{record.item_key} a")
    else:
        expect(page.locator("table.catalog-table")).to_be_hidden()
        item_link = page.locator(f"#card-{record.item_key} a")
    expect(item_link).to_be_visible()
    # The page fits the phone: nothing but the table scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    # Download the official Word document.
    with page.expect_download() as info:
        page.get_by_role("link", name="下载 Word 文档（.docx）").click()
    download = info.value
    assert download.suggested_filename.endswith(".docx")
    saved = tmp_path / "catalog.docx"
    download.save_as(saved)
    text = "\n".join(
        cell.text
        for table in Document(str(saved)).tables
        for row in table.rows
        for cell in row.cells
    )
    assert "审核信息" in text and "公开渠道和载体" in text

    # The item's records, then the record with its name list.
    item_link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("审核信息")
    expect(page.locator("main")).to_contain_text("按时公开")
    page.get_by_role("link", name=RECORD_TITLE).click()
    page.wait_for_url(f"{live_server.url}/records/{record.pk}/")
    expect(page.get_by_role("heading", name="名单公示")).to_be_visible()
    names = page.locator("table.name-list-table")
    expect(names).to_contain_text("张*亮1")
    expect(names).not_to_contain_text("张*明60")
    page.get_by_role("link", name="下一页").first.click()
    expect(page.locator("table.name-list-table")).to_contain_text("张*明60")
    expect(page.locator("html")).to_have_class(re.compile(r"\bpref-large\b"))

    # Search 低保 and find the record.
    page.get_by_role("navigation", name="主导航").get_by_role(
        "link", name="搜索"
    ).click()
    page.get_by_label("关键词").fill("低保")
    page.get_by_role("main").get_by_role("button", name="搜索").click()
    result = page.get_by_role("link", name=RECORD_TITLE)
    expect(result).to_be_visible()
    expect(result.locator("mark")).to_have_text("低保")
    assert root_font_px(page) == 22.0
    result.click()
    page.wait_for_url(f"{live_server.url}/records/{record.pk}/")


def test_picker_and_display_modes_work_without_javascript(
    browser, live_server, public_data
):
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 390, "height": 844}
    )
    page = context.new_page()
    try:
        page.goto(live_server.url + "/")
        page.get_by_role("button", name="高对比度").click()
        expect(page.locator("html")).to_have_class(re.compile(r"\bpref-contrast\b"))
        expect(page.get_by_role("button", name="高对比度")).to_have_attribute(
            "aria-pressed", "true"
        )
        expect(page.get_by_label("县（市、区）")).to_be_disabled()
        page.get_by_label("市", exact=True).select_option(label="洛阳市")
        page.get_by_role("button", name="选择下一级").click()
        page.get_by_label("县（市、区）").select_option(label="洛龙区")
        page.get_by_role("button", name="选择下一级").click()
        page.get_by_label("乡镇（街道）").select_option(label="李楼街道")
        page.get_by_role("button", name="选择下一级").click()
        page.wait_for_url(f"{live_server.url}/r/410311012/")
        expect(page.get_by_role("heading", level=1)).to_contain_text("李楼街道")
        expect(page.locator("main")).to_contain_text("适用洛龙区的目录")
        expect(page.locator("html")).to_have_class(re.compile(r"\bpref-contrast\b"))
    finally:
        context.close()


def test_catalog_prints_as_the_official_table(page, live_server, public_data, tmp_path):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/r/410311/social-assistance/")
    page.emulate_media(media="print")
    expect(page.locator("table.catalog-table")).to_be_visible()
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".catalog-cards-list")).to_be_hidden()
    pdf = Path(tmp_path / "catalog.pdf")
    page.pdf(path=str(pdf), landscape=True, format="A4")
    assert pdf.read_bytes().startswith(b"%PDF")
