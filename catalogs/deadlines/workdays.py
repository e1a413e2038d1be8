"""Working-day arithmetic over the official calendar, and the due date of a rule.

`WorkCalendar` is built by the database layer from the official-calendar table
(or from the chinesecalendar package when seeding); every function here takes
it as an argument. Counting follows 《民法典》 第二百零一条、第二百零三条: the trigger
day is not counted, and a period ending on a rest day ends on the next working
day. Results that touch a year without official data are marked provisional.
"""

from __future__ import annotations

import calendar as _stdlib_calendar
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

import chinese_calendar
from lunardate import LunarDate

from .rule import (
    CALENDAR_DAY,
    WORKING_DAY,
    DeadlineRule,
    Period,
    RuleKind,
)

#: Fixed solar-calendar statutory holidays of 《全国年节及纪念日放假办法》 (2024
#: revision, in force 2025-01-01). `fallback_holidays` adds the lunar ones.
FALLBACK_FIXED_HOLIDAYS: dict[tuple[int, int], str] = {
    (1, 1): "元旦",
    (5, 1): "劳动节",
    (5, 2): "劳动节",
    (10, 1): "国庆节",
    (10, 2): "国庆节",
    (10, 3): "国庆节",
}

#: Lunar-calendar statutory holidays of the same 办法: (lunar month, day, name);
#: 春节 is 农历除夕 (the day before 正月初一) to 正月初三, counted from 正月初一.
_LUNAR_HOLIDAYS: tuple[tuple[int, int, str], ...] = (
    (1, 1, "春节"),
    (1, 2, "春节"),
    (1, 3, "春节"),
    (5, 5, "端午节"),
    (8, 15, "中秋节"),
)

_FALLBACK_CACHE: dict[int, dict[date, str]] = {}


def fallback_holidays(year: int) -> dict[date, str]:
    """Statutory holidays of ``year`` by the 2024 《全国年节及纪念日放假办法》 alone.

    元旦 1/1; 春节 农历除夕 to 正月初三 (4 days); 清明节 on the 清明 solar term;
    劳动节 5/1–5/2; 端午节 五月初五; 中秋节 八月十五; 国庆节 10/1–10/3. No 调休
    and no 补假: the State Council notice decides those each year. Lunar dates come
    from ``lunardate`` (1900–2099), the solar term from ``chinesecalendar``; a
    year outside their range keeps only the solar-calendar holidays.
    """
    cached = _FALLBACK_CACHE.get(year)
    if cached is not None:
        return cached
    days = {date(year, m, d): name for (m, d), name in FALLBACK_FIXED_HOLIDAYS.items()}
    try:
        # 除夕 and 正月初一–初三 of the lunar year that starts in ``year``.
        new_year = LunarDate(year, 1, 1).to_solar_date()
        days[new_year - timedelta(days=1)] = "春节"
        for month, day, name in _LUNAR_HOLIDAYS:
            solar = LunarDate(year, month, day).to_solar_date()
            if solar.year == year:
                days[solar] = name
    except ValueError:
        pass  # outside lunardate's table: solar holidays only
    try:
        for day, term in chinese_calendar.get_solar_terms(
            date(year, 4, 1), date(year, 4, 10)
        ):
            if term == "清明":
                days[day] = "清明节"
    except (ValueError, KeyError, IndexError):
        pass
    days = dict(sorted(days.items()))
    _FALLBACK_CACHE[year] = days
    return days


_HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
}


