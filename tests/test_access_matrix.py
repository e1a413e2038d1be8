"""Who may open what: every named URL of every app, the Django admin included.

Two walks over the same data (a returned and a submitted catalog of 洛龙区
(county A), a draft of 偃师区 (county B), a newer Luoyang version, a township
record of 洛龙区 with an attachment and a name list, a staged name-list upload):

- `test_access_matrix`: the staff catalog pages (namespace "catalogs"), GET and
  POST, as anonymous, the clerk of county A, the clerk of county B, a township
  clerk of county A, the Luoyang city reviewer and the province admin. For every
  refused POST, no data changed; for every page rendered, no unpublished object
  outside the user's subtree (and nothing at all of another county) reached the
  template context.
- `test_every_named_url`: every named URL that `get_resolver()` knows, GET, as
  those six and a superuser. Anonymous visitors are sent to a login page from
  staff pages; another region's objects answer 404; the admin answers only
  province admins and superusers (403 for everyone else signed in). A URL
  without an expected row here fails the suite, and so does a row whose URL is
  gone: new URLs get covered when they are added.
"""

from __future__ import annotations

from dataclasses import is_dataclass

import pytest

from django.db.models import Model, QuerySet
from django.forms import BaseForm
from django.forms.formsets import BaseFormSet
from django.http import QueryDict
from django.urls import reverse

from catalogs import diff, drafts, services
from catalogs import urls as catalog_urls
from catalogs.models import (
    AuditLogEntry,
    Catalog,
    CatalogItem,
    Category,
    Domain,
    ItemBasis,
    ItemDraft,
    Region,
    ReviewComment,
    User,
)
from tests.helpers import fill_lost_content

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "county_a", "county_b", "township", "city", "province")


@pytest.fixture
def world(
    templates,
    county_clerk,
    other_county_clerk,
    township_clerk,
    city_reviewer,
    province_admin,
):
    """County A: a returned social-assistance draft (comment on an item, an omitted
    item, a local item) and a submitted elderly-care catalog; county B: a draft;
    Luoyang: a newer social-assistance version to merge."""
    social = Domain.objects.get(slug="social-assistance")
    elderly = Domain.objects.get(slug="elderly-care")
    luolong, yanshi = (
        Region.objects.get(code="410311"),
        Region.objects.get(code="410307"),
    )

    a_social = services.catalog_clone(region=luolong, domain=social, actor=county_clerk)
    fill_lost_content(a_social, county_clerk)
    omitted = a_social.items.get(seq=2)
    services.catalog_item_omit(
        item=omitted, reason="本地未开展该业务", actor=county_clerk
    )
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
        bases=[
            {
                "title": "《国务院关于全面建立临时救助制度的通知》",
                "number": "国发〔2014〕47号",
            }
        ],
        actor=county_clerk,
    )
    item = a_social.items.get(seq=1)
    services.catalog_submit(catalog=a_social, actor=county_clerk)
    comment = services.catalog_review_comment_add(
        catalog=a_social, actor=city_reviewer, body="请补充。", item_key=item.key
    )
    services.catalog_return(catalog=a_social, actor=city_reviewer, comment="请修改。")
    # Issue 21: a new-item draft (保存草稿 on the new-item form) of county A.
    new_draft = drafts.new_item_draft_save(
        catalog=a_social, data=QueryDict("name=半成品事项"), actor=county_clerk
    )

    a_elderly = services.catalog_clone(
        region=luolong, domain=elderly, actor=county_clerk
    )
    services.catalog_submit(catalog=a_elderly, actor=county_clerk)

    b_social = services.catalog_clone(
        region=yanshi, domain=social, actor=other_county_clerk
    )

    v1 = Catalog.objects.get(region_id="4103", domain=social, version=1)
    v2 = services.catalog_start_new_version(catalog=v1, actor=city_reviewer)
    services.catalog_item_set_elements(
        item=v2.items.get(seq=7),
        values={"content": ["新的内容"]},
        bases=None,
        actor=city_reviewer,
        enforce_rules=False,
    )
    services.catalog_publish(
        catalog=v2, actor=city_reviewer, already_approved_elsewhere=True
    )

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
        "new_draft": new_draft,
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
        "catalog_publish": (
            {"pk": a.pk},
            (302, 403, 404, 404, 403, 403),
            (302, 403, 404, 404, 403, 403),
            {},
        ),
        "catalog_new_version": (
            {"pk": a.pk},
            (302, 403, 404, 404, 403, 403),
            (302, 403, 404, 404, 403, 403),
            {},
        ),
        "item_add": (
            {"pk": a.pk},
            OWN_WRITE_GET,
            REFUSED_WRITE,
            {**_item_post(item), "category": item.category_id},
        ),
        "item_edit": ({"pk": item.pk}, OWN_WRITE_GET, REFUSED_WRITE, _item_post(item)),
        # Issue 21: a new-item draft reopened (same rule as adding an item).
        "item_new_draft": (
            {"pk": w["new_draft"].pk},
            OWN_WRITE_GET,
            REFUSED_WRITE,
            {**_item_post(item), "category": item.category_id, "_draft": "1"},
        ),
        "item_omit": (
            {"pk": item.pk},
            OWN_WRITE_GET,
            REFUSED_WRITE,
            {"omitted_reason": "被篡改"},
        ),
        "item_restore": ({"pk": w["omitted"].pk}, OWN_WRITE_GET, REFUSED_WRITE, {}),
        "item_delete": ({"pk": w["local"].pk}, OWN_WRITE_GET, REFUSED_WRITE, {}),
        "comment_resolve": ({"pk": w["comment"].pk}, OWN_WRITE_GET, REFUSED_WRITE, {}),
        # Issue 16: marking a 待核实 source note handled — province admins, POST only.
        "item_note_resolve": (
            {"pk": item.pk},
            (302, 405, 405, 405, 405, 405),
            (302, 403, 404, 404, 403, None),
            {"note": "被篡改"},
        ),
        # Issue 21: withdraw a submission; answer (county) and close (reviewer) a comment.
        "catalog_withdraw": (
            {"pk": w["a_elderly"].pk},
            OWN_WRITE_GET,
            REFUSED_WRITE,
            {},
        ),
        "comment_answer": (
            {"pk": w["comment"].pk},
            OWN_WRITE_GET,
            REFUSED_WRITE,
            {"answer": "被篡改"},
        ),
        "comment_close": (
            {"pk": w["comment"].pk},
            (302, 403, 404, 404, 200, 200),
            (302, 403, 404, 404, None, None),
            {},
        ),
        # Not tied to another region's object: each user acts on its own region.
        "catalog_clone": (
            {"domain_slug": "social-assistance"},
            (302, 200, 200, 200, 200, 200),
            (302, None, None, None, None, None),
            {},
        ),
        "review_queue": (
            {},
            (302, 403, 403, 403, 200, 200),
            (302, 405, 405, 405, 405, 405),
            {},
        ),
        "time_limit_preview": (
            {},
            (302, 200, 200, 200, 200, 200),
            (302, 405, 405, 405, 405, 405),
            {},
        ),
        # The working-day calendar and the holiday-notice form: province admins.
        "calendar_year": (
            {"year": 2027},
            (302, 403, 403, 403, 403, 200),
            (302, 403, 403, 403, 403, None),
            {"source": "被篡改", "holidays": "春节 2027-02-05", "workdays": ""},
        ),
        # The province's security log (catalogs.security): province admins only.
        "security_log": (
            {},
            (302, 403, 403, 403, 403, 200),
            (302, 405, 405, 405, 405, 405),
            {},
        ),
    }


