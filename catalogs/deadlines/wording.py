"""The wording of a deadline: parse Chinese text into a `DeadlineRule`, render it back.

Understood: ``制定或获取信息之日起10个工作日内``, ``…20日内`` (calendar days),
``每季度末`` / ``每年`` (periodic), ``依申请公开``, ``实时`` / ``长期`` /
``常态化`` (continuous), each optionally followed by a publicity period
(``，公示7个工作日``). Wording that cannot be read raises `RuleParseError`; it is
never guessed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace

from django.utils.translation import gettext

from .rule import (
    CALENDAR_DAY,
    MAX_AMOUNT,
    WORKING_DAY,
    DeadlineRule,
    Period,
    RuleKind,
    RuleParseError,
)

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
_DATE_WORD_ENDINGS = (
    "月",
    "年",
    "季度",
    "季",
    "周",
    "日",
    "号",
    "天",
    "底",
    "末",
    "初",
    "前",
    "后",
)
_TRIGGER_RE = re.compile(r"^[\u4e00-\u9fff]+$")

#: Trigger wordings that name the same event (issue 16), one group per event: the
#: national template writes 制定或获取信息 where Luoyang's rows 3-6 write
#: 制定或修改信息 for the same items. A county may follow the province's current
#: wording; rules compare such triggers as one event. The one table of them.
SAME_EVENT_TRIGGERS: tuple[frozenset[str], ...] = (
    frozenset({"制定或获取信息", "制定或修改信息"}),
)


def same_event(a: str, b: str) -> bool:
    """Whether two trigger wordings name the same event (equal, or one group)."""
    return a == b or any(a in group and b in group for group in SAME_EVENT_TRIGGERS)


_VAGUE_TRIGGER_WORDS = ("若干", "尽快", "及时", "左右", "工作日", "日内")

_PERIOD_WORDS: dict[str, Period] = {
    **dict.fromkeys(
        ("每月", "每个月", "每月末", "每月底", "每月末前", "每月底前", "月末", "月底"),
        Period.MONTH,
    ),
    **dict.fromkeys(
        (
            "每季度",
            "每个季度",
            "每季",
            "每季度末",
            "每季末",
            "每季度底",
            "每季度末前",
            "季度末",
            "季末",
        ),
        Period.QUARTER,
    ),
    **dict.fromkeys(("每半年", "每半年末", "每半年末前", "半年末"), Period.HALF_YEAR),
    **dict.fromkeys(
        (
            "每年",
            "每年末",
            "每年底",
            "每年年底",
            "每年年底前",
            "每年末前",
            "每年底前",
            "年底前",
            "年末",
            "年底",
        ),
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

_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
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


def normalize_wording(text: str) -> str:
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
            gettext(
                "公开时限“%(text)s”中的天数%(amount)s不合理：应为1到%(max)s之间的整数。"
            )
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
    s = normalize_wording(text or "")
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
        return replace(
            rule, publicity_amount=publicity_amount, publicity_unit=publicity_unit
        )

    if s in _ON_REQUEST_WORDS or s in _CONTINUOUS_WORDS:
        if publicity_amount is not None:
            raise _error(text)
        if s in _ON_REQUEST_WORDS:
            return DeadlineRule(kind=RuleKind.ON_REQUEST, text=text)
        return DeadlineRule(
            kind=RuleKind.CONTINUOUS, trigger=_CONTINUOUS_WORDS[s], text=text
        )

    periodic = s.removesuffix("公开")
    if periodic in _PERIOD_WORDS:
        return with_publicity(
            DeadlineRule(
                kind=RuleKind.PERIODIC, period=_PERIOD_WORDS[periodic], text=text
            )
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
    kind = (
        RuleKind.WORKING_DAYS
        if m.group("unit") in _WD_UNITS
        else RuleKind.CALENDAR_DAYS
    )
    return with_publicity(
        DeadlineRule(kind=kind, trigger=trigger, amount=amount, text=text)
    )


def parse_rule_or_unparsed(text: str) -> DeadlineRule:
    """Parse like ``parse_rule``; unreadable wording becomes an ``UNPARSED`` rule.

    Never raises. The wording is kept in ``text`` so a human can fix it later.
    """
    try:
        return parse_rule(text)
    except RuleParseError:
        return DeadlineRule(kind=RuleKind.UNPARSED, text=text or "")


def render_publicity(rule: DeadlineRule) -> str:
    """The publicity period as worded in a rule (``公示7个工作日``), or ``""``."""
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
    publicity = render_publicity(rule)
    return f"{main}，{publicity}" if publicity else main
