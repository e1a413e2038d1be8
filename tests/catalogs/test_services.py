"""Catalog services: clone, edit (rules, optimistic locking), life cycle, review
comments, three-way merge with a newer upstream version, demo data."""

from __future__ import annotations

import uuid

import pytest

from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalogs import diff_queries, merge, services
from catalogs.models import (
    AuditLogEntry,
    Catalog,
    CatalogItem,
    Category,
    Domain,
    ItemBasis,
    LegalDocument,
    Region,
    ReviewComment,
)
from tests.helpers import fill_lost_content

pytestmark = pytest.mark.django_db


def _region(code):
    return Region.objects.get(code=code)


def _social():
    return Domain.objects.get(slug="social-assistance")


@pytest.fixture
def luolong_draft(templates, county_clerk):
    return services.catalog_clone(
        region=_region("410311"), domain=_social(), actor=county_clerk
    )


def _luoyang(version=1):
    return Catalog.objects.get(
        region_id="4103", domain__slug="social-assistance", version=version
    )


# --- clone ---------------------------------------------------------------------------------


def test_clone_copies_the_rows_of_the_nearest_ancestor(luolong_draft):
    """Luoyang (city) has a published catalog, so 洛龙区 clones it, not the province's."""
    source = _luoyang()
    assert luolong_draft.upstream == source
    assert luolong_draft.status == Catalog.Status.DRAFT
    source_items = {i.key: i for i in source.items.all()}
    copies = list(luolong_draft.items.all())
    assert len(copies) == len(source_items) == 14
    for copy in copies:
        original = source_items[copy.key]
        assert copy.pk != original.pk  # copied, not moved
        assert copy.upstream_item_id == original.pk
        assert (copy.name, copy.content, copy.time_limit_text, copy.channels) == (
            original.name,
            original.content,
            original.time_limit_text,
            original.channels,
        )
        assert list(copy.basis_links.values_list("document_id", "order")) == list(
            original.basis_links.values_list("document_id", "order")
        )
    assert source.items.count() == 14  # the source keeps its rows


def test_clone_references_only_its_own_rows_and_its_upstream(luolong_draft):
    """No remapped foreign key points into another county's catalog."""
    upstream_catalogs = set(
        CatalogItem.objects.filter(downstream_items__catalog=luolong_draft).values_list(
            "catalog__region_id", flat=True
        )
    )
    assert upstream_catalogs == {"4103"}
    linked_items = set(
        ItemBasis.objects.filter(item__catalog=luolong_draft).values_list(
            "item__catalog_id", flat=True
        )
    )
    assert linked_items == {luolong_draft.pk}


def test_clone_writes_history_rows_marked_as_copies_by_the_actor(
    luolong_draft, county_clerk
):
    rows = CatalogItem.history.filter(catalog_id=luolong_draft.pk)
    assert rows.count() == 14
    assert set(
        rows.values_list("history_type", "history_change_reason", "history_user_id")
    ) == {("+", "catalogs.catalog.cloned", county_clerk.pk)}
    assert AuditLogEntry.objects.filter(
        action="catalogs.catalog.cloned",
        object_id=str(luolong_draft.pk),
        actor=county_clerk,
    ).exists()


def test_clone_leaves_out_items_the_upstream_omitted(
    templates, make_user, province_admin
):
    """A city that omitted an item passes the omission down: the county does not get it."""
    zhengzhou = _region("4101")
    city_user = make_user("city_reviewer", "4101", username="zz-city")
    city = services.catalog_clone(region=zhengzhou, domain=_social(), actor=city_user)
    omitted = city.items.get(seq=2)
    services.catalog_item_omit(item=omitted, reason="本市未开展", actor=city_user)
    services.catalog_publish(catalog=city, actor=None, already_approved_elsewhere=True)
    county = services.catalog_clone(
        region=_region("410102"), domain=_social(), actor=None
    )
    assert county.upstream == city
    assert not county.items.filter(key=omitted.key).exists()
    assert county.items.count() == city.items.count() - 1


