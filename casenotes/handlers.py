"""Casenotes' reactions to other apps' domain events (subscribed in ioms/subscribers.py, in the
publisher's transaction): seed 001 asks for a casenote for every action about the offender, so a
change of a sentence or of personal details leaves its system casenote with the change, or neither
exists.

The words of each note are worded here, from the event: the event says what changed (its fields
are the facts other subscribers and the outbox keep too), and what the casenote trail says about it
is casenotes' business. The sentence or offender the note is filed under is the publisher's record
in hand when it passed it (no second query), otherwise read."""

from casenotes.services import system_casenote
from events.domain import (
    CustodyMovementRecorded,
    OffenderDetailsChanged,
    PrisonRecordChanged,
    SentenceChanged,
    SentenceCommenced,
    SentenceCompleted,
    SentenceEventRecorded,
    SentenceEventResolved,
    SentenceRecorded,
    record_in_hand,
)
from offenders.models import Offender
from sentences.models import CompletionReason, Sentence, SentenceEvent, SentenceEventKind, SentenceStatus

# Where a change came from, after the note's summary (a person's own change says nothing).
SOURCE_NOTE = {
    SentenceEvent.Source.COURT_INTERFACE: " (from the court interface)",
    SentenceEvent.Source.SYSTEM: " (by the system)",
    SentenceEvent.Source.PERSON: "",
}


def _sentence(sentence_id: int) -> Sentence:
    return record_in_hand(Sentence, sentence_id) or Sentence.objects.select_related(
        "offender", "court", "managing_office"
    ).get(pk=sentence_id)


def _sentence_note(*, actor, sentence: Sentence, summary: str, text: str, source: str) -> None:
    system_casenote(
        actor=actor,
        offender=sentence.offender,
        sentence=sentence,
        summary=(summary + SOURCE_NOTE.get(source, ""))[:200],
        text=text,
    )


def _changed(model, changes) -> str:
    """'end date: 2027-05-03 → 2027-06-05; hours: — → 100', by the fields' names."""
    return "; ".join(
        f"{model._meta.get_field(name).verbose_name}: {old or '—'} → {new or '—'}"
        for name, (old, new) in changes.items()
    )


def note_sentence_recorded(event: SentenceRecorded, *, actor) -> None:
    sentence = _sentence(event.sentence_id)
    kind = sentence.get_sentence_type_display()
    _sentence_note(
        actor=actor,
        sentence=sentence,
        source=event.source,
        summary=f"Sentence recorded: {kind}",
        text=f"{kind} imposed at {sentence.court} "
        f"on {sentence.order_date:%-d %b %Y}, from {sentence.start_date:%-d %b %Y}"
        + (f" to {sentence.end_date:%-d %b %Y}" if sentence.end_date else " (indeterminate)")
        + f". Convictions: {event.convictions}.",
    )


def note_sentence_changed(event: SentenceChanged, *, actor) -> None:
    if "managing_office" in event.changes:
        summary = f"Sentence transferred to {event.changes['managing_office'][1] or 'no office'}"
    else:
        summary = "Sentence details changed"
    _sentence_note(
        actor=actor,
        sentence=_sentence(event.sentence_id),
        source=event.source,
        summary=summary,
        text=f"{_changed(Sentence, event.changes)}. {event.reason}".strip(),
    )


def note_sentence_commenced(event: SentenceCommenced, *, actor) -> None:
    _sentence_note(
        actor=actor,
        sentence=_sentence(event.sentence_id),
        source=event.source,
        summary=f"Sentence {SentenceStatus.ACTIVE.label.lower()}",
        text="Sentence commenced",
    )


def note_sentence_completed(event: SentenceCompleted, *, actor) -> None:
    reason = CompletionReason(event.completion_reason).label
    _sentence_note(
        actor=actor,
        sentence=_sentence(event.sentence_id),
        source=event.source,
        summary=f"Sentence {SentenceStatus.COMPLETED.label.lower()}: {reason.lower()}",
        text=event.detail or reason,
    )


def note_sentence_event_recorded(event: SentenceEventRecorded, *, actor) -> None:
    _sentence_note(
        actor=actor,
        sentence=_sentence(event.sentence_id),
        source=event.source,
        summary=SentenceEventKind(event.kind).label,
        text=event.detail,
    )


def note_sentence_event_resolved(event: SentenceEventResolved, *, actor) -> None:
    kind = SentenceEventKind(event.kind).label
    _sentence_note(
        actor=actor,
        sentence=_sentence(event.sentence_id),
        source=event.source,
        summary=f"{kind} decided",
        text=f"{kind} lodged {event.lodged_on:%-d %b %Y}: {event.outcome}",
    )


def note_offender_details_changed(event: OffenderDetailsChanged, *, actor) -> None:
    system_casenote(
        actor=actor,
        offender=record_in_hand(Offender, event.offender_id) or Offender.objects.get(pk=event.offender_id),
        summary=f"Personal details changed{event.source_note}"[:200],
        text=_changed(Offender, event.changes),
    )


def note_prison_record_changed(event: PrisonRecordChanged, *, actor) -> None:
    """Seed 001: a casenote for every action about the offender; a prison record recorded,
    corrected or ended says so on the prisoner's casenote trail."""
    offender = record_in_hand(Offender, event.offender_id) or Offender.objects.get(pk=event.offender_id)
    system_casenote(
        actor=actor, offender=offender, summary=event.summary[:200], text=event.detail or event.summary
    )


def note_custody_movement_recorded(event: CustodyMovementRecorded, *, actor) -> None:
    """Seed 001: a casenote for every action about the offender; a reception, transfer or release
    is on the casenote trail with its reason."""
    offender = record_in_hand(Offender, event.offender_id) or Offender.objects.get(pk=event.offender_id)
    text = event.summary + (f". {event.detail}" if event.detail else ".")
    system_casenote(actor=actor, offender=offender, summary=event.summary[:200], text=text)
