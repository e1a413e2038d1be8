"""Workspace downloads, upload with preview, and region scoping of both."""

import pytest

from django.core.files.uploadedfile import SimpleUploadedFile

from catalogs import services
from catalogs.exports import catalog_export
from catalogs.models import Catalog, CatalogItem, Domain, Region

pytestmark = pytest.mark.django_db


@pytest.fixture
def luolong_draft(templates, county_clerk):
    return services.catalog_clone(
        region=Region.objects.get(code="410311"),
        domain=Domain.objects.get(slug="elderly-care"),
        actor=county_clerk,
    )


def test_clerk_downloads_own_draft_as_docx_and_xlsx(
    client, luolong_draft, county_clerk
):
    client.force_login(county_clerk)
    for fmt, magic in (("docx", b"PK"), ("xlsx", b"PK")):
        response = client.get(f"/work/catalog-files/{luolong_draft.pk}/download.{fmt}")
        assert response.status_code == 200
        assert response.content[:2] == magic
        assert "attachment" in response["Content-Disposition"]


def test_other_county_gets_404_for_download_and_preview(
    client, luolong_draft, other_county_clerk
):
    client.force_login(other_county_clerk)
    assert (
        client.get(f"/work/catalog-files/{luolong_draft.pk}/download.xlsx").status_code
        == 404
    )
    assert (
        client.get(f"/work/catalog-files/{luolong_draft.pk}/preview/").status_code
        == 404
    )
    assert client.post(
        f"/work/catalog-files/{luolong_draft.pk}/preview/"
    ).status_code in (404, 405)


def test_anonymous_is_sent_to_login(client, luolong_draft):
    response = client.get(f"/work/catalog-files/{luolong_draft.pk}/download.xlsx")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_upload_lands_in_own_draft_and_shows_preview(
    client, luolong_draft, other_county_clerk, county_clerk
):
    data, _name, _ctype = catalog_export(luolong_draft, "xlsx")
    client.force_login(other_county_clerk)
    response = client.post(
        "/work/catalog-files/import/elderly-care/",
        {"file": SimpleUploadedFile("洛龙区养老.xlsx", data)},
    )
    assert response.status_code == 302
    draft = Catalog.objects.get(region_id="410307", domain__slug="elderly-care")
    assert response["Location"] == f"/work/catalog-files/{draft.pk}/preview/"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "偃师区养老服务领域基层政务公开标准目录" in page.content.decode()
    # The upload touched only the uploader's own region.
    assert luolong_draft.items.count() == 11
    assert Catalog.objects.filter(region_id="410311").count() == 1


def test_bad_upload_shows_problems_and_writes_nothing(
    client, templates, other_county_clerk
):
    client.force_login(other_county_clerk)
    before = CatalogItem.objects.count()
    response = client.post(
        "/work/catalog-files/import/elderly-care/",
        {"file": SimpleUploadedFile("目录.xlsx", b"this is not a workbook")},
    )
    assert response.status_code == 200
    assert "未导入任何内容" in response.content.decode()
    assert CatalogItem.objects.count() == before
    response = client.post(
        "/work/catalog-files/import/elderly-care/",
        {"file": SimpleUploadedFile("目录.pdf", b"%PDF")},
    )
    assert "只能上传 .docx 或 .xlsx 文件" in response.content.decode()


def test_province_admin_import_into_template_region(client, templates, province_admin):
    """The province can re-import its own template into a new draft version."""
    template = Catalog.objects.get(region_id="41", domain__slug="elderly-care")
    data, _n, _c = catalog_export(template, "xlsx")
    client.force_login(province_admin)
    response = client.post(
        "/work/catalog-files/import/elderly-care/",
        {"file": SimpleUploadedFile("t.xlsx", data)},
    )
    assert response.status_code == 302
    draft = Catalog.objects.get(
        region_id="41", domain__slug="elderly-care", status="draft"
    )
    assert draft.version == 2 and draft.items.count() == 11
