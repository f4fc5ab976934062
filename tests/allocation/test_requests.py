"""Allocate requests (seed 002): created once per sentence event, pre-allocation, continuity,
the checklist, the ranked suggestion, allocation, reallocation and transfer."""

from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from allocation.checklist import allocate_request_step_record
from allocation.models import (
    AllocateRequest,
    AllocateRequestKind,
    AllocateRequestStatus,
    AllocationTrigger,
    CaseAllocation,
    ChecklistStep,
    Notification,
    StaffUnavailability,
    WorkloadWeight,
)
from allocation.reallocation import case_reallocate, case_transfer_request, cases_reallocate
from allocation.requests import (
    allocate_request_allocate,
    allocate_request_for_sentence,
    allocate_requests_for_upcoming_releases,
)
from allocation.selectors import officer_options
from allocation.services import case_allocate, case_allocation_end
from audit.models import AuditEvent
from casenotes.models import CasenoteType
from offenders.models import Flag, FlagKind
from sentences.models import Sentence, SentenceType
from staff.roles import Role
from tests.allocation.helpers import DAY, ensure_weights, record_sentence, today
from tests.factories import AllocationFactory, OffenceFactory, OffenderFactory, PrisonFactory, SentenceFactory

pytestmark = pytest.mark.django_db

REQUESTING = [
    SentenceType.COMMUNITY_WORK,
    SentenceType.SUPERVISION,
    SentenceType.INTENSIVE_SUPERVISION,
    SentenceType.COMMUNITY_DETENTION,
    SentenceType.HOME_DETENTION,
    SentenceType.EXTENDED_SUPERVISION,
    SentenceType.PAROLE,
    SentenceType.RELEASE_ON_CONDITIONS,
]


@pytest.fixture(autouse=True)
def weights(db):
    ensure_weights()


@pytest.fixture
def offender(office):
    return OffenderFactory(home_office=office)


@pytest.fixture
def officers(role_user):
    return [
        role_user(Role.PROBATION_OFFICER, first_name="Aroha", last_name="Ngata", username="aroha").staff,
        role_user(Role.PROBATION_OFFICER, first_name="Ben", last_name="Smith", username="ben").staff,
    ]


def finish_checklist(actor, request):
    for row in request.steps.all():
        if row.is_open:
            allocate_request_step_record(
                actor=actor, request=request, step=row.step, outcome="No OWS criteria met"
            )


@pytest.mark.parametrize("sentence_type", REQUESTING)
def test_each_supervised_sentence_type_creates_exactly_one_request(service_manager, offender, sentence_type):
    sentence = record_sentence(service_manager, offender, sentence_type)

    again = allocate_request_for_sentence(actor=service_manager, sentence=sentence)

    [request] = AllocateRequest.objects.filter(offender=offender)
    assert again == request
    assert request.office == offender.home_office
    assert request.status == AllocateRequestStatus.OPEN
    assert request.kind == AllocateRequestKind.SENTENCE
    assert (
        AuditEvent.objects.filter(object_type="allocation.AllocateRequest", object_id=str(request.pk)).count()
        == 1
    )


def test_imprisonment_creates_no_request(service_manager, offender):
    record_sentence(service_manager, offender, SentenceType.IMPRISONMENT)

    assert not AllocateRequest.objects.exists()


def test_the_unique_constraint_refuses_a_second_request_for_the_same_event(service_manager, offender):
    sentence = record_sentence(service_manager, offender)
    request = AllocateRequest.objects.get(sentence=sentence)
    request.pk = None
    with pytest.raises(Exception, match="one_allocate_request_per_sentence_event"):
        request.save()


def test_court_interface_sentence_is_marked_with_its_source(service_manager, offender):
    record_sentence(service_manager, offender, SentenceType.PAROLE, source="court")

    request = AllocateRequest.objects.get(offender=offender)
    assert request.source == "court"
    assert request.trigger == AllocationTrigger.RELEASE


def test_community_sentence_is_due_within_five_days(service_manager, offender):
    record_sentence(service_manager, offender)

    request = AllocateRequest.objects.get()
    assert request.pre_allocation is False
    assert request.due_on == today() + 5 * DAY
    assert request.days_left() == 5


@pytest.mark.parametrize("sentence_type", [SentenceType.HOME_DETENTION, SentenceType.PAROLE])
def test_future_home_detention_or_parole_is_pre_allocated_before_it_starts(
    service_manager, offender, sentence_type
):
    start = today() + 20 * DAY
    record_sentence(service_manager, offender, sentence_type, start=start)

    request = AllocateRequest.objects.get()
    assert request.pre_allocation is True
    assert request.trigger == AllocationTrigger.PRE_ALLOCATION
    assert request.due_on == start - DAY
    assert request.days_left() == 19


def test_upcoming_release_creates_one_pre_allocation_request(service_manager, offender):
    prison = SentenceFactory(
        offender=offender,
        sentence_type=SentenceType.IMPRISONMENT,
        managing_office=PrisonFactory(),  # in custody there (sentences.custody)
        statutory_release_date=today() + 30 * DAY,
        end_date=today() + 300 * DAY,
    )
    SentenceFactory(
        offender=OffenderFactory(home_office=offender.home_office),
        sentence_type=SentenceType.IMPRISONMENT,
        managing_office=PrisonFactory(),  # in custody there (sentences.custody)
        statutory_release_date=today() + 200 * DAY,
        end_date=today() + 300 * DAY,
    )

    assert allocate_requests_for_upcoming_releases() == 1
    assert allocate_requests_for_upcoming_releases() == 0

    request = AllocateRequest.objects.get()
    assert request.sentence == prison
    assert request.kind == AllocateRequestKind.PRE_RELEASE
    assert request.due_on == today() + 29 * DAY


def test_already_supervised_offender_suggests_the_same_officer(service_manager, offender, officers):
    first, second = officers
    AllocationFactory(offender=offender, staff=second)

    record_sentence(service_manager, offender)

    request = AllocateRequest.objects.get()
    assert request.continuity_staff == second
    assert "Already supervised by Ben Smith" in request.continuity_note
    [top, *_] = officer_options(request)
    assert top.staff == second
    assert "Already supervises this offender" in top.reasons[0]


def test_other_active_sentences_are_mentioned(service_manager, offender):
    SentenceFactory(offender=offender)

    record_sentence(service_manager, offender)

    assert AllocateRequest.objects.get().continuity_note.startswith("Has 1 other current sentence")


def test_cso_step_applies_only_to_a_flagged_offender_with_a_child_sex_offence(service_manager, offender):
    child_sex = OffenceFactory(categories=["child_sex"])
    plain = record_sentence(service_manager, offender, offence=child_sex)
    Flag.objects.create(offender=offender, kind=FlagKind.CHILD_SEX_OFFENDER, reason="Registered")
    cso_sentence = record_sentence(service_manager, offender, offence=child_sex)
    other = record_sentence(service_manager, offender)

    def cso_row(sentence):
        return AllocateRequest.objects.get(sentence=sentence).steps.get(step=ChecklistStep.CSO_NOTIFICATION)

    assert cso_row(cso_sentence).applicable is True
    assert cso_row(plain).applicable is False, "flag raised after that sentence was recorded"
    assert cso_row(other).applicable is False
    assert "no active child sex offender flag" in cso_row(other).not_applicable_reason


def test_cso_step_cannot_be_waived_when_it_applies(service_manager, offender):
    Flag.objects.create(offender=offender, kind=FlagKind.CHILD_SEX_OFFENDER, reason="Registered")
    sentence = record_sentence(service_manager, offender, offence=OffenceFactory(categories=["child_sex"]))
    request = AllocateRequest.objects.get(sentence=sentence)

    with pytest.raises(ValidationError, match="required for this offender"):
        allocate_request_step_record(
            actor=service_manager,
            request=request,
            step=ChecklistStep.CSO_NOTIFICATION,
            done=False,
            not_applicable_reason="Busy",
        )


def test_ows_review_needs_its_outcome(service_manager, offender):
    record_sentence(service_manager, offender)
    request = AllocateRequest.objects.get()

    with pytest.raises(ValidationError, match="outcome"):
        allocate_request_step_record(actor=service_manager, request=request, step=ChecklistStep.OWS_REVIEWED)

    row = allocate_request_step_record(
        actor=service_manager, request=request, step=ChecklistStep.OWS_REVIEWED, outcome="No criteria met"
    )
    assert row.outcome == "No criteria met"
    assert row.done_by == service_manager


def test_a_step_marked_not_applicable_says_why(service_manager, offender):
    record_sentence(service_manager, offender)
    request = AllocateRequest.objects.get()

    with pytest.raises(ValidationError, match="Say why"):
        allocate_request_step_record(
            actor=service_manager, request=request, step=ChecklistStep.OWS_REVIEWED, done=False
        )
    row = allocate_request_step_record(
        actor=service_manager,
        request=request,
        step=ChecklistStep.OWS_REVIEWED,
        done=False,
        not_applicable_reason="Reviewed last week for the other sentence",
    )
    assert row.applicable is False and not row.is_open


