"""The portal's Chinese 404/500 pages under the demo's debug settings (`make run`).

With ``DEBUG = True`` Django answers a missing page with its English technical
404 (which lists every URL pattern) and an error with the technical 500. The
demo keeps debug on (readable tracebacks in the console, static files through
the finders), so :class:`PortalErrorPagesMiddleware`, added only by
``catalog_portal.settings.demo``, answers as production does:

- a path no URL pattern matches → the portal's 404 page (checked before the
  view runs; CommonMiddleware still adds a missing trailing slash, since it
  looks at the 404 on the way out);
- ``Http404`` raised by a view → the portal's 404 page;
- any other exception of a view → logged with its traceback (``django.request``)
  and the portal's 500 page.

Production (``DEBUG = False``) never needs it: the handlers in
``catalog_portal.urls`` do the same there.
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import Resolver404, get_resolver

from . import views

logger = logging.getLogger("django.request")


class PortalErrorPagesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        resolver = get_resolver(getattr(request, "urlconf", None))
        try:
            resolver.resolve(request.path_info)
        except Resolver404:
            return views.page_not_found(request)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if isinstance(exception, Http404):
            return views.page_not_found(request, exception)
        if isinstance(exception, PermissionDenied):
            return None  # Django's own 403 handling (the portal's 403.html)
        logger.error(
            "Internal Server Error: %s",
            request.path,
            exc_info=(type(exception), exception, exception.__traceback__),
            extra={"status_code": 500, "request": request},
        )
        return views.server_error(request)
