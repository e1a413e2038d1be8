"""The services of the workflow: states, the once-only rules, audit, the letter."""

from __future__ import annotations

import io
from datetime import date

import pytest
from docx import Document

from django.core.exceptions import ValidationError

from catalogs.models import AuditLogEntry
from onrequest import services
from onrequest.models import Application

from .builders import paper_application

pytestmark = pytest.mark.django_db
D = date


def test_the_whole_workflow_with_every_pause(county_clerk):
    """Registered 2025-09-26, correction, consultation, extension, partial reply, archive:
    each due date is the working-day engine's (hand-counted in test_clock)."""
    a = paper_application(county_clerk, D(2025, 9, 26))
    assert (a.status, a.due_date) == ("registered", D(2025, 10, 30))
    services.application_start_review(application=a, actor=county_clerk)
    services.application_request_correction(
        application=a,
        requested_on=D(2025, 9, 29),
        note="请写明年份。",
        actor=county_clerk,
    )
    assert a.due_date is None and a.correction_deadline == D(2025, 10, 20)
    notice = a.files.get(kind="notice")
    text = "\n".join(
        p.text for p in Document(io.BytesIO(notice.file.read())).paragraphs
    )
    assert (
        "补正申请告知书" in text and "请写明年份。" in text and "2025年10月20日" in text
    )
    with pytest.raises(ValidationError, match="补正只能告知一次"):
        services.application_request_correction(
            application=a,
            requested_on=D(2025, 9, 30),
            note="再补。",
            actor=county_clerk,
        )
    services.application_receive_correction(
        application=a, corrected_on=D(2025, 10, 9), actor=county_clerk
    )
    assert a.due_date == D(2025, 11, 5)
    services.application_start_processing(application=a, actor=county_clerk)
    consultation = services.consultation_start(
        application=a,
        kind="third_party",
        party="某养老机构",
        sent_on=D(2025, 10, 13),
        actor=county_clerk,
    )
    assert consultation.answer_due == D(2025, 11, 3)
    a.refresh_from_db()
    assert a.due_date == D(2025, 11, 26)  # 11-5 + 15 while unanswered
    services.consultation_answer(
        consultation=consultation, answered_on=D(2025, 10, 17), actor=county_clerk
    )
    a.refresh_from_db()
    assert a.due_date == D(2025, 11, 11)  # 11-5 + 4
    services.application_extend(
        application=a,
        days=10,
        approver="李主任",
        reason="涉及多个股室。",
        approved_on=D(2025, 11, 3),
        notified_on=D(2025, 11, 3),
        actor=county_clerk,
    )
    assert a.due_date == D(2025, 11, 25)
    assert "延长10个工作日" in a.due_rule and "征求意见用时4个工作日" in a.due_rule
    notice = a.files.filter(kind="notice").order_by("-pk").first()
    text = "\n".join(
        p.text for p in Document(io.BytesIO(notice.file.read())).paragraphs
    )
    assert (
        "延长答复期限告知书" in text and "李主任" in text and "2025年11月25日" in text
    )
    with pytest.raises(ValidationError, match="只能延长一次"):
        services.application_extend(
            application=a,
            days=5,
            approver="李主任",
            reason="x",
            approved_on=D(2025, 11, 4),
            notified_on=D(2025, 11, 4),
            actor=county_clerk,
        )
    services.application_reply(
        application=a,
        outcome="partly",
        reply_text="提供2025年资金使用汇总表；个人救助明细涉及个人隐私，不予公开。",
        replied_on=D(2025, 11, 20),
        delivered_on=D(2025, 11, 21),
        actor=county_clerk,
    )
    assert a.status == "replied" and a.archive_due == D(2025, 12, 5)
    letter = a.files.get(kind="letter")
    text = "\n".join(
        p.text for p in Document(io.BytesIO(letter.file.read())).paragraphs
    )
    assert "政府信息公开申请答复书" in text
    assert "王测试" in text and "第三十七条" in text and "个人隐私" in text
    assert "洛龙区民政局" in text and "2025年11月20日" in text
    assert "{{" not in text
    services.application_archive(
        application=a, archived_on=D(2025, 12, 1), actor=county_clerk
    )
    assert a.status == "archived"
    actions = list(
        AuditLogEntry.objects.filter(
            object_type="onrequest.application", object_id=str(a.pk)
        )
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        f"onrequest.application.{x}"
        for x in (
            "registered",
            "reviewing",
            "correction_requested",
            "corrected",
            "processing",
            "consulted",
            "consultation_answered",
            "extended",
            "replied",
            "archived",
        )
    ]
    for entry in AuditLogEntry.objects.filter(object_type="onrequest.application"):
        assert a.id_number not in str(entry.data) and "王测试" not in str(entry.data)
        assert entry.actor == county_clerk


