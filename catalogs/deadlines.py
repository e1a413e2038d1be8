"""Disclosure deadline rules (公开时限) and working-day arithmetic (SPEC §4).

This module is pure: no ORM, no database, no clock. The database layer builds a
``WorkCalendar`` from the official-calendar table and passes it in; services store
the computed ``DueDate`` together with ``calendar_version``.

Units are always explicit:

* *working days* (工作日) are days on which government offices work according to
  the official calendar: Monday to Friday, minus statutory holidays, plus make-up
  working days (调休), which may fall on a Saturday or Sunday;
* *calendar days* (日/天/自然日) are all days.

Counting follows 《民法典》 第二百零一条、第二百零三条: the trigger day itself is not
counted, and a period whose last day is a rest day ends on the next working day.

A date in a year without official calendar data never raises: the calendar falls
back to weekends plus the fixed solar-calendar holidays, and every result derived
from such a date is marked ``provisional`` so the UI can say so.
"""

from __future__ import annotations

import calendar as _stdlib_calendar
import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from enum import Enum

import chinese_calendar

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

__all__ = [
    "CALENDAR_DAY",
    "FALLBACK_FIXED_HOLIDAYS",
    "MAX_AMOUNT",
    "PERIOD_CHOICES",
    "PROVISIONAL_NOTE",
    "RULE_KIND_CHOICES",
    "WORKING_DAY",
    "DeadlineRule",
    "DueDate",
    "Period",
    "RuleKind",
    "RuleParseError",
    "WorkCalendar",
    "add_calendar_days",
    "add_working_days",
    "check_not_looser",
    "compute_due",
    "next_working_day_on_or_after",
    "official_days_from_chinesecalendar",
    "parse_rule",
    "parse_rule_or_unparsed",
    "period_bounds",
    "period_end",
    "publicity_end",
    "render_rule",
]

WORKING_DAY = "working_day"
CALENDAR_DAY = "calendar_day"

#: Largest N accepted by the parser, in working or calendar days.
MAX_AMOUNT = 365

#: Shown next to a due date whose computation touched a year without official data.
PROVISIONAL_NOTE = _(
    "该日期所在年份尚无国务院公布的节假日安排，暂按周末和元旦、劳动节、国庆节的固定假日推算，"
    "官方安排公布后可能变动。"
)


class RuleKind(str, Enum):
    """How a deadline is expressed; the values are stored in the database."""

    WORKING_DAYS = "working_days"
    CALENDAR_DAYS = "calendar_days"
    PERIODIC = "periodic"
    ON_REQUEST = "on_request"
    CONTINUOUS = "continuous"
    UNPARSED = "unparsed"


class Period(str, Enum):
    """The period of a periodic rule; the deadline is the period's last day."""

    MONTH = "month"
    QUARTER = "quarter"
    HALF_YEAR = "half_year"
    YEAR = "year"


RULE_KIND_CHOICES = [
    (RuleKind.WORKING_DAYS.value, _("事件发生后N个工作日内")),
    (RuleKind.CALENDAR_DAYS.value, _("事件发生后N日内")),
    (RuleKind.PERIODIC.value, _("定期公开")),
    (RuleKind.ON_REQUEST.value, _("依申请公开")),
    (RuleKind.CONTINUOUS.value, _("长期公开")),
    (RuleKind.UNPARSED.value, _("无法识别，待人工核对")),
]

PERIOD_CHOICES = [
    (Period.MONTH.value, _("每月")),
    (Period.QUARTER.value, _("每季度")),
    (Period.HALF_YEAR.value, _("每半年")),
    (Period.YEAR.value, _("每年")),
]

_PROACTIVE_KINDS = frozenset({RuleKind.WORKING_DAYS, RuleKind.CALENDAR_DAYS, RuleKind.PERIODIC})