def _snapshot():
    """Everything a refused POST must leave untouched."""
    return (
        sorted(
            Catalog.objects.values_list(
                "pk", "status", "lock_version", "upstream_id", "title"
            )
        ),
        sorted(
            CatalogItem.objects.values_list(
                "pk",
                "lock_version",
                "omitted",
                "omitted_reason",
                "name",
                "content",
                "time_limit_text",
            )
        ),
        sorted(ItemBasis.objects.values_list("pk", "item_id", "document_id", "order")),
        sorted(ItemDraft.objects.values_list("pk", "item_id", "catalog_id", "data")),
        sorted(
            ReviewComment.objects.values_list(
                "pk", "resolved", "body", "answer", "closed_at"
            )
        ),
        AuditLogEntry.objects.count(),
        CatalogItem.history.count(),
    )


def _context_objects(response) -> list:
    found, seen = [], set()

    def walk(value, depth):
        if (
            depth > 8
            or id(value) in seen
            or value is None
            or isinstance(value, (str, bytes, int, float, bool))
        ):
            return
        seen.add(id(value))
        if isinstance(
            value, (Catalog, CatalogItem, ReviewComment, AuditLogEntry, diff.Snapshot)
        ):
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
    return catalog.region_id, catalog.is_published and not isinstance(
        obj, ReviewComment
    )


def _assert_context_in_scope(response, user: User, label: str):
    code = user.region_id
    for obj in _context_objects(response):
        region, published = _region_and_published(obj)
        in_subtree = region.startswith(code)
        published_ancestor = published and code.startswith(region)
        assert in_subtree or published_ancestor, (
            f"{label}: {obj!r} of {region} leaked to {code}"
        )
        if code.startswith("410311"):
            assert region != "410307", f"{label}: 偃师区 object leaked to {code}"


