"""Every write of the on-request workflow, each audited in its own transaction.

States (第四十五条): 登记 → 审核 → 办理 → 答复 → 归档. An online application waits
as ``submitted`` until the office confirms it (the receipt date, 第三十一条); a
paper or oral one is registered by staff on the day it was handed in. Every
change that moves the clock recomputes the due date with `onrequest.clock` and
stores it with its rule. Audit entries carry codes and dates only, never the
applicant's identity or contact details.
"""

from __future__ import annotations

import io
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from catalogs.audit import audit
from catalogs.models import Region, User
from catalogs.selectors import work_calendar
from disclosures.deidentify import is_valid_id_number

from . import clock, letters
from .files import CheckedFile
from .models import Application, ApplicationFile, Consultation, LetterTemplate
from .outcomes import OUTCOMES_BY_KEY

Status = Application.Status
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
#: Default period given to the applicant to correct, in working days.
DEFAULT_CORRECTION_DAYS = 10
#: Outcomes possible while a correction is still awaited.
OUTCOMES_WITHOUT_CORRECTION = ("other_no_correction", "unable_still_unclear")


def _check_hash(value: str) -> str:
    return salted_hmac("onrequest.application.check", value.strip().upper()).hexdigest()


def check_value_matches(application: Application | None, value: str) -> bool:
    """Whether *value* is the application's check value (查询码).

    An unknown code costs the same hash and comparison as a known one, so the
    status lookup's timing does not tell which codes exist.
    """
    expected = application.check_hash if application is not None else "-" * 64
    matches = constant_time_compare(expected, _check_hash(value or ""))
    return application is not None and matches


def _random(n: int) -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _i in range(n))


def _new_code(today: date) -> str:
    while True:
        code = f"YSQ{today:%Y%m%d}{_random(5)}"
        if not Application.objects.filter(code=code).exists():
            return code


def _fail(field: str, message: str, code: str = "invalid") -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _now():
    """The current time for the workflow (one place, so tests can move the clock)."""
    return timezone.now()


def _today() -> date:
    return timezone.localdate(_now())


def workflow_today() -> date:
    """Today in Asia/Shanghai as the workflow sees it (forms are prefilled with it)."""
    return _today()


# --------------------------------------------------------------------------- the clock


def _recompute(application: Application) -> None:
    """Store the reply due date and archive due date with the rules that produced them."""
    cal = work_calendar()
    pauses = [
        clock.Pause(c.sent_on, c.answered_on) for c in application.consultations.all()
    ]
    result = clock.reply_clock(
        cal,
        received_on=application.received_on,
        correction_requested_on=application.correction_requested_on,
        corrected_on=application.corrected_on,
        pauses=pauses,
        extension_days=application.extension_days,
    )
    application.due_date = result.due.day
    application.due_rule = result.due.rule[:300]
    application.due_provisional = result.due.provisional
    application.calendar_version = cal.version[:40]
    if application.delivered_on:
        archive = clock.archive_due(cal, application.delivered_on)
        application.archive_due = archive.day
        application.archive_rule = archive.rule[:200]


def _save(application: Application, fields: list[str]) -> None:
    application.full_clean()
    application.save(
        update_fields=[
            *fields,
            "due_date",
            "due_rule",
            "due_provisional",
            "calendar_version",
            "updated_at",
        ]
    )


def _require(application: Application, statuses: Iterable[str], action: str) -> None:
    if application.status not in statuses:
        raise ValidationError(
            _("当前状态为“%(status)s”，不能%(action)s。")
            % {"status": application.get_status_display(), "action": action},
            code="state",
        )


def _audit(action: str, application: Application, actor: User | None, **data) -> None:
    audit(
        f"onrequest.application.{action}",
        actor=actor,
        region=application.region_id,
        obj=application,
        code=application.code,
        status=application.status,
        **{k: (v.isoformat() if isinstance(v, date) else v) for k, v in data.items()},
    )


