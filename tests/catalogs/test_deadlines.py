"""Deadline rules (公开时限) and working-day arithmetic (SPEC §4, §3).

Expected dates were worked out by hand from the State Council holiday notices
(国务院办公厅关于2024年/2025年/2026年部分节假日安排的通知) and cross-checked
against ``chinese_calendar.constants``; none is computed with the code under test.
Holiday blocks used below:

* 2024: 元旦 1/1; 春节 2/10–2/17 (make-up Sun 2/4, Sun 2/18; 2/9 除夕 is a working
  day); 清明 4/4–4/6 (make-up Sun 4/7); 劳动节 5/1–5/5 (make-up Sun 4/28, Sat 5/11);
  端午 6/10; 中秋 9/15–9/17 (make-up Sat 9/14); 国庆 10/1–10/7 (make-up Sun 9/29,
  Sat 10/12). 2023-12-30 – 2024-01-01 off for 元旦.
* 2025: 元旦 1/1; 春节 1/28–2/4 (make-up Sun 1/26, Sat 2/8); 清明 4/4–4/6;
  劳动节 5/1–5/5 (make-up Sun 4/27); 端午 5/31–6/2; 国庆+中秋 10/1–10/8 (make-up
  Sun 9/28, Sat 10/11).
* 2026: 元旦 1/1–1/3 (make-up Sun 1/4); 春节 2/15–2/23 (make-up Sat 2/14,
  Sat 2/28); 清明 4/4–4/6; 劳动节 5/1–5/5 (make-up Sat 5/9); 端午 6/19–6/21;
  中秋 9/25–9/27; 国庆 10/1–10/7 (make-up Sun 9/20, Sat 10/10).
* 2027: no official data; fallback is weekends plus the 2024 放假办法 holidays:
  1/1; 春节 2/5 (除夕)–2/8 (初三); 清明 4/5; 5/1–5/2; 端午 6/9; 中秋 9/15;
  10/1–10/3 (lunar dates from a printed 2027 农历, not from the code).
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from catalogs.deadlines import (
    CALENDAR_DAY,
    WORKING_DAY,
    DeadlineRule,
    DueDate,
    Period,
    RuleKind,
    RuleParseError,
    WorkCalendar,
    add_calendar_days,
    add_working_days,
    check_not_looser,
    compute_due,
    next_working_day_on_or_after,
    official_days_from_chinesecalendar,
    parse_rule,
    parse_rule_or_unparsed,
    period_bounds,
    period_end,
    publicity_end,
    render_rule,
)

CAL = WorkCalendar.from_chinesecalendar()
D = date


# --------------------------------------------------------------------------- calendar


def test_spec_example_trigger_2025_09_26_plus_10_working_days():
    """SPEC §4: trigger 2025-09-26 + 10 working days → 2025-10-16 (国庆 2025, 调休 9/28, 10/11)."""
    rule = parse_rule("制定或获取信息之日起10个工作日内")
    assert compute_due(rule, D(2025, 9, 26), CAL) == DueDate(
        due=D(2025, 10, 16),
        provisional=False,
        calendar_version="chinesecalendar-1.11.0",
    )


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        # 国庆 2025: make-up Sunday 9/28 counts, 10/1–10/8 do not, make-up Saturday 10/11 counts.
        (D(2025, 9, 26), 1, D(2025, 9, 28)),
        (D(2025, 9, 30), 1, D(2025, 10, 9)),
        (D(2025, 10, 10), 1, D(2025, 10, 11)),
        (D(2025, 10, 3), 10, D(2025, 10, 21)),  # trigger on a holiday
        # 春节 2025: make-up Sunday 1/26 and Saturday 2/8.
        (D(2025, 1, 24), 5, D(2025, 2, 7)),
        (D(2025, 1, 24), 6, D(2025, 2, 8)),
        # 春节 2024: 2/9 (除夕) is a working day; make-up Sunday 2/18.
        (D(2024, 2, 8), 1, D(2024, 2, 9)),
        (D(2024, 2, 8), 2, D(2024, 2, 18)),
        # 春节 2026: make-up Saturday 2/14, holidays 2/15–2/23.
        (D(2026, 2, 13), 1, D(2026, 2, 14)),
        (D(2026, 2, 13), 2, D(2026, 2, 24)),
        # 元旦 2026: 1/1–1/3 off, make-up Sunday 1/4; crosses the year boundary.
        (D(2025, 12, 31), 1, D(2026, 1, 4)),
        # 元旦 2025: only 1/1.
        (D(2024, 12, 31), 1, D(2025, 1, 2)),
        # 国庆 2024: make-up Sunday 9/29 and Saturday 10/12.
        (D(2024, 9, 27), 1, D(2024, 9, 29)),
        (D(2024, 9, 30), 1, D(2024, 10, 8)),
        (D(2024, 9, 30), 5, D(2024, 10, 12)),
        # 中秋 2024: make-up Saturday 9/14, 9/15–9/17 off.
        (D(2024, 9, 13), 1, D(2024, 9, 14)),
        (D(2024, 9, 13), 2, D(2024, 9, 18)),
        # 劳动节 2024 / 2025.
        (D(2024, 4, 30), 1, D(2024, 5, 6)),
        (D(2025, 4, 25), 1, D(2025, 4, 27)),
        # 清明 2024 (make-up Sunday 4/7) and 2025 (no make-up).
        (D(2024, 4, 3), 1, D(2024, 4, 7)),
        (D(2025, 4, 3), 1, D(2025, 4, 7)),
        # 端午 2024 (Monday) and 2025 (Sat–Mon).
        (D(2024, 6, 7), 1, D(2024, 6, 11)),
        (D(2025, 5, 30), 1, D(2025, 6, 3)),
        # 国庆+中秋 2026: make-up Sunday 9/20, 中秋 Fri 9/25, make-up Saturday 10/10.
        (D(2026, 9, 18), 1, D(2026, 9, 20)),
        (D(2026, 9, 24), 1, D(2026, 9, 28)),
        (D(2026, 9, 30), 10, D(2026, 10, 20)),
        # An ordinary fortnight.
        (D(2024, 3, 1), 10, D(2024, 3, 15)),
        (D(2026, 12, 20), 3, D(2026, 12, 23)),
        # n == 0 is the trigger day itself.
        (D(2025, 10, 4), 0, D(2025, 10, 4)),
    ],
)
def test_add_working_days_official_years(start, n, expected):
    """The Nth working day after the trigger day, using holidays and 调休."""
    assert add_working_days(CAL, start, n) == (expected, False)


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        # 2027-01-01 (Friday) is a fixed holiday in the fallback.
        (D(2026, 12, 31), 10, D(2027, 1, 15)),
        # 5/1–5/2 fall on the weekend in 2027; no weekend shift is known in fallback.
        (D(2027, 4, 30), 1, D(2027, 5, 3)),
        # 10/1 (Friday) is a fixed holiday; 10/2–10/3 are the weekend.
        (D(2027, 9, 30), 1, D(2027, 10, 4)),
        (D(2027, 3, 1), 5, D(2027, 3, 8)),
    ],
)
def test_add_working_days_year_without_data_is_provisional(start, n, expected):
    """A year without official data uses the fallback and is flagged provisional."""
    assert add_working_days(CAL, start, n) == (expected, True)


@pytest.mark.parametrize(
    ("start", "n", "expected", "provisional"),
    [
        (D(2025, 9, 15), 20, D(2025, 10, 9), False),  # ends 10/5 inside 国庆 2025
        (D(2025, 9, 21), 20, D(2025, 10, 11), False),  # ends on make-up Saturday: stays
        (D(2025, 9, 20), 20, D(2025, 10, 10), False),  # ends on a working Friday
        (D(2025, 3, 1), 15, D(2025, 3, 17), False),  # ends on a Sunday
        (D(2026, 2, 1), 15, D(2026, 2, 24), False),  # ends 2/16 inside 春节 2026
        (D(2024, 1, 20), 20, D(2024, 2, 9), False),  # 除夕 2024 is a working day
        (D(2024, 4, 24), 10, D(2024, 5, 6), False),  # ends 5/4 inside 劳动节 2024
        (D(2026, 12, 12), 20, D(2027, 1, 4), True),  # 2027-01-01 fallback holiday
        (D(2026, 12, 20), 20, D(2027, 1, 11), True),  # 2027-01-09 Saturday
        (D(2026, 12, 1), 20, D(2026, 12, 21), False),
    ],
)
def test_add_calendar_days(start, n, expected, provisional):
    """start + N calendar days, moved to the next working day if that is a rest day."""
    assert add_calendar_days(CAL, start, n) == (expected, provisional)


@pytest.mark.parametrize(
    ("d", "period", "expected", "provisional"),
    [
        (D(2023, 12, 31), Period.MONTH, D(2024, 1, 2), False),  # SPEC example
        (D(2023, 11, 15), Period.QUARTER, D(2024, 1, 2), False),
        (D(2023, 7, 10), Period.HALF_YEAR, D(2024, 1, 2), False),
        (D(2023, 2, 1), Period.YEAR, D(2024, 1, 2), False),
        (D(2024, 3, 5), Period.QUARTER, D(2024, 4, 1), False),  # 3/31 is a Sunday
        (D(2024, 4, 1), Period.HALF_YEAR, D(2024, 7, 1), False),  # 6/30 is a Sunday
        (D(2024, 9, 1), Period.QUARTER, D(2024, 9, 30), False),  # Monday before 国庆
        (D(2024, 11, 1), Period.MONTH, D(2024, 12, 2), False),  # 11/30 Saturday
        (D(2024, 2, 10), Period.MONTH, D(2024, 2, 29), False),  # leap day, Thursday
        (D(2025, 1, 1), Period.MONTH, D(2025, 2, 5), False),  # 1/31 inside 春节 2025
        (D(2025, 5, 2), Period.MONTH, D(2025, 6, 3), False),  # 5/31 inside 端午 2025
        (D(2025, 8, 31), Period.MONTH, D(2025, 9, 1), False),
        (D(2025, 10, 1), Period.YEAR, D(2025, 12, 31), False),
        (D(2026, 1, 2), Period.MONTH, D(2026, 2, 2), False),  # 1/31 Saturday
        (D(2026, 2, 1), Period.MONTH, D(2026, 2, 28), False),  # make-up Saturday 2/28
        (D(2026, 5, 20), Period.MONTH, D(2026, 6, 1), False),  # 5/31 Sunday
        (D(2026, 10, 9), Period.MONTH, D(2026, 11, 2), False),  # 10/31 Saturday
        (D(2026, 11, 5), Period.QUARTER, D(2026, 12, 31), False),
        (D(2027, 3, 1), Period.QUARTER, D(2027, 3, 31), True),
        (D(2027, 7, 1), Period.MONTH, D(2027, 8, 2), True),  # 7/31 Saturday, fallback
        (D(2027, 12, 1), Period.YEAR, D(2027, 12, 31), True),
    ],
)
def test_period_end(d, period, expected, provisional):
    """A periodic deadline is the period's last day, or the next working day after it."""
    assert period_end(CAL, d, period) == (expected, provisional)


