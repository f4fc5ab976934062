"""Writes to sentences, convictions and charges. The sentence status is a state machine
(sentences.models.SENTENCE_WORKFLOW): `sentence_commence` and `sentence_complete` are its steps.

Each change publishes its domain event (events/domain.py): what other apps do about it (the system
casenote every action leaves, the allocate request of a new sentence, the handover on release, a
classification review) is theirs, subscribed in ioms/subscribers.py."""

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.actors import actor_user
from audit.models import AuditAction
from audit.records import record_update, record_validate
from audit.services import audit_created, audit_record
from events.domain import (
    ChargeDisposed,
    ChargeLaid,
    ConvictionRecorded,
    OffenderReleased,
    SentenceChanged,
    SentenceCommenced,
    SentenceCompleted,
    SentenceEventRecorded,
    SentenceEventResolved,
    SentenceRecorded,
    publish,
)
from ioms.transactions import atomic_service
from sentences.custody import custody_receive_on_sentence
from sentences.models import (
    RESOLVABLE_EVENT_KINDS,
    SENTENCE_WORKFLOW,
    Charge,
    CompletionReason,
    Conviction,
    Offence,
    Sentence,
    SentenceEvent,
    SentenceEventKind,
    SentenceStatus,
    SentenceType,
)

# Parole and release on conditions: in force, the offender is released (OffenderReleased).
RELEASE_TYPES = (SentenceType.PAROLE, SentenceType.RELEASE_ON_CONDITIONS)

SENTENCE_FIELDS = (
    "sentence_type",
    "court",
    "court_case_number",
    "order_date",
    "start_date",
    "end_date",
    "parole_eligibility_date",
    "statutory_release_date",
    "parole_hearing_date",
    "hours",
    "conditions",
    "indeterminate",
    "managing_office",
    # Read by the sentence calculation (sentences/calculation.py); imprisonment only.
    "consecutive_to",
    "remand_days",
    "minimum_period_months",
)


@atomic_service
def charge_create(*, actor, offender, offence: Offence, charged_on, **data: Any) -> Charge:
    charge = Charge(offender=offender, offence=offence, charged_on=charged_on, **data)
    record_validate(charge)
    today = timezone.localdate()
    if charged_on > today or (charge.disposed_on and charge.disposed_on > today):
        raise ValidationError({"charged_on": "Charge and disposal dates cannot be in the future."})
    charge.save()
    audit_created(
        actor=actor,
        obj=charge,
        fields=("offence", "charged_on", "offence_date", "court", "outstanding"),
        summary=f"Recorded charge {offence} against {offender}",
    )
    publish(
        ChargeLaid(
            offender_id=offender.pk, charge_id=charge.pk, offence_id=offence.pk, charged_on=charged_on
        ),
        actor=actor,
    )
    return charge


@atomic_service
def charge_dispose(*, actor, charge: Charge, outcome: str, disposed_on: datetime.date) -> dict:
    charge = Charge.objects.select_for_update().get(pk=charge.pk)
    if not charge.outstanding:
        raise ValidationError("This charge has already been disposed of.")
    if disposed_on > timezone.localdate():
        raise ValidationError({"disposed_on": "A charge cannot be disposed of in the future."})
    changes = record_update(
        actor=actor,
        instance=charge,
        data={"outstanding": False, "outcome": outcome, "disposed_on": disposed_on},
        summary=f"Charge {charge.offence} disposed: {outcome}",
    )
    publish(
        ChargeDisposed(
            offender_id=charge.offender_id, charge_id=charge.pk, outcome=outcome, disposed_on=disposed_on
        ),
        actor=actor,
    )
    return changes


def _as_recorded(sentence: Sentence) -> dict[str, Any]:
    """The sentence's fields for its SentenceRecorded event (no query: offices and court by id)."""
    return {
        "sentence_type": sentence.sentence_type,
        "status": sentence.status,
        "court_id": sentence.court_id,
        "order_date": sentence.order_date,
        "start_date": sentence.start_date,
        "end_date": sentence.end_date,
        "indeterminate": sentence.indeterminate,
        "parole_eligibility_date": sentence.parole_eligibility_date,
        "statutory_release_date": sentence.statutory_release_date,
        "parole_hearing_date": sentence.parole_hearing_date,
        "hours": sentence.hours,
        "managing_office_id": sentence.managing_office_id,
        # Not in the data share's catalogue: its feed carries none of these.
        "consecutive_to_id": sentence.consecutive_to_id,
        "remand_days": sentence.remand_days,
        "minimum_period_months": sentence.minimum_period_months,
    }


def _initial_status(start_date: datetime.date) -> str:
    return SentenceStatus.PENDING if start_date > timezone.localdate() else SentenceStatus.ACTIVE