def test_every_catalog_url_has_a_row(world):
    assert {p.name for p in catalog_urls.urlpatterns} == set(_matrix(world))


def test_access_matrix(world, client):
    """Each role in turn over one data set (building it is most of the cost)."""
    for index, role in enumerate(ROLES):
        user = world["users"].get(role)
        client.logout()
        if user is not None:
            client.force_login(user)
        for name, (kwargs, get_expected, post_expected, post_data) in _matrix(
            world
        ).items():
            url = reverse(f"catalogs:{name}", kwargs=kwargs)
            expected_get = get_expected[index]
            response = client.get(url)
            assert response.status_code == expected_get, (
                f"GET {name} as {role}: {response.status_code}"
            )
            if expected_get == 302:
                assert response["Location"].startswith("/accounts/login/")
            if (
                expected_get == 200
                and user is not None
                and response.context is not None
            ):
                _assert_context_in_scope(response, user, f"GET {name}")
            expected_post = post_expected[index]
            if expected_post is None:
                continue
            before = _snapshot()
            response = client.post(url, post_data)
            assert response.status_code == expected_post, (
                f"POST {name} as {role}: {response.status_code}"
            )
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
        str(c.pk)
        for c in _context_objects(workspace)
        if isinstance(c, Catalog) and c.region_id == "410311"
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
        assert (
            client.post(reverse(f"catalogs:{name}", kwargs=kwargs), data).status_code
            == 404
        )
    assert _snapshot() == before
    # Its own region has no catalog: it may clone its county's once that is published.
    page = client.get(
        reverse("catalogs:catalog_clone", kwargs={"domain_slug": "social-assistance"})
    )
    assert "李楼街道" in page.content.decode()


def test_the_context_walk_sees_the_objects_a_page_shows(world, client):
    """Guards the leak check above: it really finds catalogs, items and comments."""
    client.force_login(world["users"]["city"])
    response = client.get(
        reverse("catalogs:catalog_detail", kwargs={"pk": world["a_social"].pk})
    )
    objects = _context_objects(response)
    assert any(isinstance(o, Catalog) and o.pk == world["a_social"].pk for o in objects)
    assert any(
        isinstance(o, diff.Snapshot) and o.key == world["item"].key for o in objects
    )
    assert any(isinstance(o, ReviewComment) for o in objects)
    with pytest.raises(AssertionError, match="leaked"):
        _assert_context_in_scope(response, world["users"]["county_b"], "detail")


# --- every named URL of every app, the admin included ---------------------------------------

ALL_ROLES = (*ROLES, "superuser")
A, B, T, C, P, S = "county_a", "county_b", "township", "city", "province", "superuser"


def _row(anonymous: int, *, default: int, **per_role: int) -> tuple[int, ...]:
    """Expected statuses in `ALL_ROLES` order: `default` for every signed-in role
    not named (county_a=…, city=…, superuser=…)."""
    unknown = set(per_role) - set(ALL_ROLES)
    assert not unknown, unknown
    return (anonymous, *(per_role.get(role, default) for role in ALL_ROLES[1:]))


PUBLIC = _row(200, default=200)
STAFF_ANY = _row(302, default=200)  # any region staff, their own region
REVIEWERS = _row(302, default=403, city=200, province=200, superuser=200)
# A record of 李楼街道 (county A): another county's staff get 404; a superuser,
# which has no region to act for, manages no records (404 as well).
COUNTY_A_RECORD = _row(302, default=200, county_b=404, superuser=404)
COUNTY_A_LIST = _row(302, default=200, county_b=404)
POST_ONLY = _row(302, default=405)
ADMIN_ONLY = _row(302, default=403, province=200, superuser=200)
PROGRESS_A = _row(302, default=200, county_b=404, township=403)  # county A's progress


