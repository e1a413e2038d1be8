"""Disclosure deadline rules (公开时限) and working-day arithmetic (SPEC §4).

This package is pure: no ORM, no database, no clock. The database layer builds a
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
back to weekends plus the statutory holidays of the 2024 放假办法 (lunar dates
computed, no 调休), and every result derived
from such a date is marked ``provisional`` so the UI can say so.

- :mod:`.rule`: `DeadlineRule`, `RuleKind`, `Period`, units, `RuleParseError`;
- :mod:`.wording`: `parse_rule` / `render_rule` (the Chinese wording);
- :mod:`.workdays`: `WorkCalendar` and the arithmetic, `compute_due`;
- :mod:`.localization`: `check_not_looser` (SPEC §3: shorten only).
"""

from .localization import check_not_looser
from .rule import (
    CALENDAR_DAY,
    MAX_AMOUNT,
    PERIOD_CHOICES,
    PROVISIONAL_NOTE,
    RULE_KIND_CHOICES,
    WORKING_DAY,
    DeadlineRule,
    Period,
    RuleKind,
    RuleParseError,
)
from .wording import (
    parse_rule,
    parse_rule_or_unparsed,
    render_rule,
    same_event,
)
from .workdays import (
    FALLBACK_FIXED_HOLIDAYS,
    DueDate,
    WorkCalendar,
    add_calendar_days,
    add_working_days,
    compute_due,
    fallback_holidays,
    next_working_day_on_or_after,
    official_days_from_chinesecalendar,
    period_bounds,
    period_end,
    publicity_end,
)

__all__ = [
    "same_event",
    "CALENDAR_DAY",
    "FALLBACK_FIXED_HOLIDAYS",
    "fallback_holidays",
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
