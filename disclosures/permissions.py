"""The disclosures app's answers to "may this user do X to this object".

The region scope comes from `catalogs.permissions` (a user acts within its own
region's subtree); the capabilities are the disclosures model permissions that
each role's group carries. Those grants are declared here and registered with
catalogs (which owns the users, roles and groups) from `DisclosuresConfig.ready`,
so catalogs never has to know the disclosures codenames.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from catalogs.permissions import in_scope, register_role_permissions
from catalogs.scope import scope_code

from .models import Attachment, DisclosureRecord, NameList
from .namelists.states import REPLACEABLE, ROWS_VISIBLE_TO_STAFF, name_list_is_stuck

if TYPE_CHECKING:
    from catalogs.models import User

# Permissions granted to each role's group, as "app_label.codename".
_PUBLISH_RECORDS = [
    "disclosures.view_disclosurerecord",
    "disclosures.add_disclosurerecord",
    "disclosures.change_disclosurerecord",
    "disclosures.view_obligation",
    "disclosures.view_namelist",
    "disclosures.add_namelist",
    "disclosures.change_namelist",
]
# Proof of posting (张榜证明): clerks attach photos, reviewers above look at them.
_POST_NOTICES = ["disclosures.view_postingproof", "disclosures.add_postingproof"]
ROLE_PERMISSIONS: dict[str, list[str]] = {
    "township_clerk": _PUBLISH_RECORDS + _POST_NOTICES,
    "county_clerk": _PUBLISH_RECORDS + _POST_NOTICES,
    "city_reviewer": _PUBLISH_RECORDS + ["disclosures.view_postingproof"],
    # Province admins hold every permission of the app.
    "province_admin": ["disclosures.*"],
}


def register_grants() -> None:
    """Add the disclosures permissions to the role groups (from `AppConfig.ready`)."""
    register_role_permissions("disclosures", ROLE_PERMISSIONS)


# --- records --------------------------------------------------------------------------


def can_add_records(user: User) -> bool:
    """Register new records (登记公开信息)."""
    return user.has_perm("disclosures.add_disclosurerecord")


# --- name lists (名单公示) ------------------------------------------------------------


def _name_list_region_code(name_list: NameList) -> str:
    return name_list.region_id or name_list.record.region_id


def can_view_name_lists(user: User) -> bool:
    """The staff name-list pages (index, review queue)."""
    return user.has_perm("disclosures.view_namelist")


def can_upload_name_lists(user: User) -> bool:
    """The capability to add name lists at all (records still need to be in scope)."""
    return user.has_perm("disclosures.add_namelist")


def can_review_name_lists(user: User) -> bool:
    """The capability behind the confidentiality review (保密审查) queue."""
    return user.has_perm("disclosures.change_namelist")


def can_upload_name_list(user: User, record: DisclosureRecord) -> bool:
    """A record of the user's subtree that is not withdrawn, and the capability to add lists."""
    return (
        in_scope(user, record.region_id)
        and record.status != DisclosureRecord.Status.WITHDRAWN
        and can_upload_name_lists(user)
    )


def can_manage_name_list(user: User, name_list: NameList) -> bool:
    """Submit, replace or delete a list of the user's subtree."""
    return in_scope(user, _name_list_region_code(name_list)) and user.has_perm(
        "disclosures.change_namelist"
    )


def can_confirm_name_list(user: User, name_list: NameList) -> bool:
    """The confidentiality review (保密审查) of a pending list.

    A second person of the list's region or of a region above it (codes are
    prefixes, so never another county or a sibling township), never the
    uploader. The reviewer needs a region of its own: the database constraint
    records and checks it.
    """
    code = scope_code(user)
    return (
        bool(code)
        and name_list.status == NameList.Status.PENDING
        and _name_list_region_code(name_list).startswith(code)
        and (name_list.uploaded_by_id is None or name_list.uploaded_by_id != user.pk)
        and can_review_name_lists(user)
    )


# --- attachments ----------------------------------------------------------------------


