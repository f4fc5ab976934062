"""The court (CMS) interface: receiving, processing and reviewing court messages, the batch
import and the courts' credentials. How each message type changes the records is in
courts.applying; data-correction requests are in courts.corrections.

A message's life (MessageStatus): it is stored as received, then
- REJECTED when it is not a valid message (its reason says what to fix; it is on the exceptions
  report as REJECTED_MESSAGE);
- DUPLICATE when an earlier copy with the same message ID and the same content was accepted (it
  changes nothing); a copy whose content differs is an EXCEPTION (COURT_CONFLICT) for a person;
- AWAITING_MATCH when the offender it names is only probably someone on record: a person confirms
  a candidate (the message is then applied to that offender) or rejects them all;
- EXCEPTION when it cannot be applied: the offender or sentence it names is not on record
  (UNMATCHED_MESSAGE) or the record refuses the change (COURT_CONFLICT, e.g. a transfer of a
  sentence someone has already completed by hand), or processing failed unexpectedly or
  MAX_ATTEMPTS times (REJECTED_MESSAGE, with the error): nothing stays RECEIVED for good;
- PROCESSED when it was applied, in one transaction, through the same services staff use, with
  every sentence event marked as coming from the court interface.

`message_transition` is the only code that changes a message's status; each change is a
MessageTransition row.
"""

import datetime
import logging
import os
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.db.models import Exists, F, Min, OuterRef, Q
from django.utils import timezone
from kombu.exceptions import KombuError
from redis.exceptions import RedisError

from audit import context as audit_context
from audit.models import AuditAction
from audit.services import audit_record, batch_insert, batch_writes, batch_writes_undone_on_error
from courts.applying import (
    APPLY,
    ON_EXISTING_RECORD,
    Applying,
    AwaitingMatch,
    CourtInterfaceActor,
    MessageRejected,
    MessageUnmatched,
    ReferenceData,
    validation_text,
)

# The exceptions report raises correction requests through this module (reconciliation.services).
from courts.corrections import correction_request_create  # noqa: F401
from courts.models import (
    CourtApiCredential,
    CourtMessage,
    MatchCandidate,
    MatchDecision,
    MessageStatus,
    MessageTransition,
)
from courts.schemas import MAX_BODY_BYTES, ParsedBody, envelope_fields, parse_body, validate_message
from ioms.celery import app as celery_app
from ioms.transactions import one_unit
from offenders.models import Offender
from reconciliation.models import DataException, ReasonCode
from reconciliation.services import UNRESOLVED, exception_raise, exceptions_resolve_for_processed_message
from sentences.models import Sentence

logger = logging.getLogger(__name__)

AUDIT_CHANNEL = "court interface"
# A message that has failed this many processing attempts becomes an exception for a person.
MAX_ATTEMPTS = 5
# Messages the batch import queues for one task (court_messages_process): one transaction for them
# all, a second or so of work, so a worker pays the per-transaction costs once per batch.
BATCH_SIZE = 100
PROCESSED_CONSTRAINT = "one_processed_message_per_id"

MESSAGE_TRANSITIONS: dict[str, frozenset[str]] = {
    MessageStatus.RECEIVED: frozenset(
        {
            MessageStatus.PROCESSED,
            MessageStatus.DUPLICATE,
            MessageStatus.REJECTED,
            MessageStatus.AWAITING_MATCH,
            MessageStatus.EXCEPTION,
        }
    ),
    MessageStatus.AWAITING_MATCH: frozenset(
        {MessageStatus.PROCESSED, MessageStatus.EXCEPTION, MessageStatus.REJECTED, MessageStatus.DUPLICATE}
    ),
    # Retried once someone has put the record right (e.g. entered the missing sentence).
    MessageStatus.EXCEPTION: frozenset({MessageStatus.RECEIVED}),
    MessageStatus.PROCESSED: frozenset(),
    MessageStatus.DUPLICATE: frozenset(),
    MessageStatus.REJECTED: frozenset(),
}
FINAL_STATUSES = frozenset({MessageStatus.PROCESSED, MessageStatus.DUPLICATE, MessageStatus.REJECTED})
# An earlier copy in one of these statuses makes a later copy with the same message ID a duplicate.
# A rejected copy does not: the courts may send a corrected message again under the same ID.
ORIGINAL_STATUSES = (
    MessageStatus.RECEIVED,
    MessageStatus.PROCESSED,
    MessageStatus.AWAITING_MATCH,
    MessageStatus.EXCEPTION,
)


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


# --- status transitions ---------------------------------------------------------------------------


def message_transition(
    *, message: CourtMessage, to_status: str, reason: str = "", actor=None, **fields
) -> None:
    """Move `message` to `to_status` if it is still in the status we read (someone else may have
    got there first: then nothing changes and ValidationError says so)."""
    from_status = message.status
    if to_status not in MESSAGE_TRANSITIONS[from_status]:
        raise ValidationError(
            f"A message that is {MessageStatus(from_status).label.lower()} cannot become "
            f"{MessageStatus(to_status).label.lower()}."
        )
    values = {"status": to_status, "status_reason": reason[:4000], **fields}
    if to_status != MessageStatus.RECEIVED:
        values["processed_at"] = timezone.now()
    updated = CourtMessage.objects.filter(pk=message.pk, status=from_status).update(**values)
    if not updated:
        raise ValidationError("Someone else changed this message a moment ago; reload it.")
    batch_insert(
        MessageTransition(
            message=message,
            from_status=from_status,
            to_status=to_status,
            reason=reason[:4000],
            actor=_user(actor),
        )
    )
    for name, value in values.items():
        setattr(message, name, value)


