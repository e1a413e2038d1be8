"""Forms of the staff catalog pages: parse and validate input, never write.

The item form is three parts submitted together (`ItemEditor`): the main fields,
the ordered content elements and the ordered legal bases (two formsets with
ORDER/DELETE, so adding, removing and reordering rows works without JavaScript).
The deadline is entered structured (kind, event, N, period, publicity period)
and rendered to its Chinese wording by `catalogs.deadlines.render_rule`.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import choices, diff, errorsummary, rules
from .deadlines import (
    CALENDAR_DAY,
    MAX_AMOUNT,
    PERIOD_CHOICES,
    RULE_KIND_CHOICES,
    WORKING_DAY,
    DeadlineRule,
    Period,
    RuleKind,
    RuleParseError,
    compute_due,
    parse_rule,
    render_rule,
)
from .models import LegalDocument
from .selectors import work_calendar

PREVIEW_TRIGGER_DATE = date(2025, 9, 26)

_KIND_CHOICES = [("", gettext_lazy("请选择"))] + [
    (value, label)
    for value, label in RULE_KIND_CHOICES
    if value != RuleKind.UNPARSED.value
]
_PUBLICITY_UNIT_CHOICES = [
    (WORKING_DAY, gettext_lazy("个工作日")),
    (CALENDAR_DAY, gettext_lazy("日（自然日）")),
]
_CONTINUOUS_WORDS = ("长期", "实时", "常态化")


def _checkboxes(label, values, required_message):
    # The services check the same rule (rules.check_item); checking it here too
    # shows every missing element at once, next to the others' errors.
    return forms.MultipleChoiceField(
        label=label,
        choices=[(v, v) for v in values],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": required_message},
    )


class TimeLimitForm(forms.Form):
    """公开时限, structured. `cleaned_data["time_limit_text"]` is the Chinese wording.

    If the structured rule means the same as `original_text` (the item's stored
    wording), that wording is kept, so saving an item without touching its
    deadline changes nothing.
    """

    deadline_kind = forms.ChoiceField(
        label=gettext_lazy("时限类型"), choices=_KIND_CHOICES
    )
    deadline_trigger = forms.CharField(
        label=gettext_lazy("起算事件"),
        required=False,
        max_length=100,
        help_text=gettext_lazy(
            "例如“制定或获取信息”“备案”“补贴发放”，系统会自动加上“之日起”。"
        ),
    )
    deadline_amount = forms.IntegerField(
        label=gettext_lazy("天数"), required=False, min_value=1, max_value=MAX_AMOUNT
    )
    deadline_period = forms.ChoiceField(
        label=gettext_lazy("周期"),
        required=False,
        choices=[("", gettext_lazy("请选择"))] + list(PERIOD_CHOICES),
    )
    publicity_amount = forms.IntegerField(
        label=gettext_lazy("公示期"),
        required=False,
        min_value=1,
        max_value=MAX_AMOUNT,
        help_text=gettext_lazy("没有公示期请留空。"),
    )
    publicity_unit = forms.ChoiceField(
        label=gettext_lazy("公示期单位"),
        required=False,
        choices=_PUBLICITY_UNIT_CHOICES,
    )

    def __init__(self, *args, original_text: str = "", **kwargs):
        self.original_text = original_text
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        kind = data.get("deadline_kind")
        if not kind:
            return data
        kind = RuleKind(kind)
        trigger = (data.get("deadline_trigger") or "").strip()
        amount = data.get("deadline_amount")
        period = data.get("deadline_period") or None
        publicity = data.get("publicity_amount")
        if kind in (RuleKind.WORKING_DAYS, RuleKind.CALENDAR_DAYS):
            if not amount:
                self.add_error(
                    "deadline_amount",
                    _("请填写天数（1到%(max)s之间的整数）。") % {"max": MAX_AMOUNT},
                )
            if trigger:
                trigger = (
                    trigger.removesuffix("之日起")
                    .removesuffix("之日")
                    .removeprefix("自")
                )
            period = None
        elif kind is RuleKind.PERIODIC:
            if not period:
                self.add_error(
                    "deadline_period",
                    _("定期公开请选择周期（每月、每季度、每半年或每年）。"),
                )
            amount, trigger = None, ""
        else:
            amount, period, publicity = None, None, None
            trigger = (
                trigger
                if kind is RuleKind.CONTINUOUS and trigger in _CONTINUOUS_WORDS
                else ""
            )
            if kind is RuleKind.CONTINUOUS and not trigger:
                trigger = "长期"
        if self.errors:
            return data
        rule = DeadlineRule(
            kind=kind,
            trigger=trigger,
            amount=amount,
            period=Period(period) if period else None,
            publicity_amount=publicity or None,
            publicity_unit=(data.get("publicity_unit") or WORKING_DAY)
            if publicity
            else None,
        )
        text = render_rule(rule)
        try:
            parsed = parse_rule(text)
        except RuleParseError:
            parsed = None
        if parsed is None or parsed.without_text() != rule.without_text():
            self.add_error(
                "deadline_trigger",
                _(
                    "起算事件“%(trigger)s”无法识别：请只写事件本身，例如“制定或获取信息”“备案”，不要包含数字或“若干”“及时”等词。"
                )
                % {"trigger": trigger},
            )
            return data
        if self.original_text:
            try:
                original = parse_rule(self.original_text)
            except RuleParseError:
                original = None
            if original is not None and original.without_text() == rule.without_text():
                text = self.original_text
        data["rule"] = rule
        data["time_limit_text"] = text
        return data

    def preview(self) -> dict:
        """The wording and an example due date, for the live preview."""
        if not self.is_valid() or "rule" not in self.cleaned_data:
            errors = [str(e) for errs in self.errors.values() for e in errs]
            return {"ok": False, "text": "", "example": "", "errors": errors}

        rule = self.cleaned_data["rule"]
        due = compute_due(rule, PREVIEW_TRIGGER_DATE, work_calendar())
        example = ""
        if due.due is not None:
            example = _("例如：%(trigger)s形成的信息，应于%(due)s前公开。") % {
                "trigger": _format_date(PREVIEW_TRIGGER_DATE),
                "due": _format_date(due.due),
            }
            if due.publicity_end:
                example += _("公示期至%(end)s。") % {
                    "end": _format_date(due.publicity_end)
                }
        else:
            example = _("没有主动公开的截止日期。")
        return {
            "ok": True,
            "text": self.cleaned_data["time_limit_text"],
            "example": example,
            "errors": [],
        }


def _format_date(d: date) -> str:
    return _("%(y)s年%(m)s月%(d)s日") % {"y": d.year, "m": d.month, "d": d.day}


def time_limit_initial(item) -> dict:
    """Initial structured fields of an item's deadline (blank kind if unreadable)."""
    if item is None:
        return {
            "deadline_kind": RuleKind.WORKING_DAYS.value,
            "deadline_trigger": "制定或获取信息",
        }
    kind = item.deadline_kind if item.deadline_kind != RuleKind.UNPARSED.value else ""
    return {
        "deadline_kind": kind,
        "deadline_trigger": item.deadline_trigger,
        "deadline_amount": item.deadline_amount,
        "deadline_period": item.deadline_period,
        "publicity_amount": item.publicity_amount,
        "publicity_unit": item.publicity_unit or WORKING_DAY,
    }


