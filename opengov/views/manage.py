"""Staff pages under /work/opengov/: the region's own guide and annual reports.

Only the staff of the region itself write them (`opengov.permissions`); another
region's report is a 404 on GET and POST alike.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from disclosures.models import DisclosureRecord
from disclosures.records import services as record_services

from .. import layout, selectors, services
from ..documents import report_file
from ..forms import GuideForm, RecordMetadataForm, ReportCreateForm, ReportEditForm
from ..models import Guide
from ..permissions import (
    OpengovStaffMixin,
    access_report,
    require_own_reporting_region,
)


def _apply_errors(form, exc: ValidationError) -> None:
    """A service's refusal on the form: on the named field when the form has it."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


class GuideEditView(OpengovStaffMixin, TemplateView):
    """The user's own region's 政府信息公开指南."""

    template_name = "opengov/guide_form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.region = require_own_reporting_region(request.user)
        return super().dispatch(request, *args, **kwargs)

    def _form(self, data=None):
        guide = Guide.objects.filter(region=self.region).first()
        initial = None
        if guide is None:
            defaults = selectors.guide_defaults(self.region)
            initial = {"office": defaults["office"]}
        return GuideForm(data, instance=guide, initial=initial)

    def get(self, request, *args, **kwargs):
        return self.render_to_response(
            self.get_context_data(form=self._form(), region=self.region)
        )

    def post(self, request, *args, **kwargs):
        form = self._form(request.POST)
        if form.is_valid():
            try:
                services.guide_save(
                    region=self.region, values=form.cleaned_data, actor=request.user
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("政府信息公开指南已保存，公开页面已更新。"))
                return HttpResponseRedirect(reverse("opengov:guide_edit"))
        return self.render_to_response(
            self.get_context_data(form=form, region=self.region)
        )