# --------------------------------------------------------------------------- applying


@dataclass(frozen=True)
class Submitted:
    application: Application
    check_value: str


def application_submit(
    *,
    region: Region,
    data: dict,
    files: Iterable[CheckedFile] = (),
    channel: str = Application.Channel.ONLINE,
    received_on: date | None = None,
    actor: User | None = None,
) -> Submitted:
    """Store a new application and return it with its check value (shown once).

    ``data`` holds the applicant fields of the model. Online (``actor`` None) the
    application waits for the office to confirm receipt; a paper or oral one
    entered by staff is registered at once with ``received_on`` (the day it was
    handed in or signed for). Everything is validated before anything is stored;
    the files and the row are written in one transaction, so a code that was
    shown always belongs to a stored application.
    """
    if data.get("id_type") == Application.IdType.RESIDENT_ID and not is_valid_id_number(
        data.get("id_number", "")
    ):
        raise _fail(
            "id_number",
            _(
                "证件号码不是有效的居民身份证号码（校验位不正确或出生日期无效）：请核对18位号码，最后一位可能是X。"
            ),
        )
    now = _now()
    today = timezone.localdate(now)
    staff_entry = actor is not None
    if staff_entry and received_on is None:
        raise _fail("received_on", _("请填写收到申请的日期。"), "required")
    if received_on and received_on > today:
        raise _fail("received_on", _("收到申请的日期不能晚于今天。"))
    check_value = _random(8)
    application = Application(
        region=region,
        channel=channel,
        code=_new_code(today),
        check_hash=_check_hash(check_value),
        submitted_at=now,
        created_by=actor if staff_entry else None,
        **data,
    )
    if staff_entry:
        application.status = Status.REGISTERED
        application.received_on = received_on
        application.received_rule = _(
            "申请人当面提交或邮寄送达、由本机关签收之日（《条例》第三十一条）"
        )
    application.full_clean()
    stored: list[ApplicationFile] = []
    try:
        with transaction.atomic():
            application.save()
            if staff_entry:
                _recompute(application)
                application.save(
                    update_fields=[
                        "due_date",
                        "due_rule",
                        "due_provisional",
                        "calendar_version",
                    ]
                )
            for checked in files:
                stored.append(
                    _store_file(application, ApplicationFile.Kind.APPLICANT, checked)
                )
            _audit(
                "registered" if staff_entry else "submitted",
                application,
                actor,
                channel=channel,
                received_on=received_on,
            )
    except Exception:
        # The rows were rolled back; the files written to storage go as well, so
        # nothing of a refused application is left behind.
        for item in stored:
            item.file.delete(save=False)
        raise
    return Submitted(application, check_value)


def _store_file(
    application: Application, kind: str, checked: CheckedFile
) -> ApplicationFile:
    stored = ApplicationFile(
        application=application,
        kind=kind,
        token=secrets.token_hex(8),
        original_name=checked.name,
        size=len(checked.data),
        content_type=checked.content_type,
    )
    stored.file.save(checked.name, ContentFile(checked.data), save=False)
    stored.save()
    return stored


def _store_notice(application: Application, group: str, title: str) -> None:
    """The notice the applicant is sent (补正 or 延期), filled and kept with the file."""
    _store_file(
        application,
        ApplicationFile.Kind.NOTICE,
        CheckedFile(
            name=_("%(code)s%(title)s.docx")
            % {"code": application.code, "title": title},
            data=letters.render_notice(group, application, today=_today()),
            content_type=letters.DOCX_TYPE,
        ),
    )


# --------------------------------------------------------------------------- handling


