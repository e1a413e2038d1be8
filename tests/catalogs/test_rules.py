"""The localization rules of SPEC §3, one test (or parametrized family) per rule.

Each rule is checked where it is enforced: `rules.check_item` / `rules.check_basis`
(what the services call), the form that turns input into rules, and the service
that refuses the save with the message at the field.
"""

from __future__ import annotations

import pytest

from django.core.exceptions import ValidationError

from catalogs import rules, services
from catalogs.forms import BasisRowForm, TimeLimitForm
from catalogs.models import Catalog, Domain, LegalDocument, Region
from catalogs.selectors import catalog_submission_problems, work_calendar

pytestmark = pytest.mark.django_db


@pytest.fixture
def social_draft(templates, county_clerk):
    return services.catalog_clone(
        region=Region.objects.get(code="410311"),
        domain=Domain.objects.get(slug="social-assistance"),
        actor=county_clerk,
    )


@pytest.fixture
def elderly_draft(templates, county_clerk):
    return services.catalog_clone(
        region=Region.objects.get(code="410311"),
        domain=Domain.objects.get(slug="elderly-care"),
        actor=county_clerk,
    )


def _item(catalog, seq):
    return catalog.items.select_related("upstream_item", "catalog__domain").get(seq=seq)


def _set(item, actor, **values):
    return services.catalog_item_set_elements(
        item=item, values=values, bases=None, actor=actor
    )


# --- 公开时限: shorter or equal only ---------------------------------------------------------


def test_a_shorter_deadline_is_accepted(social_draft, county_clerk):
    item = _set(
        _item(social_draft, 1),
        county_clerk,
        time_limit_text="制定或获取信息之日起5个工作日内",
    )
    item.refresh_from_db()
    assert (item.deadline_kind, item.deadline_amount) == ("working_days", 5)


def test_an_equal_deadline_in_other_words_is_accepted(social_draft, county_clerk):
    item = _item(social_draft, 1)
    errors = rules.check_item(item=item, documents=None, calendar=work_calendar())
    assert "time_limit_text" not in errors
    services.apply_time_limit(item, "制定或获取信息之日起十个工作日内")
    assert (
        rules.check_item(item=item, documents=None, calendar=work_calendar()).get(
            "time_limit_text"
        )
        is None
    )


def test_a_longer_deadline_is_refused_at_the_field_with_both_dates(
    social_draft, county_clerk
):
    item = _item(social_draft, 1)
    with pytest.raises(ValidationError) as raised:
        _set(item, county_clerk, time_limit_text="制定或获取信息之日起15个工作日内")
    messages = raised.value.message_dict["time_limit_text"]
    assert len(messages) == 1
    assert "公开时限不能长于上级目录" in messages[0]
    assert "制定或获取信息之日起10个工作日内" in messages[0]
    assert "请缩短或保持与上级目录一致" in messages[0]
    item.refresh_from_db()
    assert item.deadline_amount == 10  # nothing saved


def test_calendar_days_that_end_later_than_working_days_are_refused(
    social_draft, county_clerk
):
    """20 calendar days end after 10 working days for most trigger dates; one
    trigger date with a later local due date is enough to refuse."""
    item = _item(social_draft, 1)
    services.apply_time_limit(item, "制定或获取信息之日起20日内")
    errors = rules.check_item(item=item, documents=None, calendar=work_calendar())
    assert any("晚于上级目录" in m for m in errors["time_limit_text"])


def test_a_proactive_deadline_cannot_become_on_request(social_draft):
    item = _item(social_draft, 1)
    services.apply_time_limit(item, "依申请公开")
    assert any(
        "不能放宽" in m
        for m in rules.check_item(item=item, documents=None, calendar=work_calendar())[
            "time_limit_text"
        ]
    )


def test_the_trigger_event_cannot_change(social_draft):
    item = _item(social_draft, 1)
    services.apply_time_limit(item, "备案之日起5个工作日内")
    assert any(
        "起算事件不能改变" in m
        for m in rules.check_item(item=item, documents=None, calendar=work_calendar())[
            "time_limit_text"
        ]
    )


def test_a_publicity_period_cannot_be_dropped(social_draft):
    item = _item(social_draft, 5)  # 审核信息: …10个工作日内,公示7个工作日
    services.apply_time_limit(item, "制定或修改信息之日起10个工作日内")
    assert any(
        "公示期不能取消" in m
        for m in rules.check_item(item=item, documents=None, calendar=work_calendar())[
            "time_limit_text"
        ]
    )


def test_an_unreadable_deadline_is_refused_with_the_expected_shapes(social_draft):
    item = _item(social_draft, 1)
    services.apply_time_limit(item, "尽快公开")
    (message,) = rules.check_item(item=item, documents=None, calendar=work_calendar())[
        "time_limit_text"
    ]
    assert "无法识别公开时限“尽快公开”" in message


# --- 公开层级: 养老服务 items cannot be 村级 -------------------------------------------------------


