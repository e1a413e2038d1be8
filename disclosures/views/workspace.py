"""The staff workspace /work/: everything a user may do, as links and worklists.

It lives in the disclosures app because it composes both apps (disclosures
imports catalogs, never the reverse). Each area contributes one partial.
"""

from __future__ import annotations

from django.views.generic import TemplateView

from catalogs import selectors as catalog_selectors
from catalogs.permissions import (
    RegionStaffRequiredMixin,
    can_review_catalogs,
    can_use_admin,
    can_view_security_log,
)

from ..namelists.selectors import name_list_review_queue
from ..permissions import can_add_records, can_review_name_lists, can_view_name_lists
from ..records.worklists import worklist_for


def _reviewer_queue(user) -> dict | None:
    """What waits for this reviewer (one COUNT per capability), or None."""
    reviews_catalogs = can_review_catalogs(user)
    reviews_lists = can_review_name_lists(user)
    if not (reviews_catalogs or reviews_lists):
        return None
    return {
        "catalogs": catalog_selectors.review_queue_count(user)
        if reviews_catalogs
        else None,
        "name_lists": name_list_review_queue(user).count() if reviews_lists else None,
    }


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
        context["reviewer_queue"] = _reviewer_queue(self.request.user)
        return context
