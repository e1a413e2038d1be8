"""Logins, sessions, passwords and headers (issue 13): django-axes lockouts with a
Chinese page, security events in the audit log with address and browser, the
province admin's security log, staff session limits, Chinese password rules,
CSP / Permissions-Policy / no-store headers."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from catalogs import security
from catalogs.models import AuditLogEntry, Region, User
from tests.builders import list_bytes, process, publish_list, publish_record

# `staging` (tests/conftest.py): each test stages name-list uploads in its own directory.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("staging")]

LOGIN = "/accounts/login/"
PASSWORD = "pw-Testing-2026"  # tests.factories.UserFactory
BROWSER = "Mozilla/5.0 (Windows NT 10.0) 测试浏览器"
FAKE_ID_NUMBER = "410311199001011237"


@pytest.fixture
def axes_on(settings):
    """django-axes as in production (test settings switch it off for client.login())."""
    settings.AXES_ENABLED = True
    return settings


def post_login(client, username: str, password: str, ip: str = "127.0.0.1"):
    return client.post(
        LOGIN,
        {"username": username, "password": password},
        REMOTE_ADDR=ip,
        HTTP_USER_AGENT=BROWSER,
    )


def events(action: str) -> list[AuditLogEntry]:
    return list(AuditLogEntry.objects.filter(action=action).order_by("pk"))


def all_audit_text() -> str:
    return repr(list(AuditLogEntry.objects.values_list("action", "object_id", "data")))


# --- lockout ------------------------------------------------------------------------------


def test_ten_wrong_passwords_lock_the_account_and_the_right_one_is_refused_in_chinese(
    client, axes_on, county_clerk
):
    for attempt in range(1, 10):
        response = post_login(client, county_clerk.username, f"wrong-{attempt}")
        assert response.status_code == 200, attempt  # the login form again
        assertContains(response, "工作人员登录")
    tenth = post_login(client, county_clerk.username, "wrong-10")
    assert tenth.status_code == 429
    assertContains(tenth, "登录已暂时锁定", status_code=429)

    refused = post_login(client, county_clerk.username, PASSWORD)
    assert refused.status_code == 429
    retry_at = timezone.localtime(
        AccessAttempt.objects.get(username=county_clerk.username).attempt_time
        + timedelta(minutes=30)
    )
    assertContains(refused, "该账号连续登录失败的次数过多", status_code=429)
    assertContains(refused, "锁定期间即使输入正确的密码也无法登录", status_code=429)
    assertContains(
        refused, f"请于 {retry_at:%H:%M} 之后（约 30 分钟后）再试", status_code=429
    )
    assert 29 * 60 <= int(refused["Retry-After"]) <= 30 * 60
    assert "_auth_user_id" not in client.session
    assertRedirects(client.get("/work/"), "/accounts/login/?next=/work/")

    failed = events(security.LOGIN_FAILED)
    assert [e.data["reason"] for e in failed] == ["credentials"] * 10 + ["locked"]
    assert {(e.object_id, e.region_id, e.data["username"]) for e in failed} == {
        (str(county_clerk.pk), "410311", county_clerk.username)
    }
    assert {(e.data["ip"], e.data["user_agent"]) for e in failed} == {
        ("127.0.0.1", BROWSER)
    }
    (locked,) = events(security.LOCKED_OUT)
    assert locked.object_id == str(county_clerk.pk) and locked.region_id == "410311"
    assert locked.data["locked_by"] == ["username", "ip_address"]
    assert locked.data["failures"] == 10
    assert locked.data["ip"] == "127.0.0.1" and locked.data["user_agent"] == BROWSER
    assert events(security.LOGGED_IN) == []
    text = all_audit_text()
    assert PASSWORD not in text and "wrong-" not in text
    assert not any(PASSWORD in a.post_data for a in AccessAttempt.objects.all())


def test_the_lock_ends_after_the_cool_off(client, axes_on, county_clerk):
    for attempt in range(10):
        post_login(client, county_clerk.username, f"wrong-{attempt}")
    assert post_login(client, county_clerk.username, PASSWORD).status_code == 429
    # Thirty-one minutes later (the failures' time moved back instead of waiting).
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=31))
    assertRedirects(post_login(client, county_clerk.username, PASSWORD), "/work/")
    (login,) = events(security.LOGGED_IN)
    assert login.actor == county_clerk and login.data["ip"] == "127.0.0.1"


def test_attempts_during_the_lockout_do_not_extend_it(client, axes_on, county_clerk):
    for attempt in range(10):
        post_login(client, county_clerk.username, f"wrong-{attempt}")
    before = AccessAttempt.objects.get().attempt_time
    for _ in range(3):
        assert (
            post_login(client, county_clerk.username, "wrong-again").status_code == 429
        )
    attempt = AccessAttempt.objects.get()
    assert attempt.attempt_time == before and attempt.failures_since_start == 10
    assert len(events(security.LOCKED_OUT)) == 1


def test_one_address_trying_many_names_is_locked_for_every_account(
    client, axes_on, county_clerk
):
    """Per address: ten failures from one address with ten different names lock the
    address, so a real account is refused from there but not from elsewhere.
    A name that is no account (here an ID card number) is never stored as typed."""
    for n in range(9):
        assert (
            post_login(client, f"nobody-{n}", "wrong", ip="203.0.113.7").status_code
            == 200
        )
    assert (
        post_login(client, FAKE_ID_NUMBER, "wrong", ip="203.0.113.7").status_code == 429
    )
    refused = post_login(client, county_clerk.username, PASSWORD, ip="203.0.113.7")
    assertContains(refused, "您所在网络地址连续登录失败的次数过多", status_code=429)
    assertRedirects(
        post_login(client, county_clerk.username, PASSWORD, ip="198.51.100.2"), "/work/"
    )

    unknown = [e for e in events(security.LOGIN_FAILED) if e.object_id == ""]
    assert len(unknown) == 10
    assert all(
        e.region_id is None and e.data["account_exists"] is False for e in unknown
    )
    assert len({e.data["name_digest"] for e in unknown}) == 10
    (locked,) = events(security.LOCKED_OUT)
    assert locked.data["locked_by"] == ["ip_address"] and locked.object_id == ""
    assert FAKE_ID_NUMBER not in all_audit_text()


def test_one_account_tried_from_many_addresses_is_locked(client, axes_on, county_clerk):
    for n in range(10):
        post_login(client, county_clerk.username, "wrong", ip=f"198.51.100.{n + 1}")
    refused = post_login(client, county_clerk.username, PASSWORD, ip="192.0.2.200")
    assertContains(refused, "该账号连续登录失败的次数过多", status_code=429)
    (locked,) = events(security.LOCKED_OUT)
    assert (
        locked.data["locked_by"] == ["username"]
        and locked.data["ip"] == "198.51.100.10"
    )


def test_the_admin_login_is_throttled_too(client, axes_on, province_admin):
    for attempt in range(10):
        client.post(
            "/admin/login/",
            {"username": province_admin.username, "password": f"wrong-{attempt}"},
            REMOTE_ADDR="127.0.0.1",
        )
    refused = client.post(
        "/admin/login/?next=/admin/",
        {"username": province_admin.username, "password": PASSWORD},
    )
    assertContains(refused, "登录已暂时锁定", status_code=429)


# --- the client address ---------------------------------------------------------------------


def test_a_forwarded_for_header_is_not_trusted_by_default(client, county_clerk):
    client.post(
        LOGIN,
        {"username": county_clerk.username, "password": "wrong"},
        REMOTE_ADDR="192.0.2.10",
        HTTP_X_FORWARDED_FOR="8.8.8.8",
        HTTP_X_REAL_IP="8.8.4.4",
    )
    (failed,) = events(security.LOGIN_FAILED)
    assert failed.data["ip"] == "192.0.2.10"


def test_behind_the_proxy_the_configured_header_gives_the_address(
    client, settings, county_clerk
):
    """DJANGO_CLIENT_IP_HEADER=HTTP_X_REAL_IP (docs/deploy.md): nginx overwrites X-Real-IP."""
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_REAL_IP", "REMOTE_ADDR")
    assertRedirects(
        client.post(
            LOGIN,
            {"username": county_clerk.username, "password": PASSWORD},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_REAL_IP="203.0.113.50",
        ),
        "/work/",
    )
    (login,) = events(security.LOGGED_IN)
    assert login.data["ip"] == "203.0.113.50"


# --- audit of logins, logouts, passwords ------------------------------------------------------


def test_login_and_logout_are_in_the_audit_log_with_address_and_browser(
    client, township_clerk
):
    assertRedirects(post_login(client, township_clerk.username, PASSWORD), "/work/")
    assertRedirects(
        client.post(
            reverse("logout"), REMOTE_ADDR="127.0.0.1", HTTP_USER_AGENT=BROWSER
        ),
        "/",
    )
    (login,) = events(security.LOGGED_IN)
    (logout,) = events(security.LOGGED_OUT)
    for entry in (login, logout):
        assert entry.actor == township_clerk
        assert entry.region_id == "410311012"
        assert entry.object_type == "catalogs.user" and entry.object_id == str(
            township_clerk.pk
        )
        assert entry.data["username"] == township_clerk.username
        assert entry.data["ip"] == "127.0.0.1" and entry.data["user_agent"] == BROWSER
    assert logout.data["reason"] == "user"
    assert PASSWORD not in all_audit_text()


def test_a_wrong_password_of_an_account_is_logged_against_the_account(
    client, city_reviewer
):
    assertContains(
        post_login(client, city_reviewer.username, "not-the-password"), "工作人员登录"
    )
    (failed,) = events(security.LOGIN_FAILED)
    assert failed.actor is None  # nobody was logged in
    assert failed.object_id == str(city_reviewer.pk) and failed.region_id == "4103"
    assert failed.data == {
        "ip": "127.0.0.1",
        "user_agent": BROWSER,
        "reason": "credentials",
        "username": city_reviewer.username,
    }


def test_test_client_logins_are_no_ones_activity(client, county_clerk):
    """force_login()/login() build no HTTP request: nothing is written (other tests
    count audit entries around them)."""
    client.force_login(county_clerk)
    client.logout()
    assert client.login(username=county_clerk.username, password=PASSWORD)
    assert (
        AuditLogEntry.objects.filter(action__startswith="catalogs.user.logged").count()
        == 0
    )


def test_password_change_in_the_admin_is_audited_with_who_and_where(
    client, province_admin
):
    AuditLogEntry.objects.all().delete()  # the factory's password setting
    client.force_login(province_admin)
    url = reverse("admin:password_change")
    too_short = client.post(
        url,
        {
            "old_password": PASSWORD,
            "new_password1": "Hn-2026-abc",
            "new_password2": "Hn-2026-abc",
        },
    )
    assertContains(too_short, "密码太短：至少需要 12 个字符，请加长后再试。")
    assert events(security.PASSWORD_CHANGED) == []

    new = "Luoyang-Peony-2026"
    changed = client.post(
        url,
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
        REMOTE_ADDR="127.0.0.1",
        HTTP_USER_AGENT=BROWSER,
    )
    assertRedirects(changed, reverse("admin:password_change_done"))
    (entry,) = events(security.PASSWORD_CHANGED)
    assert entry.actor == province_admin and entry.object_id == str(province_admin.pk)
    assert entry.region_id == "41"
    assert entry.data == {
        "ip": "127.0.0.1",
        "user_agent": BROWSER,
        "username": province_admin.username,
        "changed_by": "self",
    }
    assert new not in all_audit_text() and PASSWORD not in all_audit_text()


def test_password_set_outside_a_request_is_audited_as_the_system(county_clerk):
    county_clerk.set_password("Another-Long-Pass-2026")
    county_clerk.save()
    entry = events(security.PASSWORD_CHANGED)[-1]
    assert entry.actor is None and entry.object_id == str(county_clerk.pk)
    assert entry.data["changed_by"] == "system" and entry.data["ip"] == ""


# --- passwords --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password,message",
    [
        ("Henan2026", "密码太短：至少需要 12 个字符，请加长后再试。"),
        ("20262026202620", "密码不能全是数字，请加入字母或符号。"),
        ("password1234", "这个密码太常见，容易被猜中，请换一个不常见的密码。"),
        ("zhang.wei.luoyang", "密码与您的用户名太相似，请换一个与账号信息无关的密码。"),
    ],
)
def test_password_rules_answer_in_chinese(password, message):
    user = User(username="zhang.wei.luoyang")
    with pytest.raises(ValidationError) as error:
        password_validation.validate_password(password, user)
    assert message in error.value.messages


def test_password_help_texts_are_chinese_and_say_twelve():
    texts = password_validation.password_validators_help_texts()
    assert "密码至少 12 个字符。" in texts
    assert all(not any("a" <= ch.lower() <= "z" for ch in text) for text in texts), (
        texts
    )


@pytest.mark.parametrize(
    "username", ["demo-province", "demo-city", "demo-county", "demo-township"]
)
def test_the_demo_password_is_still_valid(username):
    password_validation.validate_password("DemoPass-2026", User(username=username))


# --- session limits ---------------------------------------------------------------------------


def _age_session(client, *, since_login: float, since_seen: float) -> None:
    session = client.session
    now = time.time()
    session[security.SESSION_LOGIN_AT] = int(now - since_login)
    session[security.SESSION_SEEN_AT] = int(now - since_seen)
    session.save()


def test_a_session_idle_for_thirty_minutes_ends(client, county_clerk):
    client.force_login(county_clerk)
    _age_session(client, since_login=3600, since_seen=30 * 60 + 5)
    response = client.get("/work/", HTTP_USER_AGENT=BROWSER)
    assertRedirects(
        response, "/accounts/login/?next=/work/", fetch_redirect_response=False
    )
    login_page = client.get(response["Location"])
    assertContains(
        login_page, "您已超过 30 分钟未操作，为保护账号安全已自动退出，请重新登录。"
    )
    (logout,) = events(security.LOGGED_OUT)
    assert logout.actor == county_clerk and logout.data["reason"] == "idle"
    assert logout.data["user_agent"] == BROWSER


def test_a_session_ends_twelve_hours_after_login_however_active(client, county_clerk):
    client.force_login(county_clerk)
    _age_session(client, since_login=12 * 3600 + 5, since_seen=10)
    assertRedirects(
        client.get("/work/"),
        "/accounts/login/?next=/work/",
        fetch_redirect_response=False,
    )
    (logout,) = events(security.LOGGED_OUT)
    assert logout.data["reason"] == "expired"


def test_an_active_session_goes_on_and_its_clock_moves(client, county_clerk):
    client.force_login(county_clerk)
    _age_session(client, since_login=11 * 3600, since_seen=29 * 60)
    assert client.get("/work/").status_code == 200
    seen = client.session[security.SESSION_SEEN_AT]
    assert time.time() - seen < 5
    # Within a minute of the last stored time the session row is not written again.
    assert client.get("/work/").status_code == 200
    assert client.session[security.SESSION_SEEN_AT] == seen
    assert events(security.LOGGED_OUT) == []


def test_a_public_page_after_the_idle_limit_renders_for_an_anonymous_visitor(
    client, county_clerk
):
    client.force_login(county_clerk)
    _age_session(client, since_login=3600, since_seen=3600)
    response = client.get("/")
    assert response.status_code == 200
    assert not response.wsgi_request.user.is_authenticated
    assertContains(response, "工作人员登录")


def test_session_settings():
    from django.conf import settings

    assert settings.SESSION_ABSOLUTE_SECONDS == 12 * 3600
    assert settings.SESSION_IDLE_SECONDS == 30 * 60
    assert settings.SESSION_COOKIE_AGE <= 12 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True


# --- headers ----------------------------------------------------------------------------------


def _directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {
        part.split()[0]: part.split()[1:]
        for part in (p.strip() for p in policy.split(";"))
        if part
    }


def test_every_page_has_a_csp_without_inline_script_and_a_permissions_policy(
    client, province_admin, templates
):
    anonymous = [
        client.get("/"),
        client.get(LOGIN),
        client.get("/r/410311/"),
        client.get("/static/css/site.css"),
    ]
    client.force_login(province_admin)
    staff = [
        client.get("/work/"),
        client.get("/admin/"),
        client.get(reverse("catalogs:security_log")),
    ]
    for response in anonymous + staff:
        assert response.status_code == 200, response.wsgi_request.path
        directives = _directives(response)
        assert directives["script-src"] == ["'self'"]
        assert directives["style-src"] == ["'self'"]
        assert directives["object-src"] == ["'none'"]
        assert directives["frame-ancestors"] == ["'none'"]
        assert "'unsafe-inline'" not in response["Content-Security-Policy"]
        assert "'unsafe-eval'" not in response["Content-Security-Policy"]
        policy = response["Permissions-Policy"]
        for feature in (
            "camera=()",
            "microphone=()",
            "geolocation=()",
            "payment=()",
            "usb=()",
        ):
            assert feature in policy


def _no_store(response) -> bool:
    cache_control = {p.strip() for p in response.get("Cache-Control", "").split(",")}
    return {"private", "no-store"} <= cache_control


def test_staff_and_admin_pages_are_never_stored_public_pages_may_be(
    client, lilou_record, township_clerk, county_clerk
):
    publish_list(lilou_record, township_clerk, county_clerk, data=list_bytes(12))
    public = client.get(lilou_record.get_absolute_url())
    assert public.status_code == 200 and not _no_store(public)
    # A list waiting for its confidentiality review: the staff preview of the table.
    pending = process(
        publish_record(title="李楼街道待审查名单"), township_clerk, list_bytes(5)
    )
    client.force_login(township_clerk)
    preview = client.get(reverse("disclosures:namelist_detail", args=[pending.pk]))
    assertContains(preview, 'class="name-list-table"')
    for response in (
        preview,
        client.get("/work/"),
        client.get(reverse("disclosures:namelist_index")),
        client.get("/admin/login/"),
        client.get(LOGIN),
    ):
        assert _no_store(response), (
            response.wsgi_request.path,
            response.get("Cache-Control"),
        )


# --- the security log -------------------------------------------------------------------------


def _seed_events(
    count: int, *, region: str = "410311", username: str = "clerk-luolong"
) -> None:
    for n in range(count):
        AuditLogEntry.objects.create(
            action=security.LOGIN_FAILED if n % 2 else security.LOGGED_IN,
            region_id=region,
            data={
                "username": username,
                "ip": f"192.0.2.{n % 250}",
                "user_agent": BROWSER,
                "reason": "credentials",
            },
        )


@pytest.fixture
def hubei():
    return Region.objects.create(code="42", name="湖北省", level=Region.Level.PROVINCE)


def test_province_admin_reads_its_provinces_events_filtered_and_paginated(
    client, province_admin, county_clerk, hubei
):
    AuditLogEntry.objects.all().delete()  # the fixtures' password settings
    _seed_events(60)
    _seed_events(3, region="42", username="hubei-clerk")
    AuditLogEntry.objects.create(
        action=security.LOGIN_FAILED,
        data={"account_exists": False, "name_digest": "ab12"},
    )
    AuditLogEntry.objects.create(
        action="catalogs.catalog.published", region_id="410311"
    )
    client.force_login(province_admin)
    url = reverse("catalogs:security_log")

    page = client.get(url)
    assert page.status_code == 200
    assert page.context["page_obj"].paginator.count == 60
    assert len(page.context["rows"]) == 50
    assertContains(page, "安全日志")
    assertContains(page, "第 1 页，共 2 页")
    assertNotContains(page, "hubei-clerk")
    assertNotContains(page, "（不存在的账号）")  # no region: superusers only

    failed = client.get(url, {"kind": security.LOGIN_FAILED, "page": 1})
    assert failed.context["page_obj"].paginator.count == 30
    assert {row.label for row in failed.context["rows"]} == {"登录失败"}
    assertContains(failed, "用户名或密码错误")
    assertContains(
        failed,
        f'<option value="{security.LOGIN_FAILED}" selected>登录失败</option>',
        html=True,
    )

    assert (
        client.get(url, {"username": "nobody"}).context["page_obj"].paginator.count == 0
    )
    assert (
        client.get(url, {"username": "clerk-luolong"})
        .context["page_obj"]
        .paginator.count
        == 60
    )
    assert (
        client.get(url, {"kind": "catalogs.catalog.published"})
        .context["page_obj"]
        .paginator.count
        == 60
    )


def test_superuser_sees_every_region_and_the_unknown_names(client, hubei):
    root = User.objects.create_superuser(
        "root", "root@example.org", "Root-Password-2026"
    )
    _seed_events(2)
    _seed_events(2, region="42")
    AuditLogEntry.objects.create(
        action=security.LOGIN_FAILED,
        data={"account_exists": False, "name_digest": "ab12"},
    )
    client.force_login(root)
    page = client.get(reverse("catalogs:security_log"))
    assert page.context["page_obj"].paginator.count == 5
    assertContains(page, "（不存在的账号）")


@pytest.mark.parametrize("role", ["city_reviewer", "county_clerk", "township_clerk"])
def test_only_province_admins_may_read_the_security_log(client, request, role):
    user = request.getfixturevalue(role)
    client.force_login(user)
    response = client.get(reverse("catalogs:security_log"))
    assert response.status_code == 403
    assertContains(response, "安全日志只对省级管理员开放。", status_code=403)
    assertNotContains(client.get("/work/"), 'id="security-log-link"')


def test_anonymous_is_sent_to_login_for_the_security_log(client):
    url = reverse("catalogs:security_log")
    assertRedirects(client.get(url), f"/accounts/login/?next={url}")


def test_the_workspace_links_province_admins_to_the_security_log(
    client, province_admin
):
    client.force_login(province_admin)
    assertContains(
        client.get("/work/"),
        f'href="{reverse("catalogs:security_log")}" id="security-log-link"',
    )


def test_security_log_queries_do_not_grow_with_entries(
    client, province_admin, django_assert_max_num_queries
):
    """Session, user, permissions (2), the count, the page of entries with their
    actor and region (one join), and the region name of the heading: 7, whether
    there are 5 entries or 120 (a page is 50)."""
    client.force_login(province_admin)
    url = reverse("catalogs:security_log")
    _seed_events(5)
    with django_assert_max_num_queries(7):
        assert client.get(url, {"kind": security.LOGIN_FAILED}).status_code == 200
    _seed_events(115)
    with django_assert_max_num_queries(7):
        assert (
            client.get(url, {"username": "clerk-luolong", "page": 2}).status_code == 200
        )
