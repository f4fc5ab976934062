"""A sentence of imprisonment from the courts carries what the sentence calculation needs from the
judge: time on remand, a minimum period of imprisonment, and the sentence it is cumulative on. A
cumulative_on the record cannot find stops the message for a person; it is never dropped (the
sentence would then be calculated as concurrent)."""

import datetime

import pytest

from courts.models import CourtSentenceReference, MessageStatus
from reconciliation.models import DataException, ReasonCode
from sentences.models import CompletionReason, Sentence, SentenceStatus, SentenceType
from tests.courts.conftest import TODAY, days_ago, deliver, imposed
from tests.factories import ConvictionFactory, OffenderFactory, SentenceFactory

pytestmark = pytest.mark.django_db
WIREMU = {
    "prn": "12345678",
    "family_name": "Tamihana",
    "given_names": "Wiremu",
    "date_of_birth": "1990-05-17",
}


@pytest.fixture
def serving(reference_data, office):
    """Wiremu (PRN 12345678) serving 18 months' imprisonment, court case CRI-2025-1, CMS S-100."""
    offender = OffenderFactory(
        prn="12345678",
        family_name="Tamihana",
        given_names="Wiremu",
        date_of_birth=datetime.date(1990, 5, 17),
        home_office=office,
    )
    sentence = SentenceFactory(
        offender=offender,
        court=reference_data["court"],
        sentence_type=SentenceType.IMPRISONMENT,
        court_case_number="CRI-2025-1",
        order_date=TODAY() - datetime.timedelta(days=100),
        start_date=TODAY() - datetime.timedelta(days=100),
        end_date=TODAY() + datetime.timedelta(days=447),
        managing_office=None,
    )
    ConvictionFactory(sentence=sentence, offence=reference_data["offences"]["CA188"])
    CourtSentenceReference.objects.create(sentence=sentence, cms_reference="S-100")
    return sentence


def prison(message_id: str, *, offender: dict | None = None, **sentence) -> dict:
    """A sentence.imposed message for 18 months' imprisonment imposed 10 days ago."""
    fields = {
        "sentence_type": "imprisonment",
        "conditions": [],
        "order_date": days_ago(10),
        "start_date": days_ago(10),
        "end_date": days_ago(-537),
        "statutory_release_date": days_ago(-264),
    }
    return imposed(message_id, offender=offender or dict(WIREMU), **{**fields, **sentence})


def test_remand_credit_minimum_period_and_cumulative_on_are_recorded_on_the_sentence(serving):
    message = deliver(
        prison(
            "CMS-C1",
            # Four years: a minimum period (Sentencing Act 2002, s 86) goes with a long-term sentence.
            end_date=days_ago(-1451),
            statutory_release_date=days_ago(-1451),
            remand_days=45,
            minimum_period_months=20,
            cumulative_on={"court_case_number": "CRI-2025-1"},
        )
    )

    assert message.status == MessageStatus.PROCESSED, message.status_reason
    sentence = message.sentence
    assert (sentence.remand_days, sentence.minimum_period_months) == (45, 20)
    assert sentence.consecutive_to == serving
    assert f"Cumulative on {serving}" in message.status_reason


def test_a_sentence_without_them_is_concurrent_with_no_remand_or_minimum_period(serving):
    message = deliver(prison("CMS-C2"))

    assert message.status == MessageStatus.PROCESSED, message.status_reason
    sentence = message.sentence
    assert (sentence.consecutive_to, sentence.remand_days, sentence.minimum_period_months) == (None, 0, None)


def test_a_sentence_of_the_same_hearing_is_named_by_the_cms_reference_of_its_own_message(serving):
    first = deliver(prison("CMS-C3", cms_reference="S-201", court_case_number="CRI-2025-2"))

    second = deliver(
        prison(
            "CMS-C4",
            cms_reference="S-202",
            court_case_number="CRI-2025-2",
            cumulative_on={"cms_reference": "S-201"},
        )
    )

    assert second.status == MessageStatus.PROCESSED, second.status_reason
    assert second.sentence.consecutive_to == first.sentence


def test_an_unknown_cumulative_on_is_an_exception_and_records_nothing(serving):
    message = deliver(prison("CMS-C5", cumulative_on={"court_case_number": "CRI-NOPE"}))

    assert message.status == MessageStatus.EXCEPTION
    assert "sentence.cumulative_on" in message.status_reason
    assert "has no imprisonment sentence with court case number CRI-NOPE" in message.status_reason
    assert DataException.objects.get(court_message=message).reason_code == ReasonCode.UNMATCHED_MESSAGE
    assert Sentence.objects.count() == 1


