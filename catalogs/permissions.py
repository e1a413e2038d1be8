"""The one place that answers "may this user do X to this object".

Capabilities come from model permissions granted through one Group per role;
scope comes from region ancestry (a user acts within its own region's subtree).
Objects outside a user's scope answer 404, the same as a missing object, so a
URL does not reveal that another county's draft exists.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from .models import Catalog, CatalogItem, ItemDraft, ReviewComment
from .scope import scope_code

if TYPE_CHECKING:
    from .models import Region, User

# Permissions granted to each role's group, as "app_label.codename".
_VIEW_CATALOGS = [
    "catalogs.view_region",
    "catalogs.view_domain",
    "catalogs.view_category",
    "catalogs.view_legaldocument",
    "catalogs.view_catalog",
    "catalogs.view_catalogitem",
    "catalogs.view_itembasis",
]
# Not "catalogs.add_legaldocument": a legal basis a clerk or reviewer types into an
# item is a proposal until a province admin accepts it into the shared library
# (`library.legal_document_get_or_create`).
_EDIT_CATALOGS = [
    "catalogs.add_catalog",
    "catalogs.change_catalog",
    "catalogs.add_catalogitem",
    "catalogs.change_catalogitem",
    "catalogs.add_itembasis",
    "catalogs.change_itembasis",
    "catalogs.delete_itembasis",
]
_CATALOG_ROLE_PERMISSIONS: dict[str, list[str]] = {
    "township_clerk": _VIEW_CATALOGS + _EDIT_CATALOGS,
    # County staff add the villages (村/社区) of their townships (`catalogs.villages`).
    "county_clerk": _VIEW_CATALOGS + _EDIT_CATALOGS + ["catalogs.add_region"],
    "city_reviewer": _VIEW_CATALOGS
    + _EDIT_CATALOGS
    + ["catalogs.review_catalog", "catalogs.view_auditlogentry"],
    # Province admins hold every catalogs permission (other apps grant theirs).
    "province_admin": ["catalogs.*"],
}
# Other apps' grants by app label, added from their `AppConfig.ready` through
# `register_role_permissions` (catalogs never imports the apps built on it).
_REGISTERED_ROLE_PERMISSIONS: dict[str, dict[str, list[str]]] = {}
ROLE_GROUP_NAMES = {
    "province_admin": "省级管理员",
    "city_reviewer": "市级审核员",
    "county_clerk": "县级工作人员",
    "township_clerk": "乡镇（街道）工作人员",
}
# Roles that reach the Django admin (SPEC §7): it is the province's back office.
ADMIN_ROLES = frozenset({"province_admin"})


def register_role_permissions(
    app_label: str, grants: Mapping[str, Sequence[str]]
) -> None:
    """Declare the permissions of ``app_label`` that each role's group carries.

    Called once per app from its ``AppConfig.ready``; registering again replaces
    the app's grants. Every name must be ``"<app_label>.<codename>"`` (or
    ``"<app_label>.*"``) for a known role, so an app grants only its own models.
    """
    for role, names in grants.items():
        if role not in ROLE_GROUP_NAMES:
            raise ValueError(f"Unknown role {role!r} in the grants of {app_label!r}.")
        for name in names:
            if not name.startswith(f"{app_label}."):
                raise ValueError(f"{app_label!r} may not grant {name!r}.")
    _REGISTERED_ROLE_PERMISSIONS[app_label] = {
        role: list(names) for role, names in grants.items()
    }


def role_permissions() -> dict[str, list[str]]:
    """Role → every ``"app_label.codename"`` its group carries, catalogs' first.

    The one role → group map: `catalogs.reference.ensure_role_groups` builds the
    groups from it after every migrate.
    """
    merged = {role: list(names) for role, names in _CATALOG_ROLE_PERMISSIONS.items()}
    for grants in _REGISTERED_ROLE_PERMISSIONS.values():
        for role, names in grants.items():
            merged.setdefault(role, []).extend(names)
    return merged


def role_is_staff(*, role: str, is_superuser: bool) -> bool:
    """`is_staff` (the Django admin's gate) as derived from the role: province admins
    and superusers only. `catalogs.accounts` is the one place that stores it."""
    return is_superuser or role in ADMIN_ROLES


def can_use_admin(user) -> bool:
    """The Django admin: an active province admin or superuser whose stored
    `is_staff` agrees (both must hold, so a stale flag opens nothing)."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.is_staff
        and role_is_staff(
            role=getattr(user, "role", ""), is_superuser=user.is_superuser
        )
    )