@dataclass(frozen=True)
class WorkCalendar:
    """The official working-day calendar for the years in ``years``.

    ``holidays`` are rest days (statutory holidays, including weekend days inside a
    holiday block); ``workdays`` are make-up working days (调休). For a year not in
    ``years`` the calendar falls back to weekends plus `fallback_holidays` (the
    statutory holidays of the 2024 放假办法, lunar ones included, no 调休).
    Explicit entries in ``holidays``/``workdays`` always win, whatever the year.
    ``version`` is an opaque label stored beside computed due dates.
    """

    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()
    years: frozenset[int] = frozenset()
    version: str = ""
    _index: dict[int, tuple[date, ...]] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        # Accept any iterable (sets, lists, querysets of dates) from callers.
        for name in ("holidays", "workdays", "years"):
            value = getattr(self, name)
            if not isinstance(value, frozenset):
                object.__setattr__(self, name, frozenset(value))

    def __getstate__(self) -> dict:
        # The per-year index is a cache; keep pickles (Django's cache) small.
        return {
            name: getattr(self, name)
            for name in ("holidays", "workdays", "years", "version")
        }

    def __setstate__(self, state: dict) -> None:
        for name, value in state.items():
            object.__setattr__(self, name, value)
        object.__setattr__(self, "_index", {})

    def is_official(self, d: date) -> bool:
        """Whether ``d`` lies in a year with official calendar data."""
        return d.year in self.years

    def is_working_day(self, d: date) -> bool:
        """Whether offices work on ``d``.

        Make-up working days are working days even on a weekend; holidays are
        not. Without official data for the year: Monday–Friday except the
        statutory holidays of `fallback_holidays`.
        """
        if d in self.workdays:
            return True
        if d in self.holidays:
            return False
        if d.weekday() >= 5:
            return False
        if d.year not in self.years:
            return d not in fallback_holidays(d.year)
        return True

    def working_days_in_year(self, year: int) -> tuple[date, ...]:
        """All working days of ``year`` in order (cached on the instance)."""
        days = self._index.get(year)
        if days is None:
            first = date(year, 1, 1)
            length = 366 if _stdlib_calendar.isleap(year) else 365
            days = tuple(
                d
                for d in (first + timedelta(days=i) for i in range(length))
                if self.is_working_day(d)
            )
            self._index[year] = days
        return days

    @classmethod
    def from_chinesecalendar(
        cls,
        years: Iterable[int] | None = None,
        version: str = "chinesecalendar-1.11.0",
    ) -> WorkCalendar:
        """Build a calendar from the ``chinesecalendar`` package (no database).

        ``years`` defaults to every year the package covers (2004–2026 for
        1.11.0); a year it does not cover raises ``ValueError``.
        """
        holidays, workdays = official_days_from_chinesecalendar(years)
        covered = _chinesecalendar_years() if years is None else frozenset(years)
        return cls(
            holidays=frozenset(holidays),
            workdays=frozenset(workdays),
            years=covered,
            version=version,
        )


def _chinesecalendar_years() -> frozenset[int]:
    keys = chinese_calendar.holidays.keys()
    return frozenset(range(min(keys).year, max(keys).year + 1))


def official_days_from_chinesecalendar(
    years: Iterable[int] | None = None,
) -> tuple[dict[date, str], dict[date, str]]:
    """Return ``(holidays, workdays)`` from ``chinesecalendar``, keyed by date.

    Values are the Chinese holiday names (国庆节, 春节 …); a make-up working day
    carries the name of the holiday it belongs to. Only dates in ``years`` are
    returned (default: all covered years); an uncovered year raises ``ValueError``.
    Meant for seeding the calendar table.
    """

    covered = _chinesecalendar_years()
    wanted = covered if years is None else frozenset(years)
    missing = sorted(wanted - covered)
    if missing:
        raise ValueError(
            f"chinesecalendar has no data for {missing}; it covers {min(covered)}–{max(covered)}"
        )

    def name(value: str) -> str:
        if value in _HOLIDAY_NAMES:
            return _HOLIDAY_NAMES[value]
        return chinese_calendar.Holiday(value).chinese

    def pick(source: dict) -> dict[date, str]:
        return {d: name(v) for d, v in sorted(source.items()) if d.year in wanted}

    return pick(chinese_calendar.holidays), pick(chinese_calendar.workdays)


@dataclass(frozen=True)
class DueDate:
    """A computed due date.

    ``due`` is ``None`` for rules without a proactive deadline. ``provisional`` is
    True if any date examined lies in a year without official calendar data.
    """

    due: date | None
    publicity_end: date | None = None
    provisional: bool = False
    calendar_version: str = ""


def _touches_unofficial(cal: WorkCalendar, first: date, last: date) -> bool:
    return any(y not in cal.years for y in range(first.year, last.year + 1))


def add_working_days(cal: WorkCalendar, start: date, n: int) -> tuple[date, bool]:
    """Return the Nth working day after ``start`` and whether it is provisional.

    ``n`` is in working days. The trigger day ``start`` is not counted, so with
    ``n == 0`` the result is ``start`` itself.
    """
    if n < 0:
        raise ValueError("n must not be negative")
    if n == 0:
        return start, not cal.is_official(start)
    year = start.year
    days = cal.working_days_in_year(year)
    i = bisect_right(days, start)
    remaining = n
    while i + remaining > len(days):
        remaining -= len(days) - i
        year += 1
        days = cal.working_days_in_year(year)
        i = 0
    result = days[i + remaining - 1]
    return result, _touches_unofficial(cal, start + timedelta(days=1), result)


