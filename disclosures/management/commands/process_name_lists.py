"""`manage.py process_name_lists`: the name-list rescue job by hand.

Lists left ``processing`` by a worker that died (no progress for
``NAME_LIST_STUCK_AFTER``) are handed to a worker again, or failed with a
message for the clerk when their staged file is gone or their runs are used up
(``NAME_LIST_MAX_ATTEMPTS``); staged uploads nobody mapped are deleted. The
same job runs every minute from the periodic schedule (`manage.py
periodic_jobs`, `catalog_portal.tasks`). Idempotent.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation
from django.utils.translation import gettext as _

from disclosures.namelists.processing import name_list_rescue


class Command(BaseCommand):
    help = "把后台处理中断的名单重新交给后台任务（或标记为失败），并清理过期的待处理上传文件。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--all",
            action="store_true",
            help="处理所有“处理中”的名单，不论多久没有进展",
        )
        parser.add_argument(
            "--older-than",
            type=int,
            default=None,
            help="多少秒没有进展算中断（默认 NAME_LIST_STUCK_AFTER，10 分钟）",
        )

    def handle(
        self, *args, all: bool = False, older_than: int | None = None, **options
    ):
        translation.activate(settings.LANGUAGE_CODE)
        result = name_list_rescue(older_than=older_than, everything=all)
        self.stdout.write(
            _(
                "名单处理：重新交给后台任务%(requeued)s份，标记失败%(failed)s份；清理过期上传文件%(pruned)s个。"
            )
            % {
                "requeued": result.requeued,
                "failed": result.failed,
                "pruned": result.pruned,
            }
        )
