"""The publication gate: nothing with an identifier in its text becomes public,
and nothing public is read past the gate (SPEC §5 "One gate for everything public")."""

from __future__ import annotations

import ast
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from catalogs.models import AuditLogEntry, Region
from disclosures.models import DisclosureRecord
from disclosures.public import gate
from disclosures.records import obligations as obligation_services
from disclosures.records import services as record_services

SHANGHAI = ZoneInfo("Asia/Shanghai")
ID_NUMBER = "410311199003071238"  # made up, valid GB 11643 check digit
ID_SPACED = "4103 1119 9003 0712 38"
MOBILE = "13812345678"
FULL_WIDTH_MOBILE = "１３８１２３４５６７８"
BANK_CARD = "6222021234567890123"


def at(y: int, m: int, d: int, hour: int = 10) -> datetime:
    return datetime.combine(date(y, m, d), time(hour, 0), tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def fresh_calendar():
    from catalogs.selectors import forget_work_calendar

    forget_work_calendar()
    yield
    forget_work_calendar()


@pytest.fixture
def item(templates, county_clerk, city_reviewer):
    """An event item 洛龙区 itself publishes (10 working days, no publicity period)."""
    from demo.records import ensure_quarterly_item

    ensure_quarterly_item(
        county_user=county_clerk, city_user=city_reviewer, published_at=at(2024, 12, 1)
    )
    region = Region.objects.get(code="410311")
    for candidate in obligation_services.applicable_items(region):
        if candidate.deadline_kind == "working_days" and not candidate.publicity_amount:
            return candidate
    raise LookupError("no event item")


def create(
    item, clerk, *, title="关于低保审核结果的公告", body="正文", publish="draft", **kw
):
    return record_services.record_create(
        region=clerk.region,
        item=item,
        trigger_date=timezone.localdate() - timezone.timedelta(days=3),
        title=title,
        body=body,
        actor=clerk,
        publish=publish,
        **kw,
    )


# --- locating -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "line", "column"),
    [
        (f"张三身份证{ID_NUMBER}。", "id_number", 1, 6),
        (f"第一行\n联系电话：{MOBILE}", "mobile", 2, 6),
        (f"电话{FULL_WIDTH_MOBILE}", "mobile", 1, 3),
        (f"号码 {ID_SPACED} 已核实", None, 1, 4),
        (f"卡号{BANK_CARD}", "bank_card", 1, 3),
    ],
)
def test_locate_identifiers_names_kind_and_position(text, kind, line, column):
    hits = gate.locate_identifiers(text)
    assert hits, text
    assert (hits[0].line, hits[0].column) == (line, column)
    if kind:
        assert hits[0].kind == kind


def test_locate_identifiers_passes_ordinary_text_and_office_landlines():
    assert (
        gate.locate_identifiers(
            "2025年第三季度临时救助12户，金额合计36800元，电话0379-1234"
        )
        == []
    )
    assert gate.locate_identifiers("监督电话：0379-63921234，(0379)63921235") == []


# --- refusing -------------------------------------------------------------------


@pytest.mark.django_db
def test_draft_may_hold_an_identifier_but_publishing_it_is_refused(item, county_clerk):
    record = create(
        item, county_clerk, body=f"申请人张三，身份证号{ID_NUMBER}，经审核符合条件。"
    )
    assert record.status == "draft"
    with pytest.raises(ValidationError) as exc:
        record_services.record_publish(record=record, actor=county_clerk)
    messages = exc.value.message_dict["body"]
    assert messages[0].startswith("正文第1行第11个字符起有身份证号")
    assert "名单请通过名单公示上传" in messages[0]
    assert ID_NUMBER not in str(exc.value.messages)
    assert gate.has_identifier_refusal(exc.value)
    record.refresh_from_db()
    assert record.status == "draft" and record.privacy_checked_at is None


@pytest.mark.django_db
def test_publish_now_with_identifier_in_title_stores_nothing(item, county_clerk):
    before = DisclosureRecord.objects.count()
    with pytest.raises(ValidationError) as exc:
        create(item, county_clerk, title=f"张三{MOBILE}低保公示", publish="now")
    assert "标题第3个字符起有手机号" in exc.value.message_dict["title"][0]
    assert DisclosureRecord.objects.count() == before


@pytest.mark.django_db
def test_schedule_is_scanned_too(item, county_clerk):
    record = create(item, county_clerk, body=f"银行卡{BANK_CARD}")
    with pytest.raises(ValidationError, match="银行卡号"):
        record_services.record_schedule(
            record=record,
            publish_at=timezone.now() + timezone.timedelta(days=1),
            actor=county_clerk,
        )