@transaction.atomic
def application_register(
    *, application: Application, received_on: date, actor: User
) -> Application:
    """Confirm receipt of an online application (登记): the receipt date starts the clock."""
    _require(application, [Status.SUBMITTED], _("登记"))
    if received_on > _today():
        raise _fail("received_on", _("收到申请的日期不能晚于今天。"))
    if received_on < timezone.localdate(application.submitted_at):
        raise _fail("received_on", _("收到申请的日期不能早于申请提交的日期。"))
    application.status = Status.REGISTERED
    application.received_on = received_on
    application.received_rule = _(
        "网上提交的申请，以本机关确认收到之日为收到申请之日（《条例》第三十一条第三项）"
    )
    _recompute(application)
    _save(application, ["status", "received_on", "received_rule"])
    _audit("registered", application, actor, received_on=received_on)
    return application


@transaction.atomic
def application_start_review(*, application: Application, actor: User) -> Application:
    """登记 → 审核."""
    _require(application, [Status.REGISTERED], _("转入审核"))
    application.status = Status.REVIEWING
    _save(application, ["status"])
    _audit("reviewing", application, actor)
    return application


@transaction.atomic
def application_start_processing(
    *, application: Application, actor: User
) -> Application:
    """审核 → 办理 (the request is clear enough to be handled)."""
    _require(application, [Status.REVIEWING], _("转入办理"))
    if application.correction_pending:
        raise ValidationError(
            _("正在等待申请人补正，收到补正后的申请后才能转入办理。"), code="state"
        )
    application.status = Status.PROCESSING
    _save(application, ["status"])
    _audit("processing", application, actor)
    return application


@transaction.atomic
def application_request_correction(
    *,
    application: Application,
    requested_on: date,
    note: str,
    days: int = DEFAULT_CORRECTION_DAYS,
    actor: User,
) -> Application:
    """Ask the applicant to correct the application, once, within 7 working days of
    receipt (第三十条); the clock stops until the corrected application arrives."""
    _require(application, [Status.REGISTERED, Status.REVIEWING], _("告知补正"))
    if application.correction_requested_on:
        raise ValidationError(
            _("补正只能告知一次：本申请已于%(day)s告知过补正。")
            % {"day": application.correction_requested_on.isoformat()},
            code="once",
        )
    if not note.strip():
        raise _fail("note", _("请写明需要补正的事项。"), "required")
    if not 1 <= days <= 60:
        raise _fail("days", _("补正期限应为1到60个工作日。"))
    cal = work_calendar()
    limit = clock.correction_request_limit(cal, application.received_on)
    if requested_on < application.received_on:
        raise _fail("requested_on", _("补正通知日期不能早于收到申请的日期。"))
    if requested_on > limit.day:
        raise _fail(
            "requested_on",
            _("补正通知应在收到申请之日起7个工作日内（%(day)s前）发出，已超过期限。")
            % {"day": limit.day.isoformat()},
        )
    application.correction_requested_on = requested_on
    application.correction_request_note = note.strip()
    application.correction_deadline = clock.correction_deadline(
        cal, requested_on, days
    ).day
    if application.status == Status.REGISTERED:
        application.status = Status.REVIEWING
    _recompute(application)
    _save(
        application,
        [
            "status",
            "correction_requested_on",
            "correction_request_note",
            "correction_deadline",
        ],
    )
    _store_notice(application, "correction_notice", _("补正申请告知书"))
    _audit(
        "correction_requested",
        application,
        actor,
        requested_on=requested_on,
        deadline=application.correction_deadline,
    )
    return application


@transaction.atomic
def application_receive_correction(
    *, application: Application, corrected_on: date, actor: User
) -> Application:
    """The corrected application arrived: the 20 working days count again from that day."""
    if not application.correction_pending:
        raise ValidationError(_("本申请没有待补正的事项。"), code="state")
    if corrected_on < application.correction_requested_on:
        raise _fail("corrected_on", _("收到补正的日期不能早于补正通知的日期。"))
    if corrected_on > _today():
        raise _fail("corrected_on", _("收到补正的日期不能晚于今天。"))
    application.corrected_on = corrected_on
    _recompute(application)
    _save(application, ["corrected_on"])
    _audit("corrected", application, actor, corrected_on=corrected_on)
    return application


