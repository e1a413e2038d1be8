"""Editing the official working-day calendar (holidays and make-up working days, 调休).

Province admins enter next year's arrangement here (through the Django admin)
when the State Council publishes it, usually in November or December. Every
service clears the cached calendar, writes an audit entry and sends
`catalogs.signals.calendar_changed` inside its transaction, so the disclosures
app recomputes the due dates of open obligations in the same transaction (closed
ones keep theirs).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .audit import audit
from .models import CalendarDay, CalendarYear, User
from .selectors import forget_work_calendar
from .signals import calendar_changed

_WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


def _today() -> date:
    return timezone.localdate()


def _touch_years(years: Iterable[int]) -> None:
    """Bump `updated_at` of the affected years: the calendar version is derived from it."""
    CalendarYear.objects.filter(year__in=set(years)).update(updated_at=timezone.now())


def _changed(*, first: date, last: date, actor: User | None) -> None:
    """Drop the cached calendar and tell listeners, inside the current transaction.

    The cache is dropped again when the transaction commits, and at once if a
    listener fails, so a calendar read inside a rolled-back transaction is never
    served afterwards.
    """
    forget_work_calendar()
    transaction.on_commit(forget_work_calendar)
    try:
        calendar_changed.send(sender=CalendarDay, first=first, last=last, actor=actor)
    except BaseException:
        forget_work_calendar()
        raise


def calendar_day_validate(day: date, kind: str, name: str = "") -> None:
    """Raise a ValidationError (keyed by field) for an entry that makes no sense."""
    errors: dict[str, list[str]] = {}
    if kind not in CalendarDay.Kind.values:
        errors["kind"] = [_("请选择日期类型：法定节假日（休息）或调休上班日。")]
    elif kind == CalendarDay.Kind.WORKDAY and day.weekday() < 5:
        errors["kind"] = [
            _(
                "%(date)s是%(weekday)s，本来就是工作日，不能设为调休上班日。"
                "调休上班日只能是周六或周日；如需把它设为休息日，请选择“法定节假日（休息）”。"
            )
            % {"date": day.isoformat(), "weekday": _WEEKDAYS[day.weekday()]}
        ]
    if len(name) > 50:
        errors["name"] = [_("名称最多50个字，例如“春节”。")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def calendar_day_set(
    *,
    day: date,
    kind: str,
    name: str = "",
    actor: User | None,
    previous_date: date | None = None,
) -> CalendarDay:
    """Add or change one exception to the Monday–Friday week.

    `kind` is ``holiday`` (a rest day, including weekend days inside a holiday
    block) or ``workday`` (a make-up working day on a Saturday or Sunday). When an
    existing entry is moved to another date, pass its old date as
    `previous_date`: the old date reverts to an ordinary day.
    """
    name = (name or "").strip()
    calendar_day_validate(day, kind, name)
    first = last = day
    if previous_date is not None and previous_date != day:
        CalendarDay.objects.filter(date=previous_date).delete()
        first, last = min(day, previous_date), max(day, previous_date)
    entry = CalendarDay.objects.filter(date=day).first()
    before = (entry.kind, entry.name) if entry else None
    if before == (kind, name) and first == last:
        return entry  # nothing changed: no audit entry, no recomputation
    if entry is None:
        entry = CalendarDay(date=day)
    entry.kind = kind
    entry.name = name
    entry.full_clean()
    entry.save()
    _touch_years({first.year, last.year})
    audit(
        "catalogs.calendar.day_set",
        actor=actor,
        obj=entry,
        date=day.isoformat(),
        kind=kind,
        name=name,
        before=list(before) if before else None,
        previous_date=previous_date.isoformat() if previous_date else None,
    )
    _changed(first=first, last=last, actor=actor)
    return entry


@transaction.atomic
def calendar_days_remove(*, days: Iterable[date], actor: User | None) -> int:
    """Remove entries: each date becomes an ordinary day (Mon–Fri work, Sat–Sun rest).

    Returns the number of entries removed; missing dates are ignored.
    """
    entries = list(CalendarDay.objects.filter(date__in=set(days)).order_by("date"))
    if not entries:
        return 0
    for entry in entries:
        audit(
            "catalogs.calendar.day_removed",
            actor=actor,
            obj=entry,
            date=entry.date.isoformat(),
            kind=entry.kind,
            name=entry.name,
        )
        entry.delete()  # one by one, so the history keeps each removal
    _touch_years({e.date.year for e in entries})
    _changed(first=entries[0].date, last=entries[-1].date, actor=actor)
    return len(entries)


def calendar_day_remove(*, day: date, actor: User | None) -> bool:
    """Remove one entry; True if there was one."""
    return calendar_days_remove(days=[day], actor=actor) == 1


@transaction.atomic
def calendar_year_mark_official(
    *, year: int, actor: User | None, official: bool = True, source: str = ""
) -> CalendarYear:
    """Mark a year's data as entered from the State Council notice (or take that back).

    An official year is counted with its entries only; a year that is not
    official falls back to weekends plus the fixed statutory holidays, and every
    date computed in it is shown as provisional.
    """
    if not 1949 <= year <= 2200:
        raise ValidationError(
            {"year": _("年份%(year)s不合理，请填写四位数的公历年份。") % {"year": year}}
        )
    source = (source or "").strip()
    entry = CalendarYear.objects.filter(year=year).first()
    before = (entry.official, entry.source) if entry else None
    if entry is None:
        entry = CalendarYear(year=year)
    if before == (official, source or entry.source):
        return entry
    entry.official = official
    if source:
        entry.source = source
    entry.full_clean()
    entry.save()
    audit(
        "catalogs.calendar.year_marked",
        actor=actor,
        obj=entry,
        year=year,
        official=official,
        source=entry.source,
    )
    _changed(first=date(year, 1, 1), last=date(year, 12, 31), actor=actor)
    return entry


def calendar_next_year_missing(*, today: date | None = None) -> int | None:
    """Next year, if it is November or December and next year has no official data.

    The State Council announces the next year's arrangement in November or
    December; until a province admin enters it, due dates in that year are
    provisional.
    """
    today = today or _today()
    if today.month < 11:
        return None
    next_year = today.year + 1
    if CalendarYear.objects.filter(year=next_year, official=True).exists():
        return None
    return next_year
