"""Key dates checked against the sentence calculation (issue 13: "court-supplied dates that disagree
with the calculation raise an exception on the exceptions report rather than being silently
accepted or overwritten"): at once when a sentence is recorded or changed, and by the nightly
checks for what was loaded without an event. The recorded dates are never changed."""

import datetime
import json

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from courts.models import MessageStatus
from courts.services import court_message_process, court_message_receive
from reconciliation.detection import exceptions_scan, key_dates_check
from reconciliation.models import DataException, ExceptionStatus, ReasonCode
from sentences.calculation import day_label
from sentences.models import Sentence, SentenceEvent, SentenceStatus, SentenceType
from sentences.services import sentence_create, sentence_update
from tests.courts.conftest import court, imposed, offences, reference_data  # noqa: F401 (fixtures)
from tests.factories import CourtFactory, OffenceFactory, OffenderFactory, SentenceFactory

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
START = timezone.localdate() - 30 * DAY
KEY_DATES = ReasonCode.KEY_DATES_DIFFER


def key_date_exceptions(**filters):
    return DataException.objects.filter(reason_code=KEY_DATES, **filters)


def record_imprisonment(
    office, actor=None, *, end, offender=None, source=SentenceEvent.Source.PERSON, **dates
):
    """A sentence of imprisonment from START to `end`, recorded through the service."""
    return sentence_create(
        actor=actor,
        offender=offender or OffenderFactory(home_office=office),
        convictions=[{"offence": OffenceFactory(), "convicted_on": START}],
        source=source,
        sentence_type=SentenceType.IMPRISONMENT,
        court=CourtFactory(),
        court_case_number="CRI-2026-085-000777",
        order_date=START,
        start_date=START,
        end_date=end,
        managing_office=office,
        **dates,
    )


def imprisonment_row(office, *, days, offender=None, **fields):
    """A sentence of imprisonment of `days` days inserted directly (a bulk load: no event)."""
    return SentenceFactory(
        offender=offender or OffenderFactory(home_office=office),
        sentence_type=SentenceType.IMPRISONMENT,
        order_date=START,
        start_date=START,
        end_date=START + days * DAY,
        **fields,
    )


# --- at once, when a sentence is recorded or changed ---------------------------------------------


def test_a_court_message_with_a_release_date_that_differs_from_the_calculation_raises_an_exception(
    reference_data,  # noqa: F811
):
    """A 365-day sentence is short-term: released half-way, after 183 days (rounded up). The court
    says 185 days."""
    start = timezone.localdate() - 30 * DAY
    sent = imposed(
        "CMS-KD-1",
        sentence_type="imprisonment",
        start_date=start.isoformat(),
        order_date=start.isoformat(),
        end_date=(start + 365 * DAY).isoformat(),
        statutory_release_date=(start + 185 * DAY).isoformat(),
    )
    sent["sentence"].pop("conditions")
    message = court_message_receive(raw=json.dumps(sent).encode()).message

    court_message_process(pk=message.pk)

    message.refresh_from_db()
    assert message.status == MessageStatus.PROCESSED, message.status_reason
    sentence = Sentence.objects.get(court_case_number=sent["sentence"]["court_case_number"])
    exception = key_date_exceptions().get()
    assert exception.sentence == sentence and exception.offender == sentence.offender
    assert exception.office == reference_data["office"]
    assert exception.status == ExceptionStatus.OPEN
    assert exception.detail.startswith(
        f"Statutory release date: recorded {day_label(start + 185 * DAY)}, "
        f"calculated {day_label(start + 183 * DAY)}."
    )
    assert sentence.statutory_release_date == start + 185 * DAY, "the court's date is kept"


def test_dates_that_agree_with_the_calculation_raise_nothing(office, admin_support):
    record_imprisonment(
        office, admin_support, end=START + 365 * DAY, statutory_release_date=START + 183 * DAY
    )
    long_term = START + relativedelta(years=3)
    record_imprisonment(
        office,
        admin_support,
        end=long_term,
        parole_eligibility_date=START + ((long_term - START).days + 2) // 3 * DAY,
        statutory_release_date=long_term,
    )

    assert not key_date_exceptions().exists()


def test_a_short_term_sentence_needs_no_parole_eligibility_date(office, admin_support):
    record_imprisonment(
        office, admin_support, end=START + 200 * DAY, statutory_release_date=START + 100 * DAY
    )

    assert not key_date_exceptions().exists()


def test_a_parole_eligibility_date_on_a_short_term_sentence_is_a_difference(office, admin_support):
    sentence = record_imprisonment(
        office,
        admin_support,
        end=START + 200 * DAY,
        parole_eligibility_date=START + 67 * DAY,
        statutory_release_date=START + 100 * DAY,
    )

    exception = key_date_exceptions().get()
    assert exception.sentence == sentence
    assert (
        f"Parole eligibility date: recorded {day_label(START + 67 * DAY)}, calculated none"
        in exception.detail
    )
    assert "Statutory release date" not in exception.detail
    assert exception.raised_by == admin_support, "four eyes: the person who entered it does not resolve it"