def next_working_day_on_or_after(cal: WorkCalendar, d: date) -> tuple[date, bool]:
    """Return ``d`` if it is a working day, else the first working day after it."""
    year = d.year
    days = cal.working_days_in_year(year)
    i = bisect_left(days, d)
    while i >= len(days):
        year += 1
        days = cal.working_days_in_year(year)
        i = 0
    result = days[i]
    return result, _touches_unofficial(cal, d, result)


def add_calendar_days(cal: WorkCalendar, start: date, n: int) -> tuple[date, bool]:
    """Return the last day of an N-calendar-day period starting after ``start``.

    ``n`` is in calendar days: the result is ``start + n``, moved to the next
    working day when that is a rest day (weekend or holiday).
    """
    if n < 0:
        raise ValueError("n must not be negative")
    return next_working_day_on_or_after(cal, start + timedelta(days=n))


def period_bounds(d: date, period: Period) -> tuple[date, date]:
    """First and last calendar day of the month/quarter/half-year/year containing ``d``."""
    period = Period(period)
    if period is Period.MONTH:
        first_month, months = d.month, 1
    elif period is Period.QUARTER:
        first_month, months = 3 * ((d.month - 1) // 3) + 1, 3
    elif period is Period.HALF_YEAR:
        first_month, months = (1 if d.month <= 6 else 7), 6
    else:
        first_month, months = 1, 12
    last_month = first_month + months - 1
    last_day = _stdlib_calendar.monthrange(d.year, last_month)[1]
    return date(d.year, first_month, 1), date(d.year, last_month, last_day)


def period_end(cal: WorkCalendar, d: date, period: Period) -> tuple[date, bool]:
    """Deadline of a periodic rule for the period containing ``d``.

    The last calendar day of the period, or the next working day if that is a rest
    day (2023-12-31 → 2024-01-02).
    """
    return next_working_day_on_or_after(cal, period_bounds(d, period)[1])


def publicity_end(
    cal: WorkCalendar, published_on: date, n: int, *, unit: str = WORKING_DAY
) -> tuple[date, bool]:
    """Last day of a publicity period (公示期) of ``n`` days starting on ``published_on``.

    Unlike deadlines, a publicity period counts the day of publication itself (SPEC
    §4: "counts N working days from the day of publication"), as 公示 notices do
    ("公示时间：3月3日至3月11日"): in working days, ``published_on`` is day 1 if it
    is a working day, otherwise day 1 is the next working day. In calendar days
    (``unit="calendar_day"``) the period ends on ``published_on + n - 1``, moved to
    the next working day if that is a rest day, so objections can still be lodged.
    """
    if n < 1:
        raise ValueError("n must be at least 1")
    if unit == CALENDAR_DAY:
        return next_working_day_on_or_after(cal, published_on + timedelta(days=n - 1))
    # Counting from the day before makes ``published_on`` itself the first candidate.
    return add_working_days(cal, published_on - timedelta(days=1), n)


def compute_due(rule: DeadlineRule, trigger: date, cal: WorkCalendar) -> DueDate:
    """Compute the due date of ``rule`` for an event on ``trigger``.

    Working-day and calendar-day rules count from the day after ``trigger``;
    periodic rules fall due at the end of the period containing ``trigger``.
    A publicity period is counted from the due date (the latest allowed
    publication day). On-request, continuous and unparsed rules have no due date.
    """
    if rule.kind is RuleKind.WORKING_DAYS:
        due, provisional = add_working_days(cal, trigger, rule.amount or 0)
    elif rule.kind is RuleKind.CALENDAR_DAYS:
        due, provisional = add_calendar_days(cal, trigger, rule.amount or 0)
    elif rule.kind is RuleKind.PERIODIC and rule.period is not None:
        due, provisional = period_end(cal, trigger, rule.period)
    else:
        return DueDate(due=None, calendar_version=cal.version)
    end: date | None = None
    if rule.has_publicity:
        end, publicity_provisional = publicity_end(
            cal,
            due,
            rule.publicity_amount or 0,
            unit=rule.publicity_unit or WORKING_DAY,
        )
        provisional = provisional or publicity_provisional
    return DueDate(
        due=due,
        publicity_end=end,
        provisional=provisional,
        calendar_version=cal.version,
    )
