"""Per-address limits of the anonymous forms (no third-party captcha): a flood from
one address gets a Chinese message instead of a stored application.

Counted in the shared cache (every app server sees the same counts), per client
address as django-axes determines it behind the proxy.
"""

from __future__ import annotations

from axes.helpers import get_client_ip_address

from django.conf import settings
from django.core.cache import cache


def _limit(name: str) -> tuple[int, int]:
    defaults = {"apply": (5, 3600), "status": (30, 3600)}
    return tuple(
        getattr(settings, "ONREQUEST_RATE_LIMITS", {}).get(name, defaults[name])
    )


def hit(request, name: str) -> bool:
    """Count one attempt; True if the address is still within its limit."""
    count, seconds = _limit(name)
    address = get_client_ip_address(request) or "unknown"
    key = f"onrequest:rate:{name}:{address}"
    if cache.add(key, 1, seconds):
        return True
    try:
        used = cache.incr(key)
    except ValueError:
        cache.set(key, 1, seconds)
        return True
    return used <= count
