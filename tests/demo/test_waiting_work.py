"""Issue 14: "Demo data that lets each role do its main job at once: exceptions to reconcile, court
messages and probable matches waiting, a varied allocation queue (new people, pre-release, overdue,
transfers), prisoners with consistent dates, reviews at every step" (demo/work.py, demo/seed.py)."""

import datetime

import pytest
from django.db.models import F
from django.utils import timezone

from allocation.models import AllocateRequest, AllocateRequestKind
from classification.models import Review, ReviewStatus, SecurityClassification
from courts.models import MessageStatus
from courts.selectors import match_queue
from demo.reference import DEMO_OFFICE_CODE, DEMO_PRISON_CODE
from muster.models import MusterEntry
from reconciliation.models import UNRESOLVED, DataException, ReasonCode
from sentences.calculation import calculate, served_with_current, terms_of
from sentences.custody import in_custody_q
from sentences.models import (
    CURRENT_SENTENCE_STATUSES,
    CompletionReason,
    CustodyStatus,
    ReleaseReason,
    Sentence,
    SentenceStatus,
    SentenceType,
)
from staff.models import Office, OfficeKind

pytestmark = pytest.mark.django_db


def in_prison():
    """Serving imprisonment in custody: a released prisoner still serves the sentence, in the
    community (sentences.custody)."""
    return Sentence.objects.filter(
        in_custody_q(), sentence_type=SentenceType.IMPRISONMENT, status=SentenceStatus.ACTIVE
    )


def test_the_demo_office_exceptions_report_has_problems_of_several_kinds(seeded):
    office = Office.objects.get(code=DEMO_OFFICE_CODE)
    open_here = DataException.objects.filter(office=office, status__in=UNRESOLVED)
    kinds = set(open_here.values_list("reason_code", flat=True))
    assert {
        ReasonCode.KEY_DATES_DIFFER,
        ReasonCode.MISSING_KEY_DATES,
        ReasonCode.NO_MANAGING_OFFICE,
        ReasonCode.COURT_CONFLICT,
    } <= kinds
    assert open_here.count() >= 5


def test_court_messages_wait_for_a_person_probable_alias_and_unknown(seeded):
    waiting = list(match_queue())
    assert len(waiting) >= 2
    reasons = " ".join(message.status_reason for message in waiting)
    assert "possible match" in reasons and "alias only" in reasons
    assert DataException.objects.filter(
        reason_code=ReasonCode.UNMATCHED_MESSAGE, court_message__status=MessageStatus.EXCEPTION
    ).exists()


def test_the_allocation_queue_holds_new_people_pre_release_transfers_and_overdue_requests(seeded):
    office = Office.objects.get(code=DEMO_OFFICE_CODE)
    queue = list(AllocateRequest.objects.open().filter(office=office))
    today = timezone.localdate()
    kinds = {request.kind for request in queue}
    assert {
        AllocateRequestKind.SENTENCE,
        AllocateRequestKind.TRANSFER,
        AllocateRequestKind.PRE_RELEASE,
    } <= kinds
    overdue = [r for r in queue if r.received_at.date() <= today - datetime.timedelta(days=10)]
    assert overdue and all(r.days_left(today) < 0 for r in overdue)
    never_allocated = [
        r for r in queue if r.kind == AllocateRequestKind.SENTENCE and not r.offender.allocations.exists()
    ]
    assert len(never_allocated) >= 3


def test_nobody_is_in_prison_past_their_release_date(seeded):
    today = timezone.localdate()
    assert in_prison().exists()
    assert not in_prison().filter(statutory_release_date__lt=today).exists()


def test_nobody_is_in_prison_and_on_a_community_muster(seeded):
    prisoners = in_prison().values("offender_id")
    assert (
        not MusterEntry.objects.filter(offender_id__in=prisoners)
        .exclude(office__kind=OfficeKind.PRISON)
        .exists()
    )


def test_cumulative_and_remand_sentences_agree_with_the_calculation(seeded):
    cumulative = in_prison().filter(consecutive_to__isnull=False)
    assert cumulative.count() >= 2
    assert in_prison().filter(remand_days__gt=0).exists()
    for offender_id in set(
        in_prison().filter(managing_office__isnull=False).values_list("offender_id", flat=True)
    ):
        sentences = list(
            Sentence.objects.filter(offender_id=offender_id, sentence_type=SentenceType.IMPRISONMENT)
        )
        combined = served_with_current(sentences, CURRENT_SENTENCE_STATUSES)
        calculation = calculate(terms_of(combined))
        for sentence in combined:
            if sentence.status == SentenceStatus.ACTIVE:
                assert (
                    sentence.statutory_release_date == calculation.statutory_release_date
                    or sentence.indeterminate
                )
    assert not DataException.objects.filter(
        reason_code=ReasonCode.KEY_DATES_DIFFER, status__in=UNRESOLVED, sentence__consecutive_to__isnull=False
    ).exists()


def test_reviews_wait_at_every_step_and_a_new_prisoner_is_not_yet_classified(seeded):
    prison = Office.objects.get(code=DEMO_PRISON_CODE)
    statuses = set(Review.objects.values_list("status", flat=True))
    assert {
        ReviewStatus.INITIATED,
        ReviewStatus.SUBMITTED,
        ReviewStatus.RECOMMENDED,
        ReviewStatus.APPROVED,
        ReviewStatus.ADVISED,
        ReviewStatus.SENT_BACK,
        ReviewStatus.REFERRED_BACK,
    } <= statuses
    at_prison = set(in_prison().filter(managing_office=prison).values_list("offender_id", flat=True))
    classified = set(SecurityClassification.objects.values_list("offender_id", flat=True))
    assert at_prison - classified


def test_a_small_demo_has_nobody_in_prison_past_release_or_on_two_musters_at_once(db):
    """The generator itself (no waiting work), at `make run`'s size: a prisoner released at the
    statutory release date or on parole has a release movement and is no longer in custody, though
    the sentence goes on to its expiry, and a community sentence still running when a later sentence
    of imprisonment starts ends that day."""
    from demo.seed import seed_demo

    seed_demo(offenders=300, seed=11, waiting_work=False)

    today = timezone.localdate()
    assert in_prison().exists()
    assert not in_prison().filter(statutory_release_date__lt=today).exists()
    prisoners = in_prison().values("offender_id")
    assert (
        not MusterEntry.objects.filter(offender_id__in=prisoners)
        .exclude(office__kind=OfficeKind.PRISON)
        .exists()
    )
    on_parole = CustodyStatus.objects.filter(
        in_custody=False,
        movement__release_reason=ReleaseReason.PAROLE,
        offender__sentences__sentence_type=SentenceType.IMPRISONMENT,
        offender__sentences__status=SentenceStatus.ACTIVE,
        offender__sentences__end_date__gt=F("since"),
    )
    assert on_parole.exists(), "released on parole: the rest of the sentence is served in the community"
    # No sentence of imprisonment is ended at the release any more: one completed early was quashed.
    assert not Sentence.objects.filter(
        sentence_type=SentenceType.IMPRISONMENT,
        status=SentenceStatus.COMPLETED,
        completion_reason=CompletionReason.NORMAL,
        completed_on__lt=F("end_date"),
    ).exists()
