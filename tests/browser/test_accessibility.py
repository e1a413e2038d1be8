"""axe-core on the public pages, on a PC and on a phone, in the normal and the
large-font + high-contrast modes: no serious or critical violation (GB/T 37668)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from django.utils import timezone

from catalogs.reference import load_luoyang_catalogs, load_templates
from demo import portal as demo_portal
from tests.browser.axe import serious_violations
from tests.builders import add_name_list, publish_record

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [pytest.param(1280, 900, id="pc-1280"), pytest.param(390, 844, id="phone-390")]


@pytest.fixture
def pages():
    load_templates()
    load_luoyang_catalogs()
    demo_portal.seed()
    record = publish_record(title="李楼街道2025年第三季度低保审核对象公示")
    add_name_list(
        record, rows=60, publicity_end=timezone.localdate() + timedelta(days=7)
    )
    return {
        "home": "/",
        "picker": "/r/pick/?city=4103&step=next",
        "region": "/r/410311/",
        "catalog": "/r/410311/social-assistance/",
        "item": f"/r/410311/social-assistance/items/{record.item_key}/",
        "record": record.get_absolute_url(),
        "search": "/search/?q=低保",
        "not_found": "/records/999999/",
    }


@pytest.mark.parametrize("width,height", WIDTHS)
def test_public_pages_have_no_serious_violations(
    page, live_server, pages, width, height
):
    page.set_viewport_size({"width": width, "height": height})
    found = {}
    for name, url in pages.items():
        page.goto(live_server.url + url)
        problems = serious_violations(page)
        if problems:
            found[name] = problems
    assert found == {}


def test_large_font_and_high_contrast_modes_have_no_serious_violations(
    browser, live_server, pages
):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    context.add_cookies(
        [{"name": "a11y", "value": "large,contrast", "url": live_server.url}]
    )
    page = context.new_page()
    try:
        found = {}
        for name in ("home", "catalog", "record", "search"):
            page.goto(live_server.url + pages[name])
            assert "pref-contrast" in page.get_attribute("html", "class")
            problems = serious_violations(page)
            if problems:
                found[name] = problems
        assert found == {}
    finally:
        context.close()


def test_keyboard_users_reach_the_content_and_see_where_they_are(
    page, live_server, pages
):
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    assert skip.inner_text() == "跳到主要内容"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    page.keyboard.press("Tab")
    focused = page.locator(":focus")
    outline = focused.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline == "solid"
    assert page.evaluate("document.activeElement.closest('main') !== null")
