"""Reminder mail before the annual report's deadline (条例 第四十九、五十条: county
offices by 31 January, township governments by 31 March).

Each region's staff get one mail per stage and year: 30 days before, 7 days
before, and once when the deadline has passed without a published report. A
sent stage is remembered in the audit log (``opengov.report.reminded``), so a
failed send is retried on the next run and a successful one never repeated.
The workspace shows the same reminder from 45 days before (`selectors.report_reminder`).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalogs.audit import audit
from catalogs.models import AuditLogEntry, Region, User

from .permissions import REPORTING_LEVELS
from .selectors import Reminder, report_reminder

STAGE_30 = "30_days"
STAGE_7 = "7_days"
STAGE_OVERDUE = "overdue"


def reminder_stage(reminder: Reminder) -> str | None:
    """The stage a reminder has reached (None: shown in the workspace only)."""
    if reminder.days_left < 0:
        return STAGE_OVERDUE
    if reminder.days_left <= 7:
        return STAGE_7
    if reminder.days_left <= 30:
        return STAGE_30
    return None


def report_send_reminders(*, today: date | None = None, base_url: str = "") -> int:
    """Mail the staff of every county and township whose report is due soon or
    overdue; returns the number of mails sent."""
    today = today or timezone.localdate()
    recipients: dict[str, list[str]] = defaultdict(list)
    for region_id, email in (
        User.objects.filter(is_active=True, region__level__in=list(REPORTING_LEVELS))
        .exclude(email="")
        .exclude(role="")
        .values_list("region_id", "email")
        .order_by("region_id", "email")
    ):
        recipients[region_id].append(email)
    regions = Region.objects.filter(code__in=list(recipients)).order_by("code")
    connection = get_connection()
    sent = 0
    for region in regions:
        reminder = report_reminder(region, today=today)
        stage = reminder_stage(reminder) if reminder else None
        if stage is None:
            continue
        if AuditLogEntry.objects.filter(
            action="opengov.report.reminded",
            region_id=region.code,
            data__year=reminder.year,
            data__stage=stage,
        ).exists():
            continue
        params = {
            "region": region.name,
            "year": reminder.year,
            "due": reminder.due.isoformat(),
            "days": reminder.days_left,
        }
        subject = (
            _(
                "【政务公开提醒】%(region)s%(year)s年政府信息公开工作年度报告已逾期未发布"
            )
            if stage == STAGE_OVERDUE
            else _(
                "【政务公开提醒】%(region)s%(year)s年政府信息公开工作年度报告应于%(due)s前发布"
            )
        ) % params
        body = "\n".join(
            [
                _("%(region)s的工作人员，您好：") % params,
                "",
                (
                    _(
                        "%(year)s年政府信息公开工作年度报告应于%(due)s前公布，目前尚未发布。"
                    )
                    if stage == STAGE_OVERDUE
                    else _(
                        "%(year)s年政府信息公开工作年度报告应于%(due)s前公布，还有%(days)s天，目前尚未发布。"
                    )
                )
                % params,
                _("请登录工作台生成草稿、填写并发布：%(url)s")
                % {"url": f"{base_url}/work/opengov/reports/"},
                _("本邮件由系统自动发送，每个提醒阶段只发送一次。"),
            ]
        )
        EmailMessage(
            subject=subject,
            body=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=recipients[region.code],
            connection=connection,
        ).send()
        sent += 1
        with transaction.atomic():
            audit(
                "opengov.report.reminded",
                actor=None,
                region=region,
                year=reminder.year,
                stage=stage,
            )
    return sent
