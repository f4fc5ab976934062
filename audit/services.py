"""Writes to the audit trail. Every service that changes a record calls `audit_record` in the
same transaction as the change, so a change never exists without its audit row.

Inside `batch_writes()` (the court interface applying a batch of messages) audit rows, and the
other rows nothing reads back before the transaction ends (system casenotes, transition rows:
`batch_insert`), are kept in memory and inserted with one multi-row INSERT per table when the block
ends, still in the same transaction: a batch of 100 messages writes its ~1,000 such rows in a few
statements rather than one each. Their `at`/`created_at` is the moment of that INSERT. The domain
events' outbox rows wait the same way (events.domain.outbox_batch)."""

import contextlib
import datetime
import decimal
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from typing import Any

from django.db import models, transaction

from audit import context
from audit.models import AuditAction, AuditEvent
from events.domain import outbox_batch, outbox_batch_undone_on_error


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
    # A record under a sentence, referral, document or plan (an objective) is about its offender.
    for parent in ("sentence", "referral", "document", "plan"):
        if getattr(obj, f"{parent}_id", None) is not None:
            return getattr(obj, parent).offender_id
    return None


class _BatchWrites:
    def __init__(self) -> None:
        self.rows: list[models.Model] = []
        self.waiting: set[int] = set()  # id() of the rows in `rows`
        # Audit rows of objects that are themselves waiting in `rows` (their pk comes at the INSERT).
        self.objects_of: dict[int, models.Model] = {}

    def flush(self) -> None:
        rows, self.rows, self.waiting = self.rows, [], set()
        by_model: dict[type[models.Model], list[models.Model]] = {}
        for row in rows:
            by_model.setdefault(type(row), []).append(row)
        audit_rows = by_model.pop(AuditEvent, [])
        for model, model_rows in by_model.items():
            model.objects.bulk_create(model_rows, batch_size=1000)
        for event in audit_rows:
            obj = self.objects_of.get(id(event))
            if obj is not None:
                event.object_id = str(obj.pk)
        self.objects_of = {}
        AuditEvent.objects.bulk_create(audit_rows, batch_size=1000)


_batch: ContextVar[_BatchWrites | None] = ContextVar("audit_batch_writes", default=None)


@contextlib.contextmanager
def batch_writes() -> Iterator[None]:
    """Rows passed to `batch_insert` (and every audit row) in this block are inserted together when
    it ends without an error; on an error they are dropped with the transaction. Must be inside the
    transaction it writes in."""
    if _batch.get() is not None:
        yield
        return
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("batch_writes() must be inside the transaction it writes in.")
    batch = _BatchWrites()
    token = _batch.set(batch)
    try:
        with outbox_batch():  # the domain events of the block wait too
            yield
            batch.flush()
    finally:
        _batch.reset(token)


@contextlib.contextmanager
def batch_writes_undone_on_error() -> Iterator[None]:
    """Pair with a savepoint: when the block fails, the rows it left waiting are dropped, as the
    savepoint's rollback drops the rows it inserted."""
    batch = _batch.get()
    mark = len(batch.rows) if batch is not None else 0
    try:
        with outbox_batch_undone_on_error():
            yield
    except BaseException:
        if batch is not None:
            for row in batch.rows[mark:]:
                batch.objects_of.pop(id(row), None)
                batch.waiting.discard(id(row))
            del batch.rows[mark:]
        raise


def batch_insert(obj: models.Model) -> models.Model:
    """Insert `obj` now, or with the other rows at the end of the open `batch_writes()` block.
    Only for rows nothing reads back before the transaction ends."""
    batch = _batch.get()
    if batch is None:
        obj.save(force_insert=True)
    else:
        batch.rows.append(obj)
        batch.waiting.add(id(obj))
    return obj


def _waiting(obj: models.Model | None) -> bool:
    batch = _batch.get()
    return batch is not None and obj is not None and obj.pk is None and id(obj) in batch.waiting


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
    event = AuditEvent(
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
    if _waiting(obj):
        _batch.get().objects_of[id(event)] = obj
    return batch_insert(event)


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