def test_a_long_term_sentence_released_half_way_names_both_dates(office):
    end = START + relativedelta(years=4)
    record_imprisonment(
        office,
        end=end,
        parole_eligibility_date=START + relativedelta(years=1),
        statutory_release_date=START + relativedelta(years=2),
    )

    detail = key_date_exceptions().get().detail
    assert "Parole eligibility date: recorded" in detail
    assert (
        f"Statutory release date: recorded {day_label(START + relativedelta(years=2))}, calculated " in detail
    )
    assert day_label(end) in detail


def test_changing_a_release_date_to_one_that_differs_raises_an_exception(office, admin_support):
    sentence = record_imprisonment(
        office, admin_support, end=START + 365 * DAY, statutory_release_date=START + 183 * DAY
    )
    assert not key_date_exceptions().exists()

    sentence_update(actor=admin_support, sentence=sentence, statutory_release_date=START + 190 * DAY)

    assert key_date_exceptions(sentence=sentence).count() == 1
    sentence.refresh_from_db()
    assert sentence.statutory_release_date == START + 190 * DAY


def test_changing_other_details_does_not_raise_it_twice(office, admin_support):
    sentence = record_imprisonment(office, end=START + 365 * DAY, statutory_release_date=START + 190 * DAY)

    sentence_update(actor=admin_support, sentence=sentence, statutory_release_date=START + 191 * DAY)
    sentence_update(actor=admin_support, sentence=sentence, court_case_number="CRI-2026-085-000778")

    assert key_date_exceptions().count() == 1


def test_a_community_sentence_is_not_calculated(office, admin_support):
    sentence_create(
        actor=admin_support,
        offender=OffenderFactory(home_office=office),
        convictions=[{"offence": OffenceFactory(), "convicted_on": START}],
        sentence_type=SentenceType.SUPERVISION,
        court=CourtFactory(),
        order_date=START,
        start_date=START,
        end_date=START + 365 * DAY,
        managing_office=office,
    )

    assert not key_date_exceptions().exists()


def test_a_cumulative_sentence_makes_the_earlier_sentences_own_release_date_differ(office):
    """18 months followed by a cumulative 18 months is one notional sentence of 3 years: long-term,
    released at its expiry. The first sentence's release date half-way through its own 18 months
    no longer holds."""
    first_end = START + relativedelta(months=18)
    first = imprisonment_row(
        office,
        days=(first_end - START).days,
        statutory_release_date=START + ((first_end - START).days + 1) // 2 * DAY,
    )
    assert key_dates_check(offender_id=first.offender_id) == []
    second_end = first_end + relativedelta(months=18)
    notional_days = (second_end - START).days
    second = SentenceFactory(
        offender=first.offender,
        sentence_type=SentenceType.IMPRISONMENT,
        order_date=START,
        start_date=first_end,
        end_date=second_end,
        consecutive_to=first,
        status=SentenceStatus.PENDING,
        parole_eligibility_date=START + (notional_days + 2) // 3 * DAY,
        statutory_release_date=second_end,
    )

    raised = key_dates_check(offender_id=first.offender_id)

    assert [exception.sentence for exception in raised] == [first]
    assert f"calculated {day_label(second_end)}" in raised[0].detail
    assert not key_date_exceptions(sentence=second).exists()


def test_a_sentence_cumulative_on_a_completed_one_is_calculated_with_it(office):
    """Parole Act 2002, s 75: the notional sentence of cumulative sentences runs from the first's
    start. Once the first 18 months are served, the second 18 months' release date is still the
    3-year notional sentence's expiry; its own half-way date would be a difference. The completed
    sentence itself is not checked."""
    first_end = START + relativedelta(months=18)
    first = imprisonment_row(
        office,
        days=(first_end - START).days,
        statutory_release_date=START + 3 * DAY,  # wrong, but completed: not compared
        status=SentenceStatus.COMPLETED,
        completed_on=first_end,
        completion_reason="normal",
    )
    second_end = first_end + relativedelta(months=18)
    notional_days = (second_end - START).days
    SentenceFactory(
        offender=first.offender,
        sentence_type=SentenceType.IMPRISONMENT,
        order_date=START,
        start_date=first_end,
        end_date=second_end,
        consecutive_to=first,
        parole_eligibility_date=START + (notional_days + 2) // 3 * DAY,
        statutory_release_date=second_end,
    )

    assert key_dates_check(offender_id=first.offender_id) == []
    assert exceptions_scan().by_reason[KEY_DATES].raised == 0


# --- the nightly checks ------------------------------------------------------------------------


