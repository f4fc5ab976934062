"""Domain events: what changed, named and typed, published by the service that owns the change so
that other apps react without the owner calling up into them (STYLE.md: domain events, not upward
calls).

`publish(event, actor=...)`, inside the owner's transaction:
1. writes the event to the outbox (events.models.OutboxEvent), in that transaction (inside
   `outbox_batch()`, with the block's other events when it ends);
2. runs the "in transaction" subscribers at once: what must hold with the change (seed 002: the
   allocate request exists with the sentence), so their failure rolls the change back;
3. queues the "on commit" subscribers with transaction.on_commit: side effects that must not run for
   a change that is rolled back. One failing is logged with its outbox row (to be replayed from
   there), never lost silently, and does not stop the others.

Who subscribes to what is one registry, at the composition root (ioms/subscribers.py), named by the
IOMS_EVENT_SUBSCRIBERS setting. Subscribers are explicit calls listed in one place, not model signals.
Every event names its offender; its other fields are ids, dates, codes and the words a person gave
(a reason, a detail), never model objects, so the outbox row is the whole event. The records the
publisher has in hand may go with the event to its in-transaction subscribers
(`publish(..., records=...)`, read with `record_in_hand`), never into the outbox."""

import contextlib
import dataclasses
import datetime
import functools
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from events.models import OutboxEvent

logger = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class DomainEvent:
    offender_id: int

    def payload(self) -> dict[str, Any]:
        return {name: value for name, value in dataclasses.asdict(self).items() if name != "offender_id"}


# --- sentences (published by sentences.services) -----------------------------------------------


@dataclass(frozen=True, kw_only=True)
class SentenceRecorded(DomainEvent):
    sentence_id: int
    # The sentence's fields as recorded, by the names of the data share's catalogue of sentence
    # fields (datashare/catalogue.py), with offices and the court by id.
    sentence: Mapping[str, Any]
    convictions: int  # how many convictions it was recorded with
    source: str = ""


@dataclass(frozen=True, kw_only=True)
class SentenceChanged(DomainEvent):
    """Any change of a sentence's details, release dates and transfers included: {field: [old, new]}."""

    sentence_id: int
    changes: Mapping[str, list]
    reason: str = ""
    source: str = ""

    RELEASE_DATE_FIELDS = ("end_date", "parole_eligibility_date", "statutory_release_date")

    @property
    def release_dates_changed(self) -> tuple[str, ...]:
        """The release dates (SED, PED, SRD) among the changes. The next parole hearing date is not
        one: it moves after every hearing."""
        return tuple(name for name in self.RELEASE_DATE_FIELDS if name in self.changes)


@dataclass(frozen=True, kw_only=True)
class SentenceCommenced(DomainEvent):
    sentence_id: int
    sentence_type: str
    commenced_on: datetime.date
    source: str = ""


@dataclass(frozen=True, kw_only=True)
class SentenceCompleted(DomainEvent):
    sentence_id: int
    sentence_type: str
    completed_on: datetime.date
    completion_reason: str
    detail: str = ""  # what ended it, as its sentence event records it (e.g. the court's decision)
    source: str = ""


@dataclass(frozen=True, kw_only=True)
class SentenceEventRecorded(DomainEvent):
    """Seed 001 events on a sentence that change no field of it: an application, an appeal, a
    breach (sentences.models.SentenceEvent, by its kind)."""

    sentence_id: int
    sentence_event_id: int
    kind: str
    occurred_on: datetime.date
    detail: str
    source: str = ""


@dataclass(frozen=True, kw_only=True)
class SentenceEventResolved(DomainEvent):
    """An application, appeal or breach decided."""

    sentence_id: int
    sentence_event_id: int
    kind: str
    lodged_on: datetime.date
    resolved_on: datetime.date
    outcome: str
    source: str = ""


@dataclass(frozen=True, kw_only=True)
class OffenderReleased(DomainEvent):
    """A release sentence (parole, release on conditions) in force: recorded as already started, or
    commenced."""

    sentence_id: int
    sentence_type: str
    released_on: datetime.date


@dataclass(frozen=True, kw_only=True)
class CustodyMovementRecorded(DomainEvent):
    """A person was received into a prison, transferred between prisons or released (with the
    reason), as sentences.custody records it. A release does not end the sentence."""

    movement_id: int
    kind: str  # sentences.models.CustodyMovementKind
    prison_id: int
    occurred_on: datetime.date
    release_reason: str = ""
    summary: str  # in a person's words ("Released on parole from Rimutaka Prison on 3 Mar 2026")
    detail: str = ""


