"""`{% opengov_workspace_panel %}`: the guide and annual-report panel of the workspace
(/work/), with the reminder before the reporting deadline; empty for users who do
not write guides and reports (opengov sits above disclosures, whose workspace view
cannot know it)."""

from __future__ import annotations

from django import template

from ..permissions import can_write_reports
from ..selectors import report_reminder

register = template.Library()


@register.inclusion_tag("opengov/_workspace_opengov.html", takes_context=True)
def opengov_workspace_panel(context) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    region = getattr(user, "region", None) if user is not None else None
    if user is None or not user.is_authenticated or not can_write_reports(user, region):
        return {"panel": None}
    return {"panel": {"reminder": report_reminder(region)}}
