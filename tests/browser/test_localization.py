"""County localization in a real browser (Debian Chromium, headless).

demo-county (洛龙区) clones Luoyang's social-assistance catalog, shortens a deadline
and adds a channel (the live preview shows the new wording), tries a longer
deadline and is refused at the field, fills the content Luoyang's source lost,
omits an item with a reason and submits. demo-city returns it with a comment on
an item; the clerk sees the comment on the item, fixes it and resubmits;
demo-city approves; the clerk publishes (approval and publication are separate
steps: the county decides when the approved version goes public) and the new
version shows on the catalog's history page.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from catalogs import services
from catalogs.models import Catalog, CatalogItem
from catalogs.reference import load_luoyang_catalogs, load_templates
from catalogs.selectors import forget_work_calendar
from demo import users as demo
from demo.users import seed_users
from tests.browser.axe import inject_axe
from tests.helpers import fill_lost_content

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "DemoPass-2026"
EDIT = re.compile(r"^修改“")  # the links read 修改“<item name>” to screen readers


@pytest.fixture
def reference_catalogs():
    forget_work_calendar()
    load_templates()
    load_luoyang_catalogs()
    seed_users()
    yield
    forget_work_calendar()


def login(page, base_url: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(base_url + "/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="工作台")).to_be_visible()


def _item(seq: int) -> CatalogItem:
    return CatalogItem.objects.get(
        catalog__region_id="410311", catalog__domain__slug="social-assistance", seq=seq
    )


def _row(page, seq: int):
    return page.locator(f"#item-{_item(seq).key}")


def test_county_localizes_gets_reviewed_and_publishes(
    page, live_server, reference_catalogs
):
    base = live_server.url
    page.set_viewport_size({"width": 1280, "height": 900})

    # --- the clerk clones the city's catalog ---------------------------------------------------
    login(page, base, "demo-county")
    page.locator("#clone-social-assistance").click()
    expect(page.get_by_text("洛阳市社会救助领域基层政务公开标准目录")).to_be_visible()
    page.get_by_role("button", name="复制并开始本地化").click()
    expect(
        page.get_by_role("heading", name="洛龙区社会救助领域基层政务公开标准目录")
    ).to_be_visible()
    expect(page.locator(".message-success")).to_contain_text("已复制")

    # --- shortens a deadline and adds a channel (live preview through the JSON endpoint) --------
    _row(page, 1).get_by_role("link", name=EDIT).click()
    expect(page.get_by_role("heading", name="修改事项“政策法规文件”")).to_be_visible()
    page.get_by_label("天数").fill("5")
    expect(page.locator("#time-limit-output")).to_have_text(
        "制定或获取信息之日起5个工作日内"
    )
    expect(page.locator("[data-time-limit-example]")).to_contain_text("2025年10月10日")
    page.get_by_label("两微一端").check()
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator(".message-success")).to_contain_text("已保存“政策法规文件”")
    expect(_row(page, 1)).to_contain_text("时限缩短")

    # --- tries a longer deadline and sees the refusal at the field ---------------------------------
    _row(page, 1).get_by_role("link", name=EDIT).click()
    page.get_by_label("天数").fill("15")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator("#form-errors")).to_contain_text("保存未成功")
    time_limit = page.locator("#fieldset-time-limit")
    expect(time_limit.locator(".errorlist")).to_contain_text("公开时限不能长于上级目录")
    expect(page.get_by_label("天数")).to_have_value("15")  # the input is kept
    assert _item(1).deadline_amount == 5
    page.get_by_role("link", name="返回目录（不保存）").click()

    # --- fills the content Luoyang's source lost (seq 9 and 10), with the JS row buttons ------------
    for seq in (9, 10):
        _row(page, seq).get_by_role("link", name=EDIT).click()
        content = page.locator("#fieldset-content")
        content.get_by_label("公开内容第1项").fill("终止供养名单")
        content.get_by_role("button", name="增加一项公开内容").click()
        content.get_by_label("公开内容第3项").fill("初审对象名单及相关信息")
        content.locator("[data-formset-row]:not([hidden])").nth(2).get_by_role(
            "button", name="上移"
        ).click()
        content.locator("[data-formset-row]:not([hidden])").nth(1).get_by_role(
            "button", name="上移"
        ).click()
        page.get_by_role("button", name="保存", exact=True).click()
        expect(page.locator(".message-success")).to_be_visible()
    assert _item(9).content == ["初审对象名单及相关信息", "终止供养名单"]

    # --- omits an item with its reason --------------------------------------------------------------
    _row(page, 2).get_by_role("link", name=re.compile("标注为本地不公开")).click()
    page.get_by_role("button", name="确认不公开").click()
    expect(page.locator(".errorlist")).to_contain_text("请填写不公开的理由")
    page.get_by_label("不公开的理由").fill("本区监督检查结果由市民政局统一公开")
    page.get_by_role("button", name="确认不公开").click()
    expect(_row(page, 2)).to_contain_text("理由：本区监督检查结果由市民政局统一公开")

    # --- submits ------------------------------------------------------------------------------------
    page.locator("#submit-link").click()
    page.get_by_role("button", name="提交审核").click()
    expect(page.locator(".message-success")).to_contain_text("已提交审核")
    expect(page.locator(".catalog-meta")).to_contain_text("已提交审核")

    # --- the city returns it with a comment on the item ------------------------------------------------
    login(page, base, "demo-city")
    page.get_by_role("link", name=re.compile("审核：洛龙区 · 社会救助")).click()
    expect(page.get_by_text("时限缩短").first).to_be_visible()
    expect(
        page.get_by_text("不公开理由：本区监督检查结果由市民政局统一公开")
    ).to_be_visible()
    comment_form = page.locator("#comment-form")
    comment_form.get_by_label("意见针对的事项").select_option(
        label="1. 综合业务 · 政策法规文件"
    )
    comment_form.get_by_label("审核意见").fill("请在公开内容中补充“政策解读”。")
    comment_form.get_by_role("button", name="记录意见").click()
    expect(page.locator(".message-success")).to_contain_text("意见已记录")
    decision = page.locator("#decision-form")
    decision.get_by_label("退回修改").check()
    decision.get_by_label("审核意见（退回时必填）").fill("请按意见修改后重新提交。")
    decision.get_by_role("button", name="提交审核结论").click()
    expect(page.locator(".message-success")).to_contain_text("已退回修改")

    # --- the clerk sees the comment on the item, fixes it and resubmits ---------------------------------
    login(page, base, "demo-county")
    page.locator("#open-social-assistance").click()
    expect(page.get_by_text("上级退回修改")).to_be_visible()
    expect(_row(page, 1)).to_contain_text("请在公开内容中补充“政策解读”。")
    _row(page, 1).get_by_role("link", name=EDIT).click()
    expect(page.locator("#item-comments-heading")).to_be_visible()
    content = page.locator("#fieldset-content")
    content.get_by_role("button", name="增加一项公开内容").click()
    rows = content.locator("[data-formset-row]:not([hidden])")
    rows.last.locator("input[type=text]").fill("政策解读")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator(".message-success")).to_contain_text("已保存")
    assert _item(1).content[-1] == "政策解读"
    _row(page, 1).get_by_role("button", name="标记为已处理").click()
    expect(page.locator(".message-success")).to_contain_text("已标记为已处理")
    page.locator("#submit-link").click()
    page.get_by_role("button", name="提交审核").click()
    expect(page.locator(".message-success")).to_contain_text("已提交审核")

    # --- the city approves ------------------------------------------------------------------------------
    login(page, base, "demo-city")
    page.get_by_role("link", name=re.compile("审核：洛龙区 · 社会救助")).click()
    decision = page.locator("#decision-form")
    decision.get_by_label("审核通过").check()
    decision.get_by_role("button", name="提交审核结论").click()
    expect(page.locator(".message-success")).to_contain_text("已审核通过")

    # --- the clerk publishes; the version shows on the history page ----------------------------------------
    login(page, base, "demo-county")
    page.locator("#publish-social-assistance").click()
    page.get_by_role("button", name="确认发布").click()
    expect(page.locator(".message-success")).to_contain_text("已发布第1版")
    page.locator("#nav-history").click()
    version = page.locator("#version-1")
    expect(version).to_contain_text("已发布")
    expect(version).to_contain_text("洛阳市民政局审核员")
    expect(page.locator(".history-list")).to_contain_text("审核通过")
    expect(page.locator(".history-list")).to_contain_text("退回修改")
    catalog = Catalog.objects.get(region_id="410311", domain__slug="social-assistance")
    assert catalog.status == "published"
    assert _item(2).omitted


def _serious_violations(page) -> list[str]:
    inject_axe(page)  # through the DevTools protocol: the page keeps its CSP
    result = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations']})"
    )
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("width", [1280, 390])
def test_staff_catalog_pages_have_no_serious_accessibility_violations(
    page, live_server, width
):
    """axe-core on the workspace, a catalog, the item form, the diff, the upstream
    update, the history and the review page (demo data), on a PC and a phone."""
    forget_work_calendar()
    demo.seed()
    base = live_server.url
    page.set_viewport_size({"width": width, "height": 900})
    published = Catalog.objects.get(
        region_id="410311", domain__slug="social-assistance"
    )
    draft = Catalog.objects.get(region_id="410307", domain__slug="social-assistance")
    fill_lost_content(draft, draft.created_by)
    services.catalog_submit(catalog=draft, actor=draft.created_by)
    login(page, base, "demo-county")
    pages = [
        "/work/",
        f"/work/catalogs/{published.pk}/",
        f"/work/catalogs/{published.pk}/diff/",
        f"/work/catalogs/{published.pk}/upstream/",
        f"/work/catalogs/{published.pk}/history/",
    ]
    problems = {}
    for path in pages:
        page.goto(base + path)
        problems[path] = _serious_violations(page)
    login(page, base, "demo-city")
    for path in (f"/work/catalogs/{draft.pk}/review/", "/work/catalogs/review/"):
        page.goto(base + path)
        problems[path] = _serious_violations(page)
    services.catalog_return(catalog=draft, actor=None, comment="请修改")
    login(page, base, "demo-county2")
    path = f"/work/catalogs/items/{draft.items.get(seq=5).pk}/edit/"
    page.goto(base + path)
    problems[path] = _serious_violations(page)
    assert {p: v for p, v in problems.items() if v} == {}
    forget_work_calendar()
