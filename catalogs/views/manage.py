"""Staff workspace (/work/): login required, scoped to the user's region."""

from __future__ import annotations

from django.views.generic import TemplateView

from .. import selectors
from ..permissions import RegionStaffRequiredMixin


class WorkspaceView(RegionStaffRequiredMixin, TemplateView):
    """The landing page after login: everything the user may do, as links."""

    template_name = "catalogs/workspace.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(selectors.workspace_overview(self.request.user))
        return context