def test_clone_refuses_a_region_that_already_has_a_catalog(luolong_draft, county_clerk):
    with pytest.raises(ValidationError, match="已有社会救助领域的目录"):
        services.catalog_clone(
            region=_region("410311"), domain=_social(), actor=county_clerk
        )


def test_clone_refuses_when_no_ancestor_has_published(db, county_clerk):
    with pytest.raises(ValidationError, match="上级区划尚未发布社会救助领域的标准目录"):
        services.catalog_clone(
            region=_region("410311"), domain=_social(), actor=county_clerk
        )
    assert not Catalog.objects.exists()


def test_a_township_clones_its_countys_published_catalog(
    luolong_draft, county_clerk, township_clerk
):
    fill_lost_content(luolong_draft, county_clerk)
    services.catalog_submit(catalog=luolong_draft, actor=county_clerk)
    services.catalog_approve(catalog=luolong_draft, actor=None)
    services.catalog_publish(catalog=luolong_draft, actor=county_clerk)
    township = services.catalog_clone(
        region=_region("410311012"), domain=_social(), actor=township_clerk
    )
    assert township.upstream == luolong_draft


def _bulk_source(region_code: str, n_items: int) -> Catalog:
    """A published catalog of `n_items` items with two bases each, written in bulk."""
    domain = _social()
    category = Category.objects.filter(domain=domain).first()
    source = Catalog.objects.create(
        region_id=region_code,
        domain=domain,
        title=f"{region_code} 目录",
        status="published",
    )
    items = CatalogItem.objects.bulk_create(
        [
            CatalogItem(
                catalog=source,
                category=category,
                name=f"事项{i}",
                seq=i,
                content=["文件名称", "文号"],
                time_limit_text="制定或获取信息之日起10个工作日内",
                deadline_kind="working_days",
                deadline_trigger="制定或获取信息",
                deadline_amount=10,
                subjects=["县级人民政府民政部门"],
                channels=["政府网站"],
                audience=["全社会"],
                mode=["主动"],
                levels=["县级"],
            )
            for i in range(n_items)
        ]
    )
    docs = [
        LegalDocument.objects.get_or_create(
            title="《中华人民共和国政府信息公开条例》", number="国务院令第711号"
        )[0],
        LegalDocument.objects.get_or_create(
            title="《某某办法》", number="国发〔2014〕47号"
        )[0],
    ]
    items = list(source.items.all())
    ItemBasis.objects.bulk_create(
        [
            ItemBasis(item=item, document=doc, order=i)
            for item in items
            for i, doc in enumerate(docs)
        ]
    )
    return source


def _clone_queries(source: Catalog, region_code: str, actor) -> int:
    with CaptureQueriesContext(connection) as ctx:
        clone = services.catalog_clone(
            region=_region(region_code),
            domain=source.domain,
            actor=actor,
            source=source,
        )
    assert clone.items.count() == source.items.count()
    assert (
        ItemBasis.objects.filter(item__catalog=clone).count()
        == 2 * source.items.count()
    )
    return len(ctx.captured_queries)


def test_cloning_24_and_240_items_costs_the_same_number_of_queries(db, county_clerk):
    small = _bulk_source("4101", 24)
    large = _bulk_source("4102", 240)
    queries_small = _clone_queries(small, "410102", county_clerk)
    queries_large = _clone_queries(large, "410202", county_clerk)
    assert queries_small == queries_large
    assert queries_small <= 12


# --- new versions ---------------------------------------------------------------------------