@pytest.mark.parametrize(
    ("d", "period", "expected"),
    [
        (D(2024, 2, 15), Period.MONTH, (D(2024, 2, 1), D(2024, 2, 29))),
        (D(2025, 2, 15), Period.MONTH, (D(2025, 2, 1), D(2025, 2, 28))),
        (D(2025, 1, 1), Period.QUARTER, (D(2025, 1, 1), D(2025, 3, 31))),
        (D(2025, 3, 31), Period.QUARTER, (D(2025, 1, 1), D(2025, 3, 31))),
        (D(2025, 4, 1), Period.QUARTER, (D(2025, 4, 1), D(2025, 6, 30))),
        (D(2025, 9, 30), Period.QUARTER, (D(2025, 7, 1), D(2025, 9, 30))),
        (D(2025, 12, 31), Period.QUARTER, (D(2025, 10, 1), D(2025, 12, 31))),
        (D(2025, 6, 30), Period.HALF_YEAR, (D(2025, 1, 1), D(2025, 6, 30))),
        (D(2025, 7, 1), Period.HALF_YEAR, (D(2025, 7, 1), D(2025, 12, 31))),
        (D(2027, 5, 5), Period.YEAR, (D(2027, 1, 1), D(2027, 12, 31))),
    ],
)
def test_period_bounds(d, period, expected):
    """Pure calendar bounds of the period containing a date."""
    assert period_bounds(d, period) == expected


