"""The court (CMS) interface: a court message's life, from receiving it to processing it and a
person's review. How each message type changes the records is in courts.applying; the batch import
is courts.batch, handing messages to the workers courts.broker, the courts' credentials
courts.credentials, data-correction requests courts.corrections.

A message's life (MessageStatus): it is stored as received, then
- REJECTED when it is not a valid message (its reason says what to fix; it is on the exceptions
  report as REJECTED_MESSAGE);
- DUPLICATE when an earlier copy with the same message ID and the same content was accepted (it
  changes nothing); a copy whose content differs is an EXCEPTION (COURT_CONFLICT) for a person.
  Both are settled as they arrive, so the endpoint answers them as such (200, 409), and again
  when processed for copies that arrived together;
- AWAITING_MATCH when the offender it names is only probably someone on record: a person confirms
  a candidate (the message is then applied to that offender) or rejects them all;
- EXCEPTION when it cannot be applied: the offender or sentence it names is not on record
  (UNMATCHED_MESSAGE) or the record refuses the change (COURT_CONFLICT, e.g. a transfer of a
  sentence someone has already completed by hand), or processing failed unexpectedly or
  MAX_ATTEMPTS times (REJECTED_MESSAGE, with the error): nothing stays RECEIVED for good;
- PROCESSED when it was applied, in one transaction, through the same services staff use, with
  every sentence event marked as coming from the court interface.

Every change of a message's status is a step of MESSAGE_WORKFLOW (courts.models): one by one
through `message_transition`, a thousand at once for the batch import (courts.batch); each step is
a MessageTransition row.
"""

import datetime
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.db.models import Case, Exists, F, Min, OuterRef, Q, When
from django.utils import timezone

from audit import context as audit_context
from audit.actors import actor_user
from audit.models import AuditAction
from audit.services import audit_record, batch_writes, batch_writes_undone_on_error
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
from courts.broker import publish

# The exceptions report raises correction requests through this module (reconciliation.services).
from courts.corrections import correction_request_create  # noqa: F401
from courts.models import (
    MESSAGE_WORKFLOW,
    CourtApiCredential,
    CourtMessage,
    MatchCandidate,
    MatchDecision,
    MessageStatus,
)
from courts.schemas import MAX_BODY_BYTES, ParsedBody, envelope_fields, parse_body, validate_message
from ioms.transactions import one_unit
from offenders.models import Offender
from reconciliation.detection import exception_raise
from reconciliation.models import UNRESOLVED, DataException, ReasonCode
from reconciliation.services import exceptions_resolve_for_processed_message
from sentences.models import Sentence

logger = logging.getLogger(__name__)

AUDIT_CHANNEL = "court interface"
# A message that has failed this many processing attempts becomes an exception for a person.
MAX_ATTEMPTS = 5
# Messages the batch import queues for one task (court_messages_process): one transaction for them
# all, a second or so of work, so a worker pays the per-transaction costs once per batch.
BATCH_SIZE = 100
PROCESSED_CONSTRAINT = "one_processed_message_per_id"

FINAL_STATUSES = frozenset({MessageStatus.PROCESSED, MessageStatus.DUPLICATE, MessageStatus.REJECTED})
# An earlier copy in one of these statuses makes a later copy with the same message ID a duplicate.
# A rejected copy does not: the courts may send a corrected message again under the same ID.
ORIGINAL_STATUSES = (
    MessageStatus.RECEIVED,
    MessageStatus.PROCESSED,
    MessageStatus.AWAITING_MATCH,
    MessageStatus.EXCEPTION,
)


# --- status transitions ---------------------------------------------------------------------------


def message_transition(
    *,
    message: CourtMessage,
    to_status: str,
    reason: str = "",
    actor=None,
    summary: str = "",
    on_commit: Iterable[Callable[[], None]] = (),
    **fields,
) -> None:
    """Move `message` to `to_status` if it is still in the status we read (someone else may have
    got there first: then nothing changes and ValidationError says so). The reason is the
    message's own (status_reason, shown on its page) and its transition row's comment.

    No audit row of its own unless `summary` is given (a person's step): a message's transition
    rows are its history, and the records a message changes are audited by the services that
    change them. The interface wrote none per step before the workflow helper either, and one more
    INSERT per message outside a batch would cost the throughput the interface is measured by."""
    values = {"status_reason": reason[:4000], **fields}
    if to_status != MessageStatus.RECEIVED:
        values["processed_at"] = timezone.now()
    MESSAGE_WORKFLOW.move(
        message,
        to=to_status,
        actor=actor,
        comment=reason[:4000],
        fields=values,
        summary=summary,
        audit=bool(summary),
        on_commit=on_commit,
    )


# --- receiving ------------------------------------------------------------------------------------


@dataclass
class Receipt:
    message: CourtMessage
    accepted: bool
    too_large: bool = False
    errors: dict | None = None
    # The earlier message with the same message ID that this one repeats (duplicate) or contradicts
    # (conflict): it was filed at once, not queued.
    original: CourtMessage | None = None

    @property
    def duplicate(self) -> bool:
        return self.original is not None and self.message.status == MessageStatus.DUPLICATE

    @property
    def conflict(self) -> bool:
        return self.original is not None and self.message.status == MessageStatus.EXCEPTION


