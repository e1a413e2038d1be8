"""Reporting periods: parsing, bounds, labels, neighbours (pure, no database)."""

from datetime import date

import pytest

from disclosures.progress.quarters import (
    Period,
    PeriodError,
    month_bounds,
    parse_period,
    period_of,
    quarter_bounds,
)


@pytest.mark.parametrize(
    ("day", "start", "end"),
    [
        (date(2026, 1, 1), date(2026, 1, 1), date(2026, 3, 31)),
        (date(2026, 3, 31), date(2026, 1, 1), date(2026, 3, 31)),
        (date(2026, 4, 1), date(2026, 4, 1), date(2026, 6, 30)),
        (date(2026, 6, 30), date(2026, 4, 1), date(2026, 6, 30)),
        (date(2026, 7, 1), date(2026, 7, 1), date(2026, 9, 30)),
        (date(2026, 9, 30), date(2026, 7, 1), date(2026, 9, 30)),
        (date(2026, 10, 1), date(2026, 10, 1), date(2026, 12, 31)),
        (date(2026, 12, 31), date(2026, 10, 1), date(2026, 12, 31)),
        (date(2024, 2, 29), date(2024, 1, 1), date(2024, 3, 31)),
    ],
)
def test_quarter_bounds_on_boundary_dates(day, start, end):
    """The first and last day of a quarter both belong to it."""
    assert quarter_bounds(day) == (start, end)
    assert period_of(day).start == start
    assert period_of(day).end == end


@pytest.mark.parametrize(
    ("day", "end"),
    [
        (date(2024, 2, 1), date(2024, 2, 29)),  # leap year
        (date(2026, 2, 28), date(2026, 2, 28)),
        (date(2026, 9, 30), date(2026, 9, 30)),
        (date(2026, 12, 1), date(2026, 12, 31)),
    ],
)
def test_month_bounds(day, end):
    assert month_bounds(day) == (day.replace(day=1), end)


@pytest.mark.parametrize(
    ("text", "kind", "start", "end", "label"),
    [
        ("2026Q3", "quarter", date(2026, 7, 1), date(2026, 9, 30), "2026年第三季度"),
        ("2026Q1", "quarter", date(2026, 1, 1), date(2026, 3, 31), "2026年第一季度"),
        ("2025Q4", "quarter", date(2025, 10, 1), date(2025, 12, 31), "2025年第四季度"),
        ("2026-09", "month", date(2026, 9, 1), date(2026, 9, 30), "2026年9月"),
        ("2024-02", "month", date(2024, 2, 1), date(2024, 2, 29), "2024年2月"),
        ("2026-12", "month", date(2026, 12, 1), date(2026, 12, 31), "2026年12月"),
    ],
)
def test_parse_period(text, kind, start, end, label):
    period = parse_period(text)
    assert period.kind == kind
    assert (period.start, period.end) == (start, end)
    assert period.label == label
    assert period.slug == text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026Q5", "无法识别统计期“2026Q5”"),
        ("2026-13", "月份应在1到12之间"),
        ("2026-00", "月份应在1到12之间"),
        ("1999Q1", "年份应在2000到2099之间"),
        ("", "无法识别统计期"),
        ("Q3 2026", "季度请写成“2026Q3”"),
    ],
)
def test_parse_period_refuses_with_a_chinese_message(text, message):
    with pytest.raises(PeriodError, match=message):
        parse_period(text)


def test_lower_case_quarter_and_single_digit_month_are_read():
    """Lenient input, canonical output (the view redirects nothing: it 404s non-canonical URLs)."""
    assert parse_period("2026q3").slug == "2026Q3"
    assert parse_period("2026-9").slug == "2026-09"


@pytest.mark.parametrize(
    ("text", "previous", "following"),
    [
        ("2026Q1", "2025Q4", "2026Q2"),
        ("2026Q4", "2026Q3", "2027Q1"),
        ("2026-01", "2025-12", "2026-02"),
        ("2026-12", "2026-11", "2027-01"),
    ],
)
def test_neighbours_cross_year_boundaries(text, previous, following):
    period = parse_period(text)
    assert period.previous.slug == previous
    assert period.next.slug == following


def test_previous_periods_nearest_first():
    assert [p.slug for p in parse_period("2026Q2").previous_periods(3)] == [
        "2026Q1",
        "2025Q4",
        "2025Q3",
    ]


@pytest.mark.parametrize(
    ("text", "quarters"),
    [
        ("2026Q3", ["2025Q4", "2026Q1", "2026Q2", "2026Q3"]),
        ("2026-02", ["2025Q2", "2025Q3", "2025Q4", "2026Q1"]),
    ],
)
def test_trend_quarters_end_with_the_periods_quarter(text, quarters):
    assert [q.slug for q in parse_period(text).trend_quarters(4)] == quarters


def test_months_of_a_quarter_and_quarter_of_a_month():
    assert [m.slug for m in Period.quarter(2026, 3).months()] == [
        "2026-07",
        "2026-08",
        "2026-09",
    ]
    assert Period.month(2026, 8).containing_quarter == Period.quarter(2026, 3)
    assert Period.month(2026, 8).contains(date(2026, 8, 31))
    assert not Period.month(2026, 8).contains(date(2026, 9, 1))


def test_invalid_period_numbers_are_refused():
    with pytest.raises(ValueError):
        Period.quarter(2026, 5)
    with pytest.raises(ValueError):
        Period.month(2026, 0)
