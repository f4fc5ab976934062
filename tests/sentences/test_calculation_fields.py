"""The fields the sentence calculation reads ('cumulative on', remand credit, minimum period),
checked by Sentence.clean whenever a service records or changes a sentence
(docs/sentence-calculation.md states the rules; Parole Act 2002 and Sentencing Act 2002 s 86)."""

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.utils import timezone

from datashare.api import _recorded_sentence
from datashare.catalogue import CATALOGUE, SENTENCES
from events.models import OutboxEvent
from sentences.models import (
    CompletionReason,
    Sentence,
    SentenceEvent,
    SentenceStatus,
    SentenceType,
)
from sentences.services import sentence_complete, sentence_create, sentence_update
from tests.factories import CourtFactory, OffenceFactory, OffenderFactory

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
START = timezone.localdate() - 30 * DAY


@pytest.fixture
def actor(admin_support):
    return admin_support


@pytest.fixture
def offender(office):
    return OffenderFactory(home_office=office)


def record(actor, offender, *, sentence_type=SentenceType.IMPRISONMENT, start=START, term=None, **fields):
    """A sentence recorded through sentence_create: imprisonment for `term` (3 years unless given)
    with its SRD at half, unless other fields are given."""
    term = term if term is not None else relativedelta(years=3)
    data = {
        "sentence_type": sentence_type,
        "court": CourtFactory(),
        "order_date": start,
        "start_date": start,
        "end_date": start + term,
        "managing_office": offender.home_office,
    }
    if sentence_type == SentenceType.IMPRISONMENT and not fields.get("indeterminate"):
        data["statutory_release_date"] = start + term
    data.update(fields)
    if data.get("indeterminate"):
        data["end_date"] = None
    return sentence_create(
        actor=actor,
        offender=offender,
        convictions=[{"offence": OffenceFactory(), "convicted_on": start}],
        **data,
    )


def refused(call, **kwargs) -> dict:
    with pytest.raises(ValidationError) as error:
        call(**kwargs)
    return error.value.message_dict


# --- allowed -----------------------------------------------------------------------------------------


def test_a_sentence_of_imprisonment_is_recorded_cumulative_on_another_with_remand_and_a_minimum_period(
    actor, offender
):
    first = record(actor, offender, term=relativedelta(years=4))
    second = record(
        actor,
        offender,
        term=relativedelta(years=4),
        consecutive_to=first,
        remand_days=30,
        minimum_period_months=24,
    )

    second.refresh_from_db()
    assert second.consecutive_to == first
    assert (second.remand_days, second.minimum_period_months) == (30, 24)
    recorded = OutboxEvent.objects.filter(event_type="SentenceRecorded").order_by("id").last()
    assert recorded.payload["sentence"]["consecutive_to_id"] == first.pk
    assert recorded.payload["sentence"]["remand_days"] == 30
    assert recorded.payload["sentence"]["minimum_period_months"] == 24


def test_the_data_share_carries_none_of_the_calculation_fields(actor, offender):
    """Seed 004's share is 'core case information'; the calculation's inputs are not in its catalogue."""
    first = record(actor, offender)
    record(actor, offender, consecutive_to=first, remand_days=10)
    payload = OutboxEvent.objects.filter(event_type="SentenceRecorded").order_by("id").last().payload

    shared = _recorded_sentence(payload, set(CATALOGUE[SENTENCES]), {})

    assert shared["start_date"] == payload["sentence"]["start_date"]
    assert not {"consecutive_to_id", "consecutive_to", "remand_days", "minimum_period_months"} & set(shared)


def test_changing_the_calculation_fields_is_a_sentence_change_event_naming_them(actor, offender):
    first = record(actor, offender)
    second = record(actor, offender)

    changes = sentence_update(
        actor=actor, sentence=second, consecutive_to=first, remand_days=12, minimum_period_months=None
    )

    assert set(changes) == {"consecutive_to", "remand_days"}
    event = OutboxEvent.objects.filter(event_type="SentenceChanged").get()
    assert event.payload["changes"]["remand_days"] == [0, 12]
    assert event.payload["changes"]["consecutive_to"][0] is None
    assert event.payload["changes"]["consecutive_to"][1]
    history = SentenceEvent.objects.filter(sentence=second).order_by("id").last()
    assert "Cumulative on" in history.detail and "Time on remand credited" in history.detail


def test_remand_credit_may_equal_the_term(actor, offender):
    sentence = record(actor, offender, term=relativedelta(months=3))
    sentence_update(actor=actor, sentence=sentence, remand_days=(sentence.end_date - START).days)
    sentence.refresh_from_db()
    assert sentence.remand_days == (sentence.end_date - START).days


def test_a_sentence_stays_cumulative_on_one_that_has_since_been_completed(actor, offender):
    first = record(actor, offender, start=START - 400 * DAY, term=relativedelta(years=1))
    second = record(actor, offender, consecutive_to=first)
    sentence_complete(
        actor=actor, sentence=first, reason=CompletionReason.NORMAL, completed_on=timezone.localdate()
    )

    # Other details of the later sentence can still be changed.
    assert sentence_update(actor=actor, sentence=second, remand_days=5) == {"remand_days": [0, 5]}


