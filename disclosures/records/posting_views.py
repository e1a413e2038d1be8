"""Staff pages of proof of posting (张榜证明) under /work/records/<id>/posting/.

Records come from the user's region subtree only (404 outside it, as for a
missing record); the photos are served by `PostingPhotoView` to the same
people and never from a public URL (they sit in private storage).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from catalogs.models import Region
from catalogs.permissions import RegionStaffRequiredMixin
from catalogs.scope import scope_code

from ..models import DisclosureRecord, PostingProof
from ..permissions import can_add_posting, can_set_record_village, can_view_posting
from . import posting
from . import villages as record_villages


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data] if data else [single(None)]
        return [single(data, initial)]


class PostingProofForm(forms.Form):
    photos = MultiplePhotoField(
        label=gettext_lazy("张榜照片"),
        help_text=gettext_lazy(
            "可一次选择多张。上传后系统会去掉照片中的拍摄时间、设备和位置（GPS）信息并压缩，"
            "照片只给本单位和上级单位工作人员查看，不会公开。"
        ),
    )
    posted_on = forms.DateField(
        label=gettext_lazy("张贴日期"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    village = forms.ModelChoiceField(
        label=gettext_lazy("张贴的村（社区）"),
        queryset=Region.objects.none(),
        required=False,
        empty_label=gettext_lazy("（不指定）"),
    )
    note = forms.CharField(
        label=gettext_lazy("说明"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("例如：村委会门口公示栏。不要填写个人信息。"),
    )

    def __init__(self, *args, record: DisclosureRecord, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = Region.objects.filter(
            level=Region.Level.VILLAGE, code__startswith=record.region_id
        ).order_by("code")
        self.fields["posted_on"].initial = timezone.localdate()
        if record.village_id:
            self.fields["village"].initial = record.village_id

    def clean_photos(self):
        photos = self.cleaned_data["photos"]
        if len(photos) > 10:
            raise forms.ValidationError(_("一次最多上传10张照片，请分批上传。"))
        for photo in photos:
            if photo.size > posting.MAX_PHOTO_BYTES:
                raise forms.ValidationError(
                    _("照片“%(name)s”太大：请上传不超过 15 MB 的照片。")
                    % {"name": photo.name}
                )
        return photos


class RecordVillageForm(forms.Form):
    village = forms.ModelChoiceField(
        label=gettext_lazy("本条信息所涉村（社区）"),
        queryset=Region.objects.none(),
        required=False,
        empty_label=gettext_lazy("（不限于某个村或社区）"),
        help_text=gettext_lazy("公开页面和张贴版公示会注明该村（社区）。"),
    )

    def __init__(self, *args, record: DisclosureRecord, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = Region.objects.filter(
            level=Region.Level.VILLAGE, code__startswith=record.region_id
        ).order_by("code")
        self.fields["village"].initial = record.village_id


class PostingMixin(RegionStaffRequiredMixin):
    def get_record(self) -> DisclosureRecord:
        """A record of the user's subtree whose proofs the user may see (else 404)."""
        code = scope_code(self.request.user) or ""
        record = get_object_or_404(
            DisclosureRecord.objects.filter(
                region__code__startswith=code
            ).select_related("region", "obligation", "obligation__item", "village"),
            pk=self.kwargs["pk"],
        )
        if not can_view_posting(self.request.user, record):
            raise Http404
        return record