@atomic_service
def sentence_create(
    *,
    actor,
    offender,
    convictions: Iterable[dict],
    source: str = SentenceEvent.Source.PERSON,
    **data: Any,
) -> Sentence:
    """A sentence with the conviction(s) behind it. `convictions` are dicts of offence, convicted_on
    and optionally offence_date and charge (an outstanding charge it disposes of)."""
    unknown = set(data) - set(SENTENCE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown sentence fields: {sorted(unknown)}")
    convictions = list(convictions)
    if not convictions:
        raise ValidationError({"convictions": "A sentence needs at least one conviction behind it."})
    start_date = data.get("start_date")
    status = _initial_status(start_date) if start_date else SentenceStatus.ACTIVE
    sentence = Sentence(offender=offender, status=status, **data)
    record_validate(sentence)
    sentence.save()
    SENTENCE_WORKFLOW.record_step(sentence, from_status="", to=sentence.status, actor=actor)
    for item in convictions:
        conviction_add(actor=actor, sentence=sentence, **item)
    SentenceEvent.objects.create(
        sentence=sentence,
        kind=SentenceEventKind.ORDER_RECEIVED,
        occurred_on=sentence.order_date,
        detail=f"{sentence.get_sentence_type_display()} imposed at {sentence.court}",
        to_status=sentence.status,
        source=source,
        recorded_by=actor_user(actor),
    )
    audit_created(
        actor=actor, obj=sentence, fields=SENTENCE_FIELDS, summary=f"Recorded {sentence} for {offender}"
    )
    # Seed 001: its casenote, and seed 002: every recorded sentence needing an officer gets one
    # allocate request, in this transaction (casenotes and allocation subscribe in transaction).
    publish(
        SentenceRecorded(
            offender_id=sentence.offender_id,
            sentence_id=sentence.pk,
            sentence=_as_recorded(sentence),
            convictions=len(convictions),
            source=source,
        ),
        actor=actor,
        records=(sentence,),
    )
    if sentence.sentence_type in RELEASE_TYPES and sentence.status == SentenceStatus.ACTIVE:
        _publish_release(actor=actor, sentence=sentence, on=sentence.start_date)
    if sentence.status == SentenceStatus.ACTIVE:
        custody_receive_on_sentence(actor=actor, sentence=sentence, on=sentence.start_date)
    return sentence


def _publish_release(*, actor, sentence: Sentence, on: datetime.date) -> None:
    publish(
        OffenderReleased(
            offender_id=sentence.offender_id,
            sentence_id=sentence.pk,
            sentence_type=sentence.sentence_type,
            released_on=on,
        ),
        actor=actor,
    )


@atomic_service
def conviction_add(
    *,
    actor,
    sentence: Sentence,
    offence: Offence,
    convicted_on,
    offence_date=None,
    charge: Charge | None = None,
) -> Conviction:
    # The offender object when the sentence has it loaded: then validating it needs no query.
    offender = (
        {"offender": sentence.offender}
        if Sentence.offender.is_cached(sentence)
        else {"offender_id": sentence.offender_id}
    )
    conviction = Conviction(
        sentence=sentence,
        **offender,
        offence=offence,
        convicted_on=convicted_on,
        offence_date=offence_date,
        charge=charge,
    )
    record_validate(conviction)
    if convicted_on > timezone.localdate():
        raise ValidationError({"convicted_on": "A conviction cannot be in the future."})
    if convicted_on > sentence.order_date:
        raise ValidationError({"convicted_on": "The conviction cannot be after the sentence was ordered."})
    if charge is not None:
        if charge.offender_id != sentence.offender_id:
            raise ValidationError({"charge": "That charge is against a different offender."})
        if not charge.outstanding:
            raise ValidationError({"charge": "That charge has already been disposed of."})
        if charge.outstanding:
            charge_dispose(
                actor=actor, charge=charge, outcome=Charge.Outcome.CONVICTED, disposed_on=convicted_on
            )
    conviction.save()
    audit_created(
        actor=actor,
        obj=conviction,
        fields=("offence", "convicted_on", "offence_date"),
        summary=f"Recorded conviction {offence} on {sentence}",
    )
    publish(
        ConvictionRecorded(
            offender_id=sentence.offender_id,
            conviction_id=conviction.pk,
            sentence_id=sentence.pk,
            offence_id=offence.pk,
            convicted_on=convicted_on,
        ),
        actor=actor,
    )
    return conviction


@atomic_service
def sentence_update(
    *,
    actor,
    sentence: Sentence,
    reason: str = "",
    source: str = SentenceEvent.Source.PERSON,
    occurred_on: datetime.date | None = None,
    **data: Any,
) -> dict:
    unknown = set(data) - set(SENTENCE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown sentence fields: {sorted(unknown)}")
    sentence = Sentence.objects.select_for_update().get(pk=sentence.pk)
    if sentence.status == SentenceStatus.COMPLETED:
        raise ValidationError("A completed sentence cannot be changed.")
    changes = record_update(actor=actor, instance=sentence, data=data, summary=f"Changed {sentence}")
    if changes:
        kind = (
            SentenceEventKind.TRANSFER if "managing_office" in changes else SentenceEventKind.DETAILS_CHANGED
        )
        detail = reason or ", ".join(Sentence._meta.get_field(name).verbose_name for name in changes)
        SentenceEvent.objects.create(
            sentence=sentence,
            kind=kind,
            occurred_on=occurred_on or timezone.localdate(),
            detail=detail[:500],
            source=source,
            recorded_by=actor_user(actor),
        )
        publish(
            SentenceChanged(
                offender_id=sentence.offender_id,
                sentence_id=sentence.pk,
                changes=changes,
                reason=reason,
                source=source,
            ),
            actor=actor,
            records=(sentence,),
        )
    return changes


def _transition(*, actor, sentence: Sentence, to_status: str, data: dict, event: dict) -> Sentence:
    """A step of SENTENCE_WORKFLOW from the status the caller read (refused, changing nothing, when
    someone else has moved the sentence meanwhile), with the dated event on the sentence's history.
    `sentence` is updated in memory and returned."""
    current = sentence
    from_status = current.status
    SENTENCE_WORKFLOW.move(
        current,
        to=to_status,
        actor=actor,
        comment=event.get("detail", ""),
        fields=data,
        summary=f"{current}: {current.get_status_display()} → {SentenceStatus(to_status).label}",
        audit_changes={k: [None, str(v)] for k, v in data.items()},
    )
    SentenceEvent.objects.create(
        sentence=current,
        from_status=from_status,
        to_status=to_status,
        recorded_by=actor_user(actor),
        **event,
    )
    return current


@atomic_service
def sentence_commence(
    *,
    actor,
    sentence: Sentence,
    on: datetime.date | None = None,
    source: str = SentenceEvent.Source.PERSON,
) -> Sentence:
    on = on or timezone.localdate()
    if on > timezone.localdate():
        raise ValidationError({"on": "A sentence cannot be commenced in the future."})
    if on < sentence.start_date:
        raise ValidationError({"on": f"The sentence does not start until {sentence.start_date:%-d %b %Y}."})
    commenced = _transition(
        actor=actor,
        sentence=sentence,
        to_status=SentenceStatus.ACTIVE,
        data={},
        event={
            "kind": SentenceEventKind.DETAILS_CHANGED,
            "occurred_on": on,
            "detail": "Sentence commenced",
            "source": source,
        },
    )
    publish(
        SentenceCommenced(
            offender_id=commenced.offender_id,
            sentence_id=commenced.pk,
            sentence_type=commenced.sentence_type,
            commenced_on=on,
            source=source,
        ),
        actor=actor,
        records=(commenced,),
    )
    if commenced.sentence_type in RELEASE_TYPES:
        # Issue 6: released today, into a case the community may already have accepted.
        _publish_release(actor=actor, sentence=commenced, on=on)
    custody_receive_on_sentence(actor=actor, sentence=commenced, on=on)
    return commenced


@atomic_service
def sentence_complete(
    *,
    actor,
    sentence: Sentence,
    reason: str,
    completed_on: datetime.date,
    detail: str = "",
    source: str = SentenceEvent.Source.PERSON,
) -> Sentence:
    """Seed 001 completion: normal, cancelled by a subsequent sentence, quashed, discharged early
    or terminated. Sets the status and the end date the sentence actually ended."""
    if reason not in CompletionReason.values:
        raise ValidationError({"reason": "Choose how the sentence ended."})
    if completed_on < sentence.start_date and reason == CompletionReason.NORMAL:
        raise ValidationError({"completed_on": "A sentence cannot complete normally before it starts."})
    if completed_on > timezone.localdate():
        raise ValidationError({"completed_on": "A completion cannot be recorded in the future."})
    if reason != CompletionReason.NORMAL and not detail.strip():
        raise ValidationError({"detail": "Say what ended the sentence (e.g. the court's decision)."})
    data = {"completion_reason": reason, "completed_on": completed_on}
    if reason != CompletionReason.NORMAL or sentence.end_date is None:
        data["end_date"] = max(completed_on, sentence.start_date)
    completed = _transition(
        actor=actor,
        sentence=sentence,
        to_status=SentenceStatus.COMPLETED,
        data=data,
        event={
            "kind": SentenceEventKind.COMPLETED,
            "occurred_on": completed_on,
            "completion_reason": reason,
            "detail": detail or CompletionReason(reason).label,
            "source": source,
        },
    )
    publish(
        SentenceCompleted(
            offender_id=completed.offender_id,
            sentence_id=completed.pk,
            sentence_type=completed.sentence_type,
            completed_on=completed_on,
            completion_reason=reason,
            detail=detail or CompletionReason(reason).label,
            source=source,
        ),
        actor=actor,
        records=(completed,),
    )
    return completed


@atomic_service
def sentence_event_record(
    *,
    actor,
    sentence: Sentence,
    kind: str,
    occurred_on: datetime.date,
    detail: str,
    source: str = SentenceEvent.Source.PERSON,
) -> SentenceEvent:
    """Seed 001 changed-details events that do not change a field: an application, an appeal, a breach."""
    allowed = {
        SentenceEventKind.APPLICATION,
        SentenceEventKind.APPEAL_SENTENCE,
        SentenceEventKind.APPEAL_CONVICTION,
        SentenceEventKind.BREACH,
        SentenceEventKind.DETAILS_CHANGED,
    }
    if kind not in allowed:
        raise ValidationError({"kind": "Use the completion or transfer action for that event."})
    if not detail.strip():
        raise ValidationError({"detail": "Describe the event."})
    if occurred_on > timezone.localdate():
        raise ValidationError({"occurred_on": "The event cannot be in the future."})
    event = SentenceEvent(
        sentence=sentence,
        kind=kind,
        occurred_on=occurred_on,
        detail=detail,
        source=source,
        recorded_by=actor_user(actor),
    )
    record_validate(event)
    event.save()
    audit_created(
        actor=actor, obj=event, fields=("kind", "occurred_on", "detail"), summary=f"{event} on {sentence}"
    )
    publish(
        SentenceEventRecorded(
            offender_id=sentence.offender_id,
            sentence_id=sentence.pk,
            sentence_event_id=event.pk,
            kind=kind,
            occurred_on=occurred_on,
            detail=detail,
            source=source,
        ),
        actor=actor,
        records=(sentence,),
    )
    return event


@atomic_service
def sentence_event_resolve(
    *,
    actor,
    event: SentenceEvent,
    outcome: str,
    resolved_on: datetime.date,
    source: str = SentenceEvent.Source.PERSON,
) -> SentenceEvent:
    """Decide an application, appeal or breach: it stops showing as outstanding on the sentence.
    What the decision changes (e.g. a quashed sentence) is its own action."""
    if event.kind not in RESOLVABLE_EVENT_KINDS:
        raise ValidationError(f"{event.get_kind_display()} is not something that gets decided.")
    if not outcome.strip():
        raise ValidationError({"outcome": "Record the outcome (e.g. appeal dismissed)."})
    if resolved_on < event.occurred_on:
        raise ValidationError({"resolved_on": "It cannot be decided before it was lodged."})
    if resolved_on > timezone.localdate():
        raise ValidationError({"resolved_on": "The decision date cannot be in the future."})
    updated = SentenceEvent.objects.filter(pk=event.pk, resolved_on__isnull=True).update(
        resolved_on=resolved_on,
        outcome=outcome[:300],
        resolution_source=source,
        resolved_by=actor_user(actor),
    )
    if not updated:
        raise ValidationError("This has already been decided.")
    event.refresh_from_db()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=event,
        summary=f"{event.get_kind_display()} decided: {outcome}"[:300],
        changes={"resolved_on": [None, resolved_on.isoformat()], "outcome": ["", outcome]},
    )
    publish(
        SentenceEventResolved(
            offender_id=event.sentence.offender_id,
            sentence_id=event.sentence_id,
            sentence_event_id=event.pk,
            kind=event.kind,
            lodged_on=event.occurred_on,
            resolved_on=resolved_on,
            outcome=outcome,
            source=source,
        ),
        actor=actor,
        records=(event.sentence,),
    )
    return event


def sentences_commence_due(*, on: datetime.date | None = None) -> int:
    """Start every pending sentence whose commencement date has arrived. Each sentence is its own
    transaction, so one bad row cannot hold back the rest; returns how many started."""
    on = on or timezone.localdate()
    started = 0
    due = Sentence.objects.filter(status=SentenceStatus.PENDING, start_date__lte=on)
    for sentence in list(due):
        try:
            sentence_commence(actor=None, sentence=sentence, on=on, source=SentenceEvent.Source.SYSTEM)
        except ValidationError:
            continue  # someone else moved it on between the read and the update
        started += 1
    return started
