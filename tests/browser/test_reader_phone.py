"""The reader's pages on a phone (issue 21): the name-list table fits 390 px, and
search finds 最低生活保障 for 低保.

The amount column of a published name list never lies beyond the screen (the
table wraps its cells instead of scrolling sideways), and axe finds no serious
violation on the record page at 390 and 1280 px.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from django.utils import timezone

from tests.browser.axe import serious_violations
from tests.builders import add_name_list, publish_record

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def record_with_list(portal):
    record = publish_record(title="李楼街道2025年第三季度最低生活保障审核对象公示")
    add_name_list(record, rows=30, publicity_end=timezone.localdate() + timedelta(7))
    return record


@pytest.mark.parametrize("width", [390, 1280])
def test_the_name_list_table_fits_the_screen(
    page, live_server, record_with_list, width
):
    page.set_viewport_size({"width": width, "height": 844})
    page.goto(f"{live_server.url}{record_with_list.get_absolute_url()}")
    table = page.locator("table.name-list-table")
    expect(table).to_contain_text("张*亮1")
    wrap = page.locator("#name-list .table-wrap")
    overflow = wrap.evaluate("el => el.scrollWidth - el.clientWidth")
    assert overflow <= 0, f"the table scrolls sideways by {overflow}px"
    # Every cell of the amount column (the third data column) is on screen.
    rights = table.evaluate(
        """t => Array.from(t.querySelectorAll('tr'))
              .map(r => r.children[3].getBoundingClientRect().right)"""
    )
    assert max(rights) <= width
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert serious_violations(page) == []


@pytest.mark.parametrize("width", [390, 1280])
def test_searching_the_short_form_finds_the_full_name(
    page, live_server, record_with_list, width
):
    """低保 finds the record titled 最低生活保障 (which does not contain 低保)."""
    page.set_viewport_size({"width": width, "height": 844})
    page.goto(f"{live_server.url}/search/")
    page.get_by_label("关键词").fill("低保")
    page.get_by_role("main").get_by_role("button", name="搜索").click()
    result = page.get_by_role("link", name=record_with_list.title)
    expect(result).to_be_visible()
    expect(result.locator("mark")).to_have_text("最低生活保障")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert serious_violations(page) == []


@pytest.mark.parametrize("width", [390, 1280])
def test_a_withdrawn_record_shows_a_410_notice(
    page, live_server, record_with_list, width
):
    from disclosures.records import services as record_services

    record_services.record_withdraw(
        record=record_with_list, reason="信息有误，更正后重新发布。", actor=None
    )
    page.set_viewport_size({"width": width, "height": 844})
    response = page.goto(f"{live_server.url}{record_with_list.get_absolute_url()}")
    assert response.status == 410
    expect(page.get_by_role("heading", level=1)).to_have_text("该信息已撤回")
    notice = page.locator("#withdrawn-notice")
    expect(notice).to_contain_text("撤回原因：信息有误，更正后重新发布。")
    expect(notice).not_to_contain_text("。。")
    expect(page.locator("table.name-list-table")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert serious_violations(page) == []


@pytest.mark.parametrize("width", [390, 1280])
def test_search_groups_the_same_item_across_counties(
    page, live_server, record_with_list, width
):
    page.set_viewport_size({"width": width, "height": 844})
    page.goto(f"{live_server.url}/search/?q=养老机构备案&region=4103")
    results = page.locator("#item-results-heading + ol > li")
    expect(results.first).to_contain_text("洛阳市")
    expect(results.first.locator(".region-count")).to_have_text("等15个地区")
    names = results.locator(".record-title").all_inner_texts()
    assert len(names) == len(set(names))  # one result per item, not one per county
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert serious_violations(page) == []


@pytest.mark.parametrize("width", [390, 1280])
def test_the_item_page_shows_nine_elements_on_a_phone(
    page, live_server, record_with_list, width
):
    item = record_with_list.item
    page.set_viewport_size({"width": width, "height": 844})
    region, slug = item.catalog.region_id, record_with_list.domain.slug
    page.goto(f"{live_server.url}/r/{region}/{slug}/items/{item.key}/")
    expect(page.locator("#item-elements dt")).to_have_count(9)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert serious_violations(page) == []
