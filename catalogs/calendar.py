"""Editing the official working-day calendar (holidays and make-up working days, 调休).

Province admins enter next year's arrangement here (through the Django admin)
when the State Council publishes it, usually in November or December. Every
service clears the cached calendar, writes an audit entry and sends
`catalogs.signals.calendar_changed` inside its transaction, so the disclosures
app recomputes the due dates of open obligations in the same transaction (closed
ones keep theirs).
"""

from __future__ import annotations

import calendar as _stdlib_calendar
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

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


# --- The State Council notice for a whole year, in one form ---------------------

_DATE_ISO = r"(?P<{p}y>\d{{4}})-(?P<{p}m>\d{{1,2}})-(?P<{p}d>\d{{1,2}})"
_DATE_ZH = r"(?:(?P<{p}y>\d{{4}})年)?(?:(?P<{p}m>\d{{1,2}})月)?(?P<{p}d>\d{{1,2}})日"
_RANGE_SEP = r"\s*(?:至|到|—|–|~|～|-)\s*"


@dataclass(frozen=True)
class NoticeLine:
    """One line of the notice: a holiday range or a single make-up working day."""

    name: str
    first: date
    last: date


def _date_patterns(prefix: str) -> list[str]:
    return [_DATE_ISO.format(p=prefix), _DATE_ZH.format(p=prefix)]


def _to_date(match: re.Match, prefix: str, year: int, month: int | None) -> date:
    y = int(match.group(f"{prefix}y") or year)
    m_raw = match.group(f"{prefix}m")
    m = int(m_raw) if m_raw else month
    if m is None:
        raise ValueError("month")
    return date(y, m, int(match.group(f"{prefix}d")))


def parse_notice_lines(text: str, *, year: int, ranges: bool) -> list[NoticeLine]:
    """Read the lines a province admin copied from the notice.

    Each line: a name, then a date or (``ranges=True``) a range, e.g.
    ``春节 2027-02-05至2027-02-12``, ``春节：2月5日至12日``, ``劳动节 5月1日至5日``;
    a make-up day: ``春节 2月14日（星期日）``. A year left out means ``year``.
    Raises a ValidationError naming every line that cannot be read.
    """
    lines: list[NoticeLine] = []
    errors: list[str] = []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = re.sub(r"[（(][^）)]*[）)]", "", raw).strip().rstrip("。；;，,")
        if not line:
            continue
        found = None
        for first in _date_patterns("a"):
            for last in _date_patterns("b") if ranges else [None]:
                pattern = first + (_RANGE_SEP + last if last else "")
                found = re.search(pattern + r"\s*$", line)
                if found:
                    break
            if found:
                break
        if found is None and ranges:
            for first in _date_patterns("a"):
                found = re.search(first + r"\s*$", line)
                if found:
                    break
        name = line[: found.start()].strip(" ：:，,\t") if found else ""
        try:
            if found is None:
                raise ValueError("no date")
            start = _to_date(found, "a", year, None)
            end = (
                _to_date(found, "b", start.year, start.month)
                if "by" in found.groupdict() and found.group("bd")
                else start
            )
        except ValueError:
            errors.append(
                _(
                    "第%(n)s行“%(line)s”无法识别：请写成“名称 起始日期至结束日期”，"
                    "例如“春节 2027-02-05至2027-02-12”或“春节 2月5日至12日”。"
                )
                % {"n": number, "line": raw.strip()}
            )
            continue
        if end < start:
            errors.append(
                _("第%(n)s行“%(line)s”的结束日期早于起始日期，请检查。")
                % {"n": number, "line": raw.strip()}
            )
            continue
        if (end - start).days > 31:
            errors.append(
                _("第%(n)s行“%(line)s”超过31天，不像是一段假期，请检查日期。")
                % {"n": number, "line": raw.strip()}
            )
            continue
        lines.append(NoticeLine(name=name[:50], first=start, last=end))
    if errors:
        raise ValidationError(errors)
    return lines


