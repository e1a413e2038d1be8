"""`manage.py process_name_lists` (cron, e.g. every ten minutes): finish name lists whose
processing stopped (a worker restart in the middle of a background thread, or
``NAME_LIST_BACKGROUND = False``), and delete staged uploads nobody mapped.

A stuck list is processed again from its staged file in this process, or marked
failed when the file is gone. Idempotent; see `disclosures.namelists` for the
processing model and its limits.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation
from django.utils.translation import gettext as _

from disclosures.namelists.processing import name_list_finish_stuck


class Command(BaseCommand):
    help = "继续处理中断的名单去标识化任务，并清理过期的待处理上传文件。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--all",
            action="store_true",
            help="处理所有“处理中”的名单，不论多久没有进展（未启用后台线程时使用）",
        )
        parser.add_argument(
            "--older-than",
            type=int,
            default=None,
            help="多少秒没有进展算中断（默认 NAME_LIST_STUCK_AFTER，15 分钟）",
        )

    def handle(
        self, *args, all: bool = False, older_than: int | None = None, **options
    ):
        translation.activate(settings.LANGUAGE_CODE)
        result = name_list_finish_stuck(older_than=older_than, everything=all)
        self.stdout.write(
            _(
                "名单处理：完成%(finished)s份，失败%(failed)s份；清理过期上传文件%(pruned)s个。"
            )
            % {
                "finished": result.finished,
                "failed": result.failed,
                "pruned": result.pruned,
            }
        )