def test_a_cumulative_on_naming_another_offenders_sentence_is_an_exception(serving, reference_data):
    other = OffenderFactory(prn="87654321", family_name="Rangi", given_names="Mere")
    CourtSentenceReference.objects.create(
        sentence=SentenceFactory(offender=other, court=reference_data["court"]), cms_reference="S-OTHER"
    )

    message = deliver(prison("CMS-C6", cumulative_on={"cms_reference": "S-OTHER"}))

    assert message.status == MessageStatus.EXCEPTION
    assert "belongs to another offender" in message.status_reason
    assert Sentence.objects.filter(offender=serving.offender).count() == 1


def test_a_cumulative_on_a_completed_sentence_is_an_exception(serving):
    Sentence.objects.filter(pk=serving.pk).update(
        status=SentenceStatus.COMPLETED, completion_reason=CompletionReason.NORMAL, completed_on=TODAY()
    )

    message = deliver(prison("CMS-C7", cumulative_on={"cms_reference": "S-100"}))

    assert message.status == MessageStatus.EXCEPTION
    assert "a sentence is cumulative only on one still current" in message.status_reason
    assert DataException.objects.filter(court_message=message).exists()
    assert Sentence.objects.count() == 1


def test_a_cumulative_on_a_community_sentence_is_an_exception(serving, reference_data):
    supervision = SentenceFactory(offender=serving.offender, court=reference_data["court"])
    CourtSentenceReference.objects.create(sentence=supervision, cms_reference="S-SUP")

    message = deliver(prison("CMS-C8", cumulative_on={"cms_reference": "S-SUP"}))

    assert message.status == MessageStatus.EXCEPTION
    assert "which is not a sentence of imprisonment" in message.status_reason


def test_a_cumulative_on_for_a_person_not_yet_on_record_is_an_exception_not_a_new_record(reference_data):
    newcomer = {"family_name": "Ngata", "given_names": "Hemi", "date_of_birth": "1985-02-03"}

    message = deliver(prison("CMS-C9", offender=newcomer, cumulative_on={"cms_reference": "S-100"}))

    assert message.status == MessageStatus.EXCEPTION
    assert "not on record yet" in message.status_reason
    assert not Sentence.objects.exists()
    assert message.offender is None


def test_a_sentence_that_arrives_before_the_one_it_is_cumulative_on_is_retried_once_that_arrives(
    serving, monkeypatch, django_capture_on_commit_callbacks
):
    from courts.services import court_message_process

    early = deliver(prison("CMS-C10", cms_reference="S-302", cumulative_on={"cms_reference": "S-301"}))
    assert early.status == MessageStatus.EXCEPTION
    monkeypatch.setattr("courts.services._queue", lambda pk: court_message_process(pk=pk))

    with django_capture_on_commit_callbacks(execute=True):
        base = deliver(prison("CMS-C11", cms_reference="S-301", court_case_number="CRI-2025-3"))

    early.refresh_from_db()
    assert early.status == MessageStatus.PROCESSED, early.status_reason
    assert early.sentence.consecutive_to == base.sentence


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("remand_days", 30, "Only a sentence of imprisonment has this."),
        ("minimum_period_months", 12, "Only a sentence of imprisonment has this."),
        ("cumulative_on", {"cms_reference": "S-100"}, "Only a sentence of imprisonment has this."),
    ],
)
def test_the_calculation_inputs_are_refused_on_a_community_sentence(reference_data, field, value, error):
    message = deliver(imposed("CMS-C12", **{field: value}))

    assert message.status == MessageStatus.REJECTED
    assert f"sentence.{field}: {error}" in message.status_reason


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("remand_days", "45", "Must be a whole number."),
        ("remand_days", -1, "greater than or equal to 0"),
        ("minimum_period_months", 0, "greater than or equal to 1"),
        ("minimum_period_months", 100000, "less than or equal to 600"),
        ("cumulative_on", {"sentence_type": "imprisonment"}, "Give cms_reference or court_case_number."),
    ],
)
def test_calculation_inputs_of_the_wrong_shape_are_refused(reference_data, field, value, error):
    message = deliver(prison("CMS-C13", **{field: value}))

    assert message.status == MessageStatus.REJECTED
    assert error in message.status_reason
