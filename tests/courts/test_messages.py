"""Every message type, applied: what the offender's record and the sentence show afterwards."""

import datetime

import pytest

from casenotes.models import Casenote
from courts.models import CourtSentenceReference, MessageStatus
from offenders.models import Address, Identifier, Offender
from reconciliation.models import DataException, ReasonCode
from sentences.models import (
    Charge,
    CompletionReason,
    Conviction,
    Sentence,
    SentenceEvent,
    SentenceEventKind,
    SentenceStatus,
    SentenceType,
)
from tests.courts.conftest import TODAY, days_ago, deliver, imposed, on_sentence
from tests.factories import ConvictionFactory, OffenderFactory, SentenceFactory

pytestmark = pytest.mark.django_db
COURT = SentenceEvent.Source.COURT_INTERFACE


def test_a_new_sentence_for_someone_not_on_record_creates_the_offender_and_the_sentence(
    reference_data, office
):
    message = deliver(imposed("CMS-1"))

    assert message.status == MessageStatus.PROCESSED, message.status_reason
    offender = Offender.objects.get()
    assert (offender.family_name, offender.given_names) == ("Tamihana", "Wiremu James")
    assert offender.date_of_birth == datetime.date(1990, 5, 17)
    assert len(offender.prn) == 9 and offender.prn.startswith("9")
    assert offender.home_office == office
    assert [(a.family_name, a.given_names) for a in offender.aliases.all()] == [("Thomas", "William")]
    assert Address.objects.get(offender=offender).line1 == "12 Rata Street"
    sentence = Sentence.objects.get()
    assert sentence.offender == offender
    assert sentence.sentence_type == SentenceType.SUPERVISION
    assert sentence.court == reference_data["court"]
    assert sentence.managing_office == office
    assert sentence.court_case_number == "CRI-2025-085-000123"
    assert sentence.conditions == "Attend an alcohol and drug assessment\nNot associate with co-offenders"
    assert sentence.status == SentenceStatus.ACTIVE
    assert [c.offence.code for c in Conviction.objects.filter(sentence=sentence)] == ["CA188"]
    event = sentence.events.get()
    assert (event.kind, event.source, event.recorded_by) == (SentenceEventKind.ORDER_RECEIVED, COURT, None)
    assert CourtSentenceReference.objects.get(sentence=sentence).cms_reference == "S-CMS-1"
    assert (message.offender, message.sentence) == (offender, sentence)
    assert "New offender record created" in message.status_reason
    # Every action on the record leaves a system casenote.
    assert Casenote.objects.filter(offender=offender, sentence=sentence).exists()


def test_a_new_sentence_for_a_known_prn_is_added_to_that_record(known_sentence):
    offender = known_sentence.offender
    message = imposed(
        "CMS-2",
        offender={
            "prn": offender.prn,
            "family_name": "Tamihana",
            "given_names": "Wiremu",
            "date_of_birth": offender.date_of_birth.isoformat(),
        },
    )

    result = deliver(message)

    assert result.status == MessageStatus.PROCESSED, result.status_reason
    assert Offender.objects.count() == 1
    assert offender.sentences.count() == 2


def test_a_community_work_sentence_keeps_its_hours(reference_data):
    deliver(imposed("CMS-3", sentence_type="community_work", hours=120, conditions=[]))

    assert Sentence.objects.get().hours == 120


def test_an_imprisonment_sentence_keeps_its_parole_and_release_dates(reference_data):
    deliver(
        imposed(
            "CMS-4",
            sentence_type="imprisonment",
            conditions=[],
            end_date=days_ago(-1000),
            parole_eligibility_date=days_ago(-300),
            statutory_release_date=days_ago(-600),
            parole_hearing_date=days_ago(-290),
        )
    )

    sentence = Sentence.objects.get()
    assert sentence.parole_eligibility_date == TODAY() + datetime.timedelta(days=300)
    assert sentence.statutory_release_date == TODAY() + datetime.timedelta(days=600)
    assert sentence.parole_hearing_date == TODAY() + datetime.timedelta(days=290)


def test_a_change_of_personal_details_updates_the_record_with_a_casenote(known_sentence):
    offender = known_sentence.offender
    message = on_sentence("offender.details_changed", "CMS-5", known_sentence)
    del message["sentence_ref"]
    message["address"]["started_on"] = days_ago(3)

    result = deliver(message)

    assert result.status == MessageStatus.PROCESSED, result.status_reason
    offender.refresh_from_db()
    assert offender.family_name == "Tamihana-Smith"
    assert offender.family_name_folded == "tamihana-smith"
    assert {a.family_name for a in offender.aliases.all()} == {"Smith"}
    assert Address.objects.get(offender=offender, ended_on__isnull=True).line1 == "4 Kowhai Road"
    note = Casenote.objects.filter(offender=offender, summary__startswith="Personal details changed").get()
    assert "court interface" in note.summary