@dataclass(frozen=True, kw_only=True)
class ChargeLaid(DomainEvent):
    charge_id: int
    offence_id: int
    charged_on: datetime.date


@dataclass(frozen=True, kw_only=True)
class ChargeDisposed(DomainEvent):
    charge_id: int
    outcome: str
    disposed_on: datetime.date


@dataclass(frozen=True, kw_only=True)
class ConvictionRecorded(DomainEvent):
    conviction_id: int
    sentence_id: int
    offence_id: int
    convicted_on: datetime.date


# --- allocation (published by allocation.team) --------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class OffenderRecalled(DomainEvent):
    release_sentence_id: int
    prison_id: int
    recalled_on: datetime.date
    allocate_request_id: int


# --- offenders (published by offenders.services) ------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class OffenderDetailsChanged(DomainEvent):
    """Personal details changed: {field: [old, new]}, as the audit row has them (offices by name,
    dates as ISO text). `source_note` is where the change came from, in the words the caller gave
    (" (from the court interface)", " (correction CR-000012)"), empty for a person's own change."""

    changes: Mapping[str, list]
    source_note: str = ""


@dataclass(frozen=True, kw_only=True)
class RestrictedRecordOpened(DomainEvent):
    """Break glass: someone not on a restricted record's access list opened it, with a reason."""

    grant_id: int
    user_id: int
    expires_at: datetime.datetime


# --- prison records (published by classification.records) ---------------------------------------


@dataclass(frozen=True, kw_only=True)
class PrisonRecordChanged(DomainEvent):
    """A prison record the Review Security Classification reads (seed 003: incident and misconduct
    reports, escapes, At Risk alerts, health stability assessments, removal orders, information
    from Police, the initial classification) was recorded, corrected or ended. Seed 003: a review
    "whenever there is a significant change in the prisoner's circumstances"."""

    RECORDED = "recorded"
    CORRECTED = "corrected"
    ENDED = "ended"

    record_label: str  # the record's model label, e.g. "classification.EscapeEvent"
    record_id: int
    action: str  # RECORDED, CORRECTED or ENDED
    summary: str  # what happened, in a person's words ("Escape from prison on 3 Mar 2026 recorded")
    detail: str = ""  # the fields and, for a correction, the reason given


# --- agencies (published by agencies.services) --------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ReferralStatusChanged(DomainEvent):
    referral_id: int
    from_status: str
    to_status: str
    on: datetime.date


@dataclass(frozen=True, kw_only=True)
class ReferralAttendanceRecorded(DomainEvent):
    referral_id: int
    session_on: datetime.date
    attended: bool


# --- appointments (published by appointments.services) ------------------------------------------


@dataclass(frozen=True, kw_only=True)
class AppointmentOutcomeRecorded(DomainEvent):
    """What happened at an appointment (attended, failed to attend, cancelled…), once recorded."""

    appointment_id: int
    outcome: str  # appointments.models.AppointmentStatus
    kind: str  # appointments.models.AppointmentKind
    on: datetime.date  # the appointment's day, in New Zealand time


EVENT_TYPES: dict[str, type[DomainEvent]] = {
    cls.__name__: cls
    for cls in (
        SentenceRecorded,
        SentenceChanged,
        SentenceCommenced,
        SentenceCompleted,
        SentenceEventRecorded,
        SentenceEventResolved,
        OffenderReleased,
        CustodyMovementRecorded,
        ChargeLaid,
        ChargeDisposed,
        ConvictionRecorded,
        OffenderRecalled,
        OffenderDetailsChanged,
        RestrictedRecordOpened,
        ReferralStatusChanged,
        ReferralAttendanceRecorded,
        PrisonRecordChanged,
        AppointmentOutcomeRecorded,
    )
}


# --- subscribers ---------------------------------------------------------------------------------

Handler = Callable[..., None]  # handler(event, *, actor)


@dataclass(frozen=True)
class Subscriber:
    handler: Handler
    after_commit: bool = False

    @property
    def name(self) -> str:
        return f"{self.handler.__module__}.{self.handler.__qualname__}"


