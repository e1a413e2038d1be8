"""Editing the official calendar: services, the signal, the cache, and the admin."""

from __future__ import annotations

from datetime import date

import pytest

from django.core.exceptions import ValidationError

from catalogs import calendar as calendar_services
from catalogs.deadlines import compute_due, parse_rule
from catalogs.models import AuditLogEntry, CalendarDay, CalendarYear
from catalogs.selectors import forget_work_calendar, work_calendar
from catalogs.signals import calendar_changed

pytestmark = pytest.mark.django_db

TEN_DAYS = parse_rule("制定或获取信息之日起10个工作日内")


@pytest.fixture(autouse=True)
def fresh_calendar():
    forget_work_calendar()
    yield
    forget_work_calendar()


@pytest.fixture
def received():
    calls = []

    def receiver(sender, **kwargs):
        calls.append((kwargs["first"], kwargs["last"]))

    calendar_changed.connect(receiver, dispatch_uid="test_calendar_receiver")
    yield calls
    calendar_changed.disconnect(dispatch_uid="test_calendar_receiver")


def test_seeded_calendar_has_2025_national_day_and_make_up_saturday():
    assert CalendarDay.objects.get(date=date(2025, 10, 1)).kind == "holiday"
    assert CalendarDay.objects.get(date=date(2025, 10, 11)).kind == "workday"
    assert compute_due(TEN_DAYS, date(2025, 9, 26), work_calendar()).due == date(
        2025, 10, 16
    )


def test_added_holiday_is_used_at_once_logged_and_signalled(province_admin, received):
    before = work_calendar()  # cached
    assert compute_due(TEN_DAYS, date(2025, 3, 3), before).due == date(2025, 3, 17)
    calendar_services.calendar_day_set(
        day=date(2025, 3, 10), kind="holiday", name="测试", actor=province_admin
    )
    after = work_calendar()
    assert compute_due(TEN_DAYS, date(2025, 3, 3), after).due == date(2025, 3, 18)
    assert after.version != before.version
    assert received == [(date(2025, 3, 10), date(2025, 3, 10))]
    entry = AuditLogEntry.objects.get(action="catalogs.calendar.day_set")
    assert entry.actor == province_admin and entry.data["date"] == "2025-03-10"


def test_setting_the_same_entry_again_changes_nothing(province_admin, received):
    calendar_services.calendar_day_set(
        day=date(2025, 10, 1), kind="holiday", name="国庆节", actor=province_admin
    )
    assert received == []
    assert not AuditLogEntry.objects.filter(action="catalogs.calendar.day_set").exists()


def test_make_up_day_on_a_weekday_is_refused(province_admin, received):
    with pytest.raises(ValidationError, match="调休上班日只能是周六或周日"):
        calendar_services.calendar_day_set(
            day=date(2025, 3, 12), kind="workday", actor=province_admin
        )
    assert received == []
    assert not CalendarDay.objects.filter(date=date(2025, 3, 12)).exists()


def test_make_up_saturday_counts_as_working_day(province_admin):
    # Saturday 2025-03-15 made a working day: due one day earlier (3/15 instead of 3/17).
    calendar_services.calendar_day_set(
        day=date(2025, 3, 15), kind="workday", name="测试调休", actor=province_admin
    )
    assert compute_due(TEN_DAYS, date(2025, 3, 3), work_calendar()).due == date(
        2025, 3, 15
    )


def test_remove_and_move_entries(province_admin, received):
    assert (
        calendar_services.calendar_day_remove(
            day=date(2025, 10, 11), actor=province_admin
        )
        is True
    )
    assert not CalendarDay.objects.filter(date=date(2025, 10, 11)).exists()
    assert (
        calendar_services.calendar_day_remove(
            day=date(2025, 10, 11), actor=province_admin
        )
        is False
    )
    # 10 working days from 9/26 without the make-up Saturday 10/11: 10/17.
    assert compute_due(TEN_DAYS, date(2025, 9, 26), work_calendar()).due == date(
        2025, 10, 17
    )
    calendar_services.calendar_day_set(
        day=date(2025, 10, 12),
        kind="workday",
        name="国庆节",
        actor=province_admin,
        previous_date=date(2025, 10, 9),
    )
    assert not CalendarDay.objects.filter(date=date(2025, 10, 9)).exists()
    assert received[-1] == (date(2025, 10, 9), date(2025, 10, 12))
    assert (
        AuditLogEntry.objects.filter(action="catalogs.calendar.day_removed").count()
        == 1
    )


def test_mark_year_official(province_admin, received):
    assert compute_due(TEN_DAYS, date(2027, 3, 1), work_calendar()).provisional is True
    year = calendar_services.calendar_year_mark_official(
        year=2027, source="国务院办公厅通知", actor=province_admin
    )
    assert year.official and year.source == "国务院办公厅通知"
    assert compute_due(TEN_DAYS, date(2027, 3, 1), work_calendar()).provisional is False
    assert received == [(date(2027, 1, 1), date(2027, 12, 31))]
    calendar_services.calendar_year_mark_official(
        year=2027, official=False, actor=province_admin
    )
    assert compute_due(TEN_DAYS, date(2027, 3, 1), work_calendar()).provisional is True