def test_a_new_version_copies_everything_and_keeps_upstream_pointers(
    luolong_draft, county_clerk
):
    fill_lost_content(luolong_draft, county_clerk)
    item = luolong_draft.items.get(seq=2)
    services.catalog_item_omit(item=item, reason="本地未开展该业务", actor=county_clerk)
    services.catalog_submit(catalog=luolong_draft, actor=county_clerk)
    services.catalog_approve(catalog=luolong_draft, actor=None)
    services.catalog_publish(catalog=luolong_draft, actor=county_clerk)
    draft = services.catalog_start_new_version(
        catalog=luolong_draft, actor=county_clerk
    )
    assert (draft.version, draft.status, draft.previous, draft.upstream_id) == (
        2,
        "draft",
        luolong_draft,
        luolong_draft.upstream_id,
    )
    old = {i.key: i for i in luolong_draft.items.all()}
    new = {i.key: i for i in draft.items.all()}
    assert old.keys() == new.keys()
    for key, copy in new.items():
        assert copy.upstream_item_id == old[key].upstream_item_id
        assert (copy.omitted, copy.omitted_reason) == (
            old[key].omitted,
            old[key].omitted_reason,
        )
    with pytest.raises(ValidationError, match="已有一个未发布的版本"):
        services.catalog_start_new_version(catalog=luolong_draft, actor=county_clerk)


def test_a_published_version_cannot_be_edited(templates, county_clerk):
    item = _luoyang().items.first()
    with pytest.raises(ValidationError, match="请先开启新版本"):
        services.catalog_item_set_elements(
            item=item, values={"name": "x"}, bases=None, actor=county_clerk
        )


# --- optimistic locking ----------------------------------------------------------------------


def test_the_second_of_two_concurrent_saves_is_refused_and_the_first_kept(
    luolong_draft, county_clerk, make_user
):
    colleague = make_user("county_clerk", "410311", username="colleague")
    first = luolong_draft.items.get(seq=1)
    second = CatalogItem.objects.get(pk=first.pk)  # loaded at the same time
    loaded_version = second.lock_version
    services.catalog_item_set_elements(
        item=first,
        values={"content": ["文件名称", "文号"]},
        bases=None,
        actor=county_clerk,
        expected_lock_version=loaded_version,
    )
    with pytest.raises(ValidationError) as raised:
        services.catalog_item_set_elements(
            item=second,
            values={"content": ["另一份修改"]},
            bases=None,
            actor=colleague,
            expected_lock_version=loaded_version,
        )
    assert raised.value.code == "stale"
    assert "已被其他人修改并保存" in raised.value.messages[0]
    first.refresh_from_db()
    assert first.content == ["文件名称", "文号"]
    assert first.lock_version == loaded_version + 1


def test_omitting_with_a_stale_version_is_refused(luolong_draft, county_clerk):
    item = luolong_draft.items.get(seq=1)
    stale = item.lock_version
    services.catalog_item_set_elements(
        item=item, values={"name": "政策文件"}, bases=None, actor=county_clerk
    )
    with pytest.raises(ValidationError) as raised:
        services.catalog_item_omit(
            item=CatalogItem.objects.get(pk=item.pk),
            reason="x",
            actor=county_clerk,
            expected_lock_version=stale,
        )
    assert raised.value.code == "stale"
    assert not CatalogItem.objects.get(pk=item.pk).omitted


# --- omit, restore, local items ----------------------------------------------------------------


def test_omitting_needs_a_reason_and_can_be_undone(luolong_draft, county_clerk):
    item = luolong_draft.items.get(seq=2)
    with pytest.raises(ValidationError) as raised:
        services.catalog_item_omit(item=item, reason="  ", actor=county_clerk)
    assert "请填写不公开的理由" in raised.value.message_dict["omitted_reason"][0]
    services.catalog_item_omit(item=item, reason="本地未开展该业务", actor=county_clerk)
    item.refresh_from_db()
    assert (item.omitted, item.omitted_reason) == (True, "本地未开展该业务")
    services.catalog_item_restore(item=item, actor=county_clerk)
    item.refresh_from_db()
    assert (item.omitted, item.omitted_reason) == (False, "")


def _local_values(category):
    return {
        "category_id": category.pk,
        "name": "临时救助备用金管理",
        "content": ["备用金管理办法"],
        "time_limit_text": "制定或获取信息之日起10个工作日内",
        "subjects": ["县级人民政府民政部门"],
        "channels": ["政府网站"],
        "audience": ["全社会"],
        "mode": ["主动"],
        "levels": ["县级"],
    }