class ItemForm(TimeLimitForm):
    """The single-valued and multiple-choice elements of an item."""

    name = forms.CharField(
        label=gettext_lazy("二级事项"),
        max_length=200,
        error_messages={"required": gettext_lazy("请填写二级事项名称。")},
    )
    category = forms.TypedChoiceField(label=gettext_lazy("一级事项"), coerce=int)
    subjects = _checkboxes(
        gettext_lazy("公开主体"),
        choices.SUBJECT_VALUES,
        gettext_lazy("请至少选择一个公开主体。"),
    )
    channels = _checkboxes(
        gettext_lazy("公开渠道和载体"),
        choices.CHANNEL_VALUES,
        gettext_lazy("请至少选择一个公开渠道和载体。"),
    )
    channel_other = forms.CharField(
        label=gettext_lazy("其他渠道说明"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("勾选“其他”时必填。"),
    )
    audience = _checkboxes(
        gettext_lazy("公开对象"),
        choices.AUDIENCE_VALUES,
        gettext_lazy("请至少选择一个公开对象。"),
    )
    mode = _checkboxes(
        gettext_lazy("公开方式"),
        choices.MODE_VALUES,
        gettext_lazy("请至少选择一种公开方式。"),
    )
    levels = _checkboxes(
        gettext_lazy("公开层级"),
        choices.LEVEL_VALUES,
        gettext_lazy("请至少选择一个公开层级。"),
    )
    lock_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        *args,
        domain,
        categories,
        category_editable: bool,
        current_levels=(),
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [(c.pk, c.name) for c in categories]
        self.fields["category"].disabled = not category_editable
        # Only the domain's levels are offered (养老服务 has no 村级); a stored level
        # the domain does not allow stays visible so the clerk can untick it.
        offered = [
            lv
            for lv in choices.LEVEL_VALUES
            if lv in domain.allowed_levels or lv in current_levels
        ]
        self.fields["levels"].choices = [(lv, lv) for lv in offered]


class ContentRowForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("公开内容"), required=False, max_length=300
    )


