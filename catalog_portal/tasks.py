"""The periodic jobs and their one schedule (docs/deploy.md "Workers and the schedule").

Each job is a django-tasks task run by a worker like any other task. The
schedule is `SCHEDULE`; `manage.py periodic_jobs` (cron every minute, or
``--loop`` as a service; `make run` starts the loop) enqueues each job whose
slot has come — once per slot, whichever and however many machines run it:
the slot is claimed with ``cache.add`` on the shared default cache. Each job
is idempotent besides (running it twice does nothing more), logs one line per
run on the ``catalog_portal.tasks`` logger, and public pages never depend on
any of them having run (a scheduled record shows from its time on, a list
stops at its end, without a job).

=====================  ===================  ===========================================
job                    when                 what
=====================  ===================  ===========================================
``rescue_name_lists``  every minute         name lists whose worker died: handed to a
                                            worker again, or failed with a message
``sweep_staged``       every minute         staged uploads nobody mapped (30 minutes)
``publish_due``        every 5 minutes      scheduled records whose time has come
``send_reminders``     daily, 08:00         obligations due soon or overdue, by e-mail
``remind_applications`` daily, 08:05        依申请公开 replies and archiving due soon or
                                            overdue, by e-mail to the receiving region
``remind_reports``     daily, 08:10         年度报告 due in 30/7 days or overdue
``check_calendar``     daily, 09:00         next year's working-day calendar missing
                                            (November on): province admins e-mailed
=====================  ===================  ===========================================
"""

from __future__ import annotations

import functools
import logging
import time as time_module
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django_tasks import task
from django_tasks.base import Task

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from catalogs.calendar import calendar_next_year_missing
from catalogs.models import User
from disclosures.namelists.processing import name_list_rescue
from disclosures.namelists.staging import prune_staging
from disclosures.records.obligations import obligation_generate_periodic
from disclosures.records.reminders import obligation_send_reminders
from disclosures.records.services import record_publish_due
from onrequest.reminders import application_send_reminders
from opengov.reminders import report_send_reminders

logger = logging.getLogger(__name__)


def _logged(name: str) -> Callable[[Callable[[], dict]], Callable[[], dict]]:
    """Log one line per run of a periodic job: its result, or its failure."""

    def decorate(function: Callable[[], dict]) -> Callable[[], dict]:
        @functools.wraps(function)
        def run() -> dict:
            translation.activate(settings.LANGUAGE_CODE)
            started = time_module.monotonic()
            try:
                result = function()
            except Exception:
                logger.exception("periodic job %s failed", name)
                raise
            logger.info(
                "periodic job %s done in %.2f s: %s",
                name,
                time_module.monotonic() - started,
                " ".join(f"{k}={v}" for k, v in result.items()),
            )
            return result

        return run

    return decorate


class WorkerDied(Exception):
    """The worker running a task was killed (its list had no progress for too long)."""


def _close_dead_runs(name_list_ids: list[int]) -> int:
    """Mark the database backend's results of the dead runs failed (they stay RUNNING otherwise).

    Only the task results of the stuck lists, and only with the database
    backend; RQ notices a dead worker itself (its job moves to the failed
    registry).
    """
    if not name_list_ids or not apps.is_installed("django_tasks_db"):
        return 0
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from disclosures.namelists.tasks import process_name_list

    wanted = {pk for pk in name_list_ids}
    closed = 0
    for result in DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, task_path=process_name_list.module_path
    ):
        if set(result.args_kwargs.get("args") or []) & wanted:
            result.set_failed(WorkerDied(_("后台任务进程在处理名单时中断。")))
            closed += 1
    return closed


@task()
@_logged("rescue_name_lists")
def rescue_name_lists() -> dict:
    result = name_list_rescue()
    return {
        "requeued": result.requeued,
        "failed": result.failed,
        "dead_runs_closed": _close_dead_runs(result.ids),
    }


@task()
@_logged("sweep_staged")
def sweep_staged() -> dict:
    return {"deleted": prune_staging()}


@task()
@_logged("publish_due")
def publish_due() -> dict:
    return {"published": record_publish_due()}


