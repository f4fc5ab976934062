"""When a prisoner's next classification review is due (seed 003, "When to use"; issue 5,
Scheduling), the nightly refresh, and escape alerts that stay active (seed 003, A.2.1 note)."""

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from audit.models import AuditAction, AuditEvent
from classification.models import (
    ClassificationKind,
    CorrectionsActStatus,
    EscapeCustody,
    EscapeEvent,
    EscapeKind,
    IncidentType,
    ReviewSchedule,
    ReviewStatus,
    ScheduleBasis,
)
from classification.records import escape_record, incident_record
from classification.schedule import NO_CLASSIFICATION_REASON, reviews_due, schedule_refresh
from classification.services import security_classification_record
from classification.tasks import refresh_review_schedules
from events.domain import PrisonRecordChanged, publish
from offenders.models import Flag, FlagKind
from offenders.services import flag_end, flag_raise
from sentences.models import CompletionReason, OffenceCategory, Sentence, SentenceStatus
from sentences.services import sentence_complete, sentence_update
from staff.models import OfficeKind
from staff.roles import Role
from tests.classification.factories import (
    EscapeEventFactory,
    IncidentReportFactory,
    days_ago,
    prison_sentence,
    prisoner,
    today,
)
from tests.classification.test_prepopulate import offence
from tests.classification.test_workflow import approved, initiated
from tests.factories import ChargeFactory, ConvictionFactory, OfficeFactory, staff_user

pytestmark = pytest.mark.django_db

CLASSIFIED_ON = days_ago(20)
B_AND_B = {"internal_category": "B", "external_category": "B", "change_reason": "Assaulted an officer"}


@pytest.fixture
def prison(db):
    return OfficeFactory(kind=OfficeKind.PRISON, name="Rimutaka Prison", code="RIM01")


@pytest.fixture
def officers(prison):
    return {
        "initiator": staff_user(Role.PRISON_OFFICER, prison),
        "recommender": staff_user(Role.RECOMMENDING_OFFICER, prison),
        "approver": staff_user(Role.APPROVING_OFFICER, prison),
    }


def serving(prison, *, years=None, days=0, indeterminate=False, start=None):
    """A prisoner at `prison` serving one imprisonment of `years` years and `days` days."""
    start = start or days_ago(100)
    if indeterminate:
        return prisoner(
            managing_office=prison,
            start_date=start,
            end_date=None,
            indeterminate=True,
            statutory_release_date=None,
        )
    end = start + relativedelta(years=years) + datetime.timedelta(days=days)
    return prisoner(managing_office=prison, start_date=start, end_date=end, statutory_release_date=end)


def classify(
    offender, internal="B", external="B", effective_on=CLASSIFIED_ON, kind=ClassificationKind.INITIAL
):
    return security_classification_record(
        actor=None,
        offender=offender,
        kind=kind,
        internal_category=internal,
        external_category=external,
        effective_on=effective_on,
    )


def schedule_of(offender) -> ReviewSchedule:
    schedule_refresh(offender_ids=[offender.pk])
    return ReviewSchedule.objects.get(offender=offender)


# --- the regular review: 3 or 6 months ------------------------------------------------------


def test_a_sentence_of_exactly_two_years_is_reviewed_every_three_months(prison):
    """Seed 003 (Regulation 50): "Every three months where the prisoner is serving a term of
    imprisonment of two years or less"."""
    offender = serving(prison, years=2)
    classification = classify(offender)

    schedule = schedule_of(offender)

    assert schedule.basis == ScheduleBasis.REGULAR
    assert schedule.due_on == CLASSIFIED_ON + relativedelta(months=3)
    assert schedule.counted_from == classification
    assert schedule.reason == (
        f"3 months after the initial classification of {CLASSIFIED_ON.day} {CLASSIFIED_ON:%b %Y} "
        "(sentence of 2 years or less)"
    )
    assert schedule.trigger_label == "" and schedule.trigger_pk is None


