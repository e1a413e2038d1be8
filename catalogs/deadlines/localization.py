"""Localization check of SPEC §3: a county's deadline may be shorter, never looser.

`check_not_looser` compares a localized rule with its template rule by sampling
trigger dates over two years of the official calendar (working days, calendar
days and periodic rules on the same footing), and checks that a publicity period
(公示期) is neither dropped nor shortened. It returns Chinese messages.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.utils.translation import gettext

from .rule import (
    WORKING_DAY,
    DeadlineRule,
    Period,
    RuleKind,
)
from .wording import normalize_wording, render_publicity, render_rule, same_event
from .workdays import (
    WorkCalendar,
    add_calendar_days,
    add_working_days,
    period_end,
    publicity_end,
)


def _fast_due(rule: DeadlineRule, trigger: date, cal: WorkCalendar) -> date:
    """Due date of a proactive rule, without the ``DueDate`` wrapper."""
    if rule.kind is RuleKind.WORKING_DAYS:
        return add_working_days(cal, trigger, rule.amount or 0)[0]
    if rule.kind is RuleKind.CALENDAR_DAYS:
        return add_calendar_days(cal, trigger, rule.amount or 0)[0]
    return period_end(cal, trigger, rule.period)[0]  # type: ignore[arg-type]


_PERIOD_ORDER = {
    Period.MONTH: 0,
    Period.QUARTER: 1,
    Period.HALF_YEAR: 2,
    Period.YEAR: 3,
}


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
    return normalize_wording(a.text) == normalize_wording(b.text)


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
    if (
        local.kind is not RuleKind.UNPARSED
        and local.without_text() == template.without_text()
    ):
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
                "上级目录的公开时限“%(template)s”尚未能识别，无法核对本地公开时限“%(local)s”"
                "是否更短。请保持与上级目录一致，或请省级管理员修正上级目录。"
            )
            % params
        ]
    if local.kind is RuleKind.UNPARSED:
        return [
            gettext(
                "无法识别本地公开时限“%(local)s”，无法核对它是否短于上级目录的“%(template)s”。"
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
                "公开时限不能放宽：上级目录要求“%(template)s”（持续公开），本地不能改为“%(local)s”。"
                "请保持与上级目录一致。"
            )
            % params
        ]
    # The template is proactive from here on.
    if local.kind is RuleKind.ON_REQUEST:
        return [
            gettext(
                "公开时限不能放宽：上级目录要求在“%(template)s”主动公开，本地不能改为“%(local)s”。"
                "请缩短或保持与上级目录一致。"
            )
            % params
        ]
    if local.kind is RuleKind.CONTINUOUS:
        return [
            gettext(
                "公开时限不能改为没有截止日期的“%(local)s”：上级目录为“%(template)s”，"
                "要求在截止日前公开。请缩短或保持与上级目录一致。"
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
        and not same_event(local.trigger, template.trigger)
    ):
        return [
            gettext(
                "公开时限的起算事件不能改变：上级目录从“%(template_trigger)s之日起”计算，"
                "本地为“%(local_trigger)s之日起”，两者无法比较长短。请保留上级目录的起算事件，只缩短天数。"
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
                    "公开时限不能长于上级目录：上级目录为“%(template)s”，本地为“%(local)s”，"
                    "以%(trigger)s为起算日时本地截止日%(local_due)s晚于上级目录的%(template_due)s。"
                    "请缩短或保持与上级目录一致。"
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
        "template_publicity": render_publicity(template),
        "local_publicity": render_publicity(local),
    }
    if not local.has_publicity:
        return [
            gettext(
                "公示期不能取消：上级目录要求“%(template_publicity)s”，本地没有公示期。"
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
            cal,
            t,
            local.publicity_amount or 0,
            unit=local.publicity_unit or WORKING_DAY,
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
                    "公示期不能短于上级目录：上级目录为“%(template_publicity)s”，本地为“%(local_publicity)s”，"
                    "在%(published)s发布时本地公示期于%(local_end)s结束，早于上级目录的%(template_end)s。"
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