def test_request_cannot_be_allocated_while_a_step_is_open(service_manager, offender, officers):
    record_sentence(service_manager, offender)
    request = AllocateRequest.objects.get()

    with pytest.raises(ValidationError, match="Complete the checklist first"):
        allocate_request_allocate(actor=service_manager, request=request, staff=officers[0])

    request.refresh_from_db()
    assert request.status == AllocateRequestStatus.OPEN
    assert not CaseAllocation.objects.exists()


def test_ranking_prefers_capacity_and_avoids_leave(service_manager, offender, officers):
    aroha, ben = officers
    for _ in range(3):
        AllocationFactory(staff=aroha, sentence=None)
    record_sentence(service_manager, offender)
    request = AllocateRequest.objects.get()

    ranked = officer_options(request)
    assert [load.staff for load in ranked] == [ben, aroha]
    assert ranked[1].cases == 3
    assert "3 cases, 3.0 points over 40.0 available hours (8% of capacity)" in ranked[1].reasons[0]

    StaffUnavailability.objects.create(staff=ben, starts_on=today() - DAY, ends_on=today() + 10 * DAY)
    ranked = officer_options(request)
    assert [load.staff for load in ranked] == [aroha, ben]
    assert any("Unavailable (leave) until" in reason for reason in ranked[1].reasons)


def test_workload_weights_are_versioned_data(service_manager, offender, officers):
    aroha, _ = officers
    sentence = SentenceFactory(sentence_type=SentenceType.INTENSIVE_SUPERVISION)
    AllocationFactory(staff=aroha, offender=sentence.offender, sentence=sentence)
    record_sentence(service_manager, offender)
    request = AllocateRequest.objects.get(offender=offender)

    def aroha_points():
        return next(load.points for load in officer_options(request) if load.staff == aroha)

    assert aroha_points() == Decimal("3.00")
    WorkloadWeight.objects.create(
        sentence_type=SentenceType.INTENSIVE_SUPERVISION, points=Decimal("4.00"), effective_from=today()
    )
    assert aroha_points() == Decimal("4.00")
    WorkloadWeight.objects.create(
        sentence_type=SentenceType.INTENSIVE_SUPERVISION, points=Decimal("9.00"), effective_from=today() + DAY
    )
    assert aroha_points() == Decimal("4.00"), "a weight not yet in force is not used"


def test_allocating_records_who_whom_why_notifies_and_writes_a_casenote(
    service_manager, offender, officers, django_capture_on_commit_callbacks
):
    aroha, ben = officers
    AllocationFactory(staff=aroha, sentence=None)
    record_sentence(service_manager, offender)
    request = AllocateRequest.objects.get()
    finish_checklist(service_manager, request)

    with django_capture_on_commit_callbacks(execute=True):
        allocate_request_allocate(
            actor=service_manager, request=request, staff=ben, reason="New supervision order"
        )

    request.refresh_from_db()
    assert request.status == AllocateRequestStatus.ALLOCATED
    assert request.allocated_to == ben and request.allocated_by == service_manager
    assert request.suggested_staff == ben and request.override_reason == ""
    allocation = CaseAllocation.objects.get(offender=offender)
    assert allocation.staff == ben and allocation.sentence == request.sentence
    assert allocation.trigger == AllocationTrigger.SENTENCE
    [note] = offender.casenotes.filter(note_type=CasenoteType.ALLOCATION)
    assert "Ben Smith allocated to the case" in note.text and "New supervision order" in note.text
    [notification] = Notification.objects.filter(recipient=ben.user)
    assert offender.prn in notification.subject
    [email] = mail.outbox
    assert email.to == [ben.user.email] and offender.full_name in email.body
    row = AuditEvent.objects.get(
        object_type="allocation.AllocateRequest", object_id=str(request.pk), summary__contains=" allocated "
    )
    assert row.changes["allocated_to"] == [None, "Ben Smith"]
    assert [t.to_status for t in request.transitions.all()] == ["open", "allocated"]