def message_transition_new(*, messages: list[CourtMessage], to_status: str, reasons: dict[int, str]) -> None:
    """The same step for many messages stored moments ago in this transaction (the batch import):
    one UPDATE and one INSERT rather than two statements per message."""
    if not messages:
        return
    assert all(message.status == MessageStatus.RECEIVED for message in messages)
    if to_status not in MESSAGE_TRANSITIONS[MessageStatus.RECEIVED]:
        raise ValidationError(f"A received message cannot become {to_status}.")
    now = timezone.now()
    for message in messages:
        message.status = to_status
        message.status_reason = reasons.get(message.pk, "")[:4000]
        message.processed_at = now
    CourtMessage.objects.bulk_update(
        messages, ["status", "status_reason", "processed_at", "duplicate_of"], batch_size=1000
    )
    MessageTransition.objects.bulk_create(
        [
            MessageTransition(
                message=message,
                from_status=MessageStatus.RECEIVED,
                to_status=to_status,
                reason=message.status_reason,
            )
            for message in messages
        ],
        batch_size=1000,
    )


# --- receiving ------------------------------------------------------------------------------------


@dataclass
class Receipt:
    message: CourtMessage
    accepted: bool
    too_large: bool = False
    errors: dict | None = None


def _rejected_exception(message: CourtMessage, reason: str) -> None:
    exception_raise(
        reason_code=ReasonCode.REJECTED_MESSAGE,
        detail=f"Court message {message.message_id or f'#{message.pk}'} rejected: {reason}",
        court_message=message,
    )


def court_message_receive(
    *,
    raw: bytes,
    content_type: str = "",
    credential: CourtApiCredential | None = None,
    source: str = "api",
    body_size: int | None = None,
) -> Receipt:
    """Store a message exactly as received, then check it. The store is its own transaction, so
    nothing that happens afterwards can lose the message. A valid message is queued for processing
    when the check commits; an invalid one is REJECTED with a reason and raised as an exception."""
    size = body_size if body_size is not None else len(raw)
    truncated = len(raw) > MAX_BODY_BYTES or size > MAX_BODY_BYTES
    kept = raw[:MAX_BODY_BYTES]
    text = kept.decode("utf-8", errors="replace")
    exact = None
    if "\x00" in text or text.encode("utf-8") != kept:
        exact, text = kept, text.replace("\x00", "\ufffd")
    # Parsed before the INSERT (no database involved), so the row is stored with its message ID,
    # type and payload at once: a copy processed a moment later always sees them.
    parsed = ParsedBody(text, exact, None, "") if truncated else parse_body(kept)
    message_id, message_type = envelope_fields(parsed.payload)
    message = CourtMessage.objects.create(
        raw_body=text,
        raw_bytes=exact,
        body_size=size,
        body_truncated=truncated,
        content_type=content_type[:100],
        credential=credential,
        source=source,
        message_id=message_id,
        message_type=message_type,
        payload=parsed.payload,
    )
    with transaction.atomic():
        validation = validate_message(parsed.payload) if parsed.payload is not None else None
        if truncated:
            reason = (
                f"The body is {size:,} bytes; the largest message accepted is {MAX_BODY_BYTES:,} bytes. "
                "Only its first part is kept. Split the message or send the large parts another way."
            )
            errors = None
        elif validation is None:
            reason, errors = parsed.error, None
        elif not validation.valid:
            reason, errors = validation.reason, validation.errors
        else:
            transaction.on_commit(lambda: _queue(message.pk), robust=True)
            return Receipt(message, accepted=True)
        message_transition(message=message, to_status=MessageStatus.REJECTED, reason=reason)
        _rejected_exception(message, reason)
    return Receipt(message, accepted=False, too_large=truncated, errors=errors)


# What a broker that is down or not answering raises when a task is handed to it.
BROKER_ERRORS = (KombuError, RedisError, OSError)
# Connections to the broker each process keeps for handing over court messages (a new connection
# per message cost 25 ms, a kept one 2.5 ms); a caller finding them all busy does not wait long.
BROKER_CONNECTIONS = 10
_broker_pools: dict[tuple[int, str, float], Any] = {}
_broker_pools_lock = threading.Lock()


def _broker_pool():
    """This process's connections to the broker, with short timeouts and no retries (see _publish).
    Kept per process id: a pool made before a fork is not shared with the child."""
    seconds = settings.COURT_REDIS_TIMEOUT_MS / 1000
    key = (os.getpid(), celery_app.conf.broker_write_url, seconds)
    with _broker_pools_lock:
        pool = _broker_pools.get(key)
        if pool is None:
            pool = _broker_pools[key] = celery_app.connection_for_write(
                connect_timeout=seconds,
                # max_retries 0: kombu otherwise tries to connect again after a refusal (2 s more).
                transport_options={
                    "socket_connect_timeout": seconds,
                    "socket_timeout": seconds,
                    "max_retries": 0,
                },
            ).Pool(limit=BROKER_CONNECTIONS)
    return pool


def _publish(task, calls: list[tuple[tuple, list[int]]]) -> int:
    """Hand each call (the task's arguments, the messages they carry) to the broker, waiting at most
    settings.COURT_REDIS_TIMEOUT_MS to connect or for an answer and never retrying: a caller (the
    courts' system waiting for its 202) must not wait on a Redis outage. The messages are stored
    already; those not handed over are queued by the requeue sweep once the broker is back. Marks
    the messages handed over (queued_at); returns how many calls were."""
    published = 0
    try:
        with _broker_pool().acquire(block=True, timeout=settings.COURT_REDIS_TIMEOUT_MS / 1000) as connection:
            try:
                for arguments, pks in calls:
                    task.apply_async(arguments, connection=connection, retry=False)
                    CourtMessage.objects.filter(pk__in=pks, status=MessageStatus.RECEIVED).update(
                        queued_at=timezone.now()
                    )
                    published += 1
            except BROKER_ERRORS:
                # Its sockets may be broken: dropped, so that its next use connects afresh.
                connection.collect()
                raise
    except BROKER_ERRORS as error:
        left = [pk for _, pks in calls[published:] for pk in pks]
        logger.warning(
            "The broker did not take %s court message(s) (%s: %s); they stay stored as received and "
            "the requeue sweep will queue them. First: %s",
            len(left),
            type(error).__name__,
            error,
            left[:10],
        )
    return published


