"""Anonymous pages: published material only (SPEC §6 stable URLs).

Each view calls one selector (or the search) and renders; pages anybody may
read are served through the public page cache (`disclosures.public.cache`).
"""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, register_converter
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_safe

from catalogs.exports import catalog_export
from catalogs.models import Catalog, CatalogItem, Domain, Region

from ..models import Attachment, DisclosureRecord, NameList
from ..namelists.public import name_list_export
from . import gate, selectors
from . import search as public_search
from .cache import by_region, cache_public_page, catalogs_only
from .feeds import RegionAtomFeed, RegionRssFeed


class RegionCodeConverter:
    """Statistical region codes: 2 (province) to 12 (village) digits."""

    regex = "[0-9]{2,12}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class ExportFormatConverter:
    regex = "xlsx|csv"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class DocumentFormatConverter:
    regex = "docx|xlsx"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(RegionCodeConverter, "region")
register_converter(DocumentFormatConverter, "docfmt")
register_converter(ExportFormatConverter, "namelistfmt")

NOT_FOUND = (Region.DoesNotExist, Domain.DoesNotExist, Catalog.DoesNotExist)


@require_safe
@cache_public_page
def home(request):
    return render(request, "disclosures/home.html", selectors.home_page())


@require_safe
def region_pick(request):
    """The region picker without JavaScript: one level per step, then the region page.

    "进入所选地区" (`go`) opens the deepest region chosen so far; "选择下一级"
    shows the next select. A village, or a township without villages, has no
    next level, so it opens at once.
    """
    choice = {
        name: request.GET.get(name, "") for _level, name in selectors.PICKER_LEVELS
    }
    picker = selectors.region_picker(choice)
    chosen = picker["chosen"]
    villages = picker["levels"][-1]
    last_level = chosen is not None and (
        chosen.level == Region.Level.VILLAGE
        or (chosen.level == Region.Level.TOWNSHIP and not villages.enabled)
    )
    if chosen is not None and ("go" in request.GET or last_level):
        return redirect(chosen.get_absolute_url())
    problem = ""
    if chosen is None and ("go" in request.GET or any(choice.values())):
        problem = _(
            "请先在“市”一栏选择您所在的市，再点击“选择下一级”或“进入所选地区”。"
        )
    return render(
        request, "disclosures/region_pick.html", {"picker": picker, "problem": problem}
    )


@require_safe
@cache_public_page(scope=catalogs_only)
def region_options(request):
    """Children of a region as JSON, for the picker's progressive enhancement."""
    parent = request.GET.get("parent", "")
    if not parent.isdigit() or len(parent) > 12:
        return JsonResponse({"regions": []})
    return JsonResponse({"regions": selectors.region_children_options(parent)})


@require_safe
@cache_public_page(scope=by_region)
def region_detail(request, code: str):
    try:
        context = selectors.region_page(code)
    except Region.DoesNotExist:
        raise Http404 from None
    return render(request, "disclosures/region_detail.html", context)


@require_safe
@cache_public_page(scope=by_region)
def catalog_detail(request, code: str, domain_slug: str, version: int | None = None):
    try:
        context = selectors.catalog_page(code, domain_slug, version=version)
    except Catalog.DoesNotExist:
        # A region without its own catalog follows its nearest ancestor's.
        applicable = None
        if version is None:
            try:
                applicable = selectors.catalog_applicable(code, domain_slug)
            except Domain.DoesNotExist:
                applicable = None
        if applicable is None:
            raise Http404 from None
        return redirect(applicable.get_absolute_url())
    except NOT_FOUND:
        raise Http404 from None
    return render(request, "disclosures/catalog_detail.html", context)


