"""Name-list staff pages under /work/namelists/ (the public downloads are in the public room).

Upload → map columns (choose the sheet when there are several) →
processing (self-refreshing status page) → preview → submit for the
confidentiality review (保密审查) → another person of the same or a parent
region confirms or rejects. Objects come only through the `access_*` helpers
of `disclosures.permissions`: another region's list, record or staged upload is
a 404 on GET and POST alike.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from catalogs.models import Region
from catalogs.permissions import RegionStaffRequiredMixin

from .. import permissions
from ..deidentify import COLUMN_KIND_LABELS, ColumnKind, publishable
from ..models import NameList
from ..records import villages as record_villages
from ..spreadsheets import SpreadsheetError
from . import processing, selectors, services, staging, states

Status = NameList.Status
LISTS_PER_PAGE = 30


def _apply_errors(form: forms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


# --------------------------------------------------------------------------- forms


class UploadForm(forms.Form):
    # Empty files reach `open_table`, whose message names the file.
    file = forms.FileField(
        allow_empty_file=True,
        label=gettext_lazy("名单文件"),
        help_text=gettext_lazy(
            "Excel（.xlsx）或 CSV 文件（UTF-8 或 GBK 编码均可），表头上方可以有标题行。"
            "只有去标识化后的名单会被保存，原始文件处理完即删除。"
        ),
    )


MASK_FULL = "full"
MASK_GIVEN = "mask"


class MappingForm(forms.Form):
    """One select per source column, the name policy and how long the list is public."""

    mask_names = forms.ChoiceField(
        label=gettext_lazy("姓名如何公开"),
        choices=[
            (MASK_FULL, gettext_lazy("公开全名（如最低生活保障名单公示）")),
            (
                MASK_GIVEN,
                gettext_lazy(
                    "遮蔽名字，只保留姓和名字最后一个字（如“张*明”，复姓保留完整）"
                ),
            ),
        ],
        widget=forms.RadioSelect,
    )
    publicity_end = forms.DateField(
        label=gettext_lazy("公示期截止日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    standing = forms.BooleanField(
        label=gettext_lazy("这是当前在册人员名单（长期公示）"),
        required=False,
        help_text=gettext_lazy(
            "适用于低保、特困等当前在册对象名单：一直公开，直到本事项、本区划的新名单确认公开时自动停止公开。"
        ),
    )

    village = forms.ModelChoiceField(
        label=gettext_lazy("所涉村（社区）"),
        queryset=Region.objects.none(),
        required=False,
        empty_label=gettext_lazy("不指定村（社区）"),
        help_text=gettext_lazy(
            "名单只涉及一个村（社区）时请选择，公示页面和张榜通知会显示该村（社区）。"
        ),
    )

    def __init__(self, *args, columns, policy, setting, record=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._add_village_choice(record)
        self.columns = columns
        self.policy = policy
        self.fields["mask_names"].initial = (
            MASK_GIVEN if setting.mask_names_default else MASK_FULL
        )
        self.fields["mask_names"].help_text = (
            _("默认选项来自全省名单脱敏规则：遮蔽名字。")
            if setting.mask_names_default
            else _("默认选项来自全省名单脱敏规则：公开全名。")
        )
        # The browser's date picker offers no past day: the page prevents the error
        # clean_publicity_end would otherwise report.
        self.fields["publicity_end"].widget.attrs["min"] = (
            timezone.localdate().isoformat()
        )
        self.fields["publicity_end"].help_text = _(
            "公示期结束后，公众只能看到名单的公示起止时间，看不到名单内容。"
            "不填且不是长期公示的名单，自公开之日起展示%(days)s天。"
        ) % {"days": setting.display_days}
        if record is not None:
            self.fields["standing"].initial = processing.standing_list_suggested(record)
        choices = [("", _("不公开"))]
        for kind in ColumnKind:
            if kind is ColumnKind.OTHER:
                continue
            label = str(COLUMN_KIND_LABELS[kind])
            if not publishable(kind, policy):
                label = _("%(kind)s（按全省规则不公开）") % {"kind": label}
            choices.append((kind.value, label))
        for column in columns:
            self.fields[f"col_{column.index}"] = forms.ChoiceField(
                label=_("第%(letter)s列“%(header)s”")
                % {
                    "letter": column.letter,
                    "header": column.header or _("（无表头）"),
                },
                choices=choices,
                required=False,
                initial=column.suggested,
            )

    def _add_village_choice(self, record) -> None:
        """The villages under the record's region; no field where there are none."""
        villages = record_villages.villages_of(record.region) if record else []
        if not villages:
            del self.fields["village"]
            return
        self.fields["village"].queryset = Region.objects.filter(
            pk__in=[village.pk for village in villages]
        ).order_by("code")
        self.fields["village"].initial = record.village_id

    def clean_publicity_end(self):
        value = self.cleaned_data.get("publicity_end")
        if value is not None and value < timezone.localdate():
            raise ValidationError(
                _("公示期截止日期不能早于今天；公示期已结束的名单无需再上传。")
            )
        return value

    def clean(self):
        data = super().clean()
        if data.get("standing") and data.get("publicity_end"):
            self.add_error(
                "standing",
                _(
                    "有公示期的名单在公示期结束后停止公开，不能同时设为长期公示。请清空公示期截止日期，或取消“长期公示”。"
                ),
            )
        return data

    def selected_kind(self, column) -> str:
        """The kind chosen for a column: the posted value, or the suggestion."""
        value = self[f"col_{column.index}"].value()
        return value or ""

    def column_rows(self) -> list[dict]:
        """Per column: the select, the masked samples and the sensitive-word warning.

        ``warning`` is ``loud`` when the column holds sensitive words and the
        chosen kind would publish it, ``quiet`` when it holds some but stays
        unpublished, empty otherwise.
        """
        rows = []
        for column in self.columns:
            published = publishable(self.selected_kind(column) or None, self.policy)
            warning = ""
            if column.sensitive:
                warning = "loud" if published else "quiet"
            rows.append(
                {
                    "field": self[f"col_{column.index}"],
                    "column": column,
                    "warning": warning,
                    "published": published,
                }
            )
        return rows

    def column_fields(self):
        return [self[f"col_{column.index}"] for column in self.columns]

    def mapping(self) -> dict[int, str]:
        return {
            column.index: self.cleaned_data.get(f"col_{column.index}") or ""
            for column in self.columns
        }


