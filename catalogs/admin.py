"""Back office. Every model is registered; what a user sees is scoped to its region.

Province admins (and superusers) see everything; other staff see their own
subtree, and may change only what `catalogs.permissions` lets them change.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
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


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ["year", "official", "source", "updated_at"]


@admin.register(CalendarDay)
class CalendarDayAdmin(SimpleHistoryAdmin):
    list_display = ["date", "kind", "name"]
    list_filter = ["kind"]
    date_hierarchy = "date"