def _queue(pk: int) -> None:
    # Imported here: courts.tasks imports this module for the services its tasks wrap.
    from courts.tasks import process_court_message

    _publish(process_court_message, [((pk,), [pk])])


def _queue_many(pks: list[int]) -> int:
    """One task a message, over one connection to the broker (the sweep after an outage)."""
    from courts.tasks import process_court_message

    return _publish(process_court_message, [((pk,), [pk]) for pk in pks])


def _queue_batches(batches: list[list[int]]) -> None:
    """One task a batch (the import), over one connection to the broker."""
    from courts.tasks import process_court_messages

    _publish(process_court_messages, [((pks,), pks) for pks in batches])


# --- processing -----------------------------------------------------------------------------------
def _apply(
    message: CourtMessage,
    data: dict,
    *,
    actor=None,
    confirmed_offender: Offender | None = None,
    matches_rejected: bool = False,
    reference: ReferenceData | None = None,
    may_have_exceptions: bool = True,
) -> bool:
    """Apply a message in a savepoint and settle its status: nothing is half-applied. True when it
    was processed (the caller then retries the messages waiting for it, once it commits)."""
    applying = Applying(
        message=message,
        data=data,
        actor=CourtInterfaceActor(message),
        confirmed_offender=confirmed_offender,
        matches_rejected=matches_rejected,
        reference=reference or ReferenceData(),
    )
    try:
        # One savepoint for the whole message: the services it calls need none of their own.
        with one_unit(), batch_writes_undone_on_error():
            APPLY[data["message_type"]](applying)
            # In the savepoint: if another copy of this message ID was processed meanwhile, the
            # unique constraint refuses this one and everything it did is undone.
            message_transition(
                message=message,
                to_status=MessageStatus.PROCESSED,
                reason=" ".join(applying.notes),
                actor=actor,
                offender=applying.offender,
                sentence=applying.sentence,
            )
    except (AwaitingMatch, MessageRejected, MessageUnmatched, ValidationError) as failure:
        _forget_rolled_back(applying)
        _settle_failure(message, data, applying, failure, actor)
        return False
    except IntegrityError as error:
        if PROCESSED_CONSTRAINT not in str(error):
            raise
        original = _processed_copy(message)
        message_transition(
            message=message,
            to_status=MessageStatus.DUPLICATE,
            reason=f"Message {message.message_id} was already processed"
            + (f" (#{original.pk})" if original else "")
            + "; this copy changes nothing.",
            actor=actor,
            duplicate_of=original,
        )
        return False
    if may_have_exceptions:
        exceptions_resolve_for_processed_message(court_message=message)
    return True


def _forget_rolled_back(applying: Applying) -> None:
    """A record created inside the rolled-back savepoint no longer exists: do not point at it."""
    if applying.offender is not None and not Offender.objects.filter(pk=applying.offender.pk).exists():
        applying.offender = None
    if applying.sentence is not None and not Sentence.objects.filter(pk=applying.sentence.pk).exists():
        applying.sentence = None


def _settle_failure(message: CourtMessage, data: dict, applying: Applying, failure: Exception, actor) -> None:
    if isinstance(failure, AwaitingMatch):
        # A retried message may meet the same candidates again: they are asked about afresh (the
        # earlier decisions stay in the audit trail and the message's transitions).
        MatchCandidate.objects.bulk_create(
            [
                MatchCandidate(
                    message=message,
                    offender=candidate.offender,
                    score=candidate.score,
                    reasons=candidate.reasons,
                    decision=MatchDecision.PENDING,
                    decided_by=None,
                    decided_at=None,
                )
                for candidate in failure.result.candidates
            ],
            update_conflicts=True,
            unique_fields=["message", "offender"],
            update_fields=["score", "reasons", "decision", "decided_by", "decided_at"],
        )
        message_transition(
            message=message, to_status=MessageStatus.AWAITING_MATCH, reason=failure.result.reason, actor=actor
        )
    elif isinstance(failure, MessageRejected):
        reason = str(failure)
        message_transition(message=message, to_status=MessageStatus.REJECTED, reason=reason, actor=actor)
        _rejected_exception(message, reason)
    elif isinstance(failure, MessageUnmatched):
        _exception(
            message,
            ReasonCode.UNMATCHED_MESSAGE,
            str(failure),
            actor,
            failure.offender or applying.offender,
            failure.sentence or applying.sentence,
        )
    else:
        code = (
            ReasonCode.COURT_CONFLICT
            if data["message_type"] in ON_EXISTING_RECORD
            else ReasonCode.REJECTED_MESSAGE
        )
        _exception(message, code, validation_text(failure), actor, applying.offender, applying.sentence)


def _exception(message, reason_code, reason, actor, offender=None, sentence=None) -> None:
    message_transition(
        message=message,
        to_status=MessageStatus.EXCEPTION,
        reason=reason,
        actor=actor,
        offender=offender,
        sentence=sentence,
    )
    exception_raise(
        reason_code=reason_code,
        detail=f"Court message {message.message_id} ({message.message_type}): {reason}",
        offender=offender,
        sentence=sentence,
        court_message=message,
    )


def _processed_copy(message: CourtMessage) -> CourtMessage | None:
    if not message.message_id:
        return None
    return (
        CourtMessage.objects.filter(message_id=message.message_id, status=MessageStatus.PROCESSED)
        .exclude(pk=message.pk)
        .first()
    )


def _original_of(message: CourtMessage) -> CourtMessage | None:
    """The copy this one repeats: a processed copy whenever there is one (whatever its place in
    the order of arrival), else the earliest earlier copy still live."""
    if not message.message_id:
        return None
    return _processed_copy(message) or (
        CourtMessage.objects.filter(
            message_id=message.message_id, pk__lt=message.pk, status__in=ORIGINAL_STATUSES
        )
        .order_by("pk")
        .first()
    )


def _file_copy(message: CourtMessage, original: CourtMessage, actor=None) -> None:
    """A later copy of `original`: a duplicate when it says the same; when its content differs the
    courts have sent two different messages under one ID, which a person must sort out."""
    if original.payload == message.payload:
        message_transition(
            message=message,
            to_status=MessageStatus.DUPLICATE,
            reason=f"Message {message.message_id} was already received (#{original.pk}); "
            "this copy changes nothing.",
            actor=actor,
            duplicate_of=original,
        )
        return
    reason = (
        f"Message {message.message_id} was already received as #{original.pk}, and this copy "
        f"(#{message.pk}) says something different. Nothing was applied from it: check with the "
        "courts which is right."
    )
    message_transition(
        message=message, to_status=MessageStatus.EXCEPTION, reason=reason, actor=actor, duplicate_of=original
    )
    exception_raise(
        reason_code=ReasonCode.COURT_CONFLICT,
        detail=f"Court messages #{original.pk} and #{message.pk} ({message.message_type}) share the "
        f"message ID {message.message_id} but their content differs.",
        offender=original.offender,
        sentence=original.sentence,
        court_message=message,
    )


class _InAuditChannel:
    def __enter__(self):
        current = audit_context.current()
        self.token = audit_context.set_context(
            audit_context.AuditContext(
                ip_address=current.ip_address, user_agent=current.user_agent, channel=AUDIT_CHANNEL
            )
        )

    def __exit__(self, *exc):
        audit_context.reset_context(self.token)


def court_message_process(*, pk: int) -> CourtMessage | None:
    """Process one received message (the Celery task calls this): a batch of one."""
    return court_messages_process(pks=[pk])[0]


def court_messages_process(*, pks: list[int]) -> list[CourtMessage | None]:
    """Process received messages (the Celery tasks call this; the batch import queues them
    BATCH_SIZE at a time), in the order given. Safe to call twice, or for two copies of a message
    at once: copies with the same message ID are serialised on a lock on the earliest of them, and
    a message no longer RECEIVED is left as it is.

    The messages are applied in one transaction, each in its own savepoint, so each is applied
    whole or not at all, exactly as if it were alone; reference data is read once for them all and
    the audit rows, casenotes and transition rows are inserted together at the end (a second copy
    of a message ID in the list finds the first as its original, as it would a moment later). A
    message that an earlier attempt did not finish is processed alone, in its own transaction, as
    is every message of the batch when the batch fails as a whole.

    A message never stays RECEIVED for good: an unexpected error, or more than MAX_ATTEMPTS
    attempts (a message that stops the worker is delivered again and again), moves it to
    EXCEPTION with the reason, on the exceptions report. A transient database error (a deadlock,
    a lost connection) is raised for the task to retry, until the last attempt."""
    attempts = _attempt(pks)
    done: dict[int, CourtMessage | None] = {}
    together: list[int] = []
    alone: list[int] = []
    for pk in dict.fromkeys(pks):
        if attempts.get(pk, 0) > MAX_ATTEMPTS:
            done[pk] = _give_up(
                pk,
                f"Processing was started {attempts[pk] - 1} times without finishing (each attempt failed "
                "or stopped the worker). Check the message, then retry it.",
            )
        else:
            (together if attempts.get(pk) == 1 else alone).append(pk)
    if len(together) > 1:
        try:
            done.update(_process(together))
        except Exception:
            # Nothing of the batch was kept: each message is tried again alone, so one message's
            # trouble (or a transient error) is settled for that message only.
            logger.warning(
                "A batch of %s court messages failed; processing them one at a time", len(together)
            )
            alone = together + alone
    else:
        alone = together + alone
    for pk in alone:
        if pk not in done:
            done[pk] = _process_alone(pk, attempts.get(pk, 0))
    return [done[pk] for pk in pks]


def _attempt(pks: list[int]) -> dict[int, int]:
    """Count an attempt at each message still RECEIVED; the attempts of each message that exists."""
    CourtMessage.objects.filter(pk__in=pks, status=MessageStatus.RECEIVED).update(attempts=F("attempts") + 1)
    return dict(CourtMessage.objects.filter(pk__in=pks).values_list("pk", "attempts"))


def _process_alone(pk: int, attempts: int) -> CourtMessage | None:
    try:
        return _process([pk]).get(pk)
    except (OperationalError, InterfaceError) as error:
        if attempts < MAX_ATTEMPTS:
            raise
        logger.exception("Court message %s failed on its last attempt", pk)
        return _give_up(pk, f"The database failed on the last attempt ({type(error).__name__}). Retry it.")
    except Exception as error:
        logger.exception("Court message %s could not be processed", pk)
        return _give_up(
            pk,
            f"Processing failed with an unexpected error ({type(error).__name__}: {str(error)[:300]}). "
            "Nothing was applied. Report it to the system administrators; retry once it is fixed.",
        )


def _give_up(pk: int, reason: str) -> CourtMessage | None:
    """Move a message still RECEIVED to EXCEPTION (its own transaction), on the exceptions report."""
    with _InAuditChannel(), transaction.atomic():
        message = (
            CourtMessage.objects.defer("raw_body", "raw_bytes").select_for_update().filter(pk=pk).first()
        )
        if message is None or message.status != MessageStatus.RECEIVED:
            return message
        _exception(message, ReasonCode.REJECTED_MESSAGE, reason, None, message.offender, message.sentence)
    return message


def _process(pks: list[int]) -> dict[int, CourtMessage]:
    """One transaction for the messages (see court_messages_process), a fixed number of statements
    for the batch besides those that apply each message."""
    order = {pk: place for place, pk in enumerate(pks)}
    processed: list[CourtMessage] = []
    with _InAuditChannel(), transaction.atomic(), batch_writes():
        # Row lock on the earliest copy of each message ID: every copy waits on the same row.
        earliest = (
            CourtMessage.objects.filter(
                message_id__in=CourtMessage.objects.filter(pk__in=pks)
                .exclude(message_id="")
                .values("message_id")
            )
            .values("message_id")
            .annotate(first=Min("pk"))
            .values("first")
        )
        list(
            CourtMessage.objects.filter(pk__in=earliest).order_by("pk").select_for_update().values_list("pk")
        )
        # The body as received is not needed to apply the parsed message (and may be 1 MB). Only a
        # message whose ID another stored message shares can have an original, and only one that
        # failed before (and was retried) can have exceptions to settle.
        messages = list(
            CourtMessage.objects.defer("raw_body", "raw_bytes")
            .select_for_update()
            .filter(pk__in=pks)
            .annotate(
                has_copies=Exists(
                    CourtMessage.objects.filter(message_id=OuterRef("message_id")).exclude(pk=OuterRef("pk"))
                ),
                has_exceptions=Exists(
                    DataException.objects.filter(court_message=OuterRef("pk"), status__in=UNRESOLVED)
                ),
            )
        )
        messages.sort(key=lambda message: order[message.pk])
        reference = ReferenceData()
        for message in messages:
            if message.status != MessageStatus.RECEIVED:
                continue
            original = _original_of(message) if message.has_copies else None
            if original is not None:
                _file_copy(message, original)
                continue
            validation = validate_message(message.payload or {})
            if not validation.valid:
                message_transition(
                    message=message, to_status=MessageStatus.REJECTED, reason=validation.reason
                )
                _rejected_exception(message, validation.reason)
                continue
            if _apply(
                message,
                validation.data,
                reference=reference,
                may_have_exceptions=message.has_exceptions,
            ):
                processed.append(message)
        if processed:
            transaction.on_commit(lambda: _retry_waiting(processed, order), robust=True)
    return {message.pk: message for message in messages}


def court_message_retry(*, actor, message: CourtMessage) -> CourtMessage:
    """Process an EXCEPTION message again, once the record it needs has been put right. It is
    queued when this commits (the worker processes it), so a failure there cannot strand it."""
    with transaction.atomic():
        message = CourtMessage.objects.select_for_update().get(pk=message.pk)
        message_transition(
            message=message,
            to_status=MessageStatus.RECEIVED,
            reason="Retried by a person",
            actor=actor,
            attempts=0,
            queued_at=None,
        )
        audit_record(
            actor=actor, action=AuditAction.UPDATE, obj=message, summary=f"Retried court message {message}"
        )
        pk = message.pk
        transaction.on_commit(lambda: _queue(pk), robust=True)
    return message


def _retry_waiting(processed: list[CourtMessage], order: dict[int, int] | None = None) -> None:
    """Messages that arrived before the ones just processed (an appeal decided before it was
    lodged) are retried once, automatically: those on the same sentence or offender that could not
    be matched. A message of the same batch (`order`: each one's place in it) is retried only by
    one processed after it, as if each message had been committed on its own."""
    processed = [m for m in processed if m.sentence_id is not None or m.offender_id is not None]
    if not processed:
        return
    order = order or {}
    waiting = (
        CourtMessage.objects.filter(status=MessageStatus.EXCEPTION, duplicate_of__isnull=True)
        .filter(
            data_exceptions__reason_code=ReasonCode.UNMATCHED_MESSAGE,
            data_exceptions__status__in=list(UNRESOLVED),
        )
        .filter(
            Q(sentence_id__in={m.sentence_id for m in processed if m.sentence_id is not None})
            | Q(offender_id__in={m.offender_id for m in processed if m.offender_id is not None})
        )
        .exclude(pk__in=[m.pk for m in processed])
        .distinct()
        .values_list("pk", "sentence_id", "offender_id")[: 50 * len(processed)]
    )
    retry: dict[int, CourtMessage] = {}  # message to retry: the processed message that unblocked it
    for pk, sentence_id, offender_id in waiting:
        for m in processed:
            same_record = (sentence_id is not None and m.sentence_id == sentence_id) or (
                offender_id is not None and m.offender_id == offender_id
            )
            if same_record and (pk not in order or order[pk] < order[m.pk]):
                retry[pk] = m
                break
    for pk, by in retry.items():
        with transaction.atomic():
            message = CourtMessage.objects.select_for_update().filter(pk=pk).first()
            if message is None or message.status != MessageStatus.EXCEPTION:
                continue
            message_transition(
                message=message,
                to_status=MessageStatus.RECEIVED,
                reason=f"Retried automatically after message {by.message_id or by.pk} was processed",
                attempts=0,
                queued_at=None,
            )
            transaction.on_commit(lambda pk=pk: _queue(pk), robust=True)


