"""Seed 001: every action about the offender leaves a casenote. The system casenotes of changes to a
sentence or to personal details, word for word, with their author and in their order, written in
the change's transaction (casenotes subscribes to the owners' domain events: casenotes.handlers)."""

import datetime

import pytest
from django.db import transaction

from casenotes import handlers
from casenotes.models import Casenote
from offenders.services import offender_update
from sentences.models import CompletionReason, SentenceEvent, SentenceEventKind, SentenceStatus, SentenceType
from sentences.services import (
    sentence_commence,
    sentence_complete,
    sentence_event_record,
    sentence_event_resolve,
    sentence_update,
)
from staff.models import OfficeKind
from tests.allocation.helpers import ensure_weights, record_sentence, today
from tests.factories import CourtFactory, OffenderFactory, OfficeFactory, SentenceFactory, staff_user

pytestmark = pytest.mark.django_db

COURT = SentenceEvent.Source.COURT_INTERFACE


def _day(date: datetime.date) -> str:
    return f"{date:%-d %b %Y}"


@pytest.fixture
def manager(office):
    return staff_user("service_manager", office=office)


@pytest.fixture
def offender(office):
    return OffenderFactory(family_name="Ngata", given_names="Aroha", home_office=office)


def notes(offender, **filters) -> list[tuple]:
    return [
        (note.note_type, note.summary, note.text, note.author.username if note.author else None)
        for note in Casenote.objects.filter(offender=offender, **filters).order_by("id")
    ]


def test_a_recorded_sentence_leaves_its_note_before_the_allocation_notes(manager, offender):
    ensure_weights()
    start = today()
    sentence = record_sentence(
        manager, offender, SentenceType.SUPERVISION, court=CourtFactory(name="Manukau District Court")
    )

    recorded = (
        "system",
        "Sentence recorded: Supervision",
        f"Supervision imposed at Manukau District Court on {_day(start)}, from {_day(start)} "
        f"to {_day(start + datetime.timedelta(days=365))}. Convictions: 1.",
        manager.username,
    )
    assert notes(offender)[0] == recorded
    assert notes(offender, note_type="system") == [recorded]
    assert Casenote.objects.get(summary="Sentence recorded: Supervision").sentence == sentence


def test_changes_to_a_sentence_leave_their_notes(manager, offender):
    end = today() + datetime.timedelta(days=300)
    sentence = SentenceFactory(offender=offender, end_date=end)
    to_office = OfficeFactory(name="Otara Service Centre", kind=OfficeKind.SERVICE_CENTRE)

    sentence_update(
        actor=manager, sentence=sentence, reason="Varied by the court", end_date=end.replace(day=1)
    )
    sentence_update(actor=None, sentence=sentence, source=COURT, reason="Moved", managing_office=to_office)
    breach = sentence_event_record(
        actor=manager,
        sentence=sentence,
        kind=SentenceEventKind.BREACH,
        occurred_on=today(),
        detail="Missed the curfew on Friday",
        source=COURT,
    )
    sentence_event_resolve(
        actor=manager, event=breach, outcome="Breach proved: fined $200", resolved_on=today()
    )
    sentence_complete(
        actor=manager,
        sentence=sentence,
        reason=CompletionReason.TERMINATED,
        completed_on=today(),
        detail="Terminated on the probation officer's application",
    )

    assert notes(offender) == [
        (
            "system",
            "Sentence details changed",
            f"Expiry date (SED): {end.isoformat()} → {end.replace(day=1).isoformat()}. Varied by the court",
            manager.username,
        ),
        (
            "system",
            "Sentence transferred to Otara Service Centre (from the court interface)",
            f"managing office: {offender.home_office} → Otara Service Centre. Moved",
            None,
        ),
        (
            "system",
            "Charged with breach (from the court interface)",
            "Missed the curfew on Friday",
            manager.username,
        ),
        (
            "system",
            "Charged with breach decided",
            f"Charged with breach lodged {_day(today())}: Breach proved: fined $200",
            manager.username,
        ),
        (
            "system",
            "Sentence completed: terminated other than by normal completion",
            "Terminated on the probation officer's application",
            manager.username,
        ),
    ]
    assert set(Casenote.objects.filter(offender=offender).values_list("sentence", flat=True)) == {sentence.pk}


def test_a_sentence_commenced_by_the_system_and_one_completed_normally_leave_their_notes(offender):
    sentence = SentenceFactory(offender=offender, status=SentenceStatus.PENDING, start_date=today())

    sentence_commence(actor=None, sentence=sentence, source=SentenceEvent.Source.SYSTEM)
    sentence_complete(actor=None, sentence=sentence, reason=CompletionReason.NORMAL, completed_on=today())

    assert notes(offender) == [
        ("system", "Sentence active (by the system)", "Sentence commenced", None),
        ("system", "Sentence completed: completed normally", "Completed normally", None),
    ]


def test_changed_personal_details_leave_their_note(manager, offender):
    offender_update(
        actor=manager,
        offender=offender,
        source_note=" (from the court interface)",
        family_name="Ngata-Smith",
        phone="021 555 0101",
    )

    assert notes(offender) == [
        (
            "system",
            "Personal details changed (from the court interface)",
            "family name: Ngata → Ngata-Smith; phone: — → 021 555 0101",
            manager.username,
        )
    ]


def test_the_note_is_written_with_the_change_not_after_the_commit(
    manager, offender, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        offender_update(actor=manager, offender=offender, phone="021 555 0101")

    assert notes(offender, summary="Personal details changed")


def test_a_change_rolled_back_leaves_no_note(manager, offender):
    with pytest.raises(ValueError), transaction.atomic():
        offender_update(actor=manager, offender=offender, phone="021 555 0101")
        raise ValueError("the court message failed further on")

    assert notes(offender) == []


def test_a_note_that_cannot_be_written_undoes_the_change(manager, offender, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("casenotes refused")

    monkeypatch.setattr(handlers, "system_casenote", broken)
    end = today() + datetime.timedelta(days=300)
    sentence = SentenceFactory(offender=offender, end_date=end)

    with pytest.raises(RuntimeError, match="casenotes refused"):
        sentence_update(actor=manager, sentence=sentence, reason="Varied", end_date=end.replace(day=1))

    sentence.refresh_from_db()
    assert sentence.end_date == end
    assert not sentence.events.exists()