def test_a_local_item_is_added_deleted_but_never_omitted(luolong_draft, county_clerk):
    category = Category.objects.get(domain__slug="social-assistance", name="临时救助")
    item = services.catalog_item_add(
        catalog=luolong_draft,
        values=_local_values(category),
        bases=[
            {
                "title": "《国务院关于全面建立临时救助制度的通知》",
                "number": "国发〔2014〕47号",
            }
        ],
        actor=county_clerk,
    )
    assert item.is_local and item.upstream_item_id is None
    assert item.seq == 15
    with pytest.raises(ValidationError, match="可以直接删除"):
        services.catalog_item_omit(item=item, reason="x", actor=county_clerk)
    pk = item.pk
    services.catalog_item_delete_local(item=item, actor=county_clerk)
    assert not CatalogItem.objects.filter(pk=pk).exists()
    assert CatalogItem.history.filter(
        id=pk, history_type="-", history_user=county_clerk
    ).exists()


def test_an_upstream_item_cannot_be_deleted(luolong_draft, county_clerk):
    with pytest.raises(ValidationError, match="只能标注“本地不公开”"):
        services.catalog_item_delete_local(
            item=luolong_draft.items.first(), actor=county_clerk
        )


def test_a_local_item_obeys_the_rules(luolong_draft, county_clerk):
    category = Category.objects.get(domain__slug="social-assistance", name="临时救助")
    values = {**_local_values(category), "channels": []}
    with pytest.raises(ValidationError) as raised:
        services.catalog_item_add(
            catalog=luolong_draft, values=values, bases=[], actor=county_clerk
        )
    assert set(raised.value.message_dict) == {"channels", "bases"}
    assert luolong_draft.items.count() == 14


# --- life cycle and review comments ---------------------------------------------------------------


def test_return_keeps_the_comment_on_the_item_and_resubmission_works(
    luolong_draft, county_clerk, city_reviewer
):
    fill_lost_content(luolong_draft, county_clerk)
    services.catalog_submit(catalog=luolong_draft, actor=county_clerk)
    item = luolong_draft.items.get(seq=1)
    services.catalog_review_comment_add(
        catalog=luolong_draft,
        actor=city_reviewer,
        body="请补充政策解读。",
        item_key=item.key,
    )
    services.catalog_return(
        catalog=luolong_draft,
        actor=city_reviewer,
        comment="请按意见修改。",
        item_key=None,
    )
    luolong_draft.refresh_from_db()
    assert luolong_draft.status == "returned"
    comments = list(
        ReviewComment.objects.filter(catalog=luolong_draft).values_list(
            "item_key", "body"
        )
    )
    assert comments == [(item.key, "请补充政策解读。"), (None, "请按意见修改。")]
    comment = ReviewComment.objects.get(item_key=item.key)
    services.catalog_review_comment_resolve(comment=comment, actor=county_clerk)
    comment.refresh_from_db()
    assert comment.resolved
    services.catalog_submit(catalog=luolong_draft, actor=county_clerk)
    services.catalog_approve(catalog=luolong_draft, actor=city_reviewer)
    services.catalog_publish(catalog=luolong_draft, actor=county_clerk)
    luolong_draft.refresh_from_db()
    assert (
        luolong_draft.status == "published" and luolong_draft.published_at is not None
    )
    actions = list(
        AuditLogEntry.objects.filter(
            object_type="catalogs.catalog", object_id=str(luolong_draft.pk)
        )
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "catalogs.catalog.cloned",
        "catalogs.catalog.submitted",
        "catalogs.catalog.returned",
        "catalogs.catalog.submitted",
        "catalogs.catalog.approved",
        "catalogs.catalog.published",
    ]


def test_review_comments_only_on_submitted_catalogs(luolong_draft, city_reviewer):
    with pytest.raises(ValidationError, match="只能对已提交审核的目录"):
        services.catalog_review_comment_add(
            catalog=luolong_draft, actor=city_reviewer, body="x"
        )


