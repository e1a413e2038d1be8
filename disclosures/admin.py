"""Back office of the disclosures app (province admins and superusers only; see
`catalogs.admin`). Records, obligations, attachments, proofs of posting and name
lists are read-only here; the two province-wide settings are changed through their
services."""

from __future__ import annotations

from simple_history.admin import SimpleHistoryAdmin

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy

from catalogs.admin import (
    NoHistoryRevertMixin,
    ReadOnlyAdminMixin,
    RegionScopedAdminMixin,
)
from catalogs.permissions import can_use_admin

from .models import (
    Attachment,
    DisclosureRecord,
    MaskingPolicySetting,
    NameList,
    NameListRow,
    Obligation,
    PostingProof,
    ProgressThreshold,
)


class ProvinceSingletonAdmin(admin.ModelAdmin):
    """A one-row, province-wide setting: province admins only, never deleted.

    The first save creates the row; afterwards it is only changed.
    """

    @staticmethod
    def _province(request) -> bool:
        return can_use_admin(request.user)

    def has_module_permission(self, request):
        return self._province(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self._province(request) and super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._province(request) and super().has_change_permission(request, obj)

    def has_add_permission(self, request):
        return (
            self._province(request)
            and super().has_add_permission(request)
            and not self.model.objects.exists()
        )

    def has_delete_permission(self, request, obj=None):
        return False


class ProgressThresholdAdminForm(forms.ModelForm):
    class Meta:
        model = ProgressThreshold
        fields = ["commend_on_time_rate", "criticize_on_time_rate", "criticize_missed"]

    def clean(self):
        from .progress.services import progress_thresholds_validate

        cleaned = super().clean()
        try:
            progress_thresholds_validate(**cleaned)
        except ValidationError as exc:
            self.add_error(None, exc)
        return cleaned


@admin.register(ProgressThreshold)
class ProgressThresholdAdmin(ProvinceSingletonAdmin):
    """The 先进/落后 thresholds of the progress review (changed through
    `progress.services.progress_thresholds_set`, which logs the change)."""

    form = ProgressThresholdAdminForm

    list_display = [
        "__str__",
        "commend_on_time_rate",
        "criticize_on_time_rate",
        "criticize_missed",
        "updated_at",
    ]
    readonly_fields = ["updated_at"]

    def save_model(self, request, obj, form, change):
        from .progress.services import progress_thresholds_set

        saved = progress_thresholds_set(
            commend_on_time_rate=obj.commend_on_time_rate,
            criticize_on_time_rate=obj.criticize_on_time_rate,
            criticize_missed=obj.criticize_missed,
            actor=request.user,
        )
        obj.pk = saved.pk


# --- records, obligations, attachments (read-only, scoped by region) -------------------
# Writes go through the staff pages (disclosures.records.services), which keep the history,
# the obligations and the audit log in step; the admin is for looking things up.


class AttachmentInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Attachment
    extra = 0
    fields = ["original_name", "size", "content_type"]
    readonly_fields = fields


@admin.register(DisclosureRecord)
class DisclosureRecordAdmin(
    NoHistoryRevertMixin, ReadOnlyAdminMixin, RegionScopedAdminMixin, SimpleHistoryAdmin
):
    list_display = [
        "title",
        "region",
        "domain",
        "status",
        "trigger_date",
        "due_date",
        "publish_at",
    ]
    list_filter = ["status", "domain", "due_provisional"]
    search_fields = ["title", "region__name", "region__code"]
    list_select_related = ["region", "domain"]
    date_hierarchy = "publish_at"
    inlines = [AttachmentInline]


@admin.register(Obligation)
class ObligationAdmin(ReadOnlyAdminMixin, RegionScopedAdminMixin, admin.ModelAdmin):
    list_display = [
        "title",
        "region",
        "domain",
        "due_date",
        "due_provisional",
        "status",
        "fulfilled_at",
    ]
    list_filter = ["status", "domain", "due_provisional"]
    search_fields = ["title", "region__name", "region__code"]
    list_select_related = ["region", "domain"]
    date_hierarchy = "due_date"


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdminMixin, RegionScopedAdminMixin, admin.ModelAdmin):
    region_field = "record__region__code"
    list_display = ["original_name", "record", "size", "content_type"]
    list_select_related = ["record"]
    search_fields = ["original_name", "record__title"]