def test_next_year_missing_from_november_on(province_admin):
    assert (
        calendar_services.calendar_next_year_missing(today=date(2026, 10, 31)) is None
    )
    assert calendar_services.calendar_next_year_missing(today=date(2026, 11, 1)) == 2027
    assert (
        calendar_services.calendar_next_year_missing(today=date(2025, 12, 1)) is None
    )  # 2026 is in the package
    CalendarYear.objects.create(year=2027, official=True, source="test")
    assert calendar_services.calendar_next_year_missing(today=date(2026, 11, 1)) is None


# --- admin --------------------------------------------------------------------------------

WARNING = "2027年的节假日和调休安排尚未录入"


def test_admin_warns_province_admin_in_november(client, province_admin, monkeypatch):
    monkeypatch.setattr(calendar_services, "_today", lambda: date(2026, 11, 20))
    client.force_login(province_admin)
    for url in (
        "/admin/",
        "/admin/catalogs/calendarday/",
        "/admin/catalogs/calendaryear/",
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert WARNING in response.content.decode(), url


def test_admin_does_not_warn_in_october_or_once_entered(
    client, province_admin, monkeypatch
):
    client.force_login(province_admin)
    monkeypatch.setattr(calendar_services, "_today", lambda: date(2026, 10, 20))
    assert WARNING not in client.get("/admin/").content.decode()
    monkeypatch.setattr(calendar_services, "_today", lambda: date(2026, 11, 20))
    calendar_services.calendar_year_mark_official(
        year=2027, source="通知", actor=province_admin
    )
    assert WARNING not in client.get("/admin/").content.decode()


def test_admin_does_not_warn_county_clerks_nor_let_them_edit(
    client, county_clerk, monkeypatch
):
    monkeypatch.setattr(calendar_services, "_today", lambda: date(2026, 11, 20))
    client.force_login(county_clerk)
    assert WARNING not in client.get("/admin/").content.decode()
    assert client.get("/admin/catalogs/calendarday/").status_code == 403
    response = client.post(
        "/admin/catalogs/calendarday/add/", {"date": "2025-03-10", "kind": "holiday"}
    )
    assert response.status_code == 403
    assert not CalendarDay.objects.filter(date=date(2025, 3, 10)).exists()


def test_admin_refuses_make_up_weekday_with_message(client, province_admin):
    client.force_login(province_admin)
    response = client.post(
        "/admin/catalogs/calendarday/add/",
        {"date": "2025-03-12", "kind": "workday", "name": "x"},
    )
    assert response.status_code == 200
    assert "调休上班日只能是周六或周日" in response.content.decode()
    assert not CalendarDay.objects.filter(date=date(2025, 3, 12)).exists()


def test_admin_change_and_delete_go_through_services(client, province_admin):
    client.force_login(province_admin)
    day = CalendarDay.objects.get(date=date(2025, 10, 11))
    response = client.post(
        f"/admin/catalogs/calendarday/{day.pk}/change/",
        {"date": "2025-10-12", "kind": "workday", "name": "国庆节"},
    )
    assert response.status_code == 302
    assert CalendarDay.objects.filter(date=date(2025, 10, 12)).exists()
    assert not CalendarDay.objects.filter(date=date(2025, 10, 11)).exists()
    moved = CalendarDay.objects.get(date=date(2025, 10, 12))
    response = client.post(
        f"/admin/catalogs/calendarday/{moved.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 302
    assert not CalendarDay.objects.filter(date=date(2025, 10, 12)).exists()
    assert AuditLogEntry.objects.filter(
        action="catalogs.calendar.day_removed", actor=province_admin
    ).exists()
    # Bulk delete from the change list too.
    ids = list(
        CalendarDay.objects.filter(
            date__range=(date(2025, 10, 1), date(2025, 10, 3))
        ).values_list("pk", flat=True)
    )
    response = client.post(
        "/admin/catalogs/calendarday/",
        {"action": "delete_selected", "_selected_action": ids, "post": "yes"},
    )
    assert response.status_code == 302
    assert not CalendarDay.objects.filter(
        date__range=(date(2025, 10, 1), date(2025, 10, 3))
    ).exists()
    assert (
        AuditLogEntry.objects.filter(action="catalogs.calendar.day_removed").count()
        == 4
    )


def test_admin_marks_year_official(client, province_admin):
    client.force_login(province_admin)
    response = client.post(
        "/admin/catalogs/calendaryear/add/",
        {"year": "2027", "official": "on", "source": "国办通知"},
    )
    assert response.status_code == 302
    assert CalendarYear.objects.get(year=2027).official
    assert AuditLogEntry.objects.filter(
        action="catalogs.calendar.year_marked", actor=province_admin
    ).exists()