def court_messages_requeue(
    *,
    older_than: datetime.timedelta | None = None,
    queued_before: datetime.timedelta | None = None,
) -> int:
    """Queue the messages still RECEIVED a while after they arrived: run every minute by Celery beat.
    One never handed to the broker (it was down when the message was stored, or the message was
    imported without queueing) is queued once it is `older_than` (COURT_REQUEUE_AFTER_SECONDS: the
    moment after its own request has had every chance to queue it). One handed over but still not
    processed `queued_before` ago (COURT_REQUEUE_QUEUED_AFTER_SECONDS: a worker died, the broker
    lost it) is queued again; not sooner, so a backlog in the queue is not queued twice over every
    minute. A message queued twice is still applied once (court_messages_process leaves a message
    no longer RECEIVED as it is). One that has had MAX_ATTEMPTS attempts is not queued again: it
    becomes an exception for a person."""
    now = timezone.now()
    if older_than is None:
        older_than = datetime.timedelta(seconds=settings.COURT_REQUEUE_AFTER_SECONDS)
    if queued_before is None:
        queued_before = datetime.timedelta(seconds=settings.COURT_REQUEUE_QUEUED_AFTER_SECONDS)
    stuck = CourtMessage.objects.filter(status=MessageStatus.RECEIVED).filter(
        Q(queued_at__isnull=True, received_at__lt=now - older_than) | Q(queued_at__lt=now - queued_before)
    )
    for pk, attempts in stuck.filter(attempts__gte=MAX_ATTEMPTS).values_list("pk", "attempts")[:5000]:
        _give_up(
            pk,
            f"Processing was started {attempts} times without finishing (each attempt failed or stopped "
            "the worker). Check the message, then retry it.",
        )
    pks = list(stuck.filter(attempts__lt=MAX_ATTEMPTS).order_by("pk").values_list("pk", flat=True)[:5000])
    return _queue_many(pks)


# --- a person decides a probable match ------------------------------------------------------------


def _awaiting(message: CourtMessage) -> CourtMessage:
    message = CourtMessage.objects.select_for_update().get(pk=message.pk)
    if message.status != MessageStatus.AWAITING_MATCH:
        raise ValidationError(
            "This message is no longer waiting for a match; someone may have decided it already."
        )
    return message


def match_confirm(*, actor, candidate: MatchCandidate) -> CourtMessage:
    """The person confirms `candidate` is the offender the message names: the message is applied
    to that offender (the names the courts used are kept as aliases)."""
    with _InAuditChannel(), transaction.atomic():
        message = _awaiting(candidate.message)
        now = timezone.now()
        MatchCandidate.objects.filter(message=message, decision=MatchDecision.PENDING).exclude(
            pk=candidate.pk
        ).update(decision=MatchDecision.REJECTED, decided_by=_user(actor), decided_at=now)
        MatchCandidate.objects.filter(pk=candidate.pk).update(
            decision=MatchDecision.CONFIRMED, decided_by=_user(actor), decided_at=now
        )
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=message,
            offender_id=candidate.offender_id,
            summary=f"Confirmed {candidate.offender} as the offender of court message {message}",
            changes={"match": [None, candidate.offender.prn], "score": [None, candidate.score]},
        )
        validation = validate_message(message.payload or {})
        if _apply(message, validation.data, actor=actor, confirmed_offender=candidate.offender):
            transaction.on_commit(lambda: _retry_waiting([message]), robust=True)
    return message


def match_reject(*, actor, message: CourtMessage, reason: str = "") -> CourtMessage:
    """None of the candidates is this person: a new sentence creates a new offender record; any
    other message becomes an exception (it needs an offender already on record)."""
    with _InAuditChannel(), transaction.atomic():
        message = _awaiting(message)
        MatchCandidate.objects.filter(message=message, decision=MatchDecision.PENDING).update(
            decision=MatchDecision.REJECTED, decided_by=_user(actor), decided_at=timezone.now()
        )
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=message,
            summary=f"Rejected the possible matches of court message {message}"
            + (f": {reason}" if reason else ""),
        )
        validation = validate_message(message.payload or {})
        if _apply(message, validation.data, actor=actor, matches_rejected=True):
            transaction.on_commit(lambda: _retry_waiting([message]), robust=True)
    return message


# --- credentials ----------------------------------------------------------------------------------


def _credential_days() -> datetime.timedelta:
    return datetime.timedelta(days=settings.COURT_CREDENTIAL_DAYS)


def _new_token() -> tuple[str, str, str]:
    """A token, its prefix (to recognise it in logs) and its hash (all that is kept)."""
    token = secrets.token_urlsafe(32)
    return token, token[:8], CourtApiCredential.hash_token(token)


def court_credential_issue(*, name: str, actor=None) -> tuple[CourtApiCredential, str]:
    """A new credential, expiring in settings.COURT_CREDENTIAL_DAYS; the token is returned once
    and only its hash is kept."""
    if not name.strip():
        raise ValidationError({"name": "Name the credential (e.g. the CMS environment)."})
    if CourtApiCredential.objects.filter(name=name).exists():
        raise ValidationError({"name": f"A credential named {name!r} already exists."})
    token, prefix, digest = _new_token()
    with transaction.atomic():
        credential = CourtApiCredential.objects.create(
            name=name, token_prefix=prefix, token_hash=digest, expires_at=timezone.now() + _credential_days()
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=credential,
            summary=f"Issued court credential {name} (prefix {prefix}, "
            f"expires {timezone.localtime(credential.expires_at):%d %b %Y})",
        )
    return credential, token