def test_a_sentence_a_day_longer_than_two_years_is_reviewed_every_six_months(prison):
    """Seed 003 (Regulation 50): "Every six months where the prisoner is serving a term of
    imprisonment of more than two years"."""
    offender = serving(prison, years=2, days=1)
    classify(offender)

    schedule = schedule_of(offender)

    assert schedule.due_on == CLASSIFIED_ON + relativedelta(months=6)
    assert "6 months after" in schedule.reason and "more than 2 years" in schedule.reason


def _cumulative_on(sentence, *, months=0, days=0, status=SentenceStatus.PENDING):
    """A sentence served after `sentence`: it starts when that one ends."""
    start = sentence.end_date
    end = start + relativedelta(months=months, days=days)
    return prison_sentence(
        sentence.offender,
        managing_office=sentence.managing_office,
        order_date=sentence.order_date,
        start_date=start,
        end_date=end,
        statutory_release_date=end,
        consecutive_to=sentence,
        status=status,
    )


def _serving_for(prison, *, months, start=None):
    start = start or days_ago(100)
    end = start + relativedelta(months=months)
    return prisoner(managing_office=prison, start_date=start, end_date=end, statutory_release_date=end)


def test_a_sentence_followed_by_a_cumulative_one_is_one_term_of_both(prison):
    """Seed 003 (Regulation 50): "Every six months where the prisoner is serving a term of
    imprisonment of more than two years". 18 months followed by a cumulative 18 months is a term
    of 3 years, though neither sentence alone is more than two years."""
    offender = _serving_for(prison, months=18)
    _cumulative_on(offender.sentences.get(), months=18)
    classify(offender)

    schedule = schedule_of(offender)

    assert schedule.due_on == CLASSIFIED_ON + relativedelta(months=6)
    assert schedule.reason.endswith("(notional sentence of more than 2 years: 2 sentences, cumulative)")


def test_a_cumulative_sentence_served_after_a_completed_one_is_still_one_term_of_both(prison):
    """Seed 003 (Regulation 50): "a term of imprisonment of more than two years". Once the first
    18 months are served and that sentence is completed, the cumulative 18 months after it are
    still the second half of one 3-year term, not a new term of 18 months."""
    offender = _serving_for(prison, months=18, start=days_ago(600))
    first = offender.sentences.get()
    _cumulative_on(first, months=18, status=SentenceStatus.ACTIVE)
    Sentence.objects.filter(pk=first.pk).update(
        status=SentenceStatus.COMPLETED, completed_on=first.end_date, completion_reason="normal"
    )
    classify(offender)

    assert schedule_of(offender).due_on == CLASSIFIED_ON + relativedelta(months=6)


def test_two_concurrent_sentences_of_18_months_are_a_term_of_two_years_or_less(prison):
    """Seed 003 (Regulation 50): "Every three months where the prisoner is serving a term of
    imprisonment of two years or less". Concurrent sentences are served at the same time."""
    offender = _serving_for(prison, months=18)
    prison_sentence(
        offender,
        managing_office=prison,
        start_date=days_ago(100),
        end_date=days_ago(100) + relativedelta(months=18),
    )
    classify(offender)

    schedule = schedule_of(offender)

    assert schedule.due_on == CLASSIFIED_ON + relativedelta(months=3)
    assert schedule.reason.endswith("(notional sentence of 2 years or less: 2 sentences, concurrent)")


def test_cumulative_sentences_of_exactly_two_years_in_all_are_reviewed_every_three_months(prison):
    """Seed 003: "a term of imprisonment of two years or less": exactly two years is not more."""
    offender = _serving_for(prison, months=12)
    first = offender.sentences.get()
    _cumulative_on(first, days=(first.start_date + relativedelta(years=2) - first.end_date).days)
    classify(offender)

    assert schedule_of(offender).due_on == CLASSIFIED_ON + relativedelta(months=3)


