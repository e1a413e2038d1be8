"""Every named staff URL of the catalogs namespace, walked as anonymous, the clerk of
洛龙区 (county A), the clerk of 偃师区 (county B), a township clerk of 洛龙区, the
Luoyang city reviewer and the province admin.

For each: the GET and POST status codes; for every refused POST, that no data
changed; for every page rendered, that no unpublished object outside the user's
region subtree (and nothing at all of another county) reached the template
context. A URL added to `catalogs.urls` without a row here fails the suite.
"""

from __future__ import annotations

from dataclasses import is_dataclass

import pytest
from django.db.models import Model, QuerySet
from django.forms import BaseForm
from django.forms.formsets import BaseFormSet
from django.urls import reverse

from catalogs import diff, services
from catalogs import urls as catalog_urls
from catalogs.models import (
    AuditLogEntry,
    Catalog,
    CatalogItem,
    Category,
    Domain,
    ItemBasis,
    Region,
    ReviewComment,
    User,
)
from tests.helpers import fill_lost_content

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "county_a", "county_b", "township", "city", "province")


@pytest.fixture
def world(templates, county_clerk, other_county_clerk, township_clerk, city_reviewer, province_admin):
    """County A: a returned social-assistance draft (comment on an item, an omitted
    item, a local item) and a submitted elderly-care catalog; county B: a draft;
    Luoyang: a newer social-assistance version to merge."""
    social = Domain.objects.get(slug="social-assistance")
    elderly = Domain.objects.get(slug="elderly-care")
    luolong, yanshi = Region.objects.get(code="410311"), Region.objects.get(code="410307")

    a_social = services.catalog_clone(region=luolong, domain=social, actor=county_clerk)
    fill_lost_content(a_social, county_clerk)
    omitted = a_social.items.get(seq=2)
    services.catalog_item_omit(item=omitted, reason="本地未开展该业务", actor=county_clerk)
    category = Category.objects.get(domain=social, name="临时救助")
    local = services.catalog_item_add(
        catalog=a_social,
        values={
            "category_id": category.pk,
            "name": "临时救助备用金管理",
            "content": ["备用金管理办法"],
            "time_limit_text": "制定或获取信息之日起10个工作日内",
            "subjects": ["县级人民政府民政部门"],
            "channels": ["政府网站"],
            "audience": ["全社会"],
            "mode": ["主动"],
            "levels": ["县级"],
        },
        bases=[{"title": "《国务院关于全面建立临时救助制度的通知》", "number": "国发〔2014〕47号"}],
        actor=county_clerk,
    )
    item = a_social.items.get(seq=1)
    services.catalog_submit(catalog=a_social, actor=county_clerk)
    comment = services.catalog_review_comment_add(
        catalog=a_social, actor=city_reviewer, body="请补充。", item_key=item.key
    )
    services.catalog_return(catalog=a_social, actor=city_reviewer, comment="请修改。")

    a_elderly = services.catalog_clone(region=luolong, domain=elderly, actor=county_clerk)
    services.catalog_submit(catalog=a_elderly, actor=county_clerk)

    b_social = services.catalog_clone(region=yanshi, domain=social, actor=other_county_clerk)

    v1 = Catalog.objects.get(region_id="4103", domain=social, version=1)
    v2 = services.catalog_start_new_version(catalog=v1, actor=city_reviewer)
    services.catalog_item_set_elements(
        item=v2.items.get(seq=7), values={"content": ["新的内容"]}, bases=None, actor=city_reviewer, enforce_rules=False
    )
    services.catalog_publish(catalog=v2, actor=city_reviewer, already_approved_elsewhere=True)

    return {
        "users": {
            "county_a": county_clerk,
            "county_b": other_county_clerk,
            "township": township_clerk,
            "city": city_reviewer,
            "province": province_admin,
        },
        "a_social": a_social,
        "a_elderly": a_elderly,
        "b_social": b_social,
        "item": item,
        "omitted": omitted,
        "local": local,
        "comment": comment,
    }


def _item_post(item) -> dict:
    """A valid item form (so only the access check can stop it)."""
    data = {
        "name": "被篡改",
        "deadline_kind": "working_days",
        "deadline_trigger": "制定或获取信息",
        "deadline_amount": "5",
        "publicity_unit": "working_day",
        "subjects": item.subjects,
        "channels": item.channels,
        "audience": item.audience,
        "mode": item.mode,
        "levels": item.levels,
        "lock_version": item.lock_version,
        "content-TOTAL_FORMS": "1",
        "content-INITIAL_FORMS": "0",
        "content-0-text": "被篡改",
        "bases-TOTAL_FORMS": "1",
        "bases-INITIAL_FORMS": "0",
        "bases-0-title": "《某某办法》",
        "bases-0-number": "国发〔2014〕47号",
        "bases-0-kind": "document",
    }
    return data