@pytest.mark.parametrize(
    ("published_on", "n", "unit", "expected"),
    [
        (D(2025, 3, 3), 5, WORKING_DAY, D(2025, 3, 7)),  # Monday counts as day 1
        (D(2025, 3, 1), 7, WORKING_DAY, D(2025, 3, 11)),  # Saturday: day 1 is Monday
        (
            D(2025, 9, 26),
            7,
            WORKING_DAY,
            D(2025, 10, 11),
        ),  # across 国庆 2025 and both 调休
        (D(2025, 10, 16), 7, WORKING_DAY, D(2025, 10, 24)),
        (D(2025, 3, 3), 7, CALENDAR_DAY, D(2025, 3, 10)),  # ends Sunday 3/9 → Monday
        (D(2025, 3, 4), 7, CALENDAR_DAY, D(2025, 3, 10)),
    ],
)
def test_publicity_end_counts_day_of_publication(published_on, n, unit, expected):
    """公示N个工作日 counts N working days starting with the day of publication."""
    assert publicity_end(CAL, published_on, n, unit=unit) == (expected, False)


@pytest.mark.parametrize(
    ("d", "expected", "provisional"),
    [
        (D(2025, 10, 1), D(2025, 10, 9), False),
        (D(2025, 10, 11), D(2025, 10, 11), False),  # make-up Saturday
        (D(2024, 12, 28), D(2024, 12, 30), False),
        (D(2026, 12, 31), D(2026, 12, 31), False),
        (D(2027, 1, 1), D(2027, 1, 4), True),
    ],
)
def test_next_working_day_on_or_after(d, expected, provisional):
    """A working day is returned as is; a rest day moves forward."""
    assert next_working_day_on_or_after(CAL, d) == (expected, provisional)


def test_compute_due_with_publicity_counts_from_due_date():
    """公示 starts on the due date: 10/16 (Thu) is day 1, day 7 is 10/24."""
    rule = parse_rule("制定或修改信息之日起10个工作日内,公示7个工作日")
    due = compute_due(rule, D(2025, 9, 26), CAL)
    assert (due.due, due.publicity_end, due.provisional) == (
        D(2025, 10, 16),
        D(2025, 10, 24),
        False,
    )


@pytest.mark.parametrize(
    ("text", "trigger", "expected"),
    [
        ("每季度末", D(2025, 8, 20), D(2025, 9, 30)),
        ("每月", D(2025, 5, 2), D(2025, 6, 3)),
        ("每年末", D(2023, 3, 3), D(2024, 1, 2)),
        ("制定或获取信息之日起20日内", D(2025, 9, 15), D(2025, 10, 9)),
        ("行政处罚决定做出之日起5个工作日内", D(2025, 9, 26), D(2025, 10, 10)),
    ],
)
def test_compute_due_by_kind(text, trigger, expected):
    """Periodic, calendar-day and working-day rules each use their own counting."""
    assert compute_due(parse_rule(text), trigger, CAL).due == expected


@pytest.mark.parametrize("text", ["依申请公开", "长期公开", "尽快"])
def test_compute_due_without_deadline(text):
    """On-request, continuous and unparsed rules have no due date."""
    rule = parse_rule_or_unparsed(text)
    assert compute_due(rule, D(2025, 9, 26), CAL) == DueDate(
        due=None, calendar_version="chinesecalendar-1.11.0"
    )


