"""Content-Security-Policy in a real browser (issue 13): the public pages, the
workspace, the item editor and the Django admin load with `script-src 'self'`
(no inline script) and no violation of any directive, and their JavaScript
still works: region picker, large-font toggle, print button, the editor's live
time-limit preview and row buttons, the admin's date shortcuts."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from catalogs import services
from catalogs.models import Domain, Region, User
from catalogs.reference import load_luoyang_catalogs, load_templates
from catalogs.selectors import forget_work_calendar
from demo.users import seed_users

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "DemoPass-2026"

# Every violation reaches the page as a `securitypolicyviolation` event; the
# listener is installed through the DevTools protocol, before any page script.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + e.sourceFile + ":" + e.lineNumber);
});
"""


@pytest.fixture
def portal():
    forget_work_calendar()
    load_templates()
    load_luoyang_catalogs()
    seed_users()
    county = User.objects.get(username="demo-county")
    draft = services.catalog_clone(
        region=Region.objects.get(code="410311"),
        domain=Domain.objects.get(slug="social-assistance"),
        actor=county,
    )
    User.objects.create_superuser("root-csp", "root@example.org", "Root-Password-2026")
    yield {"item": draft.items.get(seq=1)}
    forget_work_calendar()


@pytest.fixture
def watched(page):
    """The page, with its CSP violations and console errors collected."""
    page.add_init_script(RECORD_VIOLATIONS)
    errors: list[str] = []
    page.on(
        "console", lambda msg: errors.append(msg.text) if msg.type == "error" else None
    )
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.console_errors = errors
    return page


def assert_clean(page, label: str) -> None:
    violations = page.evaluate("window.__cspViolations || []")
    assert violations == [], f"{label}: {violations}"
    policy_errors = [
        e
        for e in page.console_errors
        if "Content Security Policy" in e
        or "Refused to" in e
        or "Permissions-Policy" in e
    ]
    assert policy_errors == [], f"{label}: {policy_errors}"


def goto(page, url: str) -> None:
    response = page.goto(url)
    assert response is not None and response.ok, url
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp


def login(page, base: str, username: str, password: str = PASSWORD) -> None:
    page.context.clear_cookies()
    goto(page, base + "/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="工作台")).to_be_visible()


def test_public_pages_run_their_scripts_under_the_csp(watched, live_server, portal):
    page, base = watched, live_server.url

    goto(page, base + "/")
    # Region picker (public-picker.js): choosing a city fills the county select in place.
    page.locator("select[data-picker-level='0']").select_option("4103")
    expect(
        page.locator("select[data-picker-level='1'] option", has_text="洛龙区")
    ).to_be_attached()
    expect(page.locator("[data-picker-next]")).to_be_hidden()
    # Large-font toggle (prefs.js) works in place, without a page load.
    page.locator("[data-pref='large']").click()
    expect(page.locator("html")).to_have_class(re.compile(r"\bpref-large\b"))
    expect(page.locator("[data-pref='large']")).to_have_attribute(
        "aria-pressed", "true"
    )
    assert_clean(page, "home")

    goto(page, base + "/r/410311/social-assistance/")
    expect(
        page.get_by_role("button", name="打印目录")
    ).to_be_visible()  # public-print.js
    assert_clean(page, "catalog")

    goto(page, base + "/search/?q=低保")
    assert_clean(page, "search")


def test_workspace_and_item_editor_run_their_scripts_under_the_csp(
    watched, live_server, portal
):
    page, base = watched, live_server.url
    login(page, base, "demo-county")
    assert_clean(page, "login + workspace")

    goto(page, f"{base}/work/catalogs/items/{portal['item'].pk}/edit/")
    expect(page.get_by_role("heading", name="修改事项“政策法规文件”")).to_be_visible()
    # Live time-limit preview (catalog_edit.js fetches the JSON endpoint).
    page.get_by_label("天数").fill("5")
    expect(page.locator("#time-limit-output")).to_have_text(
        "制定或获取信息之日起5个工作日内"
    )
    # Row buttons: "增加一项公开内容" adds a row.
    content = page.locator("#fieldset-content")
    rows = content.locator("[data-formset-row]:not([hidden])")
    before = rows.count()
    content.get_by_role("button", name="增加一项公开内容").click()
    expect(rows).to_have_count(before + 1)
    expect(content.get_by_label(f"公开内容第{before + 1}项")).to_be_visible()
    assert_clean(page, "item editor")


def test_security_log_and_admin_pages_under_the_csp(watched, live_server, portal):
    page, base = watched, live_server.url
    login(page, base, "demo-province")
    page.locator("#security-log-link").click()
    expect(page.get_by_role("heading", name="安全日志")).to_be_visible()
    expect(page.locator("#security-log-table")).to_contain_text("登录成功")
    assert_clean(page, "security log")

    login(page, base, "root-csp", "Root-Password-2026")
    goto(page, base + "/admin/")
    expect(page.locator("#site-name")).to_be_visible()
    assert_clean(page, "admin index")
    # A form with the admin's JavaScript widgets: the date field's "今天" link and
    # calendar are built by DateTimeShortcuts.js.
    goto(page, base + "/admin/catalogs/calendarday/add/")
    shortcuts = page.locator(".datetimeshortcuts")
    expect(shortcuts).to_be_visible()
    shortcuts.get_by_role("link", name="今天").click()
    expect(page.locator("#id_date")).not_to_have_value("")
    assert_clean(page, "admin calendar-day form")
