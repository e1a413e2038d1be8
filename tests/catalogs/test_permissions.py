"""Region-scoped permissions, through the permission module and through the admin."""

import pytest

from django.core.exceptions import PermissionDenied
from django.http import Http404

from catalogs import permissions, services
from catalogs.models import Catalog, CatalogItem, Domain, Region, User
from tests.helpers import fill_lost_content

pytestmark = pytest.mark.django_db


@pytest.fixture
def luolong_draft(templates, county_clerk):
    return services.catalog_clone(
        region=Region.objects.get(code="410311"),
        domain=Domain.objects.get(slug="social-assistance"),
        actor=county_clerk,
    )


def test_county_clerk_cannot_see_or_change_another_countys_draft(
    luolong_draft, other_county_clerk
):
    assert (
        not Catalog.objects.visible_to(other_county_clerk)
        .filter(pk=luolong_draft.pk)
        .exists()
    )
    assert not Catalog.objects.editable_by(other_county_clerk).exists()
    with pytest.raises(Http404):
        permissions.access_catalog(other_county_clerk, luolong_draft.pk)
    item = luolong_draft.items.first()
    with pytest.raises(Http404):
        permissions.access_catalog_item(other_county_clerk, item.pk, for_write=True)
    assert (
        not CatalogItem.objects.visible_to(other_county_clerk)
        .filter(catalog=luolong_draft)
        .exists()
    )


def test_own_clerk_edits_own_draft(luolong_draft, county_clerk):
    assert (
        permissions.access_catalog(county_clerk, luolong_draft.pk, for_write=True)
        == luolong_draft
    )
    assert list(Catalog.objects.editable_by(county_clerk)) == [luolong_draft]


def test_township_clerk_sees_but_cannot_change_its_countys_catalog(
    luolong_draft, township_clerk
):
    # The county draft is above the township: not in its subtree, so not even visible.
    with pytest.raises(Http404):
        permissions.access_catalog(township_clerk, luolong_draft.pk)
    assert not permissions.can_edit_catalog(township_clerk, luolong_draft)
    published = Catalog.objects.get(region_id="4103", domain__slug="social-assistance")
    assert permissions.access_catalog(township_clerk, published.pk) == published
    with pytest.raises(Http404):
        permissions.access_catalog(township_clerk, published.pk, for_write=True)


def test_published_catalog_in_scope_is_refused_for_write_with_a_reason(
    templates, city_reviewer
):
    luoyang = Catalog.objects.get(region_id="4103", domain__slug="elderly-care")
    with pytest.raises(PermissionDenied, match="只有本区划的草稿"):
        permissions.access_catalog(city_reviewer, luoyang.pk, for_write=True)


def test_province_admin_sees_everything(luolong_draft, province_admin):
    assert Catalog.objects.visible_to(province_admin).count() == Catalog.objects.count()
    assert permissions.access_catalog(province_admin, luolong_draft.pk) == luolong_draft
    assert not permissions.can_edit_catalog(province_admin, luolong_draft)


def test_reviewer_is_a_strict_ancestor_with_the_review_capability(
    luolong_draft, county_clerk, city_reviewer, province_admin, other_county_clerk
):
    fill_lost_content(luolong_draft, county_clerk)
    services.catalog_submit(catalog=luolong_draft, actor=county_clerk)
    assert permissions.can_review_catalog(city_reviewer, luolong_draft)
    assert permissions.can_review_catalog(province_admin, luolong_draft)
    assert not permissions.can_review_catalog(county_clerk, luolong_draft)
    assert not permissions.can_review_catalog(other_county_clerk, luolong_draft)
    assert list(Catalog.objects.reviewable_by(city_reviewer)) == [luolong_draft]
    assert not Catalog.objects.reviewable_by(county_clerk).exists()


def test_anonymous_sees_only_published(luolong_draft):
    from django.contrib.auth.models import AnonymousUser

    visible = Catalog.objects.visible_to(AnonymousUser())
    assert luolong_draft not in visible
    assert visible.count() == 4 and all(c.is_published for c in visible)


def test_staff_without_region_cannot_exist(db):
    from django.core.exceptions import ValidationError

    user = User(username="x", role=User.Role.COUNTY_CLERK)
    with pytest.raises(ValidationError, match="角色和所属区划"):
        user.full_clean(exclude=["password"])