def test_correction_must_go_out_within_7_working_days(county_clerk):
    a = paper_application(county_clerk, D(2025, 9, 26))
    with pytest.raises(ValidationError, match="7个工作日内（2025-10-13前）"):
        services.application_request_correction(
            application=a, requested_on=D(2025, 10, 14), note="x", actor=county_clerk
        )


def test_extension_is_at_most_20_working_days_with_an_approver(county_clerk):
    a = paper_application(county_clerk, D(2026, 1, 20))
    with pytest.raises(ValidationError) as exc:
        services.application_extend(
            application=a,
            days=21,
            approver="",
            reason="x",
            approved_on=D(2026, 2, 2),
            notified_on=D(2026, 2, 2),
            actor=county_clerk,
        )
    assert "days" in exc.value.error_dict
    with pytest.raises(ValidationError) as exc:
        services.application_extend(
            application=a,
            days=20,
            approver=" ",
            reason="x",
            approved_on=D(2026, 2, 2),
            notified_on=D(2026, 2, 2),
            actor=county_clerk,
        )
    assert "approver" in exc.value.error_dict


def test_no_answer_to_correction_is_closed_as_withdrawn(county_clerk):
    a = paper_application(county_clerk, D(2025, 9, 26))
    services.application_request_correction(
        application=a, requested_on=D(2025, 9, 29), note="x", days=5, actor=county_clerk
    )
    with pytest.raises(ValidationError, match="正在等待申请人补正"):
        services.application_reply(
            application=a,
            outcome="disclosed",
            reply_text="x",
            replied_on=D(2025, 10, 20),
            actor=county_clerk,
        )
    with pytest.raises(ValidationError, match="尚未届满"):
        services.application_reply(
            application=a,
            outcome="other_no_correction",
            reply_text="x",
            replied_on=D(2025, 10, 9),
            actor=county_clerk,
        )
    services.application_reply(
        application=a,
        outcome="other_no_correction",
        reply_text="逾期未补正。",
        replied_on=D(2025, 10, 20),
        actor=county_clerk,
    )
    assert a.status == Application.Status.REPLIED


def test_online_application_is_registered_on_confirmation(county_clerk):
    from catalogs.models import Region

    from .builders import applicant

    submitted = services.application_submit(
        region=Region.objects.get(code="410311"), data=applicant()
    )
    a = submitted.application
    assert services.check_value_matches(a, submitted.check_value.lower())
    assert not services.check_value_matches(a, "nope")
    assert a.due_date is None
    from django.utils import timezone

    day = timezone.localdate(a.submitted_at)
    services.application_register(application=a, received_on=day, actor=county_clerk)
    assert a.received_on == day and a.due_date is not None
    assert "确认收到" in a.received_rule


def test_a_failure_after_the_files_were_written_leaves_nothing(
    county_clerk, monkeypatch
):
    """Nothing half-stored: rows rolled back, files removed from storage."""
    from django.core.files.storage import default_storage

    from catalogs.models import Region
    from onrequest.files import CheckedFile
    from onrequest.models import ApplicationFile

    from .builders import applicant

    written = []
    real = services._store_file

    def store_then_remember(*args, **kwargs):
        item = real(*args, **kwargs)
        written.append(item.file.name)
        return item

    def broken_audit(*args, **kwargs):
        raise RuntimeError("audit down")

    monkeypatch.setattr(services, "_store_file", store_then_remember)
    monkeypatch.setattr(services, "_audit", broken_audit)
    with pytest.raises(RuntimeError):
        services.application_submit(
            region=Region.objects.get(code="410311"),
            data=applicant(),
            files=[CheckedFile("a.pdf", b"%PDF-1.4 x", "application/pdf")],
        )
    assert Application.objects.count() == 0
    assert ApplicationFile.objects.count() == 0
    assert written and not any(default_storage.exists(name) for name in written)