@pytest.mark.django_db
def test_clean_record_is_stamped_and_public(item, county_clerk):
    record = create(item, county_clerk, publish="now")
    assert record.privacy_checked_at is not None
    assert gate.records().filter(pk=record.pk).exists()


@pytest.mark.django_db
def test_correcting_a_public_record_with_an_identifier_is_refused(item, county_clerk):
    record = create(item, county_clerk, publish="now")
    with pytest.raises(ValidationError, match="正文第2行第4个字符起有手机号"):
        record_services.record_correct(
            record=record,
            title=record.title,
            body=f"补充说明\n电话：{MOBILE}",
            reason="补充",
            actor=county_clerk,
        )
    record.refresh_from_db()
    assert MOBILE not in record.body
    assert gate.records().filter(pk=record.pk).exists()


@pytest.mark.django_db
def test_unstamped_record_is_not_public_even_if_published(item, county_clerk, client):
    """A record written past the services (a bug, a raw SQL fix) stays off every public path."""
    record = create(item, county_clerk, publish="now", title="低保对象公示甲")
    DisclosureRecord.objects.filter(pk=record.pk).update(privacy_checked_at=None)
    assert (
        client.get(reverse("disclosures:record_detail", args=[record.pk])).status_code
        == 404
    )
    assert "低保对象公示甲" not in client.get("/r/410311/feed.rss").content.decode()
    url = reverse("disclosures:record_detail", args=[record.pk])
    assert url not in client.get("/search/", {"q": "低保对象公示甲"}).content.decode()
    assert "低保对象公示甲" not in client.get("/r/410311/").content.decode()


@pytest.mark.django_db
def test_publish_due_scans_again_at_the_scheduled_time(item, county_clerk):
    record = create(item, county_clerk)
    record_services.record_schedule(
        record=record,
        publish_at=timezone.now() + timezone.timedelta(hours=1),
        actor=county_clerk,
    )
    # Content changed past the services after scheduling (what a new scanner would catch).
    DisclosureRecord.objects.filter(pk=record.pk).update(body=f"身份证{ID_NUMBER}")
    published = record_services.record_publish_due(
        now=timezone.now() + timezone.timedelta(hours=2)
    )
    record.refresh_from_db()
    assert published == 0
    assert record.status == "draft" and record.privacy_checked_at is None
    assert AuditLogEntry.objects.filter(
        action="disclosures.record.publication_refused"
    ).exists()


@pytest.mark.django_db
def test_clerk_sees_refusal_with_link_to_name_list_upload(item, county_clerk, client):
    client.force_login(county_clerk)
    response = client.post(
        reverse("disclosures:record_create"),
        {
            "item": item.pk,
            "trigger_date": (
                timezone.localdate() - timezone.timedelta(days=2)
            ).isoformat(),
            "title": "低保审核结果",
            "body": f"张三 {ID_NUMBER}",
            "publish": "now",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "正文第1行第4个字符起有身份证号" in html
    assert reverse("disclosures:namelist_upload_choose") in html
    assert (
        ID_NUMBER in html
    )  # the clerk's own input is shown back to the clerk, on a staff page


# --- structure --------------------------------------------------------------------

PUBLIC_MODULES = [
    "disclosures/public/views.py",
    "disclosures/public/feeds.py",
    "disclosures/public/search.py",
    "disclosures/public/selectors.py",
    "disclosures/public/notice.py",
    "opengov/views/public.py",  # the guide and the annual reports (SPEC §13)
    "opengov/selectors.py",
]


def _model_reads(path: Path) -> list[str]:
    """`X.objects...` chains on DisclosureRecord, Attachment or NameList in a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr == "objects"
            and isinstance(node.value, ast.Name)
            and node.value.id
            in {"DisclosureRecord", "Attachment", "NameList", "NameListRow"}
        ):
            found.append(f"{path}:{node.lineno} {node.value.id}.objects")
    return found


def test_public_modules_read_records_only_through_the_gate():
    """A public path that queries the disclosure models itself bypasses the gate."""
    root = Path(__file__).resolve().parents[2]
    offenders = [
        hit for module in PUBLIC_MODULES for hit in _model_reads(root / module)
    ]
    assert offenders == []


@pytest.mark.django_db
def test_search_for_an_identifier_is_neither_run_nor_echoed(client):
    response = client.get("/search/", {"q": f"张三 {ID_NUMBER}"})
    html = response.content.decode()
    assert response.status_code == 200
    assert ID_NUMBER not in html
    assert "搜索内容中含有身份证号、手机号或银行卡号等个人信息" in html
