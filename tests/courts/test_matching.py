"""Which offender a message is about: PRN, then name and date of birth (aliases included); a
probable match waits for a person, who confirms or rejects it."""

import datetime

import pytest

from audit.models import AuditAction, AuditEvent
from courts import matching
from courts.models import MatchCandidate, MatchDecision, MessageStatus
from courts.services import match_confirm, match_reject
from offenders.models import Offender
from reconciliation.models import DataException, ReasonCode
from sentences.models import Sentence
from tests.courts.conftest import deliver, imposed, on_sentence
from tests.factories import AliasFactory, OffenderFactory

pytestmark = pytest.mark.django_db
DOB = datetime.date(1990, 5, 17)


def person(family="Tamihana", given="Wiremu James", dob="1990-05-17", **extra) -> dict:
    return {"family_name": family, "given_names": given, "date_of_birth": dob, **extra}


@pytest.fixture
def wiremu(reference_data, office):
    return OffenderFactory(
        prn="23456789",
        family_name="Tamihana",
        given_names="Wiremu James",
        date_of_birth=DOB,
        home_office=office,
    )


def test_an_exact_name_and_date_of_birth_on_one_person_is_applied_to_them(wiremu):
    message = deliver(imposed("CMS-M1", offender=person()))

    assert message.status == MessageStatus.PROCESSED, message.status_reason
    assert message.offender == wiremu
    assert Offender.objects.count() == 1
    assert (
        "Offender matched by same family name; same given names; same date of birth" in message.status_reason
    )


def test_names_are_compared_without_case_macrons_or_punctuation(reference_data):
    offender = OffenderFactory(family_name="Ngāti-O'Neil", given_names="Hēmi", date_of_birth=DOB)

    message = deliver(imposed("CMS-M2", offender=person(family="NGATI-ONEIL", given="hemi")))

    assert message.offender == offender


def test_an_alias_with_the_same_date_of_birth_is_a_candidate_a_person_confirms(reference_data):
    offender = OffenderFactory(family_name="Thomas", given_names="William", date_of_birth=DOB)
    AliasFactory(offender=offender, family_name="Tamihana", given_names="Wiremu James")

    message = deliver(imposed("CMS-M3", offender=person()))

    assert message.status == MessageStatus.AWAITING_MATCH
    assert MatchCandidate.objects.get(message=message).offender == offender


def test_a_prn_with_the_same_name_and_date_of_birth_is_applied(wiremu):
    message = deliver(imposed("CMS-M4", offender=person(prn="23456789")))

    assert message.status == MessageStatus.PROCESSED, message.status_reason
    assert message.offender == wiremu
    assert "Offender matched by PRN 23456789" in message.status_reason


def test_a_prn_carried_by_someone_else_waits_for_a_person_and_changes_nothing(reference_data, office):
    te_whata = OffenderFactory(
        prn="34567890",
        family_name="Cameron",
        given_names="Te Whata",
        date_of_birth=datetime.date(1979, 3, 2),
        home_office=office,
    )
    address = te_whata.addresses.count()

    # Tamihana Wiremu, born 1990, with Te Whata's PRN keyed in by mistake.
    message = deliver(imposed("CMS-M4B", offender=person(given="Wiremu", prn="34567890")))

    assert message.status == MessageStatus.AWAITING_MATCH, message.status_reason
    assert "PRN 34567890 belongs to" in message.status_reason
    candidate = MatchCandidate.objects.get(message=message)
    assert candidate.offender == te_whata
    assert candidate.decision == MatchDecision.PENDING
    assert "PRN 34567890 is this offender's" in candidate.reasons[0]
    assert not te_whata.aliases.exists()
    assert te_whata.addresses.count() == address
    assert not Sentence.objects.exists()


def test_rejecting_a_prn_match_never_creates_a_new_offender(reference_data, office, admin_support):
    OffenderFactory(prn="34567890", family_name="Cameron", given_names="Te Whata", date_of_birth=DOB)
    message = deliver(imposed("CMS-M4C", offender=person(given="Wiremu", prn="34567890")))

    match_reject(actor=admin_support, message=message, reason="Not him")

    message.refresh_from_db()
    assert message.status == MessageStatus.EXCEPTION
    assert "Check the number with the courts" in message.status_reason
    assert Offender.objects.count() == 1
    assert not Sentence.objects.exists()


def test_a_participant_id_carried_by_someone_else_waits_for_a_person(reference_data, office):
    from offenders.models import Identifier
    from offenders.services import identifier_add

    other = OffenderFactory(
        family_name="Cameron", given_names="Te Whata", date_of_birth=datetime.date(1979, 3, 2)
    )
    identifier_add(actor=None, offender=other, kind=Identifier.Kind.CMS, value="P-99")

    message = deliver(imposed("CMS-M4D", offender=person(cms_participant_id="P-99")))

    assert message.status == MessageStatus.AWAITING_MATCH
    assert MatchCandidate.objects.get(message=message).offender == other
    assert not other.aliases.exists()


