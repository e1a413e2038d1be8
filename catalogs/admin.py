"""Back office: province admins and superusers only (SPEC §7).

Clerks and city reviewers do all their work in the workspace (/work/) and get
no admin at all: the site answers them 403 (anonymous visitors are sent to the
admin login, which refuses every account that is not an admin). `is_staff` is
derived from the role in `catalogs.accounts`.

Every write here goes through the same services as the workspace (rules, audit,
signals, caches), or the model is read-only:

- catalogs, items, legal-basis links, review comments, the audit log, regions,
  domains and categories are read-only (the workspace is the editor; regions
  and domains are reference data loaded from `fixtures/`);
- the legal library: add, change and accept proposals through
  `library.legal_document_*`; export only, no import;
- the working-day calendar through `catalogs.calendar`;
- accounts through `catalogs.accounts` (only superusers change roles, regions,
  groups, permissions or superuser status);
- no history "revert" anywhere (it would save an old row past every service).
"""

from __future__ import annotations

from functools import update_wrapper

from import_export import fields, resources
from import_export.admin import ExportMixin
from simple_history.admin import SimpleHistoryAdmin

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import accounts, library, permissions
from .calendar import (
    calendar_day_remove,
    calendar_day_set,
    calendar_day_validate,
    calendar_days_remove,
    calendar_next_year_missing,
    calendar_year_mark_official,
)
from .deadlines import RULE_KIND_CHOICES
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
from .security import client_info
from .textsafety import neutralise_formula

# --- the site: admins only -------------------------------------------------------------

ADMIN_ONLY_MESSAGE = _(
    "后台管理仅供省级管理员和系统管理员使用。您的日常工作（目录、公开信息、名单、进度）"
    "都在工作台中完成；如需修改法律依据库、工作日历或账号，请联系省级管理员。"
)


def _guard_admin_site(site: admin.AdminSite) -> None:
    """Admit only `permissions.can_use_admin` users; a signed-in user who is not
    one gets 403 with an explanation instead of Django's "log in as someone
    else" page. Installed on the default site's instance, before the URLconf
    (which wraps every admin view with `site.admin_view` at request time)."""
    django_admin_view = site.admin_view
    django_login = site.login

    def has_permission(request) -> bool:
        return permissions.can_use_admin(request.user)

    def refuse_signed_in_non_admin(request) -> None:
        if request.user.is_authenticated and not site.has_permission(request):
            raise PermissionDenied(ADMIN_ONLY_MESSAGE)

    def admin_view(view, cacheable=False):
        inner = django_admin_view(view, cacheable)

        def guarded(request, *args, **kwargs):
            refuse_signed_in_non_admin(request)
            return inner(request, *args, **kwargs)

        return update_wrapper(guarded, inner)

    def login(request, extra_context=None):
        refuse_signed_in_non_admin(request)
        return django_login(request, extra_context)

    site.has_permission = has_permission
    site.admin_view = admin_view
    site.login = login


_guard_admin_site(admin.site)


# --- shared mixins -----------------------------------------------------------------------


class RegionScopedAdminMixin:
    """Limit the change list and object access to the user's region subtree.

    `region_field` names the lookup path to the object's region code. Province
    admins see Henan (41), superusers everything.
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
        return super().has_change_permission(request, obj) and self._in_scope(
            request, obj
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._in_scope(
            request, obj
        )

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self._in_scope(
            request, obj
        )


class ReadOnlyAdminMixin:
    """Look things up only: the workspace (or reference data) is where they change.

    Every field is shown as text, also on a history version's page (whose form
    would otherwise render editable-looking widgets, one option per region).
    """

    def get_readonly_fields(self, request, obj=None):
        opts = self.model._meta
        return [
            f.name
            for f in (*opts.fields, *opts.many_to_many)
            if f.editable and not f.auto_created
        ]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class NoHistoryRevertMixin:
    """django-simple-history's "revert" saves an old row as it was, past every
    service (and it only checks the *view* permission): the history is read-only."""

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method != "GET":
            raise PermissionDenied(
                gettext(
                    "历史版本只能查看，不能在后台恢复。如需修改，请在工作台中按正常流程操作。"
                )
            )
        return super().history_form_view(request, object_id, version_id, extra_context)


class ReadOnlyHistoryAdmin(
    NoHistoryRevertMixin, ReadOnlyAdminMixin, SimpleHistoryAdmin
):
    pass


# --- reference data ----------------------------------------------------------------------


@admin.register(Region)
class RegionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent", "official"]
    list_filter = ["level", "official"]
    search_fields = ["code", "name"]
    list_select_related = ["parent"]


class CategoryInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Category
    extra = 0


@admin.register(Domain)
class DomainAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["name", "slug", "order", "allowed_levels"]
    inlines = [CategoryInline]


@admin.register(Category)
class CategoryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["name", "domain", "order"]
    list_filter = ["domain"]
    list_select_related = ["domain"]


# --- the legal library: clerks propose, province admins add --------------------------------


class FormulaSafeResource(resources.ModelResource):
    """Admin spreadsheet exports whose text cells pass the project's one formula neutraliser.

    ``IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT`` only strips a leading "="; this
    neutralises = + - @ (and full-width ＝＋－＠) like every other export.
    """

    def export_field(self, field, instance, **kwargs):
        return neutralise_formula(super().export_field(field, instance, **kwargs))


class LegalDocumentResource(FormulaSafeResource):
    """Export only (no import: every library write goes through the services)."""

    class Meta:
        model = LegalDocument
        fields = ["id", "title", "number", "kind", "status", "note"]


class LegalDocumentAdminForm(forms.ModelForm):
    class Meta:
        model = LegalDocument
        fields = list(library.LEGAL_DOCUMENT_FIELDS)

    def clean(self):
        """The services' own checks, so a refusal shows at the field, not as an error page."""
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            library.legal_document_check_changes(
                document=self.instance,
                changes={f: cleaned.get(f) for f in self.changed_data},
            )
            if {"title", "number", "kind"} & set(
                self.changed_data
            ) or self.instance.pk is None:
                cleaned["title"], cleaned["number"] = library.legal_document_validate(
                    title=cleaned.get("title", ""),
                    number=cleaned.get("number", ""),
                    kind=cleaned.get("kind", ""),
                    exclude_pk=self.instance.pk,
                )
        except ValidationError as exc:
            self.add_error(None, exc)
        return cleaned


