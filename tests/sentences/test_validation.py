"""Services validate records with audit.records.record_validate: full_clean's checks and errors
exactly, without a query for a foreign key whose object is already loaded or for a check constraint
Python can decide (the court interface records thousands of sentences an hour)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.records import record_validate
from sentences.models import Conviction, Sentence, SentenceStatus, SentenceType
from sentences.services import sentence_create
from staff.models import Office
from tests.factories import CourtFactory, OffenceFactory, OffenderFactory, OfficeFactory

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def _errors(check, instance) -> dict:
    with pytest.raises(ValidationError) as refused:
        check(instance)
    return refused.value.message_dict


def _sentence(offender, **fields) -> Sentence:
    start = timezone.localdate() - 30 * DAY
    data = {
        "offender": offender,
        "sentence_type": SentenceType.SUPERVISION,
        "court": CourtFactory(),
        "order_date": start,
        "start_date": start,
        "end_date": start + 365 * DAY,
        "managing_office": offender.home_office,
        "status": SentenceStatus.ACTIVE,
    }
    data.update(fields)
    return Sentence(**data)


@pytest.mark.parametrize(
    "breaks",
    [
        "court_not_a_court",
        "managed_by_a_court",
        "ends_before_it_starts",
        "completed_without_reason",
        "everything",
    ],
)
def test_a_refused_sentence_gets_the_same_errors_as_full_clean(office, breaks):
    offender = OffenderFactory(home_office=office)
    court = CourtFactory()
    fields = {
        "court_not_a_court": {"court": office},
        "managed_by_a_court": {"managing_office": court},
        "ends_before_it_starts": {"end_date": timezone.localdate() - 60 * DAY},
        "completed_without_reason": {"status": SentenceStatus.COMPLETED},
    }
    chosen = (
        {name: value for change in fields.values() for name, value in change.items()}
        if breaks == "everything"
        else fields[breaks]
    )

    expected = _errors(Sentence.full_clean, _sentence(offender, **chosen))

    assert _errors(record_validate, _sentence(offender, **chosen)) == expected


def test_a_foreign_key_given_by_id_is_still_looked_up(office):
    offender = OffenderFactory(home_office=office)
    missing = Office.objects.order_by("-pk").values_list("pk", flat=True).first() + 1000
    sentence = _sentence(offender)
    sentence.court_id = missing

    assert _errors(record_validate, sentence) == _errors(Sentence.full_clean, sentence)


def test_recording_a_sentence_reads_no_office_offender_or_offence_it_was_given(admin_support, office):
    offender = OffenderFactory(home_office=office)
    court, offence = CourtFactory(), OffenceFactory()
    start = timezone.localdate() - 30 * DAY

    with CaptureQueriesContext(connection) as queries:
        sentence = sentence_create(
            actor=admin_support,
            offender=offender,
            convictions=[{"offence": offence, "convicted_on": start}],
            sentence_type=SentenceType.SUPERVISION,
            court=court,
            order_date=start,
            start_date=start,
            end_date=start + 365 * DAY,
            managing_office=office,
        )

    statements = [query["sql"] for query in queries.captured_queries]
    # full_clean's check of a foreign key: SELECT 1 AS "a" FROM "table" WHERE "table"."id" = ...
    lookups = [sql for sql in statements if sql.startswith('SELECT 1 AS "a"') and '"."id" = ' in sql]
    assert not lookups
    assert not [sql for sql in statements if sql.startswith("SELECT") and 'FROM "staff_office"' in sql]
    assert not [sql for sql in statements if '"_check"' in sql], "check constraints decided in Python"
    assert Conviction.objects.get(sentence=sentence).offender == offender


def test_the_office_of_a_different_kind_is_still_refused(admin_support, office):
    probation = OfficeFactory(code="ZZZ01")
    offender = OffenderFactory(home_office=office)
    start = timezone.localdate() - 30 * DAY

    with pytest.raises(ValidationError) as refused:
        sentence_create(
            actor=admin_support,
            offender=offender,
            convictions=[{"offence": OffenceFactory(), "convicted_on": start}],
            sentence_type=SentenceType.SUPERVISION,
            court=probation,
            order_date=start,
            start_date=start,
            end_date=start + 365 * DAY,
            managing_office=office,
        )

    # The message full_clean gives for an office outside the field's choices.
    assert refused.value.message_dict["court"] == [
        f"office instance with id {probation.pk} is not a valid choice."
    ], refused.value.message_dict
    assert not Sentence.objects.exists()
