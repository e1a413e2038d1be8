"""Proof of posting (张榜证明, issue 19) in the Django admin: read-only, scoped by
region, the photo reached only through the permission-checked staff view."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from django.contrib import admin
from django.urls import reverse

from catalogs.models import Region, User
from disclosures.models import PostingProof
from disclosures.records import posting

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:disclosures_postingproof_changelist"


def _photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (90, 90, 90)).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def proof(lilou_record, township_clerk):
    return posting.posting_proof_add(
        record=lilou_record, data=_photo(), actor=township_clerk, note="村口公开栏"
    )


@pytest.fixture
def other_province_admin(make_user):
    """A province admin of another province: the admin is open, the scope is not."""
    Region.objects.create(code="42", name="湖北省", level="province", official=True)
    return make_user(User.Role.PROVINCE_ADMIN, "42", username="admin-hubei")


def test_registered_read_only():
    model_admin = admin.site._registry[PostingProof]
    assert "photo" not in model_admin.get_readonly_fields(None)
    assert "photo_link" in model_admin.get_readonly_fields(None)
    assert "photo" in model_admin.exclude


def test_the_province_admin_sees_it_and_the_photo_only_via_the_staff_view(
    client, proof, province_admin
):
    client.force_login(province_admin)
    changelist = client.get(reverse(CHANGELIST)).content.decode()
    assert proof.record.title in changelist
    change = client.get(
        reverse("admin:disclosures_postingproof_change", args=[proof.pk])
    )
    assert change.status_code == 200
    page = change.content.decode()
    photo_url = reverse("disclosures:posting_photo", args=[proof.record_id, proof.pk])
    assert f'href="{photo_url}"' in page
    assert proof.photo.name not in page  # no storage path, no storage URL
    assert "/media/" not in page and "/no-url/" not in page
    assert 'name="note"' not in page  # nothing editable
    assert client.get(photo_url).status_code == 200
    for view in ("add", "delete"):
        args = [] if view == "add" else [proof.pk]
        url = reverse(f"admin:disclosures_postingproof_{view}", args=args)
        assert client.get(url).status_code == 403
    assert PostingProof.objects.filter(pk=proof.pk).exists()


def test_another_region_does_not_see_it_in_the_changelist(
    client, proof, other_province_admin, other_county_clerk, township_clerk
):
    client.force_login(other_province_admin)
    response = client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    assert proof.record.title not in response.content.decode()
    change = reverse("admin:disclosures_postingproof_change", args=[proof.pk])
    assert client.get(change).status_code in (302, 404)  # "does not exist" redirect
    # clerks (another county, or the record's own township) never open the admin
    for clerk in (other_county_clerk, township_clerk):
        client.force_login(clerk)
        response = client.get(reverse(CHANGELIST))
        assert response.status_code == 403
        assert proof.record.title not in response.content.decode()
