"""The Django admin is the province's back office (issue 13, SPEC §7).

Clerks and city reviewers get no admin at all; a province admin's (or a
superuser's) admin writes go through the services or are refused. The five
forged writes of the issue are re-done here through the admin, as the user who
did them then and as a province admin.
"""

from __future__ import annotations

import importlib

import pytest
from pytest_django.asserts import assertContains, assertNotContains

from django.apps import apps
from django.contrib.auth.models import Group
from django.db import connection
from django.urls import reverse

from catalogs import services
from catalogs.models import AuditLogEntry, Catalog, CatalogItem, Domain, Region, User
from catalogs.permissions import ROLE_GROUP_NAMES
from tests.factories import UserFactory
from tests.helpers import fill_lost_content

pytestmark = pytest.mark.django_db

ADMIN_ONLY = "后台管理仅供省级管理员和系统管理员使用"


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser(
        "root", "root@example.invalid", "pw-Testing-2026-root"
    )


@pytest.fixture
def luolong(templates, county_clerk, city_reviewer):
    """洛龙区: social assistance published (item seq 1 at 10 working days), elderly care a draft."""
    region = Region.objects.get(code="410311")
    social = services.catalog_clone(
        region=region,
        domain=Domain.objects.get(slug="social-assistance"),
        actor=county_clerk,
    )
    fill_lost_content(social, county_clerk)
    services.catalog_submit(catalog=social, actor=county_clerk)
    services.catalog_approve(catalog=social, actor=city_reviewer)
    services.catalog_publish(catalog=social, actor=county_clerk)
    draft = services.catalog_clone(
        region=region,
        domain=Domain.objects.get(slug="elderly-care"),
        actor=county_clerk,
    )
    return {"published": social, "draft": draft}


def _snapshot():
    return (
        sorted(
            Catalog.objects.values_list("pk", "region_id", "status", "version", "title")
        ),
        sorted(
            CatalogItem.objects.values_list(
                "pk", "catalog_id", "name", "time_limit_text", "deadline_amount"
            )
        ),
        AuditLogEntry.objects.count(),
    )


def _catalog_post(region_code: str, domain: Domain, status: str) -> dict:
    return {
        "region": region_code,
        "domain": domain.pk,
        "version": "1",
        "status": status,
        "title": "伪造的目录",
        "published_at_0": "2026-01-05",
        "published_at_1": "10:00:00",
        "lock_version": "0",
    }