def test_an_unknown_prn_is_an_exception_not_a_new_offender(wiremu):
    message = deliver(imposed("CMS-M5", offender=person(prn="87654321")))

    assert message.status == MessageStatus.EXCEPTION
    assert "No offender has PRN 87654321" in message.status_reason
    assert Offender.objects.count() == 1
    assert DataException.objects.get(court_message=message).reason_code == ReasonCode.UNMATCHED_MESSAGE


@pytest.mark.parametrize(
    ("sent", "reason"),
    [
        (person(family="Tamihanna"), "family name sounds alike (Tamihana / Tamihanna)"),
        # A misspelt first letter: Soundex (first letter kept) missed this and made a second record.
        (person(family="Damihana"), "family name sounds alike (Tamihana / Damihana)"),
        (person(family="Yamihana"), "family name nearly the same (Tamihana / Yamihana)"),
        (person(given="Wyremu"), "first name sounds alike (Wiremu James / Wyremu)"),
        (person(dob="1990-05-18"), "date of birth nearly the same (17/05/1990 / 18/05/1990)"),
        (person(given="Wiremu"), "same first name, other given names differ"),
        (person(given="Hone"), "given names differ (Wiremu James / Hone)"),
    ],
)
def test_a_probable_match_waits_for_a_person_and_changes_nothing(wiremu, sent, reason):
    message = deliver(imposed("CMS-M6", offender=sent))

    assert message.status == MessageStatus.AWAITING_MATCH
    assert message.offender is None
    candidate = MatchCandidate.objects.get(message=message)
    assert candidate.offender == wiremu
    assert candidate.decision == MatchDecision.PENDING
    assert any(reason in text for text in candidate.reasons), candidate.reasons
    assert matching.PROBABLE_THRESHOLD <= candidate.score < matching.EXACT_SCORE
    assert not Sentence.objects.exists()


def test_an_alias_with_its_own_date_of_birth_is_a_candidate_on_that_date(reference_data):
    offender = OffenderFactory(
        family_name="Ngata", given_names="Hemi", date_of_birth=datetime.date(1980, 1, 2)
    )
    AliasFactory(offender=offender, family_name="Brown", given_names="Henry", date_of_birth=DOB)

    candidates = matching.name_candidates(family_name="Browne", given_names="Henry", date_of_birth=DOB)

    assert [candidate.offender for candidate in candidates] == [offender]
    assert "family name sounds alike (alias) (Brown / Browne)" in candidates[0].reasons


@pytest.mark.parametrize(("family_name", "queries"), [("Family", 4), ("Tamihana", 5)])
def test_matching_by_name_takes_the_same_number_of_queries_however_many_share_the_date(
    reference_data, django_assert_num_queries, family_name, queries
):
    # Twelve people born that day: nobody like the name (4 queries), or all twelve like it (the
    # records of those that score are read in one more).
    for number in range(12):
        OffenderFactory(family_name=family_name, given_names=f"Given{number}", date_of_birth=DOB)
        AliasFactory(offender=OffenderFactory(date_of_birth=DOB), date_of_birth=DOB)

    with django_assert_num_queries(queries):
        candidates = matching.name_candidates(family_name="Tamihana", given_names="Wiremu", date_of_birth=DOB)
    assert len(candidates) == (0 if family_name == "Family" else matching.MAX_CANDIDATES)


def test_a_day_and_month_swapped_date_of_birth_is_probable(reference_data):
    offender = OffenderFactory(
        family_name="Smith", given_names="John", date_of_birth=datetime.date(1985, 3, 4)
    )

    message = deliver(imposed("CMS-M7", offender=person(family="Smith", given="John", dob="1985-04-03")))

    assert message.status == MessageStatus.AWAITING_MATCH
    assert MatchCandidate.objects.get(message=message).offender == offender


def test_two_records_of_the_same_name_and_date_of_birth_are_never_chosen_between_silently(wiremu):
    twin = OffenderFactory(family_name="Tamihana", given_names="Wiremu James", date_of_birth=DOB)

    message = deliver(imposed("CMS-M8", offender=person()))

    assert message.status == MessageStatus.AWAITING_MATCH
    assert set(MatchCandidate.objects.filter(message=message).values_list("offender", flat=True)) == {
        wiremu.pk,
        twin.pk,
    }