def test_cumulative_sentences_of_two_years_and_a_day_in_all_are_reviewed_every_six_months(prison):
    """Seed 003: "a term of imprisonment of more than two years": a day more is enough."""
    offender = _serving_for(prison, months=12)
    first = offender.sentences.get()
    _cumulative_on(first, days=(first.start_date + relativedelta(years=2) - first.end_date).days + 1)
    classify(offender)

    assert schedule_of(offender).due_on == CLASSIFIED_ON + relativedelta(months=6)


def test_moving_a_concurrent_sentences_start_recomputes_the_cycle_as_soon_as_it_is_committed(
    prison, django_capture_on_commit_callbacks
):
    """Not a change of release dates, but a change of the term: two concurrent sentences of 18
    months, the second moved to start 8 months before the first, are a notional term of 26 months."""
    offender = _serving_for(prison, months=18)
    second = prison_sentence(
        offender,
        managing_office=prison,
        order_date=days_ago(400),
        start_date=days_ago(100),
        end_date=days_ago(100) + relativedelta(months=18),
        statutory_release_date=days_ago(100) + relativedelta(months=9),
    )
    classify(offender)
    assert schedule_of(offender).due_on == CLASSIFIED_ON + relativedelta(months=3)

    with django_capture_on_commit_callbacks(execute=True):
        sentence_update(actor=None, sentence=second, start_date=days_ago(100) - relativedelta(months=8))

    schedule = ReviewSchedule.objects.get(offender=offender)
    assert schedule.due_on == CLASSIFIED_ON + relativedelta(months=6)
    assert schedule.basis == ScheduleBasis.REGULAR, "a change of the term is not a change of circumstances"


def test_a_sentence_waiting_to_start_alone_does_not_make_a_prisoner(prison):
    offender = _serving_for(prison, months=18)
    first = offender.sentences.get()
    sentence_complete(actor=None, sentence=first, reason=CompletionReason.NORMAL, completed_on=today())
    prison_sentence(
        offender,
        managing_office=prison,
        start_date=today() + relativedelta(months=1),
        end_date=today() + relativedelta(months=40),
        status=SentenceStatus.PENDING,
    )

    schedule_refresh(offender_ids=[offender.pk])

    assert not ReviewSchedule.objects.filter(offender=offender).exists()


def test_an_indeterminate_sentence_is_reviewed_every_six_months(prison):
    offender = serving(prison, indeterminate=True)
    classify(offender)

    assert schedule_of(offender).due_on == CLASSIFIED_ON + relativedelta(months=6)


def test_of_concurrent_sentences_the_longest_decides(prison):
    offender = serving(prison, years=1)
    prison_sentence(offender, managing_office=prison, end_date=days_ago(100) + relativedelta(years=3))
    classify(offender)

    assert schedule_of(offender).due_on == CLASSIFIED_ON + relativedelta(months=6)


def test_a_completed_longer_sentence_no_longer_counts(prison):
    offender = serving(prison, years=1)
    long = prison_sentence(offender, managing_office=prison, end_date=days_ago(100) + relativedelta(years=3))
    sentence_complete(
        actor=None,
        sentence=long,
        reason=CompletionReason.QUASHED,
        completed_on=today(),
        detail="Quashed on appeal",
    )
    classify(offender)

    assert schedule_of(offender).due_on == CLASSIFIED_ON + relativedelta(months=3)


def test_internal_a_with_external_a_has_no_regular_review(prison):
    offender = serving(prison, years=5)
    classify(offender, "A", "A")

    schedule = schedule_of(offender)

    assert schedule.basis == ScheduleBasis.NONE
    assert schedule.due_on is None
    assert "Internal A and external A" in schedule.reason


@pytest.mark.parametrize(("internal", "external"), [("A", "B"), ("B", "A")])
def test_one_category_b_is_enough_for_a_regular_review(prison, internal, external):
    offender = serving(prison, years=1)
    classify(offender, internal, external)

    assert schedule_of(offender).basis == ScheduleBasis.REGULAR


def test_the_review_counts_from_the_latest_approved_classification(prison, officers):
    offender = serving(prison, years=1)
    classify(offender, effective_on=days_ago(200))

    review = approved(offender, officers, **B_AND_B)

    schedule = ReviewSchedule.objects.get(offender=offender)  # refreshed by the approval itself
    assert schedule.counted_from == review.classification
    assert schedule.due_on == today() + relativedelta(months=3)
    assert schedule.reason.startswith("3 months after the classification of")


