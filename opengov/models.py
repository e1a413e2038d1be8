"""The 政府信息公开专栏 conventions (SPEC §13): each county's and township's
政府信息公开指南 and its annual reports (政府信息公开工作年度报告).

Writes go through `opengov.services`; reads through `opengov.selectors`.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from catalogs.models import Region
from disclosures.models import DisclosureRecord


class Guide(models.Model):
    """The 政府信息公开指南 of a county or township, edited by its own staff.

    Empty text fields fall back to the standard wording of the 条例 on the
    public page (`opengov.selectors.guide_page`); the contact fields are the
    region's own.
    """

    region = models.OneToOneField(
        Region,
        verbose_name=_("区划"),
        on_delete=models.PROTECT,
        related_name="opengov_guide",
    )
    office = models.CharField(_("受理机构"), max_length=100)
    address = models.CharField(_("办公地址"), max_length=200)
    postcode = models.CharField(_("邮政编码"), max_length=6, blank=True)
    hours = models.CharField(_("办公时间"), max_length=200)
    phone = models.CharField(_("咨询电话"), max_length=40)
    fax = models.CharField(_("传真"), max_length=40, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    proactive = models.TextField(_("主动公开（范围、方式、时限）"), blank=True)
    how_to_apply = models.TextField(_("依申请公开（申请方式和办理程序）"), blank=True)
    remedies = models.TextField(_("监督和救济"), blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("更新人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("政府信息公开指南")
        verbose_name_plural = _("政府信息公开指南")

    def __str__(self) -> str:
        return str(_("%(region)s政府信息公开指南") % {"region": self.region.name})

    def get_absolute_url(self) -> str:
        return reverse("opengov:guide", kwargs={"code": self.region_id})


class AnnualReport(models.Model):
    """One region's 政府信息公开工作年度报告 for one year.

    The counted figures (records published, table 三) are never stored here:
    they are counted from the portal's data whenever the report is shown or
    exported, so they cannot drift from the lists they count. Until publication;
    the published report's docx is the attachment of its record and does not
    change any more. ``figures`` holds what staff enter (tables 二 and 四), by
    cell key (`opengov.layout`); a missing key is 待填写.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")

    region = models.ForeignKey(
        Region,
        verbose_name=_("区划"),
        on_delete=models.PROTECT,
        related_name="annual_reports",
    )
    year = models.PositiveSmallIntegerField(
        _("年度"), validators=[MinValueValidator(2008), MaxValueValidator(2100)]
    )
    include_subregions = models.BooleanField(
        _("汇总下辖乡镇（街道）的数据"),
        default=False,
        help_text=_("县级报告可以把下辖乡镇（街道）的公开信息和申请一并统计。"),
    )
    overview = models.TextField(_("一、总体情况"), blank=True)
    problems = models.TextField(_("五、存在的主要问题及改进情况"), blank=True)
    other_matters = models.TextField(_("六、其他需要报告的事项"), blank=True)
    figures = models.JSONField(_("填报数据"), default=dict, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    record = models.OneToOneField(
        DisclosureRecord,
        verbose_name=_("发布的公开信息"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="annual_report",
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("政府信息公开工作年度报告")
        verbose_name_plural = _("政府信息公开工作年度报告")
        ordering = ["region", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "year"],
                name="annualreport_one_per_region_year",
                violation_error_message=_(
                    "本区划该年度的年度报告已经存在，请在列表中打开它继续编辑。"
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(status="draft")
                | models.Q(record__isnull=False, published_at__isnull=False),
                name="annualreport_published_has_record",
            ),
        ]

    def __str__(self) -> str:
        return str(
            _("%(region)s%(year)s年政府信息公开工作年度报告")
            % {"region": self.region.name, "year": self.year}
        )

    def get_absolute_url(self) -> str:
        return reverse("opengov:report_edit", kwargs={"pk": self.pk})

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED
