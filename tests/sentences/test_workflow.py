"""The sentence goes through the one workflow mechanism: every step (the first status too) is a
SentenceTransition row, a step from a status someone else has moved the sentence on from is refused
and changes nothing, and the allowed-transitions map is enforced."""

import datetime

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from casenotes.models import Casenote
from sentences.models import (
    SENTENCE_WORKFLOW,
    CompletionReason,
    Sentence,
    SentenceEvent,
    SentenceStatus,
    SentenceTransition,
    SentenceType,
)
from sentences.services import sentence_commence, sentence_complete, sentence_create, sentences_commence_due
from tests.factories import CourtFactory, OffenceFactory, OffenderFactory
from workflow.transitions import ConcurrentChange, TransitionNotAllowed

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def today() -> datetime.date:
    return timezone.localdate()


@pytest.fixture
def actor(admin_support):
    return admin_support


def supervision(actor, office, *, start) -> Sentence:
    return sentence_create(
        actor=actor,
        offender=OffenderFactory(home_office=office),
        convictions=[{"offence": OffenceFactory(), "convicted_on": min(start, today())}],
        sentence_type=SentenceType.SUPERVISION,
        court=CourtFactory(),
        order_date=min(start, today()),
        start_date=start,
        end_date=start + 365 * DAY,
        managing_office=office,
    )


def steps(sentence: Sentence) -> list[tuple[str, str]]:
    return list(sentence.transitions.order_by("id").values_list("from_status", "to_status"))


def written() -> tuple[int, ...]:
    return (
        SentenceTransition.objects.count(),
        SentenceEvent.objects.count(),
        AuditEvent.objects.count(),
        Casenote.objects.count(),
    )


def test_a_sentence_recorded_ahead_commenced_and_completed_is_a_row_for_each_step(actor, office):
    sentence = supervision(actor, office, start=today() + 3 * DAY)
    Sentence.objects.filter(pk=sentence.pk).update(start_date=today(), order_date=today())
    sentence.refresh_from_db()

    sentence_commence(actor=actor, sentence=sentence)
    sentence_complete(
        actor=actor,
        sentence=sentence,
        reason=CompletionReason.QUASHED,
        completed_on=today(),
        detail="On appeal",
    )

    assert steps(sentence) == [
        ("", SentenceStatus.PENDING),
        (SentenceStatus.PENDING, SentenceStatus.ACTIVE),
        (SentenceStatus.ACTIVE, SentenceStatus.COMPLETED),
    ]
    completed = sentence.transitions.order_by("id").last()
    assert completed.actor == actor and completed.comment == "On appeal"
    audit = (
        AuditEvent.objects.filter(object_type="sentences.Sentence", object_id=str(sentence.pk))
        .order_by("id")
        .last()
    )
    assert audit.summary == f"{sentence}: Active → Completed"
    assert audit.changes["status"] == ["active", "completed"]
    assert audit.changes["completion_reason"] == [None, "quashed"]


def test_completing_a_sentence_someone_else_completed_while_it_was_open_is_refused_and_changes_nothing(
    actor, office
):
    sentence = supervision(actor, office, start=today() - 30 * DAY)
    stale = Sentence.objects.get(pk=sentence.pk)
    sentence_complete(actor=actor, sentence=sentence, reason=CompletionReason.NORMAL, completed_on=today())
    before = written()

    with pytest.raises(
        ConcurrentChange,
        match="Someone else changed this sentence while you had it open: it is now completed",
    ):
        sentence_complete(
            actor=actor,
            sentence=stale,
            reason=CompletionReason.QUASHED,
            completed_on=today(),
            detail="Quashed",
        )

    sentence.refresh_from_db()
    assert sentence.status == SentenceStatus.COMPLETED
    assert sentence.completion_reason == CompletionReason.NORMAL
    assert written() == before


def test_commencing_a_sentence_someone_else_commenced_while_it_was_open_is_refused(actor, office):
    sentence = supervision(actor, office, start=today() + 3 * DAY)
    Sentence.objects.filter(pk=sentence.pk).update(start_date=today(), order_date=today())
    stale = Sentence.objects.get(pk=sentence.pk)  # read while still pending
    sentence_commence(actor=actor, sentence=Sentence.objects.get(pk=sentence.pk))
    before = written()

    with pytest.raises(ConcurrentChange, match="Someone else changed this sentence .* it is now active"):
        sentence_commence(actor=actor, sentence=stale)

    assert written() == before
    assert sentences_commence_due() == 0, "the beat task finds nothing left to commence"
    assert steps(sentence).count((SentenceStatus.PENDING, SentenceStatus.ACTIVE)) == 1


def test_a_completed_sentence_never_becomes_active_or_pending_again(actor, office):
    sentence = supervision(actor, office, start=today() - 30 * DAY)
    sentence_complete(actor=actor, sentence=sentence, reason=CompletionReason.NORMAL, completed_on=today())

    for status, label in ((SentenceStatus.ACTIVE, "active"), (SentenceStatus.PENDING, "not yet started")):
        with pytest.raises(TransitionNotAllowed, match=f"A sentence that is completed cannot become {label}"):
            SENTENCE_WORKFLOW.move(sentence, to=status, actor=actor)

    assert Sentence.objects.get(pk=sentence.pk).status == SentenceStatus.COMPLETED
    assert len(steps(sentence)) == 2