@admin.register(LegalDocument)
class LegalDocumentAdmin(ExportMixin, admin.ModelAdmin):
    form = LegalDocumentAdminForm
    resource_classes = [LegalDocumentResource]
    list_display = ["title", "number", "kind", "status", "proposed_by", "superseded_by"]
    list_filter = ["status", "kind"]
    search_fields = ["title", "number"]
    list_select_related = ["superseded_by", "proposed_by"]
    raw_id_fields = ["superseded_by"]
    readonly_fields = ["status", "proposed_by"]
    actions = ["accept_proposals", "propose_replacement"]

    def get_fields(self, request, obj=None):
        return [*library.LEGAL_DOCUMENT_FIELDS, "status", "proposed_by"]

    @admin.action(
        description=_("替换引用：向引用所选依据的目录提出替代文件"),
        permissions=["change"],
    )
    def propose_replacement(self, request, queryset):
        """替换引用 (catalogs.library.legal_document_propose_replacement)."""
        for document in queryset.select_related("superseded_by"):
            try:
                report = library.legal_document_propose_replacement(
                    document=document, actor=request.user
                )
            except ValidationError as exc:
                self.message_user(request, " ".join(exc.messages), messages.ERROR)
                continue
            self.message_user(
                request,
                gettext(
                    "“%(doc)s”→“%(new)s”：已发布%(published)s个模板新版本，"
                    "修改%(drafts)s个未发布的模板草稿；%(downstream)s个下级目录将在“上级目录更新”中看到这一变更并自行选择采用；"
                    "%(local)s个目录在自行添加的事项中引用了该依据，请通知其编制单位修改。"
                )
                % {
                    "doc": str(document),
                    "new": str(document.superseded_by),
                    "published": len(report.published),
                    "drafts": len(report.drafts),
                    "downstream": len(report.downstream),
                    "local": len(report.local),
                },
                messages.SUCCESS,
            )

    def has_delete_permission(self, request, obj=None):
        # Cited documents are protected anyway; a wrong entry is superseded, not deleted.
        return False

    def _refuse(self, request, exc: ValidationError) -> None:
        raise PermissionDenied(" ".join(exc.messages)) from exc

    def save_model(self, request, obj, form, change):
        try:
            if change:
                saved = library.legal_document_update(
                    document=obj,
                    changes={f: form.cleaned_data[f] for f in form.changed_data},
                    actor=request.user,
                )
            else:
                saved = library.legal_document_add(
                    title=obj.title,
                    number=obj.number,
                    kind=obj.kind,
                    note=obj.note,
                    actor=request.user,
                )
                if obj.superseded_by_id:
                    saved = library.legal_document_update(
                        document=saved,
                        changes={"superseded_by": obj.superseded_by},
                        actor=request.user,
                    )
        except ValidationError as exc:
            # What the form could not know in advance (e.g. a published catalog
            # cites the document): refuse with the service's message.
            self._refuse(request, exc)
        obj.pk = saved.pk
        obj.status = saved.status

    @admin.action(description=_("将所选提议收录到共享依据库"), permissions=["change"])
    def accept_proposals(self, request, queryset):
        accepted = 0
        for document in queryset.filter(status=LegalDocument.Status.PROPOSED):
            library.legal_document_accept(document=document, actor=request.user)
            accepted += 1
        self.message_user(
            request,
            gettext("已收录%(count)s条依据。") % {"count": accepted},
            messages.SUCCESS,
        )


