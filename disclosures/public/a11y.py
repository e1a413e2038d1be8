"""The visitor's display preferences (large font, high contrast), kept in the `a11y` cookie.

The server renders them as classes on <html>, so the page cache keys on them
(`cache`) and the project's context processor and preference view read them
from here (the project imports apps, never the reverse).
"""

from __future__ import annotations

# Display preferences kept in the `a11y` cookie → the <html> class that applies them.
A11Y_PREFS = {"large": "pref-large", "contrast": "pref-contrast"}
A11Y_COOKIE = "a11y"


def a11y_chosen(request) -> list[str]:
    """The preferences the visitor turned on, in a stable order."""
    chosen = set(request.COOKIES.get(A11Y_COOKIE, "").split(","))
    return [p for p in A11Y_PREFS if p in chosen]


def a11y_classes(request) -> str:
    """The <html> classes of the large-font / high-contrast modes the visitor chose."""
    return " ".join(A11Y_PREFS[p] for p in a11y_chosen(request))
