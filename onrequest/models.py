"""On-request disclosure (依申请公开): applications, consultations and their files.

《中华人民共和国政府信息公开条例》 第二十七条至第四十五条 (SPEC §12). The applicant's
identity and contact details are personal data: only staff of the receiving region
read them (`querysets.ApplicationQuerySet.visible_to`), nothing public shows them.
Due dates are computed by `onrequest.clock` from the working-day calendar and stored
with the rule that produced them.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalogs.models import Region, User
from disclosures.models import private_storage

from .outcomes import APPLICANT_KINDS, OUTCOMES
from .querysets import ApplicationQuerySet

APPLICANT_KIND_CHOICES = [(kind.key, kind.label) for kind in APPLICANT_KINDS]
OUTCOME_CHOICES = [(outcome.key, outcome.label) for outcome in OUTCOMES]


class Application(models.Model):
    """One application for government information (政府信息公开申请)."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("已提交，待登记")
        REGISTERED = "registered", _("已登记")
        REVIEWING = "reviewing", _("审核中")
        PROCESSING = "processing", _("办理中")
        REPLIED = "replied", _("已答复")
        ARCHIVED = "archived", _("已归档")

    class Channel(models.TextChoices):
        ONLINE = "online", _("网上申请")
        PAPER = "paper", _("书面申请（当面递交或邮寄）")
        ORAL = "oral", _("口头申请（工作人员代为填写）")

    class IdType(models.TextChoices):
        RESIDENT_ID = "resident_id", _("居民身份证")
        PASSPORT = "passport", _("护照")
        CREDIT_CODE = "credit_code", _("统一社会信用代码")
        OTHER = "other", _("其他有效证件")

    class Form(models.TextChoices):
        PAPER = "paper", _("纸质")
        ELECTRONIC = "electronic", _("电子文档")
        OTHER = "other", _("其他")

    class Delivery(models.TextChoices):
        POST = "post", _("邮寄")
        EMAIL = "email", _("电子邮件")
        PICKUP = "pickup", _("当面领取")
        ONLINE = "online", _("网上查看")

    code = models.CharField(_("申请编号"), max_length=24, unique=True)
    check_hash = models.CharField(_("查询码摘要"), max_length=128)
    region = models.ForeignKey(
        Region,
        verbose_name=_("受理机关所在区划"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    channel = models.CharField(
        _("申请方式"), max_length=10, choices=Channel.choices, default=Channel.ONLINE
    )
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=Status.choices,
        default=Status.SUBMITTED,
        db_index=True,
    )

    # The applicant (第二十九条): personal data, staff of the receiving region only.
    applicant_kind = models.CharField(
        _("申请人类型"), max_length=20, choices=APPLICANT_KIND_CHOICES
    )
    applicant_name = models.CharField(_("申请人姓名或名称"), max_length=100)
    contact_person = models.CharField(_("联系人"), max_length=50, blank=True)
    id_type = models.CharField(_("证件类型"), max_length=20, choices=IdType.choices)
    id_number = models.CharField(_("证件号码"), max_length=40)
    phone = models.CharField(_("联系电话"), max_length=30)
    email = models.EmailField(_("电子邮箱"), blank=True)
    address = models.CharField(_("通信地址"), max_length=200, blank=True)
    postcode = models.CharField(_("邮政编码"), max_length=6, blank=True)

    description = models.TextField(
        _("所需政府信息的名称、文号或者便于查询的其他特征性描述")
    )
    form = models.CharField(
        _("信息的提供形式"), max_length=12, choices=Form.choices, default=Form.PAPER
    )
    delivery = models.CharField(
        _("获取信息的方式"),
        max_length=10,
        choices=Delivery.choices,
        default=Delivery.POST,
    )

    submitted_at = models.DateTimeField(_("提交时间"))
    received_on = models.DateField(_("收到申请日期"), null=True, blank=True)
    received_rule = models.CharField(_("收到日期依据"), max_length=200, blank=True)

    # Correction (补正, 第三十条): once, within 7 working days of receipt.
    correction_requested_on = models.DateField(
        _("发出补正通知日期"), null=True, blank=True
    )
    correction_request_note = models.TextField(_("需要补正的事项"), blank=True)
    correction_deadline = models.DateField(_("补正期限"), null=True, blank=True)
    corrected_on = models.DateField(_("收到补正申请日期"), null=True, blank=True)

    # Extension (延期, 第三十三条第二款): once, at most 20 working days.
    extension_days = models.PositiveSmallIntegerField(
        _("延长工作日数"), null=True, blank=True
    )
    extension_approver = models.CharField(_("延期批准人"), max_length=50, blank=True)
    extension_reason = models.TextField(_("延期理由"), blank=True)
    extension_approved_on = models.DateField(_("延期批准日期"), null=True, blank=True)
    extension_notified_on = models.DateField(
        _("告知申请人延期日期"), null=True, blank=True
    )

    # The clock, stored with the rule that produced it (SPEC §12, onrequest.clock).
    due_date = models.DateField(_("答复期限"), null=True, blank=True, db_index=True)
    due_rule = models.CharField(_("答复期限依据"), max_length=300, blank=True)
    due_provisional = models.BooleanField(_("期限为暂定"), default=False)
    calendar_version = models.CharField(_("工作日历版本"), max_length=40, blank=True)

    # The reply (答复, 第三十五至三十九条).
    outcome = models.CharField(
        _("办理结果"), max_length=40, choices=OUTCOME_CHOICES, blank=True
    )
    reply_text = models.TextField(_("答复内容"), blank=True)
    other_agency = models.CharField(
        _("负责公开该信息的机关"), max_length=100, blank=True
    )
    replied_on = models.DateField(_("答复日期"), null=True, blank=True)
    letter_number = models.CharField(_("答复书文号"), max_length=60, blank=True)
    delivered_on = models.DateField(_("送达日期"), null=True, blank=True)
    archive_due = models.DateField(_("归档期限"), null=True, blank=True)
    archive_rule = models.CharField(_("归档期限依据"), max_length=200, blank=True)
    archived_on = models.DateField(_("归档日期"), null=True, blank=True)

    # Escalation (提请上级协调): the regions above may then read the application.
    escalated_at = models.DateTimeField(_("提请上级协调时间"), null=True, blank=True)
    escalation_reason = models.TextField(_("提请上级协调的理由"), blank=True)

    created_by = models.ForeignKey(
        User,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("政府信息公开申请")
        verbose_name_plural = _("政府信息公开申请")
        ordering = ["-submitted_at", "-pk"]
        permissions = [("handle_application", _("办理政府信息公开申请"))]
        indexes = [
            models.Index(fields=["region", "status"], name="application_region_status"),
            models.Index(fields=["received_on"], name="application_received"),
            models.Index(fields=["replied_on"], name="application_replied"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(extension_days__isnull=True)
                | Q(extension_days__gte=1, extension_days__lte=20),
                name="application_extension_at_most_20",
                violation_error_message=_("延长答复期限最长不得超过20个工作日。"),
            ),
            models.CheckConstraint(
                condition=Q(outcome="") | Q(replied_on__isnull=False),
                name="application_outcome_has_reply_date",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_open(self) -> bool:
        """Still to be answered (the clock runs or is paused)."""
        return self.status in (
            self.Status.REGISTERED,
            self.Status.REVIEWING,
            self.Status.PROCESSING,
        )

    @property
    def correction_pending(self) -> bool:
        return bool(self.correction_requested_on and not self.corrected_on)

    @property
    def applicant_is_person(self) -> bool:
        return self.applicant_kind == "natural_person"


class Consultation(models.Model):
    """A consultation of a third party or another agency (征求意见, 第三十二、三十四条).

    The time it takes, at most 15 working days, is not counted in the reply period.
    """

    class Kind(models.TextChoices):
        THIRD_PARTY = "third_party", _("征求第三方意见（第三十二条）")
        AGENCY = "agency", _("征求其他机关意见（第三十四条）")

    application = models.ForeignKey(
        Application,
        verbose_name=_("申请"),
        on_delete=models.CASCADE,
        related_name="consultations",
    )
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    party = models.CharField(_("征求意见对象"), max_length=100)
    sent_on = models.DateField(_("发出征求意见日期"))
    answer_due = models.DateField(_("答复截止日期"))
    answered_on = models.DateField(_("收到意见日期"), null=True, blank=True)
    answer_note = models.TextField(_("意见摘要"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("征求意见")
        verbose_name_plural = _("征求意见")
        ordering = ["sent_on", "pk"]

    def __str__(self) -> str:
        return f"{self.application_id} {self.party}"


def application_file_path(instance: ApplicationFile, filename: str) -> str:
    # Never the original name (it may hold a name or an ID number).
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"onrequest/{instance.application.region_id}/{instance.application.code}/{instance.kind}-{instance.token}.{ext}"


class ApplicationFile(models.Model):
    """A private file of an application: from the applicant (an ID scan, a power of
    attorney), the reply letter, or what was provided. Stored in
    ``STORAGES["private"]`` (outside MEDIA_ROOT, no URL); served only by the
    permission-checked staff view (`views.manage.ApplicationFileView`)."""

    class Kind(models.TextChoices):
        APPLICANT = "applicant", _("申请人提交的材料")
        LETTER = "letter", _("答复书")
        NOTICE = "notice", _("告知书（补正、延期）")
        PROVIDED = "provided", _("提供的政府信息")

    application = models.ForeignKey(
        Application,
        verbose_name=_("申请"),
        on_delete=models.CASCADE,
        related_name="files",
    )
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    token = models.CharField(max_length=32)
    file = models.FileField(
        _("文件"), upload_to=application_file_path, storage=private_storage
    )
    original_name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小（字节）"), default=0)
    content_type = models.CharField(_("类型"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


def letter_template_path(instance: LetterTemplate, filename: str) -> str:
    return f"onrequest/letter_templates/{instance.group}-{instance.token}.docx"


class LetterTemplate(models.Model):
    """A province admin's own Word template for the reply letters of one outcome
    group, replacing the shipped one (`onrequest.letters`)."""

    group = models.CharField(_("答复类型"), max_length=20, unique=True)
    token = models.CharField(max_length=32)
    file = models.FileField(_("模板文件"), upload_to=letter_template_path)
    updated_by = models.ForeignKey(
        User,
        verbose_name=_("上传人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("上传时间"), auto_now=True)

    class Meta:
        verbose_name = _("答复书模板")
        verbose_name_plural = _("答复书模板")
        ordering = ["group"]

    def __str__(self) -> str:
        return self.group