def test_choosing_someone_other_than_the_suggestion_needs_a_reason(service_manager, offender, officers):
    aroha, ben = officers
    AllocationFactory(staff=aroha, sentence=None)
    record_sentence(service_manager, offender)
    request = AllocateRequest.objects.get()
    finish_checklist(service_manager, request)

    with pytest.raises(ValidationError, match="rather than the suggested Ben Smith"):
        allocate_request_allocate(actor=service_manager, request=request, staff=aroha)
    allocate_request_allocate(
        actor=service_manager, request=request, staff=aroha, override_reason="Knows the whānau"
    )

    request.refresh_from_db()
    assert request.suggested_staff == ben
    assert request.override_reason == "Knows the whānau"
    assert "Chosen over Ben Smith: Knows the whānau" in request.transitions.last().comment


def test_the_same_officer_keeps_the_case_for_a_new_sentence(service_manager, offender, officers):
    _, ben = officers
    existing = AllocationFactory(offender=offender, staff=ben)
    record_sentence(service_manager, offender)
    request = AllocateRequest.objects.get()
    finish_checklist(service_manager, request)

    allocate_request_allocate(actor=service_manager, request=request, staff=ben)

    request.refresh_from_db()
    assert request.allocation == existing
    assert CaseAllocation.objects.current().filter(offender=offender).count() == 1
    assert offender.casenotes.filter(text__contains="already the supervising probation officer").exists()


def test_allocated_request_cannot_be_allocated_twice(service_manager, offender, officers):
    record_sentence(service_manager, offender)
    request = AllocateRequest.objects.get()
    finish_checklist(service_manager, request)
    allocate_request_allocate(actor=service_manager, request=request, staff=officers[0])

    with pytest.raises(ValidationError, match="already allocated to Aroha Ngata"):
        allocate_request_allocate(actor=service_manager, request=request, staff=officers[1])
    assert CaseAllocation.objects.count() == 1


@pytest.mark.parametrize("role", [Role.PROBATION_OFFICER, Role.ADMIN_SUPPORT])
def test_only_a_service_manager_allocates(role_user, service_manager, offender, officers, role):
    record_sentence(service_manager, offender)
    request = AllocateRequest.objects.get()
    finish_checklist(service_manager, request)

    with pytest.raises(PermissionDenied):
        allocate_request_allocate(actor=role_user(role), request=request, staff=officers[0])


def test_a_manager_of_another_office_cannot_allocate(
    role_user, other_office, service_manager, offender, officers
):
    record_sentence(service_manager, offender)
    request = AllocateRequest.objects.get()
    finish_checklist(service_manager, request)

    with pytest.raises(PermissionDenied):
        allocate_request_allocate(
            actor=role_user(Role.SERVICE_MANAGER, at=other_office), request=request, staff=officers[0]
        )
    allocate_request_allocate(actor=role_user(Role.SYSTEM_ADMIN), request=request, staff=officers[0])


def test_reallocating_a_case_ends_the_old_allocation_and_notifies_the_new_officer(
    service_manager, offender, officers
):
    aroha, ben = officers
    old = case_allocate(actor=service_manager, offender=offender, staff=aroha)

    new = case_reallocate(actor=service_manager, allocation=old, to_staff=ben, reason="Aroha is leaving")

    old.refresh_from_db()
    assert old.ended_on == today() and "Aroha is leaving" in old.end_reason
    assert new.staff == ben and new.trigger == AllocationTrigger.REALLOCATION
    assert Notification.objects.filter(recipient=ben.user, subject__contains="reallocated").exists()


def test_bulk_reallocation_is_all_or_nothing(service_manager, office, officers):
    aroha, ben = officers
    cases = [
        case_allocate(actor=service_manager, offender=OffenderFactory(home_office=office), staff=aroha)
        for _ in range(3)
    ]
    # Ben already holds the last offender, so moving it to him fails and nothing moves.
    case_allocate(actor=service_manager, offender=cases[-1].offender, staff=ben)

    with pytest.raises(ValidationError):
        cases_reallocate(actor=service_manager, allocations=cases, to_staff=ben, reason="Workload")
    assert CaseAllocation.objects.current().filter(staff=aroha).count() == 3

    moved = cases_reallocate(actor=service_manager, allocations=cases[:2], to_staff=ben, reason="Workload")
    assert len(moved) == 2
    assert CaseAllocation.objects.current().filter(staff=aroha).count() == 1


