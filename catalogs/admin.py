"""Back office. Every model is registered; what a user sees is scoped to its region.

Province admins (and superusers) see everything; other staff see their own
subtree, and may change only what `catalogs.permissions` lets them change.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources
from import_export.admin import ImportExportModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from . import permissions
from .models import (
    AuditLogEntry,
    CalendarDay,
    CalendarYear,
    Catalog,
    CatalogItem,
    Category,
    Domain,
    ItemBasis,
    LegalDocument,
    Region,
    ReviewComment,
    User,
)


class RegionScopedAdminMixin:
    """Limit the change list and object access to the user's region subtree.

    `region_field` names the lookup path to the object's region code.
    """

    region_field = "region__code"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        code = permissions.scope_code(request.user)
        if code is None:
            return qs.none()
        if code == "":
            return qs
        return qs.filter(**{f"{self.region_field}__startswith": code})

    def _in_scope(self, request, obj) -> bool:
        if obj is None:
            return True
        code = permissions.scope_code(request.user)
        if code is None:
            return False
        value = obj
        for part in self.region_field.split("__"):
            value = getattr(value, part, None)
        return str(value or "").startswith(code)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._in_scope(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._in_scope(request, obj)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self._in_scope(request, obj)


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent", "official"]
    list_filter = ["level", "official"]
    search_fields = ["code", "name"]
    list_select_related = ["parent"]
    raw_id_fields = ["parent"]


class CategoryInline(admin.TabularInline):
    model = Category
    extra = 0


@admin.register(Domain)
class DomainAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "order", "allowed_levels"]
    inlines = [CategoryInline]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "domain", "order"]
    list_filter = ["domain"]
    list_select_related = ["domain"]


class LegalDocumentResource(resources.ModelResource):
    class Meta:
        model = LegalDocument
        fields = ["id", "title", "number", "kind", "note"]
        import_id_fields = ["title", "number"]


@admin.register(LegalDocument)
class LegalDocumentAdmin(ImportExportModelAdmin):
    resource_classes = [LegalDocumentResource]
    list_display = ["title", "number", "kind", "superseded_by"]
    list_filter = ["kind"]
    search_fields = ["title", "number"]
    list_select_related = ["superseded_by"]
    raw_id_fields = ["superseded_by"]


class ItemBasisInline(admin.TabularInline):
    model = ItemBasis
    extra = 0
    raw_id_fields = ["document"]


@admin.register(Catalog)
class CatalogAdmin(RegionScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["title", "region", "domain", "version", "status", "published_at"]
    list_filter = ["status", "domain"]
    search_fields = ["title", "region__name", "region__code"]
    list_select_related = ["region", "domain"]
    raw_id_fields = ["region", "upstream", "previous", "created_by", "reviewed_by"]
    readonly_fields = ["lock_version", "created_at"]


class CatalogItemResource(resources.ModelResource):
    """Spreadsheet import/export of items for province admins (the stable key round-trips)."""

    category = fields.Field(attribute="category__name", column_name=_("一级事项"), readonly=True)

    class Meta:
        model = CatalogItem
        fields = [
            "id", "key", "catalog", "category", "seq", "name", "content", "time_limit_text",
            "subjects", "channels", "channel_other", "audience", "mode", "levels",
            "omitted", "omitted_reason",
        ]
        import_id_fields = ["catalog", "key"]
        skip_unchanged = True


@admin.register(CatalogItem)
class CatalogItemAdmin(RegionScopedAdminMixin, ImportExportModelAdmin, SimpleHistoryAdmin):
    region_field = "catalog__region__code"
    resource_classes = [CatalogItemResource]
    list_display = ["name", "category", "catalog", "time_limit_text", "omitted", "has_uncertain"]
    list_filter = ["catalog__domain", "omitted", "deadline_kind"]
    search_fields = ["name", "catalog__title"]
    list_select_related = ["category", "catalog", "catalog__region"]
    raw_id_fields = ["catalog", "upstream_item"]
    readonly_fields = ["key", "lock_version"]
    inlines = [ItemBasisInline]

    @admin.display(boolean=True, description=_("有待核实事项"))
    def has_uncertain(self, obj) -> bool:
        return bool(obj.uncertain)


@admin.register(ItemBasis)
class ItemBasisAdmin(RegionScopedAdminMixin, admin.ModelAdmin):
    region_field = "item__catalog__region__code"
    list_display = ["item", "document", "order"]
    list_select_related = ["item", "document"]
    raw_id_fields = ["item", "document"]


@admin.register(ReviewComment)
class ReviewCommentAdmin(RegionScopedAdminMixin, admin.ModelAdmin):
    """Review comments are written in the workspace (审核 page); here they are read."""

    region_field = "catalog__region__code"
    list_display = ["created_at", "catalog", "author", "resolved", "body"]
    list_filter = ["resolved"]
    list_select_related = ["catalog", "author"]
    readonly_fields = ["catalog", "item_key", "author", "body", "created_at"]

    def has_add_permission(self, request):
        return False


@admin.register(User)
class UserAdmin(RegionScopedAdminMixin, DjangoUserAdmin):
    list_display = ["username", "first_name", "role", "region", "is_active"]
    list_filter = ["role", "is_active"]
    list_select_related = ["region"]
    raw_id_fields = ["region"]
    fieldsets = DjangoUserAdmin.fieldsets + ((_("所属区划与角色"), {"fields": ("region", "role")}),)


@admin.register(AuditLogEntry)
class AuditLogEntryAdmin(RegionScopedAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "action", "actor", "region", "object_type", "object_id"]
    list_filter = ["action"]
    list_select_related = ["actor", "region"]
    readonly_fields = [f.name for f in AuditLogEntry._meta.fields]

    def has_add_permission(self, request):
        return False


def _warn_calendar_missing(request) -> None:
    """From November on, tell province admins that next year's calendar is not entered yet."""
    from django.contrib import messages
    from django.utils.translation import gettext

    from .calendar import calendar_next_year_missing

    if not request.user.has_perm("catalogs.change_calendarday"):
        return
    year = calendar_next_year_missing()
    if year is not None:
        messages.warning(
            request,
            gettext(
                "%(year)s年的节假日和调休安排尚未录入。国务院办公厅通常在11月或12月公布下一年的安排，"
                "公布后请在“节假日与调休”中逐日录入，并在“工作日历年度”中将%(year)s年标记为已录入。"
                "在此之前，%(year)s年的截止日期按周末和固定假日暂定推算，并标注为暂定。"
            )
            % {"year": year},
        )