@transaction.atomic
def consultation_start(
    *, application: Application, kind: str, party: str, sent_on: date, actor: User
) -> Consultation:
    """Consult a third party or another agency: the clock pauses for up to 15 working days."""
    _require(application, [Status.REVIEWING, Status.PROCESSING], _("征求意见"))
    if application.correction_pending:
        raise ValidationError(_("正在等待申请人补正，不能同时征求意见。"), code="state")
    if not party.strip():
        raise _fail("party", _("请填写征求意见的对象。"), "required")
    start = application.corrected_on or application.received_on
    if sent_on < start:
        raise _fail("sent_on", _("征求意见日期不能早于收到申请（补正）的日期。"))
    if sent_on > _today():
        raise _fail("sent_on", _("征求意见日期不能晚于今天。"))
    if application.consultations.filter(answered_on__isnull=True).exists():
        raise ValidationError(
            _("还有一项征求意见尚未收到答复，请先登记其答复。"), code="state"
        )
    consultation = Consultation(
        application=application,
        kind=kind,
        party=party.strip(),
        sent_on=sent_on,
        answer_due=clock.consultation_answer_due(work_calendar(), sent_on).day,
    )
    consultation.full_clean()
    consultation.save()
    _recompute(application)
    _save(application, [])
    _audit("consulted", application, actor, kind=kind, sent_on=sent_on)
    return consultation


@transaction.atomic
def consultation_answer(
    *, consultation: Consultation, answered_on: date, note: str = "", actor: User
) -> Consultation:
    """Record the answer (or the end of the 15 working days without one)."""
    application = consultation.application
    if consultation.answered_on:
        raise ValidationError(_("该征求意见已经登记过答复。"), code="state")
    if answered_on < consultation.sent_on:
        raise _fail("answered_on", _("收到意见的日期不能早于征求意见的日期。"))
    if answered_on > _today():
        raise _fail("answered_on", _("收到意见的日期不能晚于今天。"))
    consultation.answered_on = answered_on
    consultation.answer_note = note.strip()
    consultation.save(update_fields=["answered_on", "answer_note"])
    _recompute(application)
    _save(application, [])
    _audit("consultation_answered", application, actor, answered_on=answered_on)
    return consultation


@transaction.atomic
def application_extend(
    *,
    application: Application,
    days: int,
    approver: str,
    reason: str,
    approved_on: date,
    notified_on: date,
    actor: User,
) -> Application:
    """Extend the reply period once, by at most 20 working days (第三十三条第二款),
    approved by a named person and told to the applicant."""
    _require(
        application,
        [Status.REGISTERED, Status.REVIEWING, Status.PROCESSING],
        _("延长答复期限"),
    )
    if application.extension_days:
        raise ValidationError(
            _("答复期限只能延长一次：本申请已延长%(n)s个工作日。")
            % {"n": application.extension_days},
            code="once",
        )
    if application.correction_pending:
        raise ValidationError(
            _("正在等待申请人补正，答复期限尚未起算，不能延期。"), code="state"
        )
    if not 1 <= days <= clock.MAX_EXTENSION_WORKING_DAYS:
        raise _fail("days", _("延长的期限应为1到20个工作日。"))
    if not approver.strip():
        raise _fail("approver", _("请填写批准延期的负责人姓名。"), "required")
    if not reason.strip():
        raise _fail("reason", _("请写明延期理由。"), "required")
    if application.due_date and approved_on > application.due_date:
        raise _fail(
            "approved_on",
            _("延期应在答复期限（%(day)s）届满前批准。")
            % {"day": application.due_date.isoformat()},
        )
    if notified_on < approved_on:
        raise _fail("notified_on", _("告知申请人的日期不能早于批准日期。"))
    application.extension_days = days
    application.extension_approver = approver.strip()
    application.extension_reason = reason.strip()
    application.extension_approved_on = approved_on
    application.extension_notified_on = notified_on
    _recompute(application)
    _save(
        application,
        [
            "extension_days",
            "extension_approver",
            "extension_reason",
            "extension_approved_on",
            "extension_notified_on",
        ],
    )
    _store_notice(application, "extension_notice", _("延长答复期限告知书"))
    _audit("extended", application, actor, days=days, approved_on=approved_on)
    return application