@pytest.fixture
def everything(world, superuser, settings, tmp_path):
    """`world` plus what the other apps' URLs need: a published township record of
    county A with an attachment and a confirmed name list, a draft record of
    county A with a staged name-list upload (the township clerk's), the two
    province-wide settings, and a superuser."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from disclosures.models import MaskingPolicySetting, Obligation, ProgressThreshold
    from disclosures.namelists import staging as namelist_staging
    from disclosures.records import services as record_services
    from tests.builders import add_name_list, at, item_for

    settings.NAME_LIST_STAGING_DIR = str(tmp_path)
    township = Region.objects.get(code="410311012")
    item = item_for("410311012", "审核信息")
    today = timezone.localdate()
    record = record_services.record_create(
        region=township,
        item=item,
        trigger_date=today - timezone.timedelta(days=5),
        title="李楼街道低保审核对象公示（访问矩阵）",
        body="经入户调查和民主评议，以下家庭拟纳入最低生活保障。",
        actor=world["users"]["township"],
        publish=record_services.PUBLISH_NOW,
        files=[
            SimpleUploadedFile(
                "说明.csv", "项目,金额\n临时救助备用金,10000\n".encode(), "text/csv"
            )
        ],
        now=at(today - timezone.timedelta(days=2)),
    )
    name_list = add_name_list(record)
    name_list.uploaded_by = world["users"]["township"]
    name_list.confirmed_by = world["users"]["county_a"]
    name_list.region_id, name_list.confirmed_region_id = "410311012", "410311"
    name_list.save()
    draft = record_services.record_create(
        region=township,
        item=item,
        trigger_date=today - timezone.timedelta(days=1),
        title="李楼街道低保审核对象公示（草稿）",
        actor=world["users"]["township"],
    )
    staged = namelist_staging.name_list_stage_upload(
        record=draft,
        data="姓名,家庭人口,保障金额（元/月）,村（社区）\n张三,3,500,李楼村\n".encode(),
        filename="名单.csv",
        actor=world["users"]["township"],
    )
    ProgressThreshold.objects.create()
    MaskingPolicySetting.objects.create()
    from datetime import date

    from catalogs.calendar import calendar_day_set

    access = {
        "user_agent": "test",
        "ip_address": "127.0.0.1",
        "username": "clerk-lilou",
        "path_info": "/accounts/login/",
    }
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    AccessAttempt.objects.create(
        **access, get_data="", post_data="", failures_since_start=1
    )
    AccessFailureLog.objects.create(**access)
    AccessLog.objects.create(**access)
    holiday = calendar_day_set(
        day=date(2024, 3, 11), kind="holiday", name="矩阵测试", actor=None
    )
    published_item = CatalogItem.objects.filter(
        catalog__region_id="4103", catalog__status="published"
    ).first()
    from disclosures.records import posting

    proof = posting.posting_proof_add(
        record=record, data=_tiny_photo(), actor=world["users"]["township"]
    )
    return {
        **world,
        "users": {**world["users"], "superuser": superuser},
        "record": record,
        "attachment": record.attachments.get(),
        "name_list": name_list,
        "draft_record": draft,
        "token": staged.token,
        "published_item": published_item,
        "obligation": Obligation.objects.filter(region_id="410311012").first(),
        "calendar_day": holiday,
        "proof": proof,
    }


def _tiny_photo() -> bytes:
    """A small JPEG for a proof of posting (张榜证明)."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (90, 90, 90)).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser(
        "root", "root@example.invalid", "pw-Testing-2026-root"
    )


