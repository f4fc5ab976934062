"""The allocate request goes through the one workflow mechanism: every step (the first status too)
is a row, a step from a status someone else has moved the request on from is refused and changes
nothing, and the allowed-transitions map is enforced."""

import pytest

from allocation.checklist import allocate_request_step_record
from allocation.models import (
    ALLOCATE_REQUEST_WORKFLOW,
    AllocateRequest,
    AllocateRequestStatus,
    AllocateRequestTransition,
)
from allocation.requests import allocate_request_allocate, allocate_request_cancel
from audit.models import AuditEvent
from staff.roles import Role
from tests.allocation.helpers import ensure_weights, record_sentence
from tests.factories import OffenderFactory
from workflow.transitions import ConcurrentChange, TransitionNotAllowed

pytestmark = pytest.mark.django_db


@pytest.fixture
def request_(service_manager, office) -> AllocateRequest:
    ensure_weights()
    record_sentence(service_manager, OffenderFactory(home_office=office))
    request = AllocateRequest.objects.get()
    for row in request.steps.all():
        if row.is_open:
            allocate_request_step_record(
                actor=service_manager, request=request, step=row.step, outcome="None"
            )
    return request


@pytest.fixture
def officer(role_user):
    return role_user(Role.PROBATION_OFFICER, first_name="Aroha", last_name="Ngata", username="aroha").staff


def steps(request: AllocateRequest) -> list[tuple[str, str]]:
    return list(request.transitions.order_by("id").values_list("from_status", "to_status"))


def audit_rows(request: AllocateRequest) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            object_type="allocation.AllocateRequest", object_id=str(request.pk)
        ).order_by("id")
    )


def test_a_request_is_raised_open_then_allocated_each_step_a_row_with_who_and_why(
    request_, service_manager, officer
):
    allocate_request_allocate(actor=service_manager, request=request_, staff=officer, reason="New order")

    assert steps(request_) == [
        ("", AllocateRequestStatus.OPEN),
        (AllocateRequestStatus.OPEN, AllocateRequestStatus.ALLOCATED),
    ]
    allocated = request_.transitions.order_by("id").last()
    assert allocated.actor == service_manager
    assert allocated.comment == "Allocated to Aroha Ngata. New order"
    assert (
        audit_rows(request_)[-1].summary
        == f"{service_manager} allocated {request_.offender} to Aroha Ngata: New order"
    )
    assert audit_rows(request_)[-1].changes["status"] == ["open", "allocated"]


def test_cancelling_a_request_someone_else_allocated_while_it_was_open_is_refused_and_changes_nothing(
    request_, service_manager, officer
):
    stale = AllocateRequest.objects.get(pk=request_.pk)
    allocate_request_allocate(actor=service_manager, request=request_, staff=officer)
    rows, audits = AllocateRequestTransition.objects.count(), AuditEvent.objects.count()

    with pytest.raises(
        ConcurrentChange,
        match="Someone else changed this allocate request while you had it open: it is now allocated",
    ):
        allocate_request_cancel(actor=service_manager, request=stale, reason="Raised in error")

    request = AllocateRequest.objects.get(pk=request_.pk)
    assert request.status == AllocateRequestStatus.ALLOCATED and request.cancel_reason == ""
    assert (AllocateRequestTransition.objects.count(), AuditEvent.objects.count()) == (rows, audits)


def test_a_cancelled_request_is_a_step_with_its_reason(request_, service_manager):
    allocate_request_cancel(actor=service_manager, request=request_, reason="Sentence quashed")

    request = AllocateRequest.objects.get(pk=request_.pk)
    assert request.status == AllocateRequestStatus.CANCELLED and request.cancel_reason == "Sentence quashed"
    assert steps(request)[-1] == (AllocateRequestStatus.OPEN, AllocateRequestStatus.CANCELLED)
    assert request.transitions.order_by("id").last().comment == "Sentence quashed"


def test_an_allocated_request_is_never_cancelled_nor_reopened(request_, service_manager, officer):
    allocated = allocate_request_allocate(actor=service_manager, request=request_, staff=officer)

    for status, label in (
        (AllocateRequestStatus.CANCELLED, "cancelled"),
        (AllocateRequestStatus.OPEN, "awaiting allocation"),
    ):
        with pytest.raises(
            TransitionNotAllowed, match=f"An allocate request that is allocated cannot become {label}"
        ):
            ALLOCATE_REQUEST_WORKFLOW.move(allocated, to=status, actor=service_manager)

    assert AllocateRequest.objects.get(pk=request_.pk).status == AllocateRequestStatus.ALLOCATED
    assert len(steps(request_)) == 2
