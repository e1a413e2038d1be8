"""``{% error_summary form other_form … %}``: the error summary of a refused save."""

from django import template

from ..errorsummary import summary_entries

register = template.Library()


@register.inclusion_tag("includes/error_summary.html")
def error_summary(*sources, title: str = "", note_text: str = "", note_href: str = ""):
    """Render the summary for any mix of forms, formsets and error-entry sources.

    Nothing is rendered when no source has an error.
    """
    return {
        "entries": summary_entries(*sources),
        "title": title,
        "note_text": note_text,
        "note_href": note_href,
    }
