"""Site-wide views: health check, robots.txt, display preferences, error pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from disclosures.public.a11y import A11Y_COOKIE, A11Y_PREFS, a11y_chosen


@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """Load-balancer probe and the performance baseline: no database, no template."""
    return HttpResponse("ok", content_type="text/plain")


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    """Crawlers may read every public page; staff areas and endless query pages are off limits."""
    lines = [
        "User-agent: *",
        "Disallow: /work/",
        "Disallow: /admin/",
        "Disallow: /accounts/",
        "Disallow: /preferences/",
        "Disallow: /search/",
        "Disallow: /r/pick/",
        "Allow: /",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


@require_safe
def preferences(request: HttpRequest) -> HttpResponse:
    """Toggle large-font or high-contrast mode without JavaScript (a cookie)."""
    chosen = a11y_chosen(request)
    toggle = request.GET.get("toggle")
    if toggle in A11Y_PREFS:
        chosen = (
            [p for p in chosen if p != toggle]
            if toggle in chosen
            else chosen + [toggle]
        )
    target = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    response = HttpResponseRedirect(target)
    # Readable by static/js/prefs.js, which toggles the same cookie in place.
    response.set_cookie(
        A11Y_COOKIE,
        ",".join(chosen),
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=request.is_secure(),
        httponly=False,
    )
    return response


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """Rendered without context processors or the database: they may be what failed."""
    return HttpResponse(loader.get_template("500.html").render(), status=500)