def test_the_scan_raises_it_for_sentences_loaded_without_an_event(office):
    wrong = imprisonment_row(office, days=300, statutory_release_date=START + 151 * DAY)
    imprisonment_row(office, days=300, statutory_release_date=START + 150 * DAY)  # right
    imprisonment_row(office, days=300, statutory_release_date=None)  # missing: another rule's

    result = exceptions_scan()

    assert result.by_reason[KEY_DATES].raised == 1
    exception = key_date_exceptions().get()
    assert exception.sentence == wrong and exception.office == office
    assert exception.detail.startswith(
        f"Statutory release date: recorded {day_label(START + 151 * DAY)}, "
        f"calculated {day_label(START + 150 * DAY)}."
    )
    assert exceptions_scan().by_reason[KEY_DATES].raised == 0, "not raised again while open"


def test_the_scan_does_not_raise_again_what_the_recording_raised(office, admin_support):
    record_imprisonment(
        office, admin_support, end=START + 300 * DAY, statutory_release_date=START + 151 * DAY
    )

    assert exceptions_scan().by_reason[KEY_DATES].raised == 0
    assert key_date_exceptions().count() == 1


def test_when_the_dates_are_corrected_the_scan_no_longer_detects_it_and_a_person_resolves_it(office):
    sentence = imprisonment_row(office, days=300, statutory_release_date=START + 151 * DAY)
    exceptions_scan()
    Sentence.objects.filter(pk=sentence.pk).update(statutory_release_date=START + 150 * DAY)

    result = exceptions_scan()

    exception = key_date_exceptions().get()
    assert result.by_reason[KEY_DATES].no_longer_detected == 1
    assert exception.status == ExceptionStatus.OPEN and exception.no_longer_detected_at is not None


def test_a_completed_sentence_is_not_checked(office):
    sentence = imprisonment_row(office, days=300, statutory_release_date=START + 151 * DAY)
    Sentence.objects.filter(pk=sentence.pk).update(
        status=SentenceStatus.COMPLETED, completed_on=timezone.localdate(), completion_reason="quashed"
    )

    exceptions_scan()

    assert not key_date_exceptions().exists()


def test_a_sentence_whose_dates_are_out_of_order_is_left_to_that_rule(office):
    sentence = imprisonment_row(office, days=300, statutory_release_date=START + 320 * DAY)

    exceptions_scan()

    assert list(DataException.objects.filter(sentence=sentence).values_list("reason_code", flat=True)) == [
        ReasonCode.DATES_OUT_OF_ORDER
    ]


# --- on the exceptions report ----------------------------------------------------------------------


def test_the_exception_is_on_the_exceptions_report(as_user, office, admin_support):
    sentence = imprisonment_row(office, days=300, statutory_release_date=START + 151 * DAY)
    exceptions_scan()
    client = as_user(admin_support)

    report = client.get("/exceptions/", {"reason": KEY_DATES}).content.decode()
    detail = client.get(f"/exceptions/{key_date_exceptions().get().pk}/").content.decode()

    assert "Key dates differ from the sentence calculation" in report
    assert f"PRN {sentence.offender.prn}" in report
    assert f"Statutory release date: recorded {day_label(START + 151 * DAY)}" in report
    assert f"recorded {day_label(START + 151 * DAY)}, calculated {day_label(START + 150 * DAY)}" in detail


def test_a_two_year_sentence_across_a_leap_day_needs_no_parole_eligibility_date(office):
    """2 years from 1 Mar 2027 is 731 days (29 Feb 2028): still "2 years or less", short-term, as
    sentences.calculation counts it; no PED is missing and none is calculated."""
    start = datetime.date(2027, 3, 1)
    sentence = SentenceFactory(
        offender=OffenderFactory(home_office=office),
        sentence_type=SentenceType.IMPRISONMENT,
        order_date=start,
        start_date=start,
        end_date=start + relativedelta(years=2),
        statutory_release_date=start + 366 * DAY,  # half of 731 days, rounded up
        managing_office=office,
    )

    exceptions_scan()

    assert not DataException.objects.filter(sentence=sentence).exists()


def test_a_combined_sentence_with_no_parole_eligibility_date_is_a_difference(office):
    """18 months and a cumulative 18 months: the notional sentence of 3 years is long-term, so the
    sentences need its PED; with none recorded, neither sentence's own term says so."""
    first_end = START + relativedelta(months=18)
    first = imprisonment_row(office, days=(first_end - START).days, statutory_release_date=None)
    second_end = first_end + relativedelta(months=18)
    Sentence.objects.filter(pk=first.pk).update(statutory_release_date=second_end)
    SentenceFactory(
        offender=first.offender,
        sentence_type=SentenceType.IMPRISONMENT,
        order_date=START,
        start_date=first_end,
        end_date=second_end,
        consecutive_to=first,
        status=SentenceStatus.PENDING,
        statutory_release_date=second_end,
    )

    raised = key_dates_check(offender_id=first.offender_id)

    assert len(raised) == 2
    assert all(exception.detail.startswith("Parole eligibility date: recorded none") for exception in raised)