@dataclass(frozen=True)
class DeadlineRule:
    """A structured deadline rule.

    ``amount`` is N in working days (``WORKING_DAYS``) or calendar days
    (``CALENDAR_DAYS``). ``publicity_amount`` is the length of a publicity period
    (公示期) in ``publicity_unit`` (``"working_day"`` or ``"calendar_day"``).
    ``trigger`` is the event wording (制定或获取信息, 备案 …) for event rules; for
    ``CONTINUOUS`` rules it holds the mode word (实时, 长期 or 常态化). ``text`` is the
    original wording, kept verbatim; it takes part in ``==``, so compare
    ``without_text()`` to compare meanings.
    """

    kind: RuleKind
    trigger: str = ""
    amount: int | None = None
    period: Period | None = None
    publicity_amount: int | None = None
    publicity_unit: str | None = None
    text: str = ""

    def __post_init__(self) -> None:
        # Values read back from the database arrive as plain strings.
        object.__setattr__(self, "kind", RuleKind(self.kind))
        if self.period is not None:
            object.__setattr__(self, "period", Period(self.period))

    @property
    def unit(self) -> str | None:
        """``"working_day"``, ``"calendar_day"`` or ``None`` for rules without N."""
        if self.kind is RuleKind.WORKING_DAYS:
            return WORKING_DAY
        if self.kind is RuleKind.CALENDAR_DAYS:
            return CALENDAR_DAY
        return None

    @property
    def has_publicity(self) -> bool:
        """Whether the rule carries a publicity period (公示N个工作日)."""
        return bool(self.publicity_amount)

    @property
    def is_proactive(self) -> bool:
        """Whether the rule yields a due date (False for on-request, continuous, unparsed)."""
        return self.kind in _PROACTIVE_KINDS

    def without_text(self) -> DeadlineRule:
        """Return the same rule with ``text`` cleared, for comparing meanings."""
        return replace(self, text="")