def test_compute_due_in_2027_is_provisional_and_does_not_crash():
    """A trigger in a year without data falls back to weekends + fixed holidays."""
    due = compute_due(
        parse_rule("制定或获取信息之日起10个工作日内，公示7个工作日"),
        D(2027, 9, 24),
        CAL,
    )
    # 9/27–9/30 (4), 10/1 fallback holiday, 10/4–10/8 (9), 10/11 (10);
    # publicity 10/11–10/15 (5), 10/18, 10/19 (7).
    assert due == DueDate(
        due=D(2027, 10, 11),
        publicity_end=D(2027, 10, 19),
        provisional=True,
        calendar_version="chinesecalendar-1.11.0",
    )


def test_publicity_running_into_2027_makes_due_provisional():
    """The publicity end lies in 2027, so the whole result is provisional."""
    due = compute_due(
        parse_rule("制定或获取信息之日起1个工作日内，公示7个工作日"),
        D(2026, 12, 23),
        CAL,
    )
    assert (due.due, due.publicity_end, due.provisional) == (
        D(2026, 12, 24),
        D(2027, 1, 4),
        True,
    )


@pytest.mark.parametrize(
    ("d", "working"),
    [
        (D(2027, 1, 1), False),
        (D(2027, 5, 3), True),
        (D(2027, 10, 1), False),
        (D(2027, 10, 4), True),
        (D(2027, 2, 8), False),  # 正月初三 by the 2024 放假办法
        (D(2027, 2, 9), True),  # no 补休 for 2/6–2/7 without the notice
        (D(2027, 1, 2), False),
    ],
)
def test_fallback_calendar(d, working):
    """Without data: Monday–Friday except the 2024 放假办法 holidays."""
    assert CAL.is_official(d) is False
    assert CAL.is_working_day(d) is working


@pytest.mark.parametrize(
    ("d", "working"),
    [
        (D(2025, 9, 28), True),
        (D(2025, 10, 11), True),
        (D(2025, 10, 8), False),
        (D(2026, 1, 2), False),
        (D(2026, 2, 28), True),
        (D(2024, 2, 9), True),
        (D(2025, 5, 2), False),
        (D(2025, 9, 27), False),
    ],
)
def test_official_calendar_from_package(d, working):
    """Holidays and 调休 days come from chinesecalendar for covered years."""
    assert CAL.is_official(d) is True
    assert CAL.is_working_day(d) is working


def test_from_chinesecalendar_years_and_version():
    """Default years are the package's range; a chosen subset limits the data."""
    assert min(CAL.years) == 2004 and max(CAL.years) == 2026
    only_2025 = WorkCalendar.from_chinesecalendar(years=[2025], version="v1")
    assert only_2025.version == "v1"
    assert only_2025.years == frozenset({2025})
    assert D(2024, 10, 1) not in only_2025.holidays
    assert only_2025.is_working_day(D(2025, 10, 11)) is True


def test_from_chinesecalendar_refuses_uncovered_year():
    """Claiming official data for 2027 would silently drop its holidays."""
    with pytest.raises(ValueError, match="2027"):
        WorkCalendar.from_chinesecalendar(years=[2026, 2027])


def test_official_days_from_chinesecalendar_names():
    """Seeding data carries Chinese holiday names, make-up days included."""
    holidays, workdays = official_days_from_chinesecalendar([2025])
    assert holidays[D(2025, 10, 1)] == "国庆节"
    assert holidays[D(2025, 10, 6)] == "中秋节"
    assert holidays[D(2025, 1, 28)] == "春节"
    assert holidays[D(2025, 4, 4)] == "清明节"
    assert workdays == {
        D(2025, 1, 26): "春节",
        D(2025, 2, 8): "春节",
        D(2025, 4, 27): "劳动节",
        D(2025, 9, 28): "国庆节",
        D(2025, 10, 11): "国庆节",
    }
    assert all(d.year == 2025 for d in holidays)


def test_work_calendar_accepts_plain_sets_and_explicit_entries():
    """A calendar built from a DB table may pass sets; explicit entries win in any year."""
    cal = WorkCalendar(holidays={D(2027, 2, 8)}, workdays={D(2027, 2, 6)}, years=[2027])
    assert isinstance(cal.holidays, frozenset)
    assert cal.is_working_day(D(2027, 2, 8)) is False
    assert cal.is_working_day(D(2027, 2, 6)) is True  # a Saturday
    assert add_working_days(cal, D(2027, 2, 5), 2) == (D(2027, 2, 9), False)


def test_negative_amounts_are_refused():
    """Counting backwards is a programming error, not a deadline."""
    with pytest.raises(ValueError):
        add_working_days(CAL, D(2025, 1, 1), -1)
    with pytest.raises(ValueError):
        add_calendar_days(CAL, D(2025, 1, 1), -1)


# --------------------------------------------------------------------------- parsing

W, C = RuleKind.WORKING_DAYS, RuleKind.CALENDAR_DAYS


