"""Form helpers shared by every app's views."""

from collections.abc import Mapping

from django import forms
from django.core.exceptions import ValidationError


def add_service_errors(form: forms.Form, error: ValidationError, fields: Mapping[str, str] | None = None):
    """Put the messages of a service's ValidationError on `form`: each under the form field of the
    same name (or the name `fields` maps it to), the rest at the top of the form."""
    fields = fields or {}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for name, errors in error.error_dict.items():
        target = fields.get(name, name)
        messages = [message for item in errors for message in item.messages]
        if target in form.fields:
            form.add_error(target, messages)
        elif name == "__all__":
            form.add_error(None, messages)
        else:
            label = name.replace("_", " ").capitalize()
            form.add_error(None, [f"{label}: {message}" for message in messages])
