"""The annual report (SPEC §13): counted figures equal independent counts, entered
figures are 待填写 until entered, publishing is refused until complete and then
makes a public record with the docx; reminders before the deadlines."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from django.core.exceptions import ValidationError
from django.utils import timezone

from catalogs.models import AuditLogEntry, Region
from disclosures.models import DisclosureRecord
from onrequest.outcomes import APPLICANT_KIND_KEYS, OUTCOME_KEYS
from opengov import layout, selectors, services
from opengov.models import AnnualReport
from tests.builders import LILOU, LUOLONG, publish_record

from .builders import a_year_of_applications, application

pytestmark = pytest.mark.django_db

TOTAL = layout.TOTAL


def _independent_table(applications, year: int) -> dict[str, Counter]:
    """Table 三 counted by hand from the applications' dates and outcomes."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    table: dict[str, Counter] = {}

    def add(row, kind):
        table.setdefault(row, Counter())[kind] += 1
        table[row][TOTAL] += 1

    for a in applications:
        if a.received_on is None:
            continue
        replied = a.replied_on
        if first <= a.received_on <= last:
            add("received", a.applicant_kind)
        if a.received_on < first and (replied is None or replied >= first):
            add("carried_in", a.applicant_kind)
        if a.received_on <= last and (replied is None or replied > last):
            add("carried_out", a.applicant_kind)
        if replied is not None and first <= replied <= last:
            add(a.outcome, a.applicant_kind)
            add("total_handled", a.applicant_kind)
    return table


def _report_table(data) -> dict[str, dict[str, int]]:
    columns = [key for key, _label in layout.TABLE3_COLUMNS]
    return {
        entry["row"].key: {
            column: cell.value
            for column, cell in zip(columns, entry["cells"], strict=True)
        }
        for entry in data.table3
    }


def _full_figures() -> dict[str, str]:
    figures = dict.fromkeys(layout.entered_keys(), "0")
    figures["t2.licensing.decisions"] = "12"
    figures["t2.fees.amount"] = "3.25"
    figures["t4.review.upheld"] = "2"
    figures["t4.direct.pending"] = "1"
    return figures


TEXTS = {
    "overview": "2025年，本机关认真贯彻《条例》。",
    "problems": "公开内容还不够及时，下一步加强培训。",
    "other_matters": "无。",
}


@pytest.fixture
def luolong(portal):
    return Region.objects.get(code=LUOLONG)


def test_table_three_and_records_equal_independent_counts(luolong, county_clerk):
    """洛龙区 2025: every cell of table 三 (applicant kind × outcome, carried over in
    and out) and the records published equal a count made by hand, for the
    county alone and with its townships rolled up."""
    county_apps = a_year_of_applications(LUOLONG)
    township_apps = a_year_of_applications(LILOU)
    application("410307", kind="business", received=date(2025, 4, 1))  # 偃师区
    publish_record(
        region_code=LUOLONG,
        title="县级",
        item_name="审批信息",
        published_on=date(2025, 5, 6),
    )
    publish_record(title="乡级一", published_on=date(2025, 7, 1))
    publish_record(title="乡级二", published_on=date(2025, 8, 1))
    publish_record(title="上一年", published_on=date(2024, 12, 30))

    for roll_up, apps, records in (
        (False, county_apps, 1),
        (True, county_apps + township_apps, 3),
    ):
        report = services.report_create(
            region=luolong, year=2025, actor=county_clerk, include_subregions=roll_up
        )
        data = selectors.report_data(report)
        expected = _independent_table(apps, 2025)
        table = _report_table(data)
        assert set(table) == {
            "received",
            "carried_in",
            *OUTCOME_KEYS,
            "total_handled",
            "carried_out",
        }
        for row, counts in table.items():
            for column, value in counts.items():
                assert value == expected.get(row, Counter())[column], (row, column)
        # The official 勾稽关系: 一 + 二 = 三(七)总计 + 四.
        assert (
            table["received"][TOTAL] + table["carried_in"][TOTAL]
            == table["total_handled"][TOTAL] + table["carried_out"][TOTAL]
        )
        assert data.records_total == records
        assert all(cell.locked for entry in data.table3 for cell in entry["cells"])
        report.delete()


def test_every_counted_cell_links_to_a_list_of_that_length(luolong, county_clerk):
    a_year_of_applications(LUOLONG)
    a_year_of_applications(LILOU)
    report = services.report_create(
        region=luolong, year=2025, actor=county_clerk, include_subregions=True
    )
    data = selectors.report_data(report)
    for entry in data.table3:
        for cell in entry["cells"]:
            _pk, row, column = cell.count_url_args
            assert selectors.applications_counted(report, row, column).count() == (
                cell.value
            ), (row, column)