@require_safe
@cache_public_page(scope=catalogs_only)
def catalog_download(
    request, code: str, domain_slug: str, fmt: str, version: int | None = None
):
    """The published catalog as the official Word table or the Excel sheet."""
    try:
        catalog = selectors.catalog_for_download(code, domain_slug, version=version)
    except NOT_FOUND:
        raise Http404 from None
    data, filename, content_type = catalog_export(catalog, fmt)
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@require_safe
@cache_public_page(scope=by_region)
def item_records(request, code: str, domain_slug: str, key):
    try:
        context = selectors.item_records_page(
            code, domain_slug, key, page=request.GET.get("page", 1)
        )
    except (*NOT_FOUND, CatalogItem.DoesNotExist):
        raise Http404 from None
    return render(request, "disclosures/item_records.html", context)


@require_safe
@cache_public_page
def record_detail(request, pk: int):
    try:
        context = selectors.record_page(pk)
    except DisclosureRecord.DoesNotExist:
        notice = gate.withdrawn_notice(pk)
        if notice is None:
            raise Http404 from None
        # 410 Gone: the record was public and has been withdrawn on purpose.
        return render(
            request,
            "disclosures/record_withdrawn.html",
            {"notice": notice},
            status=410,
        )
    context["public_name_list"] = selectors.name_list_public(
        context["record"], page=request.GET.get("page", 1)
    )
    return render(request, "disclosures/record_detail.html", context)


@require_safe
def attachment_download(request, pk: int, attachment_pk: int):
    """An attachment of a public record (metadata was stripped on upload)."""
    try:
        attachment = selectors.public_attachment(pk, attachment_pk)
    except Attachment.DoesNotExist:
        raise Http404 from None
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    return FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type or None,
    )


@require_GET
@cache_public_page
def name_list_download(request, pk: int, fmt: str):
    """The masked list of a public record, xlsx or csv, through the publication gate
    (confirmed, inside its public period, record public)."""
    try:
        name_list = gate.name_list_download(pk)
    except NameList.DoesNotExist:
        raise Http404 from None
    data, filename, content_type = name_list_export(name_list, fmt)
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@require_safe
@cache_public_page
def search(request):
    form = public_search.SearchForm(request.GET or None)
    context = public_search.search(
        form, page=request.GET.get("page", 1), item_page=request.GET.get("ipage", 1)
    )
    context["form"] = form
    return render(request, "disclosures/search.html", context)


urlpatterns = [
    path("", home, name="home"),
    path("r/pick/", region_pick, name="region_pick"),
    path("r/pick/options/", region_options, name="region_options"),
    path("r/<region:code>/", region_detail, name="region_detail"),
    path(
        "r/<region:code>/feed.rss",
        cache_public_page(RegionRssFeed(), scope=by_region),
        name="region_feed_rss",
    ),
    path(
        "r/<region:code>/feed.atom",
        cache_public_page(RegionAtomFeed(), scope=by_region),
        name="region_feed_atom",
    ),
    path("r/<region:code>/<slug:domain_slug>/", catalog_detail, name="catalog_detail"),
    path(
        "r/<region:code>/<slug:domain_slug>/v<int:version>/",
        catalog_detail,
        name="catalog_version",
    ),
    path(
        "r/<region:code>/<slug:domain_slug>/download.<docfmt:fmt>",
        catalog_download,
        name="catalog_download",
    ),
    path(
        "r/<region:code>/<slug:domain_slug>/v<int:version>/download.<docfmt:fmt>",
        catalog_download,
        name="catalog_version_download",
    ),
    path(
        "r/<region:code>/<slug:domain_slug>/items/<uuid:key>/",
        item_records,
        name="item_records",
    ),
    path(
        "r/<region:code>/<slug:domain_slug>/feed.rss",
        cache_public_page(RegionRssFeed(), scope=by_region),
        name="domain_feed_rss",
    ),
    path(
        "r/<region:code>/<slug:domain_slug>/feed.atom",
        cache_public_page(RegionAtomFeed(), scope=by_region),
        name="domain_feed_atom",
    ),
    path("records/<int:pk>/", record_detail, name="record_detail"),
    path(
        "records/<int:pk>/attachments/<int:attachment_pk>/",
        attachment_download,
        name="attachment_download",
    ),
    path(
        "records/<int:pk>/namelist.<namelistfmt:fmt>",
        name_list_download,
        name="namelist_download",
    ),
    path("search/", search, name="search"),
]
