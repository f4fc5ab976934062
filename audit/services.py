"""Writes to the audit trail. Every service that changes a record calls `audit_record` in the
same transaction as the change, so a change never exists without its audit row."""

import datetime
import decimal
from collections.abc import Iterable
from typing import Any

from django.db import models

from audit import context
from audit.models import AuditAction, AuditEvent


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, datetime.date | datetime.datetime | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, list | tuple | set):
        return [_plain(item) for item in value]
    return value


def _offender_id_of(obj: models.Model | None) -> int | None:
    if obj is None:
        return None
    if obj._meta.label == "offenders.Offender":
        return obj.pk
    if getattr(obj, "offender_id", None) is not None:
        return obj.offender_id
    for parent in ("sentence", "referral", "document"):
        if getattr(obj, f"{parent}_id", None) is not None:
            return getattr(obj, parent).offender_id
    return None


def audit_record(
    *,
    actor,
    action: AuditAction,
    obj: models.Model | None = None,
    offender_id: int | None = None,
    summary: str = "",
    changes: dict | None = None,
    query: str = "",
) -> AuditEvent:
    ctx = context.current()
    actor_is_user = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEvent.objects.create(
        actor=actor if actor_is_user else None,
        actor_label=(actor.get_username() if actor_is_user else (str(actor) if actor else "system"))[:150],
        action=action,
        object_type=obj._meta.label if obj is not None else "",
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        offender_id=offender_id if offender_id is not None else _offender_id_of(obj),
        summary=summary[:300],
        changes=changes or {},
        query=query[:500],
        ip_address=ctx.ip_address,
        user_agent=ctx.user_agent,
        channel=ctx.channel,
    )


def audit_view(*, actor, obj: models.Model, summary: str = "") -> AuditEvent:
    return audit_record(actor=actor, action=AuditAction.VIEW, obj=obj, summary=summary or f"Viewed {obj}")


def audit_search(*, actor, scope: str, terms: dict) -> AuditEvent:
    query = "&".join(f"{key}={value}" for key, value in sorted(terms.items()) if value not in (None, ""))
    return audit_record(actor=actor, action=AuditAction.SEARCH, summary=f"Searched {scope}", query=query)


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    return {name: _plain(getattr(instance, name)) for name in fields}


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list]:
    """{field: [old, new]} for fields whose value changed."""
    return {name: [before.get(name), after[name]] for name in after if before.get(name) != after[name]}


def audit_created(*, actor, obj: models.Model, fields: Iterable[str], summary: str = "") -> AuditEvent:
    values = snapshot(obj, fields)
    return audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=obj,
        summary=summary or f"Created {obj._meta.verbose_name} {obj}",
        changes={name: [None, value] for name, value in values.items() if value not in (None, "")},
    )


def audit_listed(*, actor, offender_ids: Iterable[int], summary: str) -> None:
    """A list that shows records of several offenders files one view row under each of them, in one
    insert, so each offender's history shows who saw their record in a list."""
    ctx = context.current()
    actor_is_user = actor is not None and getattr(actor, "is_authenticated", False)
    # Named like audit_record's: a machine reader (a data-share credential) by its own name.
    label = (actor.get_username() if actor_is_user else (str(actor) if actor else "system"))[:150]
    AuditEvent.objects.bulk_create(
        AuditEvent(
            actor=actor if actor_is_user else None,
            actor_label=label,
            action=AuditAction.VIEW,
            offender_id=offender_id,
            summary=summary[:300],
            ip_address=ctx.ip_address,
            user_agent=ctx.user_agent,
            channel=ctx.channel,
        )
        for offender_id in sorted(set(offender_ids))
    )