@transaction.atomic
def calendar_year_enter_notice(
    *,
    year: int,
    holidays: Iterable[NoticeLine],
    workdays: Iterable[NoticeLine],
    source: str,
    actor: User | None,
) -> CalendarYear:
    """Replace ``year``'s calendar with the State Council notice and mark it official.

    ``holidays`` are ranges of rest days (weekend days inside a block included),
    ``workdays`` the make-up working days. Every date must lie in ``year`` (a
    block starting on 12/31 of the previous year belongs to that year's notice).
    One audit entry, one recomputation of the open due dates.
    """
    source = (source or "").strip()
    errors: dict[str, list[str]] = {}
    if not source:
        errors["source"] = [
            _(
                "请填写通知名称或文号，例如“国务院办公厅关于2027年部分节假日安排的通知”。"
            )
        ]
    rest: dict[date, str] = {}
    for line in holidays:
        d = line.first
        while d <= line.last:
            rest[d] = line.name
            d += timedelta(days=1)
    work: dict[date, str] = {}
    for line in workdays:
        d = line.first
        while d <= line.last:
            work[d] = line.name
            d += timedelta(days=1)
    outside = sorted(d for d in (*rest, *work) if d.year != year)
    if outside:
        errors.setdefault("holidays", []).append(
            _("%(dates)s不在%(year)s年内：这里只录入%(year)s年的安排。")
            % {"dates": "、".join(d.isoformat() for d in outside[:5]), "year": year}
        )
    both = sorted(set(rest) & set(work))
    if both:
        errors.setdefault("workdays", []).append(
            _("%(dates)s既是放假日又是调休上班日，请改正其中一项。")
            % {"dates": "、".join(d.isoformat() for d in both[:5])}
        )
    weekday_work = sorted(d for d in work if d.weekday() < 5)
    if weekday_work:
        errors.setdefault("workdays", []).append(
            _(
                "%(dates)s本来就是工作日，不能设为调休上班日：调休上班日只能是周六或周日。"
            )
            % {"dates": "、".join(d.isoformat() for d in weekday_work[:5])}
        )
    if not rest:
        errors.setdefault("holidays", []).append(
            _("请至少填写一段放假安排（每行一段），例如“元旦 1月1日”。")
        )
    if errors:
        raise ValidationError(errors)
    before = list(
        CalendarDay.objects.filter(date__year=year)
        .order_by("date")
        .values_list("date", "kind", "name")
    )
    CalendarDay.objects.filter(date__year=year).delete()
    CalendarDay.objects.bulk_create(
        [
            CalendarDay(date=d, kind=CalendarDay.Kind.HOLIDAY, name=n)
            for d, n in sorted(rest.items())
        ]
        + [
            CalendarDay(date=d, kind=CalendarDay.Kind.WORKDAY, name=n)
            for d, n in sorted(work.items())
        ]
    )
    entry, _created = CalendarYear.objects.update_or_create(
        year=year, defaults={"official": True, "source": source}
    )
    entry.save()  # bumps updated_at: the calendar version changes
    audit(
        "catalogs.calendar.notice_entered",
        actor=actor,
        obj=entry,
        year=year,
        source=source,
        holidays=[d.isoformat() for d in sorted(rest)],
        workdays=[d.isoformat() for d in sorted(work)],
        before=[[d.isoformat(), k, n] for d, k, n in before],
    )
    _changed(first=date(year, 1, 1), last=date(year, 12, 31), actor=actor)
    return entry


def notice_text(year: int) -> tuple[str, str]:
    """The stored entries of ``year`` as the form's two texts (ranges merged)."""
    out: dict[str, list[str]] = {"holiday": [], "workday": []}
    run: list = []

    def flush():
        if run:
            kind, name, first, last = run
            text = f"{name} {first.isoformat()}"
            if last != first:
                text += f"至{last.isoformat()}"
            out[kind].append(text.strip())

    for entry in CalendarDay.objects.filter(date__year=year).order_by("kind", "date"):
        if (
            run
            and run[0] == entry.kind
            and run[1] == entry.name
            and entry.date == run[3] + timedelta(days=1)
        ):
            run[3] = entry.date
            continue
        flush()
        run = [entry.kind, entry.name, entry.date, entry.date]
    flush()
    return "\n".join(out["holiday"]), "\n".join(out["workday"])


def year_view(year: int, cal) -> list[dict]:
    """Twelve months of ``year`` for the year view: weeks of (day, state, name).

    state: ``holiday``, ``makeup`` (调休上班), ``weekend``, ``work``, or
    ``provisional-holiday`` for a fallback holiday in a year without official data.
    """
    from .deadlines import fallback_holidays

    names = dict(
        CalendarDay.objects.filter(date__year=year).values_list("date", "name")
    )
    official = cal.is_official(date(year, 1, 1))
    fallback = {} if official else fallback_holidays(year)
    months = []
    for month in range(1, 13):
        weeks = []
        for week in _stdlib_calendar.Calendar().monthdatescalendar(year, month):
            row = []
            for d in week:
                if d.month != month:
                    row.append(None)
                    continue
                if d in cal.workdays:
                    state = "makeup"
                elif not cal.is_working_day(d):
                    if d in cal.holidays:
                        state = "holiday"
                    elif d in fallback:
                        state = "provisional-holiday"
                    else:
                        state = "weekend"
                else:
                    state = "work"
                row.append(
                    {
                        "day": d,
                        "state": state,
                        "name": names.get(d) or fallback.get(d, ""),
                    }
                )
            weeks.append(row)
        months.append({"month": month, "weeks": weeks})
    return months