def court_credential_rotate(*, name: str, actor=None, reason: str = "") -> tuple[CourtApiCredential, str]:
    """A new token for the named credential, expiring in settings.COURT_CREDENTIAL_DAYS. The token
    it replaces keeps working for settings.COURT_CREDENTIAL_OVERLAP_DAYS (never past its own
    expiry), so the courts can switch over without a gap; a token replaced earlier stops at once.
    Returns the credential and the new token (shown once)."""
    token, prefix, digest = _new_token()
    now = timezone.now()
    with transaction.atomic():
        credential = CourtApiCredential.objects.select_for_update().filter(name=name).first()
        if credential is None:
            raise ValidationError({"name": f"No court credential is named {name!r}."})
        if not credential.active:
            raise ValidationError(
                {"name": f"The court credential {name!r} is revoked: issue a new credential instead."}
            )
        overlap_until = min(
            now + datetime.timedelta(days=settings.COURT_CREDENTIAL_OVERLAP_DAYS), credential.expires_at
        )
        before = {
            "token_prefix": credential.token_prefix,
            "expires_at": credential.expires_at.isoformat(),
            "previous_token_prefix": credential.previous_token_prefix,
        }
        values = {
            "token_prefix": prefix,
            "token_hash": digest,
            "expires_at": now + _credential_days(),
            "rotated_at": now,
            "previous_token_prefix": credential.token_prefix,
            "previous_token_hash": credential.token_hash,
            "previous_valid_until": max(overlap_until, now),
        }
        CourtApiCredential.objects.filter(pk=credential.pk).update(**values)
        for field_name, value in values.items():
            setattr(credential, field_name, value)
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=credential,
            summary=f"Rotated court credential {name}: new token {prefix}, the old token "
            f"{credential.previous_token_prefix} works until "
            f"{timezone.localtime(credential.previous_valid_until):%d %b %Y %H:%M}"
            + (f": {reason}" if reason else ""),
            changes={
                "token_prefix": [before["token_prefix"], prefix],
                "expires_at": [before["expires_at"], credential.expires_at.isoformat()],
                "previous_token_prefix": [before["previous_token_prefix"], credential.previous_token_prefix],
            },
        )
    return credential, token


def court_credential_revoke(*, name: str, actor=None, reason: str = "") -> CourtApiCredential:
    """The credential stops working at once (a leaked token, a retired CMS environment), with any
    token a rotation replaced. It is kept, inactive, so the messages it posted still name it."""
    with transaction.atomic():
        credential = CourtApiCredential.objects.select_for_update().filter(name=name).first()
        if credential is None:
            raise ValidationError({"name": f"No court credential is named {name!r}."})
        if not credential.active:
            raise ValidationError({"name": f"The court credential {name!r} is already revoked."})
        CourtApiCredential.objects.filter(pk=credential.pk).update(active=False)
        credential.active = False
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=credential,
            summary=f"Revoked court credential {name}" + (f": {reason}" if reason else ""),
            changes={"active": [True, False]},
        )
    return credential


class CourtCredentialRefused(Exception):
    """A token the courts were given that may no longer be used; the message says why and what to do."""


def _refuse(credential: CourtApiCredential, prefix: str, reason: str) -> CourtCredentialRefused:
    court_credential_refusal_record(credential=credential, summary=f"token {prefix}: {reason}")
    return CourtCredentialRefused(reason)


def court_credential_refusal_record(*, credential: CourtApiCredential, summary: str) -> None:
    """Audit a request of the courts' system that was refused (an expired token, over its rate)."""
    audit_record(
        actor=f"court interface ({credential.name})",
        action=AuditAction.DENIED,
        obj=credential,
        summary=f"Refused court credential {credential.name}, {summary}",
    )


def court_credential_authenticate(token: str) -> CourtApiCredential | None:
    """The credential the token belongs to, if it may post now. None for a token we do not know or
    of a revoked credential; CourtCredentialRefused (audited) for an expired token, or one replaced
    by a rotation whose overlap has ended."""
    digest = CourtApiCredential.hash_token(token)
    credential = (
        CourtApiCredential.objects.filter(Q(token_hash=digest) | Q(previous_token_hash=digest))
        .filter(active=True)
        .first()
    )
    if credential is None:
        return None
    now = timezone.now()
    if credential.token_hash == digest and credential.expires_at <= now:
        raise _refuse(
            credential,
            credential.token_prefix,
            f"The court credential {credential.name!r} expired on "
            f"{timezone.localtime(credential.expires_at):%d %b %Y %H:%M}. Ask the IOMS system "
            "administrators to rotate it (manage.py rotate_court_credential) and use the new token.",
        )
    if credential.token_hash != digest and credential.previous_valid_until <= now:
        raise _refuse(
            credential,
            credential.previous_token_prefix,
            f"This token of the court credential {credential.name!r} was replaced on "
            f"{timezone.localtime(credential.rotated_at):%d %b %Y %H:%M} and stopped working on "
            f"{timezone.localtime(credential.previous_valid_until):%d %b %Y %H:%M}. Use the new token.",
        )
    # At most one write a minute per credential, however busy the interface is.
    if credential.last_used_at is None or now - credential.last_used_at > datetime.timedelta(minutes=1):
        CourtApiCredential.objects.filter(pk=credential.pk).update(last_used_at=now)
    return credential


# --- the batch import -----------------------------------------------------------------------------


@dataclass
class ImportSummary:
    lines: int = 0
    blank: int = 0
    accepted: int = 0
    duplicate: int = 0
    conflicting: int = 0  # same message ID as an earlier message, different content: exceptions
    rejected: int = 0
    processed: dict[str, int] = field(default_factory=dict)
    store_seconds: float = 0.0
    process_seconds: float = 0.0
    rejections: list[str] = field(default_factory=list)

    @property
    def stored(self) -> int:
        return self.accepted + self.duplicate + self.conflicting + self.rejected


def _read_line(line_number: int, raw: bytes) -> tuple[CourtMessage, str]:
    """One line as a row to store and the reason it is rejected ('' when it is valid). Never
    raises: a line that breaks the checks is rejected with the reason, not the whole import."""
    too_large = len(raw) > MAX_BODY_BYTES
    try:
        parsed = parse_body(raw[:MAX_BODY_BYTES])
        validation = (
            validate_message(parsed.payload) if parsed.payload is not None and not too_large else None
        )
        message_id, message_type = envelope_fields(parsed.payload)
    except Exception as error:  # a line must never stop the import
        logger.exception("Import line %s could not be checked", line_number)
        text = raw[:MAX_BODY_BYTES].decode("utf-8", errors="replace").replace("\x00", "\ufffd")
        parsed = ParsedBody(
            text, raw[:MAX_BODY_BYTES], None, f"The line could not be checked ({type(error).__name__})."
        )
        validation, message_id, message_type = None, "", ""
    row = CourtMessage(
        raw_body=parsed.text,
        raw_bytes=parsed.exact_bytes,
        body_size=len(raw),
        body_truncated=too_large,
        content_type="application/x-ndjson",
        source="batch",
        message_id=message_id,
        message_type=message_type,
        payload=parsed.payload,
    )
    if too_large:
        reason = (
            f"Line {line_number}: the line is {len(raw):,} bytes; the largest message is {MAX_BODY_BYTES:,}."
        )
    elif validation is None:
        reason = f"Line {line_number}: {parsed.error}"
    elif not validation.valid:
        reason = f"Line {line_number}: {validation.reason}"
    else:
        reason = ""
    return row, reason


