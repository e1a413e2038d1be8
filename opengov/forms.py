"""Input validation of the guide and annual-report pages (the services check the rules)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from . import layout
from .models import Guide


class GuideForm(forms.ModelForm):
    class Meta:
        model = Guide
        fields = [
            "office",
            "address",
            "postcode",
            "hours",
            "phone",
            "fax",
            "email",
            "proactive",
            "how_to_apply",
            "remedies",
        ]
        widgets = {
            "proactive": forms.Textarea(attrs={"rows": 5}),
            "how_to_apply": forms.Textarea(attrs={"rows": 8}),
            "remedies": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "hours": _("例如：工作日上午8:30—12:00，下午14:30—17:30（法定节假日除外）"),
            "phone": _("请填写办公电话，例如 0379-12345678；不要填写个人手机号。"),
            "proactive": _("留空则公开页显示《条例》规定的标准表述。"),
            "how_to_apply": _("留空则公开页显示《条例》规定的标准表述。"),
            "remedies": _("留空则公开页显示《条例》规定的标准表述。"),
        }
        error_messages = {
            "office": {"required": _("请填写受理机构，例如“洛龙区民政局办公室”。")},
            "address": {"required": _("请填写办公地址，以便申请人当面提交申请。")},
            "hours": {"required": _("请填写办公时间。")},
            "phone": {"required": _("请填写咨询电话（办公电话）。")},
            "email": {"invalid": _("电子邮箱格式不正确，例如 mzj@example.gov.cn。")},
        }

    def clean_postcode(self):
        value = (self.cleaned_data.get("postcode") or "").strip()
        if value and (len(value) != 6 or not value.isdigit()):
            raise forms.ValidationError(_("邮政编码应为6位数字，例如 471000。"))
        return value


class ReportCreateForm(forms.Form):
    year = forms.IntegerField(
        label=_("年度"),
        min_value=2008,
        max_value=2100,
        error_messages={
            "required": _("请填写报告年度，例如 2025。"),
            "invalid": _("年度应为四位数字，例如 2025。"),
            "min_value": _("年度不能早于2008年（《条例》施行之年）。"),
            "max_value": _("年度不正确，请填写四位数字的年份，例如 2025。"),
        },
    )
    include_subregions = forms.BooleanField(
        label=_("汇总下辖乡镇（街道）的公开信息和申请数据"), required=False
    )


class ReportEditForm(forms.Form):
    """The text sections and every entered figure (as text: the service checks them,
    naming the cell)."""

    overview = forms.CharField(
        label=layout.SECTION_TITLES[layout.SECTION_OVERVIEW],
        required=False,
        widget=forms.Textarea(attrs={"rows": 12}),
    )
    problems = forms.CharField(
        label=layout.SECTION_TITLES[layout.SECTION_PROBLEMS],
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    other_matters = forms.CharField(
        label=layout.SECTION_TITLES[layout.SECTION_OTHER],
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("没有其他需要报告的事项时，请填写“无”。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key in layout.entered_keys():
            self.fields[key] = forms.CharField(
                label=layout.entered_label(key),
                required=False,
                max_length=20,
                widget=forms.TextInput(
                    attrs={"inputmode": "decimal", "size": 8, "class": "figure"}
                ),
            )

    def figures(self) -> dict[str, str]:
        return {key: self.cleaned_data.get(key, "") for key in layout.entered_keys()}

    def texts(self) -> dict[str, str]:
        return {key: self.cleaned_data.get(key, "") for key in layout.TEXT_SECTIONS}


class RecordMetadataForm(forms.Form):
    """发布机构, 成文日期, 文号 and 主题分类 of a record (the 索引号 is given, never typed)."""

    issuer = forms.CharField(
        label=_("发布机构"),
        required=False,
        max_length=100,
        help_text=_("留空则为本单位的默认名称，例如“洛龙区民政局”。"),
    )
    written_date = forms.DateField(
        label=_("成文日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("文件签发（成文）的日期；留空则为信息形成（获取）日期。"),
        error_messages={
            "invalid": _("成文日期格式不正确，请按 2025-01-31 的格式填写。")
        },
    )
    document_number = forms.CharField(
        label=_("文号"),
        required=False,
        max_length=60,
        help_text=_("没有文号的信息留空，例如“洛龙民〔2025〕3号”。"),
    )
    topic = forms.CharField(
        label=_("主题分类"),
        required=False,
        max_length=40,
        help_text=_("留空则为所属领域，例如“社会救助”；年度报告等为“政务公开”。"),
    )
