"""Applicants' files (ID scans, powers of attorney) live in private storage
(``STORAGES["private"]``, outside MEDIA_ROOT, no public URL) and are downloaded only
through the permission-checked staff view."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from django.core.files.storage import FileSystemStorage, storages
from django.urls import reverse

from catalogs.models import Region
from onrequest import services
from onrequest.files import CheckedFile
from onrequest.models import ApplicationFile

from .builders import applicant

pytestmark = pytest.mark.django_db

SCAN = b"%PDF-1.4 identity card scan"


def _submit(clerk):
    return services.application_submit(
        region=Region.objects.get(code="410311"),
        data=applicant(),
        channel="paper",
        received_on=date(2026, 1, 20),
        files=[CheckedFile("身份证复印件.pdf", SCAN, "application/pdf")],
        actor=clerk,
    ).application


def test_the_file_field_uses_private_storage():
    field = ApplicationFile._meta.get_field("file")
    assert field._storage_callable() is storages["private"]


def test_the_file_is_written_outside_media_root(
    county_clerk, settings, tmp_path, monkeypatch
):
    media, private = tmp_path / "media", tmp_path / "private"
    settings.MEDIA_ROOT = str(media)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    # The field's storage is resolved at import; a real directory in its place.
    field = ApplicationFile._meta.get_field("file")
    monkeypatch.setattr(field, "storage", FileSystemStorage(location=str(private)))
    stored = _submit(county_clerk).files.get()
    assert (private / stored.file.name).read_bytes() == SCAN
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))
    assert not storages["default"].exists(stored.file.name)


def test_not_in_the_default_storage(county_clerk):
    stored = _submit(county_clerk).files.get()
    assert stored.file.storage.exists(stored.file.name)
    assert not storages["default"].exists(stored.file.name)


def test_production_private_root_is_not_under_media_root():
    from catalog_portal.settings import base

    if "location" not in base.STORAGES["private"].get("OPTIONS", {}):
        pytest.fail("the filesystem private storage names its directory")
    private = Path(base.STORAGES["private"]["OPTIONS"]["location"]).resolve()
    media = Path(base.MEDIA_ROOT).resolve()
    assert media not in private.parents and private != media


def test_download_only_through_the_staff_view(
    client, county_clerk, other_county_clerk, township_clerk
):
    application = _submit(county_clerk)
    stored = application.files.get()
    url = reverse("onrequest:application_file", args=[application.pk, stored.pk])

    response = client.get(url)  # anonymous: to the login page, no bytes
    assert response.status_code == 302 and "/login" in response["Location"]

    client.force_login(county_clerk)
    detail = client.get(
        reverse("onrequest:application_detail", args=[application.pk])
    ).content.decode()
    assert f'href="{url}"' in detail
    assert "/media/" not in detail and stored.file.name not in detail
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == SCAN
    assert "no-store" in response["Cache-Control"]

    for other in (other_county_clerk, township_clerk):
        client.force_login(other)
        assert client.get(url).status_code == 404


def test_the_migration_moves_stored_files_out_of_the_default_storage(county_clerk):
    import importlib

    from django.apps import apps
    from django.core.files.base import ContentFile

    migration = importlib.import_module(
        "onrequest.migrations.0002_application_files_in_private_storage"
    )
    stored = _submit(county_clerk).files.get()
    private = stored.file.storage
    name = stored.file.name
    # As stored before the change: in the default storage only.
    storages["default"].save(name, ContentFile(SCAN))
    private.delete(name)
    migration.to_private(apps, None)
    assert private.open(name).read() == SCAN
    assert not storages["default"].exists(name)
    migration.to_private(apps, None)  # idempotent
    assert private.exists(name)
