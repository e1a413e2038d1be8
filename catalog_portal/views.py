"""Site-wide views: health check, robots.txt, display preferences, error pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .context_processors import A11Y_PREFS


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """Load-balancer probe and the performance baseline: no database, no template."""
    return HttpResponse("ok", content_type="text/plain")


@require_GET
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Disallow: /work/",
        "Disallow: /admin/",
        "Disallow: /accounts/",
        "Allow: /",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


@require_GET
def preferences(request: HttpRequest) -> HttpResponse:
    """Toggle large-font or high-contrast mode without JavaScript (a cookie)."""
    chosen = [p for p in request.COOKIES.get("a11y", "").split(",") if p in A11Y_PREFS]
    toggle = request.GET.get("toggle")
    if toggle in A11Y_PREFS:
        chosen = [p for p in chosen if p != toggle] if toggle in chosen else chosen + [toggle]
    target = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    response = HttpResponseRedirect(target)
    response.set_cookie("a11y", ",".join(chosen), max_age=365 * 24 * 3600, samesite="Lax")
    return response


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "500.html", status=500)
