"""Staff catalog pages under /work/catalogs/: the clerk's and reviewer's flows, rule
messages at the fields, optimistic locking in the browser form, and query counts
that do not grow with the data."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlparse

import pytest
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse

from catalogs import drafts, services
from catalogs.models import (
    Catalog,
    CatalogItem,
    Category,
    Domain,
    LegalDocument,
    Region,
    ReviewComment,
)
from tests.builders import item_post_data
from tests.helpers import fill_lost_content

pytestmark = pytest.mark.django_db


def _social():
    return Domain.objects.get(slug="social-assistance")


@pytest.fixture
def draft(templates, county_clerk):
    return services.catalog_clone(
        region=Region.objects.get(code="410311"), domain=_social(), actor=county_clerk
    )


def _edit_url(item):
    return reverse("catalogs:item_edit", kwargs={"pk": item.pk})


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def _add_local_items(catalog, actor, n):
    category = Category.objects.get(domain=catalog.domain, name="临时救助")
    for i in range(n):
        services.catalog_item_add(
            catalog=catalog,
            values={
                "category_id": category.pk,
                "name": f"本地事项{i}",
                "content": ["内容一", "内容二"],
                "time_limit_text": "制定或获取信息之日起5个工作日内",
                "subjects": ["县级人民政府民政部门"],
                "channels": ["政府网站"],
                "audience": ["全社会"],
                "mode": ["主动"],
                "levels": ["县级"],
            },
            bases=[{"title": "《某某办法》", "number": "国发〔2014〕47号"}],
            actor=actor,
        )


# --- clone ------------------------------------------------------------------------------------


def test_clone_page_names_the_source_and_the_post_creates_a_draft(
    templates, clerk_client
):
    url = reverse("catalogs:catalog_clone", kwargs={"domain_slug": "social-assistance"})
    page = clerk_client.get(url)
    assertContains(page, "洛阳市社会救助领域基层政务公开标准目录")
    response = clerk_client.post(url)
    catalog = Catalog.objects.get(region_id="410311", domain__slug="social-assistance")
    assertRedirects(
        response, reverse("catalogs:catalog_detail", kwargs={"pk": catalog.pk})
    )
    assert catalog.items.count() == 14
    again = clerk_client.post(url, follow=True)
    assertContains(again, "已有社会救助领域的目录")
    assert Catalog.objects.filter(region_id="410311").count() == 1


def test_clone_is_refused_to_a_user_who_may_read_but_not_add_catalogs(
    templates, client, make_user
):
    from django.contrib.auth.models import Permission

    user = make_user("county_clerk", "410311", username="reader")
    user.groups.set([])
    user.user_permissions.set([Permission.objects.get(codename="view_catalog")])
    client.force_login(user)
    url = reverse("catalogs:catalog_clone", kwargs={"domain_slug": "social-assistance"})
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    assert not Catalog.objects.filter(region_id="410311").exists()


# --- catalog page ------------------------------------------------------------------------------


def test_detail_groups_items_by_category_with_their_status(
    draft, clerk_client, county_clerk
):
    item = draft.items.get(seq=2)
    services.catalog_item_omit(item=item, reason="本地未开展该业务", actor=county_clerk)
    page = clerk_client.get(reverse("catalogs:catalog_detail", kwargs={"pk": draft.pk}))
    html = page.content.decode()
    for category in ("综合业务", "最低生活保障", "特困人员救助供养", "临时救助"):
        assert f">{category}</h2>" in html
    assertContains(page, "理由：本地未开展该业务")
    assertContains(page, reverse("catalogs:item_restore", kwargs={"pk": item.pk}))
    assertContains(page, reverse("catalogs:catalog_submit", kwargs={"pk": draft.pk}))


def test_detail_query_count_does_not_grow_with_items(draft, clerk_client, county_clerk):
    """Queries: session, user, the user's permissions (2), the catalog, item
    snapshots and basis links (2), comments, versions, newer upstream version."""
    url = reverse("catalogs:catalog_detail", kwargs={"pk": draft.pk})
    few = _count_queries(clerk_client, url)
    _add_local_items(draft, county_clerk, 12)
    assert _count_queries(clerk_client, url) == few
    assert few <= 12


# --- editing an item ---------------------------------------------------------------------------


def test_the_edit_form_shows_all_nine_elements_prefilled(draft, clerk_client):
    item = draft.items.get(seq=1)
    page = clerk_client.get(_edit_url(item))
    for legend in (
        "1. 公开事项",
        "2. 公开内容（要素）",
        "3. 公开依据",
        "4. 公开时限",
        "5. 公开主体",
        "6. 公开渠道和载体",
        "7. 公开对象",
        "8. 公开方式",
        "9. 公开层级",
    ):
        assertContains(page, f"<legend>{legend}</legend>", html=False)
    assertContains(page, f'value="{item.content[0]}"')
    assertContains(page, "上级目录：")
    assertContains(page, 'data-preview-url="/work/catalogs/time-limit-preview/"')


def test_shortening_a_deadline_and_adding_a_channel(draft, clerk_client):
    item = draft.items.get(seq=1)
    data = item_post_data(
        item, deadline_amount=5, channels=[*item.channels, "两微一端"]
    )
    response = clerk_client.post(_edit_url(item), data)
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.time_limit_text == "制定或获取信息之日起5个工作日内"
    assert "两微一端" in item.channels
    assert (
        CatalogItem.history.filter(id=item.pk, history_type="~")
        .latest("history_id")
        .history_user.username
        == "clerk-luolong"
    )


def test_a_longer_deadline_is_refused_at_the_field_and_the_input_kept(
    draft, clerk_client
):
    item = draft.items.get(seq=1)
    response = clerk_client.post(
        _edit_url(item), item_post_data(item, deadline_amount=15, channel_other="")
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "保存未成功" in html
    fieldset = html.index('id="fieldset-time-limit"')
    error_at = html.index("公开时限不能长于上级目录", fieldset)
    assert fieldset < error_at < html.index('id="fieldset-subjects"')
    # The summary at the top links to the field the message belongs to.
    summary_at = html.index('id="form-errors"')
    assert summary_at < html.index('href="#id_deadline_amount"') < fieldset
    assert 'name="deadline_amount" value="15"' in html
    item.refresh_from_db()
    assert item.deadline_amount == 10


def test_a_second_save_with_a_stale_form_is_refused_and_nothing_is_lost(
    draft, clerk_client, county_clerk, make_user
):
    item = draft.items.get(seq=1)
    mine = item_post_data(item, content=["我的修改：文件名称", "文号"])
    # A colleague saves the same item after this form was loaded.
    colleague = make_user("county_clerk", "410311", username="colleague")
    services.catalog_item_set_elements(
        item=CatalogItem.objects.get(pk=item.pk),
        values={"content": ["同事的修改"]},
        bases=None,
        actor=colleague,
        expected_lock_version=item.lock_version,
    )
    response = clerk_client.post(_edit_url(item), mine)
    assert response.status_code == 409
    html = response.content.decode()
    assert "该事项已被其他人修改并保存" in html
    assert 'value="我的修改：文件名称"' in html  # the clerk's input is re-shown
    assert "他人保存的最新内容" in html and "同事的修改" in html
    item.refresh_from_db()
    assert item.content == ["同事的修改"]  # the colleague's save is intact
    # The re-shown form carries the new lock version: saving again is deliberate and works.
    assert f'name="lock_version" value="{item.lock_version}"' in html
    again = clerk_client.post(
        _edit_url(item), {**mine, "lock_version": item.lock_version}
    )
    assert again.status_code == 302
    item.refresh_from_db()
    assert item.content == ["我的修改：文件名称", "文号"]


def test_content_rows_are_reordered_and_removed_without_javascript(draft, clerk_client):
    item = draft.items.get(seq=1)
    original = list(item.content)
    data = item_post_data(item)
    data["content-0-ORDER"] = 9  # first row goes last
    data["content-1-DELETE"] = "on"  # second row removed
    data["content-TOTAL_FORMS"] = len(original) + 1
    data[f"content-{len(original)}-text"] = "新增的一项"
    data[f"content-{len(original)}-ORDER"] = 5
    assert clerk_client.post(_edit_url(item), data).status_code == 302
    item.refresh_from_db()
    assert item.content == [*original[2:], "新增的一项", original[0]]


def test_a_basis_is_picked_from_the_library_or_added_with_title_and_number(
    draft, clerk_client
):
    item = draft.items.get(seq=1)
    library_doc = LegalDocument.objects.get(number="国发〔2014〕47号")
    data = item_post_data(
        item,
        bases=[library_doc.pk, {"title": "《社会救助暂行办法》", "number": "649号文"}],
    )
    response = clerk_client.post(_edit_url(item), data)
    assert response.status_code == 400
    assertContains(response, "格式不正确", status_code=400)
    data = item_post_data(
        item,
        bases=[
            library_doc.pk,
            {"title": "《社会救助暂行办法》", "number": "国务院令第649号"},
        ],
    )
    assert clerk_client.post(_edit_url(item), data).status_code == 302
    assert list(item.basis_links.values_list("document__number", flat=True)) == [
        "国发〔2014〕47号",
        "国务院令第649号",
    ]


def test_a_generic_basis_must_be_marked_generic_in_the_form(draft, clerk_client):
    item = draft.items.get(seq=1)
    response = clerk_client.post(
        _edit_url(item), item_post_data(item, bases=[{"title": "各地相关法规"}])
    )
    assertContains(response, "请将类型选为“泛指”", status_code=400)
    data = item_post_data(item, bases=[{"title": "各地相关法规", "kind": "generic"}])
    assert clerk_client.post(_edit_url(item), data).status_code == 302
    assert item.bases.get().kind == "generic"


def test_unticking_every_channel_is_refused_at_the_field(draft, clerk_client):
    item = draft.items.get(seq=1)
    response = clerk_client.post(_edit_url(item), item_post_data(item, channels=[]))
    assert response.status_code == 400
    html = response.content.decode()
    fieldset = html.index('id="fieldset-channels"')
    assert html.find("请至少选择一个公开渠道和载体", fieldset) > fieldset
    # The summary's entry links to the first checkbox, right under the legend.
    assert (
        '<a href="#id_channels_0">公开渠道和载体：请至少选择一个公开渠道和载体' in html
    )


def test_the_preview_button_renders_the_wording_without_saving(draft, clerk_client):
    item = draft.items.get(seq=1)
    response = clerk_client.post(
        _edit_url(item), {**item_post_data(item, deadline_amount=3), "_preview": "1"}
    )
    assertContains(response, "制定或获取信息之日起3个工作日内")
    item.refresh_from_db()
    assert item.deadline_amount == 10


def test_the_json_preview(templates, clerk_client):
    url = reverse("catalogs:time_limit_preview")
    data = clerk_client.get(
        url, {"deadline_kind": "periodic", "deadline_period": "quarter"}
    ).json()
    assert data["ok"] and data["text"] == "每季度末"
    assert data["example"] == "例如：2025年9月26日形成的信息，应于2025年9月30日前公开。"
    data = clerk_client.get(url, {"deadline_kind": "working_days"}).json()
    assert not data["ok"] and "请填写天数" in data["errors"][0]


def test_the_edit_view_query_count_does_not_depend_on_the_item(
    draft, clerk_client, county_clerk
):
    """Queries: session, user, permissions (2), the item, categories, the library, the
    basis links, the upstream snapshot (2), comments."""
    small = draft.items.get(seq=2)  # two content rows, one basis
    large = draft.items.get(seq=4)
    services.catalog_item_set_elements(
        item=large,
        values={"content": [f"内容{i}" for i in range(12)]},
        bases=[
            {"title": f"《办法{i}》", "number": f"国发〔2014〕{i}号"}
            for i in range(1, 6)
        ],
        actor=county_clerk,
    )
    assert _count_queries(clerk_client, _edit_url(small)) == _count_queries(
        clerk_client, _edit_url(large)
    )


# --- local items, omit, restore, delete -----------------------------------------------------------


def test_adding_a_local_item(draft, clerk_client):
    category = Category.objects.get(domain__slug="social-assistance", name="临时救助")
    template = CatalogItem(
        name="临时救助备用金管理",
        category=category,
        content=[],
        deadline_kind="working_days",
        deadline_trigger="制定或获取信息",
        deadline_amount=10,
        subjects=["县级人民政府民政部门"],
        channels=["政府网站"],
        audience=["全社会"],
        mode=["主动"],
        levels=["县级"],
    )
    url = reverse("catalogs:item_add", kwargs={"pk": draft.pk})
    assertContains(clerk_client.get(url), "新增本地事项")
    data = item_post_data(
        template,
        content=["备用金管理办法"],
        bases=[
            {
                "title": "《国务院关于全面建立临时救助制度的通知》",
                "number": "国发〔2014〕47号",
            }
        ],
    )
    response = clerk_client.post(url, data)
    item = draft.items.get(name="临时救助备用金管理")
    assertRedirects(
        response,
        reverse("catalogs:catalog_detail", kwargs={"pk": draft.pk})
        + f"#item-{item.key}",
        fetch_redirect_response=False,
    )
    assert item.upstream_item_id is None and item.category == category
    bad = clerk_client.post(url, {**data, "name": "", "mode": []})
    assert bad.status_code == 400
    assertContains(bad, "请填写二级事项名称", status_code=400)
    assertContains(bad, "请至少选择一种公开方式", status_code=400)


def test_omit_needs_a_reason_then_restore(draft, clerk_client):
    item = draft.items.get(seq=2)
    url = reverse("catalogs:item_omit", kwargs={"pk": item.pk})
    assertContains(
        clerk_client.post(
            url, {"omitted_reason": "", "lock_version": item.lock_version}
        ),
        "请填写不公开的理由",
        status_code=400,
    )
    response = clerk_client.post(
        url, {"omitted_reason": "本地未开展该业务", "lock_version": item.lock_version}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.omitted and item.omitted_reason == "本地未开展该业务"
    assert (
        clerk_client.post(
            reverse("catalogs:item_restore", kwargs={"pk": item.pk})
        ).status_code
        == 302
    )
    item.refresh_from_db()
    assert not item.omitted


def test_deleting_a_local_item_and_not_an_upstream_one(
    draft, clerk_client, county_clerk
):
    _add_local_items(draft, county_clerk, 1)
    local = draft.items.get(name="本地事项0")
    assert (
        clerk_client.post(
            reverse("catalogs:item_delete", kwargs={"pk": local.pk})
        ).status_code
        == 302
    )
    assert not CatalogItem.objects.filter(pk=local.pk).exists()
    upstream = draft.items.get(seq=1)
    response = clerk_client.post(
        reverse("catalogs:item_delete", kwargs={"pk": upstream.pk}), follow=True
    )
    assertContains(response, "只能标注“本地不公开”")
    assert CatalogItem.objects.filter(pk=upstream.pk).exists()


# --- submit, review, publish, history ----------------------------------------------------------------


def test_submit_lists_the_problems_first(draft, clerk_client, county_clerk):
    url = reverse("catalogs:catalog_submit", kwargs={"pk": draft.pk})
    assertContains(
        clerk_client.get(url), "事项“审核信息”：请至少填写一项公开内容（要素）。"
    )
    response = clerk_client.post(url)
    assertContains(
        response, "事项“审批信息”：请至少填写一项公开内容（要素）。", status_code=400
    )
    draft.refresh_from_db()
    assert draft.status == "draft"
    fill_lost_content(draft, county_clerk)
    assert clerk_client.post(url).status_code == 302
    draft.refresh_from_db()
    assert draft.status == "submitted"


def test_the_whole_review_cycle_through_the_pages(
    draft, client, county_clerk, city_reviewer
):
    fill_lost_content(draft, county_clerk)
    item = draft.items.get(seq=1)
    client.force_login(county_clerk)
    client.post(_edit_url(item), item_post_data(item, deadline_amount=5))
    client.post(reverse("catalogs:catalog_submit", kwargs={"pk": draft.pk}))

    client.force_login(city_reviewer)
    queue = client.get(reverse("catalogs:review_queue"))
    review_url = reverse("catalogs:catalog_review", kwargs={"pk": draft.pk})
    assertContains(queue, review_url)
    page = client.get(review_url)
    assertContains(page, "时限缩短")
    assertContains(page, "制定或获取信息之日起5个工作日内")
    response = client.post(
        review_url,
        {
            "action": "comment",
            "comment-item_key": str(item.key),
            "comment-body": "请补充政策解读。",
        },
    )
    assert response.status_code == 302
    missing = client.post(
        review_url,
        {"action": "decide", "decision-decision": "return", "decision-body": ""},
    )
    assertContains(missing, "退回时请填写审核意见", status_code=400)
    client.post(
        review_url,
        {
            "action": "decide",
            "decision-decision": "return",
            "decision-body": "请按意见修改。",
        },
    )
    draft.refresh_from_db()
    assert draft.status == "returned"

    client.force_login(county_clerk)
    detail = client.get(reverse("catalogs:catalog_detail", kwargs={"pk": draft.pk}))
    html = detail.content.decode()
    row = html[html.index(f'id="item-{item.key}"') :]
    assert "请补充政策解读。" in row[: row.index("</tr>")]
    edit = client.get(_edit_url(item))
    assertContains(edit, "请补充政策解读。")
    comment = ReviewComment.objects.get(item_key=item.key)
    client.post(
        reverse("catalogs:comment_resolve", kwargs={"pk": comment.pk}),
        {"next": _edit_url(item)},
    )
    comment.refresh_from_db()
    assert comment.resolved
    item.refresh_from_db()
    client.post(
        _edit_url(item), item_post_data(item, content=[*item.content, "政策解读"])
    )
    client.post(reverse("catalogs:catalog_submit", kwargs={"pk": draft.pk}))

    client.force_login(city_reviewer)
    client.post(
        review_url,
        {"action": "decide", "decision-decision": "approve", "decision-body": ""},
    )
    draft.refresh_from_db()
    assert draft.status == "approved"

    client.force_login(county_clerk)
    assert (
        client.post(
            reverse("catalogs:catalog_publish", kwargs={"pk": draft.pk})
        ).status_code
        == 302
    )
    draft.refresh_from_db()
    assert draft.status == "published"
    history = client.get(reverse("catalogs:catalog_history", kwargs={"pk": draft.pk}))
    assertContains(history, 'id="version-1"')
    for action in (
        "复制上级目录",
        "提交审核",
        "退回修改",
        "审核通过",
        "发布",
        "修改事项",
    ):
        assertContains(history, action)
    assertContains(history, "clerk-luolong")
    assertContains(history, "reviewer-luoyang")

    response = client.post(
        reverse("catalogs:catalog_new_version", kwargs={"pk": draft.pk})
    )
    v2 = Catalog.objects.get(
        region_id="410311", domain__slug="social-assistance", version=2
    )
    assertRedirects(
        response,
        reverse("catalogs:catalog_detail", kwargs={"pk": v2.pk}),
        fetch_redirect_response=False,
    )
    history = client.get(reverse("catalogs:catalog_history", kwargs={"pk": v2.pk}))
    assertContains(history, 'id="version-2"')
    assertContains(history, 'id="version-1"')


def test_a_clerk_cannot_open_the_review_page_or_queue(
    draft, clerk_client, county_clerk
):
    fill_lost_content(draft, county_clerk)
    services.catalog_submit(catalog=draft, actor=county_clerk)
    assert clerk_client.get(reverse("catalogs:review_queue")).status_code == 403
    url = reverse("catalogs:catalog_review", kwargs={"pk": draft.pk})
    assert clerk_client.get(url).status_code == 403
    assert (
        clerk_client.post(
            url, {"action": "decide", "decision-decision": "approve"}
        ).status_code
        == 403
    )
    draft.refresh_from_db()
    assert draft.status == "submitted"


def test_history_of_one_item_shows_who_changed_which_element(draft, clerk_client):
    item = draft.items.get(seq=1)
    clerk_client.post(_edit_url(item), item_post_data(item, deadline_amount=5))
    page = clerk_client.get(
        reverse("catalogs:catalog_history", kwargs={"pk": draft.pk}),
        {"item": str(item.key)},
    )
    assertContains(page, "事项“政策法规文件”的修改记录")
    assertContains(
        page,
        '<th scope="row">公开时限</th><td>制定或获取信息之日起10个工作日内</td><td>制定或获取信息之日起5个工作日内</td>',
        html=True,
    )
    assertNotContains(page, "复制上级目录")


def test_history_query_count_does_not_grow_with_edits(
    draft, clerk_client, county_clerk
):
    """Queries: session, user, permissions (2), the catalog, versions, audit entries,
    item history rows, categories."""
    url = reverse("catalogs:catalog_history", kwargs={"pk": draft.pk})
    few = _count_queries(clerk_client, url)
    _add_local_items(draft, county_clerk, 5)
    for item in draft.items.all()[:6]:
        services.catalog_item_set_elements(
            item=item,
            values={"name": item.name + "（细化）"},
            bases=None,
            actor=county_clerk,
        )
    assert _count_queries(clerk_client, url) == few


def test_review_and_diff_query_counts_do_not_grow_with_items(
    draft, client, county_clerk, city_reviewer
):
    """Queries: session, user, permissions (2), the catalog, item snapshots and basis
    links (2), comments (review page only)."""
    fill_lost_content(draft, county_clerk)
    services.catalog_submit(catalog=draft, actor=county_clerk)
    client.force_login(city_reviewer)
    review = reverse("catalogs:catalog_review", kwargs={"pk": draft.pk})
    diff_url = reverse("catalogs:catalog_diff", kwargs={"pk": draft.pk})
    before = (_count_queries(client, review), _count_queries(client, diff_url))
    Catalog.objects.filter(pk=draft.pk).update(status="draft")
    draft.refresh_from_db()
    _add_local_items(draft, county_clerk, 8)
    Catalog.objects.filter(pk=draft.pk).update(status="submitted")
    assert (_count_queries(client, review), _count_queries(client, diff_url)) == before


def test_workspace_query_count_does_not_grow_with_catalogs(
    draft, clerk_client, county_clerk
):
    """The catalogs area: region, domains, the region's versions, ancestors' published
    catalogs, newer upstream versions, diff counts (2), unresolved comments, review
    queue; the other areas of /work/ are counted by their own tests."""
    few = _count_queries(clerk_client, reverse("workspace"))
    services.catalog_clone(
        region=Region.objects.get(code="410311"),
        domain=Domain.objects.get(slug="elderly-care"),
        actor=county_clerk,
    )
    _add_local_items(draft, county_clerk, 5)
    assert _count_queries(clerk_client, reverse("workspace")) == few


# --- upstream updates -------------------------------------------------------------------------------


def _luoyang_v2(actor):
    v1 = Catalog.objects.get(
        region_id="4103", domain__slug="social-assistance", version=1
    )
    v2 = services.catalog_start_new_version(catalog=v1, actor=actor)
    item = v2.items.get(seq=7)
    services.catalog_item_set_elements(
        item=item,
        values={"content": [*item.content, "政策解读材料"]},
        bases=None,
        actor=actor,
        enforce_rules=False,
    )
    item = v2.items.get(seq=1)
    services.catalog_item_set_elements(
        item=item,
        values={"time_limit_text": "制定或获取信息之日起7个工作日内"},
        bases=None,
        actor=actor,
        enforce_rules=False,
    )
    return services.catalog_publish(
        catalog=v2, actor=actor, already_approved_elsewhere=True
    )


def test_the_merge_page_shows_conflicts_side_by_side_and_applies_choices(
    draft, clerk_client, county_clerk, city_reviewer
):
    conflict_item = draft.items.get(seq=1)
    services.catalog_item_set_elements(
        item=conflict_item,
        values={"time_limit_text": "制定或获取信息之日起5个工作日内"},
        bases=None,
        actor=county_clerk,
    )
    v2 = _luoyang_v2(city_reviewer)
    detail = clerk_client.get(
        reverse("catalogs:catalog_detail", kwargs={"pk": draft.pk})
    )
    url = reverse("catalogs:catalog_merge", kwargs={"pk": draft.pk})
    assertContains(detail, url)
    page = clerk_client.get(url)
    html = page.content.decode()
    assert "冲突" in html
    for text in (
        "制定或获取信息之日起10个工作日内",
        "制定或获取信息之日起7个工作日内",
        "制定或获取信息之日起5个工作日内",
    ):
        assert text in html
    form = page.context["form"]
    data = {name: field.initial for name, field in form.fields.items()}
    data["lock_version"] = draft.lock_version
    take_content = next(n for n in data if n.endswith("_content"))
    data[take_content] = "keep"
    response = clerk_client.post(url, data)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.upstream == v2
    conflict_item.refresh_from_db()
    assert conflict_item.deadline_amount == 5
    assert "政策解读材料" not in draft.items.get(seq=7).content


def test_a_published_catalog_shows_the_update_and_offers_a_new_version(
    draft, clerk_client, county_clerk, city_reviewer
):
    fill_lost_content(draft, county_clerk)
    services.catalog_submit(catalog=draft, actor=county_clerk)
    services.catalog_approve(catalog=draft, actor=city_reviewer)
    services.catalog_publish(catalog=draft, actor=county_clerk)
    _luoyang_v2(city_reviewer)
    page = clerk_client.get(reverse("catalogs:catalog_merge", kwargs={"pk": draft.pk}))
    assert page.context["form"] is None
    assertContains(
        page, reverse("catalogs:catalog_new_version", kwargs={"pk": draft.pk})
    )
    assertContains(page, "政策解读材料")
    workspace = clerk_client.get(reverse("workspace"))
    assertContains(workspace, "上级已发布第2版")


def test_merge_page_query_count_does_not_grow_with_items(
    draft, clerk_client, county_clerk, city_reviewer
):
    """Queries: session, user, permissions (2), the catalog, the newer upstream
    version, snapshots of mine/base/theirs and their basis links (2)."""
    _luoyang_v2(city_reviewer)
    url = reverse("catalogs:catalog_merge", kwargs={"pk": draft.pk})
    few = _count_queries(clerk_client, url)
    _add_local_items(draft, county_clerk, 6)
    assert _count_queries(clerk_client, url) == few


# --- navigation: every staff page is reachable from /work/ -----------------------------------------


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.urls.append(attrs["href"])
        if tag == "form" and attrs.get("action"):
            self.urls.append(attrs["action"])


def _crawl(client, start="/work/", limit=400) -> set[str]:
    """URL names of the catalogs namespace reached by following links from /work/."""
    seen, names, queue = set(), set(), [start]
    while queue and len(seen) < limit:
        url = queue.pop(0)
        path = urlparse(url).path
        if path in seen or not path.startswith("/work/"):
            continue
        seen.add(path)
        match = resolve(path)
        if match.namespace == "catalogs":
            names.add(match.url_name)
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get(
            "Content-Type", ""
        ):
            continue
        parser = _Links()
        parser.feed(response.content.decode())
        queue.extend(u for u in parser.urls if u.startswith("/work/"))
    return names


def test_every_staff_catalog_page_is_reachable_by_links_from_work(
    templates, client, make_user, county_clerk, city_reviewer, other_county_clerk
):
    from catalogs import urls

    # 洛龙区: a returned draft with a comment, an omitted item and a local item;
    # 偃师区: submitted; 洛阳市 v2: an update for 洛龙区 to take.
    luolong = services.catalog_clone(
        region=Region.objects.get(code="410311"), domain=_social(), actor=county_clerk
    )
    fill_lost_content(luolong, county_clerk)
    services.catalog_item_omit(
        item=luolong.items.get(seq=2), reason="本地未开展该业务", actor=county_clerk
    )
    _add_local_items(luolong, county_clerk, 1)
    services.catalog_submit(catalog=luolong, actor=county_clerk)
    services.catalog_review_comment_add(
        catalog=luolong,
        actor=city_reviewer,
        body="请修改",
        item_key=luolong.items.get(seq=1).key,
    )
    services.catalog_return(catalog=luolong, actor=city_reviewer, comment="退回")
    # Issue 21: a new-item draft, reopened from the catalog page.
    drafts.new_item_draft_save(
        catalog=luolong, data=QueryDict("name=半成品事项"), actor=county_clerk
    )
    elderly = services.catalog_clone(
        region=Region.objects.get(code="410311"),
        domain=Domain.objects.get(slug="elderly-care"),
        actor=county_clerk,
    )
    services.catalog_submit(catalog=elderly, actor=county_clerk)
    services.catalog_approve(catalog=elderly, actor=city_reviewer)
    yanshi = services.catalog_clone(
        region=Region.objects.get(code="410307"),
        domain=_social(),
        actor=other_county_clerk,
    )
    fill_lost_content(yanshi, other_county_clerk)
    services.catalog_submit(catalog=yanshi, actor=other_county_clerk)
    _luoyang_v2(city_reviewer)

    client.force_login(county_clerk)
    reached = _crawl(client)
    services.catalog_publish(catalog=elderly, actor=county_clerk)
    reached |= _crawl(client)
    client.force_login(other_county_clerk)
    reached |= _crawl(client, start="/work/")  # 撤回提交 before the review starts
    # An open comment on the submitted catalog: the reviewer's 关闭意见 form.
    services.catalog_review_comment_add(
        catalog=yanshi, actor=city_reviewer, body="请核对"
    )
    client.force_login(city_reviewer)
    reached |= _crawl(client)
    client.force_login(
        make_user("county_clerk", "410302", username="laocheng")
    )  # nothing yet: clone offered
    reached |= _crawl(client)

    expected = (
        {p.name for p in urls.urlpatterns}
        - {
            "time_limit_preview",  # JSON, used by the form's script
            "security_log",  # province admins only: its link is tested in tests/portal/test_security.py
            "calendar_year",  # province admins only: tests/catalogs/test_calendar_notice.py
            # province admins only, a form on the catalog page: tests/catalogs/test_provenance_notes.py
            "item_note_resolve",
        }
    )
    assert expected - reached == set()
