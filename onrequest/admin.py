"""Applications in the Django admin: read-only (writes go through onrequest.services)."""