@transaction.atomic
def application_reply(
    *,
    application: Application,
    outcome: str,
    reply_text: str,
    replied_on: date,
    delivered_on: date | None = None,
    other_agency: str = "",
    provided: Iterable[CheckedFile] = (),
    actor: User,
) -> Application:
    """Answer the application (答复) with one of the outcomes of table 三, generate the
    reply letter (docx) and store it with what was provided. The archive deadline
    counts from delivery (``delivered_on``, default the reply day)."""
    _require(
        application,
        [Status.REGISTERED, Status.REVIEWING, Status.PROCESSING],
        _("答复"),
    )
    if outcome not in OUTCOMES_BY_KEY:
        raise _fail("outcome", _("请选择办理结果。"), "required")
    if application.correction_pending and outcome not in OUTCOMES_WITHOUT_CORRECTION:
        raise _fail(
            "outcome",
            _(
                "正在等待申请人补正：只能答复“逾期不补正、不再处理”或“补正后申请内容仍不明确”。"
            ),
        )
    if (
        outcome == "other_no_correction"
        and application.correction_deadline
        and replied_on <= application.correction_deadline
    ):
        raise _fail(
            "outcome",
            _("补正期限（%(day)s）尚未届满，不能按逾期不补正处理。")
            % {"day": application.correction_deadline.isoformat()},
        )
    start = application.received_on
    if start and replied_on < start:
        raise _fail("replied_on", _("答复日期不能早于收到申请的日期。"))
    if replied_on > _today():
        raise _fail("replied_on", _("答复日期不能晚于今天。"))
    delivered_on = delivered_on or replied_on
    if delivered_on < replied_on:
        raise _fail("delivered_on", _("送达日期不能早于答复日期。"))
    if delivered_on > _today():
        raise _fail("delivered_on", _("送达日期不能晚于今天。"))
    if not reply_text.strip():
        raise _fail(
            "reply_text",
            _("请填写答复内容（提供了什么、理由或获取方式）。"),
            "required",
        )
    application.outcome = outcome
    application.reply_text = reply_text.strip()
    application.other_agency = other_agency.strip()
    application.replied_on = replied_on
    application.delivered_on = delivered_on
    year_count = (
        Application.objects.filter(
            region_id=application.region_id, replied_on__year=replied_on.year
        )
        .exclude(pk=application.pk)
        .count()
    )
    application.letter_number = _("%(office)s依申公开〔%(year)s〕%(n)s号") % {
        "office": letters.office_short_name(application.region),
        "year": replied_on.year,
        "n": year_count + 1,
    }
    application.status = Status.REPLIED
    for consultation in application.consultations.filter(answered_on__isnull=True):
        # An unanswered consultation ends with the reply: no more than it lasted.
        consultation.answered_on = min(replied_on, consultation.answer_due)
        consultation.save(update_fields=["answered_on"])
    _recompute(application)
    _save(
        application,
        [
            "outcome",
            "reply_text",
            "other_agency",
            "replied_on",
            "delivered_on",
            "letter_number",
            "status",
            "archive_due",
            "archive_rule",
        ],
    )
    letter = letters.render_letter(application)
    _store_file(
        application,
        ApplicationFile.Kind.LETTER,
        CheckedFile(
            name=_("%(code)s答复书.docx") % {"code": application.code},
            data=letter,
            content_type=letters.DOCX_TYPE,
        ),
    )
    for checked in provided:
        _store_file(application, ApplicationFile.Kind.PROVIDED, checked)
    _audit(
        "replied",
        application,
        actor,
        outcome=outcome,
        replied_on=replied_on,
        delivered_on=delivered_on,
        on_time=bool(
            application.due_date is None or replied_on <= application.due_date
        ),
    )
    return application


