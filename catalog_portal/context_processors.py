from django.conf import settings


A11Y_PREFS = {"large": "pref-large", "contrast": "pref-contrast"}


def a11y_classes(request) -> str:
    """The <html> classes of the large-font / high-contrast modes the visitor chose."""
    chosen = request.COOKIES.get("a11y", "").split(",")
    return " ".join(A11Y_PREFS[p] for p in chosen if p in A11Y_PREFS)


def site(request):
    """Site identity for the header and footer of every page."""
    return {
        "a11y_classes": a11y_classes(request),
        "SITE_NAME": settings.SITE_NAME,
        "SITE_SPONSOR": settings.SITE_SPONSOR,
        "SITE_IDENTIFIER": settings.SITE_IDENTIFIER,
        "SITE_ICP": settings.SITE_ICP,
    }
