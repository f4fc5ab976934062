"""Review 4 findings: one request per release, the next release date, the checklist rules, the
CSO step re-checked, requests on sentence changes, transfers and the notifications page."""

import pytest
from django.core.exceptions import ValidationError

from allocation.checklist import allocate_request_step_record
from allocation.models import (
    AllocateRequest,
    AllocateRequestKind,
    AllocateRequestStatus,
    CaseAllocation,
    ChecklistStep,
)
from allocation.requests import allocate_request_allocate, allocate_requests_for_upcoming_releases
from audit.models import AuditEvent
from sentences.models import SentenceType
from staff.roles import Role
from tests.allocation.helpers import DAY, ensure_weights, record_sentence, today
from tests.factories import OffenderFactory, SentenceFactory

pytestmark = pytest.mark.django_db


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


def prison(offender, **dates):
    return SentenceFactory(
        offender=offender,
        sentence_type=SentenceType.IMPRISONMENT,
        end_date=today() + 300 * DAY,
        **dates,
    )


# 1. One release, one request.


def test_parole_after_an_open_pre_release_request_creates_no_second_request(service_manager, offender):
    prison(offender, statutory_release_date=today() + 20 * DAY)
    assert allocate_requests_for_upcoming_releases() == 1

    record_sentence(service_manager, offender, SentenceType.PAROLE)

    [request] = AllocateRequest.objects.filter(offender=offender)
    assert request.kind == AllocateRequestKind.PRE_RELEASE
    assert request.status == AllocateRequestStatus.OPEN
    assert "covers" in request.transitions.last().comment


def test_parole_after_an_allocated_pre_release_request_keeps_the_officer(service_manager, offender, officers):
    aroha, _ = officers
    prison(offender, statutory_release_date=today() + 20 * DAY)
    allocate_requests_for_upcoming_releases()
    pre_release = AllocateRequest.objects.get()
    finish_checklist(service_manager, pre_release)
    allocate_request_allocate(actor=service_manager, request=pre_release, staff=aroha)

    record_sentence(service_manager, offender, SentenceType.PAROLE)

    assert AllocateRequest.objects.filter(offender=offender).count() == 1
    [current] = CaseAllocation.objects.current().filter(offender=offender)
    assert current.staff == aroha
    assert AuditEvent.objects.filter(summary__contains="already pre-allocated to").exists()


# 2. The next release date is never in the past.


def test_a_past_parole_hearing_does_not_set_the_due_date(offender):
    prison(
        offender,
        parole_hearing_date=today() - 10 * DAY,
        statutory_release_date=today() + 20 * DAY,
    )

    assert allocate_requests_for_upcoming_releases() == 1
    assert AllocateRequest.objects.get().due_on == today() + 19 * DAY


# 3. Required steps cannot be marked "does not apply".


@pytest.mark.parametrize(
    "step",
    [
        ChecklistStep.DUE_CHECKED,
        ChecklistStep.ORDER_RECEIVED,
        ChecklistStep.ORDER_RECORDED,
        ChecklistStep.FILE_SET_UP,
    ],
)
def test_a_required_step_cannot_be_skipped(service_manager, offender, step):
    record_sentence(service_manager, offender)
    request = AllocateRequest.objects.get()

    with pytest.raises(ValidationError, match="cannot be skipped"):
        allocate_request_step_record(
            actor=service_manager, request=request, step=step, done=False, not_applicable_reason="Busy"
        )
    assert request.steps.get(step=step).is_open, "nothing changed"


# 4. The CSO step is re-checked when a flag arrives after the request.


def test_a_cso_flag_raised_after_the_request_requires_the_cso_step(service_manager, offender, officers):
    from offenders.models import Flag, FlagKind
    from tests.factories import OffenceFactory

    aroha, _ = officers
    record_sentence(service_manager, offender, offence=OffenceFactory(categories=["child_sex"]))
    request = AllocateRequest.objects.get()
    finish_checklist(service_manager, request)
    Flag.objects.create(offender=offender, kind=FlagKind.CHILD_SEX_OFFENDER, reason="Registered")

    with pytest.raises(ValidationError, match="child sex offender notification"):
        allocate_request_allocate(actor=service_manager, request=request, staff=aroha)
    row = allocate_request_step_record(
        actor=service_manager, request=request, step=ChecklistStep.CSO_NOTIFICATION
    )
    assert row.applicable and row.done_at is not None
    allocated = allocate_request_allocate(actor=service_manager, request=request, staff=aroha)
    assert allocated.status == AllocateRequestStatus.ALLOCATED


# 5. A sentence given a community office later gets its request then.


def test_a_sentence_given_a_managing_office_later_gets_a_request(service_manager, office):
    from sentences.services import sentence_update

    sentence = record_sentence(service_manager, OffenderFactory(home_office=None), managing_office=None)
    assert not AllocateRequest.objects.exists()

    sentence_update(actor=service_manager, sentence=sentence, managing_office=office, reason="Office known")
    sentence_update(actor=service_manager, sentence=sentence, managing_office=office, reason="Again")

    [request] = AllocateRequest.objects.all()
    assert request.sentence == sentence and request.office == office


# 6. Transfers.


def test_a_service_manager_cannot_transfer_another_offices_sentence(service_manager, offender, other_office):
    from django.core.exceptions import PermissionDenied

    from allocation.reallocation import case_transfer_request

    theirs = record_sentence(service_manager, offender, managing_office=other_office)
    with pytest.raises(PermissionDenied):
        case_transfer_request(
            actor=service_manager,
            offender=offender,
            sentence=theirs,
            to_office=offender.home_office,
            reason="x",
        )


