"""The structured deadline rule (公开时限): kinds, periods, units and the parse error.

Values of `RuleKind` and `Period` are stored in the database (CatalogItem's
``deadline_*`` columns); ``DeadlineRule`` is what the parser returns and the
arithmetic of :mod:`.workdays` consumes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum

from django.utils.translation import gettext_lazy as _

WORKING_DAY = "working_day"
CALENDAR_DAY = "calendar_day"

#: Largest N accepted by the parser, in working or calendar days.
MAX_AMOUNT = 365

#: Shown next to a due date whose computation touched a year without official data.
PROVISIONAL_NOTE = _(
    "暂定：该日期所在年份尚未录入国务院办公厅的节假日安排通知，"
    "暂按周末和《全国年节及纪念日放假办法》（2024年修订）规定的法定节假日推算"
    "（元旦1天，春节4天即农历除夕至正月初三，清明节、端午节、中秋节各1天，"
    "劳动节5月1日至2日，国庆节10月1日至3日；农历日期按农历推算），"
    "未计调休上班日和补休，官方安排录入后将重新计算。"
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

_PROACTIVE_KINDS = frozenset(
    {RuleKind.WORKING_DAYS, RuleKind.CALENDAR_DAYS, RuleKind.PERIODIC}
)


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

    def __init__(
        self, message: str, *, code: str = "invalid", params: dict | None = None
    ):
        super().__init__(message)
        self.message = message
        self.code = code
        self.params = params or {}