def test_an_indeterminate_sentence_may_have_a_minimum_period_of_any_length(actor, offender):
    life = record(actor, offender, indeterminate=True, minimum_period_months=204)
    assert life.minimum_period_months == 204


# --- refused: only imprisonment ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "field, message",
    [
        ("consecutive_to", "Only a sentence of imprisonment can be cumulative on another."),
        ("remand_days", "Only imprisonment has time on remand credited."),
        ("minimum_period_months", "Only imprisonment has a minimum period of imprisonment."),
    ],
)
def test_only_imprisonment_has_the_calculation_fields(actor, offender, field, message):
    prison = record(actor, offender)
    value = {"consecutive_to": prison, "remand_days": 10, "minimum_period_months": 12}[field]

    errors = refused(
        record, actor=actor, offender=offender, sentence_type=SentenceType.SUPERVISION, **{field: value}
    )

    assert errors[field] == [message]
    assert Sentence.objects.filter(offender=offender).count() == 1


def test_a_sentence_others_are_cumulative_on_cannot_stop_being_imprisonment(actor, offender):
    first = record(actor, offender)
    record(actor, offender, consecutive_to=first, court_case_number="CRI-2026-085-000002")

    errors = refused(
        sentence_update,
        actor=actor,
        sentence=first,
        sentence_type=SentenceType.HOME_DETENTION,
        statutory_release_date=None,
    )

    assert errors["sentence_type"][0].startswith("Sentence CRI-2026-085-000002 is cumulative on this one")
    first.refresh_from_db()
    assert first.sentence_type == SentenceType.IMPRISONMENT


# --- refused: cumulative on --------------------------------------------------------------------------


def test_a_sentence_cannot_be_cumulative_on_itself(actor, offender):
    sentence = record(actor, offender)
    errors = refused(sentence_update, actor=actor, sentence=sentence, consecutive_to=sentence)
    assert errors["consecutive_to"] == ["A sentence cannot be cumulative on itself."]


def test_a_sentence_cannot_be_cumulative_on_another_offenders_sentence(actor, offender, office):
    theirs = record(actor, OffenderFactory(home_office=office))
    errors = refused(record, actor=actor, offender=offender, consecutive_to=theirs)
    assert errors["consecutive_to"] == [
        "A sentence can only be cumulative on another sentence of the same offender."
    ]


def test_a_sentence_cannot_be_cumulative_on_a_community_sentence(actor, offender):
    supervision = record(actor, offender, sentence_type=SentenceType.SUPERVISION)
    errors = refused(record, actor=actor, offender=offender, consecutive_to=supervision)
    assert errors["consecutive_to"] == [
        "A sentence can only be cumulative on another sentence of imprisonment."
    ]


def test_a_sentence_cannot_be_made_cumulative_on_a_completed_sentence(actor, offender):
    served = record(actor, offender, start=START - 400 * DAY, term=relativedelta(years=1))
    sentence_complete(
        actor=actor, sentence=served, reason=CompletionReason.NORMAL, completed_on=timezone.localdate()
    )
    errors = refused(record, actor=actor, offender=offender, consecutive_to=served)
    assert errors["consecutive_to"] == ["A sentence cannot be cumulative on a completed sentence."]


def test_a_sentence_cannot_be_cumulative_on_an_indeterminate_sentence(actor, offender):
    life = record(actor, offender, indeterminate=True)
    errors = refused(record, actor=actor, offender=offender, consecutive_to=life)
    assert errors["consecutive_to"] == ["A sentence cannot be cumulative on an indeterminate sentence."]


def test_an_indeterminate_sentence_is_not_cumulative_on_another(actor, offender):
    first = record(actor, offender)
    errors = refused(record, actor=actor, offender=offender, indeterminate=True, consecutive_to=first)
    assert "not served after another" in errors["consecutive_to"][0]


def test_a_sentence_others_are_cumulative_on_cannot_become_indeterminate(actor, offender):
    first = record(actor, offender)
    record(actor, offender, consecutive_to=first)
    errors = refused(
        sentence_update,
        actor=actor,
        sentence=first,
        indeterminate=True,
        end_date=None,
        statutory_release_date=None,
    )
    assert "cannot be cumulative on an indeterminate sentence" in errors["indeterminate"][0]


def test_sentences_cannot_be_cumulative_on_each_other_in_a_circle(actor, offender):
    first = record(actor, offender)
    second = record(actor, offender, consecutive_to=first)
    third = record(actor, offender, consecutive_to=second)

    errors = refused(sentence_update, actor=actor, sentence=first, consecutive_to=third)

    assert errors["consecutive_to"] == [
        "A sentence cannot be cumulative on itself, directly or through others."
    ]
    first.refresh_from_db()
    assert first.consecutive_to is None
    assert not OutboxEvent.objects.filter(event_type="SentenceChanged").exists()


