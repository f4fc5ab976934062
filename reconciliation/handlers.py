"""Reconciliation's reactions to other apps' domain events (subscribed in ioms/subscribers.py).

Issue 13: "court-supplied dates that disagree with the calculation raise an exception on the
exceptions report rather than being silently accepted or overwritten". A sentence recorded (by the
court interface or a person) or changed in what the calculation reads checks its offender's current
imprisonment sentences at once, in the publisher's transaction: the exception exists with the
sentence. The nightly scan (reconciliation.detection.KeyDatesDiffer) finds what was loaded without
an event, and marks an exception "no longer detected" once the dates agree."""

from events.domain import SentenceChanged, SentenceRecorded, record_in_hand
from reconciliation.detection import CALCULATION_CHANGES, key_dates_check
from sentences.models import Sentence, SentenceType


def key_dates_check_on_sentence_recorded(event: SentenceRecorded, *, actor) -> None:
    if event.sentence.get("sentence_type") != SentenceType.IMPRISONMENT:
        return
    key_dates_check(offender_id=event.offender_id, actor=actor)


def key_dates_check_on_sentence_changed(event: SentenceChanged, *, actor) -> None:
    if not CALCULATION_CHANGES.intersection(event.changes):
        return
    sentence = record_in_hand(Sentence, event.sentence_id)
    changed_type = "sentence_type" in event.changes
    if sentence is not None and sentence.sentence_type != SentenceType.IMPRISONMENT and not changed_type:
        return  # no query for a community sentence's change
    key_dates_check(offender_id=event.offender_id, actor=actor)
