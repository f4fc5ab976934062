"""`{{ moment|clock }}`: a time as GOV.UK's style writes it and as the time boxes show it back
("9:30am", "2:00pm", "midday", "midnight"), in New Zealand time for an aware datetime. Django's own
`time:"g:i a"` writes "9:30 a.m.". A builtin of the templates (settings.TEMPLATES), so no {% load %}."""

import datetime

from django import template
from django.utils import timezone

from ioms.forms import time_in_words

register = template.Library()


@register.filter
def clock(value) -> str:
    if isinstance(value, datetime.datetime):
        value = (timezone.localtime(value) if timezone.is_aware(value) else value).time()
    if not isinstance(value, datetime.time):
        return ""
    return time_in_words(value.replace(second=0, microsecond=0))