def test_a_prisoner_with_no_classification_is_shown_as_such(prison):
    offender = serving(prison, years=1)

    schedule = schedule_of(offender)

    assert schedule.basis == ScheduleBasis.NONE
    assert schedule.due_on is None and schedule.counted_from is None
    assert schedule.reason == NO_CLASSIFICATION_REASON


# --- a change of circumstances schedules a review now ----------------------------------------


def _escape(offender):
    return EscapeEventFactory(offender=offender, occurred_on=days_ago(3))


def _violent_incident(offender):
    return IncidentReportFactory(offender=offender, violence_related=True, occurred_on=days_ago(2))


def _misconduct_charge(offender):
    return IncidentReportFactory(
        offender=offender, corrections_act=CorrectionsActStatus.CHARGED, occurred_on=days_ago(2)
    )


def _serious_assault_charge(offender):
    return ChargeFactory(offender=offender, offence=offence(categories=[OffenceCategory.SERIOUS_ASSAULT]))


def _charge(offender):
    return ChargeFactory(offender=offender, offence=offence())


def _conviction(offender):
    return ConvictionFactory(sentence=offender.sentences.get(), convicted_on=days_ago(1))


def _release_dates_changed(offender):
    sentence = offender.sentences.get()
    sentence_update(
        actor=None,
        sentence=sentence,
        statutory_release_date=sentence.statutory_release_date - relativedelta(days=30),
    )
    return sentence


TRIGGERS = [
    (_escape, "classification.EscapeEvent", "Escape from prison on"),
    (_violent_incident, "classification.IncidentReport", "Violent incident on"),
    (_misconduct_charge, "classification.IncidentReport", "Incident charged under the corrections act"),
    (_serious_assault_charge, "sentences.Charge", "New charge of serious assault"),
    (_charge, "sentences.Charge", "New charge:"),
    (_conviction, "sentences.Conviction", "New conviction:"),
    (_release_dates_changed, "sentences.Sentence", "Release dates changed (Statutory release date (SRD))"),
]


@pytest.mark.parametrize(
    ("make", "label", "reason"), TRIGGERS, ids=[t[0].__name__.strip("_") for t in TRIGGERS]
)
def test_a_change_after_the_classification_makes_a_review_due_now(prison, make, label, reason):
    offender = serving(prison, years=1)
    classification = classify(offender)
    record = make(offender)

    schedule = schedule_of(offender)

    assert schedule.basis == ScheduleBasis.CHANGE
    assert schedule.due_on == today()
    assert schedule.reason.startswith(reason), schedule.reason
    assert (schedule.trigger_label, schedule.trigger_pk) == (label, record.pk)
    assert schedule.counted_from == classification


@pytest.mark.parametrize(
    ("make", "label", "reason"), TRIGGERS, ids=[t[0].__name__.strip("_") for t in TRIGGERS]
)
def test_a_change_recorded_before_the_classification_does_not(prison, make, label, reason):
    offender = serving(prison, years=1)
    make(offender)
    classify(offender)

    schedule = schedule_of(offender)

    assert schedule.basis == ScheduleBasis.REGULAR
    assert schedule.due_on == CLASSIFIED_ON + relativedelta(months=3)


def _prison_record_changed(offender, *, record_label="classification.AtRiskAlert", record_id=7, summary=None):
    """A prison record's service publishes this in its transaction (classification/records.py)."""
    with transaction.atomic():
        return publish(
            PrisonRecordChanged(
                offender_id=offender.pk,
                record_label=record_label,
                record_id=record_id,
                action=PrisonRecordChanged.RECORDED,
                summary=summary or f"At Risk alert recorded for {offender}",
            ),
            actor=None,
        )


