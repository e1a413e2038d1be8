"""Staff record pages under /work/records/: login required, scoped to the user's subtree.

Records come only from `DisclosureRecord.objects.editable_by(user)`, obligations
from `Obligation.objects.visible_to(user)`: anything outside the user's region
subtree is a 404 on GET and POST alike, exactly like a missing object.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from catalogs.deadlines import PROVISIONAL_NOTE
from catalogs.permissions import RegionStaffRequiredMixin
from catalogs.rules import item_rule

from ..forms import (
    AttachmentConfirmForm,
    CorrectForm,
    PublishForm,
    RecordForm,
    WithdrawForm,
)
from ..models import Attachment, DisclosureRecord, Obligation
from ..permissions import can_confirm_attachment
from ..public import gate
from . import attachments, obligations, services, worklists


def _apply_errors(form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form: on its field when the form has one.

    A refusal by the publication gate also flags the form, so that the page
    points the clerk to the name-list upload.
    """
    form.identifier_found = gate.has_identifier_refusal(exc)
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


class StaffRecordMixin(RegionStaffRequiredMixin, PermissionRequiredMixin):
    permission_required = "disclosures.view_disclosurerecord"

    def get_record(self) -> DisclosureRecord:
        """The record of the URL, if it lies in the user's subtree (else 404)."""
        return get_object_or_404(
            DisclosureRecord.objects.editable_by(self.request.user).select_related(
                "region", "item", "item__category", "domain", "obligation", "created_by"
            ),
            pk=self.kwargs["pk"],
        )


class WorklistView(StaffRecordMixin, TemplateView):
    """The clerk's worklist and the newest records of the subtree."""

    template_name = "disclosures/manage/record_worklist.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        status = self.request.GET.get("status", "")
        context.update(
            worklist=worklists.worklist_for(self.request.user),
            records=worklists.record_list_for(self.request.user, status=status),
            status_filter=status,
            statuses=DisclosureRecord.Status.choices,
            provisional_note=PROVISIONAL_NOTE,
        )
        return context


