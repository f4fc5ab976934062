"""Small helpers for the browser-page tests."""

import re
from html import unescape


def text(response) -> str:
    """The page as a user reads it: tags removed, entities decoded, whitespace collapsed."""
    html = response.content.decode()
    html = re.sub(r"<(script|style|template|datalist)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def field_errors(response, form_name: str = "form") -> dict:
    """{field: [messages]} of a form in the response context (with '__all__' for the rest)."""
    form = response.context[form_name]
    return {name: list(errors) for name, errors in form.errors.items()}