@transaction.atomic
def application_escalate(
    *, application: Application, reason: str, actor: User
) -> Application:
    """Ask the superior region to coordinate (提请上级协调): from now on the receiving
    region's direct superior (the city for a county) may read the application,
    applicant included; the levels above it still may not. Only the receiving
    region keeps handling it."""
    if application.escalated_at:
        raise ValidationError(_("本申请已提请上级协调。"), code="once")
    if not reason.strip():
        raise _fail("reason", _("请写明提请上级协调的理由。"), "required")
    application.escalated_at = _now()
    application.escalation_reason = reason.strip()
    _save(application, ["escalated_at", "escalation_reason"])
    _audit("escalated", application, actor)
    return application


@transaction.atomic
def application_archive(
    *, application: Application, archived_on: date, actor: User
) -> Application:
    """答复 → 归档: the file is archived (due 10 working days after delivery)."""
    _require(application, [Status.REPLIED], _("归档"))
    if archived_on < application.delivered_on:
        raise _fail("archived_on", _("归档日期不能早于答复送达日期。"))
    if archived_on > _today():
        raise _fail("archived_on", _("归档日期不能晚于今天。"))
    application.archived_on = archived_on
    application.status = Status.ARCHIVED
    _save(application, ["archived_on", "status"])
    _audit(
        "archived",
        application,
        actor,
        archived_on=archived_on,
        on_time=bool(
            application.archive_due and archived_on <= application.archive_due
        ),
    )
    return application


# --------------------------------------------------------------------------- letter templates


@transaction.atomic
def letter_template_replace(
    *, group: str, checked: CheckedFile, actor: User
) -> LetterTemplate:
    """Use a province admin's Word file as the letter template of ``group``.

    The file is tried with sample values first: a placeholder the letters cannot
    fill (a typo inside ``{{ }}``, an unclosed ``{% if %}``) refuses it, naming the
    field, and the template in use stays as it was.
    """
    from docxtpl import DocxTemplate

    if group not in letters.GROUP_KEYS:
        raise _fail("group", _("未知的答复类型。"))
    if not checked.name.lower().endswith(".docx"):
        raise _fail("file", _("答复书模板必须是Word文件（.docx）。"))
    try:
        letters.render_template(
            DocxTemplate(io.BytesIO(checked.data)), letters.sample_context(group)
        )
    except Exception as exc:  # docxtpl raises jinja2 and zip errors alike
        raise _fail(
            "file",
            _(
                "模板“%(name)s”无法填充：%(error)s。请检查{{ }}和{%% %%}中的写法是否与原模板一致。"
            )
            % {"name": checked.name, "error": str(exc)[:200]},
        ) from None
    template, _created = LetterTemplate.objects.get_or_create(
        group=group, defaults={"token": secrets.token_hex(8)}
    )
    old = template.file.name if template.file else ""
    template.token = secrets.token_hex(8)
    template.updated_by = actor
    template.file.save(f"{group}.docx", ContentFile(checked.data), save=False)
    template.save()
    if old:
        transaction.on_commit(lambda: template.file.storage.delete(old))
    audit(
        "onrequest.letter_template.replaced",
        actor=actor,
        region=actor.region_id,
        obj=template,
        group=group,
    )
    return template


@transaction.atomic
def letter_template_reset(*, group: str, actor: User) -> None:
    """Go back to the shipped template of ``group``."""
    template = LetterTemplate.objects.filter(group=group).first()
    if template is None:
        return
    name = template.file.name
    template.delete()
    transaction.on_commit(lambda: default_storage.delete(name))
    audit(
        "onrequest.letter_template.reset",
        actor=actor,
        region=actor.region_id,
        group=group,
    )
