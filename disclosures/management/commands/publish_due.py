"""`manage.py publish_due` (cron, e.g. every few minutes): scheduled records whose time
has come become published, and their obligations are brought up to date.

Idempotent. Public pages never depend on it: they show a scheduled record from
its publication time on, whether or not this command has run.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation
from django.utils.translation import gettext as _

from disclosures.records.services import record_publish_due


class Command(BaseCommand):
    help = "发布已到定时发布时间的公开信息，并更新对应的公开义务。"

    def handle(self, *args, **options):
        translation.activate(settings.LANGUAGE_CODE)
        count = record_publish_due()
        self.stdout.write(
            _("已发布%(count)s条到时间的定时公开信息。") % {"count": count}
        )
