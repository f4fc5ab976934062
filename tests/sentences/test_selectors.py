"""sentence_calculation_for: the offender's current sentences of imprisonment, calculated
(sentences/calculation.py), read in one query however many there are."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sentences.models import SentenceStatus, SentenceType
from sentences.selectors import sentence_calculation_for
from tests.factories import OffenderFactory, SentenceFactory

pytestmark = pytest.mark.django_db

YEAR = datetime.timedelta(days=365)


def prison(offender, *, start, years=1, **fields):
    fields.setdefault("statutory_release_date", start + years * YEAR / 2)
    return SentenceFactory(
        offender=offender,
        sentence_type=SentenceType.IMPRISONMENT,
        order_date=start,
        start_date=start,
        end_date=start + years * YEAR,
        **fields,
    )


def test_an_offender_with_no_sentence_of_imprisonment_has_no_calculation():
    offender = OffenderFactory()
    SentenceFactory(offender=offender)  # supervision: not calculated
    assert sentence_calculation_for(offender.pk) is None


def test_completed_sentences_and_other_offenders_sentences_are_left_out():
    offender = OffenderFactory()
    start = timezone.localdate() - 30 * datetime.timedelta(days=1)
    current = prison(offender, start=start)
    prison(
        offender,
        start=start - 5 * YEAR,
        years=3,
        status=SentenceStatus.COMPLETED,
        completion_reason="normal",
        completed_on=start,
    )
    prison(OffenderFactory(), start=start, years=4)
    result = sentence_calculation_for(offender.pk)
    assert [item.term.sentence_id for item in result.served] == [current.pk]
    assert result.long_term is False


def test_cumulative_sentences_are_combined():
    offender = OffenderFactory()
    start = timezone.localdate() - 30 * datetime.timedelta(days=1)
    first = prison(offender, start=start, years=2)
    prison(offender, start=start, years=2, consecutive_to=first, status=SentenceStatus.PENDING)
    result = sentence_calculation_for(offender.pk)
    assert result.long_term is True
    assert result.expiry_date == start + 4 * YEAR


@pytest.mark.parametrize("count", [1, 6])
def test_the_calculation_is_read_in_one_query_however_many_sentences(count):
    offender = OffenderFactory()
    start = timezone.localdate() - 30 * datetime.timedelta(days=1)
    previous = None
    for _ in range(count):
        previous = prison(offender, start=start, consecutive_to=previous)
    with CaptureQueriesContext(connection) as queries:
        result = sentence_calculation_for(offender.pk)
    assert len(result.served) == count
    assert len(queries) == 1


def test_a_completed_sentence_that_a_current_one_is_cumulative_on_stays_in_the_notional_sentence():
    """Parole Act 2002, s 75: cumulative sentences form one notional sentence. The first of two
    18-month sentences has been served; the second, served after it, still runs from the day the
    first ended, and the notional sentence of 3 years is long-term."""
    offender = OffenderFactory()
    start = timezone.localdate() - 600 * datetime.timedelta(days=1)
    first = prison(offender, start=start, years=1.5)
    second = prison(offender, start=start, years=1.5, consecutive_to=first)
    first.status, first.completion_reason, first.completed_on = (
        SentenceStatus.COMPLETED,
        "normal",
        first.end_date,
    )
    first.save(update_fields=["status", "completion_reason", "completed_on"])
    result = sentence_calculation_for(offender.pk)
    served = {item.term.sentence_id: item for item in result.served}
    assert set(served) == {first.pk, second.pk}
    assert served[second.pk].start_date == first.end_date
    assert result.start_date == start
    assert result.long_term is True