class RecordCreateView(StaffRecordMixin, TemplateView):
    """Pick an item, enter the trigger date, see the due date, write, publish."""

    permission_required = "disclosures.add_disclosurerecord"
    template_name = "disclosures/manage/record_form.html"

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        self.region = getattr(user, "region", None) if user.is_authenticated else None
        return super().dispatch(request, *args, **kwargs)

    def get_obligation(self) -> Obligation | None:
        pk = self.request.POST.get("obligation") or self.request.GET.get("obligation")
        if not pk:
            return None
        if not str(pk).isdigit() or self.region is None:
            raise Http404
        return get_object_or_404(
            Obligation.objects.visible_to(self.request.user)
            .open()
            .select_related("item", "region"),
            pk=pk,
            region_id=self.region.code,
        )

    def _items(self):
        return (
            obligations.applicable_items(self.region) if self.region is not None else []
        )

    def _initial(self, obligation: Obligation | None, items) -> dict:
        if obligation is None:
            return {"publish": services.PUBLISH_NOW}
        item = next((i for i in items if i.key == obligation.item_key), None)
        today = timezone.localdate()
        trigger = obligation.trigger_date
        if obligation.period_end is not None:
            trigger = min(today, obligation.period_end)
        return {
            "item": str(item.pk) if item else "",
            "trigger_date": trigger,
            "title": obligation.title,
            "publish": services.PUBLISH_NOW,
        }

    def get(self, request, *args, **kwargs):
        obligation = self.get_obligation()
        items = self._items()
        initial = self._initial(obligation, items)
        form = RecordForm(items=items, initial=initial)
        item = form.items.get(initial.get("item", ""))
        due = None
        if item is not None:
            due = obligations.due_preview(
                item=item, trigger_date=initial["trigger_date"]
            )
        return self.render_to_response(
            self.get_context_data(
                form=form, obligation=obligation, due=due, due_item=item
            )
        )

    def post(self, request, *args, **kwargs):
        obligation = self.get_obligation()
        items = self._items()
        preview = request.POST.get("action") == "preview"
        form = RecordForm(request.POST, request.FILES, items=items, preview=preview)
        due = None
        if form.is_valid():
            data = form.cleaned_data
            if preview:
                due = obligations.due_preview(
                    item=data["item"], trigger_date=data["trigger_date"]
                )
            else:
                try:
                    record = services.record_create(
                        region=self.region,
                        item=data["item"],
                        trigger_date=data["trigger_date"],
                        title=data["title"],
                        body=data["body"],
                        files=data["attachments"],
                        publish=data["publish"],
                        publish_at=data.get("publish_at"),
                        obligation=obligation,
                        actor=request.user,
                    )
                except ValidationError as exc:
                    _apply_errors(form, exc)
                else:
                    messages.success(request, _record_message(record))
                    return HttpResponseRedirect(
                        reverse("disclosures:record_manage", args=[record.pk])
                    )
        cleaned = getattr(form, "cleaned_data", {})
        if due is None and cleaned.get("item") and cleaned.get("trigger_date"):
            due = obligations.due_preview(
                item=cleaned["item"], trigger_date=cleaned["trigger_date"]
            )
        return self.render_to_response(
            self.get_context_data(
                form=form,
                obligation=obligation,
                due=due,
                due_item=cleaned.get("item"),
                preview=preview,
            )
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = context["form"]
        item = context.get("due_item")
        context.update(
            region=self.region,
            due_rule=item_rule(item) if item is not None else None,
            provisional_note=PROVISIONAL_NOTE,
            has_items=bool(form.items),
        )
        return context


def _record_message(record: DisclosureRecord) -> str:
    if record.status == DisclosureRecord.Status.PUBLISHED:
        return _("已发布“%(title)s”。") % {"title": record.title}
    if record.status == DisclosureRecord.Status.SCHEDULED:
        return _("已设定“%(title)s”于%(time)s发布，到时间前公众看不到。") % {
            "title": record.title,
            "time": timezone.localtime(record.publish_at).strftime("%Y-%m-%d %H:%M"),
        }
    return _("已保存草稿“%(title)s”，尚未公开。") % {"title": record.title}


class RecordManageView(StaffRecordMixin, TemplateView):
    """One record for staff: dates, status, obligation, attachments, history, actions."""

    template_name = "disclosures/manage/record_manage.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        record = self.get_record()
        now = timezone.now()
        is_public = (
            record.status
            in (
                DisclosureRecord.Status.PUBLISHED,
                DisclosureRecord.Status.SCHEDULED,
            )
            and record.publish_at is not None
            and record.publish_at <= now
        )
        live = record.status != DisclosureRecord.Status.WITHDRAWN
        context.update(
            record=record,
            obligation=record.obligation,
            attachments=attachments.attachments_for_staff(record, self.request.user),
            history=list(
                record.history.select_related("history_user").order_by(
                    "-history_date", "-history_id"
                )[:20]
            ),
            is_public=is_public,
            is_waiting=record.status == DisclosureRecord.Status.SCHEDULED
            and not is_public,
            can_publish=live and not is_public,
            can_correct=live,
            can_withdraw=live,
            provisional_note=PROVISIONAL_NOTE,
        )
        return context


class RecordActionView(StaffRecordMixin, TemplateView):
    """Shared GET (form) / POST (service) flow of the record actions."""

    permission_required = "disclosures.change_disclosurerecord"
    form_class = None

    def form_kwargs(self, record) -> dict:
        return {}

    def perform(self, record, form):  # pragma: no cover - overridden
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        record = self.get_record()
        form = self.form_class(**self.form_kwargs(record))
        return self.render_to_response(self.get_context_data(record=record, form=form))

    def post(self, request, *args, **kwargs):
        record = self.get_record()
        form = self.form_class(request.POST, request.FILES, **self.form_kwargs(record))
        if form.is_valid():
            try:
                message = self.perform(record, form)
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, message)
                return HttpResponseRedirect(
                    reverse("disclosures:record_manage", args=[record.pk])
                )
        return self.render_to_response(self.get_context_data(record=record, form=form))


class RecordPublishView(RecordActionView):
    template_name = "disclosures/manage/record_publish.html"
    form_class = PublishForm

    def form_kwargs(self, record):
        if record.status == DisclosureRecord.Status.SCHEDULED and record.publish_at:
            return {
                "initial": {
                    "publish": services.PUBLISH_SCHEDULE,
                    "publish_at": timezone.localtime(record.publish_at),
                }
            }
        return {"initial": {"publish": services.PUBLISH_NOW}}

    def perform(self, record, form):
        data = form.cleaned_data
        if data["publish"] == services.PUBLISH_SCHEDULE:
            services.record_schedule(
                record=record, publish_at=data["publish_at"], actor=self.request.user
            )
        else:
            services.record_publish(record=record, actor=self.request.user)
        return _record_message(record)


