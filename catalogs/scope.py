"""Region scope of a user, shared by QuerySets and the permission module.

Kept free of imports from django.contrib.auth so models can use it.
"""

from __future__ import annotations


def scope_code(user) -> str | None:
    """The region code the user's scope starts at; '' for everything, None for nothing."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.is_superuser:
        return ""
    if user.role and user.region_id:
        return user.region_id
    return None