class ReportListView(OpengovStaffMixin, TemplateView):
    """The region's annual reports, and the form that generates a year's draft."""

    template_name = "opengov/report_list.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.region = require_own_reporting_region(request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            region=self.region,
            reports=selectors.report_list_for(self.region),
            reminder=selectors.report_reminder(self.region),
            can_roll_up=self.region.level == self.region.Level.COUNTY,
        )
        context.setdefault("form", ReportCreateForm())
        return context

    def post(self, request, *args, **kwargs):
        form = ReportCreateForm(request.POST)
        if form.is_valid():
            try:
                report = services.report_create(
                    region=self.region,
                    year=form.cleaned_data["year"],
                    include_subregions=form.cleaned_data["include_subregions"],
                    actor=request.user,
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(
                    request,
                    _(
                        "已生成%(year)s年年度报告草稿：平台统计的数据已填入并锁定，请填写其余内容。"
                    )
                    % {"year": report.year},
                )
                return HttpResponseRedirect(report.get_absolute_url())
        return self.render_to_response(self.get_context_data(form=form))


def _attach_fields(data: selectors.ReportData, form: ReportEditForm) -> None:
    """Give each entered cell its bound form field (field names hold dots)."""
    for block in data.table2:
        for row in block["rows"]:
            for cell in row["cells"]:
                cell.field = form[cell.key]
    for cell in data.table4:
        if not cell.locked:
            cell.field = form[cell.key]


class ReportEditView(OpengovStaffMixin, TemplateView):
    """A report: counted figures locked (each links to what it counts), text
    sections and entered figures editable while it is a draft."""

    template_name = "opengov/report_edit.html"

    def get_report(self, *, for_write=False):
        return access_report(self.request.user, self.kwargs["pk"], for_write=for_write)

    def _initial(self, report) -> dict:
        initial = {key: getattr(report, key) for key in layout.TEXT_SECTIONS}
        initial.update(report.figures or {})
        return initial

    def render_report(self, report, form):
        data = selectors.report_data(report)
        _attach_fields(data, form)
        return self.render_to_response(
            self.get_context_data(
                report=report,
                data=data,
                form=form,
                editable=not report.is_published,
                layout_sections=layout.SECTIONS,
                table2_content_label=layout.TABLE2_CONTENT_LABEL,
                table3_note=layout.TABLE3_NOTE,
                table3_columns=layout.TABLE3_COLUMNS,
                table4_groups=layout.TABLE4_GROUPS,
                table4_results=layout.TABLE4_RESULTS,
                to_fill=layout.TO_FILL,
            )
        )

    def get(self, request, *args, **kwargs):
        report = self.get_report()
        return self.render_report(report, ReportEditForm(initial=self._initial(report)))

    def post(self, request, *args, **kwargs):
        report = self.get_report(for_write=True)
        form = ReportEditForm(request.POST)
        if form.is_valid():
            try:
                services.report_update(
                    report=report,
                    texts=form.texts(),
                    figures=form.figures(),
                    actor=request.user,
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("年度报告已保存。"))
                return HttpResponseRedirect(report.get_absolute_url())
        return self.render_report(report, form)


class ReportPublishView(OpengovStaffMixin, TemplateView):
    """Confirm and publish a complete draft (refused, naming what is 待填写)."""

    template_name = "opengov/report_publish.html"

    def get(self, request, *args, **kwargs):
        report = access_report(request.user, kwargs["pk"], for_write=True)
        if report.is_published:
            return HttpResponseRedirect(report.get_absolute_url())
        data = selectors.report_data(report)
        return self.render_to_response(
            self.get_context_data(report=report, data=data, errors=[])
        )

    def post(self, request, *args, **kwargs):
        report = access_report(request.user, kwargs["pk"], for_write=True)
        try:
            services.report_publish(report=report, actor=request.user)
        except ValidationError as exc:
            data = selectors.report_data(report)
            response = self.render_to_response(
                self.get_context_data(report=report, data=data, errors=exc.messages)
            )
            response.status_code = 400
            return response
        messages.success(
            request,
            _("年度报告已发布，索引号 %(number)s。")
            % {"number": report.record.index_number},
        )
        return HttpResponseRedirect(report.get_absolute_url())


class ReportDownloadView(OpengovStaffMixin, TemplateView):
    """The report (draft or published) as docx or xlsx, counted now."""

    def get(self, request, *args, **kwargs):
        report = access_report(request.user, kwargs["pk"])
        fmt = kwargs["fmt"]
        data, filename, content_type = report_file(selectors.report_data(report), fmt)
        response = HttpResponse(data, content_type=content_type)
        response["Content-Disposition"] = content_disposition_header(True, filename)
        return response


class ReportCountView(OpengovStaffMixin, TemplateView):
    """What a counted figure counts: the records or the applications behind it."""

    template_name = "opengov/report_count.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        report = access_report(self.request.user, self.kwargs["pk"])
        row, column = self.kwargs["row"], self.kwargs["column"]
        if row == "records":
            items = list(
                selectors.records_counted(
                    report.region,
                    report.year,
                    include_subregions=report.include_subregions,
                )
                .select_related("region", "domain")
                .order_by("publish_at", "pk")
            )
            label = _("本年度主动公开的信息")
            kind = "records"
        else:
            labels = {r.key: r for r in layout.table3_rows()}
            columns = dict(layout.TABLE3_COLUMNS)
            if row not in labels or column not in columns:
                raise Http404
            entry = labels[row]
            label = (
                " ".join(
                    str(part)
                    for part in (entry.section, entry.group, entry.item)
                    if part
                )
                + f" · {columns[column]}"
            )
            items = list(selectors.applications_counted(report, row, column))
            kind = "applications"
        context.update(report=report, items=items, label=label, kind=kind)
        return context


class RecordMetadataView(OpengovStaffMixin, TemplateView):
    """Set a record's 发布机构, 成文日期, 文号 and 主题分类 (SPEC §13) through the
    records service; records outside the user's subtree answer 404."""

    template_name = "opengov/record_metadata.html"

    def get_record(self) -> DisclosureRecord:
        return get_object_or_404(
            DisclosureRecord.objects.editable_by(self.request.user).select_related(
                "region", "domain"
            ),
            pk=self.kwargs["pk"],
        )

    def get(self, request, *args, **kwargs):
        record = self.get_record()
        form = RecordMetadataForm(
            initial={
                "issuer": record.issuer,
                "written_date": record.written_date,
                "document_number": record.document_number,
                "topic": record.topic,
            }
        )
        return self.render_to_response(self.get_context_data(record=record, form=form))

    def post(self, request, *args, **kwargs):
        record = self.get_record()
        form = RecordMetadataForm(request.POST)
        if form.is_valid():
            try:
                record_services.record_set_metadata(
                    record=record, actor=request.user, **form.cleaned_data
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(
                    request, _("发布机构、成文日期、文号和主题分类已保存。")
                )
                return HttpResponseRedirect(
                    reverse("disclosures:record_manage", kwargs={"pk": record.pk})
                )
        return self.render_to_response(self.get_context_data(record=record, form=form))
