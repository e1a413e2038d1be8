"""Trigger wording may follow the province's current wording (issue 16):
制定或获取信息 (the province) and 制定或修改信息 (Luoyang rows 3-6) name one event."""

from __future__ import annotations

import pytest

from catalogs import rules, selectors
from catalogs.deadlines import check_not_looser, parse_rule, same_event
from catalogs.exports import catalog_import
from catalogs.models import CatalogItem, Domain, Region

from .docx_samples import SampleRow, build_official_docx


def test_the_two_wordings_name_one_event_and_others_do_not():
    assert same_event("制定或获取信息", "制定或修改信息")
    assert same_event("备案", "备案")
    assert not same_event("制定或获取信息", "备案")
    assert not same_event("制定或修改信息", "行政处罚决定做出")


@pytest.mark.django_db
def test_a_county_may_use_the_province_wording_but_not_a_longer_time():
    cal = selectors.work_calendar()
    city = parse_rule("制定或修改信息之日起10个工作日内")
    assert (
        check_not_looser(parse_rule("制定或获取信息之日起10个工作日内"), city, cal)
        == []
    )
    assert (
        check_not_looser(parse_rule("制定或获取信息之日起5个工作日内"), city, cal) == []
    )
    longer = check_not_looser(parse_rule("制定或获取信息之日起12个工作日内"), city, cal)
    assert longer and "不能长于上级目录" in longer[0]
    other = check_not_looser(parse_rule("备案之日起10个工作日内"), city, cal)
    assert other and "起算事件不能改变" in other[0]


def _row(seq: str, name: str, time_limit: str) -> SampleRow:
    return SampleRow(
        seq=seq,
        category="最低生活保障",
        name=name,
        content="相关信息",
        basis="《国务院关于进一步加强和改进最低生活保障工作的意见》（国发〔2012〕45号）",
        time_limit=time_limit,
        subjects="县级人民政府民政部门",
        channels=("■政府网站", ""),
        ticks={"全社会", "主动", "县级", "乡级"},
    )


def _import(region_code: str, rows: list[SampleRow], actor):
    return catalog_import(
        data=build_official_docx(rows),
        filename="县级目录.docx",
        region=Region.objects.get(code=region_code),
        domain=Domain.objects.get(slug="social-assistance"),
        actor=actor,
    )


def _policy(catalog):
    return catalog.items.get(category__name="最低生活保障", name="政策法规文件")


@pytest.mark.django_db
def test_an_imported_table_is_normalised_to_the_province_wording(templates, make_user):
    """中原区 (郑州, no city catalog) copies the province directly: a table typed
    with 制定或修改信息 is taken in the province's 制定或获取信息, with a note."""
    from catalogs.models import User

    clerk = make_user(User.Role.COUNTY_CLERK, "410102", username="clerk-zhongyuan")
    result = _import(
        "410102",
        [
            _row("1", "政策法规文件", "制定或修改信息之日起10个工作日内"),
            _row("2", "办事指南", "制定或获取信息之日起10个工作日内"),
        ],
        clerk,
    )
    policy = _policy(result.catalog)
    assert policy.upstream_item.catalog.region_id == "41"
    assert policy.time_limit_text == "制定或获取信息之日起10个工作日内"
    assert policy.deadline_trigger == "制定或获取信息"
    assert any(
        w.startswith("第1行")
        and "起算事件“制定或修改信息”与省级示范目录的“制定或获取信息”只是写法不同" in w
        for w in result.warnings
    )
    assert not any("第2行“公开时限”列" in w for w in result.warnings)
    problems = selectors.catalog_submission_problems(result.catalog)
    assert not any("起算事件" in p for p in problems)


@pytest.mark.django_db
def test_a_county_below_luoyang_may_follow_the_province_or_keep_the_city_wording(
    templates, other_county_clerk
):
    luoyang = CatalogItem.objects.get(
        catalog__region_id="4103",
        catalog__domain__slug="social-assistance",
        category__name="最低生活保障",
        name="政策法规文件",
    )
    assert luoyang.deadline_trigger == "制定或修改信息"
    assert luoyang.upstream_item.deadline_trigger == "制定或获取信息"
    # The province's wording: accepted against Luoyang's 制定或修改信息.
    result = _import(
        "410307",
        [_row("1", "政策法规文件", "制定或获取信息之日起10个工作日内")],
        other_county_clerk,
    )
    policy = _policy(result.catalog)
    assert policy.time_limit_text == "制定或获取信息之日起10个工作日内"
    errors = rules.check_item(
        item=policy, documents=None, calendar=selectors.work_calendar()
    )
    assert "time_limit_text" not in errors, errors
    assert not any(
        "起算事件" in p for p in selectors.catalog_submission_problems(result.catalog)
    )
    # The city's own wording, as the county copied it: kept, no note.
    result = _import(
        "410307",
        [_row("1", "政策法规文件", "制定或修改信息之日起10个工作日内")],
        other_county_clerk,
    )
    assert _policy(result.catalog).time_limit_text == "制定或修改信息之日起10个工作日内"
    assert not any("公开时限" in w for w in result.warnings)
