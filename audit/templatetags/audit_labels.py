"""Plain words for the audit trail's stored field names (issue 14: no raw codes on pages)."""

from django import template

register = template.Library()


@register.filter
def field_label(name: str) -> str:
    """ "external_score" -> "External score": the trail keeps the model's field name; the page reads
    it as words."""
    words = str(name).replace("_", " ").strip()
    return words[:1].upper() + words[1:]