def test_a_different_date_of_birth_is_not_a_candidate(wiremu):
    message = deliver(imposed("CMS-M9", offender=person(dob="1991-09-02")))

    assert message.status == MessageStatus.PROCESSED
    assert Offender.objects.count() == 2


def test_confirming_applies_the_message_to_that_offender_and_keeps_the_name_as_an_alias(
    wiremu, admin_support
):
    message = deliver(imposed("CMS-M10", offender=person(family="Tamihanna")))
    candidate = MatchCandidate.objects.get(message=message)

    match_confirm(actor=admin_support, candidate=candidate)

    message.refresh_from_db()
    candidate.refresh_from_db()
    assert message.status == MessageStatus.PROCESSED
    assert message.offender == wiremu
    assert Sentence.objects.get().offender == wiremu
    assert (candidate.decision, candidate.decided_by) == (MatchDecision.CONFIRMED, admin_support)
    assert wiremu.aliases.filter(family_name="Tamihanna").exists()
    assert message.transitions.last().actor == admin_support
    audit = AuditEvent.objects.get(action=AuditAction.UPDATE, object_type="courts.CourtMessage")
    assert (audit.actor, audit.offender_id) == (admin_support, wiremu.pk)
    # A later message with the same spelling finds him through the alias, but only as a match a
    # person confirms: the alias is not his own name (courts.matching).
    later = deliver(imposed("CMS-M11", offender=person(family="Tamihanna")))
    assert later.status == MessageStatus.AWAITING_MATCH
    assert MatchCandidate.objects.get(message=later).offender == wiremu


def test_rejecting_the_matches_of_a_new_sentence_creates_a_new_offender(wiremu, service_manager):
    message = deliver(imposed("CMS-M12", offender=person(given="Hone")))

    match_reject(actor=service_manager, message=message, reason="Different person: checked with the registry")

    message.refresh_from_db()
    assert message.status == MessageStatus.PROCESSED
    assert message.offender != wiremu
    assert Offender.objects.count() == 2
    assert MatchCandidate.objects.get(message=message).decision == MatchDecision.REJECTED
    audit = AuditEvent.objects.get(action=AuditAction.UPDATE, object_type="courts.CourtMessage")
    assert "checked with the registry" in audit.summary


def test_rejecting_the_matches_of_a_message_that_needs_an_existing_offender_is_an_exception(
    wiremu, known_sentence, admin_support
):
    message = on_sentence("sentence.quashed", "CMS-M13", known_sentence)
    message["offender"] = person(family="Tamihanna")

    result = deliver(message)
    assert result.status == MessageStatus.AWAITING_MATCH

    match_reject(actor=admin_support, message=result)

    result.refresh_from_db()
    assert result.status == MessageStatus.EXCEPTION
    assert "A person rejected the possible matches" in result.status_reason


def test_a_match_cannot_be_decided_twice(wiremu, admin_support):
    message = deliver(imposed("CMS-M14", offender=person(family="Tamihanna")))
    candidate = MatchCandidate.objects.get(message=message)
    match_confirm(actor=admin_support, candidate=candidate)

    with pytest.raises(Exception, match="no longer waiting"):
        match_reject(actor=admin_support, message=message)


def test_a_name_only_reference_to_nobody_on_record_is_an_exception(known_sentence):
    message = on_sentence("sentence.quashed", "CMS-M15", known_sentence)
    message["offender"] = person(family="Nobody", given="Here")

    result = deliver(message)

    assert result.status == MessageStatus.EXCEPTION
    assert "No offender on record matches Here Nobody, born 17/05/1990" in result.status_reason


def test_a_message_retried_after_its_matches_were_rejected_asks_again(
    wiremu, known_sentence, admin_support, django_capture_on_commit_callbacks, monkeypatch
):
    from courts.services import court_message_process, court_message_retry

    message = on_sentence("sentence.quashed", "CMS-M16", known_sentence)
    message["offender"] = person(family="Tamihanna")
    result = deliver(message)
    match_reject(actor=admin_support, message=result)
    result.refresh_from_db()
    assert result.status == MessageStatus.EXCEPTION
    monkeypatch.setattr("courts.services._queue", lambda pk: court_message_process(pk=pk))

    with django_capture_on_commit_callbacks(execute=True):
        court_message_retry(actor=admin_support, message=result)

    result.refresh_from_db()
    assert result.status == MessageStatus.AWAITING_MATCH, result.status_reason
    candidate = MatchCandidate.objects.get(message=result)
    assert (candidate.offender, candidate.decision, candidate.decided_by) == (
        wiremu,
        MatchDecision.PENDING,
        None,
    )
    assert [t.to_status for t in result.transitions.all()] == [
        "awaiting_match",
        "exception",
        "received",
        "awaiting_match",
    ]