def test_a_comment_must_name_an_item_of_the_catalog(
    luolong_draft, county_clerk, city_reviewer
):
    fill_lost_content(luolong_draft, county_clerk)
    services.catalog_submit(catalog=luolong_draft, actor=county_clerk)
    with pytest.raises(ValidationError, match="所选事项不在该目录中"):
        services.catalog_review_comment_add(
            catalog=luolong_draft, actor=city_reviewer, body="x", item_key=uuid.uuid4()
        )


def test_return_needs_a_comment(luolong_draft, county_clerk, city_reviewer):
    fill_lost_content(luolong_draft, county_clerk)
    services.catalog_submit(catalog=luolong_draft, actor=county_clerk)
    with pytest.raises(ValidationError, match="退回时请填写审核意见"):
        services.catalog_return(catalog=luolong_draft, actor=city_reviewer, comment=" ")


# --- three-way merge with a newer upstream version ------------------------------------------------


def _publish_luoyang_v2(
    actor, changes: dict[int, dict], *, omit=(), add=None
) -> Catalog:
    """Luoyang v2 with element changes per seq, omitted seqs, an optional new item."""
    v2 = services.catalog_start_new_version(catalog=_luoyang(), actor=actor)
    items = {i.seq: i for i in v2.items.all()}
    for seq, values in changes.items():
        bases = values.pop("bases", None)
        services.catalog_item_set_elements(
            item=items[seq],
            values=values,
            bases=bases,
            actor=actor,
            enforce_rules=False,
        )
    for seq in omit:
        services.catalog_item_omit(item=items[seq], reason="市级不再公开", actor=actor)
    if add:
        services.catalog_item_add(
            catalog=v2, values=add, bases=[], actor=actor, enforce_rules=False
        )
    return services.catalog_publish(
        catalog=v2, actor=actor, already_approved_elsewhere=True
    )


def _plan_fields(catalog):
    plan = diff_queries.merge_plan(catalog)
    return plan, {im.key: im for im in plan.items}


def test_merge_takes_an_upstream_change_nobody_made_locally(
    luolong_draft, county_clerk, city_reviewer
):
    item = luolong_draft.items.get(seq=7)
    v2 = _publish_luoyang_v2(
        city_reviewer, {7: {"content": [*item.content, "政策解读材料"]}}
    )
    plan, by_key = _plan_fields(luolong_draft)
    (element,) = by_key[item.key].elements
    assert (element.element, element.conflict, element.default) == (
        "content",
        False,
        "take",
    )
    counts = merge.catalog_upstream_merge(
        catalog=luolong_draft, actor=county_clerk, choices={}
    )
    assert counts == {"taken": 1, "kept": 0, "added": 0, "omitted": 0}
    item.refresh_from_db()
    assert item.content[-1] == "政策解读材料"
    luolong_draft.refresh_from_db()
    assert luolong_draft.upstream == v2
    # Every item now follows the same-key item of v2: the base of the next merge.
    pairs = luolong_draft.items.values_list(
        "key", "upstream_item__key", "upstream_item__catalog_id"
    )
    assert all(
        key == up_key and catalog_id == v2.pk for key, up_key, catalog_id in pairs
    )
    assert diff_queries.merge_plan(luolong_draft) is None


def test_merge_keeps_the_local_value_when_asked(
    luolong_draft, county_clerk, city_reviewer
):
    item = luolong_draft.items.get(seq=7)
    original = list(item.content)
    _publish_luoyang_v2(
        city_reviewer, {7: {"content": [*item.content, "政策解读材料"]}}
    )
    plan, by_key = _plan_fields(luolong_draft)
    field = by_key[item.key].field_name("content")
    counts = merge.catalog_upstream_merge(
        catalog=luolong_draft, actor=county_clerk, choices={field: "keep"}
    )
    assert counts["kept"] == 1 and counts["taken"] == 0
    item.refresh_from_db()
    assert item.content == original
    assert (
        diff_queries.catalog_diff(luolong_draft).by_key()[item.key].status == "changed"
    )