def _site_table(w) -> dict[str, tuple[dict, tuple[int, ...]]]:
    """Every named URL outside the admin: name → (kwargs, expected statuses)."""
    a = w["a_social"]
    record, attachment, name_list = w["record"], w["attachment"], w["name_list"]
    key = w["published_item"].key
    sa = "social-assistance"
    own_catalog = {
        n: (kw, (*get, get[-1])) for n, (kw, get, _post, _data) in _matrix(w).items()
    }
    # A superuser has no region of its own: it reads everything, edits nothing
    # that belongs to a region (403 rather than a region's form), reviews anything.
    superuser_catalog = {
        "catalog_submit": 403,
        "item_add": 403,
        "item_edit": 403,
        "item_new_draft": 403,
        "item_omit": 403,
        "item_restore": 403,
        "item_delete": 403,
        "comment_resolve": 403,
        "catalog_withdraw": 403,
        "comment_answer": 403,
        "catalog_clone": 403,
    }
    table = {
        f"catalogs:{n}": (kw, (*get[:-1], superuser_catalog.get(n, get[-1])))
        for n, (kw, get) in own_catalog.items()
    }
    table.update(
        {
            # the site
            "healthz": ({}, PUBLIC),
            "robots_txt": ({}, PUBLIC),
            "preferences": ({}, _row(302, default=302)),  # sets a cookie, goes back
            "login": ({}, PUBLIC),
            "logout": ({}, _row(405, default=405)),  # POST only
            "workspace": ({}, STAFF_ANY),
            "password_change": ({}, _row(302, default=200)),
            "password_change_done": ({}, _row(302, default=200)),
            # catalog documents in the workspace (county A's draft)
            "catalog_documents:download_docx": (
                {"pk": a.pk},
                _row(302, default=200, county_b=404, township=404),
            ),
            "catalog_documents:download_xlsx": (
                {"pk": a.pk},
                _row(302, default=200, county_b=404, township=404),
            ),
            "catalog_documents:preview": (
                {"pk": a.pk},
                _row(302, default=200, county_b=404, township=404),
            ),
            "catalog_documents:upload": (
                {"domain_slug": sa},
                _row(302, default=200, superuser=403),
            ),
            # villages (村/社区) of the user's county: county staff and province admins
            "villages:village_list": (
                {},
                _row(302, default=200, township=403, city=403),
            ),
            # the public portal
            "disclosures:home": ({}, PUBLIC),
            "disclosures:region_pick": ({}, PUBLIC),
            "disclosures:region_options": ({}, PUBLIC, {"parent": "4103"}),
            "disclosures:region_detail": ({"code": "410311"}, PUBLIC),
            "disclosures:region_feed_rss": ({"code": "410311"}, PUBLIC),
            "disclosures:region_feed_atom": ({"code": "410311"}, PUBLIC),
            "disclosures:catalog_detail": ({"code": "4103", "domain_slug": sa}, PUBLIC),
            "disclosures:catalog_version": (
                {"code": "4103", "domain_slug": sa, "version": 1},
                PUBLIC,
            ),
            "disclosures:catalog_download": (
                {"code": "4103", "domain_slug": sa, "fmt": "xlsx"},
                PUBLIC,
            ),
            "disclosures:catalog_version_download": (
                {"code": "4103", "domain_slug": sa, "version": 1, "fmt": "xlsx"},
                PUBLIC,
            ),
            "disclosures:item_records": (
                {"code": "4103", "domain_slug": sa, "key": key},
                PUBLIC,
            ),
            "disclosures:domain_feed_rss": (
                {"code": "4103", "domain_slug": sa},
                PUBLIC,
            ),
            "disclosures:domain_feed_atom": (
                {"code": "4103", "domain_slug": sa},
                PUBLIC,
            ),
            "disclosures:record_detail": ({"pk": record.pk}, PUBLIC),
            "disclosures:attachment_download": (
                {"pk": record.pk, "attachment_pk": attachment.pk},
                PUBLIC,
            ),
            "disclosures:namelist_download": ({"pk": record.pk, "fmt": "csv"}, PUBLIC),
            # the printable village notice (issue 19): public like the record page
            "disclosures:record_notice": ({"pk": record.pk}, PUBLIC),
            # proof of posting (张榜证明): staff of the record's region and above
            "disclosures:record_posting": (
                {"pk": record.pk},
                _row(302, default=200, county_b=404),
            ),
            "disclosures:posting_photo": (
                {"pk": record.pk, "proof_pk": w["proof"].pk},
                _row(302, default=200, county_b=404),
            ),
            "disclosures:posting_delete": (
                {"pk": record.pk, "proof_pk": w["proof"].pk},
                POST_ONLY,
            ),
            "disclosures:search": ({}, PUBLIC),
            # progress review: reviewers of a region above (county A's page)
            # progress review: region staff above township level (redirect: to the latest quarter)
            "disclosures:progress_home": ({}, _row(302, default=302, township=403)),
            "disclosures:progress_switch": (
                {},
                _row(302, default=302, county_b=404, township=403),
                {"period": "2026Q1", "region": "410311"},
            ),
            "disclosures:progress": (
                {"period": "2026Q1"},
                _row(302, default=200, township=403),
            ),
            "disclosures:progress_region": (
                {"period": "2026Q1", "code": "410311"},
                PROGRESS_A,
            ),
            "disclosures:progress_export_xlsx": (
                {"period": "2026Q1", "code": "410311"},
                PROGRESS_A,
            ),
            "disclosures:progress_export_docx": (
                {"period": "2026Q1", "code": "410311"},
                PROGRESS_A,
            ),
            # records (a record of 李楼街道)
            "disclosures:record_worklist": ({}, STAFF_ANY),
            "disclosures:record_create": ({}, STAFF_ANY),
            "disclosures:record_manage": ({"pk": record.pk}, COUNTY_A_RECORD),
            "disclosures:record_publish": ({"pk": record.pk}, COUNTY_A_RECORD),
            "disclosures:record_correct": ({"pk": record.pk}, COUNTY_A_RECORD),
            "disclosures:record_withdraw": ({"pk": record.pk}, COUNTY_A_RECORD),
            "disclosures:record_attachment": (
                {"pk": record.pk, "attachment_pk": attachment.pk},
                COUNTY_A_RECORD,
            ),
            "disclosures:attachment_confirm": (
                {"pk": record.pk, "attachment_pk": attachment.pk},
                COUNTY_A_RECORD,
            ),
            # name lists
            "disclosures:namelist_index": ({}, STAFF_ANY),
            "disclosures:namelist_upload_choose": (
                {},
                _row(302, default=302, county_b=404, superuser=404),
                {"record": w["draft_record"].pk},
            ),
            "disclosures:namelist_upload": (
                {"record_pk": w["draft_record"].pk},
                COUNTY_A_RECORD,
            ),
            # a staged upload is its uploader's only
            "disclosures:namelist_map": (
                {"token": w["token"]},
                _row(302, default=404, township=200),
            ),
            "disclosures:namelist_review_queue": ({}, STAFF_ANY),
            # A superuser reads and removes name lists anywhere (scope: everything).
            "disclosures:namelist_detail": ({"pk": name_list.pk}, COUNTY_A_LIST),
            "disclosures:namelist_submit": ({"pk": name_list.pk}, POST_ONLY),
            "disclosures:namelist_delete": ({"pk": name_list.pk}, COUNTY_A_LIST),
            # already confirmed: nothing left to review (403); another county's: 404
            "disclosures:namelist_review": (
                {"pk": name_list.pk},
                _row(302, default=403, county_b=404),
            ),
        }
    )
    table.update(_onrequest_table(w))
    table.update(_opengov_table(w))
    return table


