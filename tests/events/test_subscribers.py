"""Each subscriber of the registry, through the service that publishes its event. Covered elsewhere
through the same path: the allocate request of a new sentence (tests/allocation/test_requests.py),
the handover on release (tests/allocation/test_handover.py), the break-glass notice
(tests/offenders/test_restricted.py) and plan activities following their referral
(tests/plans/test_services.py)."""

import datetime

import pytest
from dateutil.relativedelta import relativedelta

from allocation.models import AllocateRequest
from classification.models import ReviewSchedule, ScheduleBasis
from classification.services import security_classification_record
from events.models import OutboxEvent
from sentences.models import SentenceType
from sentences.services import charge_create, sentence_create, sentence_update
from staff.models import OfficeKind
from tests.allocation.helpers import ensure_weights
from tests.classification.factories import days_ago, prisoner, today
from tests.factories import CourtFactory, OffenceFactory, OffenderFactory, OfficeFactory, SentenceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def prison(db):
    return OfficeFactory(kind=OfficeKind.PRISON, name="Rimutaka Prison", code="RIM01")


@pytest.fixture
def classified(prison):
    """A prisoner serving a year, classified B/B 20 days ago: the next regular review is months away."""
    end = days_ago(100) + relativedelta(years=1)
    offender = prisoner(
        managing_office=prison, start_date=days_ago(100), end_date=end, statutory_release_date=end
    )
    security_classification_record(
        actor=None,
        offender=offender,
        kind="initial",
        internal_category="B",
        external_category="B",
        effective_on=days_ago(20),
    )
    schedule = ReviewSchedule.objects.get(offender=offender)
    regular = days_ago(20) + relativedelta(months=3)
    assert (schedule.basis, schedule.due_on) == (ScheduleBasis.REGULAR, regular)
    return offender


def schedule_of(offender) -> ReviewSchedule:
    return ReviewSchedule.objects.get(offender=offender)


def test_a_new_charge_makes_the_prisoners_review_due_at_once_after_the_commit(
    classified, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as after_commit:
        charge = charge_create(actor=None, offender=classified, offence=OffenceFactory(), charged_on=today())
    assert schedule_of(classified).basis == ScheduleBasis.REGULAR  # not before the commit

    for callback in after_commit:
        callback()

    schedule = schedule_of(classified)
    assert (schedule.basis, schedule.due_on) == (ScheduleBasis.CHANGE, today())
    assert (schedule.trigger_label, schedule.trigger_pk) == ("sentences.Charge", charge.pk)
    assert schedule.reason.startswith("New charge:")


def test_a_new_sentence_and_its_conviction_make_the_review_due_at_once(
    classified, prison, django_capture_on_commit_callbacks
):
    ensure_weights()
    with django_capture_on_commit_callbacks(execute=True):
        sentence = sentence_create(
            actor=None,
            offender=classified,
            convictions=[{"offence": OffenceFactory(), "convicted_on": days_ago(1)}],
            sentence_type=SentenceType.IMPRISONMENT,
            court=CourtFactory(),
            order_date=days_ago(1),
            start_date=days_ago(1),
            end_date=days_ago(1) + relativedelta(years=3),
            statutory_release_date=days_ago(1) + relativedelta(years=3),
            managing_office=prison,
        )

    schedule = schedule_of(classified)
    assert (schedule.basis, schedule.due_on) == (ScheduleBasis.CHANGE, today())
    assert schedule.trigger_label == "sentences.Conviction"
    assert schedule.trigger_pk == sentence.convictions.get().pk
    assert schedule.reason.startswith("New conviction:")


def test_changed_release_dates_make_the_review_due_at_once(classified, django_capture_on_commit_callbacks):
    sentence = classified.sentences.get()
    with django_capture_on_commit_callbacks(execute=True):
        sentence_update(
            actor=None,
            sentence=sentence,
            statutory_release_date=sentence.statutory_release_date - datetime.timedelta(days=30),
        )

    schedule = schedule_of(classified)
    assert (schedule.basis, schedule.due_on) == (ScheduleBasis.CHANGE, today())
    assert (schedule.trigger_label, schedule.trigger_pk) == ("sentences.Sentence", sentence.pk)
    assert schedule.reason.startswith("Release dates changed (Statutory release date (SRD))")


def test_other_sentence_changes_leave_the_review_where_it_was(classified, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sentence_update(actor=None, sentence=classified.sentences.get(), court_case_number="CRI-2026-1")

    assert schedule_of(classified).basis == ScheduleBasis.REGULAR


def test_a_sentence_given_a_community_office_gets_its_allocate_request(office):
    ensure_weights()
    offender = OffenderFactory(home_office=None)
    sentence = SentenceFactory(
        offender=offender, managing_office=None, sentence_type=SentenceType.SUPERVISION
    )
    assert not AllocateRequest.objects.filter(sentence=sentence).exists()

    sentence_update(actor=None, sentence=sentence, managing_office=office, reason="Moved to Wellington")

    request = AllocateRequest.objects.get(sentence=sentence)
    assert request.office == office


def test_recording_a_sentence_publishes_its_conviction_and_the_sentence_in_order(office):
    ensure_weights()
    offender = OffenderFactory(home_office=office)
    sentence = sentence_create(
        actor=None,
        offender=offender,
        convictions=[{"offence": OffenceFactory(), "convicted_on": days_ago(3)}],
        sentence_type=SentenceType.PAROLE,
        court=CourtFactory(),
        order_date=days_ago(3),
        start_date=days_ago(2),
        end_date=days_ago(2) + relativedelta(years=1),
        managing_office=office,
    )

    rows = list(OutboxEvent.objects.filter(offender_id=offender.pk).order_by("id"))
    assert [row.event_type for row in rows] == ["ConvictionRecorded", "SentenceRecorded", "OffenderReleased"]
    assert rows[1].payload["sentence_id"] == sentence.pk
    assert rows[1].payload["sentence"]["start_date"] == days_ago(2).isoformat()
    assert rows[2].payload["released_on"] == days_ago(2).isoformat()
    assert AllocateRequest.objects.filter(sentence=sentence).exists()


def test_many_changes_in_one_transaction_refresh_the_prisoners_schedule_once_after_the_commit(
    classified, monkeypatch, django_capture_on_commit_callbacks
):
    """A court message or batch publishes many events for the same people: one refresh for all."""
    from classification import handlers

    refreshed = []
    real_refresh = handlers.schedule_refresh

    def counted(*, offender_ids):
        refreshed.append(list(offender_ids))
        return real_refresh(offender_ids=offender_ids)

    monkeypatch.setattr(handlers, "schedule_refresh", counted)
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            charge_create(actor=None, offender=classified, offence=OffenceFactory(), charged_on=today())

    assert refreshed == [[classified.pk]]
    assert schedule_of(classified).basis == ScheduleBasis.CHANGE
