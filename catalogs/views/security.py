"""The security log (安全日志) of staff accounts, for province admins.

Logins, failed logins, lockouts, logouts, password and role changes of the
accounts of the admin's province (`catalogs.security`), paginated and filterable
by event kind and username. Anyone else is refused (403).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from .. import permissions, security

ENTRIES_PER_PAGE = 50


class SecurityLogView(permissions.RegionStaffRequiredMixin, TemplateView):
    template_name = "catalogs/security_log.html"

    def get(self, request, *args, **kwargs):
        if not permissions.can_view_security_log(request.user):
            raise PermissionDenied(_("安全日志只对省级管理员开放。"))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        kind = self.request.GET.get("kind", "")
        if kind not in security.EVENT_LABELS:
            kind = ""
        username = self.request.GET.get("username", "").strip()[:150]
        page = Paginator(
            security.security_log_list(user, kind=kind, username=username),
            ENTRIES_PER_PAGE,
        ).get_page(self.request.GET.get("page", 1))
        context.update(
            page_obj=page,
            rows=security.security_log_rows(page),
            kinds=[
                (value, str(label)) for value, label in security.EVENT_LABELS.items()
            ],
            kind=kind,
            username=username,
            scope_label=user.region.name if user.region_id else _("全部区划"),
        )
        return context