def _opengov_table(w) -> dict[str, tuple[dict, tuple[int, ...]]]:
    """政府信息公开专栏: county A's 2025 report draft. Only county A's own staff open
    it (the township below, the city and province above and another county: 404);
    the guide and the report list are each region's own (403 above county level)."""
    from opengov import services as opengov_services

    report = opengov_services.report_create(
        region=Region.objects.get(code="410311"),
        year=2025,
        actor=w["users"]["county_a"],
    )
    own_report = _row(302, default=404, county_a=200)
    own_region_page = _row(302, default=200, city=403, province=403, superuser=403)
    return {
        "opengov:guide": ({"code": "410311"}, PUBLIC),
        "opengov:report_index": ({"code": "410311"}, PUBLIC),
        "opengov:guide_edit": ({}, own_region_page),
        "opengov:report_list": ({}, own_region_page),
        "opengov:report_edit": ({"pk": report.pk}, own_report),
        "opengov:report_publish": ({"pk": report.pk}, own_report),
        "opengov:report_download": ({"pk": report.pk, "fmt": "docx"}, own_report),
        "opengov:report_count": (
            {"pk": report.pk, "row": "received", "column": "total"},
            own_report,
        ),
        # a record's 发布机构/成文日期/文号 (李楼街道's record): as the record pages
        "opengov:record_metadata": ({"pk": w["record"].pk}, COUNTY_A_RECORD),
    }


def _onrequest_table(w) -> dict[str, tuple[dict, tuple[int, ...]]]:
    """依申请公开: an application received by county A with the applicant's file.
    Only the receiving region's staff (and a superuser) open it; the township below
    and the city and province above get 404 like another county."""
    from datetime import date

    from onrequest import services as onrequest_services
    from onrequest.files import CheckedFile
    from tests.onrequest.builders import applicant

    submitted = onrequest_services.application_submit(
        region=Region.objects.get(code="410311"),
        data=applicant(),
        channel="paper",
        received_on=date(2026, 1, 20),
        files=[CheckedFile("申请书.pdf", b"%PDF-1.4 x", "application/pdf")],
        actor=w["users"]["county_a"],
    )
    application = submitted.application
    own = _row(302, default=404, county_a=200, superuser=200)
    return {
        "onrequest:apply": ({}, PUBLIC),
        "onrequest:apply_status": ({}, PUBLIC),
        "onrequest:application_list": ({}, STAFF_ANY),
        "onrequest:application_create": ({}, _row(302, default=200, superuser=403)),
        "onrequest:application_progress": ({}, REVIEWERS),
        "onrequest:application_detail": ({"pk": application.pk}, own),
        "onrequest:application_file": (
            {"pk": application.pk, "file_pk": application.files.get().pk},
            own,
        ),
        "onrequest:application_action": (
            {"pk": application.pk, "action": "review"},
            POST_ONLY,
        ),
        # The province-wide reply-letter templates (edited in Word).
        "onrequest:letter_templates": (
            {},
            _row(302, default=403, province=200, superuser=200),
        ),
        "onrequest:letter_template_download": (
            {"group": "partly"},
            _row(302, default=403, province=200, superuser=200),
        ),
    }


# The admin: what a province admin / a superuser may do per registered model.
# Everyone else signed in gets 403 everywhere; anonymous visitors the admin login.
READ_ONLY = {
    "changelist": 200,
    "add": 403,
    "change": 200,
    "delete": 403,
    "history": 200,
}
VIA_SERVICES = {**READ_ONLY, "add": 200}
SINGLETON = {**READ_ONLY, "add": 403}  # its one row exists: changed, never added again