def _item_post(item: CatalogItem, **overrides) -> dict:
    data = {
        "catalog": item.catalog_id,
        "key": str(item.key),
        "category": item.category_id,
        "name": item.name,
        "seq": item.seq,
        "content": '["伪造"]',
        "time_limit_text": item.time_limit_text,
        "deadline_kind": item.deadline_kind,
        "deadline_trigger": item.deadline_trigger,
        "deadline_amount": item.deadline_amount or "",
        "subjects": '["县级人民政府民政部门"]',
        "channels": '["政府网站"]',
        "audience": '["全社会"]',
        "mode": '["主动"]',
        "levels": '["县级"]',
        "uncertain": "[]",
        "basis_links-TOTAL_FORMS": "0",
        "basis_links-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def _forged_writes(luolong):
    """The issue's five admin writes: (who did it, url, data)."""
    published, draft = luolong["published"], luolong["draft"]
    social = Domain.objects.get(slug="social-assistance")
    item = published.items.get(seq=1)
    return [
        # 1. a published catalog for another county (偃师区)
        (
            "county",
            reverse("admin:catalogs_catalog_add"),
            _catalog_post("410307", social, "published"),
        ),
        # 2. an item added to another county's published catalog (as 偃师区's clerk)
        (
            "county_b",
            reverse("admin:catalogs_catalogitem_add"),
            _item_post(item, key="", name="伪造的事项"),
        ),
        # 3. its own draft straight to published, skipping the city review
        (
            "county",
            reverse("admin:catalogs_catalog_change", args=[draft.pk]),
            {
                **_catalog_post("410311", draft.domain, "published"),
                "title": draft.title,
            },
        ),
        # 4. a township clerk adds an item to its county's published catalog
        (
            "township",
            reverse("admin:catalogs_catalogitem_add"),
            _item_post(item, key="", name="伪造的事项"),
        ),
        # 5. a published item's deadline lengthened from 10 to 90 working days
        (
            "county",
            reverse("admin:catalogs_catalogitem_change", args=[item.pk]),
            _item_post(
                item,
                time_limit_text="制定或获取信息之日起90个工作日内",
                deadline_amount="90",
            ),
        ),
    ]


# --- who reaches the admin ------------------------------------------------------------------


def test_is_staff_only_for_province_admins_and_superusers(
    county_clerk,
    other_county_clerk,
    township_clerk,
    city_reviewer,
    province_admin,
    superuser,
):
    assert province_admin.is_staff and superuser.is_staff
    for user in (county_clerk, other_county_clerk, township_clerk, city_reviewer):
        assert not user.is_staff, user.role
        # ... and still the role's group (capabilities in the workspace).
        assert list(user.groups.values_list("name", flat=True)) == [
            ROLE_GROUP_NAMES[user.role]
        ]


@pytest.mark.parametrize("role", ["county_clerk", "township_clerk", "city_reviewer"])
def test_clerks_and_reviewers_get_no_admin_at_all(client, request, role):
    """403 with an explanation on every admin page, the login page included."""
    user = request.getfixturevalue(role)
    client.force_login(user)
    for url in (
        reverse("admin:index"),
        reverse("admin:catalogs_catalog_changelist"),
        reverse("admin:catalogs_legaldocument_add"),
        reverse("admin:catalogs_user_change", args=[user.pk]),
        reverse("admin:login"),
    ):
        response = client.get(url)
        assert response.status_code == 403, url
        assertContains(response, ADMIN_ONLY, status_code=403)


def test_anonymous_visitors_are_sent_to_the_admin_login(client):
    response = client.get(reverse("admin:catalogs_catalog_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_a_clerk_cannot_sign_in_to_the_admin(client, county_clerk):
    response = client.post(
        reverse("admin:login"),
        {"username": county_clerk.username, "password": "pw-Testing-2026"},
    )
    assert (
        response.status_code == 200
    )  # the form again, with Django's "staff account" message
    assert "_auth_user_id" not in client.session


def test_a_stale_is_staff_flag_opens_nothing(client, county_clerk):
    """`can_use_admin` wants the role too, not only the stored flag."""
    User.objects.filter(pk=county_clerk.pk).update(is_staff=True)
    county_clerk.refresh_from_db()
    client.force_login(county_clerk)
    assert client.get(reverse("admin:index")).status_code == 403


def test_workspace_links_the_admin_for_admins_only(
    client, county_clerk, city_reviewer, province_admin
):
    for user, shown in (
        (county_clerk, False),
        (city_reviewer, False),
        (province_admin, True),
    ):
        client.force_login(user)
        response = client.get(reverse("workspace"))
        assert response.context["can_use_admin"] is shown
        assert (reverse("admin:index") in response.content.decode()) is shown, user.role


# --- the five forged writes ---------------------------------------------------------------------


def test_the_five_forged_writes_are_refused_to_the_clerks_who_made_them(
    client, luolong, county_clerk, other_county_clerk, township_clerk
):
    users = {
        "county": county_clerk,
        "county_b": other_county_clerk,
        "township": township_clerk,
    }
    before = _snapshot()
    for who, url, data in _forged_writes(luolong):
        client.force_login(users[who])
        response = client.post(url, data)
        assert response.status_code == 403, (who, url)
    assert _snapshot() == before


@pytest.mark.parametrize("admin_user", ["province_admin", "superuser"])
def test_the_five_forged_writes_are_refused_to_admins_too(
    client, request, luolong, admin_user
):
    """Catalogs and items are read-only in the admin: status, region, catalog,
    version and deadline change only in the workspace, through the services
    (review before publishing, deadlines only shortened)."""
    client.force_login(request.getfixturevalue(admin_user))
    before = _snapshot()
    for _who, url, data in _forged_writes(luolong):
        assert client.post(url, data).status_code == 403, url
    assert _snapshot() == before
    # The pages themselves are there to read.
    item = luolong["published"].items.get(seq=1)
    page = client.get(reverse("admin:catalogs_catalogitem_change", args=[item.pk]))
    assert page.status_code == 200
    assertNotContains(page, 'name="_save"')
    assertContains(page, item.time_limit_text)


def test_no_history_revert_past_the_services(
    client, luolong, county_clerk, province_admin
):
    """simple-history's revert checks only the view permission; the admin refuses it."""
    draft = luolong["draft"]
    item = draft.items.get(seq=1)
    old_history = item.history.order_by("history_id").first()
    services.catalog_item_set_elements(
        item=item, values={"name": "改过的名称"}, bases=None, actor=county_clerk
    )
    client.force_login(province_admin)
    url = reverse(
        "admin:catalogs_catalogitem_simple_history",
        args=[item.pk, old_history.history_id],
    )
    assert client.get(url).status_code == 200
    assert client.post(url, {}).status_code == 403
    item.refresh_from_db()
    assert item.name == "改过的名称"


def test_import_write_paths_are_gone():
    from django.urls import NoReverseMatch

    for name in (
        "admin:catalogs_catalogitem_import",
        "admin:catalogs_catalogitem_process_import",
        "admin:catalogs_legaldocument_import",
        "admin:catalogs_legaldocument_process_import",
    ):
        with pytest.raises(NoReverseMatch):
            reverse(name)


# --- accounts -----------------------------------------------------------------------------------


def _user_post(user: User, **overrides) -> dict:
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "date_joined_0": "2026-01-05",
        "date_joined_1": "10:00:00",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_a_province_admin_cannot_make_itself_superuser(client, province_admin):
    client.force_login(province_admin)
    url = reverse("admin:catalogs_user_change", args=[province_admin.pk])
    county_group = Group.objects.get(name=ROLE_GROUP_NAMES["county_clerk"])
    response = client.post(
        url,
        _user_post(
            province_admin,
            first_name="省厅管理员",
            is_superuser="on",
            is_staff="on",
            groups=[county_group.pk],
            role="county_clerk",
            region="410311",
        ),
    )
    assert response.status_code == 302
    province_admin.refresh_from_db()
    assert province_admin.first_name == "省厅管理员"  # what it may change, it changed
    assert not province_admin.is_superuser
    assert (province_admin.role, province_admin.region_id) == ("province_admin", "41")
    assert list(province_admin.groups.values_list("name", flat=True)) == [
        ROLE_GROUP_NAMES["province_admin"]
    ]
    entry = AuditLogEntry.objects.get(
        action="catalogs.user.changed", object_id=str(province_admin.pk)
    )
    assert entry.actor == province_admin and entry.data["fields"] == ["first_name"]
    assert not AuditLogEntry.objects.filter(
        action="catalogs.user.role_changed"
    ).exists()


def test_the_role_service_refuses_anyone_but_a_superuser(province_admin, county_clerk):
    from django.core.exceptions import PermissionDenied

    from catalogs.accounts import user_set_role

    with pytest.raises(PermissionDenied, match="只有系统管理员"):
        user_set_role(
            user=county_clerk,
            role="province_admin",
            region=Region.objects.get(code="41"),
            actor=province_admin,
        )
    county_clerk.refresh_from_db()
    assert county_clerk.role == "county_clerk" and not county_clerk.is_staff


def test_province_admin_keeps_clerk_accounts_and_their_group(
    client, province_admin, county_clerk
):
    client.force_login(province_admin)
    url = reverse("admin:catalogs_user_change", args=[county_clerk.pk])
    response = client.post(
        url, _user_post(county_clerk, first_name="新名字", is_active=None)
    )
    assert response.status_code == 302
    county_clerk.refresh_from_db()
    assert county_clerk.first_name == "新名字" and not county_clerk.is_active
    assert not county_clerk.is_staff
    assert list(county_clerk.groups.values_list("name", flat=True)) == [
        ROLE_GROUP_NAMES["county_clerk"]
    ]
    # No account creation or deletion for a province admin.
    assert client.get(reverse("admin:catalogs_user_add")).status_code == 403
    assert (
        client.post(
            reverse("admin:catalogs_user_delete", args=[county_clerk.pk]),
            {"post": "yes"},
        ).status_code
        == 403
    )


def test_province_admin_cannot_take_over_a_peer_or_a_superuser(
    client, province_admin, superuser
):
    peer = UserFactory(
        role=User.Role.PROVINCE_ADMIN, region_code="41", username="peer-admin"
    )
    superuser.role, superuser.region = "province_admin", Region.objects.get(code="41")
    superuser.save()
    client.force_login(province_admin)
    for account in (peer, superuser):
        password_url = reverse("admin:auth_user_password_change", args=[account.pk])
        response = client.post(
            password_url,
            {"password1": "Takeover-Pass-2026", "password2": "Takeover-Pass-2026"},
        )
        assert response.status_code == 403
        account.refresh_from_db()
        assert not account.check_password("Takeover-Pass-2026")
        change = client.post(
            reverse("admin:catalogs_user_change", args=[account.pk]),
            _user_post(account, is_active=None),
        )
        assert change.status_code == 403
        account.refresh_from_db()
        assert account.is_active


def test_superuser_changes_a_role_through_the_service(client, superuser, county_clerk):
    """Role change re-derives the group and is_staff and is audited; a cleared
    groups field does not drop the role's group."""
    client.force_login(superuser)
    url = reverse("admin:catalogs_user_change", args=[county_clerk.pk])
    response = client.post(
        url, _user_post(county_clerk, role="province_admin", region="41", groups=[])
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    county_clerk.refresh_from_db()
    assert county_clerk.is_staff
    assert list(county_clerk.groups.values_list("name", flat=True)) == [
        ROLE_GROUP_NAMES["province_admin"]
    ]
    entry = AuditLogEntry.objects.get(action="catalogs.user.role_changed")
    assert entry.actor == superuser and entry.object_id == str(county_clerk.pk)
    assert (
        entry.data["before"]["role"] == "county_clerk"
        and entry.data["after"]["role"] == "province_admin"
    )
    assert entry.data["after"]["region_id"] == "41" and entry.data["is_staff"] is True
    assert (
        entry.data["ip"] == "127.0.0.1"
    )  # with the client's address, like the other security events
    # And back to a clerk: no admin any more.
    client.post(
        url, _user_post(county_clerk, role="township_clerk", region="410311012")
    )
    county_clerk.refresh_from_db()
    assert not county_clerk.is_staff
    assert list(county_clerk.groups.values_list("name", flat=True)) == [
        ROLE_GROUP_NAMES["township_clerk"]
    ]


def test_seed_demo_accounts_get_their_role_through_the_service(db):
    from demo.users import seed_users

    users = {u.username: u for u in seed_users()}
    assert {name for name, u in users.items() if u.is_staff} == {"demo-province"}
    assert users["demo-city"].groups.get().name == ROLE_GROUP_NAMES["city_reviewer"]
    assert (
        AuditLogEntry.objects.filter(action="catalogs.user.role_changed").count() == 5
    )
    seed_users()  # idempotent: nothing changed, nothing logged
    assert (
        AuditLogEntry.objects.filter(action="catalogs.user.role_changed").count() == 5
    )


def test_the_data_migration_derives_is_staff_and_restores_the_role_group(
    county_clerk, province_admin
):
    """Existing accounts: every clerk was staff, and an admin save had dropped the group."""
    migration = importlib.import_module(
        "catalogs.migrations.0003_admin_for_province_admins"
    )
    User.objects.filter(pk=county_clerk.pk).update(is_staff=True)
    User.objects.filter(pk=province_admin.pk).update(is_staff=False)
    county_clerk.groups.set([Group.objects.get(name=ROLE_GROUP_NAMES["city_reviewer"])])

    class Editor:
        pass

    editor = Editor()
    editor.connection = connection
    migration.derive_staff_and_groups(apps, editor)
    county_clerk.refresh_from_db()
    province_admin.refresh_from_db()
    assert not county_clerk.is_staff and province_admin.is_staff
    assert list(county_clerk.groups.values_list("name", flat=True)) == [
        ROLE_GROUP_NAMES["county_clerk"]
    ]


def test_superuser_creates_an_account_through_the_service(client, superuser):
    client.force_login(superuser)
    response = client.post(
        reverse("admin:catalogs_user_add"),
        {
            "username": "new-clerk",
            "usable_password": "true",
            "password1": "Henan-Portal-2026-new",
            "password2": "Henan-Portal-2026-new",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(username="new-clerk")
    assert (
        not user.is_staff
        and not user.groups.exists()
        and user.check_password("Henan-Portal-2026-new")
    )
    entry = AuditLogEntry.objects.get(action="catalogs.user.created")
    assert entry.actor == superuser and entry.object_id == str(user.pk)
    assert "Henan-Portal-2026-new" not in str(entry.data)
    # Then the role, on the change page: group and is_staff follow.
    client.post(
        reverse("admin:catalogs_user_change", args=[user.pk]),
        _user_post(user, role="county_clerk", region="410311"),
    )
    user.refresh_from_db()
    assert (
        user.groups.get().name == ROLE_GROUP_NAMES["county_clerk"] and not user.is_staff
    )
