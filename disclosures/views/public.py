"""Anonymous pages: published material only (SPEC §6 stable URLs)."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.urls import path

from catalogs.models import Catalog, Domain, Region

from .. import selectors
from ..models import DisclosureRecord


def home(request):
    return render(request, "disclosures/home.html", selectors.home_page())


def region_detail(request, code: str):
    try:
        context = selectors.region_page(code)
    except Region.DoesNotExist:
        raise Http404 from None
    return render(request, "disclosures/region_detail.html", context)


def catalog_detail(request, code: str, domain_slug: str):
    try:
        context = selectors.catalog_page(code, domain_slug)
    except (Region.DoesNotExist, Domain.DoesNotExist, Catalog.DoesNotExist):
        raise Http404 from None
    return render(request, "disclosures/catalog_detail.html", context)


def record_detail(request, pk: int):
    try:
        record = selectors.record_page(pk)
    except DisclosureRecord.DoesNotExist:
        raise Http404 from None
    return render(request, "disclosures/record_detail.html", {"record": record})


def search(request):
    return render(request, "disclosures/search.html", {"query": request.GET.get("q", "")})


urlpatterns = [
    path("", home, name="home"),
    path("r/<str:code>/", region_detail, name="region_detail"),
    path("r/<str:code>/<slug:domain_slug>/", catalog_detail, name="catalog_detail"),
    path("records/<int:pk>/", record_detail, name="record_detail"),
    path("search/", search, name="search"),
]