# --- catalogs: read-only (the workspace is the editor) ---------------------------------------


class ItemBasisInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ItemBasis
    extra = 0
    # Named columns (the model fields have no Chinese verbose names: the admin
    # showed "DOCUMENT" and "ORDER").
    fields = ["basis_document", "basis_order"]
    readonly_fields = fields
    verbose_name = _("公开依据")
    verbose_name_plural = _("公开依据")

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    @admin.display(description=_("公开依据"))
    def basis_document(self, obj):
        return obj.document.citation if obj.document_id else ""

    @admin.display(description=_("顺序"))
    def basis_order(self, obj):
        return obj.order + 1


class DeadlineKindFilter(admin.SimpleListFilter):
    """时限类型 by its Chinese label (the column stores on_request, periodic …)."""

    title = _("时限类型")
    parameter_name = "deadline_kind"

    def lookups(self, request, model_admin):
        return RULE_KIND_CHOICES

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(deadline_kind=value) if value else queryset


@admin.register(Catalog)
class CatalogAdmin(RegionScopedAdminMixin, ReadOnlyHistoryAdmin):
    list_display = ["title", "region", "domain", "version", "status", "published_at"]
    list_filter = ["status", "domain"]
    search_fields = ["title", "region__name", "region__code"]
    list_select_related = ["region", "domain"]


class CatalogItemResource(FormulaSafeResource):
    """Spreadsheet export of items (no import: items change in the workspace)."""

    category = fields.Field(
        attribute="category__name", column_name=_("一级事项"), readonly=True
    )

    class Meta:
        model = CatalogItem
        fields = [
            "id",
            "key",
            "catalog",
            "category",
            "seq",
            "name",
            "content",
            "time_limit_text",
            "subjects",
            "channels",
            "channel_other",
            "audience",
            "mode",
            "levels",
            "omitted",
            "omitted_reason",
        ]


@admin.register(CatalogItem)
class CatalogItemAdmin(RegionScopedAdminMixin, ExportMixin, ReadOnlyHistoryAdmin):
    region_field = "catalog__region__code"
    resource_classes = [CatalogItemResource]
    list_display = [
        "name",
        "category",
        "catalog",
        "time_limit_text",
        "omitted",
        "has_uncertain",
    ]
    list_filter = ["catalog__domain", "omitted", DeadlineKindFilter]
    search_fields = ["name", "catalog__title"]
    list_select_related = ["category", "catalog", "catalog__region"]
    inlines = [ItemBasisInline]

    actions = ["resolve_source_notes"]

    @admin.display(boolean=True, description=_("有待核实事项"))
    def has_uncertain(self, obj) -> bool:
        return bool(obj.uncertain)

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "uncertain_list"]

    @admin.display(description=_("待核实事项（逐条）"))
    def uncertain_list(self, obj) -> str:
        from django.utils.html import format_html_join

        if not obj.uncertain:
            return "—"
        return format_html_join("\n", "<p>{}</p>", ((note,) for note in obj.uncertain))

    def has_resolve_notes_permission(self, request) -> bool:
        """Province admins (and superusers): the service checks each item's region."""
        user = request.user
        return user.is_superuser or getattr(user, "role", "") in permissions.ADMIN_ROLES

    @admin.action(
        description=_("将所选事项的待核实事项标记为已处理"),
        permissions=["resolve_notes"],
    )
    def resolve_source_notes(self, request, queryset):
        """Each open note of each selected item through
        catalogs.provenance.source_note_resolve (audited, region-checked)."""
        from . import provenance

        done = refused = 0
        for item in queryset.select_related("catalog"):
            for note in list(item.uncertain):
                try:
                    provenance.source_note_resolve(
                        item=item, note=note, actor=request.user
                    )
                except (PermissionDenied, ValidationError):
                    refused += 1
                    break
                else:
                    done += 1
                    item.refresh_from_db()
        self.message_user(
            request,
            gettext("已将%(done)s条待核实事项标记为已处理。") % {"done": done},
            messages.SUCCESS,
        )
        if refused:
            self.message_user(
                request,
                gettext("有%(count)s个事项不在您的管辖范围内或提示已变化，未作处理。")
                % {"count": refused},
                messages.WARNING,
            )