def test_an_application_is_recorded_and_stays_outstanding_until_decided(known_sentence):
    deliver(on_sentence("application.lodged", "CMS-6", known_sentence, lodged_on=days_ago(2)))

    event = known_sentence.events.get(kind=SentenceEventKind.APPLICATION)
    assert (event.source, event.occurred_on, event.outstanding) == (
        COURT,
        TODAY() - datetime.timedelta(days=2),
        True,
    )
    assert event.detail == "Application to vary the conditions (residence)"

    deliver(on_sentence("application.decided", "CMS-7", known_sentence, decided_on=days_ago(1)))

    event.refresh_from_db()
    assert not event.outstanding
    assert event.outcome == "Granted: Residence condition varied"
    assert event.resolution_source == COURT


@pytest.mark.parametrize(
    ("against", "kind"),
    [("sentence", SentenceEventKind.APPEAL_SENTENCE), ("conviction", SentenceEventKind.APPEAL_CONVICTION)],
)
def test_an_appeal_is_recorded_against_sentence_or_conviction(known_sentence, against, kind):
    message = on_sentence("appeal.lodged", "CMS-8", known_sentence, against=against, lodged_on=days_ago(5))

    assert deliver(message).status == MessageStatus.PROCESSED

    event = known_sentence.events.get(kind=kind)
    assert event.source == COURT
    assert event.outstanding


def test_a_dismissed_appeal_is_resolved_and_the_sentence_goes_on(known_sentence):
    deliver(on_sentence("appeal.lodged", "CMS-9", known_sentence, against="sentence", lodged_on=days_ago(5)))
    decided = on_sentence(
        "appeal.decided",
        "CMS-10",
        known_sentence,
        against="sentence",
        outcome="dismissed",
        quash=False,
        decided_on=days_ago(1),
        detail="",
    )

    assert deliver(decided).status == MessageStatus.PROCESSED

    event = known_sentence.events.get(kind=SentenceEventKind.APPEAL_SENTENCE)
    assert event.outcome == "Appeal dismissed"
    known_sentence.refresh_from_db()
    assert known_sentence.status == SentenceStatus.ACTIVE


def test_an_allowed_conviction_appeal_that_quashes_completes_the_sentence_as_quashed(known_sentence):
    deliver(
        on_sentence("appeal.lodged", "CMS-11", known_sentence, against="conviction", lodged_on=days_ago(5))
    )

    result = deliver(on_sentence("appeal.decided", "CMS-12", known_sentence, decided_on=days_ago(1)))

    assert result.status == MessageStatus.PROCESSED, result.status_reason
    known_sentence.refresh_from_db()
    assert known_sentence.status == SentenceStatus.COMPLETED
    assert known_sentence.completion_reason == CompletionReason.QUASHED
    assert known_sentence.completed_on == TODAY() - datetime.timedelta(days=1)
    completed = known_sentence.events.get(kind=SentenceEventKind.COMPLETED)
    assert completed.source == COURT
    assert known_sentence.events.get(kind=SentenceEventKind.APPEAL_CONVICTION).outcome.startswith(
        "Appeal allowed"
    )


def test_a_decided_appeal_that_was_never_lodged_is_an_exception(known_sentence):
    result = deliver(on_sentence("appeal.decided", "CMS-13", known_sentence, decided_on=days_ago(1)))

    assert result.status == MessageStatus.EXCEPTION
    assert "no outstanding appeal against conviction" in result.status_reason
    known_sentence.refresh_from_db()
    assert known_sentence.status == SentenceStatus.ACTIVE
    assert DataException.objects.get(court_message=result).reason_code == ReasonCode.UNMATCHED_MESSAGE


def test_a_breach_charge_is_recorded_with_its_charge_and_resolved_when_decided(known_sentence):
    result = deliver(on_sentence("breach.charged", "CMS-14", known_sentence, charged_on=days_ago(3)))

    assert result.status == MessageStatus.PROCESSED, result.status_reason
    event = known_sentence.events.get(kind=SentenceEventKind.BREACH)
    assert (event.source, event.detail, event.outstanding) == (COURT, "Failed to report as directed", True)
    charge = Charge.objects.get(offender=known_sentence.offender)
    assert charge.offence.code == "SA71" and charge.outstanding

    deliver(on_sentence("breach.decided", "CMS-15", known_sentence, decided_on=days_ago(1)))

    event.refresh_from_db()
    assert event.outcome == "Breach proved: Convicted and fined"