ContentFormSet = forms.formset_factory(
    ContentRowForm,
    extra=2,
    can_order=True,
    can_delete=True,
    max_num=60,
    validate_max=True,
)


class BasisRowForm(forms.Form):
    """One legal basis: picked from the library, or a new one with title and 文号."""

    document = forms.ChoiceField(label=gettext_lazy("从依据库选择"), required=False)
    title = forms.CharField(
        label=gettext_lazy("或填写新依据的全称"), required=False, max_length=300
    )
    number = forms.CharField(label=gettext_lazy("文号"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=gettext_lazy("类型"),
        choices=LegalDocument.Kind.choices,
        initial=LegalDocument.Kind.DOCUMENT,
    )

    def __init__(self, *args, library=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document"].choices = [("", _("（不从库中选择）"))] + list(library)

    def has_changed(self):
        # The kind select always has a value; a row counts as filled in only by
        # what identifies a document.
        return any(self[name].data for name in ("document", "title", "number"))

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        document = data.get("document")
        title = rules.normalize_title(data.get("title", ""))
        number = rules.normalize_number(data.get("number", ""))
        if document and (title or number):
            raise ValidationError(_("请在“从依据库选择”和“填写新依据”之间二选一。"))
        if not document and (title or number):
            kind = data.get("kind") or LegalDocument.Kind.DOCUMENT
            problems = rules.check_basis(title=title, number=number, kind=kind)
            for message in problems:
                self.add_error("number" if "文号" in message else "title", message)
            data.update(title=title, number=number)
        return data


class BaseBasisFormSet(forms.BaseFormSet):
    def clean(self):
        """The same library document chosen in two rows is named, not stored twice."""
        super().clean()
        if any(self.errors):
            return
        first_row: dict[str, int] = {}
        for position, form in enumerate(self.forms, start=1):
            if self.can_delete and self._should_delete_form(form):
                continue
            document = form.cleaned_data.get("document")
            if not document:
                continue
            if document in first_row:
                raise ValidationError(
                    _(
                        "公开依据第%(first)s项和第%(second)s项选择了同一份文件，请删除其中一项。"
                    )
                    % {"first": first_row[document], "second": position},
                    code="duplicate_basis",
                )
            first_row[document] = position


BasisFormSet = forms.formset_factory(
    BasisRowForm,
    formset=BaseBasisFormSet,
    extra=1,
    can_order=True,
    can_delete=True,
    max_num=30,
    validate_max=True,
)


class ItemEditor:
    """The item form and its two formsets, validated and rendered together.

    `values()` and `basis_specs()` give what `services.catalog_item_set_elements`
    and `services.catalog_item_add` take; `add_service_errors()` puts the
    services' per-field messages back at the fields they concern.
    """

    SERVICE_FIELD_MAP = {
        "name": "name",
        "category": "category",
        "category_id": "category",
        "subjects": "subjects",
        "channels": "channels",
        "channel_other": "channel_other",
        "audience": "audience",
        "mode": "mode",
        "levels": "levels",
    }

    def __init__(self, data=None, *, catalog, categories, library, item=None):
        self.catalog = catalog
        self.item = item
        is_local = item is None or item.upstream_item_id is None
        initial = time_limit_initial(item)
        if item is not None:
            initial.update(
                name=item.name,
                category=item.category_id,
                subjects=item.subjects,
                channels=item.channels,
                channel_other=item.channel_other,
                audience=item.audience,
                mode=item.mode,
                levels=item.levels,
                lock_version=item.lock_version,
            )
        else:
            initial.update(
                subjects=[choices.Subject.COUNTY],
                audience=[choices.Audience.PUBLIC],
                mode=[choices.Mode.PROACTIVE],
            )
        self.form = ItemForm(
            data,
            initial=initial,
            domain=catalog.domain,
            categories=categories,
            category_editable=is_local,
            current_levels=item.levels if item is not None else (),
            original_text=item.time_limit_text if item is not None else "",
        )
        content_initial = [
            {"text": text, "ORDER": i}
            for i, text in enumerate(item.content if item else [], start=1)
        ]
        self.content = ContentFormSet(
            data,
            initial=content_initial,
            prefix="content",
        )
        bases_initial = [
            {
                "document": str(link.document_id),
                "ORDER": i,
                "kind": LegalDocument.Kind.DOCUMENT,
            }
            for i, link in enumerate(item.basis_links.all() if item else [], start=1)
        ]
        self.bases = BasisFormSet(
            data,
            initial=bases_initial,
            prefix="bases",
            form_kwargs={"library": library},
        )
        self.section_errors: dict[str, list[str]] = {
            "content": [],
            "bases": [],
            "time_limit": [],
        }
        self.unparsed_text = (
            item.time_limit_text
            if item is not None and item.deadline_kind == RuleKind.UNPARSED.value
            else ""
        )

    def is_valid(self) -> bool:
        results = [self.form.is_valid(), self.content.is_valid(), self.bases.is_valid()]
        return all(results)

    @property
    def lock_version(self) -> int | None:
        return self.form.cleaned_data.get("lock_version")

    def values(self) -> dict:
        data = self.form.cleaned_data
        values = {
            field: data[field]
            for field in (
                "name",
                "subjects",
                "channels",
                "channel_other",
                "audience",
                "mode",
                "levels",
            )
        }
        values["name"] = values["name"].strip()
        if choices.Channel.OTHER not in values["channels"]:
            values["channel_other"] = ""
        if not self.form.fields["category"].disabled:
            values["category_id"] = data["category"]
        values["time_limit_text"] = data["time_limit_text"]
        values["content"] = [
            f.cleaned_data["text"].strip()
            for f in self.content.ordered_forms
            if f.cleaned_data.get("text", "").strip()
        ]
        return values

    def basis_specs(self) -> list:
        """Ordered bases: library documents and dicts for new ones (one query)."""
        rows = [f.cleaned_data for f in self.bases.ordered_forms]
        ids = [int(r["document"]) for r in rows if r.get("document")]
        docs = LegalDocument.objects.in_bulk(ids) if ids else {}
        specs = []
        for row in rows:
            if row.get("document"):
                doc = docs.get(int(row["document"]))
                if doc is not None:
                    specs.append(doc)
            elif row.get("title"):
                specs.append(
                    {
                        "title": row["title"],
                        "number": row["number"],
                        "kind": row["kind"],
                    }
                )
        return specs

    def add_service_errors(self, error: ValidationError) -> None:
        """Show a service's ValidationError at the fields it names."""
        if not hasattr(error, "error_dict"):
            for message in error.messages:
                self.form.add_error(None, message)
            return
        for field, errors in error.message_dict.items():
            if field == "time_limit_text":
                target = (
                    "deadline_amount"
                    if self.form.cleaned_data.get("deadline_kind")
                    in (RuleKind.WORKING_DAYS.value, RuleKind.CALENDAR_DAYS.value)
                    else "deadline_kind"
                )
                for message in errors:
                    self.form.add_error(target, message)
            elif field in ("content", "bases"):
                self.section_errors[field].extend(errors)
            elif field in self.SERVICE_FIELD_MAP:
                for message in errors:
                    self.form.add_error(self.SERVICE_FIELD_MAP[field], message)
            else:
                for message in errors:
                    self.form.add_error(None, message)

    @property
    def has_errors(self) -> bool:
        return bool(
            self.form.errors
            or any(self.content.errors)
            or self.content.non_form_errors()
            or any(self.bases.errors)
            or self.bases.non_form_errors()
            or any(self.section_errors.values())
        )

    def error_entries(self) -> list[errorsummary.ErrorEntry]:
        """The error summary's lines, in page order, each linked to its control."""
        sections = {
            "content": (_("公开内容（要素）"), "fieldset-content"),
            "bases": (_("公开依据"), "fieldset-bases"),
            "time_limit": (_("公开时限"), "fieldset-time-limit"),
        }
        entries = errorsummary.form_entries(self.form)
        for key, (label, anchor) in sections.items():
            entries.extend(
                errorsummary.ErrorEntry(label, str(m), f"#{anchor}")
                for m in self.section_errors[key]
            )
        entries += errorsummary.formset_entries(
            self.content,
            row_label=_("公开内容第%(n)s项"),
            section_anchor="fieldset-content",
        )
        entries += errorsummary.formset_entries(
            self.bases,
            row_label=_("公开依据第%(n)s项"),
            section_anchor="fieldset-bases",
        )
        return entries


class OmitForm(forms.Form):
    omitted_reason = forms.CharField(
        label=gettext_lazy("不公开的理由"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "例如：本地未开展该业务。理由会随目录一起提交审核，以后可以恢复公开。"
        ),
        error_messages={
            "required": gettext_lazy("请填写不公开的理由，例如“本地未开展该业务”。")
        },
    )
    lock_version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ReviewAnswerForm(forms.Form):
    """The county's answer to a review comment."""

    answer = forms.CharField(
        label=gettext_lazy("答复"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=gettext_lazy(
            "说明您怎样处理了这条意见，或为什么保留原内容。审核人员在审核页面可以看到答复。"
        ),
        error_messages={"required": gettext_lazy("请填写答复内容。")},
    )


class ReviewCommentForm(forms.Form):
    item_key = forms.ChoiceField(label=gettext_lazy("意见针对的事项"), required=False)
    body = forms.CharField(
        label=gettext_lazy("审核意见"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": gettext_lazy("请填写意见内容。")},
    )

    def __init__(self, *args, item_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item_key"].choices = [("", _("整个目录"))] + [
            (str(key), label) for key, label in item_choices
        ]

    def clean_item_key(self):
        value = self.cleaned_data.get("item_key")
        return UUID(value) if value else None


class ReviewDecisionForm(ReviewCommentForm):
    """Approve, or return with a comment (required when returning)."""

    APPROVE = "approve"
    RETURN = "return"

    decision = forms.ChoiceField(
        label=gettext_lazy("审核结论"),
        choices=[
            (APPROVE, gettext_lazy("审核通过")),
            (RETURN, gettext_lazy("退回修改")),
        ],
        widget=forms.RadioSelect,
    )

    field_order = ["decision", "item_key", "body"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].required = False
        self.fields["body"].label = _("审核意见（退回时必填）")

    def clean(self):
        data = super().clean()
        if data.get("decision") == self.RETURN and not (data.get("body") or "").strip():
            self.add_error("body", _("退回时请填写审核意见，说明需要修改的内容。"))
        return data


class MergeForm(forms.Form):
    """One take/keep choice per upstream change of a `diff.MergePlan`."""

    lock_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)

        self.plan = plan
        for name, default in plan.choice_fields():
            self.fields[name] = forms.ChoiceField(
                label=name,
                choices=[(diff.TAKE, _("采用上级")), (diff.KEEP, _("保留本地"))],
                initial=default,
                widget=forms.RadioSelect,
            )

    def choices(self) -> dict[str, str]:
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name != "lock_version"
        }
