"""Security middleware of the portal (issue 13).

`SecurityHeadersMiddleware` adds the headers Django's SecurityMiddleware does not:
`Permissions-Policy` on every response, and `Cache-Control: private, no-store` on
every staff and admin response (name-list previews, drafts, the admin), so no
browser history, shared computer or proxy keeps a copy. Content-Security-Policy
comes from django-csp (`CONTENT_SECURITY_POLICY` in the settings).

`StaffSessionLimitsMiddleware` ends a logged-in session 12 hours after login and
after 30 minutes without a request (`SESSION_ABSOLUTE_SECONDS`,
`SESSION_IDLE_SECONDS`); the login time is stored in the session when the user
logs in (`catalogs.security.on_user_logged_in`). The request then goes on as an
anonymous one: a public page still renders, a staff page sends the user to the
login page, and the logout is in the audit log with its reason.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from catalogs import security


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.never_cache_prefixes = tuple(settings.NEVER_CACHE_PATH_PREFIXES)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        if request.path.startswith(self.never_cache_prefixes):
            # max-age=0, no-cache, no-store, must-revalidate, private (and Expires).
            add_never_cache_headers(response)
        return response


class StaffSessionLimitsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Without a session cookie there is no login to limit, and the session is
        # not touched (no query, no `Vary: Cookie` on public pages).
        if (
            settings.SESSION_COOKIE_NAME in request.COOKIES
            and request.user.is_authenticated
        ):
            now = time.time()
            reason = security.session_end_reason(request.session, now)
            if reason is None:
                security.session_touch(request.session, now)
            else:
                request.security_logout_reason = reason
                logout(request)
                messages.info(request, _message(reason))
        return self.get_response(request)


def _message(reason: str) -> str:
    if reason == "idle":
        return _(
            "您已超过 %(minutes)d 分钟未操作，为保护账号安全已自动退出，请重新登录。"
        ) % {"minutes": settings.SESSION_IDLE_SECONDS // 60}
    return _("您的登录已满 %(hours)d 小时，为保护账号安全已自动退出，请重新登录。") % {
        "hours": settings.SESSION_ABSOLUTE_SECONDS // 3600
    }