def test_a_year_without_data_shows_zero_where_known_and_to_fill_elsewhere(
    portal, township_clerk
):
    """李楼街道 2024: no applications, no records. Counted figures are 0; every
    entered figure and text section is 待填写 and publishing is refused, naming them."""
    township = Region.objects.get(code=LILOU)
    report = services.report_create(region=township, year=2024, actor=township_clerk)
    report.overview = ""
    data = selectors.report_data(report)
    assert data.records_total == 0
    assert {cell.display for e in data.table3 for cell in e["cells"]} == {"0"}
    entered = [c for e in data.table2 for r in e["rows"] for c in r["cells"]]
    entered += [c for c in data.table4 if not c.locked]
    assert len(entered) == len(layout.entered_keys())
    assert {c.display for c in entered} == {"待填写"}
    # The 总计 of table 四 cannot be summed before its parts are entered.
    assert {c.display for c in data.table4 if c.locked} == {"待填写"}
    assert len(data.missing) == len(layout.entered_keys()) + 3
    report.save()
    with pytest.raises(ValidationError) as exc:
        services.report_publish(report=report, actor=township_clerk)
    messages = exc.value.messages
    assert messages[0] == "年度报告还有内容待填写，不能发布："
    assert "表二“行政许可”的“本年处理决定数量”尚未填写。" in messages
    assert "表四“复议后起诉”的“尚未审结”尚未填写。" in messages
    assert "“五、存在的主要问题及改进情况”尚未填写。" in messages
    assert not DisclosureRecord.objects.filter(region_id=LILOU).exists()


def test_a_new_draft_has_section_one_written_from_the_counts(luolong, county_clerk):
    a_year_of_applications(LUOLONG)
    publish_record(
        region_code=LUOLONG,
        title="县级",
        item_name="审批信息",
        published_on=date(2025, 5, 6),
    )
    report = services.report_create(region=luolong, year=2025, actor=county_clerk)
    assert (
        "洛龙区民政局通过基层政务公开标准目录平台主动公开政府信息1条" in report.overview
    )
    assert (
        "本年新收政府信息公开申请25件，上年结转2件，办结25件，结转下年度继续办理2件。"
        in report.overview
    )
    # The parts the portal cannot know are marked, and hold publication back.
    data = selectors.report_data(report)
    assert "“一、总体情况”中还有“待填写”的内容，请补充后删除该标记。" in data.missing
    assert AuditLogEntry.objects.filter(action="opengov.report.created").count() == 1


def test_one_report_per_region_and_year_and_no_future_year(luolong, county_clerk):
    services.report_create(region=luolong, year=2025, actor=county_clerk)
    with pytest.raises(ValidationError, match="已经存在"):
        services.report_create(region=luolong, year=2025, actor=county_clerk)
    with pytest.raises(ValidationError, match="尚未开始"):
        services.report_create(
            region=luolong, year=timezone.localdate().year + 1, actor=county_clerk
        )


def test_only_a_county_rolls_up_and_only_counties_and_townships_report(
    portal, township_clerk
):
    with pytest.raises(ValidationError, match="只有县级报告可以汇总"):
        services.report_create(
            region=Region.objects.get(code=LILOU),
            year=2025,
            actor=township_clerk,
            include_subregions=True,
        )
    with pytest.raises(ValidationError, match="洛阳市不在此列"):
        services.report_create(
            region=Region.objects.get(code="4103"), year=2025, actor=None
        )


@pytest.mark.parametrize(
    ("key", "raw", "message"),
    [
        (
            "t2.licensing.decisions",
            "-1",
            "表二“行政许可”的“本年处理决定数量”应为不小于0的整数",
        ),
        ("t2.licensing.decisions", "1.5", "应为不小于0的整数"),
        ("t4.review.upheld", "两件", "表四“行政复议”的“结果维持”应为不小于0的整数"),
        (
            "t2.fees.amount",
            "abc",
            "表二“行政事业性收费”的“本年收费金额（单位：万元）”应为不小于0的金额",
        ),
        ("t2.fees.amount", "1.23456", "最多保留4位小数"),
    ],
)
def test_bad_figures_are_refused_naming_the_cell(
    luolong, county_clerk, key, raw, message
):
    report = services.report_create(region=luolong, year=2025, actor=county_clerk)
    with pytest.raises(ValidationError) as exc:
        services.report_update(
            report=report, texts=TEXTS, figures={key: raw}, actor=county_clerk
        )
    assert message in exc.value.message_dict[key][0]
    report.refresh_from_db()
    assert report.figures == {}


def test_counted_figures_cannot_be_entered(luolong, county_clerk):
    report = services.report_create(region=luolong, year=2025, actor=county_clerk)
    with pytest.raises(ValidationError, match="表三的数据由平台根据依申请公开记录统计"):
        services.report_update(
            report=report,
            texts=TEXTS,
            figures={"t3.received.total": "5"},
            actor=county_clerk,
        )