@pytest.mark.parametrize(
    ("text", "kind", "trigger", "amount", "publicity"),
    [
        ("制定或获取信息之日起10个工作日内", W, "制定或获取信息", 10, None),
        ("制定或获取信息之日起10个工作日内，公示7个工作日", W, "制定或获取信息", 10, 7),
        ("制定或获取信息之日起10个工作日内,公示7个工作日", W, "制定或获取信息", 10, 7),
        ("制定或获取文件之日起10个工作日内", W, "制定或获取文件", 10, None),
        (
            "制定或获取扶持政策措施之日起10个工作日内",
            W,
            "制定或获取扶持政策措施",
            10,
            None,
        ),
        ("制定或获取指南之日起10个工作日内", W, "制定或获取指南", 10, None),
        ("制定或获取备案政策之日起10个工作日内", W, "制定或获取备案政策", 10, None),
        (
            "制定或获取扶持补贴政策之日起10个工作日内",
            W,
            "制定或获取扶持补贴政策",
            10,
            None,
        ),
        ("制定或获取补贴政策之日起10个工作日内", W, "制定或获取补贴政策", 10, None),
        ("备案之日起10个工作日内", W, "备案", 10, None),
        ("补贴发放之日起10个工作日内", W, "补贴发放", 10, None),
        ("制定或获取评估结果之日起10个工作日内", W, "制定或获取评估结果", 10, None),
        ("行政处罚决定做出之日起5个工作日内", W, "行政处罚决定做出", 5, None),
        ("制定或修改信息之日起10个工作日内,公示7个工作日", W, "制定或修改信息", 10, 7),
        ("制定或修改信息之日起10个工作日内", W, "制定或修改信息", 10, None),
    ],
)
def test_parse_fixture_wordings(text, kind, trigger, amount, publicity):
    """Every wording in the province and Luoyang fixtures is read exactly."""
    rule = parse_rule(text)
    assert rule == DeadlineRule(
        kind=kind,
        trigger=trigger,
        amount=amount,
        publicity_amount=publicity,
        publicity_unit=WORKING_DAY if publicity else None,
        text=text,
    )


def test_parse_on_request_fixture():
    """依申请公开 has no proactive deadline."""
    assert parse_rule("依申请公开") == DeadlineRule(
        kind=RuleKind.ON_REQUEST, text="依申请公开"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("制定或获取信息之日起20日内", DeadlineRule(C, "制定或获取信息", 20)),
        ("制定或获取信息之日起20天内", DeadlineRule(C, "制定或获取信息", 20)),
        ("制定或获取信息之日起20个自然日内", DeadlineRule(C, "制定或获取信息", 20)),
        ("制定或获取信息起10个工作日以内", DeadlineRule(W, "制定或获取信息", 10)),
        ("制定或获取信息10个工作日内", DeadlineRule(W, "制定或获取信息", 10)),
        ("自收到之日起十五日内", DeadlineRule(C, "收到", 15)),
        ("制定或获取信息之日起１０个工作日内", DeadlineRule(W, "制定或获取信息", 10)),
        ("制定或获取信息之日起十个工作日内。", DeadlineRule(W, "制定或获取信息", 10)),
        ("  备案之日起五个工作日内 ", DeadlineRule(W, "备案", 5)),
        ("二十日内", DeadlineRule(C, "", 20)),
        ("三十天", DeadlineRule(C, "", 30)),
        ("10个工作日", DeadlineRule(W, "", 10)),
        ("10日", DeadlineRule(C, "", 10)),
        ("审批后5个工作日内", DeadlineRule(W, "审批", 5)),
        ("每次补贴发放后5个工作日内", DeadlineRule(W, "每次补贴发放", 5)),
        ("制定或获取信息之日起10个工作日内公开", DeadlineRule(W, "制定或获取信息", 10)),
        (
            "制定或获取信息之日起10个工作日内，公示期为7天",
            DeadlineRule(
                W, "制定或获取信息", 10, publicity_amount=7, publicity_unit=CALENDAR_DAY
            ),
        ),
        (
            "制定或获取信息之日起10个工作日内；公示七个工作日。",
            DeadlineRule(
                W, "制定或获取信息", 10, publicity_amount=7, publicity_unit=WORKING_DAY
            ),
        ),
        ("每月", DeadlineRule(RuleKind.PERIODIC, period=Period.MONTH)),
        ("每月末", DeadlineRule(RuleKind.PERIODIC, period=Period.MONTH)),
        ("每季度", DeadlineRule(RuleKind.PERIODIC, period=Period.QUARTER)),
        ("每季度末", DeadlineRule(RuleKind.PERIODIC, period=Period.QUARTER)),
        ("每季度末。", DeadlineRule(RuleKind.PERIODIC, period=Period.QUARTER)),
        ("每半年", DeadlineRule(RuleKind.PERIODIC, period=Period.HALF_YEAR)),
        ("每年", DeadlineRule(RuleKind.PERIODIC, period=Period.YEAR)),
        ("每年末", DeadlineRule(RuleKind.PERIODIC, period=Period.YEAR)),
        ("年底前", DeadlineRule(RuleKind.PERIODIC, period=Period.YEAR)),
        (
            "每季度末，公示7个工作日",
            DeadlineRule(
                RuleKind.PERIODIC,
                period=Period.QUARTER,
                publicity_amount=7,
                publicity_unit=WORKING_DAY,
            ),
        ),
        ("依申请", DeadlineRule(RuleKind.ON_REQUEST)),
        ("依申请公开。", DeadlineRule(RuleKind.ON_REQUEST)),
        ("实时", DeadlineRule(RuleKind.CONTINUOUS, "实时")),
        ("实时公开", DeadlineRule(RuleKind.CONTINUOUS, "实时")),
        ("长期", DeadlineRule(RuleKind.CONTINUOUS, "长期")),
        ("长期公开", DeadlineRule(RuleKind.CONTINUOUS, "长期")),
        ("常态化公开", DeadlineRule(RuleKind.CONTINUOUS, "常态化")),
    ],
)
def test_parse_variants(text, expected):
    """Common variants: units, numerals, punctuation, periodic and standing rules."""
    rule = parse_rule(text)
    assert rule.without_text() == expected
    assert rule.text == text  # kept verbatim


