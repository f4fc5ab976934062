"""The rules of each sentence type, checked through `sentence_create` (the only way a sentence is
recorded) and, for the last line of defence, the database's own constraints."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count
from django.utils import timezone

from sentences.models import Sentence, SentenceStatus, SentenceType
from sentences.services import sentence_create
from tests.factories import CourtFactory, OffenceFactory, OffenderFactory, SentenceFactory

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
ALL_TYPES = list(SentenceType)
NOT_IMPRISONMENT = [kind for kind in SentenceType if kind != SentenceType.IMPRISONMENT]
NOT_COMMUNITY_WORK = [kind for kind in SentenceType if kind != SentenceType.COMMUNITY_WORK]
# Community work and imprisonment carry no conditions; every other sentence or order does.
WITHOUT_CONDITIONS = [SentenceType.COMMUNITY_WORK, SentenceType.IMPRISONMENT]
WITH_CONDITIONS = [kind for kind in SentenceType if kind not in WITHOUT_CONDITIONS]
PRISON_DATES = ["parole_eligibility_date", "statutory_release_date", "parole_hearing_date"]


@pytest.fixture
def offender(office):
    return OffenderFactory(home_office=office)


@pytest.fixture
def actor(admin_support):
    return admin_support


def valid_fields(kind: str, office) -> dict:
    """A sentence of `kind` that breaks no rule: started a month ago, a year long."""
    start = timezone.localdate() - 30 * DAY
    data = {
        "sentence_type": kind,
        "court": CourtFactory(),
        "order_date": start,
        "start_date": start,
        "end_date": start + 365 * DAY,
        "managing_office": office,
    }
    if kind == SentenceType.COMMUNITY_WORK:
        data["hours"] = 200
    if kind == SentenceType.IMPRISONMENT:
        data["parole_eligibility_date"] = start + 120 * DAY
        data["statutory_release_date"] = start + 365 * DAY
    return data


def record(actor, offender, office, kind: str, **overrides) -> Sentence:
    data = valid_fields(kind, office)
    data.update(overrides)
    convictions = [{"offence": OffenceFactory(), "convicted_on": data["order_date"]}]
    return sentence_create(actor=actor, offender=offender, convictions=convictions, **data)


def refused_fields(actor, offender, office, kind: str, **overrides) -> dict:
    with pytest.raises(ValidationError) as refused:
        record(actor, offender, office, kind, **overrides)
    assert not Sentence.objects.exists(), "nothing is saved when a sentence is refused"
    return refused.value.message_dict


@pytest.mark.parametrize("kind", ALL_TYPES)
def test_every_sentence_type_is_recorded_with_its_own_fields(actor, offender, office, kind):
    sentence = record(actor, offender, office, kind)

    assert sentence.sentence_type == kind
    assert sentence.status == SentenceStatus.ACTIVE
    assert sentence.convictions.count() == 1


# --- community work hours --------------------------------------------------------------------------


@pytest.mark.parametrize("hours", [40, 400])
def test_community_work_accepts_40_to_400_hours(actor, offender, office, hours):
    assert record(actor, offender, office, SentenceType.COMMUNITY_WORK, hours=hours).hours == hours


@pytest.mark.parametrize("hours", [39, 401, None, 0])
def test_community_work_refuses_hours_outside_40_to_400(actor, offender, office, hours):
    errors = refused_fields(actor, offender, office, SentenceType.COMMUNITY_WORK, hours=hours)

    assert "hours" in errors


@pytest.mark.parametrize("kind", NOT_COMMUNITY_WORK)
def test_only_community_work_has_hours(actor, offender, office, kind):
    errors = refused_fields(actor, offender, office, kind, hours=100)

    assert errors["hours"] == ["Only community work has hours."]


# --- conditions ------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", WITH_CONDITIONS)
def test_sentences_and_orders_with_conditions_keep_them(actor, offender, office, kind):
    sentence = record(actor, offender, office, kind, conditions="Not to associate with co-offenders.")

    assert sentence.conditions == "Not to associate with co-offenders."


@pytest.mark.parametrize("kind", WITHOUT_CONDITIONS)
def test_community_work_and_imprisonment_have_no_conditions(actor, offender, office, kind):
    errors = refused_fields(actor, offender, office, kind, conditions="Not to drink alcohol.")

    assert errors["conditions"] == [f"{SentenceType(kind).label} has no conditions."]


# --- prison dates ----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", NOT_IMPRISONMENT)
@pytest.mark.parametrize("field", PRISON_DATES)
def test_only_imprisonment_has_parole_and_release_dates(actor, offender, office, kind, field):
    errors = refused_fields(actor, offender, office, kind, **{field: timezone.localdate()})

    assert errors[field] == ["Only imprisonment has parole and release dates."]


def test_a_prison_sentence_keeps_its_parole_hearing_date(actor, offender, office):
    hearing = timezone.localdate() + 60 * DAY

    sentence = record(actor, offender, office, SentenceType.IMPRISONMENT, parole_hearing_date=hearing)

    assert sentence.parole_hearing_date == hearing


def test_the_ped_cannot_be_after_the_srd(actor, offender, office):
    start = timezone.localdate() - 30 * DAY
    errors = refused_fields(
        actor,
        offender,
        office,
        SentenceType.IMPRISONMENT,
        parole_eligibility_date=start + 200 * DAY,
        statutory_release_date=start + 199 * DAY,
    )

    assert errors["parole_eligibility_date"] == ["The PED cannot be after the SRD."]


def test_the_ped_cannot_be_before_the_sentence_starts(actor, offender, office):
    start = timezone.localdate() - 30 * DAY
    errors = refused_fields(
        actor, offender, office, SentenceType.IMPRISONMENT, parole_eligibility_date=start - DAY
    )

    assert errors["parole_eligibility_date"] == ["The PED cannot be before the sentence starts."]


def test_the_srd_cannot_be_after_the_sentence_expiry(actor, offender, office):
    start = timezone.localdate() - 30 * DAY
    errors = refused_fields(
        actor,
        offender,
        office,
        SentenceType.IMPRISONMENT,
        end_date=start + 365 * DAY,
        statutory_release_date=start + 366 * DAY,
    )

    assert errors["statutory_release_date"] == ["The SRD cannot be after the sentence expiry date."]


def test_ped_srd_and_expiry_may_fall_on_the_same_day(actor, offender, office):
    expiry = timezone.localdate() + 100 * DAY

    sentence = record(
        actor,
        offender,
        office,
        SentenceType.IMPRISONMENT,
        parole_eligibility_date=expiry,
        statutory_release_date=expiry,
        end_date=expiry,
    )

    assert sentence.parole_eligibility_date == sentence.statutory_release_date == sentence.end_date


def test_a_determinate_prison_sentence_needs_its_srd(actor, offender, office):
    errors = refused_fields(actor, offender, office, SentenceType.IMPRISONMENT, statutory_release_date=None)

    assert errors["statutory_release_date"] == ["A determinate prison sentence needs its SRD."]


def test_an_indeterminate_prison_sentence_has_no_srd_and_no_end_date(actor, offender, office):
    sentence = record(
        actor,
        offender,
        office,
        SentenceType.IMPRISONMENT,
        indeterminate=True,
        statutory_release_date=None,
        end_date=None,
    )

    assert sentence.indeterminate
    assert sentence.end_date is None


@pytest.mark.parametrize("kind", NOT_IMPRISONMENT)
def test_only_imprisonment_can_be_indeterminate(actor, offender, office, kind):
    errors = refused_fields(actor, offender, office, kind, indeterminate=True, end_date=None)

    assert errors["indeterminate"] == ["Only imprisonment can be indeterminate."]


# --- dates -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ALL_TYPES)
def test_a_sentence_cannot_end_before_it_starts(actor, offender, office, kind):
    start = timezone.localdate() - 30 * DAY
    overrides = {"end_date": start - DAY}
    if kind == SentenceType.IMPRISONMENT:
        overrides.update(parole_eligibility_date=None, statutory_release_date=start - DAY)
    errors = refused_fields(actor, offender, office, kind, **overrides)

    assert errors["end_date"] == ["The end date cannot be before the start date."]


@pytest.mark.parametrize("kind", NOT_IMPRISONMENT)
def test_a_determinate_sentence_needs_its_end_date(actor, offender, office, kind):
    errors = refused_fields(actor, offender, office, kind, end_date=None)

    assert errors["end_date"] == ["A determinate sentence needs its end date."]


def test_a_sentence_cannot_start_before_the_court_ordered_it(actor, offender, office):
    start = timezone.localdate() - 30 * DAY
    errors = refused_fields(
        actor, offender, office, SentenceType.SUPERVISION, order_date=start + DAY, start_date=start
    )

    assert errors["start_date"] == ["A sentence cannot start before the court ordered it."]


def test_a_sentence_may_start_after_the_order_date(actor, offender, office):
    start = timezone.localdate() - 30 * DAY

    sentence = record(actor, offender, office, SentenceType.SUPERVISION, order_date=start - 14 * DAY)

    assert sentence.start_date - sentence.order_date == 14 * DAY


def test_the_court_must_be_a_court(actor, offender, office):
    errors = refused_fields(actor, offender, office, SentenceType.SUPERVISION, court=office)

    assert "court" in errors


# --- the database's own constraints ----------------------------------------------------------------


def test_the_database_refuses_a_completed_sentence_without_a_reason_or_date(offender):
    sentence = SentenceFactory(offender=offender)

    with pytest.raises(IntegrityError), transaction.atomic():
        Sentence.objects.filter(pk=sentence.pk).update(status=SentenceStatus.COMPLETED)

    sentence.refresh_from_db()
    assert sentence.status == SentenceStatus.ACTIVE


def test_the_database_refuses_a_completed_sentence_with_a_date_but_no_reason(offender):
    sentence = SentenceFactory(offender=offender)

    with pytest.raises(IntegrityError), transaction.atomic():
        Sentence.objects.filter(pk=sentence.pk).update(
            status=SentenceStatus.COMPLETED, completed_on=timezone.localdate()
        )


def test_the_database_refuses_a_sentence_ending_before_it_starts(offender):
    sentence = SentenceFactory(offender=offender)

    with pytest.raises(IntegrityError), transaction.atomic():
        Sentence.objects.filter(pk=sentence.pk).update(end_date=sentence.start_date - DAY)


# --- current sentences (issue 10) ------------------------------------------------------------------


def _plan(queryset) -> str:
    """The query plan, with sequential and bitmap scans priced out (the test tables hold a handful
    of rows, which PostgreSQL 18 would rather read by any index and filter) and statistics taken of
    the test's own rows, so that the planner knows how few of them are current."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE sentences_sentence")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_current_sentences_are_pending_and_active_ones(offender):
    pending = SentenceFactory(offender=offender, status=SentenceStatus.PENDING)
    active = SentenceFactory(offender=offender, status=SentenceStatus.ACTIVE)
    SentenceFactory(
        offender=offender,
        status=SentenceStatus.COMPLETED,
        completed_on=timezone.localdate(),
        completion_reason="normal",
    )

    assert set(Sentence.objects.current()) == {pending, active}


def _with_history(offender, office) -> None:
    """Many completed sentences and a few current ones, as on real data, and the planner told so."""
    for _ in range(40):
        SentenceFactory(
            offender=offender,
            managing_office=office,
            status=SentenceStatus.COMPLETED,
            completed_on=timezone.localdate(),
            completion_reason="normal",
        )
    SentenceFactory.create_batch(2, offender=offender, managing_office=office)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE sentences_sentence")


def test_an_offenders_current_sentences_are_read_from_a_partial_index(offender, office):
    _with_history(offender, office)
    # Either partial index will do on a handful of rows; on national data the one led by offender.
    assert "sentence_current_" in _plan(Sentence.objects.current().filter(offender=offender))


def test_an_offices_current_sentences_by_type_are_read_from_a_partial_index(offender, office):
    _with_history(offender, office)
    counts = (
        Sentence.objects.current()
        .filter(managing_office=office)
        .values("sentence_type")
        .annotate(people=Count("offender", distinct=True))
    )
    assert "sentence_current_" in _plan(counts)
