"""The staff workspace /work/: everything a user may do, as links and worklists.

It lives in the disclosures app because it composes both apps (disclosures
imports catalogs, never the reverse). Each area contributes one partial.
"""

from __future__ import annotations

from django.views.generic import TemplateView

from catalogs import selectors as catalog_selectors
from catalogs.permissions import (
    RegionStaffRequiredMixin,
    can_use_admin,
    can_view_security_log,
)

from ..permissions import can_add_records, can_view_name_lists
from ..records.worklists import worklist_for


class WorkspaceView(RegionStaffRequiredMixin, TemplateView):
    template_name = "workspace.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(catalog_selectors.workspace_overview(self.request.user))
        context["worklist"] = worklist_for(self.request.user, limit=5)
        context["can_use_admin"] = can_use_admin(self.request.user)
        context["can_view_security_log"] = can_view_security_log(self.request.user)
        context["can_add_records"] = can_add_records(self.request.user)
        context["can_view_name_lists"] = can_view_name_lists(self.request.user)
        return context