# Expected status per role: (anonymous, county_a, county_b, township, city, province).
# None = not requested for that role (an authorised write, covered by the view tests).
OWN_PAGE = (302, 200, 404, 404, 200, 200)  # read pages of county A's catalog
OWN_WRITE_GET = (302, 200, 404, 404, 403, 403)  # forms only county A may use
REFUSED_WRITE = (302, None, 404, 404, 403, 403)  # POSTs only county A may make


def _matrix(w):
    a, item = w["a_social"], w["item"]
    return {
        "catalog_detail": ({"pk": a.pk}, OWN_PAGE, (302, 405, 404, 404, 405, 405), {}),
        "catalog_diff": ({"pk": a.pk}, OWN_PAGE, (302, 405, 404, 404, 405, 405), {}),
        "catalog_history": ({"pk": a.pk}, OWN_PAGE, (302, 405, 404, 404, 405, 405), {}),
        "catalog_merge": ({"pk": a.pk}, OWN_PAGE, REFUSED_WRITE, {}),
        "catalog_submit": ({"pk": a.pk}, OWN_WRITE_GET, REFUSED_WRITE, {}),
        "catalog_review": (
            {"pk": w["a_elderly"].pk},
            (302, 403, 404, 404, 200, 200),
            (302, 403, 404, 404, None, None),
            {"action": "decide", "decision-decision": "return", "decision-body": "x"},
        ),
        # Not approved yet: nobody may publish; not published: no new version.
        "catalog_publish": ({"pk": a.pk}, (302, 403, 404, 404, 403, 403), (302, 403, 404, 404, 403, 403), {}),
        "catalog_new_version": ({"pk": a.pk}, (302, 403, 404, 404, 403, 403), (302, 403, 404, 404, 403, 403), {}),
        "item_add": ({"pk": a.pk}, OWN_WRITE_GET, REFUSED_WRITE, {**_item_post(item), "category": item.category_id}),
        "item_edit": ({"pk": item.pk}, OWN_WRITE_GET, REFUSED_WRITE, _item_post(item)),
        "item_omit": ({"pk": item.pk}, OWN_WRITE_GET, REFUSED_WRITE, {"omitted_reason": "被篡改"}),
        "item_restore": ({"pk": w["omitted"].pk}, OWN_WRITE_GET, REFUSED_WRITE, {}),
        "item_delete": ({"pk": w["local"].pk}, OWN_WRITE_GET, REFUSED_WRITE, {}),
        "comment_resolve": ({"pk": w["comment"].pk}, OWN_WRITE_GET, REFUSED_WRITE, {}),
        # Not tied to another region's object: each user acts on its own region.
        "catalog_clone": ({"domain_slug": "social-assistance"}, (302, 200, 200, 200, 200, 200), (302, None, None, None, None, None), {}),
        "review_queue": ({}, (302, 403, 403, 403, 200, 200), (302, 405, 405, 405, 405, 405), {}),
        "time_limit_preview": ({}, (302, 200, 200, 200, 200, 200), (302, 405, 405, 405, 405, 405), {}),
        # The province's security log (catalogs.security): province admins only.
        "security_log": ({}, (302, 403, 403, 403, 403, 200), (302, 405, 405, 405, 405, 405), {}),
    }


def _snapshot():
    """Everything a refused POST must leave untouched."""
    return (
        sorted(Catalog.objects.values_list("pk", "status", "lock_version", "upstream_id", "title")),
        sorted(
            CatalogItem.objects.values_list(
                "pk", "lock_version", "omitted", "omitted_reason", "name", "content", "time_limit_text"
            )
        ),
        sorted(ItemBasis.objects.values_list("pk", "item_id", "document_id", "order")),
        sorted(ReviewComment.objects.values_list("pk", "resolved", "body")),
        AuditLogEntry.objects.count(),
        CatalogItem.history.count(),
    )


def _context_objects(response) -> list:
    found, seen = [], set()

    def walk(value, depth):
        if depth > 8 or id(value) in seen or value is None or isinstance(value, (str, bytes, int, float, bool)):
            return
        seen.add(id(value))
        if isinstance(value, (Catalog, CatalogItem, ReviewComment, AuditLogEntry, diff.Snapshot)):
            found.append(value)
        if isinstance(value, Model):
            return
        if isinstance(value, dict):
            for v in value.values():
                walk(v, depth + 1)
        elif isinstance(value, (list, tuple, set, frozenset)):
            for v in value:
                walk(v, depth + 1)
        elif isinstance(value, QuerySet):
            walk(list(value), depth + 1)
        elif isinstance(value, BaseFormSet):
            walk(value.forms, depth + 1)
        elif isinstance(value, BaseForm):
            walk(value.initial, depth + 1)
            walk(getattr(value, "cleaned_data", {}), depth + 1)
        elif is_dataclass(value) or type(value).__module__.startswith("catalogs"):
            walk(vars(value) if hasattr(value, "__dict__") else {}, depth + 1)

    for context in response.context or []:
        for layer in context.dicts:
            walk(layer, 0)
    return found


