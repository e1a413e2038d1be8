"""Staff pages of 依申请公开 (/work/applications/): the list, paper applications, the
handling page with one form per step, private files, and the progress review.

Objects come only from `permissions.access_application` (own region, else 404).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView, View

from catalogs.permissions import RegionStaffRequiredMixin
from catalogs.selectors import work_calendar

from .. import clock, forms, letters, selectors, services
from ..files import STAFF_MAX_BYTES, check_upload
from ..letters import office_name
from ..models import Application, ApplicationFile, LetterTemplate
from ..permissions import (
    access_application,
    access_application_file,
    can_act_on,
    can_edit_letter_templates,
    can_handle_applications,
    can_view_progress,
)
from .public import apply_error

Status = Application.Status


class StaffMixin(RegionStaffRequiredMixin, PermissionRequiredMixin):
    permission_required = "onrequest.view_application"


class ApplicationListView(StaffMixin, TemplateView):
    template_name = "onrequest/application_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        status = self.request.GET.get("status", "")
        context.update(
            applications=selectors.application_list_for_staff(user, status=status),
            panel_context={
                "worklist": selectors.application_worklist(user, limit=5),
                "can_handle": can_handle_applications(user),
                "can_view_progress": can_view_progress(user),
                "can_edit_letters": can_edit_letter_templates(user),
            },
            statuses=Status.choices,
            status=status,
        )
        return context


class ApplicationCreateView(StaffMixin, TemplateView):
    """A paper or oral application entered for the applicant (registered at once)."""

    template_name = "onrequest/application_form.html"
    permission_required = "onrequest.add_application"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.region_id is None:
            raise PermissionDenied(_("只有所属区划的工作人员可以登记申请。"))
        return super().dispatch(request, *args, **kwargs)

    def _receivers(self):
        region = self.request.user.region
        return [(region.code, office_name(region))]

    def get(self, request, *args, **kwargs):
        form = forms.StaffApplicationForm(
            receivers=self._receivers(),
            initial={"received_on": services.workflow_today(), "channel": "paper"},
        )
        return self.render_to_response(self.get_context_data(form=form))

    def post(self, request, *args, **kwargs):
        form = forms.StaffApplicationForm(
            request.POST, request.FILES, receivers=self._receivers()
        )
        if form.is_valid():
            try:
                files = []
                if form.cleaned_data.get("attachment"):
                    files.append(
                        check_upload(
                            form.cleaned_data["attachment"],
                            field="attachment",
                            label=_("附件"),
                            max_bytes=STAFF_MAX_BYTES,
                        )
                    )
                submitted = services.application_submit(
                    region=request.user.region,
                    data=form.application_data(),
                    files=files,
                    channel=form.cleaned_data["channel"],
                    received_on=form.cleaned_data["received_on"],
                    actor=request.user,
                )
            except ValidationError as exc:
                apply_error(form, exc)
            else:
                messages.success(
                    request,
                    _(
                        "申请已登记，编号%(code)s，查询码%(check)s（请告知申请人，查询码只显示这一次）。"
                    )
                    % {
                        "code": submitted.application.code,
                        "check": submitted.check_value,
                    },
                )
                return HttpResponseRedirect(
                    reverse(
                        "onrequest:application_detail",
                        args=[submitted.application.pk],
                    )
                )
        return self.render_to_response(self.get_context_data(form=form))


# The steps of the handling page: action → (form class, allowed statuses, label).
ACTIONS = {
    "register": (
        forms.RegisterForm,
        (Status.SUBMITTED,),
        gettext_lazy("登记（确认收到）"),
    ),
    "review": (None, (Status.REGISTERED,), gettext_lazy("转入审核")),
    "correction": (
        forms.CorrectionForm,
        (Status.REGISTERED, Status.REVIEWING),
        gettext_lazy("告知补正"),
    ),
    "corrected": (forms.CorrectedForm, (Status.REVIEWING,), gettext_lazy("收到补正")),
    "process": (None, (Status.REVIEWING,), gettext_lazy("转入办理")),
    "consult": (
        forms.ConsultForm,
        (Status.REVIEWING, Status.PROCESSING),
        gettext_lazy("征求意见"),
    ),
    "consult_answer": (
        forms.ConsultAnswerForm,
        (Status.REVIEWING, Status.PROCESSING),
        gettext_lazy("登记征求意见的答复"),
    ),
    "extend": (
        forms.ExtendForm,
        (Status.REGISTERED, Status.REVIEWING, Status.PROCESSING),
        gettext_lazy("延长答复期限"),
    ),
    "reply": (
        forms.ReplyForm,
        (Status.REGISTERED, Status.REVIEWING, Status.PROCESSING),
        gettext_lazy("答复"),
    ),
    "archive": (forms.ArchiveForm, (Status.REPLIED,), gettext_lazy("归档")),
    "escalate": (
        forms.EscalateForm,
        (
            Status.SUBMITTED,
            Status.REGISTERED,
            Status.REVIEWING,
            Status.PROCESSING,
        ),
        gettext_lazy("提请上级协调"),
    ),
}


AUDIT_LABELS = {
    "submitted": gettext_lazy("网上提交申请"),
    "registered": gettext_lazy("登记"),
    "reviewing": gettext_lazy("转入审核"),
    "processing": gettext_lazy("转入办理"),
    "correction_requested": gettext_lazy("告知补正"),
    "corrected": gettext_lazy("收到补正"),
    "consulted": gettext_lazy("征求意见"),
    "consultation_answered": gettext_lazy("收到征求意见的答复"),
    "extended": gettext_lazy("延长答复期限"),
    "replied": gettext_lazy("答复"),
    "archived": gettext_lazy("归档"),
    "escalated": gettext_lazy("提请上级协调"),
}


def _available(application: Application) -> list[str]:
    """The actions that make sense now (the services check again)."""
    names = [
        n for n, (_f, statuses, _l) in ACTIONS.items() if application.status in statuses
    ]
    open_consultation = any(
        c.answered_on is None for c in application.consultations.all()
    )
    if application.correction_requested_on:
        names = [n for n in names if n != "correction"]
    if not application.correction_pending:
        names = [n for n in names if n != "corrected"]
    else:
        names = [n for n in names if n not in ("process", "consult", "extend")]
    if application.extension_days:
        names = [n for n in names if n != "extend"]
    if application.escalated_at:
        names = [n for n in names if n != "escalate"]
    if open_consultation:
        names = [n for n in names if n != "consult"]
    else:
        names = [n for n in names if n != "consult_answer"]
    return names


def _initial(name: str) -> dict:
    today = services.workflow_today()
    return {
        "register": {"received_on": today},
        "correction": {"requested_on": today, "days": services.DEFAULT_CORRECTION_DAYS},
        "corrected": {"corrected_on": today},
        "consult": {"sent_on": today, "kind": "third_party"},
        "consult_answer": {"answered_on": today},
        "extend": {"approved_on": today, "notified_on": today, "days": 20},
        "reply": {"replied_on": today},
        "archive": {"archived_on": today},
    }.get(name, {})


class ApplicationDetailView(StaffMixin, TemplateView):
    template_name = "onrequest/application_detail.html"

    def get_context_data(self, *, application=None, bound=None, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        application = application or access_application(user, self.kwargs["pk"])
        consultations = list(application.consultations.all())
        can_handle = can_act_on(user, application)
        steps = []
        for name in _available(application) if can_handle else []:
            form_class, _statuses, label = ACTIONS[name]
            if bound and bound[0] == name:
                form = bound[1]
            elif form_class:
                form = form_class(prefix=name, initial=_initial(name))
            else:
                form = None
            steps.append({"name": name, "label": label, "form": form})
        cal = work_calendar()
        dates = []
        if application.received_on:
            limit = clock.correction_request_limit(cal, application.received_on)
            if not application.correction_requested_on and application.is_open:
                dates.append((_("告知补正的最后期限"), limit))
        context.update(
            application=application,
            consultations=consultations,
            files=list(application.files.all()),
            steps=steps,
            extra_dates=dates,
            office=office_name(application.region),
            audit=[
                (entry, AUDIT_LABELS.get(entry.action.rsplit(".", 1)[-1], entry.action))
                for entry in selectors.application_audit(application)
            ],
            today=services.workflow_today(),
        )
        return context


class ApplicationActionView(StaffMixin, View):
    """POST one step of the handling page; errors re-render the page with the form."""

    permission_required = "onrequest.handle_application"
    http_method_names = ["post"]

    def post(self, request, pk: int, action: str):
        application = access_application(request.user, pk, for_write=True)
        if action not in ACTIONS:
            raise PermissionDenied(_("未知的办理步骤。"))
        form_class = ACTIONS[action][0]
        form = (
            form_class(request.POST, request.FILES, prefix=action)
            if form_class
            else None
        )
        if form is None or form.is_valid():
            try:
                message = self.perform(application, action, form)
            except ValidationError as exc:
                if form is None:
                    messages.error(request, " ".join(exc.messages))
                    return HttpResponseRedirect(
                        reverse("onrequest:application_detail", args=[pk])
                    )
                apply_error(form, exc)
            else:
                messages.success(request, message)
                return HttpResponseRedirect(
                    reverse("onrequest:application_detail", args=[pk])
                )
        view = ApplicationDetailView()
        view.setup(request, pk=pk)
        context = view.get_context_data(application=application, bound=(action, form))
        return view.render_to_response(context, status=200)

    def perform(self, application: Application, action: str, form) -> str:
        user = self.request.user
        data = form.cleaned_data if form is not None else {}
        if action == "register":
            services.application_register(
                application=application, received_on=data["received_on"], actor=user
            )
        elif action == "review":
            services.application_start_review(application=application, actor=user)
        elif action == "process":
            services.application_start_processing(application=application, actor=user)
        elif action == "correction":
            services.application_request_correction(
                application=application,
                requested_on=data["requested_on"],
                note=data["note"],
                days=data["days"],
                actor=user,
            )
        elif action == "corrected":
            services.application_receive_correction(
                application=application, corrected_on=data["corrected_on"], actor=user
            )
        elif action == "consult":
            services.consultation_start(
                application=application,
                kind=data["kind"],
                party=data["party"],
                sent_on=data["sent_on"],
                actor=user,
            )
        elif action == "consult_answer":
            consultation = application.consultations.filter(
                answered_on__isnull=True
            ).first()
            if consultation is None:
                raise ValidationError(_("没有等待答复的征求意见。"))
            services.consultation_answer(
                consultation=consultation,
                answered_on=data["answered_on"],
                note=data["note"],
                actor=user,
            )
        elif action == "extend":
            services.application_extend(application=application, actor=user, **data)
        elif action == "reply":
            provided = []
            if data.get("provided"):
                provided.append(
                    check_upload(
                        data["provided"],
                        field="provided",
                        label=_("提供的政府信息"),
                        max_bytes=STAFF_MAX_BYTES,
                    )
                )
            services.application_reply(
                application=application,
                outcome=data["outcome"],
                reply_text=data["reply_text"],
                replied_on=data["replied_on"],
                delivered_on=data.get("delivered_on"),
                other_agency=data.get("other_agency", ""),
                provided=provided,
                actor=user,
            )
        elif action == "escalate":
            services.application_escalate(
                application=application, reason=data["reason"], actor=user
            )
        elif action == "archive":
            services.application_archive(
                application=application, archived_on=data["archived_on"], actor=user
            )
        application.refresh_from_db()
        if application.due_date and application.is_open:
            return _("已保存。答复期限：%(due)s（%(rule)s）。") % {
                "due": application.due_date.isoformat(),
                "rule": application.due_rule,
            }
        return _("已保存。当前状态：%(status)s。") % {
            "status": application.get_status_display()
        }


class ApplicationFileView(StaffMixin, View):
    """A private file (applicant's material, reply letter, what was provided)."""

    def get(self, request, pk: int, file_pk: int):
        stored: ApplicationFile = access_application_file(request.user, pk, file_pk)
        response = FileResponse(
            stored.file.open("rb"),
            as_attachment=True,
            filename=stored.original_name,
            content_type=stored.content_type or "application/octet-stream",
        )
        response["Cache-Control"] = "private, no-store"
        return response


class ApplicationProgressView(StaffMixin, TemplateView):
    """Counts per region below and the overdue applications (no applicant data)."""

    template_name = "onrequest/application_progress.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not can_view_progress(request.user):
            raise PermissionDenied(
                _("只有市级和省级工作人员可以查看依申请公开的办理进度。")
            )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows, overdue = selectors.application_progress(self.request.user)
        context.update(rows=rows, overdue=overdue, today=services.workflow_today())
        return context


class LetterTemplatesView(StaffMixin, TemplateView):
    """Province admins: download the reply-letter templates, upload edited ones."""

    template_name = "onrequest/letter_templates.html"
    permission_required = "onrequest.change_lettertemplate"

    def get_context_data(self, *, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        uploaded = {
            t.group: t for t in LetterTemplate.objects.select_related("updated_by")
        }
        context.update(
            groups=[
                (key, label, uploaded.get(key))
                for key, label in letters.TEMPLATE_LABELS.items()
            ],
            form=form or forms.LetterTemplateForm(),
        )
        return context

    def post(self, request, *args, **kwargs):
        if "reset" in request.POST:
            group = request.POST.get("reset", "")
            if group in letters.GROUP_KEYS:
                services.letter_template_reset(group=group, actor=request.user)
                messages.success(request, _("已恢复为系统默认模板。"))
            return HttpResponseRedirect(reverse("onrequest:letter_templates"))
        form = forms.LetterTemplateForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                checked = check_upload(
                    form.cleaned_data["file"],
                    field="file",
                    label=_("Word模板"),
                    max_bytes=STAFF_MAX_BYTES,
                )
                services.letter_template_replace(
                    group=form.cleaned_data["group"],
                    checked=checked,
                    actor=request.user,
                )
            except ValidationError as exc:
                apply_error(form, exc)
            else:
                messages.success(request, _("模板已更新，此后生成的答复书使用新模板。"))
                return HttpResponseRedirect(reverse("onrequest:letter_templates"))
        return self.render_to_response(self.get_context_data(form=form))


class LetterTemplateDownloadView(StaffMixin, View):
    permission_required = "onrequest.change_lettertemplate"

    def get(self, request, group: str):
        if group not in letters.GROUP_KEYS:
            raise Http404
        data, _uploaded = letters.template_bytes(group)
        response = HttpResponse(data, content_type=letters.DOCX_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{group}.docx"'
        return response
