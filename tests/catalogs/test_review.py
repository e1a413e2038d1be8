"""Submitting for review and the life of review comments (issue 21): services,
pages and their refusals across regions."""

from __future__ import annotations

import pytest
from pytest_django.asserts import assertContains, assertNotContains

from django.core.exceptions import ValidationError
from django.urls import reverse

from catalogs import review, services
from catalogs.models import AuditLogEntry, Catalog, Domain, Region

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(templates, county_clerk):
    """洛龙区's elderly-care catalog, submitted to 洛阳市."""
    catalog = services.catalog_clone(
        region=Region.objects.get(code="410311"),
        domain=Domain.objects.get(slug="elderly-care"),
        actor=county_clerk,
    )
    return services.catalog_submit(catalog=catalog, actor=county_clerk)


def _url(name, pk):
    return reverse(f"catalogs:{name}", kwargs={"pk": pk})


# --- withdrawing -----------------------------------------------------------------------


def test_withdraw_before_the_review_starts_returns_a_draft_with_an_audit_entry(
    submitted, county_clerk
):
    review.catalog_submission_withdraw(catalog=submitted, actor=county_clerk)
    submitted.refresh_from_db()
    assert submitted.status == Catalog.Status.DRAFT
    assert submitted.submitted_at is None
    entry = AuditLogEntry.objects.get(action="catalogs.catalog.submission_withdrawn")
    assert entry.actor == county_clerk and entry.object_id == str(submitted.pk)
    assert entry.data["submitted_at"]


def test_withdraw_is_refused_once_the_reviewer_commented(
    submitted, county_clerk, city_reviewer
):
    assert review.catalog_review_started(submitted) is False
    services.catalog_review_comment_add(
        catalog=submitted, actor=city_reviewer, body="请核对。"
    )
    assert review.catalog_review_started(submitted) is True
    with pytest.raises(ValidationError, match="已开始审核"):
        review.catalog_submission_withdraw(catalog=submitted, actor=county_clerk)
    submitted.refresh_from_db()
    assert submitted.status == Catalog.Status.SUBMITTED


def test_comments_of_an_earlier_round_do_not_start_the_review(
    submitted, county_clerk, city_reviewer
):
    services.catalog_review_comment_add(
        catalog=submitted, actor=city_reviewer, body="第一轮意见。"
    )
    services.catalog_return(catalog=submitted, actor=city_reviewer, comment="请修改。")
    services.catalog_submit(catalog=submitted, actor=county_clerk)
    assert review.catalog_review_started(submitted) is False
    review.catalog_submission_withdraw(catalog=submitted, actor=county_clerk)
    submitted.refresh_from_db()
    assert submitted.status == Catalog.Status.DRAFT


def test_withdraw_of_a_draft_is_refused(submitted, county_clerk):
    review.catalog_submission_withdraw(catalog=submitted, actor=county_clerk)
    with pytest.raises(ValidationError, match="没有可以撤回的提交"):
        review.catalog_submission_withdraw(catalog=submitted, actor=county_clerk)


def test_the_withdraw_page_and_post(submitted, client, county_clerk):
    client.force_login(county_clerk)
    detail = client.get(_url("catalog_detail", submitted.pk))
    assertContains(detail, 'id="withdraw-link"')
    assertNotContains(detail, "可以进行的操作")
    assertContains(client.get(_url("catalog_withdraw", submitted.pk)), "确认撤回")
    response = client.post(_url("catalog_withdraw", submitted.pk))
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Catalog.Status.DRAFT


def test_withdraw_is_refused_across_regions(submitted, client, other_county_clerk):
    client.force_login(other_county_clerk)
    assert client.get(_url("catalog_withdraw", submitted.pk)).status_code == 404
    assert client.post(_url("catalog_withdraw", submitted.pk)).status_code == 404
    submitted.refresh_from_db()
    assert submitted.status == Catalog.Status.SUBMITTED


def test_the_withdraw_link_goes_once_the_reviewer_commented(
    submitted, client, county_clerk, city_reviewer
):
    services.catalog_review_comment_add(
        catalog=submitted, actor=city_reviewer, body="请核对。"
    )
    client.force_login(county_clerk)
    detail = client.get(_url("catalog_detail", submitted.pk))
    assertNotContains(detail, 'id="withdraw-link"')
    assertContains(detail, "不能再撤回")


# --- the submit page -------------------------------------------------------------------


def test_the_submit_page_shows_the_changes_and_the_reviewers(
    templates, client, county_clerk, city_reviewer
):
    catalog = services.catalog_clone(
        region=Region.objects.get(code="410311"),
        domain=Domain.objects.get(slug="elderly-care"),
        actor=county_clerk,
    )
    item = catalog.items.order_by("seq").first()
    services.catalog_item_omit(item=item, reason="本地未开展该业务", actor=county_clerk)
    client.force_login(county_clerk)
    page = client.get(_url("catalog_submit", catalog.pk))
    assert page.status_code == 200
    assertContains(page, "本次提交与上级目录的不同")
    assertContains(page, "<strong>1</strong> 项本地不公开", html=False)
    assertContains(page, item.name)
    assertContains(page, "由谁审核")
    assertContains(page, "reviewer-luoyang")
    assert [u.username for u in page.context["reviewers"]] == ["reviewer-luoyang"]


