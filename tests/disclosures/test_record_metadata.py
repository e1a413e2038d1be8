"""Record metadata of a government disclosure column (SPEC §13): 索引号, 发布机构,
成文日期, 发布日期, 文号, 主题分类 — given by the records services, shown on the
record page, searchable, and scanned by the publication gate."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from catalogs.models import Region
from disclosures.models import DisclosureRecord
from disclosures.records import metadata
from disclosures.records import services as record_services
from tests.builders import LILOU, at, item_for, publish_record

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("41", "河南省民政厅"),
        ("410311", "洛龙区民政局"),
        ("410311012", "李楼街道办事处"),
    ],
)
def test_default_issuer_is_the_regions_office(code, expected):
    assert metadata.default_issuer(Region.objects.get(code=code)) == expected


def test_a_township_town_is_issued_by_its_government():
    region = Region(code="410322100", name="城关镇", level=Region.Level.TOWNSHIP)
    assert metadata.default_issuer(region) == "城关镇人民政府"


def test_published_records_get_sequential_index_numbers_per_region_and_year(portal):
    first = publish_record(title="第一条", published_on=date(2025, 3, 3))
    second = publish_record(title="第二条", published_on=date(2025, 3, 4))
    next_year = publish_record(title="次年第一条", published_on=date(2026, 1, 5))
    county = publish_record(
        region_code="410311",
        title="县级第一条",
        item_name="审批信息",
        published_on=date(2025, 3, 5),
    )
    assert first.index_number == "410311012/2025-00001"
    assert second.index_number == "410311012/2025-00002"
    assert next_year.index_number == "410311012/2026-00001"
    assert county.index_number == "410311/2025-00001"


def test_a_draft_has_no_index_number_until_it_is_published(portal):
    draft = record_services.record_create(
        region=Region.objects.get(code=LILOU),
        item=item_for(LILOU, "审核信息"),
        trigger_date=timezone.localdate() - timedelta(days=2),
        title="草稿",
        actor=None,
    )
    assert draft.index_number is None
    record_services.record_publish(record=draft, actor=None)
    draft.refresh_from_db()
    assert draft.index_number.startswith(f"{LILOU}/{timezone.localdate().year}-")


def test_the_index_number_is_stable_through_corrections_and_withdrawal(portal):
    record = publish_record(title="原标题", published_on=date(2025, 5, 6))
    number = record.index_number
    record_services.record_correct(
        record=record, title="新标题", body=record.body, reason="更正笔误", actor=None
    )
    record_services.record_set_metadata(
        record=record,
        issuer="李楼街道办事处社会事务办公室",
        written_date=date(2025, 5, 1),
        document_number="李楼办〔2025〕3号",
        topic="社会救助",
        actor=None,
    )
    record_services.record_withdraw(record=record, reason="信息有误", actor=None)
    record.refresh_from_db()
    assert record.index_number == number
    # A later record does not take the withdrawn record's number.
    later = publish_record(title="后一条", published_on=date(2025, 5, 7))
    assert later.index_number == f"{LILOU}/2025-00002"


def test_defaults_written_date_issuer_and_topic(portal):
    record = publish_record(published_on=date(2025, 5, 6), trigger_days_before=4)
    assert record.written_date == date(2025, 5, 2)
    assert record.issuer == "李楼街道办事处"
    assert record.topic == "社会救助"
    assert record.document_number == ""


def test_metadata_given_at_registration_is_kept(portal):
    record = record_services.record_create(
        region=Region.objects.get(code=LILOU),
        item=item_for(LILOU, "审核信息"),
        trigger_date=date(2025, 6, 3),
        title="带文号的公示",
        actor=None,
        publish=record_services.PUBLISH_NOW,
        now=at(date(2025, 6, 5)),
        issuer="李楼街道社会事务办",
        written_date=date(2025, 6, 2),
        document_number="李楼办〔2025〕7号",
        topic="社会救助",
    )
    assert (record.issuer, record.written_date, record.document_number) == (
        "李楼街道社会事务办",
        date(2025, 6, 2),
        "李楼办〔2025〕7号",
    )


def test_a_written_date_in_the_future_is_refused_naming_the_field(portal):
    record = publish_record(published_on=date(2025, 5, 6))
    with pytest.raises(ValidationError) as exc:
        record_services.record_set_metadata(
            record=record,
            issuer="",
            written_date=timezone.localdate() + timedelta(days=3),
            actor=None,
        )
    assert "written_date" in exc.value.message_dict
    assert "成文日期" in exc.value.message_dict["written_date"][0]


def test_an_identifier_in_the_document_number_is_refused_by_the_gate(portal):
    record = publish_record(published_on=date(2025, 5, 6))
    with pytest.raises(ValidationError) as exc:
        record_services.record_set_metadata(
            record=record,
            issuer="",
            written_date=None,
            document_number="联系13812345678",
            actor=None,
        )
    assert "文号第3个字符起有" in exc.value.message_dict["document_number"][0]
    record.refresh_from_db()
    assert record.document_number == ""


def test_metadata_changes_are_audited(portal):
    from catalogs.models import AuditLogEntry

    record = publish_record(published_on=date(2025, 5, 6))
    record_services.record_set_metadata(
        record=record,
        issuer="",
        written_date=None,
        document_number="李楼办〔2025〕9号",
        actor=None,
    )
    entry = AuditLogEntry.objects.get(action="disclosures.record.metadata_changed")
    assert entry.data["fields"] == ["document_number"]


def test_the_record_page_shows_the_header_block(portal, client):
    record = record_services.record_create(
        region=Region.objects.get(code=LILOU),
        item=item_for(LILOU, "审核信息"),
        trigger_date=date(2025, 6, 3),
        title="带文号的公示",
        actor=None,
        publish=record_services.PUBLISH_NOW,
        now=at(date(2025, 6, 5)),
        written_date=date(2025, 6, 2),
        document_number="李楼办〔2025〕7号",
    )
    html = client.get(record.get_absolute_url()).content.decode()
    block = html[html.index('id="record-meta"') : html.index("</table>")]
    for text in (
        "索引号",
        record.index_number,
        "发布机构",
        "李楼街道办事处",
        "成文日期",
        "2025年6月2日",
        "发布日期",
        "2025年6月5日",
        "文号",
        "李楼办〔2025〕7号",
        "主题分类",
        "社会救助",
    ):
        assert text in block, text


def test_search_filters_by_index_number_document_number_and_topic(portal, client):
    wanted = record_services.record_create(
        region=Region.objects.get(code=LILOU),
        item=item_for(LILOU, "审核信息"),
        trigger_date=date(2025, 6, 3),
        title="甲公示",
        actor=None,
        publish=record_services.PUBLISH_NOW,
        now=at(date(2025, 6, 5)),
        document_number="李楼办〔2025〕7号",
    )
    other = publish_record(title="乙公示", published_on=date(2025, 6, 6))
    url = reverse("disclosures:search")

    def titles(**params):
        page = client.get(url, params)
        return {r.title for r in page.context["records"]}

    assert titles(number=wanted.index_number) == {"甲公示"}
    assert titles(number="〔2025〕7号") == {"甲公示"}
    assert titles(number=f"{LILOU}/2025-") == {"甲公示", "乙公示"}
    assert titles(topic="社会救助", number=f"{LILOU}/2025-") == {"甲公示", "乙公示"}
    assert titles(topic="政务公开", number=f"{LILOU}/2025-") == set()
    assert other.index_number != wanted.index_number


def test_the_migration_backfill_numbers_records_in_publication_order():
    """The data step of 0010: same format and order as the service."""
    import importlib

    module = importlib.import_module(
        "disclosures.migrations.0010_record_column_metadata"
    )
    assert module._default_issuer("洛龙区", "county") == "洛龙区民政局"
    assert module._default_issuer("李楼街道", "township") == "李楼街道办事处"
    assert DisclosureRecord._meta.get_field("index_number").unique