def test_merge_shows_a_conflict_and_keeps_the_local_value_by_default(
    luolong_draft, county_clerk, city_reviewer
):
    item = luolong_draft.items.get(seq=1)
    services.catalog_item_set_elements(
        item=item,
        values={"time_limit_text": "制定或获取信息之日起5个工作日内"},
        bases=None,
        actor=county_clerk,
    )
    _publish_luoyang_v2(
        city_reviewer, {1: {"time_limit_text": "制定或获取信息之日起7个工作日内"}}
    )
    plan, by_key = _plan_fields(luolong_draft)
    (element,) = by_key[item.key].elements
    assert element.conflict
    assert (element.base, element.theirs, element.mine) == (
        ["制定或获取信息之日起10个工作日内"],
        ["制定或获取信息之日起7个工作日内"],
        ["制定或获取信息之日起5个工作日内"],
    )
    counts = merge.catalog_upstream_merge(
        catalog=luolong_draft, actor=county_clerk, choices={}
    )
    assert counts["kept"] == 1
    item.refresh_from_db()
    assert item.deadline_amount == 5


def test_merge_takes_the_upstream_side_of_a_conflict_when_chosen(
    luolong_draft, county_clerk, city_reviewer
):
    item = luolong_draft.items.get(seq=1)
    services.catalog_item_set_elements(
        item=item,
        values={"channels": [*item.channels, "两微一端"]},
        bases=None,
        actor=county_clerk,
    )
    _publish_luoyang_v2(
        city_reviewer, {1: {"channels": [*item.channels[:-1], "精准推送"]}}
    )
    plan, by_key = _plan_fields(luolong_draft)
    field = by_key[item.key].field_name("channels")
    merge.catalog_upstream_merge(
        catalog=luolong_draft, actor=county_clerk, choices={field: "take"}
    )
    item.refresh_from_db()
    assert "精准推送" in item.channels and "两微一端" not in item.channels


def test_the_same_change_on_both_sides_is_no_conflict(
    luolong_draft, county_clerk, city_reviewer
):
    item = luolong_draft.items.get(seq=1)
    channels = [*item.channels, "两微一端"]
    services.catalog_item_set_elements(
        item=item, values={"channels": channels}, bases=None, actor=county_clerk
    )
    _publish_luoyang_v2(city_reviewer, {1: {"channels": list(channels)}})
    plan = diff_queries.merge_plan(luolong_draft)
    assert plan.items == []


def test_merge_refuses_to_keep_a_deadline_longer_than_the_new_upstream(
    luolong_draft, county_clerk, city_reviewer
):
    item = luolong_draft.items.get(seq=1)
    _publish_luoyang_v2(
        city_reviewer, {1: {"time_limit_text": "制定或获取信息之日起5个工作日内"}}
    )
    plan, by_key = _plan_fields(luolong_draft)
    field = by_key[item.key].field_name("time_limit")
    with pytest.raises(ValidationError, match="保留本地公开时限会长于上级新版本"):
        merge.catalog_upstream_merge(
            catalog=luolong_draft, actor=county_clerk, choices={field: "keep"}
        )
    luolong_draft.refresh_from_db()
    assert luolong_draft.upstream == _luoyang(1)
    item.refresh_from_db()
    assert item.deadline_amount == 10


def test_merge_takes_new_bases(luolong_draft, county_clerk, city_reviewer):
    item = luolong_draft.items.get(seq=2)
    doc = {"title": "《社会救助暂行办法》", "number": "国务院令第649号"}
    _publish_luoyang_v2(city_reviewer, {2: {"bases": [*item.bases.all(), doc]}})
    merge.catalog_upstream_merge(catalog=luolong_draft, actor=county_clerk, choices={})
    assert (
        list(item.basis_links.values_list("document__number", flat=True))[-1]
        == "国务院令第649号"
    )


