"""Input validation for the staff record pages (no writes here)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from catalogs.models import CatalogItem

from .records import attachments, services
from .records.attachments import ATTACHMENT_ACCEPT

DATETIME_LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; cleans to a list (empty when none was chosen)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": ATTACHMENT_ACCEPT})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


def item_label(item: CatalogItem) -> str:
    return _("%(category)s · %(name)s（%(limit)s）") % {
        "category": item.category.name,
        "name": item.name,
        "limit": item.time_limit_text or _("未规定时限"),
    }


def _attachments_field():
    return MultipleFileField(
        label=_("附件"),
        required=False,
        help_text=_(
            "可选多个PDF、Word（.docx）、Excel（.xlsx）、CSV文件或JPG、PNG图片，每个不超过%(max)s MB。"
            "上传时会自动清除作者、单位、批注和照片位置等信息，并检查其中是否有身份证号、手机号、银行卡号；"
            "扫描件和图片需另一位工作人员确认后才能公开。名单请通过名单公示上传。"
        )
        % {"max": attachments.attachment_max_bytes() // (1024 * 1024)},
    )


class PublishChoiceMixin(forms.Form):
    publish = forms.ChoiceField(
        label=_("发布方式"),
        choices=[
            (services.PUBLISH_NOW, _("立即发布")),
            (services.PUBLISH_SCHEDULE, _("定时发布")),
            (services.PUBLISH_DRAFT, _("暂存为草稿（不公开）")),
        ],
        initial=services.PUBLISH_NOW,
        widget=forms.RadioSelect,
    )
    publish_at = forms.DateTimeField(
        label=_("定时发布时间"),
        required=False,
        input_formats=DATETIME_LOCAL_FORMATS,
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
        ),
        help_text=_("仅在选择“定时发布”时填写；到时间后公众即可看到。"),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("publish") == services.PUBLISH_SCHEDULE and not cleaned.get(
            "publish_at"
        ):
            self.add_error("publish_at", _("选择“定时发布”时，请填写发布时间。"))
        return cleaned


class RecordForm(PublishChoiceMixin):
    """Register a record: item and trigger date first (the due date follows), then content.

    With ``preview=True`` only the item and the trigger date are required: the
    page shows the due date before anything is saved.
    """

    item = forms.ChoiceField(label=_("公开事项"))
    trigger_date = forms.DateField(
        label=_("信息形成（获取）日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_(
            "文件印发、审核审批决定作出或资金发放等信息形成或获取的日期；公开期限从次日起算。"
        ),
    )
    title = forms.CharField(label=_("标题"), max_length=200)
    body = forms.CharField(
        label=_("正文"), required=False, widget=forms.Textarea(attrs={"rows": 8})
    )

    field_order = [
        "item",
        "trigger_date",
        "title",
        "body",
        "attachments",
        "publish",
        "publish_at",
    ]

    def __init__(
        self, *args, items: list[CatalogItem], preview: bool = False, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.fields["attachments"] = _attachments_field()
        self.order_fields(self.field_order)
        self.items = {str(item.pk): item for item in items}
        groups: dict[str, list[tuple[str, str]]] = {}
        for item in items:
            groups.setdefault(item.catalog.domain.name, []).append(
                (str(item.pk), item_label(item))
            )
        self.fields["item"].choices = [("", _("请选择公开事项"))] + list(groups.items())
        self.preview = preview

    def full_clean(self):
        """In preview only the item and the trigger date count: the rest may still be empty."""
        super().full_clean()
        if self.preview and self._errors:
            for name in list(self._errors):
                if name not in ("item", "trigger_date"):
                    del self._errors[name]

    def clean_item(self) -> CatalogItem:
        item = self.items.get(self.cleaned_data["item"])
        if item is None:
            raise ValidationError(_("请从列表中选择本级负责公开的事项。"))
        return item

    def clean(self):
        if self.preview:
            return self.cleaned_data
        return super().clean()


class PublishForm(PublishChoiceMixin):
    """Publish a draft now, or set (or move) its publication time."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["publish"].choices = [
            c for c in self.fields["publish"].choices if c[0] != services.PUBLISH_DRAFT
        ]


class CorrectForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=200)
    body = forms.CharField(
        label=_("正文"), required=False, widget=forms.Textarea(attrs={"rows": 8})
    )
    reason = forms.CharField(
        label=_("更正说明"),
        max_length=100,
        help_text=_(
            "说明更正了什么，例如“更正救助金额笔误”。更正前的版本会保留在修改记录中。"
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"] = _attachments_field()
        self.fields["attachments"].label = _("新增附件")
        self.order_fields(["title", "body", "attachments", "reason"])


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("撤回理由"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "撤回后公众不再能看到这条信息，工作人员仍可查看。例如“信息有误，更正后重新发布”。"
        ),
    )


class AttachmentConfirmForm(forms.Form):
    """The second person's confirmation of an attachment the scanner could not read."""

    checked = forms.BooleanField(
        label=_(
            "我已打开并逐页查看了这个附件，其中没有身份证号、手机号、银行卡号等个人隐私信息。"
        ),
        error_messages={"required": _("请先打开附件逐页查看，确认后勾选此项。")},
    )
