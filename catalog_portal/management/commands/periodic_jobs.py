"""`manage.py periodic_jobs`: enqueue the periodic jobs whose time has come
(`catalog_portal.tasks.SCHEDULE`).

Run it every minute — from cron (``* * * * *``) on one or more machines, or as
one long-running process with ``--loop`` (`make run`, the systemd unit of
docs/deploy.md). A slot is enqueued once however many run it; the worker runs
the jobs. ``--run`` runs the named jobs now, in this process, without a worker.
"""

from __future__ import annotations

import logging
import signal
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from catalog_portal.tasks import SCHEDULE, enqueue_due_jobs

logger = logging.getLogger("catalog_portal.tasks")


class Command(BaseCommand):
    help = "按统一的计划把到时间的定期任务（名单中断处理、过期上传清理、定时发布、到期提醒、工作日历检查）交给后台任务进程。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--loop",
            action="store_true",
            help="常驻运行：每分钟检查一次（代替 cron）",
        )
        parser.add_argument(
            "--run",
            nargs="+",
            metavar="JOB",
            help="立即在本进程中运行这些任务（不经后台任务进程）：%s"
            % "、".join(job.name for job in SCHEDULE),
        )

    def handle(self, *args, loop: bool = False, run=None, **options):
        translation.activate(settings.LANGUAGE_CODE)
        if run:
            jobs = {job.name: job for job in SCHEDULE}
            unknown = [name for name in run if name not in jobs]
            if unknown:
                raise CommandError(
                    _("没有名为%(names)s的定期任务。可用：%(known)s")
                    % {"names": "、".join(unknown), "known": "、".join(jobs)}
                )
            for name in run:
                result = jobs[name].task.call()
                self.stdout.write(f"{name}: {result}")
            return
        if not loop:
            self._once()
            return
        stop = []
        signal.signal(signal.SIGTERM, lambda *_args: stop.append(True))
        try:
            while not stop:
                self._once()
                deadline = time.monotonic() + 60 - time.time() % 60
                while not stop and time.monotonic() < deadline:
                    time.sleep(0.5)
        except KeyboardInterrupt:
            pass

    def _once(self):
        enqueued = enqueue_due_jobs()
        self.stdout.write(
            _("已交给后台任务：%(jobs)s")
            % {"jobs": "、".join(enqueued) if enqueued else _("无")}
        )
