"""Reminder mail about applications: reply due soon or overdue, archive due soon or
overdue. One mail per receiving region to its own staff; each application is
reminded once per state, remembered in the audit log (no extra column).

The mail names codes and dates only, never the applicant.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalogs.audit import audit
from catalogs.deadlines import add_working_days
from catalogs.models import AuditLogEntry, User
from catalogs.selectors import work_calendar

from .models import Application
from .querysets import OPEN_STATUSES
from .selectors import DUE_SOON_WORKING_DAYS

REMINDED = "onrequest.application.reminded"
STATES = {
    "reply_due_soon": gettext_lazy("【即将到期】申请%(code)s，答复期限%(due)s。"),
    "reply_overdue": gettext_lazy(
        "【已超过答复期限】申请%(code)s，答复期限%(due)s，尚未答复。"
    ),
    "archive_due_soon": gettext_lazy("【待归档】申请%(code)s，归档期限%(due)s。"),
    "archive_overdue": gettext_lazy(
        "【归档逾期】申请%(code)s，归档期限%(due)s，尚未归档。"
    ),
}


@dataclass
class ReminderResult:
    sent: int = 0
    applications: int = 0
    without_recipient: int = 0


def _state(application: Application, today: date) -> tuple[str, date]:
    if application.status == Application.Status.REPLIED:
        due = application.archive_due
        return ("archive_overdue" if due < today else "archive_due_soon"), due
    due = application.due_date
    return ("reply_overdue" if due < today else "reply_due_soon"), due


def application_send_reminders(
    *, today: date | None = None, base_url: str = ""
) -> ReminderResult:
    """E-mail each receiving region's staff about its applications due within
    DUE_SOON_WORKING_DAYS working days or overdue (reply and archive)."""
    today = today or timezone.localdate()
    horizon, _provisional = add_working_days(
        work_calendar(), today, DUE_SOON_WORKING_DAYS
    )
    candidates = list(
        Application.objects.filter(
            Q(status__in=OPEN_STATUSES, due_date__lte=horizon)
            | Q(status=Application.Status.REPLIED, archive_due__lte=horizon)
        )
        .select_related("region")
        .order_by("region_id", "due_date", "pk")
    )
    done = defaultdict(set)
    for object_id, data in AuditLogEntry.objects.filter(
        action=REMINDED, object_id__in=[str(a.pk) for a in candidates]
    ).values_list("object_id", "data"):
        done[object_id].add((data or {}).get("state"))
    pending: dict[str, list[tuple[Application, str, date]]] = defaultdict(list)
    for application in candidates:
        state, due = _state(application, today)
        if state not in done[str(application.pk)]:
            pending[application.region_id].append((application, state, due))
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
        lines = [_("%(region)s的工作人员，您好：") % {"region": region.name}, ""]
        lines += [
            STATES[state] % {"code": a.code, "due": due.isoformat()}
            for a, state, due in entries
        ]
        lines += [
            "",
            _("请登录工作台处理：%(url)s") % {"url": f"{base_url}/work/applications/"},
            _("本邮件由系统自动发送，每件申请在每个状态下只提醒一次。"),
        ]
        EmailMessage(
            subject=_(
                "【依申请公开提醒】%(region)s有%(count)s件政府信息公开申请需要处理"
            )
            % {"region": region.name, "count": len(entries)},
            body="\n".join(lines),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=recipients[region_id],
            connection=connection,
        ).send()
        result.sent += 1
        with transaction.atomic():
            for application, state, _due in entries:
                audit(
                    REMINDED, actor=None, region=region_id, obj=application, state=state
                )
        result.applications += len(entries)
    return result