def test_every_prison_record_recorded_through_its_service_is_a_change_of_circumstances(prison):
    """Seed 003: a review "whenever there is a significant change in the prisoner's
    circumstances"; an At Risk alert, a health stability assessment or a removal order is one, even
    with no violence or escape in it."""
    offender = serving(prison, years=1)
    classification = classify(offender)

    _prison_record_changed(offender, record_id=41, summary="At Risk alert raised: self-harm concerns")

    schedule = schedule_of(offender)
    assert (schedule.basis, schedule.due_on) == (ScheduleBasis.CHANGE, today())
    assert schedule.reason == "At Risk alert raised: self-harm concerns"
    assert (schedule.trigger_label, schedule.trigger_pk) == ("classification.AtRiskAlert", 41)
    assert schedule.counted_from == classification


def test_a_prison_record_change_makes_the_review_due_as_soon_as_it_is_committed(
    prison, django_capture_on_commit_callbacks
):
    offender = serving(prison, years=1)
    classify(offender)
    schedule_refresh(offender_ids=[offender.pk])

    with django_capture_on_commit_callbacks(execute=True):
        _prison_record_changed(offender, summary="Removal order recorded: deportation on release")

    schedule = ReviewSchedule.objects.get(offender=offender)
    assert (schedule.basis, schedule.due_on) == (ScheduleBasis.CHANGE, today())
    assert schedule.reason == "Removal order recorded: deportation on release"


def test_a_prison_record_changed_before_the_classification_is_not_a_change(prison):
    offender = serving(prison, years=1)
    _prison_record_changed(offender)
    classify(offender)

    assert schedule_of(offender).basis == ScheduleBasis.REGULAR


def test_a_just_recorded_initial_classification_is_not_a_change_after_itself(prison):
    """The initial classification's own event comes after the classification was recorded: it is
    the classification the schedule counts from, not a change since it."""
    offender = serving(prison, years=1)
    with transaction.atomic():
        classification = classify(offender, effective_on=today())
        _prison_record_changed(
            offender,
            record_label="classification.SecurityClassification",
            record_id=classification.pk,
            summary="Initial classification recorded: internal B, external B",
        )

    schedule = schedule_of(offender)

    assert schedule.basis == ScheduleBasis.REGULAR
    assert schedule.due_on == today() + relativedelta(months=3)


def test_an_escape_recorded_with_its_event_is_named_by_the_escape(prison):
    offender = serving(prison, years=1)
    classify(offender)
    with transaction.atomic():
        escape = _escape(offender)
        _prison_record_changed(
            offender,
            record_label="classification.EscapeEvent",
            record_id=escape.pk,
            summary="Escape recorded",
        )

    schedule = schedule_of(offender)

    assert (schedule.trigger_label, schedule.trigger_pk) == ("classification.EscapeEvent", escape.pk)
    assert schedule.reason.startswith("Escape from prison on")


def test_a_change_makes_a_review_due_even_for_internal_a_with_external_a(prison):
    offender = serving(prison, years=5)
    classify(offender, "A", "A")
    _escape(offender)

    schedule = schedule_of(offender)

    assert (schedule.basis, schedule.due_on) == (ScheduleBasis.CHANGE, today())


def test_a_historical_escape_entered_after_the_classification_is_a_change_due_the_day_it_was_entered(prison):
    offender = serving(prison, years=1)
    classify(offender)
    EscapeEventFactory(offender=offender, occurred_on=today() - relativedelta(years=6))

    schedule = schedule_of(offender)

    assert (schedule.basis, schedule.due_on) == (ScheduleBasis.CHANGE, today())


def test_incidents_without_violence_or_a_corrections_act_charge_are_not_a_change(prison):
    offender = serving(prison, years=1)
    classify(offender)
    IncidentReportFactory(offender=offender, incident_type=IncidentType.PRISON_RULES, drugs_related=True)

    assert schedule_of(offender).basis == ScheduleBasis.REGULAR


def test_changing_other_sentence_details_is_not_a_change_of_release_dates(prison):
    offender = serving(prison, years=1)
    classify(offender)
    sentence_update(actor=None, sentence=offender.sentences.get(), court_case_number="CRI-2026-085-1234")

    assert schedule_of(offender).basis == ScheduleBasis.REGULAR


