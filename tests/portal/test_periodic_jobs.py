"""The periodic jobs and their one schedule (catalog_portal.tasks, issue 14).

The test settings run tasks at once (the immediate backend), so enqueuing a
job runs it here; the real worker is exercised by tests/test_workers.py.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from django.core import mail
from django.core.cache import cache
from django.core.management import CommandError, call_command

from catalog_portal import tasks as portal_tasks
from catalogs.models import User
from disclosures.models import NameList
from disclosures.namelists import processing as namelist_processing
from disclosures.namelists import staging as namelist_staging
from tests.builders import list_bytes

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
ALL_JOBS = [
    "rescue_name_lists",
    "sweep_staged",
    "publish_due",
    "send_reminders",
    "remind_applications",
    "remind_reports",
    "check_calendar",
]


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def _done(caplog) -> list[str]:
    return [
        r.getMessage().split()[2]
        for r in caplog.records
        if r.name == "catalog_portal.tasks" and " done in " in r.getMessage()
    ]


def test_each_slot_is_enqueued_once_and_each_run_is_logged(caplog):
    caplog.set_level(logging.INFO, logger="catalog_portal.tasks")
    at_930 = datetime(2026, 11, 10, 9, 30, tzinfo=SHANGHAI)
    assert portal_tasks.enqueue_due_jobs(now=at_930) == ALL_JOBS
    assert _done(caplog) == ALL_JOBS  # run (immediate backend) and logged
    # Cron on a second machine, the same minute: nothing more.
    assert portal_tasks.enqueue_due_jobs(now=at_930 + timedelta(seconds=20)) == []
    # A minute later: only the every-minute jobs; publish_due waits for its 5 minutes.
    assert portal_tasks.enqueue_due_jobs(now=at_930 + timedelta(minutes=1)) == [
        "rescue_name_lists",
        "sweep_staged",
    ]
    assert portal_tasks.enqueue_due_jobs(now=at_930 + timedelta(minutes=5)) == [
        "rescue_name_lists",
        "sweep_staged",
        "publish_due",
    ]
    # The daily jobs come again the next day, not before their time.
    next_morning = at_930 + timedelta(days=1) - timedelta(hours=2)  # 07:30
    assert "send_reminders" not in portal_tasks.enqueue_due_jobs(now=next_morning)
    assert portal_tasks.enqueue_due_jobs(now=next_morning + timedelta(hours=2))[
        -4:
    ] == [
        "send_reminders",
        "remind_applications",
        "remind_reports",
        "check_calendar",
    ]


def test_a_failing_job_is_logged_and_the_next_slot_runs_it_again(caplog, monkeypatch):
    caplog.set_level(logging.INFO, logger="catalog_portal.tasks")

    def broken(**kwargs):
        raise RuntimeError("database away")

    monkeypatch.setattr(portal_tasks, "record_publish_due", broken)
    at = datetime(2026, 11, 10, 10, 0, tzinfo=SHANGHAI)
    assert "publish_due" in portal_tasks.enqueue_due_jobs(now=at, only={"publish_due"})
    failures = [
        r for r in caplog.records if "periodic job publish_due failed" in r.getMessage()
    ]
    assert len(failures) == 1 and failures[0].levelno == logging.ERROR
    monkeypatch.undo()
    caplog.clear()
    later = at + timedelta(minutes=5)
    assert portal_tasks.enqueue_due_jobs(now=later, only={"publish_due"}) == [
        "publish_due"
    ]
    assert _done(caplog) == ["publish_due"]


def test_the_calendar_check_mails_province_admins_once_a_day(make_user, monkeypatch):
    admin = make_user(User.Role.PROVINCE_ADMIN, "41", username="calendar-admin")
    admin.email = "admin@example.gov.cn"
    admin.save()
    monkeypatch.setattr(portal_tasks, "calendar_next_year_missing", lambda: 2027)
    first = portal_tasks.check_calendar.call()
    second = portal_tasks.check_calendar.call()
    assert first == {"missing_year": 2027, "mails": 1}
    assert second == {"missing_year": 2027, "mails": 0}
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["admin@example.gov.cn"]
    assert "2027年" in mail.outbox[0].subject
    monkeypatch.setattr(portal_tasks, "calendar_next_year_missing", lambda: None)
    assert portal_tasks.check_calendar.call() == {"missing_year": "-", "mails": 0}


@pytest.mark.usefixtures("staging")
def test_the_sweep_deletes_unmapped_uploads_but_keeps_those_being_processed(
    lilou_record, township_clerk, settings
):
    abandoned = namelist_staging.name_list_stage_upload(
        record=lilou_record,
        data=list_bytes(),
        filename="名单.xlsx",
        actor=township_clerk,
    )
    settings.NAME_LIST_STAGING_MAX_AGE = 0  # everything is old now
    assert portal_tasks.sweep_staged.call() == {"deleted": 1}
    assert not namelist_staging.staged_file_exists(abandoned.token)

    settings.NAME_LIST_STAGING_MAX_AGE = 3600
    waiting = namelist_staging.name_list_stage_upload(
        record=lilou_record,
        data=list_bytes(),
        filename="名单.xlsx",
        actor=township_clerk,
    )
    name_list = namelist_processing.name_list_start(
        staged=waiting,
        record=lilou_record,
        sheet=None,
        mapping={1: "name"},
        mask_names=False,
        publicity_end=None,
        actor=township_clerk,
        dispatch=False,  # queued behind other lists: its file must stay
    )
    settings.NAME_LIST_STAGING_MAX_AGE = 0
    assert portal_tasks.sweep_staged.call() == {"deleted": 0}
    assert namelist_staging.staged_file_exists(waiting.token)
    assert NameList.objects.get(pk=name_list.pk).status == NameList.Status.PROCESSING


def test_the_command_enqueues_due_jobs_and_runs_one_by_name(capsys):
    call_command("periodic_jobs")
    out = capsys.readouterr().out
    assert "rescue_name_lists" in out and "sweep_staged" in out
    call_command("periodic_jobs")
    assert "已交给后台任务：无" in capsys.readouterr().out
    call_command("periodic_jobs", "--run", "publish_due")
    assert "publish_due: {'published': 0}" in capsys.readouterr().out
    with pytest.raises(CommandError, match="没有名为no_such_job的定期任务"):
        call_command("periodic_jobs", "--run", "no_such_job")