def test_items_added_and_removed_upstream(luolong_draft, county_clerk, city_reviewer):
    category = Category.objects.get(domain__slug="social-assistance", name="临时救助")
    removed = luolong_draft.items.get(seq=12)
    v2 = _publish_luoyang_v2(city_reviewer, {}, omit=[12], add=_local_values(category))
    added = v2.items.get(name="临时救助备用金管理")
    plan, by_key = _plan_fields(luolong_draft)
    assert by_key[removed.key].kind == "removed_upstream"
    assert by_key[added.key].kind == "added_upstream"
    counts = merge.catalog_upstream_merge(
        catalog=luolong_draft,
        actor=county_clerk,
        choices={
            by_key[removed.key].field_name(): "keep",
            by_key[added.key].field_name(): "take",
        },
    )
    assert counts == {"taken": 0, "kept": 1, "added": 1, "omitted": 0}
    removed.refresh_from_db()
    assert (
        removed.upstream_item_id is None and not removed.omitted
    )  # now the county's own item
    copy = luolong_draft.items.get(key=added.key)
    assert copy.upstream_item == added and not copy.omitted


def test_an_upstream_removal_taken_omits_the_item_with_a_reason(
    luolong_draft, county_clerk, city_reviewer
):
    removed = luolong_draft.items.get(seq=12)
    _publish_luoyang_v2(city_reviewer, {}, omit=[12])
    merge.catalog_upstream_merge(catalog=luolong_draft, actor=county_clerk, choices={})
    removed.refresh_from_db()
    assert removed.omitted and removed.omitted_reason == merge.MERGE_OMIT_REMOVED_REASON


def test_a_stale_merge_is_refused(luolong_draft, county_clerk, city_reviewer):
    _publish_luoyang_v2(city_reviewer, {7: {"content": ["x"]}})
    stale = luolong_draft.lock_version - 1 if luolong_draft.lock_version else 99
    with pytest.raises(ValidationError) as raised:
        merge.catalog_upstream_merge(
            catalog=luolong_draft,
            actor=county_clerk,
            choices={},
            expected_lock_version=stale,
        )
    assert raised.value.code == "stale"


def test_merge_writes_history_rows_and_an_audit_entry(
    luolong_draft, county_clerk, city_reviewer
):
    item = luolong_draft.items.get(seq=7)
    _publish_luoyang_v2(city_reviewer, {7: {"content": ["x"]}})
    merge.catalog_upstream_merge(catalog=luolong_draft, actor=county_clerk, choices={})
    row = CatalogItem.history.filter(id=item.pk).order_by("-history_id").first()
    assert (row.history_change_reason, row.history_user_id, row.content) == (
        "catalogs.catalog.upstream_merged",
        county_clerk.pk,
        ["x"],
    )
    entry = AuditLogEntry.objects.get(action="catalogs.catalog.upstream_merged")
    assert entry.actor == county_clerk and entry.data["taken"] == 1


def test_a_merge_needs_a_newer_upstream_and_an_editable_catalog(
    luolong_draft, county_clerk
):
    with pytest.raises(ValidationError, match="无需合并"):
        merge.catalog_upstream_merge(
            catalog=luolong_draft, actor=county_clerk, choices={}
        )


# --- demo data ------------------------------------------------------------------------------------


def test_seed_localization_builds_the_demo_state_idempotently(db):
    from demo import users as demo

    demo.seed()
    demo.seed()
    luolong = {
        c.domain.slug: c
        for c in Catalog.objects.filter(region_id="410311").select_related("domain")
    }
    assert {c.status for c in luolong.values()} == {"published"}
    for catalog in luolong.values():
        summary = diff_queries.catalog_diff_summary(catalog)
        assert summary["shortened_deadlines"] >= 1
        assert summary["added"] == 1
        assert summary["omitted"] == 1
        assert (
            catalog.items.filter(omitted=True).exclude(omitted_reason="").count() == 1
        )
        changes = diff_queries.catalog_diff(catalog).rows
        assert any("channels" in [c.element for c in r.changes] for r in changes)
    assert (
        Catalog.objects.get(region_id="410307", domain__slug="social-assistance").status
        == "draft"
    )
    newer = diff_queries.newer_upstream_versions([luolong["social-assistance"]])
    assert newer[luolong["social-assistance"].pk] == _luoyang(2)
    assert (
        Catalog.objects.filter(
            region_id="4103", domain__slug="social-assistance"
        ).count()
        == 2
    )