def in_transaction(handler: Handler) -> Subscriber:
    """Runs inside the publisher's transaction: its failure undoes the change."""
    return Subscriber(handler, after_commit=False)


def on_commit(handler: Handler) -> Subscriber:
    """Runs after the publisher's transaction commits, never for a change rolled back."""
    return Subscriber(handler, after_commit=True)


@functools.cache
def registry() -> Mapping[type[DomainEvent], tuple[Subscriber, ...]]:
    # Loaded once, by name: the registry is the composition root (like ROOT_URLCONF), which imports
    # every app's handlers; this module, the lowest layer, imports none of them.
    return import_string(settings.IOMS_EVENT_SUBSCRIBERS)


def _actor_fields(actor) -> dict[str, Any]:
    if getattr(actor, "is_authenticated", False):
        return {"actor_id": actor.pk, "actor_username": actor.get_username()[:150]}
    return {"actor_id": None, "actor_username": (str(actor) if actor is not None else "system")[:150]}


def _after_commit(subscriber: Subscriber, event: DomainEvent, actor, row: OutboxEvent) -> None:
    try:
        subscriber.handler(event, actor=actor)
    except Exception:
        # The change is committed; the reaction is not. Logged with the outbox row it reacts to, so
        # it can be replayed from there (the outbox keeps the event).
        logger.exception(
            "On-commit subscriber %s failed for %s (outbox event %s)",
            subscriber.name,
            type(event).__name__,
            row.pk,
        )


# Outbox rows waiting for the end of an `outbox_batch()` block (None: insert each at once).
_pending: ContextVar[list[OutboxEvent] | None] = ContextVar("events_outbox_batch", default=None)


@contextlib.contextmanager
def outbox_batch() -> Iterator[None]:
    """The outbox rows published in this block are inserted together, in one statement, when it ends
    without an error, still in the same transaction (nothing reads them back before it commits).
    audit.services.batch_writes() opens one: a court batch writes its events as it writes its audit
    rows."""
    if _pending.get() is not None:
        yield
        return
    rows: list[OutboxEvent] = []
    token = _pending.set(rows)
    try:
        yield
        OutboxEvent.objects.bulk_create(rows, batch_size=1000)
    finally:
        _pending.reset(token)


@contextlib.contextmanager
def outbox_batch_undone_on_error() -> Iterator[None]:
    """Pair with a savepoint: when the block fails, the events it left waiting are dropped, as the
    savepoint's rollback drops the rows it inserted."""
    rows = _pending.get()
    mark = len(rows) if rows is not None else 0
    try:
        yield
    except BaseException:
        if rows is not None:
            del rows[mark:]
        raise


# The records the publisher of the event being handled passed in hand, by (model, pk).
_in_hand: ContextVar[Mapping[tuple[type[models.Model], Any], models.Model] | None] = ContextVar(
    "events_records_in_hand", default=None
)


def record_in_hand[M: models.Model](model: type[M], pk: Any) -> M | None:
    """The `model` row with this pk, if the publisher of the event being handled passed it in hand:
    an in-transaction subscriber reads it rather than querying for it again (a court batch keeps
    its statements per message). None otherwise (and always after the commit: by then a record in
    hand may be out of date)."""
    records = _in_hand.get()
    return records.get((model, pk)) if records is not None else None


def publish(event: DomainEvent, *, actor, records: Iterable[models.Model] = ()) -> OutboxEvent:
    """`records`: rows the publisher has in hand that its in-transaction subscribers may need (the
    sentence just written), read there with `record_in_hand`. They go no further than those calls."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("publish() must be called inside the transaction of the change it reports.")
    row = OutboxEvent(
        occurred_at=timezone.now(),
        event_type=type(event).__name__,
        offender_id=event.offender_id,
        payload=event.payload(),
        **_actor_fields(actor),
    )
    waiting = _pending.get()
    if waiting is None:
        row.save(force_insert=True)
    else:
        waiting.append(row)
    in_hand = _in_hand.set({(type(record), record.pk): record for record in records})
    try:
        for subscriber in registry().get(type(event), ()):
            if subscriber.after_commit:
                transaction.on_commit(
                    functools.partial(_after_commit, subscriber, event, actor, row), robust=True
                )
            else:
                subscriber.handler(event, actor=actor)
    finally:
        _in_hand.reset(in_hand)
    return row