def test_elderly_care_items_cannot_be_village_level(elderly_draft, county_clerk):
    item = _item(elderly_draft, 6)
    with pytest.raises(ValidationError) as raised:
        _set(item, county_clerk, levels=["县级", "乡级", "村级"])
    assert raised.value.message_dict["levels"] == [
        "养老服务领域的事项不能设为村级公开层级。"
    ]


def test_social_assistance_items_may_be_village_level(social_draft, county_clerk):
    item = _set(_item(social_draft, 6), county_clerk, levels=["县级", "乡级", "村级"])
    item.refresh_from_db()
    assert "村级" in item.levels


def test_the_item_form_offers_no_village_level_for_elderly_care(elderly_draft):
    from catalogs.forms import ItemForm

    form = ItemForm(
        domain=elderly_draft.domain,
        categories=list(elderly_draft.domain.categories.all()),
        category_editable=False,
    )
    assert [value for value, _label in form.fields["levels"].choices] == [
        "县级",
        "乡级",
    ]


# --- 公开依据: full title and a document number in a recognised shape ------------------------------


@pytest.mark.parametrize(
    "number",
    [
        "国发〔2014〕47号",
        "民办函〔2019〕52号",
        "〔2019〕52号",
        "国务院令第711号",
        "中华人民共和国国务院令第711号",
        "民政部令第61号",
        "GB/T37276-2018",
    ],
)
def test_recognised_document_numbers_are_accepted(number):
    kind = "standard" if number.startswith("GB") else "document"
    assert rules.check_basis(title="《某某办法》", number=number, kind=kind) == []


@pytest.mark.parametrize(
    "number", ["2014-47", "国发2014年47号", "47号文", "〔14〕47号"]
)
def test_malformed_document_numbers_are_refused_naming_the_document(number):
    (message,) = rules.check_basis(title="《某某办法》", number=number, kind="document")
    assert f"依据“《某某办法》”的文号“{number}”格式不正确" in message


def test_a_document_without_number_is_refused():
    (message,) = rules.check_basis(title="《某某办法》", number="", kind="document")
    assert "缺少文号" in message


def test_a_basis_needs_its_full_title():
    messages = rules.check_basis(title="", number="国发〔2014〕47号", kind="document")
    assert any("缺少全称" in m for m in messages)


def test_a_law_is_cited_by_title_without_number():
    assert (
        rules.check_basis(
            title="《中华人民共和国老年人权益保障法》", number="", kind="law"
        )
        == []
    )


def test_a_generic_reference_must_be_marked_generic():
    messages = rules.check_basis(
        title="各地相关政策法规文件", number="", kind="document"
    )
    assert any("请将类型选为“泛指”" in m for m in messages)
    assert (
        rules.check_basis(title="各地相关政策法规文件", number="", kind="generic") == []
    )


def test_brackets_people_type_are_normalised_to_the_official_ones():
    assert rules.normalize_number("国发[2014]47号") == "国发〔2014〕47号"
    assert rules.normalize_number("国发（2014）47 号") == "国发〔2014〕47号"


def test_the_service_refuses_a_malformed_basis_and_keeps_the_old_ones(
    social_draft, county_clerk
):
    item = _item(social_draft, 1)
    before = list(item.basis_links.values_list("document_id", flat=True))
    with pytest.raises(ValidationError) as raised:
        services.catalog_item_set_elements(
            item=item,
            values={},
            bases=[{"title": "《某某办法》", "number": "2014-47", "kind": "document"}],
            actor=county_clerk,
        )
    assert "格式不正确" in raised.value.message_dict["bases"][0]
    assert list(item.basis_links.values_list("document_id", flat=True)) == before
    assert not LegalDocument.objects.filter(number="2014-47").exists()


def test_the_basis_row_form_requires_generic_to_be_chosen_explicitly():
    form = BasisRowForm(
        {"title": "各地相关法规", "number": "", "kind": "document"}, library=[]
    )
    assert not form.is_valid()
    assert any("泛指" in m for m in form.errors["title"])
    form = BasisRowForm(
        {"title": "各地相关法规", "number": "", "kind": "generic"}, library=[]
    )
    assert form.is_valid(), form.errors


def test_the_basis_row_form_normalises_the_number():
    form = BasisRowForm(
        {"title": "《某某办法》", "number": "国发[2014]47号", "kind": "document"},
        library=[],
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["number"] == "国发〔2014〕47号"


def test_at_least_one_basis_is_required(social_draft):
    item = _item(social_draft, 1)
    assert rules.check_item(item=item, documents=[], calendar=work_calendar())[
        "bases"
    ] == ["请至少填写一项公开依据（全称和文号）。"]


# --- at least one subject, channel, audience, mode and level -------------------------------------


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("subjects", "请至少选择一个公开主体。"),
        ("channels", "请至少选择一个公开渠道和载体。"),
        ("audience", "请至少选择一个公开对象。"),
        ("mode", "请至少选择一种公开方式。"),
        ("levels", "请至少选择一个公开层级。"),
    ],
)
def test_each_controlled_element_needs_at_least_one_value(
    social_draft, county_clerk, field, message
):
    item = _item(social_draft, 1)
    with pytest.raises(ValidationError) as raised:
        _set(item, county_clerk, **{field: []})
    assert raised.value.message_dict[field] == [message]
    item.refresh_from_db()
    assert getattr(item, field)