class RecordPostingView(PostingMixin, TemplateView):
    """The proof photos of a record, and the upload form for clerks."""

    template_name = "disclosures/manage/record_posting.html"

    def render_page(self, record: DisclosureRecord, form, village_form=None):
        obligation = record.obligation
        can_village = can_set_record_village(self.request.user, record)
        is_posting = obligation is not None and posting.is_posting_obligation(
            obligation
        )
        return self.render_to_response(
            self.get_context_data(
                record=record,
                proofs=posting.posting_proofs_of(record),
                form=form,
                can_add=can_add_posting(self.request.user, record),
                obligation=obligation,
                is_posting_obligation=is_posting,
                posting_met=is_posting and posting.posting_met(obligation),
                village_form=(village_form or RecordVillageForm(record=record))
                if can_village
                else None,
            )
        )

    def get(self, request, *args, **kwargs):
        record = self.get_record()
        return self.render_page(record, PostingProofForm(record=record))

    def post(self, request, *args, **kwargs):
        record = self.get_record()
        if request.POST.get("action") == "village":
            return self.post_village(request, record)
        if not can_add_posting(request.user, record):
            raise PermissionDenied(_("您没有上传张榜照片的权限。"))
        form = PostingProofForm(request.POST, request.FILES, record=record)
        if form.is_valid():
            try:
                for photo in form.cleaned_data["photos"]:
                    posting.posting_proof_add(
                        record=record,
                        data=photo.read(),
                        posted_on=form.cleaned_data["posted_on"],
                        village=form.cleaned_data["village"],
                        note=form.cleaned_data["note"],
                        actor=request.user,
                    )
            except ValidationError as exc:
                for field, errors in exc.error_dict.items():
                    target = "photos" if field == "photo" else field
                    form.add_error(target if target in form.fields else None, errors)
            else:
                messages.success(
                    request,
                    _("已上传%(n)s张张榜照片，照片中的位置等信息已去除。")
                    % {"n": len(form.cleaned_data["photos"])},
                )
                return HttpResponseRedirect(
                    reverse("disclosures:record_posting", args=[record.pk])
                )
        return self.render_page(record, form)

    def post_village(self, request, record: DisclosureRecord):
        if not can_set_record_village(request.user, record):
            raise PermissionDenied(_("您没有修改该公开信息的权限。"))
        form = RecordVillageForm(request.POST, record=record)
        if form.is_valid():
            try:
                record_villages.record_village_set(
                    record=record,
                    village=form.cleaned_data["village"],
                    actor=request.user,
                )
            except ValidationError as exc:
                form.add_error("village", exc.message_dict.get("village", exc.messages))
            else:
                messages.success(request, _("已保存所涉村（社区）。"))
                return HttpResponseRedirect(
                    reverse("disclosures:record_posting", args=[record.pk])
                )
        return self.render_page(
            record, PostingProofForm(record=record), village_form=form
        )


class PostingPhotoView(PostingMixin, TemplateView):
    """One cleaned proof photo (JPEG), for staff of the record's region and above."""

    def get(self, request, *args, **kwargs):
        record = self.get_record()
        proof = get_object_or_404(
            PostingProof.objects.filter(record=record), pk=kwargs["proof_pk"]
        )
        try:
            handle = proof.photo.open("rb")
        except (FileNotFoundError, ValueError):
            raise Http404 from None
        response = FileResponse(handle, content_type="image/jpeg")
        response["Cache-Control"] = "private, no-store"
        return response


class PostingDeleteView(PostingMixin, TemplateView):
    """Remove a wrong photo (POST only)."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        record = self.get_record()
        if not can_add_posting(request.user, record):
            raise PermissionDenied(_("您没有删除张榜照片的权限。"))
        proof = get_object_or_404(
            PostingProof.objects.filter(record=record), pk=kwargs["proof_pk"]
        )
        posting.posting_proof_delete(proof=proof, actor=request.user)
        messages.success(request, _("已删除该张榜照片。"))
        return HttpResponseRedirect(
            reverse("disclosures:record_posting", args=[record.pk])
        )


urlpatterns = [
    path(
        "work/records/<int:pk>/posting/",
        RecordPostingView.as_view(),
        name="record_posting",
    ),
    path(
        "work/records/<int:pk>/posting/<int:proof_pk>.jpg",
        PostingPhotoView.as_view(),
        name="posting_photo",
    ),
    path(
        "work/records/<int:pk>/posting/<int:proof_pk>/delete/",
        PostingDeleteView.as_view(),
        name="posting_delete",
    ),
]