# --- proof of posting (张榜证明) ------------------------------------------------------------
# Read-only, scoped by region: photos are attached and removed on the record's posting
# page (disclosures.records.posting, audited). The photo lives in private storage; the
# admin links to the permission-checked staff view, never to a storage URL.


@admin.register(PostingProof)
class PostingProofAdmin(ReadOnlyAdminMixin, RegionScopedAdminMixin, admin.ModelAdmin):
    region_field = "record__region__code"
    list_display = ["record", "village", "posted_on", "uploaded_by", "uploaded_at"]
    list_filter = ["posted_on"]
    search_fields = ["record__title", "note"]
    list_select_related = ["record", "village", "uploaded_by"]
    date_hierarchy = "posted_on"
    exclude = ["photo"]

    def get_readonly_fields(self, request, obj=None):
        # The FileField would render a link to the storage's URL: the view instead.
        fields = super().get_readonly_fields(request, obj)
        return [name for name in fields if name != "photo"] + ["photo_link"]

    @admin.display(description=gettext_lazy("照片"))
    def photo_link(self, obj: PostingProof) -> str:
        if obj is None or obj.pk is None:
            return "—"
        url = reverse("disclosures:posting_photo", args=[obj.record_id, obj.pk])
        return format_html(
            '<a href="{}" id="posting-photo-link">{}</a>',
            url,
            gettext_lazy("查看照片（工作人员页面）"),
        )


# --- name lists (名单公示) ---------------------------------------------------------------
# Read-only, scoped by region: the confidentiality review and every other write go
# through the staff pages (disclosures.namelists), which keep the audit log. The masking
# policy is the one province-wide row, changed by province admins only.


@admin.register(NameList)
class NameListAdmin(ReadOnlyAdminMixin, RegionScopedAdminMixin, admin.ModelAdmin):
    region_field = "record__region__code"
    list_display = [
        "record",
        "status",
        "row_count",
        "uploaded_by",
        "confirmed_by",
        "confirmed_at",
        "publicity_end",
    ]
    list_filter = ["status", "mask_names"]
    search_fields = ["record__title", "source_filename"]
    list_select_related = ["record", "uploaded_by", "confirmed_by"]
    exclude = [
        "report"
    ]  # holds the processing job while processing; summaries are on the staff page


@admin.register(NameListRow)
class NameListRowAdmin(ReadOnlyAdminMixin, RegionScopedAdminMixin, admin.ModelAdmin):
    """Masked rows only, and only of lists whose processing has ended."""

    region_field = "name_list__record__region__code"
    list_display = ["name_list", "number", "cells"]
    list_select_related = ["name_list", "name_list__record"]
    raw_id_fields = ["name_list"]

    # Rows are part of their list: whoever may view lists may view their (masked) rows.
    def has_module_permission(self, request):
        return request.user.is_active and request.user.has_perm(
            "disclosures.view_namelist"
        )

    def has_view_permission(self, request, obj=None):
        return (
            request.user.is_active
            and request.user.has_perm("disclosures.view_namelist")
            and self._in_scope(request, obj)
        )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .exclude(
                name_list__status__in=[
                    NameList.Status.PROCESSING,
                    NameList.Status.FAILED,
                ]
            )
        )


@admin.register(MaskingPolicySetting)
class MaskingPolicySettingAdmin(ProvinceSingletonAdmin):
    """The province-wide masking policy; changes are audited."""

    list_display = [
        "__str__",
        "publish_id_number",
        "publish_phone",
        "publish_category",
        "publish_address",
        "mask_names_default",
        "display_days",
        "updated_at",
    ]
    readonly_fields = ["updated_at"]

    def save_model(self, request, obj, form, change):
        from .namelists.services import MASKING_POLICY_FIELDS, masking_policy_set

        saved = masking_policy_set(
            **{field: getattr(obj, field) for field in MASKING_POLICY_FIELDS},
            actor=request.user,
        )
        obj.pk = saved.pk
