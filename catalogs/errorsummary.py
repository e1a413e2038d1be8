"""The entries of an error summary (the GOV.UK pattern) for a refused save.

A refused save shows, at the top of the page, one line per problem that links to
the control concerned: `templates/includes/error_summary.html` renders the entries,
`static/js/error-summary.js` moves the focus to the summary. The helpers here only
read bound forms and formsets (no database), so every staff form can use them:
templates call the ``{% error_summary form … %}`` tag (catalogs.templatetags).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext as _

_MULTI_INPUT = (forms.RadioSelect, forms.CheckboxSelectMultiple)


@dataclass(frozen=True)
class ErrorEntry:
    """One line of the summary: where (label), what (message), and the anchor."""

    label: str
    message: str
    href: str = ""


def field_anchor(bound_field) -> str:
    """The id of the first input of a bound field ("" for a hidden field).

    Radio buttons and checkbox lists have no single id for their label; the
    summary links to the first choice, which sits right under the legend.
    """
    if bound_field.is_hidden:
        return ""
    widget = bound_field.field.widget
    if isinstance(widget, _MULTI_INPUT):
        return f"{bound_field.auto_id}_0" if bound_field.auto_id else ""
    return bound_field.id_for_label or ""


def form_entries(form, *, row_label: str = "") -> list[ErrorEntry]:
    """Entries for one bound form: errors not tied to a field first, then each field.

    ``row_label`` (e.g. "公开内容第2项") prefixes the labels of a formset row.
    """
    if form is None or not form.is_bound or not form.errors:
        return []
    entries = [
        ErrorEntry(label=row_label, message=str(message))
        for message in form.non_field_errors()
    ]
    for bound in form:
        for message in bound.errors:
            label = str(bound.label or "")
            if row_label:
                label = _("%(row)s · %(field)s") % {"row": row_label, "field": label}
            entries.append(
                ErrorEntry(
                    label=label,
                    message=str(message),
                    href=f"#{anchor}" if (anchor := field_anchor(bound)) else "",
                )
            )
    return entries


def formset_entries(
    formset, *, row_label: str, section_anchor: str = ""
) -> list[ErrorEntry]:
    """Entries for a formset: its own errors (linked to the section), then each row.

    ``row_label`` is a gettext pattern with ``%(n)s``, the row's position as shown.
    """
    if formset is None or not formset.is_bound:
        return []
    href = f"#{section_anchor}" if section_anchor else ""
    entries = [
        ErrorEntry(label="", message=str(message), href=href)
        for message in formset.non_form_errors()
    ]
    for n, form in enumerate(formset.forms, start=1):
        entries.extend(form_entries(form, row_label=row_label % {"n": n}))
    return entries


def summary_entries(*sources) -> list[ErrorEntry]:
    """Entries for any mix of forms, formsets and objects with ``error_entries()``."""
    entries: list[ErrorEntry] = []
    for source in sources:
        if source is None or source == "":
            continue
        if hasattr(source, "error_entries"):
            entries.extend(source.error_entries())
        elif isinstance(source, forms.BaseFormSet):
            entries.extend(formset_entries(source, row_label=_("第%(n)s行")))
        elif isinstance(source, forms.BaseForm):
            entries.extend(form_entries(source))
        elif isinstance(source, Iterable) and not isinstance(source, str):
            entries.extend(
                e if isinstance(e, ErrorEntry) else ErrorEntry("", str(e))
                for e in source
            )
        else:
            entries.append(ErrorEntry(label="", message=str(source)))
    return entries