def in_scope(user: User, region: Region | str) -> bool:
    """True if `region` is the user's region or lies below it."""
    code = scope_code(user)
    region_code = region if isinstance(region, str) else region.code
    return code is not None and region_code.startswith(code)


def is_strict_ancestor(user: User, region: Region | str) -> bool:
    code = scope_code(user)
    region_code = region if isinstance(region, str) else region.code
    return code is not None and region_code.startswith(code) and region_code != code


def can_view_catalog(user: User, catalog: Catalog) -> bool:
    return catalog.is_published or in_scope(user, catalog.region_id)


def can_edit_catalog(user: User, catalog: Catalog) -> bool:
    """Own region, an editable status, and the capability to change catalogs."""
    return (
        scope_code(user) == catalog.region_id
        and catalog.is_editable
        and user.has_perm("catalogs.change_catalog")
    )


def can_clone_catalog(user: User, region: Region | str) -> bool:
    region_code = region if isinstance(region, str) else region.code
    return scope_code(user) == region_code and user.has_perm("catalogs.add_catalog")


def can_review_catalogs(user: User) -> bool:
    """The capability to review lower regions' catalogs (the review queue)."""
    return user.has_perm("catalogs.review_catalog")


def can_see_review(user: User, catalog: Catalog) -> bool:
    """The review pages of a catalog, whatever its status: a reviewer of a strict
    ancestor of its region."""
    return can_review_catalogs(user) and is_strict_ancestor(user, catalog.region_id)


def can_review_catalog(user: User, catalog: Catalog) -> bool:
    """Reviewer = review capability on a strict ancestor of the catalog's region."""
    return (
        catalog.status == catalog.Status.SUBMITTED
        and can_review_catalogs(user)
        and is_strict_ancestor(user, catalog.region_id)
    )


def can_publish_catalog(user: User, catalog: Catalog) -> bool:
    """An approved version is published by its own region, or directly by the
    province for its templates (they have no reviewer above them)."""
    if scope_code(user) != catalog.region_id:
        return False
    if catalog.status == catalog.Status.APPROVED:
        return True
    return (
        catalog.is_template
        and catalog.is_editable
        and user.has_perm("catalogs.publish_catalog")
    )


def can_start_new_version(user: User, catalog: Catalog) -> bool:
    """Own region's published version; the service refuses if a draft is already open."""
    return (
        scope_code(user) == catalog.region_id
        and catalog.is_published
        and user.has_perm("catalogs.add_catalog")
    )


def can_withdraw_submission(user: User, catalog: Catalog) -> bool:
    """Own region's submitted version, by someone who may edit catalogs (the service
    also refuses once the review has started)."""
    return (
        scope_code(user) == catalog.region_id
        and catalog.status == catalog.Status.SUBMITTED
        and user.has_perm("catalogs.change_catalog")
    )


def can_answer_review_comment(user: User, comment: ReviewComment) -> bool:
    """The county answers an open comment on its own catalog while it is not yet
    approved (a draft, submitted or returned version)."""
    catalog = comment.catalog
    return (
        scope_code(user) == catalog.region_id
        and comment.closed_at is None
        and catalog.status
        in (catalog.Status.DRAFT, catalog.Status.SUBMITTED, catalog.Status.RETURNED)
        and user.has_perm("catalogs.change_catalog")
    )


def can_close_review_comment(user: User, comment: ReviewComment) -> bool:
    """A reviewer of the catalog closes an open comment before publication."""
    return (
        comment.closed_at is None
        and comment.catalog.status != comment.catalog.Status.PUBLISHED
        and can_see_review(user, comment.catalog)
    )


def access_review_comment(user: User, pk: int, *, for_write: bool = False):
    """A review comment of a catalog in the user's subtree (404 otherwise).

    Marking it handled (`for_write`) needs edit rights on its catalog.
    """
    try:
        comment = ReviewComment.objects.select_related("catalog").get(pk=pk)
    except ReviewComment.DoesNotExist:
        raise Http404 from None
    if not in_scope(user, comment.catalog.region_id):
        raise Http404
    if for_write and not can_edit_catalog(user, comment.catalog):
        raise PermissionDenied(
            _("只有本区划的目录编辑人员可以在草稿或退回修改的版本中处理审核意见。")
        )
    return comment