def test_transfer_keeps_the_sending_office_responsible_until_allocated(
    role_user, service_manager, office, other_office, offender, officers
):
    aroha, _ = officers
    sentence = record_sentence(service_manager, offender)
    first = AllocateRequest.objects.get()
    finish_checklist(service_manager, first)
    allocate_request_allocate(actor=service_manager, request=first, staff=aroha)
    receiving_manager = role_user(Role.SERVICE_MANAGER, at=other_office)
    auckland_officer = role_user(
        Role.PROBATION_OFFICER, at=other_office, first_name="Hemi", last_name="Parata"
    ).staff

    request = case_transfer_request(
        actor=service_manager,
        offender=offender,
        sentence=sentence,
        to_office=other_office,
        reason="Moved to Auckland",
    )

    assert request.office == other_office and request.from_office == office
    assert CaseAllocation.objects.current().get(offender=offender).staff == aroha, "sender still responsible"
    with pytest.raises(PermissionDenied):
        allocate_request_allocate(actor=service_manager, request=request, staff=auckland_officer)
    finish_checklist(receiving_manager, request)
    allocate_request_allocate(actor=receiving_manager, request=request, staff=auckland_officer)

    [current] = CaseAllocation.objects.current().filter(offender=offender)
    assert current.staff == auckland_officer and current.trigger == AllocationTrigger.TRANSFER
    assert Sentence.objects.get(pk=sentence.pk).managing_office == other_office
    ended = CaseAllocation.objects.get(offender=offender, staff=aroha)
    assert ended.end_reason == f"Transferred to {other_office.name}"


def test_a_second_transfer_to_the_same_office_is_refused(service_manager, other_office, offender):
    sentence = record_sentence(service_manager, offender)
    case_transfer_request(
        actor=service_manager, offender=offender, sentence=sentence, to_office=other_office, reason="Moved"
    )
    with pytest.raises(ValidationError, match="already waiting"):
        case_transfer_request(
            actor=service_manager,
            offender=offender,
            sentence=sentence,
            to_office=other_office,
            reason="Moved",
        )


def test_reallocation_trigger_shows_in_history(service_manager, offender, officers):
    aroha, ben = officers
    old = case_allocate(actor=service_manager, offender=offender, staff=aroha)
    case_reallocate(actor=service_manager, allocation=old, to_staff=ben, reason="Workload")
    from allocation.selectors import allocation_history

    assert [row.trigger for row in allocation_history(offender=offender)] == ["reallocation", "manual"]


def test_the_beat_task_creates_pre_release_requests(offender):
    from allocation.tasks import create_pre_release_requests

    SentenceFactory(
        offender=offender,
        sentence_type=SentenceType.IMPRISONMENT,
        managing_office=PrisonFactory(),  # in custody there (sentences.custody)
        parole_hearing_date=today() + 10 * DAY,
        statutory_release_date=today() + 100 * DAY,
        end_date=today() + 300 * DAY,
    )

    assert create_pre_release_requests() == 1
    assert AllocateRequest.objects.get().due_on == today() + 9 * DAY, "the earlier of hearing and release"


def test_the_pre_allocated_officer_is_suggested_when_the_parole_sentence_arrives(
    service_manager, offender, officers
):
    aroha, ben = officers
    AllocationFactory(staff=ben, sentence=None)  # Ben has more work, so capacity alone would pick Aroha
    SentenceFactory(
        offender=offender,
        sentence_type=SentenceType.IMPRISONMENT,
        managing_office=PrisonFactory(),  # in custody there (sentences.custody)
        statutory_release_date=today() + 20 * DAY,
        end_date=today() + 300 * DAY,
    )
    allocate_requests_for_upcoming_releases()
    pre_release = AllocateRequest.objects.get(kind=AllocateRequestKind.PRE_RELEASE)
    finish_checklist(service_manager, pre_release)
    allocated = allocate_request_allocate(
        actor=service_manager, request=pre_release, staff=ben, override_reason="Knows the family"
    )
    # A parole sentence for a later release (the pre-allocation has ended) asks again.
    case_allocation_end(
        actor=service_manager, allocation=allocated.allocation, ended_on=today(), reason="Recalled"
    )
    case_allocate(actor=service_manager, offender=offender, staff=ben, reason="Supervises on recall")

    record_sentence(service_manager, offender, SentenceType.PAROLE)

    parole = AllocateRequest.objects.get(kind=AllocateRequestKind.SENTENCE)
    assert parole.continuity_staff == ben
    assert officer_options(parole)[0].staff == ben
    finish_checklist(service_manager, parole)
    allocate_request_allocate(actor=service_manager, request=parole, staff=ben)
    assert CaseAllocation.objects.current().filter(offender=offender).count() == 1
