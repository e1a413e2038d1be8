"""The State Council holiday notice entered in one form (SPEC §4, issue 16)."""

from __future__ import annotations

from datetime import date

import pytest

from django.core.exceptions import ValidationError
from django.urls import reverse

from catalogs import calendar as calendar_services
from catalogs.deadlines import compute_due, parse_rule
from catalogs.models import AuditLogEntry, CalendarDay, CalendarYear
from catalogs.selectors import forget_work_calendar, work_calendar
from catalogs.signals import calendar_changed

pytestmark = pytest.mark.django_db

TEN_DAYS = parse_rule("制定或获取信息之日起10个工作日内")

# A made-up 2027 notice (the real one is not out yet): 春节 2/5–2/12 with
# make-up days Sun 1/31 and Sat 2/20.
HOLIDAYS = """元旦：1月1日至3日
春节：2月5日至12日（星期五至星期五）
劳动节 2027-05-01至2027-05-05
"""
WORKDAYS = "春节 1月31日（星期日）\n春节 2月20日"


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

    calendar_changed.connect(receiver, dispatch_uid="test_notice_receiver")
    yield calls
    calendar_changed.disconnect(dispatch_uid="test_notice_receiver")


def test_parse_ranges_in_the_notices_own_wording():
    lines = calendar_services.parse_notice_lines(HOLIDAYS, year=2027, ranges=True)
    assert [(x.name, x.first, x.last) for x in lines] == [
        ("元旦", date(2027, 1, 1), date(2027, 1, 3)),
        ("春节", date(2027, 2, 5), date(2027, 2, 12)),
        ("劳动节", date(2027, 5, 1), date(2027, 5, 5)),
    ]


def test_unreadable_line_is_named_with_an_example():
    with pytest.raises(ValidationError) as exc:
        calendar_services.parse_notice_lines("春节 过年那几天", year=2027, ranges=True)
    assert "第1行" in exc.value.messages[0]
    assert "春节 2027-02-05至2027-02-12" in exc.value.messages[0]


def test_entering_the_notice_replaces_the_year_and_recomputes(province_admin, received):
    before = compute_due(TEN_DAYS, date(2027, 2, 3), work_calendar())
    assert (before.due, before.provisional) == (date(2027, 2, 19), True)
    CalendarDay.objects.create(date=date(2027, 3, 1), kind="holiday", name="旧")
    calendar_services.calendar_year_enter_notice(
        year=2027,
        holidays=calendar_services.parse_notice_lines(HOLIDAYS, year=2027, ranges=True),
        workdays=calendar_services.parse_notice_lines(
            WORKDAYS, year=2027, ranges=False
        ),
        source="国务院办公厅关于2027年部分节假日安排的通知",
        actor=province_admin,
    )
    assert not CalendarDay.objects.filter(date=date(2027, 3, 1)).exists()
    assert (
        CalendarDay.objects.filter(date__year=2027, kind="holiday").count() == 3 + 8 + 5
    )
    assert CalendarYear.objects.get(year=2027).official
    after = compute_due(TEN_DAYS, date(2027, 2, 3), work_calendar())
    # 2/4 (1), 2/15–2/19 (6), Sat 2/20 make-up (7), 2/22–2/24 (10).
    assert (after.due, after.provisional) == (date(2027, 2, 24), False)
    assert received == [(date(2027, 1, 1), date(2027, 12, 31))]
    entry = AuditLogEntry.objects.get(action="catalogs.calendar.notice_entered")
    assert entry.actor == province_admin and "2027-02-20" in entry.data["workdays"]


@pytest.mark.parametrize(
    ("holidays", "workdays", "message"),
    [
        ("春节 2026-12-31", "", "不在2027年内"),
        ("春节 2月5日至12日", "春节 2月8日", "本来就是工作日"),
        ("春节 2月5日至12日", "春节 2月6日", "既是放假日又是调休上班日"),
        ("", "", "请至少填写一段放假安排"),
    ],
)
def test_inconsistent_notice_is_refused_and_nothing_changes(
    province_admin, holidays, workdays, message
):
    with pytest.raises(ValidationError) as exc:
        calendar_services.calendar_year_enter_notice(
            year=2027,
            holidays=calendar_services.parse_notice_lines(
                holidays, year=2027, ranges=True
            ),
            workdays=calendar_services.parse_notice_lines(
                workdays, year=2027, ranges=False
            ),
            source="通知",
            actor=province_admin,
        )
    assert message in " ".join(exc.value.messages)
    assert not CalendarDay.objects.filter(date__year=2027).exists()
    assert not CalendarYear.objects.filter(year=2027, official=True).exists()


def test_form_page_shows_the_year_and_saves(client, province_admin):
    client.force_login(province_admin)
    url = reverse("catalogs:calendar_year", kwargs={"year": 2027})
    page = client.get(url).content.decode()
    assert "暂定" in page and "春节4天即农历除夕至正月初三" in page
    assert 'class="cal-provisional-holiday" title="春节"' in page
    response = client.post(
        url,
        {
            "source": "国务院办公厅关于2027年部分节假日安排的通知",
            "holidays": HOLIDAYS,
            "workdays": WORKDAYS,
        },
    )
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "已按“国务院办公厅关于2027年部分节假日安排的通知”录入" in page
    assert 'class="cal-makeup" title="春节">20<' in page
    # The form shows what was entered, ranges merged back.
    assert "春节 2027-02-05至2027-02-12" in page


def test_form_errors_are_shown_in_chinese(client, province_admin):
    client.force_login(province_admin)
    response = client.post(
        reverse("catalogs:calendar_year", kwargs={"year": 2027}),
        {"source": "通知", "holidays": "春节 过年", "workdays": ""},
    )
    assert response.status_code == 400
    assert "第1行“春节 过年”无法识别" in response.content.decode()


def test_county_clerk_cannot_open_the_calendar(client, county_clerk):
    client.force_login(county_clerk)
    url = reverse("catalogs:calendar_year", kwargs={"year": 2027})
    assert client.get(url).status_code == 403


def test_the_workspace_links_the_calendar_for_province_admins_only(
    client, province_admin, county_clerk
):
    client.force_login(province_admin)
    page = client.get("/work/").content.decode()
    assert 'id="calendar-link"' in page
    client.force_login(county_clerk)
    assert 'id="calendar-link"' not in client.get("/work/").content.decode()
