"""Views of the on-request workflow: public (apply, status) and manage (staff)."""
