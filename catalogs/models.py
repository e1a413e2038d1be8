"""Regions, domains, catalogs and their items: the data every other part stands on.

A catalog (标准目录) is versioned: each version is one `Catalog` row. A published
version is immutable; the next edit starts a new draft version. Items keep a
stable `key` across versions and clones, and point at the exact upstream item
they were cloned from (`upstream_item`), which is the base of three-way merges.
"""

from __future__ import annotations

import uuid

from simple_history.models import HistoricalRecords

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from . import choices
from .querysets import CatalogItemQuerySet, CatalogQuerySet, RegionQuerySet


class Region(models.Model):
    """Administrative division (行政区划), keyed by its statistical code.

    Codes are hierarchical prefixes (41 → 4103 → 410311 → 410311012), so the
    ancestors of a region are known from its code alone and its descendants are
    the codes that start with it: both are one query.
    """

    class Level(models.TextChoices):
        PROVINCE = "province", _("省")
        CITY = "city", _("市")
        COUNTY = "county", _("县（市、区）")
        TOWNSHIP = "township", _("乡镇（街道）")
        VILLAGE = "village", _("村（社区）")

    # Length of the code at each level (NBS codes with trailing zeros cut off).
    CODE_LENGTHS = {
        Level.PROVINCE: 2,
        Level.CITY: 4,
        Level.COUNTY: 6,
        Level.TOWNSHIP: 9,
        Level.VILLAGE: 12,
    }

    code = models.CharField(_("区划代码"), max_length=12, primary_key=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级区划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    official = models.BooleanField(
        _("正式行政区划"),
        default=True,
        help_text=_("开发区、类似乡级单位等统计用单位为否：展示但不产生公开义务。"),
    )

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]
        # Django adds a varchar_pattern_ops index for the CharField primary key on
        # PostgreSQL, so the LIKE 'code%' descendant scans are indexed.
        indexes = [
            models.Index(fields=["parent", "code"], name="region_parent_code_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("disclosures:region_detail", kwargs={"code": self.code})

    @property
    def ancestor_codes(self) -> list[str]:
        """Codes of the ancestors, province first, without this region."""
        lengths = [n for n in self.CODE_LENGTHS.values() if n < len(self.code)]
        return [self.code[:n] for n in lengths]

    def is_within(self, other: Region | str) -> bool:
        """True if this region is `other` or lies below it."""
        other_code = other if isinstance(other, str) else other.code
        return self.code.startswith(other_code)


class Domain(models.Model):
    """Disclosure domain (领域): 社会救助, 养老服务, and more to come (26 in 豫政办〔2020〕5号)."""

    name = models.CharField(_("名称"), max_length=50, unique=True)
    slug = models.SlugField(_("网址标识"), max_length=50, unique=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    allowed_levels = models.JSONField(
        _("允许的公开层级"),
        default=list,
        help_text=_("例如养老服务领域不设村级。"),
    )

    class Meta:
        verbose_name = _("领域")
        verbose_name_plural = _("领域")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def village_level(self) -> bool:
        return choices.Level.VILLAGE in self.allowed_levels


class Category(models.Model):
    """First-level matter (一级事项) of a domain, in the template's order."""

    domain = models.ForeignKey(
        Domain,
        verbose_name=_("领域"),
        on_delete=models.CASCADE,
        related_name="categories",
    )
    name = models.CharField(_("一级事项"), max_length=100)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("一级事项")
        verbose_name_plural = _("一级事项")
        ordering = ["domain__order", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["domain", "name"], name="category_unique_name"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.domain.name} · {self.name}"


class LegalDocument(models.Model):
    """A legal basis (公开依据) in the shared library: one document, cited by many items.

    Keeping one row per document means a superseded document can be found and
    replaced everywhere it is cited. Clerks propose, province admins add: a
    document first typed into an item by a clerk or reviewer is `PROPOSED` (the
    item cites it at once) until a province admin accepts it into the library.
    """

    class Kind(models.TextChoices):
        DOCUMENT = "document", _("规范性文件（须有文号）")
        LAW = "law", _("法律法规（按全称引用）")
        STANDARD = "standard", _("标准（标准编号）")
        GENERIC = "generic", _("泛指（各地相关文件等）")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("待收录（工作人员提议）")
        ACCEPTED = "accepted", _("已收录")

    title = models.CharField(_("全称"), max_length=300)
    number = models.CharField(_("文号"), max_length=100, blank=True)
    kind = models.CharField(
        _("类型"), max_length=10, choices=Kind.choices, default=Kind.DOCUMENT
    )
    superseded_by = models.ForeignKey(
        "self",
        verbose_name=_("已被替代为"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supersedes",
    )
    note = models.TextField(_("备注"), blank=True)
    status = models.CharField(
        _("收录状态"), max_length=10, choices=Status.choices, default=Status.ACCEPTED
    )
    proposed_by = models.ForeignKey(
        "User",
        verbose_name=_("提议人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("法律依据")
        verbose_name_plural = _("法律依据库")
        ordering = ["title", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["title", "number"], name="legaldocument_unique"
            ),
            models.CheckConstraint(
                condition=~Q(kind="document") | ~Q(number=""),
                name="legaldocument_document_has_number",
                violation_error_message=_("规范性文件必须填写文号。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.number}）" if self.number else self.title

    @property
    def citation(self) -> str:
        """The form the official tables print: 《全称》（文号）."""
        return str(self)


class User(AbstractUser):
    """A portal account. Staff accounts belong to exactly one region with one role."""

    class Role(models.TextChoices):
        PROVINCE_ADMIN = "province_admin", _("省级管理员")
        CITY_REVIEWER = "city_reviewer", _("市级审核员")
        COUNTY_CLERK = "county_clerk", _("县级工作人员")
        TOWNSHIP_CLERK = "township_clerk", _("乡镇（街道）工作人员")

    region = models.ForeignKey(
        Region,
        verbose_name=_("所属区划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, blank=True)

    class Meta(AbstractUser.Meta):
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.CheckConstraint(
                condition=(Q(role="") & Q(region__isnull=True))
                | (~Q(role="") & Q(region__isnull=False)),
                name="user_role_has_region",
                violation_error_message=_("工作人员必须同时设置角色和所属区划。"),
            ),
        ]

    @property
    def is_region_staff(self) -> bool:
        return bool(self.role and self.region_id)


class Catalog(models.Model):
    """One version of a region's standard catalog (标准目录) for one domain."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已提交审核")
        RETURNED = "returned", _("已退回修改")
        APPROVED = "approved", _("已审核通过")
        PUBLISHED = "published", _("已发布")

    OPEN_STATUSES = (Status.DRAFT, Status.SUBMITTED, Status.RETURNED, Status.APPROVED)
    EDITABLE_STATUSES = (Status.DRAFT, Status.RETURNED)

    region = models.ForeignKey(
        Region,
        verbose_name=_("区划"),
        on_delete=models.PROTECT,
        related_name="catalogs",
    )
    domain = models.ForeignKey(
        Domain,
        verbose_name=_("领域"),
        on_delete=models.PROTECT,
        related_name="catalogs",
    )
    version = models.PositiveIntegerField(_("版本"), default=1)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    title = models.CharField(_("标题"), max_length=200)
    upstream = models.ForeignKey(
        "self",
        verbose_name=_("上游目录版本"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="downstream",
        help_text=_("本目录据以复制和本地化的上级目录版本。"),
    )
    previous = models.ForeignKey(
        "self",
        verbose_name=_("上一版本"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="next_versions",
    )
    source_note = models.TextField(_("来源说明"), blank=True)
    document_number = models.CharField(_("印发文号"), max_length=100, blank=True)
    review_comment = models.TextField(_("审核意见"), blank=True)
    created_by = models.ForeignKey(
        User,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        User,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    lock_version = models.PositiveIntegerField(_("修改序号"), default=0)

    history = HistoricalRecords(excluded_fields=["lock_version"])
    objects = CatalogQuerySet.as_manager()

    class Meta:
        verbose_name = _("标准目录")
        verbose_name_plural = _("标准目录")
        ordering = ["region_id", "domain__order", "-version"]
        permissions = [
            ("review_catalog", _("可以审核下级标准目录")),
            ("publish_catalog", _("可以发布标准目录")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "domain", "version"], name="catalog_unique_version"
            ),
            models.UniqueConstraint(
                fields=["region", "domain"],
                condition=Q(status__in=["draft", "submitted", "returned", "approved"]),
                name="catalog_one_open_version",
                violation_error_message=_(
                    "该区划该领域已有一个未发布的版本，请继续编辑它。"
                ),
            ),
        ]
        indexes = [
            models.Index(
                fields=["region", "domain", "status"], name="catalog_region_status_idx"
            ),
            models.Index(
                fields=["status", "published_at"], name="catalog_status_pub_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title}（第{self.version}版，{self.get_status_display()}）"

    def get_absolute_url(self) -> str:
        return reverse(
            "disclosures:catalog_detail",
            kwargs={"code": self.region_id, "domain_slug": self.domain.slug},
        )

    @property
    def is_template(self) -> bool:
        """Province catalogs are the templates every other catalog descends from."""
        return self.upstream_id is None

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE_STATUSES

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class CatalogItem(models.Model):
    """A disclosure item (公开事项) with its nine elements.

    Multi-valued controlled elements are stored as lists of the official terms
    (see `catalogs.choices`); they are validated in `clean()`. Legal bases are
    links to the shared `LegalDocument` library, in order.
    """

    catalog = models.ForeignKey(
        Catalog,
        verbose_name=_("标准目录"),
        on_delete=models.CASCADE,
        related_name="items",
    )
    key = models.UUIDField(
        _("事项标识"),
        default=uuid.uuid4,
        help_text=_("跨版本、跨复制保持不变的事项标识。"),
    )
    upstream_item = models.ForeignKey(
        "self",
        verbose_name=_("上游事项"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="downstream_items",
        help_text=_("复制来源的上游目录中的事项（三方合并的基准）。"),
    )
    # 1. 公开事项
    category = models.ForeignKey(
        Category,
        verbose_name=_("一级事项"),
        on_delete=models.PROTECT,
        related_name="items",
    )
    name = models.CharField(_("二级事项"), max_length=200)
    seq = models.PositiveIntegerField(_("序号"), default=0)
    # 2. 公开内容（要素）
    content = models.JSONField(_("公开内容（要素）"), default=list, blank=True)
    # 3. 公开依据
    bases = models.ManyToManyField(
        LegalDocument,
        verbose_name=_("公开依据"),
        through="ItemBasis",
        related_name="items",
    )
    # 4. 公开时限: display text plus the structured rule (see catalogs.deadlines)
    time_limit_text = models.CharField(_("公开时限"), max_length=200)
    deadline_kind = models.CharField(_("时限类型"), max_length=20, default="unparsed")
    deadline_trigger = models.CharField(_("起算事件"), max_length=100, blank=True)
    deadline_amount = models.PositiveIntegerField(_("时限数值"), null=True, blank=True)
    deadline_period = models.CharField(_("周期"), max_length=10, blank=True)
    publicity_amount = models.PositiveIntegerField(
        _("公示期数值"), null=True, blank=True
    )
    publicity_unit = models.CharField(_("公示期单位"), max_length=20, blank=True)
    # 5.–9. controlled elements
    subjects = models.JSONField(_("公开主体"), default=list, blank=True)
    channels = models.JSONField(_("公开渠道和载体"), default=list, blank=True)
    channel_other = models.CharField(_("其他渠道说明"), max_length=200, blank=True)
    audience = models.JSONField(_("公开对象"), default=list, blank=True)
    mode = models.JSONField(_("公开方式"), default=list, blank=True)
    levels = models.JSONField(_("公开层级"), default=list, blank=True)
    # Localization state
    omitted = models.BooleanField(_("本地不公开"), default=False)
    omitted_reason = models.CharField(_("不公开理由"), max_length=300, blank=True)
    # Provenance: how the item was derived and what a reviewer must still check.
    source_note = models.TextField(_("来源说明"), blank=True)
    uncertain = models.JSONField(_("待核实事项"), default=list, blank=True)
    lock_version = models.PositiveIntegerField(_("修改序号"), default=0)

    history = HistoricalRecords(excluded_fields=["lock_version"])
    objects = CatalogItemQuerySet.as_manager()

    # The columns that hold the nine elements (legal bases live in ItemBasis):
    # what a clone or a new version copies and what a diff compares.
    ELEMENT_FIELDS = (
        "category_id",
        "name",
        "seq",
        "content",
        "time_limit_text",
        "deadline_kind",
        "deadline_trigger",
        "deadline_amount",
        "deadline_period",
        "publicity_amount",
        "publicity_unit",
        "subjects",
        "channels",
        "channel_other",
        "audience",
        "mode",
        "levels",
    )

    class Meta:
        verbose_name = _("公开事项")
        verbose_name_plural = _("公开事项")
        ordering = ["catalog", "category__order", "seq", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["catalog", "key"], name="catalogitem_unique_key"
            ),
            models.CheckConstraint(
                condition=Q(omitted=False) | ~Q(omitted_reason=""),
                name="catalogitem_omitted_has_reason",
                violation_error_message=_(
                    "不公开的事项必须说明理由（例如：本地未开展该业务）。"
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["key"], name="catalogitem_key_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_local(self) -> bool:
        """Added by this region rather than inherited from upstream."""
        return self.upstream_item_id is None and self.catalog.upstream_id is not None

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        vocab = {
            "subjects": choices.SUBJECT_VALUES,
            "channels": choices.CHANNEL_VALUES,
            "audience": choices.AUDIENCE_VALUES,
            "mode": choices.MODE_VALUES,
            "levels": choices.LEVEL_VALUES,
        }
        for field, allowed in vocab.items():
            values = getattr(self, field) or []
            unknown = [v for v in values if v not in allowed]
            if unknown:
                errors.setdefault(field, []).append(
                    _("无法识别的取值：%(values)s。请从列表中选择。")
                    % {"values": "、".join(map(str, unknown))}
                )
            if len(set(values)) != len(values):
                errors.setdefault(field, []).append(_("取值重复，请去掉重复项。"))
        if not isinstance(self.content, list) or not all(
            isinstance(c, str) and c.strip() for c in self.content
        ):
            errors.setdefault("content", []).append(
                _("公开内容的每一项都必须是非空文字。")
            )
        if (
            choices.Channel.OTHER in (self.channels or [])
            and not self.channel_other.strip()
        ):
            errors.setdefault("channel_other", []).append(
                _("勾选了“其他”渠道，请填写具体渠道。")
            )
        if errors:
            raise ValidationError(errors)


class ItemBasis(models.Model):
    """Ordered link between an item and a legal document it cites."""

    item = models.ForeignKey(
        CatalogItem, on_delete=models.CASCADE, related_name="basis_links"
    )
    document = models.ForeignKey(
        LegalDocument, on_delete=models.PROTECT, related_name="citations"
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("公开依据引用")
        verbose_name_plural = _("公开依据引用")
        ordering = ["item", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "document"], name="itembasis_unique"
            ),
        ]

    def __str__(self) -> str:
        return str(self.document)


class AuditLogEntry(models.Model):
    """Who did what, when (审计日志). Written by services in the same transaction."""

    action = models.CharField(_("操作"), max_length=80, db_index=True)
    actor = models.ForeignKey(
        User,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("区划"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    object_type = models.CharField(_("对象类型"), max_length=50, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=50, blank=True)
    data = models.JSONField(_("详情"), default=dict, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"


class CalendarYear(models.Model):
    """A year of the official working-day calendar and where its data came from.

    A year without a row (or with `official=False`) is counted with the
    weekends-only fallback, and every date computed in it is shown as provisional.
    """

    year = models.PositiveSmallIntegerField(_("年份"), primary_key=True)
    official = models.BooleanField(_("已按国务院办公厅通知录入"), default=True)
    source = models.CharField(_("数据来源"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("日历年度")
        verbose_name_plural = _("工作日历年度")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(models.Model):
    """An exception to the Monday–Friday week: a holiday or a make-up working day (调休)."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("法定节假日（休息）")
        WORKDAY = "workday", _("调休上班日")

    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=50, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("节假日与调休")
        verbose_name_plural = _("节假日与调休")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()} {self.name}"


class ReviewComment(models.Model):
    """A reviewer's comment on a submitted catalog version, optionally on one item (审核意见)."""

    catalog = models.ForeignKey(
        Catalog,
        verbose_name=_("标准目录"),
        on_delete=models.CASCADE,
        related_name="comments",
    )
    item_key = models.UUIDField(_("事项标识"), null=True, blank=True)
    author = models.ForeignKey(
        User,
        verbose_name=_("审核人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    body = models.TextField(_("意见"))
    resolved = models.BooleanField(_("已处理"), default=False)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    # The life of a comment: the county answers it and marks it handled (已处理);
    # the reviewer closes it (已关闭) once satisfied. Open = not closed.
    answer = models.TextField(_("经办人答复"), blank=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    answered_by = models.ForeignKey(
        User,
        verbose_name=_("答复人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        User,
        verbose_name=_("关闭人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("审核意见")
        verbose_name_plural = _("审核意见")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.body[:40]

    @property
    def is_open(self) -> bool:
        """Open until the reviewer closes it (answered or handled still counts)."""
        return self.closed_at is None

    @property
    def state_label(self) -> str:
        """待答复 → 已答复 → 已处理 → 已关闭, the furthest step reached."""
        if self.closed_at is not None:
            return _("已关闭")
        if self.resolved:
            return _("已处理，待审核人员关闭")
        if self.answer:
            return _("已答复")
        return _("待经办人答复或处理")


class ItemDraft(models.Model):
    """An item form as a clerk left it with 保存草稿 (issue 21), unchecked.

    The typed form fields are kept verbatim (``data``: field name → list of
    values, as posted), valid or not, in this separate row; no item is touched,
    so nothing of a draft can reach a submission, review, the public catalog or
    an export. Reopening the form shows the draft; 保存 validates it like any
    input and then removes it. An edit-form draft has its ``item`` (one per
    item: the latest wins); a new-item draft has none, only its ``catalog``
    (any number per catalog).
    """

    catalog = models.ForeignKey(
        Catalog,
        verbose_name=_("目录"),
        on_delete=models.CASCADE,
        related_name="item_drafts",
    )
    item = models.OneToOneField(
        CatalogItem,
        verbose_name=_("事项"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="form_draft",
    )
    data = models.JSONField(_("填写内容"), default=dict)
    base_lock_version = models.PositiveIntegerField(_("草稿所依据的事项版本"))
    saved_by = models.ForeignKey(
        User,
        verbose_name=_("保存人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    saved_at = models.DateTimeField(_("保存时间"))

    class Meta:
        verbose_name = _("事项草稿")
        verbose_name_plural = _("事项草稿")

    def __str__(self) -> str:
        if self.item_id is None:
            return self.typed_name
        return str(self.item)

    @property
    def typed_name(self) -> str:
        """The name as typed in the draft (may be empty)."""
        return ((self.data or {}).get("name") or [""])[0].strip()
