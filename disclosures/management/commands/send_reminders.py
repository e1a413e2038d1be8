"""`manage.py send_reminders` (cron, daily): e-mail staff about obligations due within
3 working days or overdue — one reminder per obligation per state.

It first creates the current period's obligations of periodic items, so a
quarter's postings are known (and remindable) before anyone registers them.
Mail goes through Django's e-mail backend (the console in the demo). Running it
twice sends nothing new.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from disclosures.records.obligations import obligation_generate_periodic
from disclosures.records.reminders import obligation_send_reminders


class Command(BaseCommand):
    help = "向工作人员发送公开义务即将到期和逾期提醒（每项义务每个状态只提醒一次）。"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="按哪一天计算（YYYY-MM-DD），默认今天")
        parser.add_argument(
            "--base-url",
            default="",
            help="邮件中工作台链接的网址前缀，例如 https://portal.example.gov.cn",
        )

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
        created = obligation_generate_periodic(on=today)
        result = obligation_send_reminders(
            today=today, base_url=options["base_url"].rstrip("/")
        )
        self.stdout.write(
            _(
                "新建周期性公开义务%(created)s项；发送提醒邮件%(sent)s封，涉及公开义务%(obligations)s项。"
            )
            % {
                "created": created,
                "sent": result.sent,
                "obligations": result.obligations,
            }
        )
        if result.without_recipient:
            self.stderr.write(
                _(
                    "另有%(count)s项公开义务所在区划没有填写电子邮箱的工作人员，未能提醒。"
                )
                % {"count": result.without_recipient}
            )