def rejected_message_exception_raise(message: CourtMessage, reason: str) -> None:
    """A message that is not valid is on the exceptions report, with the reason it was rejected."""
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
    when the check commits; an invalid one is REJECTED with a reason and raised as an exception.

    A valid message whose ID an earlier message already has is filed at once, never queued, so the
    sender hears what it was: a DUPLICATE of the original when it says the same (it changes
    nothing), an EXCEPTION (COURT_CONFLICT) for a person when it says something else. Two copies
    arriving at the same moment may each miss the other here; processing files the later one then
    (court_messages_process)."""
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
    # The rejection and its exception are kept together or not at all.
    with one_unit():
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
            original = _original_of(message)
            if original is not None:
                _file_copy(message, original)
                return Receipt(message, accepted=False, original=original)
            transaction.on_commit(lambda: _queue(message.pk), robust=True)
            return Receipt(message, accepted=True)
        message_transition(message=message, to_status=MessageStatus.REJECTED, reason=reason)
        rejected_message_exception_raise(message, reason)
    return Receipt(message, accepted=False, too_large=truncated, errors=errors)


def _queue(pk: int) -> None:
    # Imported here: courts.tasks imports this module for the services its tasks wrap.
    from courts.tasks import process_court_message

    publish(process_court_message, [((pk,), [pk])])


def _queue_many(pks: list[int]) -> int:
    """One task a message, over one connection to the broker (the sweep after an outage)."""
    from courts.tasks import process_court_message

    return publish(process_court_message, [((pk,), [pk]) for pk in pks])


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
        rejected_message_exception_raise(message, reason)
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
    # One indexed read (every message received asks it): the processed copy sorts first.
    return (
        CourtMessage.objects.defer("raw_body", "raw_bytes")
        .filter(message_id=message.message_id)
        .filter(Q(status=MessageStatus.PROCESSED) | Q(pk__lt=message.pk, status__in=ORIGINAL_STATUSES))
        .exclude(pk=message.pk)
        .order_by(Case(When(status=MessageStatus.PROCESSED, then=0), default=1), "pk")
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
            done[pk] = _give_up(pk, _too_many_attempts(attempts[pk] - 1))
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


def _too_many_attempts(started: int) -> str:
    return (
        f"Processing was started {started} times without finishing (each attempt failed or stopped the "
        "worker). Check the message, then retry it."
    )


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
    with _InAuditChannel(), one_unit():
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
    # One unit: an error anywhere undoes the whole batch (court_messages_process then tries each
    # message alone), so the steps and services in it take no savepoints of their own; each
    # message is applied in a savepoint of its own (_apply).
    with _InAuditChannel(), one_unit(), batch_writes():
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
                rejected_message_exception_raise(message, validation.reason)
                continue
            if _apply(
                message,
                validation.data,
                reference=reference,
                may_have_exceptions=message.has_exceptions,
            ):
                processed.append(message)
        if processed:
            _retry_waiting_after_commit(processed, order)
    return {message.pk: message for message in messages}


# --- retrying ------------------------------------------------------------------------------------


def _retry(message: CourtMessage, *, reason: str, actor=None, summary: str = "") -> None:
    """Move an EXCEPTION message (locked by the caller) back to RECEIVED with its attempts counted
    afresh, and queue it for the workers once this commits, so a failure there cannot strand it.
    The one way a message is retried: by a person, or automatically for a message waiting for
    one just processed."""
    pk = message.pk
    message_transition(
        message=message,
        to_status=MessageStatus.RECEIVED,
        reason=reason,
        actor=actor,
        summary=summary,
        attempts=0,
        queued_at=None,
        on_commit=[lambda: _queue(pk)],
    )


def court_message_retry(*, actor, message: CourtMessage) -> CourtMessage:
    """Process an EXCEPTION message again, once the record it needs has been put right."""
    with one_unit():
        message = CourtMessage.objects.select_for_update().get(pk=message.pk)
        _retry(message, reason="Retried by a person", actor=actor, summary=f"Retried court message {message}")
    return message


def _retry_waiting_after_commit(processed: list[CourtMessage], order: dict[int, int] | None = None) -> None:
    """Once the transaction that processed these messages commits, retry those waiting for them."""
    transaction.on_commit(lambda: _retry_waiting(processed, order), robust=True)


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
        with one_unit():
            message = CourtMessage.objects.select_for_update().filter(pk=pk).first()
            if message is None or message.status != MessageStatus.EXCEPTION:
                continue
            _retry(
                message, reason=f"Retried automatically after message {by.message_id or by.pk} was processed"
            )


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
        _give_up(pk, _too_many_attempts(attempts))
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
        ).update(decision=MatchDecision.REJECTED, decided_by=actor_user(actor), decided_at=now)
        MatchCandidate.objects.filter(pk=candidate.pk).update(
            decision=MatchDecision.CONFIRMED, decided_by=actor_user(actor), decided_at=now
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
            _retry_waiting_after_commit([message])
    return message


def match_reject(*, actor, message: CourtMessage, reason: str = "") -> CourtMessage:
    """None of the candidates is this person: a new sentence creates a new offender record; any
    other message becomes an exception (it needs an offender already on record)."""
    with _InAuditChannel(), transaction.atomic():
        message = _awaiting(message)
        MatchCandidate.objects.filter(message=message, decision=MatchDecision.PENDING).update(
            decision=MatchDecision.REJECTED, decided_by=actor_user(actor), decided_at=timezone.now()
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
            _retry_waiting_after_commit([message])
    return message
