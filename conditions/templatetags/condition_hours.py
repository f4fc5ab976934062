"""Hours as people write them: 7.5, 92.25, 100 (not 7.50 or 100.00)."""

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def hours(value) -> str:
    if value is None or value == "":
        return "—"
    return f"{Decimal(value).normalize():f}"