@pytest.mark.parametrize(
    "text",
    [
        "尽快",
        "及时",
        "按规定",
        "及时公开",
        "10个工作日左右",
        "制定之日起若干日内",
        "制定之日起10个月内",
        "每月10日前",
        "每月10日",
        "次月10日",
        "每季度末后10个工作日内",
        "公示7个工作日",
        "制定或获取信息之日起10个工作日内，公示若干天",
        "依申请公开，公示7个工作日",
        "制定或获取信息之日起10个工作日内或及时",
        "2025年10月1日",
        "制定或获取信息之日起二五个工作日内",
    ],
)
def test_parse_refuses_unreadable_wording(text):
    """Wording that cannot be read exactly is refused with a Chinese hint, never guessed."""
    expected = (
        f"无法识别公开时限“{text}”：请写成“制定或获取信息之日起10个工作日内”"
        "“每季度末”或“依申请公开”等形式。"
    )
    with pytest.raises(RuleParseError, match=re.escape(expected)) as info:
        parse_rule(text)
    assert info.value.code == "invalid"


@pytest.mark.parametrize("text", ["", "   ", "。"])
def test_parse_refuses_empty(text):
    """An empty deadline is refused with its own message."""
    with pytest.raises(RuleParseError, match="^公开时限不能为空") as info:
        parse_rule(text)
    assert info.value.code == "empty"


@pytest.mark.parametrize(
    "text", ["制定之日起0个工作日内", "制定之日起400日内", "公示0个工作日"]
)
def test_parse_refuses_unreasonable_amount(text):
    """Zero or absurd day counts are not deadlines."""
    with pytest.raises(RuleParseError):
        parse_rule(text)


def test_parse_refuses_amount_out_of_range_with_message():
    """The message names the number and the allowed range."""
    with pytest.raises(
        RuleParseError, match="中的天数400不合理：应为1到365之间的整数。"
    ):
        parse_rule("制定之日起400日内")


@pytest.mark.parametrize("text", ["尽快", "", "制定之日起若干日内"])
def test_parse_rule_or_unparsed_keeps_text(text):
    """Unreadable wording is kept as text and flagged, never raised."""
    rule = parse_rule_or_unparsed(text)
    assert rule == DeadlineRule(kind=RuleKind.UNPARSED, text=text)
    assert render_rule(rule) == text
    assert rule.is_proactive is False


@pytest.mark.parametrize(
    ("text", "rendered"),
    [
        ("制定或获取信息之日起10个工作日内", "制定或获取信息之日起10个工作日内"),
        (
            "制定或修改信息之日起10个工作日内,公示7个工作日",
            "制定或修改信息之日起10个工作日内，公示7个工作日",
        ),
        ("自收到之日起十五天内。", "收到之日起15日内"),
        ("１０个工作日以内", "10个工作日内"),
        ("每季度", "每季度末"),
        ("年底前", "每年末"),
        ("每半年", "每半年末"),
        ("每月", "每月末"),
        ("依申请", "依申请公开"),
        ("实时", "实时公开"),
        ("常态化公开", "常态化公开"),
        ("每季度末，公示7天", "每季度末，公示7日"),
    ],
)
def test_render_and_round_trip(text, rendered):
    """render_rule gives canonical text, which parses back to the same rule."""
    rule = parse_rule(text)
    assert render_rule(rule) == rendered
    assert parse_rule(render_rule(rule)).without_text() == rule.without_text()


_rules = st.one_of(
    st.builds(
        DeadlineRule,
        kind=st.sampled_from([W, C]),
        trigger=st.sampled_from(
            ["", "制定或获取信息", "备案", "补贴发放", "行政处罚决定做出", "收到"]
        ),
        amount=st.integers(1, 365),
        publicity_amount=st.none() | st.integers(1, 365),
    ),
    st.builds(
        DeadlineRule, kind=st.just(RuleKind.PERIODIC), period=st.sampled_from(Period)
    ),
    st.just(DeadlineRule(kind=RuleKind.ON_REQUEST)),
    st.builds(
        DeadlineRule,
        kind=st.just(RuleKind.CONTINUOUS),
        trigger=st.sampled_from(["实时", "长期", "常态化"]),
    ),
)


@settings(database=None, deadline=None)
@given(rule=_rules, unit=st.sampled_from([WORKING_DAY, CALENDAR_DAY]))
def test_round_trip_property(rule, unit):
    """parse_rule(render_rule(r)) == r for every structured rule."""
    if rule.publicity_amount:
        rule = replace(rule, publicity_unit=unit)
    assert parse_rule(render_rule(rule)).without_text() == rule


@pytest.mark.parametrize(
    ("text", "unit", "has_publicity", "proactive"),
    [
        ("制定或获取信息之日起10个工作日内，公示7个工作日", WORKING_DAY, True, True),
        ("制定或获取信息之日起20日内", CALENDAR_DAY, False, True),
        ("每季度末", None, False, True),
        ("依申请公开", None, False, False),
        ("长期公开", None, False, False),
    ],
)
def test_rule_helpers(text, unit, has_publicity, proactive):
    """unit / has_publicity / is_proactive describe the rule."""
    rule = parse_rule(text)
    assert (rule.unit, rule.has_publicity, rule.is_proactive) == (
        unit,
        has_publicity,
        proactive,
    )


