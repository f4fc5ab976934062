"""Words for what a court message carries as codes: its type, and dates as the courts sent them."""

import datetime

from django import template
from django.utils.dateformat import format as date_format

from courts.schemas import MessageType

register = template.Library()


@register.filter
def message_type_words(code: str) -> str:
    """'sentence.imposed' -> 'New sentence or order'; an unknown type is shown as received."""
    if not code:
        return ""
    try:
        return MessageType(code).label
    except ValueError:
        return code


@register.filter
def sent_date(value) -> str:
    """A date the courts sent as text ('1990-05-17') in the portal's format ('17 May 1990'); text that
    is not a date is shown as received, since staff must see exactly what the courts said."""
    if isinstance(value, datetime.date):
        return date_format(value, "j M Y")
    try:
        return date_format(datetime.date.fromisoformat(str(value)), "j M Y")
    except ValueError:
        return str(value)
