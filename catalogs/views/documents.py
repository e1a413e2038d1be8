"""Staff downloads and uploads of catalog documents (Word/Excel) in the workspace."""

from __future__ import annotations

from urllib.parse import quote

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from .. import permissions
from ..documents import CatalogImportError
from ..exports import catalog_export, catalog_import
from ..models import Domain, Region
from ..selectors import catalog_items_for_display


def attachment_response(data: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(filename)}"
    return response


def _quote(name: str) -> str:
    return quote(name)


class CatalogUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("目录文件"),
        help_text=gettext_lazy(
            "Word（.docx，官方表格格式）或 Excel（.xlsx，本平台导出的格式），不超过 20 MB。"
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("文件太大：请上传不超过 20 MB 的目录文件。"))
        if not upload.name.lower().endswith((".docx", ".xlsx")):
            raise forms.ValidationError(
                _(
                    "只能上传 .docx 或 .xlsx 文件；旧版 .doc/.xls 请先在 Office 或 WPS 中另存为新格式。"
                )
            )
        return upload


@require_GET
def catalog_download(request, pk: int, fmt: str):
    if not request.user.is_authenticated:
        return redirect(f"{reverse('login')}?next={request.path}")
    catalog = permissions.access_catalog(request.user, pk)
    data, filename, content_type = catalog_export(catalog, fmt)
    return attachment_response(data, filename, content_type)


def catalog_upload(request, domain_slug: str):
    """Upload a Word/Excel catalog into the user's region's draft, then preview it."""
    if not request.user.is_authenticated:
        return redirect(f"{reverse('login')}?next={request.path}")
    domain = get_object_or_404(Domain, slug=domain_slug)
    code = permissions.scope_code(request.user)
    if not code or not permissions.can_clone_catalog(request.user, code):
        raise PermissionDenied(_("只有本区划的目录编辑人员可以导入目录。"))
    region = Region.objects.get(code=code)
    problems = []
    if request.method == "POST":
        form = CatalogUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = catalog_import(
                    data=upload.read(),
                    filename=upload.name,
                    region=region,
                    domain=domain,
                    actor=request.user,
                )
            except CatalogImportError as exc:
                problems = exc.errors
            else:
                messages.success(
                    request,
                    _(
                        "已导入为草稿：更新%(updated)s项，新增%(added)s项，标注不公开%(omitted)s项。请核对下面的预览。"
                    )
                    % {
                        "updated": result.updated,
                        "added": result.added,
                        "omitted": result.omitted,
                    },
                )
                if result.missing:
                    messages.warning(
                        request,
                        _(
                            "导入的文件缺少以下%(count)s个事项：%(names)s。"
                            "请逐项补充，或标注本地不公开并写明理由，否则目录不能提交审核。"
                        )
                        % {
                            "count": len(result.missing),
                            "names": "、".join(result.missing),
                        },
                    )
                for warning in result.warnings:
                    messages.warning(request, warning)
                return redirect("catalog_documents:preview", pk=result.catalog.pk)
    else:
        form = CatalogUploadForm()
    return render(
        request,
        "catalogs/catalog_upload.html",
        {"form": form, "domain": domain, "region": region, "problems": problems},
    )


@require_GET
def catalog_preview(request, pk: int):
    """The whole catalog version as the official table, omitted items listed apart."""
    if not request.user.is_authenticated:
        return redirect(f"{reverse('login')}?next={request.path}")
    catalog = permissions.access_catalog(request.user, pk)
    if catalog.is_published:
        raise Http404
    items = list(catalog_items_for_display(catalog))
    groups: list[dict] = []
    for item in (i for i in items if not i.omitted):
        if not groups or groups[-1]["category"].pk != item.category_id:
            groups.append({"category": item.category, "items": []})
        groups[-1]["items"].append(item)
    return render(
        request,
        "catalogs/catalog_preview.html",
        {
            "catalog": catalog,
            "domain": catalog.domain,
            "groups": groups,
            "omitted": [i for i in items if i.omitted],
        },
    )


app_name = "catalog_documents"
urlpatterns = [
    path(
        "<int:pk>/download.docx",
        catalog_download,
        {"fmt": "docx"},
        name="download_docx",
    ),
    path(
        "<int:pk>/download.xlsx",
        catalog_download,
        {"fmt": "xlsx"},
        name="download_xlsx",
    ),
    path("<int:pk>/preview/", catalog_preview, name="preview"),
    path("import/<slug:domain_slug>/", catalog_upload, name="upload"),
]