def test_rule_from_database_strings():
    """Plain strings from database columns become enum members."""
    rule = DeadlineRule(kind="periodic", period="quarter")
    assert rule.kind is RuleKind.PERIODIC and rule.period is Period.QUARTER
    assert render_rule(rule) == "每季度末"
    with pytest.raises(ValueError):
        DeadlineRule(kind="weekly")


# --------------------------------------------------------------------------- localization

TEMPLATE = parse_rule("制定或获取信息之日起10个工作日内")
TEMPLATE_PUBLICITY = parse_rule("制定或修改信息之日起10个工作日内，公示7个工作日")


@pytest.mark.parametrize(
    ("local", "template"),
    [
        ("制定或获取信息之日起5个工作日内", TEMPLATE),  # shorter
        ("制定或获取信息之日起10个工作日内", TEMPLATE),  # equal
        ("10个工作日内", TEMPLATE),  # event inherited
        (
            "制定或获取信息之日起7日内",
            TEMPLATE,
        ),  # 7 calendar days never exceed 10 working days
        (
            "制定或修改信息之日起8个工作日内，公示10个工作日",
            TEMPLATE_PUBLICITY,
        ),  # longer 公示
        ("制定或修改信息之日起10个工作日内，公示7个工作日", TEMPLATE_PUBLICITY),
        ("每月末", parse_rule("每季度末")),
        ("每季度末", parse_rule("每季度末")),
        ("制定或获取信息之日起10个工作日内", parse_rule("依申请公开")),  # stricter
        ("依申请公开", parse_rule("依申请公开")),
        ("长期公开", parse_rule("依申请公开")),
        ("实时公开", parse_rule("长期公开")),
    ],
)
def test_check_not_looser_accepts(local, template):
    """Shorter or equal local rules pass over the whole sample."""
    assert check_not_looser(parse_rule(local), template, CAL) == []


def test_check_not_looser_refuses_longer_and_names_both():
    """The message names both rules, the trigger date and both due dates."""
    local = parse_rule("制定或获取信息之日起12个工作日内")
    messages = check_not_looser(
        local, TEMPLATE, CAL, sample_start=D(2025, 9, 26), sample_days=1
    )
    assert messages == [
        "公开时限不能长于上级目录：上级目录为“制定或获取信息之日起10个工作日内”，"
        "本地为“制定或获取信息之日起12个工作日内”，以2025-09-26为起算日时本地截止日"
        "2025-10-20晚于上级目录的2025-10-16。请缩短或保持与上级目录一致。"
    ]


def test_check_not_looser_working_vs_calendar_days():
    """14 calendar days usually equal 10 working days, but not after a 调休 Saturday.

    Trigger 2025-10-10: 10 working days end 10/23 (10/11 is a make-up Saturday),
    14 calendar days end Friday 10/24.
    """
    local = parse_rule("制定或获取信息之日起14日内")
    assert (
        check_not_looser(
            local, TEMPLATE, CAL, sample_start=D(2025, 9, 26), sample_days=1
        )
        == []
    )
    messages = check_not_looser(
        local, TEMPLATE, CAL, sample_start=D(2025, 10, 10), sample_days=1
    )
    assert len(messages) == 1
    assert (
        "以2025-10-10为起算日时本地截止日2025-10-24晚于上级目录的2025-10-23"
        in messages[0]
    )
    assert check_not_looser(local, TEMPLATE, CAL) != []


@pytest.mark.parametrize(
    ("local", "fragment"),
    [
        ("每季度末", "本地为“每季度末”"),
        ("制定或获取信息之日起15日内", "本地为“制定或获取信息之日起15日内”"),
    ],
)
def test_check_not_looser_refuses_other_longer_shapes(local, fragment):
    """A quarter-end or 15-calendar-day rule is later than 10 working days somewhere."""
    messages = check_not_looser(parse_rule(local), TEMPLATE, CAL)
    assert len(messages) == 1
    assert messages[0].startswith(
        "公开时限不能长于上级目录：上级目录为“制定或获取信息之日起10个工作日内”"
    )
    assert fragment in messages[0]


def test_check_not_looser_periodic_longer_period_refused():
    """每年末 is later than 每季度末 for every trigger outside Q4."""
    messages = check_not_looser(parse_rule("每年末"), parse_rule("每季度末"), CAL)
    assert len(messages) == 1 and "本地为“每年末”" in messages[0]


def test_check_not_looser_refuses_shorter_publicity():
    """A shorter 公示 means less disclosure, so it is refused even with an equal deadline."""
    local = parse_rule("制定或修改信息之日起10个工作日内，公示5个工作日")
    messages = check_not_looser(
        local, TEMPLATE_PUBLICITY, CAL, sample_start=D(2025, 3, 3), sample_days=1
    )
    assert messages == [
        "公示期不能短于上级目录：上级目录为“公示7个工作日”，本地为“公示5个工作日”，"
        "在2025-03-03发布时本地公示期于2025-03-07结束，早于上级目录的2025-03-11。请保持或延长公示期。"
    ]


def test_check_not_looser_refuses_publicity_in_calendar_days_when_shorter():
    """公示7日 ends before 公示7个工作日 whenever a weekend falls inside."""
    local = parse_rule("制定或修改信息之日起10个工作日内，公示7日")
    messages = check_not_looser(local, TEMPLATE_PUBLICITY, CAL)
    assert len(messages) == 1 and messages[0].startswith("公示期不能短于上级目录")