def _region_and_published(obj) -> tuple[str, bool]:
    if isinstance(obj, Catalog):
        return obj.region_id, obj.is_published
    if isinstance(obj, AuditLogEntry):
        return obj.region_id or "", False
    catalog = Catalog.objects.get(pk=obj.catalog_id)
    return catalog.region_id, catalog.is_published and not isinstance(obj, ReviewComment)


def _assert_context_in_scope(response, user: User, label: str):
    code = user.region_id
    for obj in _context_objects(response):
        region, published = _region_and_published(obj)
        in_subtree = region.startswith(code)
        published_ancestor = published and code.startswith(region)
        assert in_subtree or published_ancestor, f"{label}: {obj!r} of {region} leaked to {code}"
        if code.startswith("410311"):
            assert region != "410307", f"{label}: 偃师区 object leaked to {code}"


def test_every_catalog_url_has_a_row(world):
    assert {p.name for p in catalog_urls.urlpatterns} == set(_matrix(world))


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(world, client, role):
    user = world["users"].get(role)
    if user is not None:
        client.force_login(user)
    for name, (kwargs, get_expected, post_expected, post_data) in _matrix(world).items():
        url = reverse(f"catalogs:{name}", kwargs=kwargs)
        index = ROLES.index(role)
        expected_get = get_expected[index]
        response = client.get(url)
        assert response.status_code == expected_get, f"GET {name} as {role}: {response.status_code}"
        if expected_get == 302:
            assert response["Location"].startswith("/accounts/login/")
        if expected_get == 200 and user is not None and response.context is not None:
            _assert_context_in_scope(response, user, f"GET {name}")
        expected_post = post_expected[index]
        if expected_post is None:
            continue
        before = _snapshot()
        response = client.post(url, post_data)
        assert response.status_code == expected_post, f"POST {name} as {role}: {response.status_code}"
        assert _snapshot() == before, f"POST {name} as {role} changed data"


def test_county_b_sees_nothing_of_county_a_on_its_own_pages(world, client):
    """偃师区's own pages render; nothing of 洛龙区's drafts appears on them."""
    client.force_login(world["users"]["county_b"])
    b = world["b_social"]
    for name in ("catalog_detail", "catalog_diff", "catalog_history", "catalog_merge"):
        response = client.get(reverse(f"catalogs:{name}", kwargs={"pk": b.pk}))
        assert response.status_code == 200
        _assert_context_in_scope(response, world["users"]["county_b"], name)
        assert "临时救助备用金管理" not in response.content.decode()
    workspace = client.get(reverse("workspace"))
    _assert_context_in_scope(workspace, world["users"]["county_b"], "workspace")
    assert str(world["a_social"].pk) not in {
        str(c.pk) for c in _context_objects(workspace) if isinstance(c, Catalog) and c.region_id == "410311"
    }


def test_the_township_clerk_cannot_change_the_county_catalog(world, client):
    client.force_login(world["users"]["township"])
    item = world["item"]
    before = _snapshot()
    for name, kwargs, data in (
        ("item_edit", {"pk": item.pk}, _item_post(item)),
        ("item_omit", {"pk": item.pk}, {"omitted_reason": "x"}),
        ("catalog_submit", {"pk": world["a_social"].pk}, {}),
        ("item_add", {"pk": world["a_social"].pk}, _item_post(item)),
    ):
        assert client.post(reverse(f"catalogs:{name}", kwargs=kwargs), data).status_code == 404
    assert _snapshot() == before
    # Its own region has no catalog: it may clone its county's once that is published.
    page = client.get(reverse("catalogs:catalog_clone", kwargs={"domain_slug": "social-assistance"}))
    assert "李楼街道" in page.content.decode()


def test_the_context_walk_sees_the_objects_a_page_shows(world, client):
    """Guards the leak check above: it really finds catalogs, items and comments."""
    client.force_login(world["users"]["city"])
    response = client.get(reverse("catalogs:catalog_detail", kwargs={"pk": world["a_social"].pk}))
    objects = _context_objects(response)
    assert any(isinstance(o, Catalog) and o.pk == world["a_social"].pk for o in objects)
    assert any(isinstance(o, diff.Snapshot) and o.key == world["item"].key for o in objects)
    assert any(isinstance(o, ReviewComment) for o in objects)
    with pytest.raises(AssertionError, match="leaked"):
        _assert_context_in_scope(response, world["users"]["county_b"], "detail")
