"""What every page's header and footer need: site identity and display preferences."""

from __future__ import annotations

from urllib.parse import unquote_plus

from django.conf import settings

from disclosures.public.a11y import a11y_chosen, a11y_classes


def return_path(request) -> str:
    """Where the preference links send the visitor back to.

    The full path, unless its query holds an identifier (a search for an ID
    number): then the path alone, so the number is not echoed into the page.
    """
    from disclosures.deidentify import scan_text

    full = request.get_full_path()
    if request.META.get("QUERY_STRING") and scan_text(unquote_plus(full))[1]:
        return request.path
    return full


def site(request):
    """Site identity for the header and footer, and the display preferences."""
    chosen = a11y_chosen(request)
    return {
        "return_path": return_path(request),
        "a11y_classes": a11y_classes(request),
        "a11y_large": "large" in chosen,
        "a11y_contrast": "contrast" in chosen,
        "SITE_NAME": settings.SITE_NAME,
        "SITE_SPONSOR": settings.SITE_SPONSOR,
        "SITE_IDENTIFIER": settings.SITE_IDENTIFIER,
        "SITE_ICP": settings.SITE_ICP,
    }
