"""The reply clock of an application, in working days (pure: no database, no clock).

《中华人民共和国政府信息公开条例》:

* 第三十一条: the period counts from the receipt date (the day it was handed in,
  signed for, or, online, confirmed by the office);
* 第三十三条: reply within 20 working days of receipt; one extension of at most 20
  working days, approved by the person in charge and told to the applicant;
* 第三十条: a correction request goes out within 7 working days of receipt, once;
  the period counts again from the receipt of the corrected application, and
  while the correction is awaited there is no due date;
* 第三十二、三十四条: a consultation of a third party or another agency takes at
  most 15 working days, which are not counted in the period;
* 民政部2022年政务公开工作要点 (十六): archive within 10 working days of delivering
  the reply.

Every function takes the `WorkCalendar` (catalogs.deadlines) and returns dates
together with the Chinese wording of the rule that produced them, so every date
the portal shows can say where it came from. Counting follows SPEC §4: the
trigger day is not counted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils.translation import gettext as _

from catalogs.deadlines import WorkCalendar, add_working_days

REPLY_WORKING_DAYS = 20
MAX_EXTENSION_WORKING_DAYS = 20
CORRECTION_REQUEST_WORKING_DAYS = 7
CONSULTATION_WORKING_DAYS = 15
ARCHIVE_WORKING_DAYS = 10
#: The wording the `deadline` command understands (SPEC §9).
REPLY_RULE_WORDING = "收到申请之日起20个工作日内"


@dataclass(frozen=True)
class Pause:
    """A consultation: sent on ``start``, answered on ``end`` (None: still awaited)."""

    start: date
    end: date | None = None


@dataclass(frozen=True)
class Dated:
    """A date and the rule that produced it."""

    day: date | None
    rule: str
    provisional: bool = False


@dataclass(frozen=True)
class Clock:
    """The reply period of an application.

    ``due`` is None while a correction is awaited (the period has not started).
    ``paused_days`` and ``extension_days`` are working days.
    """

    due: Dated
    start: date | None
    paused_days: int = 0
    extension_days: int = 0
    parts: list[str] = field(default_factory=list)


def working_days_between(cal: WorkCalendar, after: date, until: date) -> int:
    """Working days ``d`` with ``after < d <= until`` (0 if ``until <= after``)."""
    count = 0
    d = after + timedelta(days=1)
    while d <= until:
        if cal.is_working_day(d):
            count += 1
        d += timedelta(days=1)
    return count


def correction_request_limit(cal: WorkCalendar, received_on: date) -> Dated:
    """Last day to send a correction request: 7 working days after receipt (第三十条)."""
    day, provisional = add_working_days(
        cal, received_on, CORRECTION_REQUEST_WORKING_DAYS
    )
    return Dated(
        day,
        _("收到申请之日起7个工作日内一次性告知补正（《条例》第三十条）"),
        provisional,
    )


def correction_deadline(cal: WorkCalendar, requested_on: date, n: int) -> Dated:
    """The period the applicant is given to correct: ``n`` working days after the request."""
    day, provisional = add_working_days(cal, requested_on, n)
    return Dated(
        day,
        _(
            "补正通知发出之日起%(n)s个工作日内补正，逾期未补正视为放弃申请（《条例》第三十条）"
        )
        % {"n": n},
        provisional,
    )


def consultation_answer_due(cal: WorkCalendar, sent_on: date) -> Dated:
    """Last day for the consulted party: 15 working days after sending (第三十二条)."""
    day, provisional = add_working_days(cal, sent_on, CONSULTATION_WORKING_DAYS)
    return Dated(
        day,
        _("征求意见之日起15个工作日内提出意见，所需时间不计算在答复期限内"),
        provisional,
    )


def paused_working_days(cal: WorkCalendar, pause: Pause) -> int:
    """Working days a consultation stops the clock: from the day after it was sent
    to the day the answer came, at most 15; an unanswered one counts the full 15
    (the longest it may take) until its answer is recorded."""
    if pause.end is None:
        return CONSULTATION_WORKING_DAYS
    return min(
        working_days_between(cal, pause.start, pause.end), CONSULTATION_WORKING_DAYS
    )


def reply_clock(
    cal: WorkCalendar,
    *,
    received_on: date | None,
    correction_requested_on: date | None = None,
    corrected_on: date | None = None,
    pauses: Sequence[Pause] = (),
    extension_days: int | None = None,
) -> Clock:
    """The reply due date: 20 working days after receipt (or after the corrected
    application arrived), plus the working days consultations took (at most 15
    each), plus an approved extension (at most 20).

    Equivalent to moving the due date step by step with `add_working_days`, as
    all additions are in working days counted from the same start.
    """
    if received_on is None:
        return Clock(
            due=Dated(None, _("尚未登记收到申请，答复期限自收到申请之日起计算")),
            start=None,
        )
    if correction_requested_on and not corrected_on:
        return Clock(
            due=Dated(
                None,
                _(
                    "已告知补正，答复期限自收到补正后的申请之日起重新计算（《条例》第三十条）"
                ),
            ),
            start=None,
        )
    if corrected_on:
        start = corrected_on
        parts = [
            _("收到补正后的申请之日起20个工作日内（《条例》第三十条、第三十三条）")
        ]
    else:
        start = received_on
        parts = [_("收到申请之日起20个工作日内（《条例》第三十三条第一款）")]
    paused = 0
    for pause in pauses:
        days = paused_working_days(cal, pause)
        paused += days
        if pause.end is None:
            parts.append(
                _("征求意见期间不计算在内（尚未收到意见，按最长15个工作日计）")
            )
        else:
            parts.append(
                _("征求意见用时%(n)s个工作日不计算在内（《条例》第三十二条）")
                % {"n": days}
            )
    extension = extension_days or 0
    if extension:
        parts.append(
            _("经批准延长%(n)s个工作日（《条例》第三十三条第二款）") % {"n": extension}
        )
    day, provisional = add_working_days(
        cal, start, REPLY_WORKING_DAYS + paused + extension
    )
    return Clock(
        due=Dated(day, "；".join(parts), provisional),
        start=start,
        paused_days=paused,
        extension_days=extension,
        parts=parts,
    )


def archive_due(cal: WorkCalendar, delivered_on: date) -> Dated:
    """Archive within 10 working days of delivering the reply (seed 004 (十六))."""
    day, provisional = add_working_days(cal, delivered_on, ARCHIVE_WORKING_DAYS)
    return Dated(
        day,
        _("答复送达之日起10个工作日内归档（民政部2022年政务公开工作要点）"),
        provisional,
    )
