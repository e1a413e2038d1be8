"""Reminder mail for obligations due soon or overdue: one mail per region, each
obligation reminded once per state (logged in the audit log).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalogs.deadlines import (
    add_working_days,
)
from catalogs.models import Region, User
from catalogs.selectors import work_calendar
from catalogs.services import audit

from ..models import Obligation

REMIND_DUE_SOON = "due_soon"
REMIND_OVERDUE = "overdue"
#: "Due soon" means due within this many working days from today (today included).
DUE_SOON_WORKING_DAYS = 3


@dataclass
class ReminderResult:
    sent: int = 0  # e-mails
    obligations: int = 0  # obligations reminded
    without_recipient: int = (
        0  # obligations whose region has no user with an e-mail address
    )


def obligation_send_reminders(
    *, today: date | None = None, base_url: str = ""
) -> ReminderResult:
    """E-mail each region's staff about obligations due soon or overdue.

    One reminder per obligation per state (``due_soon``: due within
    DUE_SOON_WORKING_DAYS working days; ``overdue``): the state is added to
    `reminded_states` after the region's e-mail was sent, so a failed send is
    retried on the next run and a successful one never repeated. Obligations of
    regions without any active user with an e-mail address are left unmarked.
    """
    today = today or timezone.localdate()
    cal = work_calendar()
    horizon, _provisional = add_working_days(cal, today, DUE_SOON_WORKING_DAYS)
    candidates = list(
        Obligation.objects.open()
        .filter(due_date__lte=horizon)
        .select_related("region", "item")
        .order_by("region_id", "due_date", "pk")
    )
    pending: dict[str, list[tuple[Obligation, str]]] = defaultdict(list)
    for obligation in candidates:
        state = REMIND_OVERDUE if obligation.due_date < today else REMIND_DUE_SOON
        if state not in (obligation.reminded_states or []):
            pending[obligation.region_id].append((obligation, state))
    result = ReminderResult()
    if not pending:
        return result
    recipients: dict[str, list[str]] = defaultdict(list)
    for region_id, email in (
        User.objects.filter(region_id__in=list(pending), is_active=True)
        .exclude(email="")
        .exclude(role="")
        .values_list("region_id", "email")
        .order_by("region_id", "email")
    ):
        recipients[region_id].append(email)
    connection = get_connection()
    for region_id, entries in pending.items():
        if not recipients.get(region_id):
            result.without_recipient += len(entries)
            continue
        region = entries[0][0].region
        message = EmailMessage(
            subject=_("【政务公开提醒】%(region)s有%(count)s项公开事项即将到期或已逾期")
            % {"region": region.name, "count": len(entries)},
            body=_reminder_body(region, entries, base_url),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=recipients[region_id],
            connection=connection,
        )
        message.send()
        result.sent += 1
        with transaction.atomic():
            for obligation, state in entries:
                obligation.reminded_states = [
                    *(obligation.reminded_states or []),
                    state,
                ]
            Obligation.objects.bulk_update(
                [o for o, _s in entries], ["reminded_states"]
            )
            audit(
                "disclosures.obligation.reminded",
                actor=None,
                region=region_id,
                count=len(entries),
                obligations=[o.pk for o, _s in entries],
            )
        result.obligations += len(entries)
    return result


def _reminder_body(
    region: Region, entries: list[tuple[Obligation, str]], base_url: str
) -> str:
    lines = [_("%(region)s的工作人员，您好：") % {"region": region.name}, ""]
    for obligation, state in entries:
        template = (
            _("【已逾期】%(title)s，公开截止日期%(due)s，尚未公开。")
            if state == REMIND_OVERDUE
            else _("【即将到期】%(title)s，公开截止日期%(due)s。")
        )
        lines.append(
            template
            % {
                "title": obligation.title or obligation.item.name,
                "due": obligation.due_date.isoformat(),
            }
        )
    lines += [
        "",
        _("请登录工作台处理：%(url)s") % {"url": f"{base_url}/work/records/"},
        _("本邮件由系统自动发送，每项公开义务在每个状态下只提醒一次。"),
    ]
    return "\n".join(lines)