def test_a_transfer_moves_the_sentence_to_the_other_office(known_sentence, other_office):
    result = deliver(
        on_sentence("sentence.transferred", "CMS-16", known_sentence, transferred_on=days_ago(2))
    )

    assert result.status == MessageStatus.PROCESSED, result.status_reason
    known_sentence.refresh_from_db()
    assert known_sentence.managing_office == other_office
    event = known_sentence.events.get(kind=SentenceEventKind.TRANSFER)
    assert event.source == COURT
    assert event.occurred_on == TODAY() - datetime.timedelta(days=2)


@pytest.mark.parametrize(
    ("message_type", "reason"),
    [
        ("sentence.cancelled_by_subsequent", CompletionReason.CANCELLED_SUBSEQUENT),
        ("sentence.quashed", CompletionReason.QUASHED),
        ("sentence.discharged_early", CompletionReason.DISCHARGED_EARLY),
        ("sentence.terminated", CompletionReason.TERMINATED),
    ],
)
def test_each_completion_sets_the_status_end_date_and_a_court_event(known_sentence, message_type, reason):
    result = deliver(
        on_sentence(message_type, f"CMS-{message_type}", known_sentence, effective_on=days_ago(4))
    )

    assert result.status == MessageStatus.PROCESSED, result.status_reason
    known_sentence.refresh_from_db()
    assert known_sentence.status == SentenceStatus.COMPLETED
    assert known_sentence.completion_reason == reason
    ended = TODAY() - datetime.timedelta(days=4)
    assert (known_sentence.completed_on, known_sentence.end_date) == (ended, ended)
    event = known_sentence.events.get(kind=SentenceEventKind.COMPLETED)
    assert (event.source, event.completion_reason) == (COURT, reason)


def test_a_cancellation_names_the_subsequent_sentence(known_sentence, reference_data):
    later = SentenceFactory(
        offender=known_sentence.offender,
        court=reference_data["court"],
        court_case_number="CRI-2",
        sentence_type=SentenceType.HOME_DETENTION,
    )
    message = on_sentence(
        "sentence.cancelled_by_subsequent",
        "CMS-17",
        known_sentence,
        effective_on=days_ago(1),
        subsequent_sentence_ref={"court_case_number": "CRI-2"},
    )

    deliver(message)

    event = known_sentence.events.get(kind=SentenceEventKind.COMPLETED)
    assert event.detail.startswith(f"Cancelled by {later}")


@pytest.fixture
def prison_sentence(known_sentence, reference_data):
    sentence = SentenceFactory(
        offender=known_sentence.offender,
        court=reference_data["court"],
        court_case_number="CRI-9",
        sentence_type=SentenceType.IMPRISONMENT,
        order_date=TODAY() - datetime.timedelta(days=700),
        start_date=TODAY() - datetime.timedelta(days=700),
        end_date=TODAY() + datetime.timedelta(days=700),
        statutory_release_date=TODAY() + datetime.timedelta(days=300),
        managing_office=None,
    )
    ConvictionFactory(sentence=sentence, offence=reference_data["offences"]["CA188"])
    CourtSentenceReference.objects.create(sentence=sentence, cms_reference="CMS-S-2022-000777")
    return sentence


def _released(message_id: str, **fields) -> dict:
    from courts.examples import example

    message = example("offender.released", message_id=message_id, released_on=days_ago(1))
    message["offender"] = {"prn": "12345678"}
    message["sentence"].update({"decided_on": days_ago(10), "end_date": days_ago(-400)})
    message.update(fields)
    return message


def test_a_release_on_parole_creates_the_parole_sentence_and_completes_nothing_else(prison_sentence, office):
    result = deliver(_released("CMS-18"))

    assert result.status == MessageStatus.PROCESSED, result.status_reason
    parole = Sentence.objects.get(sentence_type=SentenceType.PAROLE)
    assert parole.offender == prison_sentence.offender
    assert parole.start_date == TODAY() - datetime.timedelta(days=1)
    assert parole.order_date == TODAY() - datetime.timedelta(days=10)
    assert parole.managing_office == office
    assert parole.court == prison_sentence.court
    assert parole.conditions == "Reside at an address approved by a probation officer"
    assert [c.offence.code for c in parole.convictions.all()] == ["CA188"]
    assert parole.events.get().source == COURT
    prison_sentence.refresh_from_db()
    assert prison_sentence.status == SentenceStatus.ACTIVE


