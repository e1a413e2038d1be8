"""Issue 21 in a real browser: 保存草稿 keeps a half-typed item form, and the
legal-basis picker's 查找 narrows the library lists while keeping the input;
axe finds no serious violation on the form with the draft and the results
shown, at 1280 and 390 px."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from catalogs import services
from catalogs.models import Domain, ItemDraft, Region
from catalogs.reference import load_luoyang_catalogs, load_templates
from catalogs.selectors import forget_work_calendar
from demo.users import seed_users
from tests.browser.axe import serious_violations
from tests.browser.session import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def item():
    forget_work_calendar()
    load_templates()
    load_luoyang_catalogs()
    users = {u.username: u for u in seed_users()}
    draft = services.catalog_clone(
        region=Region.objects.get(code="410311"),
        domain=Domain.objects.get(slug="social-assistance"),
        actor=users["demo-county"],
    )
    yield draft.items.order_by("seq").first()
    forget_work_calendar()


@pytest.mark.parametrize("width", [1280, 390])
def test_draft_and_basis_picker(page, live_server, item, width):
    page.set_viewport_size({"width": width, "height": 900})
    login(page, live_server.url, "demo-county")
    url = f"{live_server.url}/work/catalogs/items/{item.pk}/edit/"
    page.goto(url)
    name = item.name

    # Half-typed: the name emptied (a save would be refused), then 保存草稿.
    page.get_by_label("二级事项").fill("")
    page.get_by_label("天数").fill("99")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator("ul.messages")).to_contain_text("草稿已保存")
    expect(page.locator("#item-draft")).to_be_visible()
    expect(page.get_by_label("二级事项")).to_have_value("")
    expect(page.get_by_label("天数")).to_have_value("99")
    expect(page.locator("#form-errors")).to_contain_text("草稿还不能保存")
    item.refresh_from_db()
    assert item.name == name and ItemDraft.objects.filter(item=item).exists()
    assert serious_violations(page) == []

    # The picker: 查找 keeps what was typed and lists only the matches.
    page.get_by_label("在依据库中查找（文件名称或文号中的字词）").fill("最低生活保障")
    page.get_by_role("button", name="查找", exact=True).click()
    expect(page.locator("#basis-picker")).to_contain_text("可选")
    expect(page.get_by_label("天数")).to_have_value("99")
    options = page.locator("select[name='bases-0-document'] option").all_inner_texts()
    assert 1 < len(options) < 20
    assert serious_violations(page) == []

    # Fixed and saved: the draft is gone.
    page.get_by_label("二级事项").fill(name)
    page.get_by_label("天数").fill("10")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page).not_to_have_url(url)
    assert not ItemDraft.objects.filter(item=item).exists()


@pytest.mark.parametrize("width", [1280, 390])
def test_submit_page_names_items_with_a_draft(page, live_server, item, width):
    page.set_viewport_size({"width": width, "height": 900})
    login(page, live_server.url, "demo-county")
    page.goto(f"{live_server.url}/work/catalogs/items/{item.pk}/edit/")
    page.get_by_label("天数").fill("99")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator("#item-draft")).to_be_visible()
    page.goto(f"{live_server.url}/work/catalogs/{item.catalog_id}/submit/")
    panel = page.locator("#item-drafts")
    expect(panel).to_contain_text("有未保存的草稿")
    panel.get_by_role("link", name=item.name).click()
    expect(page.locator("#item-draft")).to_be_visible()
    page.go_back()
    assert serious_violations(page) == []
