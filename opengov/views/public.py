"""Public pages of the 政府信息公开专栏: the guide and the annual reports of a region."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from catalogs.models import Region
from disclosures.public.cache import by_region, cache_public_page

from .. import selectors


@require_safe
@cache_public_page(scope=by_region)
def guide(request, code: str):
    """`/r/<code>/guide/`: the 政府信息公开指南 of a county or township."""
    try:
        context = selectors.guide_page(code)
    except Region.DoesNotExist:
        raise Http404 from None
    return render(request, "opengov/guide_detail.html", context)


@require_safe
@cache_public_page(scope=by_region)
def reports(request, code: str):
    """`/r/<code>/reports/`: the region's published annual reports."""
    try:
        context = selectors.reports_page(code)
    except Region.DoesNotExist:
        raise Http404 from None
    return render(request, "opengov/report_index.html", context)