def _admin_models(w) -> dict[str, tuple[object, dict[str, int], dict[str, int]]]:
    """`app_model` → (an object, what a province admin gets, what a superuser gets)."""
    from django.contrib.auth.models import Group

    from catalogs.models import CalendarYear, LegalDocument
    from disclosures.models import (
        MaskingPolicySetting,
        NameListRow,
        Obligation,
        ProgressThreshold,
    )

    item = w["item"]
    history = {"simple_history": 200}
    export = {"export": 200}
    both = lambda spec: (spec, spec)  # noqa: E731
    return {
        "auth_group": (
            Group.objects.get(name="县级工作人员"),
            dict.fromkeys(READ_ONLY, 403),
            READ_ONLY,
        ),
        "catalogs_region": (Region.objects.get(code="410311"), *both(READ_ONLY)),
        "catalogs_domain": (Domain.objects.first(), *both(READ_ONLY)),
        "catalogs_category": (Category.objects.first(), *both(READ_ONLY)),
        "catalogs_legaldocument": (
            LegalDocument.objects.first(),
            *both({**VIA_SERVICES, **export}),
        ),
        "catalogs_catalog": (w["a_social"], *both({**READ_ONLY, **history})),
        "catalogs_catalogitem": (item, *both({**READ_ONLY, **history, **export})),
        "catalogs_itembasis": (
            ItemBasis.objects.filter(item=w["local"]).first(),
            *both(READ_ONLY),
        ),
        "catalogs_reviewcomment": (w["comment"], *both(READ_ONLY)),
        "catalogs_user": (
            w["users"]["county_a"],
            {**READ_ONLY, "change": 200, "password": 200},
            {**READ_ONLY, "add": 200, "password": 200},
        ),
        "catalogs_auditlogentry": (
            AuditLogEntry.objects.filter(region_id="410311").first(),
            *both(READ_ONLY),
        ),
        "catalogs_calendaryear": (
            CalendarYear.objects.order_by("year").first(),
            *both(VIA_SERVICES),
        ),
        "catalogs_calendarday": (
            w["calendar_day"],
            *both({**VIA_SERVICES, "delete": 200, **history}),
        ),
        "disclosures_progressthreshold": (
            ProgressThreshold.objects.get(),
            *both(SINGLETON),
        ),
        "disclosures_disclosurerecord": (w["record"], *both({**READ_ONLY, **history})),
        "disclosures_obligation": (
            Obligation.objects.filter(region_id="410311012").first(),
            *both(READ_ONLY),
        ),
        "disclosures_attachment": (w["attachment"], *both(READ_ONLY)),
        "disclosures_postingproof": (w["proof"], *both(READ_ONLY)),
        "disclosures_namelist": (w["name_list"], *both(READ_ONLY)),
        "disclosures_namelistrow": (
            NameListRow.objects.filter(name_list=w["name_list"]).first(),
            *both(READ_ONLY),
        ),
        "disclosures_maskingpolicysetting": (
            MaskingPolicySetting.objects.get(),
            *both(SINGLETON),
        ),
        # django-axes (login lockouts): superusers only; province admins hold no axes permissions.
        **{
            f"axes_{model._meta.model_name}": (
                model.objects.first(),
                dict.fromkeys(READ_ONLY, 403),
                {**READ_ONLY, "delete": 200},
            )
            for model in _axes_models()
        },
    }


def _axes_models():
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    return (AccessAttempt, AccessFailureLog, AccessLog)


def _admin_table(w) -> dict[str, tuple[dict | list, tuple[int, ...]]]:
    """Every named admin URL: name → (kwargs or args, expected statuses)."""
    from django.contrib.contenttypes.models import ContentType

    def admin_row(province: int, superuser: int) -> tuple[int, ...]:
        return _row(302, default=403, province=province, superuser=superuser)

    region = Region.objects.get(code="410311")
    table = {
        "admin:index": ({}, admin_row(200, 200)),
        "admin:login": ({}, _row(200, default=403, province=302, superuser=302)),
        "admin:logout": (
            {},
            _row(302, default=403, province=405, superuser=405),
        ),  # POST only
        "admin:password_change": ({}, admin_row(200, 200)),
        "admin:password_change_done": ({}, admin_row(200, 200)),
        "admin:autocomplete": ({}, admin_row(403, 403)),  # needs its query parameters
        "admin:jsi18n": ({}, admin_row(200, 200)),
        "admin:view_on_site": (
            {
                "content_type_id": ContentType.objects.get_for_model(Region).pk,
                "object_id": region.pk,
            },
            admin_row(302, 302),
        ),
        "admin:app_list": ({"app_label": "catalogs"}, admin_row(200, 200)),
    }
    for prefix, (obj, province, superuser) in _admin_models(w).items():
        views = set(province) | set(superuser)
        for view in views:
            if view in ("changelist", "add", "export"):
                kwargs = {}
            elif view == "simple_history":
                kwargs = [obj.pk, obj.history.order_by("history_id").first().history_id]
            elif view == "password":
                kwargs = {"id": obj.pk}
            else:
                kwargs = [obj.pk]
            name = (
                "admin:auth_user_password_change"
                if view == "password"
                else f"admin:{prefix}_{view}"
            )
            table[name] = (
                kwargs,
                admin_row(province.get(view, 403), superuser.get(view, 403)),
            )
    return table


