"""Reminder mail before the annual report's deadline: 30 days, 7 days, overdue;
once per stage; none after publication."""

from __future__ import annotations

from datetime import date

import pytest

from django.core import mail
from django.core.management import call_command

from opengov.reminders import report_send_reminders

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerks(portal, county_clerk, township_clerk, other_county_clerk):
    county_clerk.email = "luolong@example.invalid"
    county_clerk.save(update_fields=["email"])
    township_clerk.email = "lilou@example.invalid"
    township_clerk.save(update_fields=["email"])
    return county_clerk, township_clerk


def test_each_stage_is_mailed_once(clerks):
    # 2025-12-25: the 2024 reports were never published (overdue, both regions);
    # the 2025 report of the county is 37 days away (the workspace shows it).
    assert report_send_reminders(today=date(2025, 12, 25)) == 2
    assert {m.subject for m in mail.outbox} == {
        "【政务公开提醒】洛龙区2024年政府信息公开工作年度报告已逾期未发布",
        "【政务公开提醒】李楼街道2024年政府信息公开工作年度报告已逾期未发布",
    }
    assert report_send_reminders(today=date(2026, 1, 2)) == 1
    message = mail.outbox[-1]
    assert message.to == ["luolong@example.invalid"]
    assert message.subject == (
        "【政务公开提醒】洛龙区2025年政府信息公开工作年度报告应于2026-01-31前发布"
    )
    assert "还有29天" in message.body and "/work/opengov/reports/" in message.body
    assert report_send_reminders(today=date(2026, 1, 3)) == 0
    assert report_send_reminders(today=date(2026, 1, 25)) == 1  # 7 days
    assert report_send_reminders(today=date(2026, 2, 1)) == 1  # overdue
    assert "已逾期未发布" in mail.outbox[-1].subject
    assert report_send_reminders(today=date(2026, 2, 2)) == 0
    # 李楼街道 (a township government): 31 March.
    assert report_send_reminders(today=date(2026, 3, 2)) == 1
    assert mail.outbox[-1].to == ["lilou@example.invalid"]


def test_no_mail_once_the_report_is_published(clerks):
    from catalogs.models import Region
    from opengov import layout, services

    report = services.report_create(
        region=Region.objects.get(code="410311"), year=2025, actor=clerks[0]
    )
    services.report_update(
        report=report,
        texts={"overview": "总体情况。", "problems": "问题。", "other_matters": "无。"},
        figures=dict.fromkeys(layout.entered_keys(), "0"),
        actor=clerks[0],
    )
    services.report_publish(report=report, actor=clerks[0])
    assert report_send_reminders(today=date(2026, 1, 25)) == 0


def test_the_command_reports_what_it_sent(clerks, capsys):
    call_command("send_report_reminders")
    assert "已发送年度报告提醒邮件" in capsys.readouterr().out