# --- the admin, scoped the same way ---------------------------------------------------


def test_admin_refuses_clerks_of_other_counties(
    client, luolong_draft, other_county_clerk
):
    """Clerks get no admin at all (SPEC §7); tests/catalogs/test_admin_guard.py has the rest."""
    client.force_login(other_county_clerk)
    response = client.get("/admin/catalogs/catalog/")
    assert response.status_code == 403
    assert luolong_draft.title not in response.content.decode()


def test_admin_change_of_another_countys_item_is_refused(
    client, luolong_draft, other_county_clerk
):
    item = luolong_draft.items.first()
    client.force_login(other_county_clerk)
    url = f"/admin/catalogs/catalogitem/{item.pk}/change/"
    assert client.get(url).status_code in (302, 403, 404)
    response = client.post(url, {"name": "被篡改"})
    assert response.status_code in (302, 403, 404)
    item.refresh_from_db()
    assert item.name != "被篡改"


def test_admin_township_clerk_cannot_change_county_catalog(
    client, luolong_draft, township_clerk
):
    client.force_login(township_clerk)
    url = f"/admin/catalogs/catalog/{luolong_draft.pk}/change/"
    response = client.post(url, {"title": "被篡改"})
    assert response.status_code in (302, 403, 404)
    luolong_draft.refresh_from_db()
    assert luolong_draft.title != "被篡改"


def test_admin_province_admin_sees_all_catalogs(client, luolong_draft, province_admin):
    client.force_login(province_admin)
    response = client.get("/admin/catalogs/catalog/")
    assert response.status_code == 200
    assert response.context["cl"].result_count == Catalog.objects.count()
    assert (
        client.get(f"/admin/catalogs/catalog/{luolong_draft.pk}/change/").status_code
        == 200
    )


def test_admin_refuses_even_the_drafts_own_clerk(client, luolong_draft, county_clerk):
    client.force_login(county_clerk)
    assert client.get("/admin/catalogs/catalog/").status_code == 403
    assert (
        client.get(f"/admin/catalogs/catalog/{luolong_draft.pk}/change/").status_code
        == 403
    )


# --- the one role → group map, with the grants other apps register -----------------------


def test_role_groups_carry_catalogs_and_registered_disclosures_grants():
    """The role groups are built from catalogs' own grants plus those disclosures registers."""
    from django.contrib.auth.models import Group, Permission

    county = Group.objects.get(name=permissions.ROLE_GROUP_NAMES["county_clerk"])
    names = {
        f"{p.content_type.app_label}.{p.codename}"
        for p in county.permissions.select_related("content_type")
    }
    assert {
        "catalogs.change_catalog",
        "disclosures.add_namelist",
        "disclosures.change_disclosurerecord",
    } <= names
    assert "disclosures.delete_disclosurerecord" not in names
    province = Group.objects.get(name=permissions.ROLE_GROUP_NAMES["province_admin"])
    every_disclosures_permission = Permission.objects.filter(
        content_type__app_label="disclosures"
    )
    assert set(every_disclosures_permission) <= set(province.permissions.all())


def test_registered_grants_are_declared_by_disclosures_not_catalogs():
    """catalogs' own grants name no disclosures codename; disclosures registers them."""
    from disclosures.permissions import ROLE_PERMISSIONS as DISCLOSURES_GRANTS

    own = permissions._CATALOG_ROLE_PERMISSIONS
    assert not [
        name
        for names in own.values()
        for name in names
        if not name.startswith("catalogs.")
    ]
    merged = permissions.role_permissions()
    for role, names in DISCLOSURES_GRANTS.items():
        assert set(names) <= set(merged[role])


def test_register_role_permissions_refuses_another_apps_codenames_and_unknown_roles():
    """An app grants only its own permissions, to known roles; a refused call changes nothing."""
    before = permissions.role_permissions()
    with pytest.raises(ValueError, match="may not grant 'catalogs.change_catalog'"):
        permissions.register_role_permissions(
            "disclosures", {"county_clerk": ["catalogs.change_catalog"]}
        )
    with pytest.raises(ValueError, match="Unknown role 'mayor'"):
        permissions.register_role_permissions(
            "disclosures", {"mayor": ["disclosures.view_namelist"]}
        )
    assert permissions.role_permissions() == before