def can_confirm_attachment(user: User, attachment: Attachment) -> bool:
    """The second look at an attachment the scanner could not read (a scan, a photo).

    The name-list rule: a second person of the record's region or of a region
    above it, never the uploader, with the capability to change records.
    """
    code = scope_code(user)
    return (
        bool(code)
        and attachment.scan_status == Attachment.ScanStatus.NEEDS_REVIEW
        and attachment.record.region_id.startswith(code)
        and (attachment.uploaded_by_id is None or attachment.uploaded_by_id != user.pk)
        and user.has_perm("disclosures.change_disclosurerecord")
    )


# --- proof of posting (张榜证明) ---------------------------------------------------------


def can_view_posting(user: User, record: DisclosureRecord) -> bool:
    """The proof photos of a record: staff of its region or a region above it."""
    return in_scope(user, record.region_id) and user.has_perm(
        "disclosures.view_postingproof"
    )


def can_add_posting(user: User, record: DisclosureRecord) -> bool:
    """Attach or remove proof photos: clerks of the record's region or above."""
    return in_scope(user, record.region_id) and user.has_perm(
        "disclosures.add_postingproof"
    )


def can_set_record_village(user: User, record: DisclosureRecord) -> bool:
    """Name the village (村/社区) a record concerns: staff who may change records there."""
    return in_scope(user, record.region_id) and user.has_perm(
        "disclosures.change_disclosurerecord"
    )


# --- name lists: access helpers and template flags -------------------------------------


def access_record_for_name_list(user: User, pk: int) -> DisclosureRecord:
    """A record of the user's subtree that may receive a name list (404 outside the subtree)."""
    try:
        record = (
            DisclosureRecord.objects.editable_by(user)
            .select_related("region", "item", "domain")
            .get(pk=pk)
        )
    except DisclosureRecord.DoesNotExist:
        raise Http404 from None
    if not can_upload_name_list(user, record):
        raise PermissionDenied(
            _("撤回的公开信息不能上传名单；您也可能没有上传名单的权限。")
        )
    return record


def access_name_list(user: User, pk: int, *, for_write: bool = False) -> NameList:
    """A name list of the user's region subtree; anything else is a 404.

    ``for_write`` (submit, delete) also needs the capability to change lists.
    """
    try:
        name_list = (
            NameList.objects.visible_to(user)
            .select_related(
                "record",
                "record__region",
                "record__domain",
                "record__item",
                "uploaded_by",
                "confirmed_by",
                "region",
            )
            .get(pk=pk)
        )
    except NameList.DoesNotExist:
        raise Http404 from None
    if for_write and not can_manage_name_list(user, name_list):
        raise PermissionDenied(_("您没有修改名单的权限。"))
    return name_list


def access_name_list_for_review(user: User, pk: int) -> NameList:
    """A list the user may confirm or reject (保密审查).

    Another county's list is a 404 like any out-of-scope object; the uploader
    (in scope) gets a 403 that says why.
    """
    name_list = access_name_list(user, pk)
    if can_confirm_name_list(user, name_list):
        return name_list
    if name_list.uploaded_by_id == user.pk:
        raise PermissionDenied(
            _(
                "上传人不能审查自己上传的名单，请由本单位或上级单位的另一位工作人员确认。"
            )
        )
    if name_list.status != NameList.Status.PENDING:
        raise PermissionDenied(_("该名单当前不在待保密审查状态。"))
    raise PermissionDenied(
        _("只有名单所属区划或上级区划、具有审查权限的工作人员可以审查该名单。")
    )


def staff_can(user: User, name_list: NameList) -> dict:
    """Flags the staff templates read (no query)."""
    manage = can_manage_name_list(user, name_list)
    return {
        "can_submit": manage and name_list.status == NameList.Status.PREVIEW,
        "can_delete": manage
        and (
            name_list.status != NameList.Status.PROCESSING
            or name_list_is_stuck(name_list)
        ),
        "can_review": can_confirm_name_list(user, name_list),
        "can_replace": manage
        and name_list.status in REPLACEABLE
        and in_scope(user, name_list.record.region_id),
        "rows_visible": name_list.status in ROWS_VISIBLE_TO_STAFF,
    }