class ReviewForm(forms.Form):
    CONFIRM = "confirm"
    REJECT = "reject"

    decision = forms.ChoiceField(
        label=gettext_lazy("审查结论"),
        choices=[
            (CONFIRM, gettext_lazy("确认公开：名单已按规定去标识化，可以公开")),
            (REJECT, gettext_lazy("退回：需要上传人修改后重新上传")),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=gettext_lazy("审查意见"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("退回时必填，请说明需要修改什么。"),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == self.REJECT and not (data.get("note") or "").strip():
            self.add_error("note", _("请填写退回理由，说明需要上传人修改什么。"))
        return data


class DeleteForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("删除理由"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("例如：名单有误，需要重新上传。理由记入审计日志。"),
    )


# --------------------------------------------------------------------------- staff views


class NameListStaffMixin(RegionStaffRequiredMixin, PermissionRequiredMixin):
    permission_required = "disclosures.view_namelist"


class NameListIndexView(NameListStaffMixin, TemplateView):
    """The region's name lists, the records that can take one, and the review queue size."""

    template_name = "disclosures/namelists/namelist_index.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        status = self.request.GET.get("status", "")
        if status not in Status.values:
            status = ""
        lists = Paginator(
            selectors.name_list_list_for(user, status=status), LISTS_PER_PAGE
        )
        context.update(
            lists=lists.get_page(self.request.GET.get("page", 1)),
            status_filter=status,
            statuses=Status.choices,
            records=selectors.records_for_upload(user),
            review_count=selectors.name_list_review_queue(user).count(),
            can_upload=permissions.can_upload_name_lists(user),
        )
        return context


class UploadChooseView(NameListStaffMixin, TemplateView):
    """The record picker of the index page without JavaScript: on to the record's upload page."""

    def get(self, request, *args, **kwargs):
        pk = request.GET.get("record", "")
        if not pk.isdigit():
            messages.error(request, _("请先选择要上传名单的公开信息。"))
            return HttpResponseRedirect(reverse("disclosures:namelist_index"))
        record = permissions.access_record_for_name_list(request.user, int(pk))
        return HttpResponseRedirect(
            reverse("disclosures:namelist_upload", args=[record.pk])
        )


class UploadView(NameListStaffMixin, TemplateView):
    """Step 1: the file, checked at once; a refused file leaves nothing behind."""

    permission_required = "disclosures.add_namelist"
    template_name = "disclosures/namelists/namelist_upload.html"

    def get_record(self):
        return permissions.access_record_for_name_list(
            self.request.user, self.kwargs["record_pk"]
        )

    def get(self, request, *args, **kwargs):
        record = self.get_record()
        return self.render_to_response(
            self.get_context_data(record=record, form=UploadForm())
        )

    def post(self, request, *args, **kwargs):
        record = self.get_record()
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                staged = staging.name_list_stage_upload(
                    record=record, data=upload, filename=upload.name, actor=request.user
                )
            except SpreadsheetError as exc:
                form.add_error("file", exc.message)
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                return HttpResponseRedirect(
                    reverse("disclosures:namelist_map", args=[staged.token])
                )
        return self.render_to_response(self.get_context_data(record=record, form=form))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["max_size"] = staging.upload_max_bytes()
        context["existing"] = selectors.name_list_of_record(context["record"])
        return context


class MapView(NameListStaffMixin, TemplateView):
    """Step 2: choose the sheet, map the columns (deny by default), start processing."""

    permission_required = "disclosures.add_namelist"
    template_name = "disclosures/namelists/namelist_map.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        record = context.get("record")
        end = record.publicity_end if record is not None else None
        context["record_publicity_over"] = (
            end is not None and end < timezone.localdate()
        )
        return context

    def setup_objects(self):
        try:
            staged = staging.staged_upload_get(
                self.kwargs["token"], user=self.request.user
            )
        except staging.StagedUploadMissing:
            raise Http404 from None
        record = permissions.access_record_for_name_list(
            self.request.user, staged.record_id
        )
        return staged, record

    def _table(self, staged, sheet):
        """The chosen sheet's header; a sheet without one falls back to the default."""
        problem = ""
        try:
            return staging.staged_upload_table(staged, sheet=sheet), problem
        except SpreadsheetError as exc:
            if not sheet:
                raise
            problem = exc.message
        return staging.staged_upload_table(staged), problem

    def get(self, request, *args, **kwargs):
        staged, record = self.setup_objects()
        table, problem = self._table(staged, request.GET.get("sheet") or None)
        setting = services.policy_setting()
        policy = services.masking_policy(setting=setting)
        form = MappingForm(
            columns=table.columns,
            policy=policy,
            setting=setting,
            record=record,
            initial={
                "publicity_end": record.publicity_end
                if record.publicity_end and record.publicity_end >= timezone.localdate()
                else None
            },
        )
        return self.render_to_response(
            self.get_context_data(
                staged=staged,
                record=record,
                table=table,
                form=form,
                sheet_problem=problem,
                policy=policy,
            )
        )

    def post(self, request, *args, **kwargs):
        staged, record = self.setup_objects()
        if request.POST.get("action") == "cancel":
            staging.staged_upload_discard(staged)
            messages.info(request, _("已取消上传，上传的文件已删除。"))
            return HttpResponseRedirect(reverse("disclosures:namelist_index"))
        sheet = request.POST.get("sheet") or None
        if sheet is not None and sheet not in staged.sheet_names:
            sheet = None
        table, problem = self._table(staged, sheet)
        setting = services.policy_setting()
        policy = services.masking_policy(setting=setting)
        form = MappingForm(
            request.POST,
            columns=table.columns,
            policy=policy,
            setting=setting,
            record=record,
        )
        if form.is_valid():
            try:
                name_list = self._start(form, staged, record, table.sheet)
            except SpreadsheetError as exc:
                form.add_error(None, exc.message)
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                return HttpResponseRedirect(
                    reverse("disclosures:namelist_detail", args=[name_list.pk])
                )
        return self.render_to_response(
            self.get_context_data(
                staged=staged,
                record=record,
                table=table,
                form=form,
                sheet_problem=problem,
                policy=policy,
            )
        )

    def _start(self, form, staged, record, sheet) -> NameList:
        """Start processing and name the village the list concerns (one service)."""
        name_list = processing.name_list_start(
            staged=staged,
            record=record,
            sheet=sheet,
            mapping=form.mapping(),
            mask_names=form.cleaned_data["mask_names"] == MASK_GIVEN,
            publicity_end=form.cleaned_data.get("publicity_end"),
            standing=form.cleaned_data.get("standing", False),
            village=form.cleaned_data.get("village"),
            actor=self.request.user,
        )
        return name_list


def _detail_context(user, name_list: NameList, page) -> dict:
    flags = permissions.staff_can(user, name_list)
    rows = (
        selectors.name_list_rows_page(name_list, page)
        if flags["rows_visible"]
        else None
    )
    return {
        "name_list": name_list,
        "record": name_list.record,
        "summary": selectors.name_list_summary(name_list),
        "progress": selectors.name_list_progress(name_list),
        "rows": rows,
        "expired": selectors.name_list_is_expired(name_list),
        "stuck": states.name_list_is_stuck(name_list),
        "error": (name_list.report or {}).get("error", ""),
        **flags,
    }


class DetailView(NameListStaffMixin, TemplateView):
    """Status, progress (self-refreshing while processing), summary and the masked table."""

    template_name = "disclosures/namelists/namelist_detail.html"
    REFRESH_SECONDS = 2

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        name_list = permissions.access_name_list(self.request.user, self.kwargs["pk"])
        context.update(
            _detail_context(
                self.request.user, name_list, self.request.GET.get("page", 1)
            )
        )
        context["refresh_seconds"] = (
            self.REFRESH_SECONDS
            if name_list.status == Status.PROCESSING and not context["stuck"]
            else None
        )
        return context


class SubmitView(NameListStaffMixin, TemplateView):
    """Preview → pending: POST only."""

    permission_required = "disclosures.change_namelist"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        name_list = permissions.access_name_list(
            request.user, kwargs["pk"], for_write=True
        )
        try:
            services.name_list_submit(name_list=name_list, actor=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _(
                    "已提交保密审查。请由本单位或上级单位的另一位工作人员在“待审查名单”中确认后，名单才会公开。"
                ),
            )
        return HttpResponseRedirect(
            reverse("disclosures:namelist_detail", args=[name_list.pk])
        )


class DeleteView(NameListStaffMixin, TemplateView):
    permission_required = "disclosures.change_namelist"
    template_name = "disclosures/namelists/namelist_delete.html"

    def get(self, request, *args, **kwargs):
        name_list = permissions.access_name_list(
            request.user, kwargs["pk"], for_write=True
        )
        return self.render_to_response(
            self.get_context_data(name_list=name_list, form=DeleteForm())
        )

    def post(self, request, *args, **kwargs):
        name_list = permissions.access_name_list(
            request.user, kwargs["pk"], for_write=True
        )
        form = DeleteForm(request.POST)
        if form.is_valid():
            try:
                services.name_list_delete(
                    name_list=name_list,
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("已删除名单“%(title)s”。") % {"title": name_list.record.title},
                )
                return HttpResponseRedirect(reverse("disclosures:namelist_index"))
        return self.render_to_response(
            self.get_context_data(name_list=name_list, form=form)
        )


class ReviewQueueView(NameListStaffMixin, TemplateView):
    """Pending lists this user may confirm (never its own uploads)."""

    template_name = "disclosures/namelists/namelist_review_queue.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        queue = Paginator(
            selectors.name_list_review_queue(self.request.user), LISTS_PER_PAGE
        )
        context["queue"] = queue.get_page(self.request.GET.get("page", 1))
        return context


class ReviewView(NameListStaffMixin, TemplateView):
    """The confidentiality review (保密审查): the same preview, then confirm or reject."""

    permission_required = "disclosures.change_namelist"
    template_name = "disclosures/namelists/namelist_review.html"

    def render_review(self, name_list, form):
        context = self.get_context_data(form=form)
        context.update(
            _detail_context(
                self.request.user, name_list, self.request.GET.get("page", 1)
            )
        )
        return self.render_to_response(context)

    def get(self, request, *args, **kwargs):
        name_list = permissions.access_name_list_for_review(request.user, kwargs["pk"])
        return self.render_review(name_list, ReviewForm())

    def post(self, request, *args, **kwargs):
        name_list = permissions.access_name_list_for_review(request.user, kwargs["pk"])
        form = ReviewForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if data["decision"] == ReviewForm.CONFIRM:
                    services.name_list_confirm(
                        name_list=name_list, actor=request.user, note=data["note"]
                    )
                    message = _("已确认公开“%(title)s”的名单。") % {
                        "title": name_list.record.title
                    }
                else:
                    services.name_list_reject(
                        name_list=name_list, actor=request.user, note=data["note"]
                    )
                    message = _(
                        "已退回“%(title)s”的名单，上传人会看到您的审查意见。"
                    ) % {"title": name_list.record.title}
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, message)
                return HttpResponseRedirect(
                    reverse("disclosures:namelist_review_queue")
                )
        return self.render_review(name_list, form)


urlpatterns = [
    path("work/namelists/", NameListIndexView.as_view(), name="namelist_index"),
    path(
        "work/namelists/upload/",
        UploadChooseView.as_view(),
        name="namelist_upload_choose",
    ),
    path(
        "work/namelists/records/<int:record_pk>/upload/",
        UploadView.as_view(),
        name="namelist_upload",
    ),
    path("work/namelists/uploads/<str:token>/", MapView.as_view(), name="namelist_map"),
    path(
        "work/namelists/review/",
        ReviewQueueView.as_view(),
        name="namelist_review_queue",
    ),
    path("work/namelists/<int:pk>/", DetailView.as_view(), name="namelist_detail"),
    path(
        "work/namelists/<int:pk>/submit/", SubmitView.as_view(), name="namelist_submit"
    ),
    path(
        "work/namelists/<int:pk>/delete/", DeleteView.as_view(), name="namelist_delete"
    ),
    path(
        "work/namelists/<int:pk>/review/", ReviewView.as_view(), name="namelist_review"
    ),
]