@admin.register(ItemBasis)
class ItemBasisAdmin(RegionScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    region_field = "item__catalog__region__code"
    list_display = ["item", "document", "order"]
    list_select_related = ["item", "document"]


@admin.register(ReviewComment)
class ReviewCommentAdmin(RegionScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Review comments are written in the workspace (审核 page); here they are read."""

    region_field = "catalog__region__code"
    list_display = ["created_at", "catalog", "author", "resolved", "body"]
    list_filter = ["resolved"]
    list_select_related = ["catalog", "author"]


@admin.register(AuditLogEntry)
class AuditLogEntryAdmin(RegionScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "created_at",
        "action",
        "actor",
        "region",
        "object_type",
        "object_id",
    ]
    list_filter = ["action"]
    list_select_related = ["actor", "region"]


# --- accounts ------------------------------------------------------------------------------


@admin.register(User)
class UserAdmin(RegionScopedAdminMixin, DjangoUserAdmin):
    """Province admins keep the accounts of their scope (names, contact, active,
    password); only superusers create accounts or change roles, regions, groups,
    permissions and superuser status. `is_staff` and the role's group are derived
    from the role on every save (`catalogs.accounts`)."""

    list_display = ["username", "first_name", "role", "region", "is_active", "is_staff"]
    list_filter = ["role", "is_active", "is_staff"]
    list_select_related = ["region"]
    raw_id_fields = ["region"]
    fieldsets = DjangoUserAdmin.fieldsets + (
        (_("所属区划与角色"), {"fields": ("region", "role")}),
    )

    ALWAYS_READ_ONLY = ("is_staff", "last_login", "date_joined")

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return list(self.ALWAYS_READ_ONLY)
        return [*self.ALWAYS_READ_ONLY, *accounts.PRIVILEGED_FIELDS]

    def has_add_permission(self, request):
        return request.user.is_superuser and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        # Accounts are deactivated (is_active), never deleted: the audit log names them.
        return False

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        if obj is None or request.user.is_superuser or obj.pk == request.user.pk:
            return True
        # Other admins' accounts (province admins, superusers) are view-only to a
        # province admin: no password reset or deactivation between peers.
        return not permissions.role_is_staff(
            role=obj.role, is_superuser=obj.is_superuser
        )

    def save_model(self, request, obj, form, change):
        accounts.user_admin_save(
            user=obj,
            changed=form.changed_data,
            actor=request.user,
            client=client_info(request),
        )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # The form's groups (superusers only) are saved above; the role's group stays.
        accounts.user_sync_role_access(user=form.instance)


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(ReadOnlyAdminMixin, DjangoGroupAdmin):
    """Role groups are reference data, rebuilt from `permissions.ROLE_PERMISSIONS`
    after every migrate: an edit here would be lost, so there is none."""


# --- the working-day calendar (through catalogs.calendar) ----------------------------------


def _warn_calendar_missing(request) -> None:
    """From November on, tell province admins that next year's calendar is not entered yet."""

    if not permissions.can_edit_calendar(request.user):
        return
    year = calendar_next_year_missing()
    if year is not None:
        messages.warning(
            request,
            gettext(
                "%(year)s年的节假日和调休安排尚未录入。国务院办公厅通常在11月或12月公布下一年的安排，"
                "公布后请在工作台的“工作日历”页面（/work/catalogs/calendar/%(year)s/）按通知一次录入放假安排和调休上班日。"
                "在此之前，%(year)s年的截止日期按周末和《全国年节及纪念日放假办法》规定的法定节假日暂定推算，并标注为暂定。"
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
        cleaned = super().clean()
        if cleaned.get("date") and cleaned.get("kind"):
            try:
                calendar_day_validate(
                    cleaned["date"], cleaned["kind"], cleaned.get("name", "")
                )
            except ValidationError as exc:
                self.add_error(None, exc)
        return cleaned


@admin.register(CalendarDay)
class CalendarDayAdmin(NoHistoryRevertMixin, SimpleHistoryAdmin):
    form = CalendarDayAdminForm
    list_display = ["date", "kind", "name"]
    list_filter = ["kind"]
    date_hierarchy = "date"
    ordering = ["-date"]

    def changelist_view(self, request, extra_context=None):
        _warn_calendar_missing(request)
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        saved = calendar_day_set(
            day=obj.date,
            kind=obj.kind,
            name=obj.name,
            actor=request.user,
            previous_date=form.initial.get("date") if change else None,
        )
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        calendar_day_remove(day=obj.date, actor=request.user)

    def delete_queryset(self, request, queryset):
        calendar_days_remove(
            days=list(queryset.values_list("date", flat=True)), actor=request.user
        )


_admin_index = admin.site.index


def _admin_index_with_calendar_warning(request, extra_context=None):
    _warn_calendar_missing(request)
    return _admin_index(request, extra_context)


admin.site.index = _admin_index_with_calendar_warning