def _named_urls() -> set[str]:
    """Every URL name the resolver knows, namespaced ("admin:index", "catalogs:…")."""
    from django.urls import URLResolver, get_resolver

    names: set[str] = set()

    def walk(resolver, namespace: str) -> None:
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = (
                        f"{namespace}:{pattern.namespace}"
                        if namespace
                        else pattern.namespace
                    )
                walk(pattern, inner)
            elif pattern.name:
                names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    walk(get_resolver(), "")
    return names


def test_every_named_url(everything, client):
    """GET every named URL as each role; all mismatches are reported at once.

    Every URL the resolver knows needs a row, and every row a URL. One walk over one data set (building it is most of the cost). The staff
    catalog pages are walked for the superuser only here: `test_access_matrix`
    walks them, GET and POST, for the six other roles.
    """
    named = _named_urls()
    table = {**_site_table(everything), **_admin_table(everything)}
    assert sorted(named - set(table)) == [], (
        "URLs without an expected row: add them to the table"
    )
    assert sorted(set(table) - named) == [], "rows for URLs that no longer exist"
    problems = []
    for index, role in enumerate(ALL_ROLES):
        user = everything["users"].get(role)
        client.logout()
        if user is not None:
            client.force_login(user)
        for name, (params, expected, *query) in sorted(table.items()):
            if (
                name.startswith("catalogs:")
                and role in ROLES
                and name in _matrix_names()
            ):
                continue
            url = (
                reverse(name, args=params)
                if isinstance(params, list)
                else reverse(name, kwargs=params)
            )
            response = client.get(url, *query)
            status = response.status_code
            if status != expected[index]:
                problems.append(
                    f"{role}: {name} {url}: {status}, expected {expected[index]}"
                )
            elif (
                status == 302
                and role == "anonymous"
                and name not in NOT_A_LOGIN_REDIRECT
            ):
                login = (
                    "/admin/login/" if name.startswith("admin:") else "/accounts/login/"
                )
                if not response["Location"].startswith(login):
                    problems.append(
                        f"{role}: {name} sent to {response['Location']}, not {login}"
                    )
    assert problems == [], "\n".join(problems)


# Redirects of anonymous visitors that are not "please log in first".
NOT_A_LOGIN_REDIRECT = {"preferences", "admin:logout"}


def _matrix_names() -> set[str]:
    return {f"catalogs:{p.name}" for p in catalog_urls.urlpatterns}


def test_another_countys_records_and_lists_answer_404_to_posts(everything, client):
    """偃师区's clerk posting to 洛龙区's record, attachment, name list and staged
    upload: 404 (as if they did not exist), and nothing changes."""
    from disclosures.models import Attachment, DisclosureRecord, NameList

    def snapshot():
        return (
            sorted(
                DisclosureRecord.objects.values_list(
                    "pk", "status", "title", "body", "publish_at"
                )
            ),
            sorted(
                NameList.objects.values_list(
                    "pk", "status", "confirmed_by_id", "submitted_at"
                )
            ),
            sorted(Attachment.objects.values_list("pk", "record_id", "original_name")),
            AuditLogEntry.objects.count(),
        )

    w = everything
    record, attachment, name_list = w["record"], w["attachment"], w["name_list"]
    posts = {
        "disclosures:record_publish": ({"pk": w["draft_record"].pk}, {}),
        "disclosures:record_correct": (
            {"pk": record.pk},
            {"title": "被篡改", "body": "被篡改", "reason": "x"},
        ),
        "disclosures:record_withdraw": ({"pk": record.pk}, {"reason": "被篡改"}),
        "disclosures:attachment_confirm": (
            {"pk": record.pk, "attachment_pk": attachment.pk},
            {},
        ),
        "disclosures:namelist_upload": ({"record_pk": w["draft_record"].pk}, {}),
        "disclosures:namelist_map": ({"token": w["token"]}, {"action": "start"}),
        "disclosures:namelist_submit": ({"pk": name_list.pk}, {}),
        "disclosures:namelist_delete": ({"pk": name_list.pk}, {"reason": "被篡改"}),
        "disclosures:namelist_review": (
            {"pk": name_list.pk},
            {"decision": "reject", "note": "被篡改"},
        ),
    }
    assert set(posts) <= _named_urls()
    client.force_login(w["users"]["county_b"])
    before = snapshot()
    for name, (kwargs, data) in posts.items():
        response = client.post(reverse(name, kwargs=kwargs), data)
        assert response.status_code == 404, f"POST {name}: {response.status_code}"
    assert snapshot() == before
