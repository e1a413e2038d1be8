"""`manage.py send_application_reminders` (cron, daily, beside send_reminders): e-mail
staff about applications whose reply or archiving is due within 3 working days or
overdue — one reminder per application per state. Running it twice sends nothing new.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from onrequest.reminders import application_send_reminders


class Command(BaseCommand):
    help = "向受理机关工作人员发送政府信息公开申请即将到期和逾期提醒。"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="按哪一天计算（YYYY-MM-DD），默认今天")
        parser.add_argument("--base-url", default="", help="邮件中工作台链接的网址前缀")

    def handle(self, *args, **options):
        translation.activate(settings.LANGUAGE_CODE)
        today = timezone.localdate()
        if options["date"]:
            try:
                today = date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError(
                    _("无法识别日期“%(value)s”：请写成YYYY-MM-DD。")
                    % {"value": options["date"]},
                    returncode=2,
                ) from None
        result = application_send_reminders(
            today=today, base_url=options["base_url"].rstrip("/")
        )
        self.stdout.write(
            _("发送提醒邮件%(sent)s封，涉及政府信息公开申请%(n)s件。")
            % {"sent": result.sent, "n": result.applications}
        )
        if result.without_recipient:
            self.stdout.write(
                _("另有%(n)s件申请的受理机关没有填写电子邮箱的工作人员，未能提醒。")
                % {"n": result.without_recipient}
            )