def test_a_release_on_conditions_that_says_so_completes_the_prison_sentence(prison_sentence):
    result = deliver(_released("CMS-19", release_kind="conditions", complete_prison_sentence=True))

    assert result.status == MessageStatus.PROCESSED, result.status_reason
    assert Sentence.objects.filter(sentence_type=SentenceType.RELEASE_ON_CONDITIONS).count() == 1
    prison_sentence.refresh_from_db()
    assert prison_sentence.status == SentenceStatus.COMPLETED
    assert prison_sentence.completed_on == TODAY() - datetime.timedelta(days=1)


def test_a_message_about_someone_not_on_record_is_an_exception_not_a_new_offender(reference_data):
    stranger = SentenceFactory.build(
        offender=OffenderFactory.build(prn="99999999"), court_case_number="CRI-1"
    )
    message = on_sentence("sentence.quashed", "CMS-20", stranger)

    result = deliver(message)

    assert result.status == MessageStatus.EXCEPTION
    assert "No offender has PRN 99999999" in result.status_reason
    assert not Offender.objects.filter(prn="99999999").exists()
    exception = DataException.objects.get(court_message=result)
    assert exception.reason_code == ReasonCode.UNMATCHED_MESSAGE
    assert "99999999" in exception.detail


def test_a_message_about_a_sentence_not_on_record_is_an_exception(known_sentence):
    message = on_sentence("sentence.quashed", "CMS-21", known_sentence)
    message["sentence_ref"] = {"court_case_number": "CRI-404"}

    result = deliver(message)

    assert result.status == MessageStatus.EXCEPTION
    assert "has no sentence with court case number CRI-404" in result.status_reason
    assert DataException.objects.get(court_message=result).offender == known_sentence.offender


def test_a_court_change_to_a_sentence_completed_by_hand_is_a_conflict(known_sentence):
    from sentences.services import sentence_complete

    sentence_complete(
        actor=None,
        sentence=known_sentence,
        reason=CompletionReason.TERMINATED,
        completed_on=TODAY(),
        detail="Entered by hand",
    )

    result = deliver(
        on_sentence("sentence.transferred", "CMS-22", known_sentence, transferred_on=days_ago(0))
    )

    assert result.status == MessageStatus.EXCEPTION
    assert "completed sentence cannot be changed" in result.status_reason
    exception = DataException.objects.get(court_message=result)
    assert (exception.reason_code, exception.sentence) == (ReasonCode.COURT_CONFLICT, known_sentence)


def test_unknown_codes_are_rejected_with_what_to_fix(reference_data):
    result = deliver(imposed("CMS-23", court_code="DC-NOPE", managing_office_code="WLG01"))

    assert result.status == MessageStatus.REJECTED
    assert "no office or court has the code 'DC-NOPE'" in result.status_reason
    assert not Sentence.objects.exists() and not Offender.objects.exists()

    result = deliver(imposed("CMS-24", convictions=[{"offence_code": "ZZ1", "convicted_on": days_ago(40)}]))

    assert "Unknown offence code: ZZ1" in result.status_reason


def test_a_sentence_the_record_refuses_leaves_nothing_behind(reference_data):
    result = deliver(imposed("CMS-25", end_date=days_ago(60)))  # ends before it starts

    assert result.status == MessageStatus.EXCEPTION
    assert "end date" in result.status_reason.lower()
    assert not Offender.objects.exists(), "the new offender is rolled back with the sentence"
    assert DataException.objects.get(court_message=result).reason_code == ReasonCode.REJECTED_MESSAGE


def test_the_courts_participant_id_is_kept_and_matches_later_messages(reference_data):
    first = imposed("CMS-26")
    first["offender"]["cms_participant_id"] = "P-77"
    deliver(first)
    offender = Offender.objects.get()
    assert Identifier.objects.get(offender=offender).value == "P-77"

    second = imposed(
        "CMS-27",
        offender={
            "cms_participant_id": "P-77",
            "family_name": "Tamihana",
            "given_names": "Wiremu James",
            "date_of_birth": "1990-05-17",
        },
    )
    result = deliver(second)

    assert result.status == MessageStatus.PROCESSED
    assert result.offender == offender
    assert Offender.objects.count() == 1
