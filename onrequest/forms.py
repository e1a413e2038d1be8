"""Input validation of the application forms (public and staff); writes are services'."""

from __future__ import annotations

import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .letters import TEMPLATE_LABELS
from .models import Application, Consultation
from .outcomes import OUTCOME_GROUPS, outcomes_in_group

_PHONE_RE = re.compile(r"^[0-9+\-\s()（）]{7,20}$")


def _required(message) -> dict:
    return {"required": message}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _date_field(
    label, *, required: bool = True, help_text: str = ""
) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=DateInput(),
        help_text=help_text,
        error_messages={
            "required": _("请填写%(label)s。") % {"label": label},
            "invalid": _("%(label)s格式不正确，请写成YYYY-MM-DD，例如2026-01-20。")
            % {"label": label},
        },
    )


class ApplicantForm(forms.Form):
    """The applicant and the information wanted (第二十九条)."""

    receiver = forms.ChoiceField(
        label=_("受理机关"),
        error_messages={
            "required": _("请选择受理机关。"),
            "invalid_choice": _("请从列表中选择受理机关。"),
        },
    )
    applicant_kind = forms.ChoiceField(
        label=_("申请人类型"),
        choices=Application._meta.get_field("applicant_kind").choices,
        widget=forms.RadioSelect,
        initial="natural_person",
        error_messages=_required(_("请选择申请人类型：自然人或法人/其他组织的类别。")),
    )
    applicant_name = forms.CharField(
        label=_("申请人姓名或名称"),
        max_length=100,
        help_text=_("自然人填写姓名；法人或其他组织填写全称。"),
        error_messages=_required(_("请填写申请人姓名或名称。")),
    )
    contact_person = forms.CharField(
        label=_("联系人"),
        max_length=50,
        required=False,
        help_text=_("法人或其他组织申请时必填。"),
    )
    id_type = forms.ChoiceField(
        label=_("证件类型"),
        choices=Application.IdType.choices,
        error_messages=_required(_("请选择证件类型。")),
    )
    id_number = forms.CharField(
        label=_("证件号码"),
        max_length=40,
        help_text=_("居民身份证请填写18位号码；法人或其他组织填写统一社会信用代码。"),
        error_messages=_required(_("请填写证件号码。")),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    phone = forms.CharField(
        label=_("联系电话"),
        max_length=30,
        error_messages=_required(_("请填写联系电话，以便工作人员与您联系。")),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    email = forms.EmailField(
        label=_("电子邮箱"),
        required=False,
        error_messages={"invalid": _("电子邮箱格式不正确，例如 name@example.com。")},
    )
    address = forms.CharField(label=_("通信地址"), max_length=200, required=False)
    postcode = forms.CharField(label=_("邮政编码"), max_length=6, required=False)
    description = forms.CharField(
        label=_("所需政府信息的名称、文号或者便于查询的其他特征性描述"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=2000,
        error_messages=_required(_("请描述您需要的政府信息（名称、文号或其他特征）。")),
    )
    form = forms.ChoiceField(
        label=_("信息的提供形式"),
        choices=Application.Form.choices,
        widget=forms.RadioSelect,
        initial="paper",
        error_messages=_required(_("请选择信息的提供形式。")),
    )
    delivery = forms.ChoiceField(
        label=_("获取信息的方式"),
        choices=Application.Delivery.choices,
        widget=forms.RadioSelect,
        initial="post",
        error_messages=_required(_("请选择获取信息的方式。")),
    )
    attachment = forms.FileField(
        label=_("附件（可选）"),
        required=False,
        help_text=_(
            "如需提交证件复印件、授权委托书等，可上传一个PDF、Word、Excel文件或JPG、PNG图片，不超过768 KB；不接受启用宏的文件。"
        ),
    )

    def __init__(self, *args, receivers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["receiver"].choices = list(receivers)
        if len(self.fields["receiver"].choices) == 1:
            self.fields["receiver"].initial = self.fields["receiver"].choices[0][0]

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        if not _PHONE_RE.match(phone):
            raise forms.ValidationError(
                _(
                    "联系电话格式不正确：请填写手机号码或带区号的固定电话，例如0379-12345678。"
                )
            )
        return phone

    def clean_postcode(self):
        postcode = self.cleaned_data["postcode"].strip()
        if postcode and not re.fullmatch(r"\d{6}", postcode):
            raise forms.ValidationError(_("邮政编码应为6位数字。"))
        return postcode

    def clean_id_number(self):
        return re.sub(r"\s+", "", self.cleaned_data["id_number"]).upper()

    def clean(self):
        data = super().clean()
        kind = data.get("applicant_kind")
        if (
            kind
            and kind != "natural_person"
            and not (data.get("contact_person") or "").strip()
        ):
            self.add_error("contact_person", _("法人或其他组织申请时请填写联系人。"))
        if data.get("delivery") == Application.Delivery.EMAIL and not data.get("email"):
            self.add_error("email", _("选择以电子邮件获取信息时，请填写电子邮箱。"))
        if (
            data.get("delivery") == Application.Delivery.POST
            and not (data.get("address") or "").strip()
        ):
            self.add_error("address", _("选择邮寄获取信息时，请填写通信地址。"))
        return data

    def application_data(self) -> dict:
        keys = (
            "applicant_kind",
            "applicant_name",
            "contact_person",
            "id_type",
            "id_number",
            "phone",
            "email",
            "address",
            "postcode",
            "description",
            "form",
            "delivery",
        )
        return {k: (self.cleaned_data.get(k) or "") for k in keys}


class PublicApplicationForm(ApplicantForm):
    """The online form, with a honeypot field people never see or fill."""

    website = forms.CharField(
        label=_("请勿填写此项"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )


class StaffApplicationForm(ApplicantForm):
    """A paper or oral application entered by staff for the applicant."""

    channel = forms.ChoiceField(
        label=_("申请方式"),
        choices=[
            (Application.Channel.PAPER, Application.Channel.PAPER.label),
            (Application.Channel.ORAL, Application.Channel.ORAL.label),
        ],
        error_messages=_required(_("请选择申请方式。")),
    )
    received_on = _date_field(
        _("收到申请日期"),
        help_text=_("当面递交为递交之日；邮寄为签收之日（《条例》第三十一条）。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachment"].help_text = _(
            "申请书扫描件等，PDF、Word、Excel或JPG、PNG图片，不超过20 MB；不接受启用宏的文件。"
        )


# --------------------------------------------------------------------------- actions


def _today():
    return timezone.localdate()


class RegisterForm(forms.Form):
    received_on = _date_field(
        _("确认收到申请日期"),
        help_text=_(
            "网上申请以本机关确认收到之日为收到申请之日（《条例》第三十一条）。"
        ),
    )


class CorrectionForm(forms.Form):
    requested_on = _date_field(_("补正通知发出日期"))
    note = forms.CharField(
        label=_("需要补正的事项"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages=_required(_("请写明需要补正的事项。")),
    )
    days = forms.IntegerField(
        label=_("补正期限（工作日）"),
        min_value=1,
        max_value=60,
        initial=10,
        error_messages={
            "required": _("请填写补正期限。"),
            "min_value": _("补正期限应为1到60个工作日。"),
            "max_value": _("补正期限应为1到60个工作日。"),
            "invalid": _("补正期限应为整数个工作日。"),
        },
    )


class CorrectedForm(forms.Form):
    corrected_on = _date_field(_("收到补正申请日期"))


class ConsultForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("征求意见类型"),
        choices=Consultation.Kind.choices,
        error_messages=_required(_("请选择征求意见类型。")),
    )
    party = forms.CharField(
        label=_("征求意见对象"),
        max_length=100,
        error_messages=_required(_("请填写征求意见的对象。")),
    )
    sent_on = _date_field(_("发出征求意见日期"))


class ConsultAnswerForm(forms.Form):
    answered_on = _date_field(_("收到意见日期"))
    note = forms.CharField(
        label=_("意见摘要"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ExtendForm(forms.Form):
    days = forms.IntegerField(
        label=_("延长工作日数"),
        min_value=1,
        max_value=20,
        initial=20,
        error_messages={
            "required": _("请填写延长的工作日数。"),
            "min_value": _("延长的期限应为1到20个工作日。"),
            "max_value": _(
                "延长的期限最长不得超过20个工作日（《条例》第三十三条第二款）。"
            ),
            "invalid": _("延长的期限应为整数个工作日。"),
        },
    )
    approver = forms.CharField(
        label=_("批准人"),
        max_length=50,
        help_text=_("政府信息公开工作机构负责人的姓名。"),
        error_messages=_required(_("请填写批准延期的负责人姓名。")),
    )
    reason = forms.CharField(
        label=_("延期理由"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages=_required(_("请写明延期理由。")),
    )
    approved_on = _date_field(_("批准日期"))
    notified_on = _date_field(_("告知申请人日期"))


def outcome_choices():
    return [("", _("请选择"))] + [
        (group.label, [(o.key, o.label) for o in outcomes_in_group(group.key)])
        for group in OUTCOME_GROUPS
    ]


class ReplyForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("办理结果（答复类型）"),
        choices=outcome_choices,
        error_messages={
            "required": _("请选择办理结果。"),
            "invalid_choice": _("请从列表中选择办理结果。"),
        },
    )
    reply_text = forms.CharField(
        label=_("答复内容"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "提供了哪些信息、获取方式，或不予公开、无法提供的理由；将写入答复书。"
        ),
        error_messages=_required(_("请填写答复内容（提供了什么、理由或获取方式）。")),
    )
    other_agency = forms.CharField(
        label=_("负责公开该信息的机关（如有）"), max_length=100, required=False
    )
    replied_on = _date_field(_("答复日期"))
    delivered_on = _date_field(
        _("送达日期"),
        required=False,
        help_text=_("不填时按答复日期计；归档期限自送达之日起计算。"),
    )
    provided = forms.FileField(
        label=_("提供的政府信息（可选）"),
        required=False,
        help_text=_("PDF、Word、Excel或图片，不超过20 MB；不接受启用宏的文件。"),
    )


class EscalateForm(forms.Form):
    reason = forms.CharField(
        label=_("提请上级协调的理由"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("提请后，市级和省级工作人员可以查看本申请（含申请人信息）。"),
        error_messages=_required(_("请写明提请上级协调的理由。")),
    )


class ArchiveForm(forms.Form):
    archived_on = _date_field(_("归档日期"))


class StatusLookupForm(forms.Form):
    code = forms.CharField(
        label=_("申请编号"),
        max_length=24,
        error_messages=_required(_("请填写提交申请后得到的申请编号。")),
    )
    check_value = forms.CharField(
        label=_("查询码"),
        max_length=16,
        error_messages=_required(_("请填写提交申请后得到的查询码。")),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class LetterTemplateForm(forms.Form):
    group = forms.ChoiceField(
        label=_("答复类型"),
        choices=lambda: list(TEMPLATE_LABELS.items()),
        error_messages={
            "required": _("请选择答复类型。"),
            "invalid_choice": _("请从列表中选择答复类型。"),
        },
    )
    file = forms.FileField(
        label=_("Word模板（.docx）"),
        help_text=_(
            "先下载当前模板，在Word中修改文字后上传；{{ }}和{% %}中的内容是自动填充的占位符，请保持原样。"
        ),
        error_messages={"required": _("请选择要上传的Word模板文件。")},
    )
