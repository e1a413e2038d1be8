"""The one place that answers "may this user do X to this object".

Capabilities come from model permissions granted through one Group per role;
scope comes from region ancestry (a user acts within its own region's subtree).
Objects outside a user's scope answer 404, the same as a missing object, so a
URL does not reveal that another county's draft exists.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from .scope import scope_code

if TYPE_CHECKING:
    from .models import Catalog, CatalogItem, Region, User

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
# (`services.legal_document_get_or_create`).
_EDIT_CATALOGS = [
    "catalogs.add_catalog",
    "catalogs.change_catalog",
    "catalogs.add_catalogitem",
    "catalogs.change_catalogitem",
    "catalogs.add_itembasis",
    "catalogs.change_itembasis",
    "catalogs.delete_itembasis",
]
_PUBLISH_RECORDS = [
    "disclosures.view_disclosurerecord",
    "disclosures.add_disclosurerecord",
    "disclosures.change_disclosurerecord",
    "disclosures.view_obligation",
    "disclosures.view_namelist",
    "disclosures.add_namelist",
    "disclosures.change_namelist",
]
ROLE_PERMISSIONS: dict[str, list[str]] = {
    "township_clerk": _VIEW_CATALOGS + _EDIT_CATALOGS + _PUBLISH_RECORDS,
    "county_clerk": _VIEW_CATALOGS + _EDIT_CATALOGS + _PUBLISH_RECORDS,
    "city_reviewer": _VIEW_CATALOGS
    + _EDIT_CATALOGS
    + _PUBLISH_RECORDS
    + ["catalogs.review_catalog", "catalogs.view_auditlogentry"],
    # Province admins hold every permission of the portal's own apps.
    "province_admin": ["catalogs.*", "disclosures.*"],
}
ROLE_GROUP_NAMES = {
    "province_admin": "省级管理员",
    "city_reviewer": "市级审核员",
    "county_clerk": "县级工作人员",
    "township_clerk": "乡镇（街道）工作人员",
}
# Roles that reach the Django admin (SPEC §7): it is the province's back office.
ADMIN_ROLES = frozenset({"province_admin"})


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
        and role_is_staff(role=getattr(user, "role", ""), is_superuser=user.is_superuser)
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


def can_review_catalog(user: User, catalog: Catalog) -> bool:
    """Reviewer = review capability on a strict ancestor of the catalog's region."""
    return (
        catalog.status == catalog.Status.SUBMITTED
        and user.has_perm("catalogs.review_catalog")
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


def access_review_comment(user: User, pk: int, *, for_write: bool = False):
    """A review comment of a catalog in the user's subtree (404 otherwise).

    Marking it handled (`for_write`) needs edit rights on its catalog.
    """
    from .models import ReviewComment

    try:
        comment = ReviewComment.objects.select_related("catalog").get(pk=pk)
    except ReviewComment.DoesNotExist:
        raise Http404 from None
    if not in_scope(user, comment.catalog.region_id):
        raise Http404
    if for_write and not can_edit_catalog(user, comment.catalog):
        raise PermissionDenied(_("只有本区划的目录编辑人员可以在草稿或退回修改的版本中处理审核意见。"))
    return comment


def access_catalog(
    user: User, pk: int, *, for_write: bool = False, manage: bool = False
) -> Catalog:
    """Fetch a catalog the user may see (or edit); anything else is a 404.

    With `manage` (staff pages under /work/), a catalog outside the user's region
    subtree is a 404 even when it is published: staff pages show drafts, comments
    and the audit trail, which belong to the region and its ancestors only.
    """
    from .models import Catalog

    qs = Catalog.objects.select_related("region", "domain", "upstream", "upstream__region")
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
            raise PermissionDenied(_("该目录当前不可编辑：只有本区划的草稿或退回修改的版本可以编辑。"))
        raise Http404
    return catalog


def access_catalog_item(
    user: User, pk: int, *, for_write: bool = False, manage: bool = False
) -> CatalogItem:
    """Fetch an item through its catalog's rules (see `access_catalog`)."""
    from .models import CatalogItem

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
            raise PermissionDenied(_("该目录当前不可编辑：只有本区划的草稿或退回修改的版本可以编辑。"))
        raise Http404
    return item


# --- name lists (名单公示) ---------------------------------------------------------
# Duck-typed on the disclosures objects (catalogs never imports disclosures); the
# `access_name_list*` helpers built on these live in `disclosures.namelists`.


def _name_list_region_code(name_list) -> str:
    return name_list.region_id or name_list.record.region_id


def can_upload_name_list(user: User, record) -> bool:
    """A record of the user's subtree that is not withdrawn, and the capability to add lists."""
    return (
        in_scope(user, record.region_id)
        and record.status != "withdrawn"
        and user.has_perm("disclosures.add_namelist")
    )


def can_manage_name_list(user: User, name_list) -> bool:
    """Submit, replace or delete a list of the user's subtree."""
    return in_scope(user, _name_list_region_code(name_list)) and user.has_perm(
        "disclosures.change_namelist"
    )


def can_confirm_name_list(user: User, name_list) -> bool:
    """The confidentiality review (保密审查) of a pending list.

    A second person of the list's region or of a region above it (codes are
    prefixes, so never another county or a sibling township), never the
    uploader. The reviewer needs a region of its own: the database constraint
    records and checks it.
    """
    code = scope_code(user)
    return (
        bool(code)
        and name_list.status == "pending"
        and _name_list_region_code(name_list).startswith(code)
        and (name_list.uploaded_by_id is None or name_list.uploaded_by_id != user.pk)
        and user.has_perm("disclosures.change_namelist")
    )


def can_confirm_attachment(user: User, attachment) -> bool:
    """The second look at an attachment the scanner could not read (a scan, a photo).

    The name-list rule: a second person of the record's region or of a region
    above it, never the uploader, with the capability to change records.
    """
    code = scope_code(user)
    return (
        bool(code)
        and attachment.scan_status == "needs_review"
        and attachment.record.region_id.startswith(code)
        and (attachment.uploaded_by_id is None or attachment.uploaded_by_id != user.pk)
        and user.has_perm("disclosures.change_disclosurerecord")
    )


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
            raise PermissionDenied(_("您的账号未分配所属区划和角色，请联系省级管理员。"))
        return super().dispatch(request, *args, **kwargs)
