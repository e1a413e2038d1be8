"""Who may open which progress pages: a reviewer sees exactly its own subtree."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from catalogs.models import Region
from catalogs.permissions import in_scope
from catalogs.scope import scope_code
from catalogs.selectors import region_get_with_ancestors

from .metrics import LEVEL_LENGTHS, TOWNSHIP_LENGTH

PROVINCE_CODE = "41"


def can_view_progress(user) -> bool:
    """Province admins, city reviewers and county clerks (and superusers).

    A township has no region below it to review, so its clerks have no
    progress pages; everybody else sees exactly its own subtree.
    """
    code = scope_code(user)
    if code is None:
        return False
    return len(code) < TOWNSHIP_LENGTH


def progress_home_code(user) -> str:
    """The region a user's progress pages start at (the province for superusers)."""
    return scope_code(user) or PROVINCE_CODE


def progress_access_region(
    user, code: str | None = None
) -> tuple[Region, list[Region]]:
    """The region to review and its ancestors; 404 outside the user's subtree.

    Raises `PermissionDenied` for users without progress pages at all (township
    clerks, accounts without a region) and `Http404` for a region that does not
    exist, lies outside the user's subtree or is below township level.
    """
    if not can_view_progress(user):
        raise PermissionDenied(
            _("进展统计面向省、市、县三级工作人员；您的账号没有可查看的下级单位。")
        )
    code = code or progress_home_code(user)
    if not in_scope(user, code) or len(code) not in LEVEL_LENGTHS:
        raise Http404
    try:
        return region_get_with_ancestors(code)
    except Region.DoesNotExist:
        raise Http404 from None