# --- refused: remand credit --------------------------------------------------------------------------


def test_remand_credit_cannot_be_more_than_the_term(actor, offender):
    sentence = record(actor, offender, term=relativedelta(months=3))
    term = (sentence.end_date - START).days

    errors = refused(sentence_update, actor=actor, sentence=sentence, remand_days=term + 1)

    assert errors["remand_days"] == [
        f"The time on remand credited ({term + 1} days) cannot be more than the term of the sentence "
        f"({term} days)."
    ]
    sentence.refresh_from_db()
    assert sentence.remand_days == 0
    assert not SentenceEvent.objects.filter(sentence=sentence, kind="details_changed").exists()


# --- refused: minimum period -------------------------------------------------------------------------


def test_a_minimum_period_goes_only_with_a_long_term_sentence(actor, offender):
    """Exactly 2 years is short-term (Parole Act 2002 s 4): no minimum period."""
    errors = refused(
        record, actor=actor, offender=offender, term=relativedelta(years=2), minimum_period_months=9
    )
    assert "only with a long-term sentence" in errors["minimum_period_months"][0]


def test_a_minimum_period_is_allowed_with_two_years_and_a_day(actor, offender):
    sentence = record(actor, offender, term=relativedelta(years=2, days=1), minimum_period_months=9)
    assert sentence.minimum_period_months == 9


def test_a_minimum_period_must_be_longer_than_one_third(actor, offender):
    errors = refused(
        record, actor=actor, offender=offender, term=relativedelta(years=6), minimum_period_months=20
    )
    assert "longer than one third of the term" in errors["minimum_period_months"][0]


def test_a_minimum_period_is_at_most_two_thirds(actor, offender):
    errors = refused(
        record, actor=actor, offender=offender, term=relativedelta(years=6), minimum_period_months=49
    )
    assert "at most two thirds of the term" in errors["minimum_period_months"][0]
    assert record(actor, offender, term=relativedelta(years=6), minimum_period_months=47)


def test_a_minimum_period_with_a_determinate_sentence_is_at_most_10_years(actor, offender):
    errors = refused(
        record, actor=actor, offender=offender, term=relativedelta(years=20), minimum_period_months=121
    )
    assert errors["minimum_period_months"] == [
        "A minimum period of imprisonment with a determinate sentence is at most 10 years (120 months)."
    ]
    assert record(actor, offender, term=relativedelta(years=20), minimum_period_months=120)


def test_a_minimum_period_of_no_months_is_refused(actor, offender):
    errors = refused(record, actor=actor, offender=offender, indeterminate=True, minimum_period_months=0)
    assert "at least 1 month" in errors["minimum_period_months"][0]


def test_a_refused_change_leaves_the_sentence_and_its_events_as_they_were(actor, offender):
    sentence = record(actor, offender, term=relativedelta(years=6))
    before = OutboxEvent.objects.count()

    refused(
        sentence_update,
        actor=actor,
        sentence=sentence,
        remand_days=10,
        minimum_period_months=12,
        court_case_number="CRI-2026-085-009999",
    )

    stored = Sentence.objects.get(pk=sentence.pk)
    assert (stored.remand_days, stored.minimum_period_months, stored.court_case_number) == (0, None, "")
    assert OutboxEvent.objects.count() == before
    assert stored.status == SentenceStatus.ACTIVE


# --- key dates of a combined sentence ---------------------------------------------------------


def test_a_cumulative_sentence_may_carry_the_notional_parole_eligibility_date_before_its_own_start(
    actor, offender
):
    """docs/sentence-calculation.md: sentences combined into a notional single sentence carry its
    key dates. 18 months followed by a cumulative 18 months: parole eligibility at one third of
    the 3 years, before the second sentence starts."""
    began = timezone.localdate() - 700 * DAY
    first = record(actor, offender, start=began, term=relativedelta(months=18))
    second_start = first.end_date
    second_end = second_start + relativedelta(months=18)
    second = record(
        actor,
        offender,
        start=second_start,
        term=relativedelta(months=18),
        consecutive_to=first,
        parole_eligibility_date=began + relativedelta(years=1),
        statutory_release_date=second_end,
    )
    assert second.parole_eligibility_date < second.start_date


def test_a_single_sentence_still_cannot_have_its_parole_eligibility_before_it_starts(actor, offender):
    with pytest.raises(ValidationError) as refused:
        record(actor, offender, parole_eligibility_date=START - DAY)
    assert (
        "The PED cannot be before the sentence starts."
        in refused.value.message_dict["parole_eligibility_date"]
    )
    assert not Sentence.objects.filter(offender=offender).exists()


def test_a_shorter_concurrent_sentence_may_carry_the_notional_release_date_after_its_own_expiry(
    actor, offender
):
    long = record(actor, offender)  # 3 years
    short = record(
        actor,
        offender,
        term=relativedelta(years=1),
        statutory_release_date=long.end_date,
    )
    assert short.statutory_release_date > short.end_date