class RuleParseError(ValueError):
    """A deadline wording could not be read; ``str(error)`` is a Chinese message.

    ``code`` (``"empty"``, ``"invalid"`` or ``"amount"``) and ``params`` let a form
    turn it into a ``ValidationError``.
    """

    def __init__(self, message: str, *, code: str = "invalid", params: dict | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.params = params or {}


# --------------------------------------------------------------------------- parsing

_NUM = r"[0-9]+|[零〇一二两三四五六七八九十百]+"
_WD_UNITS = {"个工作日", "工作日"}
_UNIT = r"个工作日|工作日|个自然日|自然日|个日历日|日历日|日|天"

_PUBLICITY_RE = re.compile(
    rf"(?:[,;、])?公示期?为?(?P<num>{_NUM})(?P<unit>{_UNIT})(?:内|以内)?$"
)
_EVENT_RE = re.compile(
    rf"^(?P<trigger>.*?)(?P<sep>之日起|之日后|之后|起|后)?(?P<num>{_NUM})(?P<unit>{_UNIT})"
    r"(?:内|以内)?(?:(?:予以|主动)?公开)?$"
)
# An event wording directly followed by a number must not end in a time word:
# "次月10日" or "年底前10日" name a date, not "event + N days".
_DATE_WORD_ENDINGS = ("月", "年", "季度", "季", "周", "日", "号", "天", "底", "末", "初", "前", "后")
_TRIGGER_RE = re.compile(r"^[\u4e00-\u9fff]+$")
_VAGUE_TRIGGER_WORDS = ("若干", "尽快", "及时", "左右", "工作日", "日内")

_PERIOD_WORDS: dict[str, Period] = {
    **dict.fromkeys(("每月", "每个月", "每月末", "每月底", "每月末前", "每月底前", "月末", "月底"), Period.MONTH),
    **dict.fromkeys(
        ("每季度", "每个季度", "每季", "每季度末", "每季末", "每季度底", "每季度末前", "季度末", "季末"),
        Period.QUARTER,
    ),
    **dict.fromkeys(("每半年", "每半年末", "每半年末前", "半年末"), Period.HALF_YEAR),
    **dict.fromkeys(
        ("每年", "每年末", "每年底", "每年年底", "每年年底前", "每年末前", "每年底前", "年底前", "年末", "年底"),
        Period.YEAR,
    ),
}
_CONTINUOUS_WORDS = {
    "实时": "实时",
    "实时公开": "实时",
    "长期": "长期",
    "长期公开": "长期",
    "常态化": "常态化",
    "常态化公开": "常态化",
}
_ON_REQUEST_WORDS = {"依申请公开", "依申请"}

_PERIOD_RENDER = {
    Period.MONTH: "每月末",
    Period.QUARTER: "每季度末",
    Period.HALF_YEAR: "每半年末",
    Period.YEAR: "每年末",
}

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_NUMBER_RE = re.compile(
    r"^(?:(?P<h>[一二两三四五六七八九])百)?(?P<z>[零〇])?(?:(?P<t>[一二三四五六七八九])?(?P<ten>十))?(?P<u>[一二三四五六七八九])?$"
)


def _cn_to_int(s: str) -> int | None:
    """Read a Chinese numeral up to 999 (十, 十五, 二十, 一百零五); None if malformed."""
    m = _CN_NUMBER_RE.match(s)
    if not m or not s:
        return None
    h, z, t, ten, u = m.group("h", "z", "t", "ten", "u")
    if z and not h:
        return None
    value = 0
    if h:
        value += _CN_DIGITS[h] * 100
    if ten:
        value += (_CN_DIGITS[t] if t else 1) * 10
    if u:
        value += _CN_DIGITS[u]
    return value


def _to_int(s: str) -> int | None:
    return int(s) if s.isdigit() else _cn_to_int(s)


def _normalize(text: str) -> str:
    """NFKC (full-width digits and commas), no whitespace, no surrounding quotes or final stop."""
    s = unicodedata.normalize("NFKC", text)
    s = re.sub(r"\s+", "", s)
    s = s.strip("“”\"'‘’「」")
    s = s.rstrip("。.;；,、")
    return s


def _error(text: str) -> RuleParseError:
    return RuleParseError(
        gettext(
            "无法识别公开时限“%(text)s”：请写成“制定或获取信息之日起10个工作日内”"
            "“每季度末”或“依申请公开”等形式。"
        )
        % {"text": text},
        code="invalid",
        params={"text": text},
    )


def _amount(raw: str, text: str) -> int:
    value = _to_int(raw)
    if value is None:
        raise _error(text)
    if not 1 <= value <= MAX_AMOUNT:
        raise RuleParseError(
            gettext("公开时限“%(text)s”中的天数%(amount)s不合理：应为1到%(max)s之间的整数。")
            % {"text": text, "amount": value, "max": MAX_AMOUNT},
            code="amount",
            params={"text": text, "amount": value, "max": MAX_AMOUNT},
        )
    return value


def parse_rule(text: str) -> DeadlineRule:
    """Parse a Chinese deadline wording into a ``DeadlineRule``; never guesses.

    Accepted: ``<event>之日起N个工作日内`` (working days), ``<event>之日起N日内`` /
    ``N天`` / ``N个自然日`` (calendar days), each optionally followed by
    ``，公示N个工作日`` (or ``公示N日``); ``每月`` … ``每年末`` / ``年底前``
    (periodic); ``依申请公开``; ``实时`` / ``长期`` / ``常态化公开`` (continuous).
    Full-width digits, Chinese numerals up to 999 and a trailing stop are accepted;
    the event and ``之日起`` may be omitted. ``text`` of the result is the input
    verbatim. Raises ``RuleParseError`` with a Chinese message otherwise.
    """
    s = _normalize(text or "")
    if not s:
        raise RuleParseError(
            gettext(
                "公开时限不能为空：请写成“制定或获取信息之日起10个工作日内”"
                "“每季度末”或“依申请公开”等形式。"
            ),
            code="empty",
        )

    publicity_amount: int | None = None
    publicity_unit: str | None = None
    pm = _PUBLICITY_RE.search(s)
    if pm and pm.start() > 0:
        publicity_amount = _amount(pm.group("num"), text)
        publicity_unit = WORKING_DAY if pm.group("unit") in _WD_UNITS else CALENDAR_DAY
        s = s[: pm.start()]

    def with_publicity(rule: DeadlineRule) -> DeadlineRule:
        return replace(rule, publicity_amount=publicity_amount, publicity_unit=publicity_unit)

    if s in _ON_REQUEST_WORDS or s in _CONTINUOUS_WORDS:
        if publicity_amount is not None:
            raise _error(text)
        if s in _ON_REQUEST_WORDS:
            return DeadlineRule(kind=RuleKind.ON_REQUEST, text=text)
        return DeadlineRule(kind=RuleKind.CONTINUOUS, trigger=_CONTINUOUS_WORDS[s], text=text)

    periodic = s.removesuffix("公开")
    if periodic in _PERIOD_WORDS:
        return with_publicity(
            DeadlineRule(kind=RuleKind.PERIODIC, period=_PERIOD_WORDS[periodic], text=text)
        )

    m = _EVENT_RE.match(s)
    if not m:
        raise _error(text)
    trigger = m.group("trigger").removesuffix("之日")
    if m.group("sep") in ("之日起", "起"):
        trigger = trigger.removeprefix("自")  # 自…之日起
    if trigger and (
        not _TRIGGER_RE.match(trigger)
        or any(w in trigger for w in _VAGUE_TRIGGER_WORDS)
        or trigger.rstrip("期为") == "公示"  # a bare publicity period, not an event
        # 每季度末后10日 hangs on a period, not an event; 每次…后 is still an event.
        or (trigger.startswith("每") and not trigger.startswith("每次"))
        or (not m.group("sep") and trigger.endswith(_DATE_WORD_ENDINGS))  # 次月10日
    ):
        raise _error(text)
    amount = _amount(m.group("num"), text)
    kind = RuleKind.WORKING_DAYS if m.group("unit") in _WD_UNITS else RuleKind.CALENDAR_DAYS
    return with_publicity(DeadlineRule(kind=kind, trigger=trigger, amount=amount, text=text))


def parse_rule_or_unparsed(text: str) -> DeadlineRule:
    """Parse like ``parse_rule``; unreadable wording becomes an ``UNPARSED`` rule.

    Never raises. The wording is kept in ``text`` so a human can fix it later.
    """
    try:
        return parse_rule(text)
    except RuleParseError:
        return DeadlineRule(kind=RuleKind.UNPARSED, text=text or "")


def _render_publicity(rule: DeadlineRule) -> str:
    if not rule.has_publicity:
        return ""
    unit = "个工作日" if rule.publicity_unit == WORKING_DAY else "日"
    return f"公示{rule.publicity_amount}{unit}"


def render_rule(rule: DeadlineRule) -> str:
    """Render a rule as canonical Chinese text; ``parse_rule`` reads it back.

    ``parse_rule(render_rule(r)).without_text() == r.without_text()`` for every
    rule ``parse_rule`` can produce. ``UNPARSED`` rules render as their ``text``.
    """
    kind = rule.kind
    if kind is RuleKind.UNPARSED:
        return rule.text
    if kind is RuleKind.ON_REQUEST:
        return "依申请公开"
    if kind is RuleKind.CONTINUOUS:
        return f"{rule.trigger or '长期'}公开"
    if kind is RuleKind.PERIODIC:
        if rule.period is None:
            raise ValueError("periodic rule without period")
        main = _PERIOD_RENDER[Period(rule.period)]
    else:
        if not rule.amount:
            raise ValueError("event rule without amount")
        unit = "个工作日" if kind is RuleKind.WORKING_DAYS else "日"
        prefix = f"{rule.trigger}之日起" if rule.trigger else ""
        main = f"{prefix}{rule.amount}{unit}内"
    publicity = _render_publicity(rule)
    return f"{main}，{publicity}" if publicity else main


# --------------------------------------------------------------------------- calendar

#: Fixed solar-calendar statutory holidays of 《全国年节及纪念日放假办法》 (2024
#: revision, in force 2025-01-01), used for years without official data. Lunar
#: holidays (春节, 清明, 端午, 中秋) and weekend shifts are not known in advance.
FALLBACK_FIXED_HOLIDAYS: dict[tuple[int, int], str] = {
    (1, 1): "元旦",
    (5, 1): "劳动节",
    (5, 2): "劳动节",
    (10, 1): "国庆节",
    (10, 2): "国庆节",
    (10, 3): "国庆节",
}

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
    ``years`` the calendar falls back to weekends plus ``FALLBACK_FIXED_HOLIDAYS``.
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
        return {name: getattr(self, name) for name in ("holidays", "workdays", "years", "version")}

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
        not. Without official data for the year: Monday–Friday except the fixed
        solar statutory holidays.
        """
        if d in self.workdays:
            return True
        if d in self.holidays:
            return False
        if d.weekday() >= 5:
            return False
        if d.year not in self.years:
            return (d.month, d.day) not in FALLBACK_FIXED_HOLIDAYS
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
            cal, due, rule.publicity_amount or 0, unit=rule.publicity_unit or WORKING_DAY
        )
        provisional = provisional or publicity_provisional
    return DueDate(
        due=due, publicity_end=end, provisional=provisional, calendar_version=cal.version
    )


# --------------------------------------------------------------------------- localization


def _fast_due(rule: DeadlineRule, trigger: date, cal: WorkCalendar) -> date:
    """Due date of a proactive rule, without the ``DueDate`` wrapper."""
    if rule.kind is RuleKind.WORKING_DAYS:
        return add_working_days(cal, trigger, rule.amount or 0)[0]
    if rule.kind is RuleKind.CALENDAR_DAYS:
        return add_calendar_days(cal, trigger, rule.amount or 0)[0]
    return period_end(cal, trigger, rule.period)[0]  # type: ignore[arg-type]


_PERIOD_ORDER = {Period.MONTH: 0, Period.QUARTER: 1, Period.HALF_YEAR: 2, Period.YEAR: 3}


def _due_never_later(local: DeadlineRule, template: DeadlineRule) -> bool:
    """True when the local due date is provably never later, without sampling.

    Holds for the same event and unit with N not larger (both counts are
    monotonic in N), and for a periodic rule with a period that nests inside the
    template's (every month end is on or before its quarter end).
    """
    if local.kind is not template.kind:
        return False
    if local.kind is RuleKind.PERIODIC:
        return _PERIOD_ORDER[local.period] <= _PERIOD_ORDER[template.period]  # type: ignore[index]
    return (local.amount or 0) <= (template.amount or 0)


def _same_text(a: DeadlineRule, b: DeadlineRule) -> bool:
    return _normalize(a.text) == _normalize(b.text)


def check_not_looser(
    local: DeadlineRule,
    template: DeadlineRule,
    cal: WorkCalendar,
    *,
    sample_start: date = date(2024, 1, 1),
    sample_days: int = 731,
) -> list[str]:
    """Check that a localized rule is not looser than its template (SPEC §3).

    Returns Chinese messages; an empty list means the local rule is allowed. For
    every trigger date in ``sample_days`` calendar days from ``sample_start`` the
    local due date must not be later than the template's, which compares working
    days, calendar days and periodic rules on the same footing. Also: a proactive
    template cannot become on-request, continuous or unreadable; a continuous
    template must stay continuous; an on-request template accepts any readable
    rule; the event a deadline counts from cannot change; and a publicity period
    (公示期) cannot be dropped or shortened, checked with every sample day as the
    publication day.
    """
    if local.kind is not RuleKind.UNPARSED and local.without_text() == template.without_text():
        return []
    local_text = local.text or render_rule(local)
    template_text = template.text or render_rule(template)
    params = {"local": local_text, "template": template_text}
    verdict = _kind_verdict(local, template, params)
    if verdict is not None:
        return verdict
    # Both rules are proactive with a due date from here on.
    one_day = timedelta(days=1)
    triggers = [sample_start + i * one_day for i in range(max(sample_days, 0))]
    return [
        *_trigger_changed(local, template),
        *_due_later(local, template, cal, triggers, params),
        *_publicity_shorter(local, template, cal, triggers),
    ]


def _kind_verdict(
    local: DeadlineRule, template: DeadlineRule, params: dict[str, str]
) -> list[str] | None:
    """The verdict when the kinds of rule alone decide it, else None.

    None means both rules are proactive with a due date, to be compared by
    :func:`_due_later` and :func:`_publicity_shorter`.
    """
    if template.kind is RuleKind.UNPARSED:
        if _same_text(local, template):
            return []
        return [
            gettext(
                "模板的公开时限“%(template)s”尚未能识别，无法核对本地公开时限“%(local)s”"
                "是否更短。请保持与模板一致，或请省级管理员修正模板。"
            )
            % params
        ]
    if local.kind is RuleKind.UNPARSED:
        return [
            gettext(
                "无法识别本地公开时限“%(local)s”，无法核对它是否短于模板的“%(template)s”。"
                "请写成“制定或获取信息之日起10个工作日内”“每季度末”或“依申请公开”等形式。"
            )
            % params
        ]
    if template.kind is RuleKind.ON_REQUEST:
        return []
    if template.kind is RuleKind.CONTINUOUS:
        if local.kind is RuleKind.CONTINUOUS:
            return []
        return [
            gettext(
                "公开时限不能放宽：模板要求“%(template)s”（持续公开），本地不能改为“%(local)s”。"
                "请保持与模板一致。"
            )
            % params
        ]
    # The template is proactive from here on.
    if local.kind is RuleKind.ON_REQUEST:
        return [
            gettext(
                "公开时限不能放宽：模板要求在“%(template)s”主动公开，本地不能改为“%(local)s”。"
                "请缩短或保持与模板一致。"
            )
            % params
        ]
    if local.kind is RuleKind.CONTINUOUS:
        return [
            gettext(
                "公开时限不能改为没有截止日期的“%(local)s”：模板为“%(template)s”，"
                "要求在截止日前公开。请缩短或保持与模板一致。"
            )
            % params
        ]
    return None


def _trigger_changed(local: DeadlineRule, template: DeadlineRule) -> list[str]:
    """A message if two counted rules count from different events (not comparable)."""
    if (
        local.kind is not RuleKind.PERIODIC
        and template.kind is not RuleKind.PERIODIC
        and local.trigger
        and template.trigger
        and local.trigger != template.trigger
    ):
        return [
            gettext(
                "公开时限的起算事件不能改变：模板从“%(template_trigger)s之日起”计算，"
                "本地为“%(local_trigger)s之日起”，两者无法比较长短。请保留模板的起算事件，只缩短天数。"
            )
            % {"template_trigger": template.trigger, "local_trigger": local.trigger}
        ]
    return []


def _due_later(
    local: DeadlineRule,
    template: DeadlineRule,
    cal: WorkCalendar,
    triggers: list[date],
    params: dict[str, str],
) -> list[str]:
    """A message for the first trigger date whose local due date is later than the template's.

    Skips the sampling when :func:`_due_never_later` proves the answer.
    """
    if _due_never_later(local, template):
        return []
    for t in triggers:
        local_due = _fast_due(local, t, cal)
        template_due = _fast_due(template, t, cal)
        if local_due > template_due:
            return [
                gettext(
                    "公开时限不能长于模板：模板为“%(template)s”，本地为“%(local)s”，"
                    "在%(trigger)s触发时本地截止日%(local_due)s晚于模板的%(template_due)s。"
                    "请缩短或保持与模板一致。"
                )
                % {
                    **params,
                    "trigger": t.isoformat(),
                    "local_due": local_due.isoformat(),
                    "template_due": template_due.isoformat(),
                }
            ]
    return []


def _publicity_shorter(
    local: DeadlineRule, template: DeadlineRule, cal: WorkCalendar, triggers: list[date]
) -> list[str]:
    """A message if the template's publicity period (公示期) is dropped or ends earlier.

    Every trigger date is tried as the publication day; the same unit with a
    count not smaller never ends earlier, so it is not sampled.
    """
    if not template.has_publicity:
        return []
    publicity_params = {
        "template_publicity": _render_publicity(template),
        "local_publicity": _render_publicity(local),
    }
    if not local.has_publicity:
        return [
            gettext(
                "公示期不能取消：模板要求“%(template_publicity)s”，本地没有公示期。"
                "公示期只能延长，不能缩短。"
            )
            % publicity_params
        ]
    if local.publicity_unit == template.publicity_unit and (
        (local.publicity_amount or 0) >= (template.publicity_amount or 0)
    ):
        return []
    for t in triggers:
        local_end = publicity_end(
            cal, t, local.publicity_amount or 0, unit=local.publicity_unit or WORKING_DAY
        )[0]
        template_end = publicity_end(
            cal,
            t,
            template.publicity_amount or 0,
            unit=template.publicity_unit or WORKING_DAY,
        )[0]
        if local_end < template_end:
            return [
                gettext(
                    "公示期不能短于模板：模板为“%(template_publicity)s”，本地为“%(local_publicity)s”，"
                    "在%(published)s发布时本地公示期于%(local_end)s结束，早于模板的%(template_end)s。"
                    "请保持或延长公示期。"
                )
                % {
                    **publicity_params,
                    "published": t.isoformat(),
                    "local_end": local_end.isoformat(),
                    "template_end": template_end.isoformat(),
                }
            ]
    return []
