"""Tags for the structure every page shares (issue 14): the "Error: " prefix of the title of a page
showing a form with errors (WCAG 2.4.2, GOV.UK's error pattern), and the case header's warnings.

They live in records, the app that draws an offender's record, because base.html and
includes/case_header.html load them on every page; a template tag imports nothing above it."""

from django import template
from django.forms import BaseForm
from django.forms.formsets import BaseFormSet

from offenders.models import Flag
from offenders.selectors import offender_active_flags

register = template.Library()


def _has_errors(value) -> bool:
    if isinstance(value, BaseForm):
        return value.is_bound and bool(value.errors)
    if isinstance(value, BaseFormSet):
        return value.is_bound and value.total_error_count() > 0
    return False


@register.simple_tag(takes_context=True)
def error_prefix(context) -> str:
    """ "Error: " when any form (or formset) in the page's context was submitted with errors, so
    that a screen reader hears at once that the page came back refused. A page with several forms
    may pass them in a list, tuple or dict: one level of those is looked into too."""
    for value in context.flatten().values():
        if isinstance(value, list | tuple):
            candidates = value
        elif isinstance(value, dict):
            candidates = value.values()
        else:
            candidates = (value,)
        if any(_has_errors(candidate) for candidate in candidates):
            return "Error: "
    return ""


@register.simple_tag(takes_context=True)
def case_warnings(context, offender) -> list:
    """The offender's active flags for the case header: those the record's frame already read for
    this request (offenders.views.record_context puts them in `warnings`), else one query."""
    warnings = context.get("warnings")
    # Another page's `warnings` may be something else (a list of messages): only flags will do.
    if not isinstance(warnings, list) or not all(isinstance(flag, Flag) for flag in warnings):
        warnings = offender_active_flags(offender)
    return warnings


@register.simple_tag
def current_tab_label(tabs) -> str:
    """The label of the record's tab the page is under (offenders.views.record_context's `tabs`):
    the default name of a page of the record in its title and h1."""
    for item in tabs or ():
        if item.get("current"):
            return item["label"]
    return "Record"
