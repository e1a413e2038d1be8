"""Security events of staff accounts, written to the portal's audit log.

Logins, failed logins, lockouts (django-axes), logouts (also those of an expired
session) and password changes each become one `AuditLogEntry` with the client's
address and browser (user agent). Role changes are written by
`catalogs.accounts` as ``catalogs.user.role_changed``; the security log page
shows them with the others.

What is never stored: a password (Django's auth signals pass credentials with the
password already masked, and no code here reads it), and a name typed into the
login form that is no account's username: people type other things there, an ID
card number among them, so an unknown name is kept only as a keyed digest (enough
to see that the same name was tried again).

Receivers are connected in `CatalogsConfig.ready()`. They write only for logins
made by HTTP requests: Django's test client builds a bare `HttpRequest` (no
method) for `force_login()`/`login()`, which is no one's activity.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import (
    get_client_ip_address,
    get_cool_off,
    get_failure_limit,
    get_lockout_parameters,
)
from simple_history.models import HistoricalRecords

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q, QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from .audit import audit
from .models import AuditLogEntry, User
from .scope import scope_code

if TYPE_CHECKING:
    from django.contrib.sessions.backends.base import SessionBase

LOGGED_IN = "catalogs.user.logged_in"
LOGIN_FAILED = "catalogs.user.login_failed"
LOCKED_OUT = "catalogs.user.locked_out"
LOGGED_OUT = "catalogs.user.logged_out"
PASSWORD_CHANGED = "catalogs.user.password_changed"
ROLE_CHANGED = "catalogs.user.role_changed"  # written by catalogs.accounts

# The security log's event kinds, in the order its filter lists them.
EVENT_LABELS = {
    LOGGED_IN: _lazy("登录成功"),
    LOGIN_FAILED: _lazy("登录失败"),
    LOCKED_OUT: _lazy("登录锁定"),
    LOGGED_OUT: _lazy("退出登录"),
    PASSWORD_CHANGED: _lazy("设置或修改密码"),
    ROLE_CHANGED: _lazy("角色变更"),
}


def _logout_reason_label(reason: str) -> str:
    if reason == "idle":
        return _("长时间未操作，自动退出")
    if reason == "expired":
        return _("登录时间已满，自动退出")
    return _("本人退出")


# --- the client -----------------------------------------------------------------------


def _is_http(request: HttpRequest | None) -> bool:
    return request is not None and getattr(request, "method", None) is not None


def client_info(request: HttpRequest | None) -> dict[str, str]:
    """The client's address (as django-axes resolves it, see AXES_IPWARE_* in the
    settings) and its user agent, cut to 255 characters."""
    if request is None:
        return {"ip": "", "user_agent": ""}

    return {
        "ip": get_client_ip_address(request) or "",
        "user_agent": request.META.get("HTTP_USER_AGENT", "")[:255],
    }


def _account(username: str | None) -> User | None:
    if not username:
        return None
    return (
        User.objects.filter(username=username)
        .only("pk", "username", "region_id")
        .first()
    )


def _name_fields(username: str | None, account: User | None) -> dict[str, Any]:
    """`username` for an account; a digest for any other name typed into the form."""
    if account is not None:
        return {"username": account.get_username()}
    if not username:
        return {"account_exists": False}
    digest = salted_hmac(
        "catalogs.security.unknown-username", username.strip().casefold()
    )
    return {"account_exists": False, "name_digest": digest.hexdigest()[:16]}


# --- the service ----------------------------------------------------------------------


@transaction.atomic
def security_event_record(
    action: str,
    *,
    request: HttpRequest | None,
    account: User | None = None,
    actor: User | None = None,
    **data: Any,
) -> AuditLogEntry:
    """Write one security event: the account it concerns (object and region, so a
    province admin sees its province's events), the actor if any, the client's
    address and user agent, and `data`. Never pass a password in `data`."""
    return audit(
        action,
        actor=actor,
        region=account.region_id if account is not None else None,
        obj=account,
        **client_info(request),
        **data,
    )


# --- session clock (catalog_portal.middleware.StaffSessionLimitsMiddleware) -------------

SESSION_LOGIN_AT = "_security_login_at"
SESSION_SEEN_AT = "_security_seen_at"
# The last-seen time is stored at most once a minute, so that most requests do not
# write the session row; the idle limit is exact to within this.
SESSION_TOUCH_SECONDS = 60


def session_clock_start(session: SessionBase, now: float | None = None) -> None:
    now = int(time.time() if now is None else now)
    session[SESSION_LOGIN_AT] = now
    session[SESSION_SEEN_AT] = now


def session_end_reason(session: SessionBase, now: float) -> str | None:
    """'expired' past the absolute limit since login, 'idle' past the idle limit
    since the last request, else None (settings SESSION_ABSOLUTE_SECONDS,
    SESSION_IDLE_SECONDS)."""
    login_at = session.get(SESSION_LOGIN_AT)
    seen_at = session.get(SESSION_SEEN_AT, login_at)
    if login_at is None:
        return None
    if now - login_at >= settings.SESSION_ABSOLUTE_SECONDS:
        return "expired"
    if seen_at is not None and now - seen_at >= settings.SESSION_IDLE_SECONDS:
        return "idle"
    return None


def session_touch(session: SessionBase, now: float) -> None:
    """Start the clock of a session from before this code, or move its last-seen time."""
    if session.get(SESSION_LOGIN_AT) is None:
        session_clock_start(session, now)
    elif now - session.get(SESSION_SEEN_AT, 0) >= SESSION_TOUCH_SECONDS:
        session[SESSION_SEEN_AT] = int(now)


# --- auth signal receivers ------------------------------------------------------------


def on_user_logged_in(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        session_clock_start(request.session)
    if _is_http(request):
        security_event_record(
            LOGGED_IN,
            request=request,
            account=user,
            actor=user,
            username=user.get_username(),
        )


def on_user_login_failed(sender, credentials, request=None, **kwargs) -> None:
    if not _is_http(request):
        return
    username = credentials.get(User.USERNAME_FIELD)
    account = _account(username)
    # django-axes marks a request it refused because of a lockout before Django
    # sends this signal; `axes_failures_since_start` is set only when the failure
    # was counted (so a failure that just caused the lockout is a plain failure).
    refused = bool(getattr(request, "axes_locked_out", False)) and (
        getattr(request, "axes_failures_since_start", None) is None
    )
    security_event_record(
        LOGIN_FAILED,
        request=request,
        account=account,
        reason="locked" if refused else "credentials",
        **_name_fields(username, account),
    )


def on_user_logged_out(sender, request, user, **kwargs) -> None:
    if user is None or not _is_http(request):
        return
    reason = getattr(request, "security_logout_reason", "user")
    security_event_record(
        LOGGED_OUT,
        request=request,
        account=user,
        actor=user,
        username=user.get_username(),
        reason=reason,
    )


def on_user_locked_out(sender, request, username, ip_address, **kwargs) -> None:
    """django-axes' lockout signal: recorded once, when the limit is reached (axes
    sends it again for every attempt refused during the lockout; those are the
    'locked' login failures)."""
    if (
        not _is_http(request)
        or getattr(request, "axes_failures_since_start", None) is None
    ):
        return
    account = _account(username)
    credentials = getattr(request, "axes_credentials", None)
    locked_by, until = lock_state(request, credentials)
    security_event_record(
        LOCKED_OUT,
        request=request,
        account=account,
        locked_by=locked_by,
        failures=request.axes_failures_since_start,
        until=until.isoformat(),
        **_name_fields(username, account),
    )


# --- lockout --------------------------------------------------------------------------


def lock_state(
    request: HttpRequest, credentials: dict | None
) -> tuple[list[str], datetime]:
    """Which lockout parameters ('username', 'ip_address') are over the limit, and
    when the last of those locks ends (its newest counted failure plus the cool-off)."""

    AxesProxyHandler.update_request(request)
    handler = AxesProxyHandler.get_implementation()
    limit = get_failure_limit(request, credentials)
    cool_off = get_cool_off(request) or timedelta(0)
    locked_by: list[str] = []
    until: datetime | None = None
    parameters = get_lockout_parameters(request, credentials)
    for parameter, attempts in zip(
        parameters, handler.get_user_attempts(request, credentials), strict=False
    ):
        figures = attempts.aggregate(
            failures=Sum("failures_since_start"), last=Max("attempt_time")
        )
        if (figures["failures"] or 0) >= limit:
            locked_by.append(
                parameter if isinstance(parameter, str) else "+".join(parameter)
            )
            end = figures["last"] + cool_off
            until = end if until is None else max(until, end)
    return locked_by, until or timezone.now() + cool_off


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict | None = None,
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: a Chinese page (HTTP 429) that says when to try again."""
    locked_by, until = lock_state(request, credentials)
    seconds = max(0, math.ceil((until - timezone.now()).total_seconds()))
    response = render(
        request,
        "registration/login_locked.html",
        {
            "retry_at": timezone.localtime(until),
            "minutes": max(1, math.ceil(seconds / 60)),
            "by_account": "username" in locked_by,
            "by_address": "ip_address" in locked_by,
        },
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response


# --- password changes -----------------------------------------------------------------


class PasswordChangeAuditValidator:
    """Not a check: Django calls every configured validator's `password_changed()`
    after `set_password()` + `save()` (admin forms, password views, commands), so this
    is where a password change reaches the audit log, with whoever made it."""

    def validate(self, password: str, user: User | None = None) -> None:
        return None

    def get_help_text(self) -> str:
        return _("每次设置或修改密码都会记入安全日志（不记录密码本身）。")

    def password_changed(self, password: str, user: User | None = None) -> None:
        if user is None or user.pk is None:
            return

        request = getattr(HistoricalRecords.context, "request", None)
        request_user = getattr(request, "user", None)
        actor = (
            request_user if getattr(request_user, "is_authenticated", False) else None
        )
        if actor is None:
            changed_by = "system"
        elif actor.pk == user.pk:
            changed_by = "self"
        else:
            changed_by = "other"
        security_event_record(
            PASSWORD_CHANGED,
            request=request,
            account=user,
            actor=actor,
            username=user.get_username(),
            changed_by=changed_by,
        )


# --- the security log (selector) ------------------------------------------------------


def security_log_list(
    user: User, *, kind: str = "", username: str = ""
) -> QuerySet[AuditLogEntry]:
    """Security events the user may read, newest first: its region subtree (a
    superuser: all, with the events of no region: unknown names, superusers).

    `kind` is one of EVENT_LABELS (else ignored); `username` matches the account
    the event concerns or its actor, exactly.
    """
    code = scope_code(user)
    qs = AuditLogEntry.objects.filter(action__in=list(EVENT_LABELS)).select_related(
        "actor", "region"
    )
    if code is None:
        return qs.none()
    if code:
        qs = qs.filter(region__code__startswith=code)
    if kind in EVENT_LABELS:
        qs = qs.filter(action=kind)
    username = username.strip()
    if username:
        qs = qs.filter(Q(data__username=username) | Q(actor__username=username))
    return qs.order_by("-created_at", "-pk")


@dataclass(frozen=True)
class SecurityLogRow:
    entry: AuditLogEntry
    label: str
    account: str
    detail: str


def _detail(entry: AuditLogEntry) -> str:
    data = entry.data or {}
    if entry.action == LOGIN_FAILED:
        if data.get("reason") == "locked":
            return _("锁定期间的登录尝试（已拒绝）")
        return _("用户名或密码错误")
    if entry.action == LOCKED_OUT:
        parts = []
        if "username" in data.get("locked_by", []):
            parts.append(_("账号"))
        if "ip_address" in data.get("locked_by", []):
            parts.append(_("网络地址"))
        until = data.get("until")
        when = (
            timezone.localtime(datetime.fromisoformat(until)).strftime("%H:%M")
            if until
            else ""
        )
        return _("连续失败 %(n)s 次，锁定%(what)s至 %(time)s") % {
            "n": data.get("failures", ""),
            "what": "、".join(parts),
            "time": when,
        }
    if entry.action == LOGGED_OUT:
        return _logout_reason_label(data.get("reason", "user"))
    if entry.action == PASSWORD_CHANGED:
        changed_by = data.get("changed_by")
        if changed_by == "self":
            return _("本人修改")
        if changed_by == "other" and entry.actor is not None:
            return _("由 %(name)s 设置") % {"name": entry.actor.get_username()}
        return _("由系统或命令行设置")
    if entry.action == ROLE_CHANGED and entry.actor is not None:
        return _("由 %(name)s 变更") % {"name": entry.actor.get_username()}
    return ""


def security_log_rows(entries) -> list[SecurityLogRow]:
    """What the security log page shows for each entry (no queries beyond the page's)."""
    rows = []
    for entry in entries:
        data = entry.data or {}
        account = data.get("username") or (
            _("（不存在的账号）") if data.get("account_exists") is False else ""
        )
        rows.append(
            SecurityLogRow(
                entry=entry,
                label=str(EVENT_LABELS.get(entry.action, entry.action)),
                account=account,
                detail=_detail(entry),
            )
        )
    return rows
