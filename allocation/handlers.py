"""Allocation's reactions to other apps' domain events (subscribed in ioms/subscribers.py). Each
decides whether it applies and calls the service that does the work."""

from allocation.handover import community_handover
from allocation.notifications import break_glass_notify
from allocation.requests import allocate_request_for_sentence
from events.domain import OffenderReleased, RestrictedRecordOpened, SentenceChanged, SentenceRecorded
from offenders.models import BreakGlassGrant, Offender
from sentences.models import Sentence


def _sentence(sentence_id: int) -> Sentence:
    return Sentence.objects.select_related("offender__home_office", "managing_office").get(pk=sentence_id)


def request_allocation(event: SentenceRecorded, *, actor) -> None:
    """Seed 002: every recorded sentence needing an officer gets one allocate request, in the
    sentence's transaction."""
    allocate_request_for_sentence(actor=actor, sentence=_sentence(event.sentence_id), source=event.source)


def request_allocation_on_transfer(event: SentenceChanged, *, actor) -> None:
    """Seed 002: a sentence that now needs (or moves to) a community office gets its allocate
    request; the service finds an existing one rather than making a second."""
    if "managing_office" in event.changes or "sentence_type" in event.changes:
        allocate_request_for_sentence(actor=actor, sentence=_sentence(event.sentence_id), source=event.source)


def hand_over_on_release(event: OffenderReleased, *, actor) -> None:
    """Issue 6: released into a case the community has already accepted: the prison hands over."""
    community_handover(actor=actor, offender=Offender.objects.get(pk=event.offender_id), on=event.released_on)


def notify_access_list(event: RestrictedRecordOpened, *, actor) -> None:
    break_glass_notify(
        grant=BreakGlassGrant.objects.select_related("offender", "user").get(pk=event.grant_id)
    )