def test_the_earlier_of_the_regular_and_the_change_due_dates_wins(prison):
    offender = serving(prison, years=1)
    classify(offender, effective_on=days_ago(120))  # the regular review was due 30 days ago
    _escape(offender)

    schedule = schedule_of(offender)

    assert schedule.basis == ScheduleBasis.REGULAR
    assert schedule.due_on == days_ago(120) + relativedelta(months=3)
    assert "since then: Escape from prison" in schedule.reason
    assert schedule.trigger_label == ""


def test_of_several_changes_the_first_recorded_decides(prison):
    offender = serving(prison, years=1)
    classify(offender)
    charge = _charge(offender)
    _escape(offender)

    schedule = schedule_of(offender)

    assert (schedule.trigger_label, schedule.trigger_pk) == ("sentences.Charge", charge.pk)


def test_a_new_classification_settles_the_change(prison, officers):
    offender = serving(prison, years=1)
    classify(offender, effective_on=days_ago(60))
    _escape(offender)
    assert schedule_of(offender).basis == ScheduleBasis.CHANGE

    approved(offender, officers, **B_AND_B)

    schedule = ReviewSchedule.objects.get(offender=offender)
    assert (schedule.basis, schedule.due_on) == (ScheduleBasis.REGULAR, today() + relativedelta(months=3))


# --- the refresh ------------------------------------------------------------------------------


def _prisoners_with_histories(prison, count):
    made = []
    for number in range(count):
        offender = serving(prison, years=1 + number % 3)
        if number % 4:
            classify(offender, "A" if number % 2 else "B", "A")
            _escape(offender)
            _charge(offender)
            _violent_incident(offender)
            _release_dates_changed(offender)
            _prison_record_changed(offender)
        if number % 3 == 0:
            _cumulative_on(offender.sentences.get(), months=18)
        made.append(offender)
    return made


def test_the_refresh_takes_the_same_number_of_queries_whatever_the_number_of_prisoners(prison):
    _prisoners_with_histories(prison, 3)
    with CaptureQueriesContext(connection) as few:
        small = schedule_refresh()
    _prisoners_with_histories(prison, 12)
    with CaptureQueriesContext(connection) as many:
        large = schedule_refresh()

    assert (small["prisoners"], large["prisoners"]) == (3, 15)
    assert len(few.captured_queries) == len(many.captured_queries)
    assert len(many.captured_queries) <= 12  # savepoint, 8 reads, upsert, delete, release
    assert ReviewSchedule.objects.count() == 15


def test_the_refresh_reports_its_counts(prison):
    a_and_a = serving(prison, years=1)
    classify(a_and_a, "A", "A")
    overdue = serving(prison, years=1)
    classify(overdue, effective_on=days_ago(120))
    changed = serving(prison, years=1)
    classify(changed)
    _escape(changed)
    serving(prison, years=1)  # not classified

    assert schedule_refresh() == {
        "prisoners": 4,
        "regular": 1,
        "change": 1,
        "none": 2,
        "unclassified": 1,
        "due": 2,
        "removed": 0,
    }


def test_a_released_prisoner_loses_their_row(prison):
    offender = serving(prison, years=1)
    other = serving(prison, years=1)
    classify(offender)
    schedule_refresh()
    assert ReviewSchedule.objects.filter(offender=offender).exists()

    sentence_complete(
        actor=None, sentence=offender.sentences.get(), reason=CompletionReason.NORMAL, completed_on=today()
    )
    assert schedule_refresh(offender_ids=[offender.pk])["removed"] == 1

    assert not ReviewSchedule.objects.filter(offender=offender).exists()
    assert ReviewSchedule.objects.filter(offender=other).exists()


def test_the_full_refresh_removes_every_former_prisoner(prison):
    offender = serving(prison, years=1)
    schedule_refresh()
    sentence_complete(
        actor=None, sentence=offender.sentences.get(), reason=CompletionReason.NORMAL, completed_on=today()
    )

    assert schedule_refresh()["removed"] == 1
    assert not ReviewSchedule.objects.exists()


