"""Reporting periods of the progress review: quarters and months (pure, DB-free).

A period is written in URLs and on the command line as ``2026Q3`` (a quarter) or
``2026-09`` (a month) and shown as 2026年第三季度 / 2026年9月. Bounds are
calendar days, both ends inclusive.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

__all__ = [
    "MONTH",
    "QUARTER",
    "Period",
    "PeriodError",
    "month_bounds",
    "parse_period",
    "period_of",
    "quarter_bounds",
]

QUARTER = "quarter"
MONTH = "month"

MIN_YEAR = 2000
MAX_YEAR = 2099

_QUARTER_RE = re.compile(r"^(\d{4})[Qq]([1-4])$")
_MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER_NUMERALS = {1: "一", 2: "二", 3: "三", 4: "四"}


class PeriodError(ValueError):
    """A period could not be read; ``str(error)`` is a Chinese message."""


def quarter_bounds(day: date) -> tuple[date, date]:
    """First and last calendar day of the quarter containing ``day``."""
    first_month = 3 * ((day.month - 1) // 3) + 1
    last_month = first_month + 2
    return (
        date(day.year, first_month, 1),
        date(day.year, last_month, calendar.monthrange(day.year, last_month)[1]),
    )


def month_bounds(day: date) -> tuple[date, date]:
    """First and last calendar day of the month containing ``day``."""
    return (
        date(day.year, day.month, 1),
        date(day.year, day.month, calendar.monthrange(day.year, day.month)[1]),
    )


@dataclass(frozen=True, order=True)
class Period:
    """A quarter or a month. ``number`` is the quarter (1–4) or the month (1–12)."""

    year: int
    kind: str
    number: int

    def __post_init__(self) -> None:
        if self.kind not in (QUARTER, MONTH):
            raise ValueError(f"unknown period kind {self.kind!r}")
        top = 4 if self.kind == QUARTER else 12
        if not 1 <= self.number <= top:
            raise ValueError(f"{self.kind} number out of range: {self.number}")

    # --- constructors -----------------------------------------------------------

    @classmethod
    def quarter(cls, year: int, number: int) -> Period:
        return cls(year=year, kind=QUARTER, number=number)

    @classmethod
    def month(cls, year: int, number: int) -> Period:
        return cls(year=year, kind=MONTH, number=number)

    # --- bounds and names -------------------------------------------------------

    @property
    def is_quarter(self) -> bool:
        return self.kind == QUARTER

    @property
    def start(self) -> date:
        """First calendar day of the period."""
        if self.is_quarter:
            return date(self.year, 3 * self.number - 2, 1)
        return date(self.year, self.number, 1)

    @property
    def end(self) -> date:
        """Last calendar day of the period (inclusive)."""
        last_month = 3 * self.number if self.is_quarter else self.number
        return date(
            self.year, last_month, calendar.monthrange(self.year, last_month)[1]
        )

    @property
    def slug(self) -> str:
        """The URL/CLI form: ``2026Q3`` or ``2026-09``."""
        if self.is_quarter:
            return f"{self.year}Q{self.number}"
        return f"{self.year}-{self.number:02d}"

    @property
    def label(self) -> str:
        """The Chinese name: 2026年第三季度 or 2026年9月."""
        if self.is_quarter:
            return _("%(year)s年第%(quarter)s季度") % {
                "year": self.year,
                "quarter": _QUARTER_NUMERALS[self.number],
            }
        return _("%(year)s年%(month)s月") % {"year": self.year, "month": self.number}

    def __str__(self) -> str:
        return self.slug

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    # --- neighbours -------------------------------------------------------------

    def shifted(self, steps: int) -> Period:
        """The period ``steps`` periods later (negative: earlier), same kind."""
        per_year = 4 if self.is_quarter else 12
        index = self.year * per_year + (self.number - 1) + steps
        return Period(
            year=index // per_year, kind=self.kind, number=index % per_year + 1
        )

    @property
    def previous(self) -> Period:
        return self.shifted(-1)

    @property
    def next(self) -> Period:
        return self.shifted(1)

    def previous_periods(self, count: int) -> list[Period]:
        """The ``count`` periods before this one, nearest first."""
        return [self.shifted(-i) for i in range(1, count + 1)]

    @property
    def containing_quarter(self) -> Period:
        """The quarter this period lies in (itself for a quarter)."""
        if self.is_quarter:
            return self
        return Period.quarter(self.year, (self.number - 1) // 3 + 1)

    def months(self) -> list[Period]:
        """The months of a quarter, in order (a month: itself)."""
        if not self.is_quarter:
            return [self]
        return [Period.month(self.year, 3 * self.number - 2 + i) for i in range(3)]

    def trend_quarters(self, count: int = 4) -> list[Period]:
        """The ``count`` quarters ending with the one containing this period, oldest first."""
        last = self.containing_quarter
        return [last.shifted(-i) for i in range(count - 1, -1, -1)]


def period_of(day: date, kind: str = QUARTER) -> Period:
    """The quarter (or month) containing ``day``."""
    if kind == QUARTER:
        return Period.quarter(day.year, (day.month - 1) // 3 + 1)
    return Period.month(day.year, day.month)


def parse_period(text: str) -> Period:
    """Read ``2026Q3`` (quarter) or ``2026-09`` (month); raise `PeriodError` otherwise."""
    value = (text or "").strip()
    match = _QUARTER_RE.match(value)
    if match:
        year, number = int(match.group(1)), int(match.group(2))
        kind = QUARTER
    else:
        match = _MONTH_RE.match(value)
        if not match:
            raise PeriodError(
                _(
                    "无法识别统计期“%(value)s”：季度请写成“2026Q3”，月份请写成“2026-09”。"
                )
                % {"value": value}
            )
        year, number = int(match.group(1)), int(match.group(2))
        kind = MONTH
        if not 1 <= number <= 12:
            raise PeriodError(
                _("统计期“%(value)s”的月份应在1到12之间，例如“2026-09”。")
                % {"value": value}
            )
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise PeriodError(
            _("统计期“%(value)s”的年份应在%(min)s到%(max)s之间。")
            % {"value": value, "min": MIN_YEAR, "max": MAX_YEAR}
        )
    return Period(year=year, kind=kind, number=number)