# Calendar edits go through catalogs.calendar, so open obligations are
# recomputed and every change is logged; the admin never saves these rows itself.
@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ["year", "official", "source", "updated_at"]

    def get_readonly_fields(self, request, obj=None):
        return ["year", "updated_at"] if obj is not None else ["updated_at"]

    def changelist_view(self, request, extra_context=None):
        _warn_calendar_missing(request)
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        from .calendar import calendar_year_mark_official

        saved = calendar_year_mark_official(
            year=obj.year, official=obj.official, source=obj.source, actor=request.user
        )
        obj.pk, obj.updated_at = saved.pk, saved.updated_at

    def has_delete_permission(self, request, obj=None):
        # Deleting a year would bypass recomputation: untick "official" instead.
        return False


class CalendarDayAdminForm(forms.ModelForm):
    class Meta:
        model = CalendarDay
        fields = ["date", "kind", "name"]

    def clean(self):
        from .calendar import calendar_day_validate

        cleaned = super().clean()
        if cleaned.get("date") and cleaned.get("kind"):
            try:
                calendar_day_validate(cleaned["date"], cleaned["kind"], cleaned.get("name", ""))
            except ValidationError as exc:
                self.add_error(None, exc)
        return cleaned


@admin.register(CalendarDay)
class CalendarDayAdmin(SimpleHistoryAdmin):
    form = CalendarDayAdminForm
    list_display = ["date", "kind", "name"]
    list_filter = ["kind"]
    date_hierarchy = "date"
    ordering = ["-date"]

    def changelist_view(self, request, extra_context=None):
        _warn_calendar_missing(request)
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        from .calendar import calendar_day_set

        saved = calendar_day_set(
            day=obj.date,
            kind=obj.kind,
            name=obj.name,
            actor=request.user,
            previous_date=form.initial.get("date") if change else None,
        )
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        from .calendar import calendar_day_remove

        calendar_day_remove(day=obj.date, actor=request.user)

    def delete_queryset(self, request, queryset):
        from .calendar import calendar_days_remove

        calendar_days_remove(days=list(queryset.values_list("date", flat=True)), actor=request.user)


_admin_index = admin.site.index


def _admin_index_with_calendar_warning(request, extra_context=None):
    _warn_calendar_missing(request)
    return _admin_index(request, extra_context)


admin.site.index = _admin_index_with_calendar_warning
