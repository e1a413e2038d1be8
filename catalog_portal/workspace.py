"""The staff workspace /work/ as the project composes it.

disclosures' `WorkspaceView` knows catalogs and disclosures; the on-request panel
(依申请公开: applications to register, due soon, overdue, to archive) is added here,
above both apps, so that neither disclosures nor catalogs imports onrequest.
"""

from __future__ import annotations

from disclosures.views.workspace import WorkspaceView
from onrequest.permissions import (
    can_edit_letter_templates,
    can_handle_applications,
    can_view_progress,
)
from onrequest.selectors import application_worklist


class PortalWorkspaceView(WorkspaceView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["applications_panel"] = {
            "worklist": application_worklist(user, limit=5),
            "can_handle": can_handle_applications(user),
            "can_view_progress": can_view_progress(user),
            "can_edit_letters": can_edit_letter_templates(user),
        }
        return context
