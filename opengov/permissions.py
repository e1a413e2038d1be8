"""Who may edit a region's 政府信息公开指南 and write its annual reports.

The staff of that region and nobody else: a county clerk does not write a
township's guide or report, and a reviewer above does not write the county's.
Scope comes from `catalogs.permissions` / `catalogs.scope` (the user's region);
capabilities from the opengov model permissions each role's group carries.
Another region's report answers 404, like a missing one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from catalogs.models import Region
from catalogs.permissions import (
    RegionStaffRequiredMixin,
    in_scope,
    register_role_permissions,
)
from catalogs.scope import scope_code

from .models import AnnualReport

if TYPE_CHECKING:
    from catalogs.models import User

_WRITE = [
    "opengov.view_guide",
    "opengov.add_guide",
    "opengov.change_guide",
    "opengov.view_annualreport",
    "opengov.add_annualreport",
    "opengov.change_annualreport",
]
ROLE_PERMISSIONS: dict[str, list[str]] = {
    "township_clerk": _WRITE,
    "county_clerk": _WRITE,
    "city_reviewer": ["opengov.view_guide", "opengov.view_annualreport"],
    "province_admin": ["opengov.view_guide", "opengov.view_annualreport"],
}
#: The levels that keep a guide and publish annual reports here (SPEC §13).
REPORTING_LEVELS = (Region.Level.COUNTY, Region.Level.TOWNSHIP)


def register_grants() -> None:
    """Add the opengov permissions to the role groups (from `AppConfig.ready`)."""
    register_role_permissions("opengov", ROLE_PERMISSIONS)


def own_region_code(user: User) -> str | None:
    """The region the user writes guides and reports for, or None (superusers
    and users without a region act for no region)."""
    code = scope_code(user)
    return code or None


def can_edit_guide(user: User, region: Region) -> bool:
    return (
        own_region_code(user) == region.code
        and region.level in REPORTING_LEVELS
        and user.has_perm("opengov.change_guide")
    )


def can_write_reports(user: User, region: Region | None) -> bool:
    return (
        region is not None
        and own_region_code(user) == region.code
        and region.level in REPORTING_LEVELS
        and user.has_perm("opengov.change_annualreport")
    )


def require_own_reporting_region(user: User) -> Region:
    """The user's region if it keeps a guide and reports and the user may write
    them; otherwise PermissionDenied with what is wrong."""
    region = getattr(user, "region", None)
    if own_region_code(user) is None or region is None:
        raise PermissionDenied(
            _(
                "政府信息公开指南和年度报告由县、乡两级的工作人员编写；您的账号没有所属区划。"
            )
        )
    if region.level not in REPORTING_LEVELS:
        raise PermissionDenied(
            _(
                "政府信息公开指南和年度报告由县（市、区）和乡镇（街道）编写，%(region)s不在此列。"
            )
            % {"region": region.name}
        )
    if not user.has_perm("opengov.change_annualreport"):
        raise PermissionDenied(_("您的角色不能编写政府信息公开指南和年度报告。"))
    return region


def access_report(user: User, pk: int, *, for_write: bool = False) -> AnnualReport:
    """A report of the user's own region (404 for a missing one and for any other
    region's, 403 when it may be seen but not written)."""
    try:
        report = AnnualReport.objects.select_related("region", "record").get(pk=pk)
    except AnnualReport.DoesNotExist:
        raise Http404 from None
    if own_region_code(user) != report.region_id or not in_scope(
        user, report.region_id
    ):
        raise Http404
    if for_write and not can_write_reports(user, report.region):
        raise PermissionDenied(_("您的角色不能编写年度报告。"))
    return report


class OpengovStaffMixin(RegionStaffRequiredMixin):
    """Staff pages of the guide and the reports: a region user (login first)."""
