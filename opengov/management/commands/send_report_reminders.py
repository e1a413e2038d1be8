"""`manage.py send_report_reminders`: daily, mail each county's and township's staff
before the annual report's deadline (see `opengov.reminders`)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation
from django.utils.translation import gettext

from opengov.reminders import report_send_reminders


class Command(BaseCommand):
    help = "年度报告发布提醒：截止日期前30天、前7天和逾期时各发送一次邮件。"

    def handle(self, *args, **options):
        translation.activate(settings.LANGUAGE_CODE)
        sent = report_send_reminders(
            base_url=getattr(settings, "PORTAL_BASE_URL", "") or ""
        )
        self.stdout.write(gettext("已发送年度报告提醒邮件%(n)s封。") % {"n": sent})