@task()
@_logged("send_reminders")
def send_reminders() -> dict:
    today = timezone.localdate()
    created = obligation_generate_periodic(on=today)
    result = obligation_send_reminders(
        today=today, base_url=getattr(settings, "PORTAL_BASE_URL", "").rstrip("/")
    )
    return {
        "obligations_created": created,
        "mails": result.sent,
        "obligations_reminded": result.obligations,
        "without_recipient": result.without_recipient,
    }


@task()
@_logged("remind_applications")
def remind_applications() -> dict:
    result = application_send_reminders(
        today=timezone.localdate(),
        base_url=getattr(settings, "PORTAL_BASE_URL", "").rstrip("/"),
    )
    return {
        "mails": result.sent,
        "applications_reminded": result.applications,
        "without_recipient": result.without_recipient,
    }


@task()
@_logged("remind_reports")
def remind_reports() -> dict:
    sent = report_send_reminders(
        today=timezone.localdate(),
        base_url=getattr(settings, "PORTAL_BASE_URL", "").rstrip("/"),
    )
    return {"mails": sent}


@task()
@_logged("check_calendar")
def check_calendar() -> dict:
    """From November on, e-mail the province admins while next year's calendar is missing.

    Once a day at most (the guard key on the shared cache), so a second run
    the same day sends nothing.
    """
    year = calendar_next_year_missing()
    if year is None:
        return {"missing_year": "-", "mails": 0}
    logger.warning("the working-day calendar of %s is not entered", year)
    if not cache.add(f"calendar-missing-mail:{timezone.localdate()}", 1, 2 * 86400):
        return {"missing_year": year, "mails": 0}
    recipients = list(
        User.objects.filter(
            role=User.Role.PROVINCE_ADMIN, is_active=True, email__gt=""
        ).values_list("email", flat=True)
    )
    if recipients:
        send_mail(
            _("请录入%(year)s年的节假日安排") % {"year": year},
            _(
                "国务院办公厅公布%(year)s年部分节假日安排后，请在管理后台“工作日历”中录入并标记为正式数据。"
                "录入前，%(year)s年的办理期限按普通周末计算，可能不准确。"
            )
            % {"year": year},
            None,
            recipients,
        )
    return {"missing_year": year, "mails": len(recipients)}


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    task: Task
    every: timedelta | None = None  # an interval, or
    at: time | None = None  # a local time of day

    def slot(self, now: datetime) -> str | None:
        """This run's slot, or ``None`` when the job is not due (daily, before its time)."""
        if self.every is not None:
            return str(int(now.timestamp() // self.every.total_seconds()))
        local = timezone.localtime(now)
        if local.time() < self.at:
            return None
        return local.date().isoformat()


SCHEDULE: tuple[PeriodicJob, ...] = (
    PeriodicJob("rescue_name_lists", rescue_name_lists, every=timedelta(minutes=1)),
    PeriodicJob("sweep_staged", sweep_staged, every=timedelta(minutes=1)),
    PeriodicJob("publish_due", publish_due, every=timedelta(minutes=5)),
    PeriodicJob("send_reminders", send_reminders, at=time(8, 0)),
    PeriodicJob("remind_applications", remind_applications, at=time(8, 5)),
    PeriodicJob("remind_reports", remind_reports, at=time(8, 10)),
    PeriodicJob("check_calendar", check_calendar, at=time(9, 0)),
)


def enqueue_due_jobs(
    *, now: datetime | None = None, only: set[str] | None = None
) -> list[str]:
    """Enqueue every job whose slot has come and was not claimed yet; their names.

    The claim is ``cache.add`` on the shared default cache, kept two days: two
    schedulers (or cron on two machines) never enqueue one slot twice.
    """
    now = now or timezone.now()
    enqueued = []
    for job in SCHEDULE:
        if only is not None and job.name not in only:
            continue
        slot = job.slot(now)
        if slot is None:
            continue
        if not cache.add(f"periodic-job:{job.name}:{slot}", now.isoformat(), 2 * 86400):
            continue
        result = job.task.enqueue()
        logger.info(
            "periodic job %s enqueued (slot %s, task %s)", job.name, slot, result.id
        )
        enqueued.append(job.name)
    return enqueued