def test_the_submit_page_is_refused_across_regions(
    submitted, client, other_county_clerk
):
    client.force_login(other_county_clerk)
    assert client.get(_url("catalog_submit", submitted.pk)).status_code == 404


# --- comments --------------------------------------------------------------------------


@pytest.fixture
def comment(submitted, city_reviewer):
    item = submitted.items.order_by("seq").first()
    return services.catalog_review_comment_add(
        catalog=submitted, actor=city_reviewer, body="请补充依据。", item_key=item.key
    )


def test_a_comment_is_answered_resolved_and_closed(
    comment, county_clerk, city_reviewer
):
    assert comment.is_open and str(comment.state_label) == "待经办人答复或处理"
    review.review_comment_answer(
        comment=comment, actor=county_clerk, answer="已补充国务院令第649号。"
    )
    comment.refresh_from_db()
    assert comment.answer == "已补充国务院令第649号。" and comment.answered_at
    assert str(comment.state_label) == "已答复"
    services.catalog_return(
        catalog=comment.catalog, actor=city_reviewer, comment="请修改。"
    )
    comment.refresh_from_db()
    services.catalog_review_comment_resolve(comment=comment, actor=county_clerk)
    comment.refresh_from_db()
    assert comment.resolved and comment.resolved_at
    review.review_comment_close(comment=comment, actor=city_reviewer)
    comment.refresh_from_db()
    assert not comment.is_open and comment.closed_by == city_reviewer
    assert str(comment.state_label) == "已关闭"
    actions = set(
        AuditLogEntry.objects.filter(object_id=str(comment.pk)).values_list(
            "action", flat=True
        )
    )
    assert {
        "catalogs.review_comment.answered",
        "catalogs.review_comment.resolved",
        "catalogs.review_comment.closed",
    } <= actions
    with pytest.raises(ValidationError, match="已被审核人员关闭"):
        review.review_comment_answer(comment=comment, actor=county_clerk, answer="再答")


def test_an_empty_answer_is_refused(comment, county_clerk):
    with pytest.raises(ValidationError, match="请填写答复内容"):
        review.review_comment_answer(comment=comment, actor=county_clerk, answer="  ")


def test_the_county_answers_on_its_catalog_page(comment, client, county_clerk):
    client.force_login(county_clerk)
    detail = client.get(_url("catalog_detail", comment.catalog_id))
    assertContains(detail, _url("comment_answer", comment.pk))
    response = client.post(
        _url("comment_answer", comment.pk),
        {"answer": "已补充。", "next": _url("catalog_detail", comment.catalog_id)},
    )
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.answer == "已补充。"
    refused = client.post(_url("comment_answer", comment.pk), {"answer": ""})
    assert refused.status_code == 400
    assertContains(refused, 'href="#id_answer"', status_code=400)


def test_answer_and_close_are_refused_across_regions_and_roles(
    comment, client, other_county_clerk, county_clerk, city_reviewer
):
    client.force_login(other_county_clerk)
    for name in ("comment_answer", "comment_close"):
        assert client.get(_url(name, comment.pk)).status_code == 404
        assert client.post(_url(name, comment.pk), {"answer": "x"}).status_code == 404
    client.force_login(county_clerk)
    assert client.post(_url("comment_close", comment.pk)).status_code == 403
    client.force_login(city_reviewer)
    assert (
        client.post(_url("comment_answer", comment.pk), {"answer": "x"}).status_code
        == 403
    )
    comment.refresh_from_db()
    assert comment.is_open and not comment.answer


def test_the_review_page_lists_open_comments_with_the_decision_and_closes_them(
    comment, client, city_reviewer
):
    client.force_login(city_reviewer)
    page = client.get(_url("catalog_review", comment.catalog_id))
    assertContains(page, "还有1条意见未关闭")
    assertContains(page, "立即可以看到")
    assertNotContains(page, "退回后经办人会在相应事项旁看到")
    response = client.post(
        _url("comment_close", comment.pk),
        {"next": _url("catalog_review", comment.catalog_id)},
    )
    assert response.status_code == 302
    page = client.get(_url("catalog_review", comment.catalog_id))
    assertContains(page, "所有意见都已关闭")


def test_approval_says_which_comments_are_still_open(comment, client, city_reviewer):
    client.force_login(city_reviewer)
    response = client.post(
        _url("catalog_review", comment.catalog_id),
        {"action": "decide", "decision-decision": "approve", "decision-body": ""},
        follow=True,
    )
    assertContains(response, "仍有1条审核意见未关闭")


def test_reviewers_are_the_nearest_first(
    templates, submitted, make_user, city_reviewer
):
    from catalogs.models import User

    province = make_user(User.Role.PROVINCE_ADMIN, "41", username="admin-henan")
    make_user(User.Role.CITY_REVIEWER, "4101", username="reviewer-zhengzhou")
    names = [u.username for u in review.catalog_reviewers(submitted)]
    # 洛阳市 before the province; 郑州市 reviews other counties.
    assert names == [city_reviewer.username, province.username]