def test_content_needs_at_least_one_element(social_draft, county_clerk):
    with pytest.raises(ValidationError) as raised:
        _set(_item(social_draft, 1), county_clerk, content=[])
    assert raised.value.message_dict["content"] == ["请至少填写一项公开内容（要素）。"]


def test_other_channel_needs_its_description(social_draft, county_clerk):
    item = _item(social_draft, 1)
    with pytest.raises(ValidationError) as raised:
        _set(item, county_clerk, channels=["政府网站", "其他"], channel_other="")
    assert "请填写具体渠道" in raised.value.message_dict["channel_other"][0]


# --- whole catalog ------------------------------------------------------------------------------


def test_check_catalog_names_each_item_with_a_problem(social_draft):
    problems = catalog_submission_problems(social_draft)
    # Luoyang lost the content of seq 9 and 10 (审核信息, 审批信息 of 特困人员救助供养).
    assert problems == [
        "事项“审核信息”：请至少填写一项公开内容（要素）。",
        "事项“审批信息”：请至少填写一项公开内容（要素）。",
    ]


def test_omitted_items_are_not_checked(social_draft, county_clerk):
    for item in social_draft.items.filter(content=[]):
        services.catalog_item_omit(
            item=item, reason="本地未开展该业务", actor=county_clerk
        )
    assert catalog_submission_problems(social_draft) == []


def test_submitting_with_problems_is_refused_and_leaves_a_draft(
    social_draft, county_clerk
):
    with pytest.raises(ValidationError, match="请至少填写一项公开内容"):
        services.catalog_submit(catalog=social_draft, actor=county_clerk)
    social_draft.refresh_from_db()
    assert social_draft.status == Catalog.Status.DRAFT


# --- the structured deadline form ---------------------------------------------------------------


def _tl(**data):
    return TimeLimitForm(data)


def test_the_structured_deadline_renders_the_official_wording():
    form = _tl(
        deadline_kind="working_days",
        deadline_trigger="制定或获取信息",
        deadline_amount="5",
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["time_limit_text"] == "制定或获取信息之日起5个工作日内"
    form = _tl(
        deadline_kind="working_days",
        deadline_trigger="制定或修改信息之日起",
        deadline_amount="10",
        publicity_amount="7",
        publicity_unit="working_day",
    )
    assert form.is_valid(), form.errors
    assert (
        form.cleaned_data["time_limit_text"]
        == "制定或修改信息之日起10个工作日内，公示7个工作日"
    )
    form = _tl(deadline_kind="periodic", deadline_period="quarter")
    assert form.is_valid() and form.cleaned_data["time_limit_text"] == "每季度末"


def test_the_stored_wording_is_kept_when_the_meaning_is_unchanged():
    original = "制定或修改信息之日起10个工作日内,公示7个工作日"
    form = TimeLimitForm(
        {
            "deadline_kind": "working_days",
            "deadline_trigger": "制定或修改信息",
            "deadline_amount": "10",
            "publicity_amount": "7",
            "publicity_unit": "working_day",
        },
        original_text=original,
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["time_limit_text"] == original


@pytest.mark.parametrize(
    ("data", "field", "fragment"),
    [
        (
            {"deadline_kind": "working_days", "deadline_trigger": "制定"},
            "deadline_amount",
            "请填写天数",
        ),
        ({"deadline_kind": "periodic"}, "deadline_period", "请选择周期"),
        (
            {
                "deadline_kind": "working_days",
                "deadline_trigger": "若干",
                "deadline_amount": "5",
            },
            "deadline_trigger",
            "起算事件“若干”无法识别",
        ),
        (
            {"deadline_kind": "working_days", "deadline_amount": "400"},
            "deadline_amount",
            "365",
        ),
    ],
)
def test_incomplete_deadlines_are_refused_at_the_field(data, field, fragment):
    form = _tl(**data)
    assert not form.is_valid()
    assert any(fragment in str(m) for m in form.errors[field])


def test_the_preview_gives_the_wording_and_an_example_due_date():
    form = _tl(
        deadline_kind="working_days",
        deadline_trigger="制定或获取信息",
        deadline_amount="10",
    )
    preview = form.preview()
    assert preview["ok"] is True
    assert preview["text"] == "制定或获取信息之日起10个工作日内"
    # SPEC §4: trigger 2025-09-26, 10 working days → 2025-10-16.
    assert (
        preview["example"]
        == "例如：2025年9月26日形成的信息，应于2025年10月16日前公开。"
    )