def test_check_not_looser_refuses_dropped_publicity():
    """Dropping the publicity period altogether is refused."""
    local = parse_rule("制定或修改信息之日起10个工作日内")
    assert check_not_looser(local, TEMPLATE_PUBLICITY, CAL) == [
        "公示期不能取消：上级目录要求“公示7个工作日”，本地没有公示期。公示期只能延长，不能缩短。"
    ]


@pytest.mark.parametrize(
    ("local", "start"),
    [
        (
            "依申请公开",
            "公开时限不能放宽：上级目录要求在“制定或获取信息之日起10个工作日内”主动公开",
        ),
        ("尽快", "无法识别本地公开时限“尽快”"),
        ("长期公开", "公开时限不能改为没有截止日期的“长期公开”"),
        ("备案之日起5个工作日内", "公开时限的起算事件不能改变"),
    ],
)
def test_check_not_looser_refuses_non_comparable_local_rules(local, start):
    """A proactive template cannot become on-request, unreadable, open-ended or re-anchored."""
    messages = check_not_looser(parse_rule_or_unparsed(local), TEMPLATE, CAL)
    assert len(messages) == 1
    assert messages[0].startswith(start)


def test_check_not_looser_continuous_template_must_stay_continuous():
    """A template kept public continuously cannot get a deadline or become on-request."""
    template = parse_rule("长期公开")
    for local in ("制定或获取信息之日起5个工作日内", "依申请公开"):
        messages = check_not_looser(parse_rule(local), template, CAL)
        assert len(messages) == 1 and "持续公开" in messages[0]


def test_check_not_looser_two_different_unparsed_rules():
    """Two unreadable wordings are not the same rule just because neither parses."""
    messages = check_not_looser(
        parse_rule_or_unparsed("尽快"), parse_rule_or_unparsed("按规定时限"), CAL
    )
    assert len(messages) == 1 and "尚未能识别" in messages[0]


def test_work_calendar_pickles_without_its_index():
    """The calendar is kept in Django's cache; the per-year index is rebuilt."""
    import pickle

    cal = WorkCalendar.from_chinesecalendar(years=[2025])
    add_working_days(cal, D(2025, 9, 26), 10)
    copy = pickle.loads(pickle.dumps(cal))
    assert copy == cal and copy._index == {}
    assert add_working_days(copy, D(2025, 9, 26), 10) == (D(2025, 10, 16), False)


def test_check_not_looser_unparsed_template():
    """An unreadable template can only be kept as it is."""
    template = parse_rule_or_unparsed("按规定时限")
    assert check_not_looser(parse_rule_or_unparsed("按规定时限"), template, CAL) == []
    messages = check_not_looser(parse_rule("5个工作日内"), template, CAL)
    assert len(messages) == 1 and "尚未能识别" in messages[0]


def test_sample_covers_whole_range():
    """A violation on the last sample day is still found.

    Trigger 2025-10-08: 10 working days end 10/21, 14 calendar days end 10/22.
    Triggers 9/29–10/7 are fine (the earliest later one is 10/8).
    """
    local = parse_rule("制定或获取信息之日起14日内")
    start = D(2025, 9, 29)
    assert (
        check_not_looser(local, TEMPLATE, CAL, sample_start=start, sample_days=9) == []
    )
    messages = check_not_looser(
        local, TEMPLATE, CAL, sample_start=start, sample_days=10
    )
    assert len(messages) == 1
    assert (
        "以2025-10-08为起算日时本地截止日2025-10-22晚于上级目录的2025-10-21"
        in messages[0]
    )


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        (
            2027,
            {
                D(2027, 1, 1): "元旦",
                D(2027, 2, 5): "春节",
                D(2027, 2, 6): "春节",
                D(2027, 2, 7): "春节",
                D(2027, 2, 8): "春节",
                D(2027, 4, 5): "清明节",
                D(2027, 5, 1): "劳动节",
                D(2027, 5, 2): "劳动节",
                D(2027, 6, 9): "端午节",
                D(2027, 9, 15): "中秋节",
                D(2027, 10, 1): "国庆节",
                D(2027, 10, 2): "国庆节",
                D(2027, 10, 3): "国庆节",
            },
        ),
        # 2025 against the official notice: 除夕 1/28 was the first day off.
        (2025, None),
    ],
)
def test_fallback_holidays_follow_the_2024_measures(year, expected):
    from catalogs.deadlines import fallback_holidays

    days = fallback_holidays(year)
    if expected is not None:
        assert days == expected
    else:
        assert [d for d, name in days.items() if name == "春节"] == [
            D(2025, 1, 28),
            D(2025, 1, 29),
            D(2025, 1, 30),
            D(2025, 1, 31),
        ]
        assert days[D(2025, 4, 4)] == "清明节"
        assert days[D(2025, 5, 31)] == "端午节"
        assert days[D(2025, 10, 6)] == "中秋节"


def test_fallback_has_no_make_up_days_and_no_in_lieu_days():
    """2027: 春节 2/6–2/7 fall on the weekend; the 办法 alone gives no 补休 on 2/9,
    and no Saturday is a working day (that is for the State Council notice)."""
    cal = WorkCalendar(years=frozenset())
    assert cal.is_working_day(D(2027, 2, 9))
    assert not cal.is_working_day(D(2027, 2, 20))  # a Saturday stays a rest day
    assert not cal.is_working_day(D(2027, 2, 8))  # 正月初三, a Monday
