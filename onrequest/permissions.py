"""Who may see and handle applications (SPEC §12).

An application, with the applicant's identity and contact details, belongs to
staff of its receiving region only: any other region, above or beside it, gets
a 404 like a missing object. The one exception: an application escalated for
coordination is read (never handled) by the receiving region's direct superior
(`ApplicationQuerySet.visible_to`). City and province reviewers see counts and dates in
the progress review (`selectors.application_progress`), never the applicant.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from catalogs.permissions import register_role_permissions
from catalogs.scope import scope_code

from .models import Application, ApplicationFile

if TYPE_CHECKING:
    from catalogs.models import User

_HANDLE = [
    "onrequest.view_application",
    "onrequest.add_application",
    "onrequest.change_application",
    "onrequest.handle_application",
]
ROLE_PERMISSIONS: dict[str, list[str]] = {
    "township_clerk": _HANDLE,
    "county_clerk": _HANDLE,
    "city_reviewer": _HANDLE,
    "province_admin": ["onrequest.*"],
}


def register_grants() -> None:
    register_role_permissions("onrequest", ROLE_PERMISSIONS)


def can_handle_applications(user: User) -> bool:
    """Register and handle applications received by the user's own region."""
    return bool(scope_code(user)) and user.has_perm("onrequest.handle_application")


def can_view_progress(user: User) -> bool:
    """Counts and overdue applications of the regions below (city and province)."""
    return bool(getattr(user, "is_authenticated", False)) and (
        user.is_superuser or user.role in ("city_reviewer", "province_admin")
    )


def access_application(user: User, pk: int, *, for_write: bool = False) -> Application:
    """An application of the user's own region; anything else is a 404."""
    try:
        application = (
            Application.objects.visible_to(user).select_related("region").get(pk=pk)
        )
    except Application.DoesNotExist:
        raise Http404 from None
    if for_write and not can_act_on(user, application):
        raise PermissionDenied(
            _("只有受理机关的工作人员可以办理该申请；上级机关只能查看提请协调的申请。")
        )
    return application


def can_act_on(user: User, application: Application) -> bool:
    """Handle the steps: staff of the receiving region with the capability."""
    code = scope_code(user)
    return (
        code is not None
        and (code == "" or code == application.region_id)
        and user.has_perm("onrequest.handle_application")
    )


def access_application_file(user: User, pk: int, file_pk: int) -> ApplicationFile:
    application = access_application(user, pk)
    try:
        return application.files.get(pk=file_pk)
    except ApplicationFile.DoesNotExist:
        raise Http404 from None


def can_edit_letter_templates(user: User) -> bool:
    """The province-wide reply-letter templates: province admins (and superusers)."""
    return user.has_perm("onrequest.change_lettertemplate")
