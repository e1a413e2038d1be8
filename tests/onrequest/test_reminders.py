"""Reminders through the daily command: codes and dates only, once per state."""

from __future__ import annotations

from datetime import date

import pytest

from django.core import mail
from django.core.management import call_command

from .builders import paper_application

pytestmark = pytest.mark.django_db


def test_overdue_and_due_soon_reminded_once(county_clerk, other_county_clerk):
    county_clerk.email = "clerk@example.invalid"
    county_clerk.save()
    overdue = paper_application(county_clerk, date(2025, 9, 26))  # due 2025-10-30
    soon = paper_application(county_clerk, date(2025, 10, 13))  # due 2025-11-10
    call_command("send_application_reminders", "--date", "2025-11-05")
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert mail.outbox[0].to == ["clerk@example.invalid"]
    assert overdue.code in body and "已超过答复期限" in body
    assert soon.code in body and "即将到期" in body
    assert overdue.applicant_name not in body and overdue.id_number not in body
    call_command("send_application_reminders", "--date", "2025-11-05")
    assert len(mail.outbox) == 1
    call_command("send_application_reminders", "--date", "2025-11-12")
    assert len(mail.outbox) == 2  # `soon` is overdue now: a new state
    assert soon.code in mail.outbox[1].body and overdue.code not in mail.outbox[1].body


def test_deadline_command_understands_the_reply_rule():
    from io import StringIO

    out = StringIO()
    call_command(
        "deadline",
        "--rule",
        "收到申请之日起20个工作日内",
        "--start",
        "2026-01-20",
        stdout=out,
    )
    assert out.getvalue().strip() == "2026-02-24"
    out = StringIO()
    call_command(
        "deadline",
        "--rule",
        "收到申请之日起20个工作日内",
        "--start",
        "2025-09-26",
        stdout=out,
    )
    assert out.getvalue().strip() == "2025-10-30"