def test_the_refresh_updates_an_existing_row(prison):
    offender = serving(prison, years=1)
    classify(offender)
    first = schedule_of(offender)
    _escape(offender)

    second = schedule_of(offender)

    assert second.pk == first.pk
    assert second.basis == ScheduleBasis.CHANGE
    assert second.computed_at >= first.computed_at


def test_the_nightly_task_refreshes_every_prisoner(prison):
    offender = serving(prison, years=1)
    classify(offender)
    ReviewSchedule.objects.all().delete()

    counts = refresh_review_schedules.apply().get()

    assert counts["prisoners"] == 1
    assert ReviewSchedule.objects.get(offender=offender).basis == ScheduleBasis.REGULAR
    entry = settings.CELERY_BEAT_SCHEDULE["refresh-review-schedules"]
    assert entry["task"] == "classification.tasks.refresh_review_schedules"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({3}, {30})


# --- the due list of a prison -----------------------------------------------------------------


def test_the_due_list_shows_overdue_first_then_due_soon_with_the_open_review(prison, officers):
    overdue = serving(prison, years=1)
    classify(overdue, effective_on=days_ago(100))  # due 10 or so days ago
    soon = serving(prison, years=1)
    classify(soon, effective_on=days_ago(80))  # due in about 10 days
    later = serving(prison, years=1)
    classify(later)  # due in about 70 days
    a_and_a = serving(prison, years=1)
    classify(a_and_a, "A", "A")
    elsewhere = serving(OfficeFactory(kind=OfficeKind.PRISON), years=1)
    classify(elsewhere, effective_on=days_ago(100))
    review = initiated(overdue, officers)
    schedule_refresh()

    rows = list(reviews_due(prison.pk, today=today()))

    assert [row.offender_id for row in rows] == [overdue.pk, soon.pk]
    first = rows[0]
    assert first.days_overdue == (today() - (days_ago(100) + relativedelta(months=3))).days > 0
    assert (first.open_review_pk, first.open_review_status) == (review.pk, ReviewStatus.INITIATED)
    assert first.open_review_status_label == ReviewStatus.INITIATED.label
    assert rows[1].open_review_pk is None and rows[1].days_until > 0
    assert [row.offender_id for row in reviews_due(prison.pk, today=today(), overdue_only=True)] == [
        overdue.pk
    ]
    everything = reviews_due(prison.pk, today=today(), within_days=None)
    assert [row.offender_id for row in everything] == [overdue.pk, soon.pk, later.pk]


# --- escape alerts stay active (seed 003, A.2.1 note) ------------------------------------------


def test_an_escape_alert_cannot_be_ended(prison):
    offender = serving(prison, years=1)
    flag = flag_raise(actor=None, offender=offender, kind=FlagKind.ESCAPE, reason="Escaped 2019")

    with pytest.raises(ValidationError, match="never ended, not even on release"):
        flag_end(actor=None, flag=flag, reason="Released")

    flag.refresh_from_db()
    assert flag.active


def test_ending_an_escape_alert_in_the_browser_shows_the_rule(client, office):
    from tests.factories import OffenderFactory

    offender = OffenderFactory(home_office=office)
    flag = flag_raise(actor=None, offender=offender, kind=FlagKind.ESCAPE, reason="Escaped 2019")
    client.force_login(staff_user(Role.SERVICE_MANAGER, office))

    detail = client.get(f"/offenders/{offender.pk}/").content.decode()
    response = client.post(f"/offenders/{offender.pk}/flags/{flag.pk}/end/", {"reason": "Released"})

    assert f"/flags/{flag.pk}/end/" not in detail and "Stays active" in detail
    assert response.status_code == 200
    assert "never ended, not even on release" in response.content.decode()
    flag.refresh_from_db()
    assert flag.active