def access_catalog(
    user: User, pk: int, *, for_write: bool = False, manage: bool = False
) -> Catalog:
    """Fetch a catalog the user may see (or edit); anything else is a 404.

    With `manage` (staff pages under /work/), a catalog outside the user's region
    subtree is a 404 even when it is published: staff pages show drafts, comments
    and the audit trail, which belong to the region and its ancestors only.
    """
    qs = Catalog.objects.select_related(
        "region", "domain", "upstream", "upstream__region"
    )
    try:
        catalog = qs.get(pk=pk)
    except Catalog.DoesNotExist:
        raise Http404 from None
    if not can_view_catalog(user, catalog):
        raise Http404
    if manage and not in_scope(user, catalog.region_id):
        raise Http404
    if for_write and not can_edit_catalog(user, catalog):
        if in_scope(user, catalog.region_id):
            raise PermissionDenied(
                _("该目录当前不可编辑：只有本区划的草稿或退回修改的版本可以编辑。")
            )
        raise Http404
    return catalog


def access_catalog_item(
    user: User, pk: int, *, for_write: bool = False, manage: bool = False
) -> CatalogItem:
    """Fetch an item through its catalog's rules (see `access_catalog`)."""
    qs = CatalogItem.objects.select_related(
        "catalog", "catalog__region", "catalog__domain", "category", "upstream_item"
    )
    try:
        item = qs.get(pk=pk)
    except CatalogItem.DoesNotExist:
        raise Http404 from None
    if not can_view_catalog(user, item.catalog):
        raise Http404
    if manage and not in_scope(user, item.catalog.region_id):
        raise Http404
    if for_write and not can_edit_catalog(user, item.catalog):
        if in_scope(user, item.catalog.region_id):
            raise PermissionDenied(
                _("该目录当前不可编辑：只有本区划的草稿或退回修改的版本可以编辑。")
            )
        raise Http404
    return item


def access_new_item_draft(user: User, pk: int) -> ItemDraft:
    """A new-item draft (保存草稿 on the new-item form, issue 21), under the same
    rule as adding an item to its catalog (`access_catalog` for writing on a
    staff page); an edit-form draft or anything else is a 404."""
    try:
        draft = ItemDraft.objects.select_related("saved_by").get(
            pk=pk, item__isnull=True
        )
    except ItemDraft.DoesNotExist:
        raise Http404 from None
    draft.catalog = access_catalog(user, draft.catalog_id, for_write=True, manage=True)
    return draft


def can_resolve_source_notes(user: User, region: Region | str) -> bool:
    """Marking a 待核实 source note of an item of ``region``'s catalogs as handled
    (issue 16): a province admin (or superuser) for their region or below."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    role_ok = user.is_superuser or getattr(user, "role", "") in ADMIN_ROLES
    return role_ok and in_scope(user, region)


def can_manage_villages(user: User, region: Region | str | None = None) -> bool:
    """Adding villages (村/社区): county staff (and province admins) with the
    capability, for townships in their subtree (`region`, when given)."""
    code = scope_code(user)
    if code is None or not user.has_perm("catalogs.add_region"):
        return False
    if region is None:
        return True
    region_code = region if isinstance(region, str) else region.code
    return region_code.startswith(code)


def can_edit_calendar(user: User) -> bool:
    """The official working-day calendar (holidays, 调休): province admins."""
    return user.has_perm("catalogs.change_calendarday")


def can_view_security_log(user: User) -> bool:
    """The security log (安全日志): active province admins (their province's
    accounts) and superusers (all)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_superuser or (
        user.role == "province_admin"
        and bool(user.region_id)
        and user.has_perm("catalogs.view_auditlogentry")
    )


class RegionStaffRequiredMixin(LoginRequiredMixin):
    """Staff views: a logged-in user who belongs to a region (or a superuser)."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and scope_code(request.user) is None:
            raise PermissionDenied(
                _("您的账号未分配所属区划和角色，请联系省级管理员。")
            )
        return super().dispatch(request, *args, **kwargs)
