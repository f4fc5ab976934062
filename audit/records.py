"""The one generic path for changing fields of a record: validate, save only the changed fields,
and write the audit row with the before/after values, all in the caller's transaction."""

from typing import Any

from django.db import models

from audit.models import AuditAction
from audit.services import audit_record, diff, snapshot


def record_update(*, actor, instance: models.Model, data: dict[str, Any], summary: str = "") -> dict:
    """Apply `data` to `instance`, run full validation, save the changed fields and audit them.

    Returns the {field: [old, new]} changes (empty when nothing changed: then nothing is written).
    Raises django.core.exceptions.ValidationError and leaves the row untouched on bad input.
    """
    fields = list(data)
    before = snapshot(instance, fields)
    for name, value in data.items():
        setattr(instance, name, value)
    changes = diff(before, snapshot(instance, fields))
    if not changes:
        return {}
    instance.full_clean()
    update_fields = [instance._meta.get_field(name).attname for name in changes]
    if any(field.name == "updated_at" for field in instance._meta.fields):
        update_fields.append("updated_at")
    instance.save(update_fields=update_fields)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=instance,
        summary=summary or f"Changed {instance._meta.verbose_name} {instance}",
        changes=changes,
    )
    return changes
