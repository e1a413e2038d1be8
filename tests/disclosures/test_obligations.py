"""Obligations: periodic generation, on time / late / missed, withdrawal, calendar
changes (service and admin), reminders and the cron commands."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest

from django.core import mail
from django.core.management import call_command

from catalogs import calendar as calendar_services
from catalogs.models import AuditLogEntry, CalendarDay, Region
from disclosures.models import DisclosureRecord, Obligation
from disclosures.records import obligations as obligation_services
from disclosures.records import reminders as reminder_services
from disclosures.records import services as record_services
from tests.disclosures.builders import at

# `fresh_calendar` (tests/disclosures/conftest.py): no test sees another's calendar edits.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_calendar")]

LUOLONG_TOWNSHIPS = 18  # official townships of 洛龙区 in henan_regions.csv
HENAN_TOWNSHIPS = 2467  # official townships of 河南省: the province template's item


def quarter_obligations(code_prefix="410311", start=date(2025, 7, 1)):
    return Obligation.objects.filter(
        region__code__startswith=code_prefix, period_start=start
    )


# --- periodic generation ------------------------------------------------------------------


def test_quarterly_item_creates_one_obligation_per_official_township(quarterly_item):
    created = obligation_services.obligation_generate_periodic(on=date(2025, 8, 15))
    obligations = quarter_obligations()
    # The item is the province template's (issue 16), so every official
    # township of the province owes it, 洛龙区's 18 among them.
    assert created == HENAN_TOWNSHIPS
    assert obligations.count() == LUOLONG_TOWNSHIPS
    assert set(obligations.values_list("region__level", flat=True)) == {"township"}
    assert set(obligations.values_list("region__official", flat=True)) == {True}
    ob = obligations.get(region_id="410311012")
    assert (ob.period_start, ob.period_end, ob.due_date) == (
        date(2025, 7, 1),
        date(2025, 9, 30),
        date(2025, 9, 30),
    )
    assert ob.title == "临时救助审核审批结果（2025年第3季度）"
    assert ob.rule_text == "每季度末"
    assert Obligation.objects.filter(region__code__startswith="4101").exists()
    assert not Obligation.objects.exclude(region__level="township").exists()
    # Idempotent.
    assert obligation_services.obligation_generate_periodic(on=date(2025, 9, 1)) == 0
    assert quarter_obligations().count() == LUOLONG_TOWNSHIPS


def test_quarter_end_on_a_rest_day_moves_to_next_working_day(quarterly_item):
    # 2025-12-31 is a Wednesday, 2024-12-31 a Tuesday; 2023-12-31 was a Sunday (元旦 block).
    obligation_services.obligation_generate_periodic(
        on=date(2023, 11, 1), region_code="410311012"
    )
    assert Obligation.objects.get(
        region_id="410311012", period_start=date(2023, 10, 1)
    ).due_date == date(2024, 1, 2)


def test_generation_query_count_does_not_grow_with_regions(
    quarterly_item, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        obligation_services.obligation_generate_periodic(
            on=date(2025, 8, 15), region_code="410311"
        )
    assert quarter_obligations().count() == LUOLONG_TOWNSHIPS


def test_record_for_periodic_item_joins_the_period_obligation(
    quarterly_item, lilou, township_clerk
):
    obligation_services.obligation_generate_periodic(on=date(2025, 8, 15))
    record = record_services.record_create(
        region=lilou,
        item=quarterly_item,
        trigger_date=date(2025, 9, 26),
        title="第三季度",
        actor=township_clerk,
        publish=record_services.PUBLISH_NOW,
        now=at(2025, 9, 26),
    )
    ob = quarter_obligations().get(region_id="410311012")
    assert record.obligation_id == ob.pk
    ob.refresh_from_db()
    assert ob.status == Obligation.Status.ON_TIME
    assert quarter_obligations().count() == LUOLONG_TOWNSHIPS  # no extra obligation


def test_catalog_publication_generates_current_period(
    templates, county_clerk, city_reviewer, django_capture_on_commit_callbacks
):
    from demo.records import ensure_quarterly_item

    with django_capture_on_commit_callbacks(execute=True):
        ensure_quarterly_item(
            county_user=county_clerk,
            city_user=city_reviewer,
            published_at=at(2024, 12, 1),
        )
    assert (
        Obligation.objects.filter(
            region__code__startswith="410311", period_start__isnull=False
        ).count()
        == LUOLONG_TOWNSHIPS
    )


# --- on time, late, missed, withdrawn ------------------------------------------------------


def test_quarter_with_missing_late_and_on_time_postings(quarterly_item, county_clerk):
    """One township posts on time, one late, one never: on_time / late / missed."""
    obligation_services.obligation_generate_periodic(on=date(2025, 8, 15))
    on_time, late, missing = (
        Region.objects.get(code=c) for c in ("410311012", "410311002", "410311003")
    )
    record_services.record_create(
        region=on_time,
        item=quarterly_item,
        trigger_date=date(2025, 9, 29),
        title="按时",
        actor=county_clerk,
        publish=record_services.PUBLISH_NOW,
        now=at(2025, 9, 30, 17),
    )
    record_services.record_create(
        region=late,
        item=quarterly_item,
        trigger_date=date(2025, 9, 30),
        title="逾期",
        actor=county_clerk,
        publish=record_services.PUBLISH_NOW,
        now=at(2025, 10, 9, 9),
    )
    obligations = {o.region_id: o for o in quarter_obligations()}
    assert obligations["410311012"].status == Obligation.Status.ON_TIME
    assert obligations["410311002"].status == Obligation.Status.LATE
    assert obligations["410311003"].status == Obligation.Status.OPEN
    missed = Obligation.objects.overdue(on=date(2025, 10, 9)).filter(
        period_start__isnull=False
    )
    assert missing.code in set(missed.values_list("region_id", flat=True))
    assert {"410311012", "410311002"}.isdisjoint(
        missed.values_list("region_id", flat=True)
    )
    # On the due day itself nothing is missed yet.
    assert not Obligation.objects.overdue(on=date(2025, 9, 30)).exists()


def test_withdrawn_record_no_longer_fulfils_its_obligation(
    quarterly_item, lilou, township_clerk
):
    obligation_services.obligation_generate_periodic(on=date(2025, 8, 15))
    record = record_services.record_create(
        region=lilou,
        item=quarterly_item,
        trigger_date=date(2025, 9, 26),
        title="第三季度",
        actor=township_clerk,
        publish=record_services.PUBLISH_NOW,
        now=at(2025, 9, 26),
    )
    record_services.record_withdraw(
        record=record, reason="名单有误", actor=township_clerk, now=at(2025, 10, 10)
    )
    ob = quarter_obligations().get(region_id="410311012")
    assert ob.status == Obligation.Status.OPEN and ob.fulfilled_at is None
    assert Obligation.objects.overdue(on=date(2025, 10, 10)).filter(pk=ob.pk).exists()
    # A periodic obligation is never cancelled by a withdrawal.
    assert Obligation.objects.filter(pk=ob.pk).exists()


# --- calendar changes ----------------------------------------------------------------------


@pytest.fixture
def open_and_closed(policy_item, county, county_clerk):
    """Two obligations triggered Monday 2025-03-03 (due Monday 3/17): one open, one closed."""
    open_record = record_services.record_create(
        region=county,
        item=policy_item,
        trigger_date=date(2025, 3, 3),
        title="未公开",
        actor=county_clerk,
        now=at(2025, 3, 4),
    )
    closed_record = record_services.record_create(
        region=county,
        item=policy_item,
        trigger_date=date(2025, 3, 3),
        title="已公开",
        actor=county_clerk,
        publish=record_services.PUBLISH_NOW,
        now=at(2025, 3, 5),
    )
    return open_record, closed_record


def test_holiday_added_through_service_moves_open_due_date_only(
    open_and_closed, province_admin
):
    open_record, closed_record = open_and_closed
    calendar_services.calendar_day_set(
        day=date(2025, 3, 10),
        kind=CalendarDay.Kind.HOLIDAY,
        name="测试假日",
        actor=province_admin,
    )
    open_ob, closed_ob = (
        Obligation.objects.get(pk=r.obligation_id) for r in open_and_closed
    )
    assert open_ob.due_date == date(2025, 3, 18)
    assert closed_ob.due_date == date(2025, 3, 17)
    open_record.refresh_from_db()
    closed_record.refresh_from_db()
    assert open_record.due_date == date(2025, 3, 18)  # the draft follows its obligation
    assert closed_record.due_date == date(2025, 3, 17)
    assert open_ob.calendar_version != closed_ob.calendar_version
    entry = AuditLogEntry.objects.get(
        action="disclosures.obligation.recomputed", object_id=str(open_ob.pk)
    )
    assert entry.data["before"] == "2025-03-17" and entry.data["after"] == "2025-03-18"
    assert AuditLogEntry.objects.filter(action="catalogs.calendar.day_set").exists()
    # Removing the holiday moves it back.
    calendar_services.calendar_day_remove(day=date(2025, 3, 10), actor=province_admin)
    open_ob.refresh_from_db()
    assert open_ob.due_date == date(2025, 3, 17)


def test_holiday_added_through_admin_moves_open_due_date_only(
    open_and_closed, province_admin, client
):
    client.force_login(province_admin)
    response = client.post(
        "/admin/catalogs/calendarday/add/",
        {"date": "2025-03-10", "kind": "holiday", "name": "测试假日"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    open_ob, closed_ob = (
        Obligation.objects.get(pk=r.obligation_id) for r in open_and_closed
    )
    assert open_ob.due_date == date(2025, 3, 18)
    assert closed_ob.due_date == date(2025, 3, 17)
    assert AuditLogEntry.objects.filter(
        action="catalogs.calendar.day_set", actor=province_admin
    ).exists()


def test_holiday_outside_the_window_changes_nothing(open_and_closed, province_admin):
    calendar_services.calendar_day_set(
        day=date(2025, 3, 20),
        kind=CalendarDay.Kind.HOLIDAY,
        name="窗口之后",
        actor=province_admin,
    )
    open_ob = Obligation.objects.get(pk=open_and_closed[0].obligation_id)
    assert open_ob.due_date == date(2025, 3, 17)
    assert not AuditLogEntry.objects.filter(
        action="disclosures.obligation.recomputed"
    ).exists()


def test_marking_2027_official_ends_provisional_dates(
    policy_item, county, county_clerk, province_admin
):
    record = record_services.record_create(
        region=county,
        item=policy_item,
        trigger_date=date(2026, 12, 28),
        title="跨年",
        actor=county_clerk,
        now=at(2026, 12, 29),
    )
    assert record.obligation.due_provisional is True
    # The 2027 notice: 元旦 1/1–1/3 and a make-up working Sunday 1/10 (hypothetical).
    calendar_services.calendar_day_set(
        day=date(2027, 1, 1), kind="holiday", name="元旦", actor=province_admin
    )
    calendar_services.calendar_day_set(
        day=date(2027, 1, 10), kind="workday", name="元旦", actor=province_admin
    )
    calendar_services.calendar_year_mark_official(
        year=2027, source="国办发明电〔2026〕7号", actor=province_admin
    )
    ob = Obligation.objects.get(pk=record.obligation_id)
    assert ob.due_provisional is False
    # 12/29–31, 1/4–1/8, Sunday 1/10 (make-up) = 9, Monday 1/11 = 10.
    assert ob.due_date == date(2027, 1, 11)


# --- commands ------------------------------------------------------------------------------


def test_send_reminders_once_per_obligation_and_state(
    policy_item, county, county_clerk, make_user
):
    county_clerk.email = "clerk@example.org"
    county_clerk.save()
    record = record_services.record_create(
        region=county,
        item=policy_item,
        trigger_date=date(2025, 3, 3),
        title="待公开",
        actor=county_clerk,
        now=at(2025, 3, 4),
    )
    # Due Monday 3/17. On Wednesday 3/12 it is due within 3 working days (3/12–3/17).
    first = reminder_services.obligation_send_reminders(today=date(2025, 3, 12))
    assert (first.sent, first.obligations) == (1, 1)
    assert mail.outbox[0].to == ["clerk@example.org"]
    assert "即将到期" in mail.outbox[0].body and "2025-03-17" in mail.outbox[0].body
    assert (
        reminder_services.obligation_send_reminders(today=date(2025, 3, 13)).sent == 0
    )
    # Overdue is a new state: one more reminder, then silence.
    assert (
        reminder_services.obligation_send_reminders(today=date(2025, 3, 18)).sent == 1
    )
    assert "已逾期" in mail.outbox[1].body
    assert (
        reminder_services.obligation_send_reminders(today=date(2025, 3, 19)).sent == 0
    )
    ob = Obligation.objects.get(pk=record.obligation_id)
    assert ob.reminded_states == ["due_soon", "overdue"]
    assert len(mail.outbox) == 2


def test_region_without_email_is_not_marked(policy_item, county, county_clerk):
    record = record_services.record_create(
        region=county,
        item=policy_item,
        trigger_date=date(2025, 3, 3),
        title="待公开",
        actor=county_clerk,
        now=at(2025, 3, 4),
    )
    result = reminder_services.obligation_send_reminders(today=date(2025, 3, 18))
    assert (result.sent, result.without_recipient) == (0, 1)
    assert Obligation.objects.get(pk=record.obligation_id).reminded_states == []


def test_send_reminders_command_generates_period_and_reports(
    quarterly_item, county_clerk
):
    out, err = StringIO(), StringIO()
    call_command("send_reminders", "--date", "2025-09-26", stdout=out, stderr=err)
    assert "新建周期性公开义务2467项" in out.getvalue()  # every Henan township
    # Due 9/30 is within 3 working days of Friday 9/26, but nobody has an e-mail address.
    assert "2467项公开义务所在区划没有填写电子邮箱" in err.getvalue()
    assert len(mail.outbox) == 0


def test_publish_due_command(policy_item, county, county_clerk):
    from django.utils import timezone

    record = record_services.record_create(
        region=county,
        item=policy_item,
        trigger_date=date(2025, 3, 3),
        title="定时",
        actor=county_clerk,
        publish=record_services.PUBLISH_SCHEDULE,
        publish_at=at(2025, 3, 12, 9),
        now=at(2025, 3, 10),
    )
    out = StringIO()
    call_command("publish_due", stdout=out)  # real now is long after 2025-03-12
    assert "已发布1条" in out.getvalue()
    record.refresh_from_db()
    assert record.status == DisclosureRecord.Status.PUBLISHED
    assert record.obligation.status == Obligation.Status.ON_TIME
    assert record.publish_at < timezone.now()
    call_command("publish_due", stdout=out)
    assert "已发布0条" in out.getvalue()