class RecordCorrectView(RecordActionView):
    template_name = "disclosures/manage/record_correct.html"
    form_class = CorrectForm

    def form_kwargs(self, record):
        return {"initial": {"title": record.title, "body": record.body}}

    def perform(self, record, form):
        data = form.cleaned_data
        services.record_correct(
            record=record,
            title=data["title"],
            body=data["body"],
            reason=data["reason"],
            files=data["attachments"],
            actor=self.request.user,
        )
        return _("已更正“%(title)s”，更正前的版本保留在修改记录中。") % {
            "title": record.title
        }


class RecordWithdrawView(RecordActionView):
    template_name = "disclosures/manage/record_withdraw.html"
    form_class = WithdrawForm

    def perform(self, record, form):
        services.record_withdraw(
            record=record, reason=form.cleaned_data["reason"], actor=self.request.user
        )
        return _("已撤回“%(title)s”：公众不再能看到它，工作人员仍可查看。") % {
            "title": record.title
        }


class AttachmentDownloadView(StaffRecordMixin, TemplateView):
    """An attachment of a record in the user's subtree, public or not."""

    def get(self, request, *args, **kwargs):
        record = self.get_record()
        attachment = get_object_or_404(
            Attachment.objects.filter(record=record), pk=kwargs["attachment_pk"]
        )
        try:
            handle = attachment.file.open("rb")
        except (FileNotFoundError, ValueError):
            raise Http404 from None
        return FileResponse(
            handle,
            as_attachment=True,
            filename=attachment.original_name,
            content_type=attachment.content_type or None,
        )


class AttachmentConfirmView(StaffRecordMixin, TemplateView):
    """A second person confirms an attachment the scanner could not read (扫描件、图片).

    Anyone of the record's subtree sees the page; the uploader is told that a
    colleague must confirm, and the service refuses the uploader's POST.
    """

    permission_required = "disclosures.change_disclosurerecord"
    template_name = "disclosures/manage/attachment_confirm.html"

    def get_attachment(self) -> Attachment:
        return attachments.access_attachment(
            self.request.user, self.kwargs["pk"], self.kwargs["attachment_pk"]
        )

    def render_page(self, attachment: Attachment, form):
        user = self.request.user
        return self.render_to_response(
            self.get_context_data(
                record=attachment.record,
                attachment=attachment,
                form=form,
                can_confirm=can_confirm_attachment(user, attachment),
                is_uploader=attachment.uploaded_by_id is not None
                and attachment.uploaded_by_id == user.pk,
            )
        )

    def get(self, request, *args, **kwargs):
        return self.render_page(self.get_attachment(), AttachmentConfirmForm())

    def post(self, request, *args, **kwargs):
        attachment = self.get_attachment()
        form = AttachmentConfirmForm(request.POST)
        if form.is_valid():
            try:
                attachments.attachment_confirm(
                    attachment=attachment, actor=request.user
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("已确认附件“%(name)s”没有个人隐私信息，它将随信息一起公开。")
                    % {"name": attachment.original_name},
                )
                return HttpResponseRedirect(
                    reverse("disclosures:record_manage", args=[attachment.record_id])
                )
        return self.render_page(attachment, form)


urlpatterns = [
    path("work/records/", WorklistView.as_view(), name="record_worklist"),
    path("work/records/new/", RecordCreateView.as_view(), name="record_create"),
    path("work/records/<int:pk>/", RecordManageView.as_view(), name="record_manage"),
    path(
        "work/records/<int:pk>/publish/",
        RecordPublishView.as_view(),
        name="record_publish",
    ),
    path(
        "work/records/<int:pk>/correct/",
        RecordCorrectView.as_view(),
        name="record_correct",
    ),
    path(
        "work/records/<int:pk>/withdraw/",
        RecordWithdrawView.as_view(),
        name="record_withdraw",
    ),
    path(
        "work/records/<int:pk>/attachments/<int:attachment_pk>/",
        AttachmentDownloadView.as_view(),
        name="record_attachment",
    ),
    path(
        "work/records/<int:pk>/attachments/<int:attachment_pk>/confirm/",
        AttachmentConfirmView.as_view(),
        name="attachment_confirm",
    ),
]
