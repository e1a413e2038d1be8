"""Disclosure records (公开信息), obligations and de-identified name lists.

A record is published by a region against an item of that region's published
catalog. Its due date is computed once, at registration, from the item's rule
and the official calendar, and stored with the calendar version it came from.
"""

from __future__ import annotations

from datetime import date

from simple_history.models import HistoricalRecords

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.lookups import StartsWith
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from catalogs.models import CatalogItem, Domain, Region

from .querysets import (
    DEFAULT_DISPLAY_DAYS,
    AttachmentQuerySet,
    DisclosureRecordQuerySet,
    NameListQuerySet,
    ObligationQuerySet,
    legacy_display_cutoff,
)


class Obligation(models.Model):
    """An expected publication: the portal knows what is missing, not only what is late.

    Periodic items create one per region per period; event items one per
    registered trigger event.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("待公开")
        ON_TIME = "on_time", _("按时公开")
        LATE = "late", _("逾期公开")

    region = models.ForeignKey(
        Region,
        verbose_name=_("区划"),
        on_delete=models.PROTECT,
        related_name="obligations",
    )
    item = models.ForeignKey(
        CatalogItem,
        verbose_name=_("公开事项"),
        on_delete=models.PROTECT,
        related_name="obligations",
    )
    item_key = models.UUIDField(_("事项标识"), db_index=True)
    domain = models.ForeignKey(
        Domain, verbose_name=_("领域"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("说明"), max_length=200, blank=True)
    trigger_date = models.DateField(_("信息形成（获取）日期"))
    period_start = models.DateField(_("周期开始"), null=True, blank=True)
    period_end = models.DateField(_("周期结束"), null=True, blank=True)
    due_date = models.DateField(_("公开截止日期"))
    due_provisional = models.BooleanField(
        _("截止日期为暂定"),
        default=False,
        help_text=_("所在年份尚无官方节假日安排，按周末推算，待录入后自动重算。"),
    )
    calendar_version = models.CharField(_("日历版本"), max_length=40, blank=True)
    rule_text = models.CharField(_("公开时限"), max_length=200)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    fulfilled_at = models.DateTimeField(_("公开时间"), null=True, blank=True)
    # 张榜 (village notice board) obligations only: the local day the notice was
    # public online *and* proof of posting was attached (the later of the two).
    # Set by `records.obligations.obligation_sync`; see `records.posting`.
    posted_on = models.DateField(_("张榜证明日期"), null=True, blank=True)
    reminded_states = models.JSONField(_("已提醒状态"), default=list, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = ObligationQuerySet.as_manager()

    class Meta:
        verbose_name = _("公开义务")
        verbose_name_plural = _("公开义务")
        ordering = ["due_date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "item_key", "period_start"],
                condition=Q(period_start__isnull=False),
                name="obligation_one_per_period",
            ),
        ]
        indexes = [
            models.Index(
                fields=["region", "status", "due_date"],
                name="obligation_region_status_idx",
            ),
            models.Index(
                fields=["status", "due_date"], name="obligation_status_due_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region.name} {self.title or self.item.name} {self.due_date:%Y-%m-%d}"


class DisclosureRecord(models.Model):
    """One publication against a catalog item (公开信息)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SCHEDULED = "scheduled", _("定时发布")
        PUBLISHED = "published", _("已发布")
        WITHDRAWN = "withdrawn", _("已撤回")

    region = models.ForeignKey(
        Region,
        verbose_name=_("发布区划"),
        on_delete=models.PROTECT,
        related_name="records",
    )
    item = models.ForeignKey(
        CatalogItem,
        verbose_name=_("公开事项"),
        on_delete=models.PROTECT,
        related_name="records",
    )
    item_key = models.UUIDField(_("事项标识"), db_index=True)
    domain = models.ForeignKey(
        Domain, verbose_name=_("领域"), on_delete=models.PROTECT, related_name="+"
    )
    obligation = models.ForeignKey(
        Obligation,
        verbose_name=_("对应公开义务"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="records",
    )
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("正文"), blank=True)
    # The village or community (村/社区) the record concerns, under its region.
    village = models.ForeignKey(
        Region,
        verbose_name=_("所涉村（社区）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="village_records",
        limit_choices_to={"level": "village"},
    )
    trigger_date = models.DateField(_("信息形成（获取）日期"))
    due_date = models.DateField(_("公开截止日期"), null=True, blank=True)
    due_provisional = models.BooleanField(_("截止日期为暂定"), default=False)
    calendar_version = models.CharField(_("日历版本"), max_length=40, blank=True)
    rule_text = models.CharField(_("公开时限"), max_length=200, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    publish_at = models.DateTimeField(
        _("发布时间"), null=True, blank=True, db_index=True
    )
    publicity_end = models.DateField(_("公示截止日期"), null=True, blank=True)
    withdrawn_reason = models.CharField(_("撤回理由"), max_length=300, blank=True)
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    # Metadata of a government disclosure column (SPEC §13). The index number
    # (索引号) is given once, when the record first becomes public or scheduled,
    # and never changes afterwards: ``<region code>/<year>-<5-digit sequence>``,
    # unique per issuing body (the publishing region) and publication year.
    index_number = models.CharField(
        _("索引号"), max_length=40, null=True, blank=True, unique=True, editable=False
    )
    issuer = models.CharField(_("发布机构"), max_length=100, blank=True)
    written_date = models.DateField(_("成文日期"), null=True, blank=True)
    document_number = models.CharField(_("文号"), max_length=60, blank=True)
    topic = models.CharField(_("主题分类"), max_length=40, blank=True, db_index=True)
    # Set by the publication gate when title, body and attachment names passed
    # the identifier scan; cleared when they change. Public queries require it,
    # so nothing unscanned is ever public (SPEC §5 "One gate").
    privacy_checked_at = models.DateTimeField(
        _("隐私扫描通过时间"), null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords()
    objects = DisclosureRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("公开信息")
        verbose_name_plural = _("公开信息")
        ordering = ["-publish_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="withdrawn") | ~Q(withdrawn_reason=""),
                name="record_withdrawn_has_reason",
                violation_error_message=_("撤回公开信息必须填写撤回理由。"),
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "withdrawn"])
                | Q(publish_at__isnull=False),
                name="record_published_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "publish_at"], name="record_status_pub_idx"),
            models.Index(
                fields=["region", "status", "publish_at"], name="record_region_pub_idx"
            ),
            models.Index(
                fields=["item_key", "status", "publish_at"], name="record_item_pub_idx"
            ),
            # An item's records in a region's subtree (item_key = … AND region_id LIKE
            # 'code%'): the key is shared by every clone of the item, nationwide.
            models.Index(
                fields=["item_key", "region"],
                opclasses=["uuid_ops", "varchar_pattern_ops"],
                name="record_item_region_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("disclosures:record_detail", kwargs={"pk": self.pk})


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"attachments/{instance.record.region_id}/{instance.record_id}/{filename}"


class Attachment(models.Model):
    """A file published with a record; document metadata is stripped on upload.

    Its text was scanned on upload (``disclosures.records.attachments``): a file with an
    identifier is never stored. A file whose content cannot be read as text (a
    scan, a photo) waits for a second person of the record's region or a region
    above it, not the uploader, to confirm that it holds no personal data;
    only ``publishable()`` attachments are public.
    """

    class ScanStatus(models.TextChoices):
        CLEAN = "clean", _("已通过扫描")
        NEEDS_REVIEW = "needs_review", _("无法自动扫描，待他人确认")
        CONFIRMED = "confirmed", _("已人工确认")

    record = models.ForeignKey(
        DisclosureRecord,
        verbose_name=_("公开信息"),
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    file = models.FileField(_("文件"), upload_to=attachment_path)
    original_name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小（字节）"), default=0)
    content_type = models.CharField(_("类型"), max_length=100, blank=True)
    # Not publishable by default: only the upload scan sets CLEAN.
    scan_status = models.CharField(
        _("隐私扫描"),
        max_length=12,
        choices=ScanStatus.choices,
        default=ScanStatus.NEEDS_REVIEW,
    )
    scan_note = models.CharField(_("扫描说明"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(confirmed_by__isnull=True)
                | ~Q(confirmed_by=models.F("uploaded_by")),
                name="attachment_not_self_confirmed",
                violation_error_message=_(
                    "上传人不能确认自己上传的附件，请由另一位工作人员确认。"
                ),
            ),
            models.CheckConstraint(
                condition=~Q(scan_status="confirmed") | Q(confirmed_at__isnull=False),
                name="attachment_confirmed_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_publishable(self) -> bool:
        """Scanned clean or confirmed by a second person (see ``publishable()``)."""
        return self.scan_status in (self.ScanStatus.CLEAN, self.ScanStatus.CONFIRMED)


class NameList(models.Model):
    """A de-identified name list (名单公示) attached to a record.

    Only the masked table is stored for publication. It goes public only after a
    second person of the same or the parent region confirms it (保密审查).
    Life cycle (``disclosures.namelists``): processing → preview (the uploader
    checks what the public will see) → pending → confirmed or rejected;
    processing may end in failed, with nothing stored but the error.
    ``region`` repeats the record's region so that the database itself can
    refuse a confirmation from outside the region's line (CheckConstraint).
    """

    class Status(models.TextChoices):
        PROCESSING = "processing", _("处理中")
        PREVIEW = "preview", _("待提交审查")
        PENDING = "pending", _("待保密审查")
        CONFIRMED = "confirmed", _("已确认公开")
        REJECTED = "rejected", _("审查未通过")
        FAILED = "failed", _("处理失败")

    record = models.OneToOneField(
        DisclosureRecord,
        verbose_name=_("公开信息"),
        on_delete=models.CASCADE,
        related_name="name_list",
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.PROCESSING
    )
    source_filename = models.CharField(_("上传文件名"), max_length=200, blank=True)
    columns = models.JSONField(_("公开的列"), default=list)
    column_kinds = models.JSONField(_("列类型"), default=list)
    mask_names = models.BooleanField(_("姓名脱敏"), default=False)
    report = models.JSONField(_("处理报告"), default=dict, blank=True)
    row_count = models.PositiveIntegerField(_("行数"), default=0)
    rows_done = models.PositiveIntegerField(_("已处理行数"), default=0)
    publicity_end = models.DateField(_("公示期截止"), null=True, blank=True)
    standing = models.BooleanField(
        _("长期公示（当前在册人员名单）"),
        default=False,
        help_text=_("一直公开，直到同一事项、同一区划的新名单确认公开时被替换。"),
    )
    public_until = models.DateField(
        _("名单公开至"),
        null=True,
        blank=True,
        help_text=_(
            "名单内容对公众公开到这一天（含）；之后公众只能看到公开起止时间。"
            "确认公开时计算；长期公示的名单在被新名单替换前为空。"
        ),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审查人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("审查时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    region = models.ForeignKey(
        Region,
        verbose_name=_("发布区划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    confirmed_region = models.ForeignKey(
        Region,
        verbose_name=_("审查人所属区划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    village = models.ForeignKey(
        Region,
        verbose_name=_("所涉村（社区）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="village_name_lists",
        limit_choices_to={"level": "village"},
    )
    submitted_at = models.DateTimeField(_("提交审查时间"), null=True, blank=True)
    review_note = models.CharField(_("审查意见"), max_length=300, blank=True)
    progress_at = models.DateTimeField(_("处理进度更新时间"), null=True, blank=True)

    objects = NameListQuerySet.as_manager()

    class Meta:
        verbose_name = _("名单公示")
        verbose_name_plural = _("名单公示")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(confirmed_by__isnull=True)
                | ~Q(confirmed_by=models.F("uploaded_by")),
                name="namelist_not_self_confirmed",
                violation_error_message=_(
                    "上传人不能审查自己上传的名单，请由另一位工作人员确认。"
                ),
            ),
            # The confirmer belongs to the list's region or a region above it
            # (codes are prefixes), never to another county.
            models.CheckConstraint(
                condition=Q(confirmed_by__isnull=True)
                | Q(
                    StartsWith(models.F("region"), models.F("confirmed_region")),
                    region__isnull=False,
                    confirmed_region__isnull=False,
                ),
                name="namelist_confirmed_within_region",
                violation_error_message=_(
                    "只有本区划或上级区划的工作人员可以审查该名单。"
                ),
            ),
        ]

    def __str__(self) -> str:
        return _("%(title)s 名单") % {"title": self.record.title}

    @property
    def public_period_kind(self) -> str:
        """How long the rows are public: ``standing`` (until replaced), ``publicity``
        (through ``publicity_end``, 公示期) or ``display`` (the province's display period)."""
        if self.standing:
            return "standing"
        if self.publicity_end is not None:
            return "publicity"
        return "display"

    def is_public_on(self, today: date) -> bool:
        """Whether the public may see the rows on ``today`` (the list alone; not its record).

        The Python twin of `NameListQuerySet.public` for staff pages; public
        reads filter in SQL. A test holds the two to the same answers.
        """
        if self.status != self.Status.CONFIRMED:
            return False
        if self.public_until is not None:
            return today <= self.public_until
        if self.standing:
            return True
        if self.publicity_end is not None:
            return today <= self.publicity_end
        return (
            self.confirmed_at is not None
            and self.confirmed_at >= legacy_display_cutoff(today)
        )


class NameListRow(models.Model):
    """One masked row of a name list, as the public sees it."""

    name_list = models.ForeignKey(
        NameList, on_delete=models.CASCADE, related_name="rows"
    )
    number = models.PositiveIntegerField(_("序号"))
    cells = models.JSONField(_("单元格"), default=list)

    class Meta:
        verbose_name = _("名单行")
        verbose_name_plural = _("名单行")
        ordering = ["name_list", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["name_list", "number"], name="namelistrow_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name_list_id}#{self.number}"


class MaskingPolicySetting(models.Model):
    """The one province-wide masking policy (a singleton set by province admins).

    One policy for everyone, because two lists masked differently could be put
    side by side to reveal more digits than either shows.
    """

    publish_id_number = models.BooleanField(
        _("公开身份证号（仅首位和末两位）"),
        default=False,
        help_text=_("仅用于区分同名人员；默认不公开。"),
    )
    publish_phone = models.BooleanField(
        _("公开电话号码（中间四位遮盖）"), default=False
    )
    publish_category = models.BooleanField(
        _("公开“类别”列（如保障类别A类、B类）"),
        default=False,
        help_text=_(
            "默认不公开。《社会救助暂行办法》第六十一条只要求公开姓名、家庭人口、金额和所在村（社区）；"
            "备注、原因等自由填写的列一律不公开。"
        ),
    )
    publish_address = models.BooleanField(
        _("公开地址列（截取到村/社区）"),
        default=False,
        help_text=_("默认不公开：名单已有“村/社区”列时无需公开地址。"),
    )
    mask_names_default = models.BooleanField(
        _("姓名默认遮蔽名字（张*明）"),
        default=True,
        help_text=_(
            "上传名单时“姓名如何公开”的默认选项；上传人可按名单性质改为公开全名。"
        ),
    )
    display_days = models.PositiveIntegerField(
        _("无公示期名单的展示期（天）"),
        default=DEFAULT_DISPLAY_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(3 * 366)],
        help_text=_(
            "既无公示期、又不是长期公示的名单，自公开之日起展示这么多天，之后只显示公开起止时间。"
            "调整只影响此后确认的名单。"
        ),
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("全省名单脱敏规则")
        verbose_name_plural = _("全省名单脱敏规则")

    def __str__(self) -> str:
        return str(_("全省名单脱敏规则"))


class ProgressThreshold(models.Model):
    """Thresholds a province admin sets for the 先进 / 落后 flags of the progress review."""

    commend_on_time_rate = models.DecimalField(
        _("先进：按时公开率不低于（%）"), max_digits=5, decimal_places=2, default=95
    )
    criticize_on_time_rate = models.DecimalField(
        _("落后：按时公开率低于（%）"), max_digits=5, decimal_places=2, default=80
    )
    criticize_missed = models.PositiveIntegerField(
        _("落后：漏报周期性公开不少于（次）"), default=1
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("通报阈值")
        verbose_name_plural = _("通报阈值")

    def __str__(self) -> str:
        return str(_("通报阈值"))


def private_storage():
    """``STORAGES["private"]``: never behind a URL (proof photos are served by a staff view)."""
    from django.core.files.storage import storages

    return storages["private"]


def posting_proof_path(instance: PostingProof, filename: str) -> str:
    # Not under attachments/: proof photos are never served by a public URL.
    return f"posting-proofs/{instance.record.region_id}/{instance.record_id}/{filename}"


class PostingProof(models.Model):
    """A photo of a notice posted on a village notice board (张榜证明, SPEC §14).

    Stored re-encoded and resized, without EXIF or location, and shown only to
    staff of the record's region and the regions above it (`records.posting`).
    """

    record = models.ForeignKey(
        DisclosureRecord,
        verbose_name=_("公开信息"),
        on_delete=models.CASCADE,
        related_name="posting_proofs",
    )
    village = models.ForeignKey(
        Region,
        verbose_name=_("张榜的村（社区）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": "village"},
    )
    photo = models.FileField(
        _("照片"), upload_to=posting_proof_path, storage=private_storage
    )
    width = models.PositiveIntegerField(_("宽（像素）"), default=0)
    height = models.PositiveIntegerField(_("高（像素）"), default=0)
    size = models.PositiveIntegerField(_("大小（字节）"), default=0)
    posted_on = models.DateField(_("张榜日期"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"))

    class Meta:
        verbose_name = _("张榜证明")
        verbose_name_plural = _("张榜证明")
        ordering = ["uploaded_at", "pk"]
        indexes = [
            models.Index(fields=["record", "uploaded_at"], name="postingproof_rec_idx"),
        ]

    def __str__(self) -> str:
        return _("%(title)s 张榜证明") % {"title": self.record.title}
