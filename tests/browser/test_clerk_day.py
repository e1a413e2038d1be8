"""The clerk's day in a real browser (issue 21): what a walk-through tripped over.

- a refused save puts the focus on an error summary at the top whose links jump
  to the fields;
- the help of the item form describes the controls the clerk actually sees, with
  and without JavaScript;
- 提交审核 shows the changes and the reviewers; the clerk withdraws the submission;
- a review comment is answered and marked handled by the county and closed by the
  reviewer;
- the name-list mapping shows masked samples under each header, the province's
  default for 姓名如何公开 and a date picker that offers no past day.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from django.utils import timezone

from catalogs import services
from catalogs.models import Catalog, Domain, Region
from catalogs.reference import load_luoyang_catalogs, load_templates
from catalogs.selectors import forget_work_calendar
from demo.users import seed_users
from tests.browser.axe import serious_violations
from tests.browser.session import login
from tests.helpers import fill_lost_content

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def county_draft():
    """demo-county's (洛龙区) draft of Luoyang's social-assistance catalog."""
    forget_work_calendar()
    load_templates()
    load_luoyang_catalogs()
    users = {u.username: u for u in seed_users()}
    draft = services.catalog_clone(
        region=Region.objects.get(code="410311"),
        domain=Domain.objects.get(slug="social-assistance"),
        actor=users["demo-county"],
    )
    yield draft
    forget_work_calendar()


def _first_item(catalog: Catalog):
    return catalog.items.order_by("seq").first()


@pytest.mark.parametrize("width", [1280, 390])
def test_a_refused_save_focuses_the_summary_and_its_link_jumps_to_the_field(
    page, live_server, county_draft, width
):
    page.set_viewport_size({"width": width, "height": 900})
    login(page, live_server.url, "demo-county")
    item = _first_item(county_draft)
    page.goto(f"{live_server.url}/work/catalogs/items/{item.pk}/edit/")
    page.get_by_label("天数").fill("99")
    page.get_by_role("button", name="保存", exact=True).click()

    summary = page.locator("#form-errors")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading")).to_contain_text("保存未成功")
    expect(summary).to_contain_text("公开时限不能长于上级目录")
    expect(summary).not_to_contain_text("模板")
    expect(summary).not_to_contain_text("触发")
    summary.get_by_role("link", name="天数").click()
    expect(page.get_by_label("天数")).to_be_focused()
    assert serious_violations(page) == []

    # A form-level refusal: no channel ticked; the link lands on the first checkbox.
    page.get_by_label("天数").fill("10")
    for box in page.locator("#fieldset-channels input[type=checkbox]").all():
        box.uncheck()
    page.get_by_role("button", name="保存", exact=True).click()
    summary = page.locator("#form-errors")
    expect(summary).to_be_focused()
    summary.get_by_role(
        "link", name="公开渠道和载体：请至少选择一个公开渠道和载体。"
    ).click()
    expect(page.locator("#id_channels_0")).to_be_focused()
    assert serious_violations(page) == []


def test_the_content_help_describes_the_controls_shown_with_and_without_javascript(
    browser, page, live_server, county_draft
):
    item = _first_item(county_draft)
    url = f"{live_server.url}/work/catalogs/items/{item.pk}/edit/"
    content = "#fieldset-content"

    login(page, live_server.url, "demo-county")
    page.goto(url)
    section = page.locator(content)
    expect(section.get_by_role("button", name="上移").first).to_be_visible()
    expect(section.locator("p.help:visible").first).to_contain_text("“上移”“下移”")
    expect(section.get_by_text("删除此行").first).to_be_hidden()
    assert "删除此行" not in " ".join(
        section.locator("p.help:visible").all_inner_texts()
    )

    context = browser.new_context(java_script_enabled=False)
    plain = context.new_page()
    login(plain, live_server.url, "demo-county")
    plain.goto(url)
    section = plain.locator(content)
    expect(section.get_by_text("删除此行").first).to_be_visible()
    helps = " ".join(section.locator("p.help:visible").all_inner_texts())
    assert "“删除此行”" in helps and "“顺序”" in helps
    assert "上移" not in helps
    assert section.get_by_role("button", name="上移").first.is_hidden()
    context.close()


def _users():
    from catalogs.models import User

    return {u.username: u for u in User.objects.filter(username__startswith="demo-")}


@pytest.mark.parametrize("width", [1280, 390])
def test_submit_shows_changes_and_reviewers_then_the_clerk_withdraws(
    page, live_server, county_draft, width
):
    page.set_viewport_size({"width": width, "height": 900})
    fill_lost_content(county_draft, _users()["demo-county"])
    login(page, live_server.url, "demo-county")
    page.goto(f"{live_server.url}/work/catalogs/{county_draft.pk}/")
    expect(page.get_by_text("可以进行的操作")).to_have_count(0)
    page.locator("#submit-link").click()
    expect(page.get_by_role("heading", name="本次提交与上级目录的不同")).to_be_visible()
    expect(page.locator(".summary-counts")).to_contain_text("项有修改")
    expect(page.locator("#reviewers")).to_contain_text("洛阳市")
    assert serious_violations(page) == []
    page.get_by_role("button", name="提交审核").click()
    expect(page.locator(".message-success")).to_contain_text("撤回")

    page.locator("#withdraw-link").click()
    page.get_by_role("button", name="确认撤回").click()
    expect(page.locator(".message-success")).to_contain_text("已撤回提交")
    county_draft.refresh_from_db()
    assert county_draft.status == Catalog.Status.DRAFT
    expect(page.locator("#submit-link")).to_be_visible()
    assert serious_violations(page) == []


def test_a_review_comment_is_answered_resolved_and_closed(
    page, live_server, county_draft
):
    users = _users()
    fill_lost_content(county_draft, users["demo-county"])
    services.catalog_submit(catalog=county_draft, actor=users["demo-county"])
    item = _first_item(county_draft)
    services.catalog_review_comment_add(
        catalog=county_draft,
        actor=users["demo-city"],
        body="请补充公开依据的文号。",
        item_key=item.key,
    )
    detail = f"{live_server.url}/work/catalogs/{county_draft.pk}/"

    # The county sees the comment at once (while submitted) and answers it.
    login(page, live_server.url, "demo-county")
    page.goto(detail)
    expect(page.locator("#withdraw-link")).to_have_count(0)
    comment = page.locator(".comment", has_text="请补充公开依据的文号。")
    expect(comment).to_contain_text("待经办人答复或处理")
    comment.get_by_label("答复这条意见").fill("已补充国务院令第649号。")
    comment.get_by_role("button", name="保存答复").click()
    expect(page.locator(".message-success")).to_contain_text("答复已保存")
    comment = page.locator(".comment", has_text="请补充公开依据的文号。")
    expect(comment).to_contain_text("已答复")
    expect(comment).to_contain_text("已补充国务院令第649号。")
    assert serious_violations(page) == []

    # Returned: the county marks it handled.
    services.catalog_return(
        catalog=county_draft, actor=users["demo-city"], comment="请修改后再提交。"
    )
    page.goto(detail)
    comment = page.locator(".comment", has_text="请补充公开依据的文号。")
    comment.get_by_role("button", name="标记为已处理").click()
    expect(page.locator(".comment", has_text="请补充公开依据的文号。")).to_contain_text(
        "已处理，待审核人员关闭"
    )

    # Resubmitted: the reviewer sees it open beside the decision and closes it.
    services.catalog_submit(catalog=county_draft, actor=users["demo-county"])
    page.context.clear_cookies()
    login(page, live_server.url, "demo-city")
    page.goto(f"{live_server.url}/work/catalogs/{county_draft.pk}/review/")
    # Open: this comment and the general one the return recorded.
    expect(page.locator("#open-comments")).to_contain_text("还有2条意见未关闭")
    expect(page.locator(".review-comments")).to_contain_text("已补充国务院令第649号。")
    assert serious_violations(page) == []
    page.locator(".review-comments li", has_text="请补充公开依据的文号。").get_by_role(
        "button", name="关闭意见"
    ).click()
    expect(page.locator(".message-success")).to_contain_text("已关闭该意见")
    expect(page.locator("#open-comments")).to_contain_text("还有1条意见未关闭")
    expect(
        page.locator(".review-comments li", has_text="请补充公开依据的文号。")
    ).to_contain_text("已关闭")


@pytest.mark.parametrize("width", [1280, 390])
def test_the_mapping_shows_samples_under_each_header_and_the_policy_default(
    page, live_server, settings, tmp_path, width
):
    from demo import namelists as demo_namelists
    from demo import portal as demo_portal
    from disclosures.deidentify import mask_name
    from tests.builders import publish_record

    settings.NAME_LIST_STAGING_DIR = str(tmp_path / "staging")
    load_templates()
    load_luoyang_catalogs()
    seed_users()
    demo_portal.seed()
    record = publish_record(title="李楼街道临时救助审核审批结果（对应列测试）")
    people = demo_namelists.synthetic_people(12, seed="mapping")
    upload = tmp_path / "名单.xlsx"
    upload.write_bytes(demo_namelists.workbook_bytes("李楼街道临时救助名单", people))

    page.set_viewport_size({"width": width, "height": 900})
    login(page, live_server.url, "demo-township")
    page.goto(f"{live_server.url}/work/namelists/records/{record.pk}/upload/")
    page.set_input_files("#id_file", str(upload))
    page.get_by_role("button", name="上传并对应列").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("对应列")

    header = page.locator("#column-B th")
    expect(header).to_contain_text("第B列“姓名”")
    expect(header.locator(".samples li").first).to_have_text(mask_name(people[0].name))
    expect(page.get_by_label("第B列“姓名”")).to_have_value("name")
    expect(page.get_by_label(re.compile("遮蔽名字"))).to_be_checked()
    expect(page.locator("#mask-names-default")).to_contain_text("全省名单脱敏规则")
    expect(page.get_by_label("公示期截止日期")).to_have_attribute(
        "min", timezone.localdate().isoformat()
    )
    assert serious_violations(page) == []