def test_allocating_a_transfer_cancels_the_sending_offices_open_request(
    service_manager, offender, other_office, role_user
):
    from allocation.reallocation import case_transfer_request

    sentence = record_sentence(service_manager, offender)
    sending = AllocateRequest.objects.get(kind=AllocateRequestKind.SENTENCE)
    receiving_manager = role_user(Role.SERVICE_MANAGER, at=other_office)
    hemi = role_user(Role.PROBATION_OFFICER, at=other_office, username="hemi").staff
    transfer = case_transfer_request(
        actor=service_manager, offender=offender, sentence=sentence, to_office=other_office, reason="Moved"
    )
    finish_checklist(receiving_manager, transfer)
    allocate_request_allocate(actor=receiving_manager, request=transfer, staff=hemi)

    sending.refresh_from_db()
    assert sending.status == AllocateRequestStatus.CANCELLED
    assert sending.cancel_reason == f"Sentence transferred to {other_office.name}"


def test_a_transfer_ends_only_the_sending_allocations_for_that_sentence(
    service_manager, offender, other_office, role_user, officers
):
    from allocation.reallocation import case_transfer_request
    from allocation.services import case_allocate

    aroha, ben = officers
    moving = record_sentence(service_manager, offender)
    staying = record_sentence(service_manager, offender)
    on_moving = case_allocate(actor=service_manager, offender=offender, staff=aroha, sentence=moving)
    on_staying = case_allocate(actor=service_manager, offender=offender, staff=ben, sentence=staying)
    receiving_manager = role_user(Role.SERVICE_MANAGER, at=other_office)
    hemi = role_user(Role.PROBATION_OFFICER, at=other_office, username="hemi").staff
    transfer = case_transfer_request(
        actor=service_manager, offender=offender, sentence=moving, to_office=other_office, reason="Moved"
    )
    finish_checklist(receiving_manager, transfer)
    allocate_request_allocate(actor=receiving_manager, request=transfer, staff=hemi)

    current = set(CaseAllocation.objects.current().filter(offender=offender).values_list("pk", flat=True))
    assert on_staying.pk in current, "the sentence the sending office keeps stays allocated"
    assert on_moving.pk not in current


# Smaller: the services check the actor's right themselves; the receiving office is told.


def test_only_a_manager_of_the_requests_office_works_its_checklist(role_user, service_manager, offender):
    from django.core.exceptions import PermissionDenied

    record_sentence(service_manager, offender)
    request = AllocateRequest.objects.get()
    officer = role_user(Role.PROBATION_OFFICER, username="po_only")
    with pytest.raises(PermissionDenied):
        allocate_request_step_record(actor=officer, request=request, step=ChecklistStep.DUE_CHECKED)
    assert request.steps.get(step=ChecklistStep.DUE_CHECKED).is_open


def test_only_a_manager_of_the_officers_office_reallocates(role_user, service_manager, offender, officers):
    from django.core.exceptions import PermissionDenied

    from allocation.reallocation import case_reallocate, cases_reallocate
    from allocation.services import case_allocate

    aroha, ben = officers
    held = case_allocate(actor=service_manager, offender=offender, staff=aroha)
    with pytest.raises(PermissionDenied):
        case_reallocate(actor=ben.user, allocation=held, to_staff=ben, reason="I'll take it")
    with pytest.raises(PermissionDenied):
        cases_reallocate(actor=ben.user, allocations=[held], to_staff=ben, reason="I'll take it")
    assert CaseAllocation.objects.current().get(offender=offender).staff == aroha


def test_the_receiving_offices_managers_are_notified_of_a_transfer(
    service_manager, offender, other_office, role_user
):
    from allocation.models import Notification
    from allocation.reallocation import case_transfer_request

    sentence = record_sentence(service_manager, offender)
    receiving_manager = role_user(Role.SERVICE_MANAGER, at=other_office, username="akl_sm")
    role_user(Role.PROBATION_OFFICER, at=other_office, username="akl_po")

    transfer = case_transfer_request(
        actor=service_manager, offender=offender, sentence=sentence, to_office=other_office, reason="Moved"
    )

    [note] = Notification.objects.all()
    assert note.recipient == receiving_manager and note.request == transfer
    assert offender.full_name in note.subject and "Moved" in note.body


def test_the_cso_step_reopened_by_a_refused_allocation_stays_reopened(service_manager, offender, officers):
    from offenders.models import Flag, FlagKind
    from tests.factories import OffenceFactory

    aroha, _ = officers
    record_sentence(service_manager, offender, offence=OffenceFactory(categories=["child_sex"]))
    request = AllocateRequest.objects.get()
    finish_checklist(service_manager, request)
    Flag.objects.create(offender=offender, kind=FlagKind.CHILD_SEX_OFFENDER, reason="Registered")

    with pytest.raises(ValidationError, match="now required") as refusal:
        allocate_request_allocate(actor=service_manager, request=request, staff=aroha)

    assert "Complete it on the task list" in str(refusal.value)
    row = request.steps.get(step=ChecklistStep.CSO_NOTIFICATION)
    assert row.applicable and row.done_at is None and row.not_applicable_reason == ""
    request.refresh_from_db()
    assert request.status == AllocateRequestStatus.OPEN
    assert not CaseAllocation.objects.filter(offender=offender).exists()
