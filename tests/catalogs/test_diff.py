"""Diff against upstream (per item, per element, counts) and three-way merge plans."""

from __future__ import annotations

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalogs import diff_queries, services
from catalogs.models import Catalog, Category, Domain, Region
from tests.helpers import fill_lost_content

pytestmark = pytest.mark.django_db


def _clone(code, slug="social-assistance", actor=None):
    return services.catalog_clone(
        region=Region.objects.get(code=code),
        domain=Domain.objects.get(slug=slug),
        actor=actor,
    )


@pytest.fixture
def localized(templates, county_clerk):
    """洛龙区 social assistance: one shortened deadline, one added channel, one omitted
    item, one local item, one reordered content."""
    catalog = _clone("410311", actor=county_clerk)
    items = {i.seq: i for i in catalog.items.all()}
    services.catalog_item_set_elements(
        item=items[1],
        values={
            "time_limit_text": "制定或获取信息之日起5个工作日内",
            "channels": [*items[1].channels, "两微一端"],
        },
        bases=None,
        actor=county_clerk,
    )
    services.catalog_item_set_elements(
        item=items[3],
        values={"content": list(reversed(items[3].content))},
        bases=None,
        actor=county_clerk,
    )
    services.catalog_item_omit(
        item=items[2], reason="本地未开展该业务", actor=county_clerk
    )
    category = Category.objects.get(domain__slug="social-assistance", name="临时救助")
    services.catalog_item_add(
        catalog=catalog,
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
    return catalog


def test_each_item_has_a_status_and_its_changed_elements(localized):
    rows = {
        (r.item or r.upstream).seq: r for r in diff_queries.catalog_diff(localized).rows
    }
    assert rows[1].status == "changed"
    assert [c.element for c in rows[1].changes] == ["time_limit", "channels"]
    time_limit, channels = rows[1].changes
    assert time_limit.shortened
    assert (time_limit.before, time_limit.after) == (
        ["制定或获取信息之日起10个工作日内"],
        ["制定或获取信息之日起5个工作日内"],
    )
    assert (channels.added, channels.removed) == (["两微一端"], [])
    assert rows[2].status == "omitted"
    assert rows[3].status == "changed" and rows[3].changes[0].reordered_only
    assert rows[15].status == "added"  # after the template's 14 items
    assert rows[14].status == "inherited"  # the quarterly 临时救助 item
    assert rows[4].status == "inherited" and rows[4].changes == []


def test_the_summary_counts(localized):
    assert diff_queries.catalog_diff_summary(localized) == {
        "items": 14,
        "inherited": 11,
        "changed": 2,
        "added": 1,
        "omitted": 1,
        "removed": 0,
        "shortened_deadlines": 1,
    }


def test_a_missing_upstream_item_counts_as_removed(localized):
    localized.items.filter(
        seq=13
    ).delete()  # as if a row were lost (not through the services)
    rows = diff_queries.catalog_diff(localized).rows
    assert [r.upstream.name for r in rows if r.status == "removed"] == ["审批信息"]
    assert diff_queries.catalog_diff_summary(localized)["removed"] == 1


def test_wording_that_means_the_same_deadline_is_no_change(templates, county_clerk):
    catalog = _clone("410311", actor=county_clerk)
    item = catalog.items.get(seq=1)
    services.catalog_item_set_elements(
        item=item,
        values={"time_limit_text": "制定或获取信息之日起十个工作日内。"},
        bases=None,
        actor=county_clerk,
    )
    assert diff_queries.catalog_diff(catalog).by_key()[item.key].status == "inherited"


def test_ticking_the_same_values_in_another_order_is_no_change(templates, county_clerk):
    catalog = _clone("410311", actor=county_clerk)
    item = catalog.items.get(seq=1)
    services.catalog_item_set_elements(
        item=item,
        values={"channels": list(reversed(item.channels))},
        bases=None,
        actor=county_clerk,
    )
    assert diff_queries.catalog_diff(catalog).by_key()[item.key].status == "inherited"


def test_a_template_has_nothing_to_compare(templates):
    province = Catalog.objects.get(region_id="41", domain__slug="social-assistance")
    assert {r.status for r in diff_queries.catalog_diff(province).rows} == {"template"}
    assert diff_queries.catalog_diff_summary(province)["items"] == 14


def test_a_longer_publicity_period_is_changed_not_shortened(templates, county_clerk):
    catalog = _clone("410311", actor=county_clerk)
    item = catalog.items.get(seq=5)
    services.catalog_item_set_elements(
        item=item,
        values={"time_limit_text": "制定或修改信息之日起10个工作日内，公示10个工作日"},
        bases=None,
        actor=county_clerk,
    )
    row = diff_queries.catalog_diff(catalog).by_key()[item.key]
    assert row.status == "changed" and not row.shortened


def test_bulk_summaries_equal_single_ones_in_two_queries(
    localized, other_county_clerk, county_clerk
):
    second = _clone("410307", actor=other_county_clerk)
    elderly = _clone("410311", "elderly-care", actor=county_clerk)
    catalogs = list(Catalog.objects.all())
    with CaptureQueriesContext(connection) as ctx:
        summaries = diff_queries.catalog_diff_summaries(catalogs)
    assert len(ctx.captured_queries) == 2
    for catalog in (localized, second, elderly):
        assert summaries[catalog.pk] == diff_queries.catalog_diff_summary(catalog)
    assert summaries[second.pk]["changed"] == 0 and summaries[second.pk]["items"] == 14


def test_bulk_summary_queries_do_not_grow_with_the_number_of_catalogs(
    templates, make_user
):
    def count(catalogs):
        with CaptureQueriesContext(connection) as ctx:
            diff_queries.catalog_diff_summaries(catalogs)
        return len(ctx.captured_queries)

    two = [_clone(code) for code in ("410302", "410303")]
    six = two + [_clone(code) for code in ("410304", "410305", "410307", "410311")]
    assert count(two) == count(six) == 2


def test_catalog_diff_queries_do_not_grow_with_items(
    localized, county_clerk, django_assert_num_queries
):
    """Two queries: item snapshots (catalog, upstream version, upstream items), basis links."""
    with django_assert_num_queries(2):
        diff_queries.catalog_diff(localized)
    category = Category.objects.get(domain__slug="social-assistance", name="综合业务")
    for i in range(10):
        services.catalog_item_add(
            catalog=localized,
            values={
                "category_id": category.pk,
                "name": f"本地事项{i}",
                "content": ["内容"],
                "time_limit_text": "每季度末",
                "subjects": ["县级人民政府民政部门"],
                "channels": ["政府网站"],
                "audience": ["全社会"],
                "mode": ["主动"],
                "levels": ["县级"],
            },
            bases=[{"title": "《某某办法》", "number": "国发〔2014〕47号"}],
            actor=county_clerk,
        )
    with django_assert_num_queries(2):
        result = diff_queries.catalog_diff(localized)
    assert result.summary["added"] == 11


# --- merge plans ---------------------------------------------------------------------------------


def _luoyang_v2(actor, **changes):
    v1 = Catalog.objects.get(
        region_id="4103", domain__slug="social-assistance", version=1
    )
    v2 = services.catalog_start_new_version(catalog=v1, actor=actor)
    for seq, values in changes.items():
        services.catalog_item_set_elements(
            item=v2.items.get(seq=int(seq[1:])),
            values=values,
            bases=None,
            actor=actor,
            enforce_rules=False,
        )
    return services.catalog_publish(
        catalog=v2, actor=actor, already_approved_elsewhere=True
    )


def test_no_plan_without_a_newer_upstream(localized):
    assert diff_queries.merge_plan(localized) is None
    province = Catalog.objects.get(region_id="41", domain__slug="social-assistance")
    assert diff_queries.merge_plan(province) is None


def test_the_plan_lists_base_theirs_and_mine_per_element(localized, city_reviewer):
    _luoyang_v2(
        city_reviewer,
        s1={
            "time_limit_text": "制定或获取信息之日起7个工作日内"
        },  # conflict: 洛龙区 set 5
        s4={"name": "办事指南（含流程图）"},  # upstream only
    )
    plan = diff_queries.merge_plan(localized)
    assert plan.newer.version == 2 and plan.current.version == 1
    by_name = {im.name: im for im in plan.items}
    conflict = by_name["政策法规文件"]
    assert conflict.conflict and [e.element for e in conflict.elements] == [
        "time_limit"
    ]
    upstream_only = by_name["办事指南"]
    assert not upstream_only.conflict
    (element,) = upstream_only.elements
    assert element.element == "item"
    assert element.theirs == ["最低生活保障 · 办事指南（含流程图）"]
    assert element.mine == element.base == ["最低生活保障 · 办事指南"]
    assert plan.conflicts == 1
    names = dict(plan.choice_fields())
    assert names[conflict.field_name("time_limit")] == "keep"
    assert names[upstream_only.field_name("item")] == "take"


def test_the_workspace_notices_newer_upstream_versions_in_one_query(
    localized, city_reviewer
):
    newer = _luoyang_v2(city_reviewer, s7={"content": ["x"]})
    catalogs = list(
        Catalog.objects.filter(region_id="410311").select_related("upstream")
    )
    with CaptureQueriesContext(connection) as ctx:
        found = diff_queries.newer_upstream_versions(catalogs)
    assert len(ctx.captured_queries) == 1
    assert found == {localized.pk: newer}


def test_a_published_downstream_sees_the_plan_too(
    localized, county_clerk, city_reviewer
):
    fill_lost_content(localized, county_clerk)
    services.catalog_submit(catalog=localized, actor=county_clerk)
    services.catalog_approve(catalog=localized, actor=city_reviewer)
    services.catalog_publish(catalog=localized, actor=county_clerk)
    _luoyang_v2(city_reviewer, s7={"content": ["x"]})
    assert len(diff_queries.merge_plan(localized).items) == 1