def _store_batch(batch: list[tuple[int, bytes]], summary: ImportSummary) -> list[int]:
    """Store one batch of lines, file the duplicates and rejections, return the accepted pks. If
    the database refuses the batch, its lines are stored one at a time, so one bad line costs only
    itself."""
    read = [_read_line(line_number, raw) for line_number, raw in batch]
    try:
        with transaction.atomic():
            return _file_batch(read, summary)
    except Exception:
        if len(batch) == 1:
            line_number, raw = batch[0]
            logger.exception("Import line %s could not be stored", line_number)
            row, _ = _read_line(line_number, raw)
            row.payload, row.message_id, row.message_type = None, "", ""
            with transaction.atomic():
                return _file_batch([(row, f"Line {line_number}: the database refused the line.")], summary)
        accepted: list[int] = []
        for line in batch:
            accepted += _store_batch([line], summary)
        return accepted


def _file_batch(read: list[tuple[CourtMessage, str]], summary: ImportSummary) -> list[int]:
    rows = [row for row, _ in read]
    for row in rows:
        row.pk = None
    CourtMessage.objects.bulk_create(rows, batch_size=1000)
    rejected = [(row, reason) for row, reason in read if reason]
    valid = [row for row, reason in read if not reason]
    earlier: dict[str, tuple[int, object]] = {}
    for message_id, pk, payload in (
        CourtMessage.objects.filter(
            message_id__in={row.message_id for row in valid},
            status__in=ORIGINAL_STATUSES,
            pk__lt=min((row.pk for row in rows), default=0),
        )
        .order_by("message_id", "pk")
        .distinct("message_id")
        .values_list("message_id", "pk", "payload")
    ):
        earlier[message_id] = (pk, payload)
    duplicates, conflicts, accepted = [], [], []
    for row in valid:
        original = earlier.get(row.message_id)
        if original is None:
            earlier[row.message_id] = (row.pk, row.payload)
            accepted.append(row)
            continue
        row.duplicate_of_id = original[0]
        (duplicates if original[1] == row.payload else conflicts).append(row)
    message_transition_new(
        messages=duplicates,
        to_status=MessageStatus.DUPLICATE,
        reasons={
            row.pk: f"Message {row.message_id} was already received (#{row.duplicate_of_id}); this copy "
            "changes nothing."
            for row in duplicates
        },
    )
    message_transition_new(
        messages=conflicts,
        to_status=MessageStatus.EXCEPTION,
        reasons={
            row.pk: f"Message {row.message_id} was already received as #{row.duplicate_of_id}, and this "
            f"copy (#{row.pk}) says something different. Nothing was applied from it: check with the "
            "courts which is right."
            for row in conflicts
        },
    )
    for row in conflicts:
        exception_raise(
            reason_code=ReasonCode.COURT_CONFLICT,
            detail=f"Court messages #{row.duplicate_of_id} and #{row.pk} ({row.message_type}) share the "
            f"message ID {row.message_id} but their content differs.",
            court_message=row,
        )
    message_transition_new(
        messages=[row for row, _ in rejected],
        to_status=MessageStatus.REJECTED,
        reasons={row.pk: reason for row, reason in rejected},
    )
    for row, reason in rejected:
        _rejected_exception(row, reason)
    summary.accepted += len(accepted)
    summary.duplicate += len(duplicates)
    summary.conflicting += len(conflicts)
    summary.rejected += len(rejected)
    summary.rejections += [reason for _, reason in rejected][: max(0, 20 - len(summary.rejections))]
    return [row.pk for row in accepted]


def court_messages_import(
    *,
    lines: Iterable[bytes],
    batch_size: int = 1000,
    process: bool = False,
    queue: bool = True,
    on_line: Callable[[int], None] | None = None,
) -> ImportSummary:
    """Import a JSON-lines file of messages: every line is stored as it is (source 'batch'), then
    duplicates and invalid lines are filed, in batches of `batch_size` (bulk inserts). The accepted
    messages are then processed here (`process`) or queued for the workers (`queue`).
    `on_line(bytes_read)` is called per line, for a progress bar."""
    summary = ImportSummary()
    batch: list[tuple[int, bytes]] = []
    accepted: list[int] = []
    started = time.perf_counter()
    for number, line in enumerate(lines, start=1):
        if on_line is not None:
            on_line(len(line))
        summary.lines += 1
        content = line[:-1] if line.endswith(b"\n") else line
        content = content[:-1] if content.endswith(b"\r") else content
        if not content.strip():
            summary.blank += 1
            continue
        batch.append((number, content))
        if len(batch) >= batch_size:
            accepted += _store_batch(batch, summary)
            batch = []
    if batch:
        accepted += _store_batch(batch, summary)
    summary.store_seconds = time.perf_counter() - started
    batches = [accepted[start : start + BATCH_SIZE] for start in range(0, len(accepted), BATCH_SIZE)]
    if process:
        started = time.perf_counter()
        for pks in batches:
            for message in court_messages_process(pks=pks):
                if message is not None:
                    summary.processed[message.status] = summary.processed.get(message.status, 0) + 1
        summary.process_seconds = time.perf_counter() - started
    elif queue:
        _queue_batches(batches)
    return summary