def test_ending_an_escape_alert_in_the_api_is_a_400(client, office):
    from tests.factories import OffenderFactory

    offender = OffenderFactory(home_office=office)
    flag = flag_raise(actor=None, offender=offender, kind=FlagKind.ESCAPE, reason="Escaped 2019")
    client.force_login(staff_user(Role.SERVICE_MANAGER, office))

    response = client.post(
        f"/api/v1/offenders/{offender.pk}/flags/{flag.pk}/end/",
        {"reason": "Released"},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert "never ended" in str(response.json())
    flag.refresh_from_db()
    assert flag.active


def test_recording_an_escape_raises_the_alert_and_makes_a_review_due_now(
    prison, officers, django_capture_on_commit_callbacks
):
    offender = serving(prison, years=5)
    classify(offender, "A", "A")

    with django_capture_on_commit_callbacks(execute=True):  # the schedule is refreshed on commit
        escape = escape_record(
            actor=officers["initiator"],
            offender=offender,
            kind=EscapeKind.ATTEMPT,
            custody=EscapeCustody.POLICE,
            occurred_on=days_ago(1),
            description="Ran from the escort at court",
        )

    flag = Flag.objects.get(offender=offender, kind=FlagKind.ESCAPE)
    assert flag.active and flag.raised_by == officers["initiator"]
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_type="classification.EscapeEvent", object_id=str(escape.pk)
    ).exists()
    schedule = ReviewSchedule.objects.get(offender=offender)
    assert (schedule.basis, schedule.due_on) == (ScheduleBasis.CHANGE, today())
    assert (schedule.trigger_label, schedule.trigger_pk) == ("classification.EscapeEvent", escape.pk)
    assert schedule.reason.startswith("Attempted escape from police custody on")


def test_a_second_escape_keeps_the_one_alert(prison, officers):
    offender = serving(prison, years=1)
    for days in (30, 3):
        escape_record(
            actor=officers["initiator"],
            offender=offender,
            kind=EscapeKind.ESCAPE,
            custody=EscapeCustody.PRISON,
            occurred_on=days_ago(days),
        )

    assert EscapeEvent.objects.filter(offender=offender).count() == 2
    assert Flag.objects.filter(offender=offender, kind=FlagKind.ESCAPE).count() == 1


def test_escapes_are_recorded_by_staff_of_the_prisoners_prison_with_sensible_dates(prison, officers):
    offender = serving(prison, years=1)
    stranger = staff_user(Role.PRISON_OFFICER, OfficeFactory(kind=OfficeKind.PRISON))
    data = {"offender": offender, "kind": EscapeKind.ESCAPE, "custody": EscapeCustody.PRISON}

    with pytest.raises(PermissionDenied):
        escape_record(actor=stranger, occurred_on=days_ago(1), **data)
    with pytest.raises(ValidationError) as future:
        escape_record(actor=officers["initiator"], occurred_on=today() + datetime.timedelta(days=1), **data)
    assert "occurred_on" in future.value.message_dict
    with pytest.raises(ValidationError):
        escape_record(actor=officers["initiator"], occurred_on=days_ago(1), convicted_on=days_ago(2), **data)
    assert not EscapeEvent.objects.exists()
    assert not Flag.objects.filter(offender=offender).exists()


def test_recording_a_violent_incident_makes_a_review_due_now(
    prison, officers, django_capture_on_commit_callbacks
):
    offender = serving(prison, years=1)
    classify(offender)

    with django_capture_on_commit_callbacks(execute=True):  # the schedule is refreshed on commit
        incident = incident_record(
            actor=officers["initiator"],
            offender=offender,
            occurred_on=days_ago(1),
            incident_type=IncidentType.INTERACTION,
            violence_related=True,
            description="Assaulted another prisoner",
        )

    assert incident.prison == prison
    assert AuditEvent.objects.filter(
        object_type="classification.IncidentReport", object_id=str(incident.pk)
    ).exists()
    schedule = ReviewSchedule.objects.get(offender=offender)
    assert (schedule.basis, schedule.trigger_pk) == (ScheduleBasis.CHANGE, incident.pk)