def test_an_identifier_in_a_text_section_is_refused(luolong, county_clerk):
    report = services.report_create(region=luolong, year=2025, actor=county_clerk)
    with pytest.raises(ValidationError) as exc:
        services.report_update(
            report=report,
            texts={**TEXTS, "problems": "群众反映请拨打13812345678"},
            figures={},
            actor=county_clerk,
        )
    assert (
        "“五、存在的主要问题及改进情况”第1行第8个字符起有"
        in (exc.value.message_dict["problems"][0])
    )


def test_publishing_a_complete_report_makes_a_public_record(
    luolong, county_clerk, client
):
    report = services.report_create(region=luolong, year=2025, actor=county_clerk)
    services.report_update(
        report=report, texts=TEXTS, figures=_full_figures(), actor=county_clerk
    )
    data = selectors.report_data(report)
    assert data.complete
    assert [c.value for c in data.table4][:5] == [2, 0, 0, 0, 2]
    services.report_publish(report=report, actor=county_clerk)
    report.refresh_from_db()
    record = report.record
    assert report.is_published and record.status == "published"
    assert record.title == "洛龙区民政局2025年政府信息公开工作年度报告"
    assert record.topic == "政务公开"
    assert record.index_number.startswith("410311/")
    assert record.item.category.name == "综合业务"
    attachment = record.attachments.get()
    assert attachment.original_name.endswith(".docx") and attachment.is_publishable
    assert "公开内容还不够及时" in record.body
    page = client.get("/r/410311/reports/")
    assert page.status_code == 200
    html = page.content.decode()
    assert record.title in html and record.index_number in html
    assert f"/records/{record.pk}/attachments/{attachment.pk}/" in html
    with pytest.raises(ValidationError, match="已发布的年度报告不能修改"):
        services.report_update(report=report, texts=TEXTS, figures={}, actor=None)
    with pytest.raises(ValidationError, match="已经发布"):
        services.report_publish(report=report, actor=county_clerk)
    assert AuditLogEntry.objects.filter(action="opengov.report.published").exists()


def test_a_withdrawn_report_record_leaves_the_reports_page(
    luolong, county_clerk, client
):
    from disclosures.records import services as record_services

    report = services.report_create(region=luolong, year=2025, actor=county_clerk)
    services.report_update(
        report=report, texts=TEXTS, figures=_full_figures(), actor=county_clerk
    )
    services.report_publish(report=report, actor=county_clerk)
    record_services.record_withdraw(
        record=report.record, reason="数据有误", actor=county_clerk
    )
    html = client.get("/r/410311/reports/").content.decode()
    assert report.record.title not in html
    assert "尚未在本平台发布" in html


# --------------------------------------------------------------------------- reminders


@pytest.mark.parametrize(
    ("code", "due"),
    [("410311", date(2026, 1, 31)), ("410311012", date(2026, 3, 31))],
)
def test_deadlines_departments_31_january_governments_31_march(portal, code, due):
    assert selectors.report_deadline(Region.objects.get(code=code), 2025) == due


def test_reminders_before_the_deadline_until_published(luolong, county_clerk):
    # Last year's report, never published, stays overdue; this year's is not due yet.
    earlier = selectors.report_reminder(luolong, today=date(2025, 12, 1))
    assert (earlier.year, earlier.overdue) == (2024, True)
    AnnualReport.objects.create(
        region=luolong,
        year=2024,
        status="published",
        record=publish_record(
            region_code=LUOLONG,
            title="2024年报",
            item_name="审批信息",
            published_on=date(2025, 1, 20),
        ),
        published_at=timezone.now(),
    )
    assert selectors.report_reminder(luolong, today=date(2025, 12, 1)) is None
    assert selectors.report_reminder(luolong, today=date(2025, 12, 20)).year == 2025
    reminder = selectors.report_reminder(luolong, today=date(2026, 1, 5))
    assert (reminder.year, reminder.due, reminder.days_left) == (
        2025,
        date(2026, 1, 31),
        26,
    )
    assert reminder.report is None and not reminder.overdue
    late = selectors.report_reminder(luolong, today=date(2026, 2, 3))
    assert late.overdue
    township = Region.objects.get(code=LILOU)
    assert selectors.report_reminder(township, today=date(2026, 2, 1)) is None
    assert selectors.report_reminder(township, today=date(2026, 3, 1)).due == date(
        2026, 3, 31
    )
    report = services.report_create(region=luolong, year=2025, actor=county_clerk)
    assert selectors.report_reminder(luolong, today=date(2026, 1, 5)).report == report
    services.report_update(
        report=report, texts=TEXTS, figures=_full_figures(), actor=county_clerk
    )
    services.report_publish(report=report, actor=county_clerk)
    assert selectors.report_reminder(luolong, today=date(2026, 1, 5)) is None
    assert selectors.report_reminder(Region.objects.get(code="4103")) is None


def test_applicant_kinds_are_the_table_columns():
    assert [k for k, _l in layout.TABLE3_COLUMNS] == [*APPLICANT_KIND_KEYS, TOTAL]
    assert AnnualReport._meta.get_field("figures").default is dict
