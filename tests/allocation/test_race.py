"""Two managers allocating the same request at the same moment, on two real database connections:
exactly one succeeds, the other is told clearly, and nothing is half-done."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from allocation.checklist import allocate_request_step_record
from allocation.models import AllocateRequest, AllocateRequestStatus, CaseAllocation, Notification
from allocation.requests import allocate_request_allocate
from casenotes.models import CasenoteType
from staff.roles import Role
from tests.allocation.helpers import ensure_weights, record_sentence
from tests.factories import OffenderFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_managers_allocating_at_once_exactly_one_succeeds(role_user, office):
    ensure_weights()
    first_manager = role_user(Role.SERVICE_MANAGER, username="manager.one")
    second_manager = role_user(Role.SERVICE_MANAGER, username="manager.two")
    aroha = role_user(Role.PROBATION_OFFICER, first_name="Aroha", last_name="Ngata").staff
    ben = role_user(Role.PROBATION_OFFICER, first_name="Ben", last_name="Smith").staff
    offender = OffenderFactory(home_office=office)
    record_sentence(first_manager, offender)
    request = AllocateRequest.objects.get()
    for row in request.steps.all():
        if row.is_open:
            allocate_request_step_record(
                actor=first_manager, request=request, step=row.step, outcome="None met"
            )
    suggested = min((aroha, ben), key=lambda s: s.user.last_name)  # equal load: alphabetical

    barrier = threading.Barrier(2)
    results: dict[str, object] = {}

    def allocate(name, manager, staff, why):
        try:
            barrier.wait(timeout=10)
            allocate_request_allocate(
                actor=manager,
                request=AllocateRequest(pk=request.pk),
                staff=staff,
                override_reason="" if staff == suggested else why,
            )
            results[name] = "ok"
        except ValidationError as error:
            results[name] = error
        finally:
            connection.close()  # each thread used its own connection

    threads = [
        threading.Thread(target=allocate, args=("one", first_manager, aroha, "Continuity")),
        threading.Thread(target=allocate, args=("two", second_manager, ben, "Workload")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    outcomes = sorted(results.values(), key=lambda value: value != "ok")
    assert outcomes[0] == "ok"
    loser = outcomes[1]
    assert isinstance(loser, ValidationError)
    assert "already allocated to" in loser.messages[0] and "Nothing was changed" in loser.messages[0]
    request.refresh_from_db()
    assert request.status == AllocateRequestStatus.ALLOCATED
    assert CaseAllocation.objects.filter(offender=offender).count() == 1
    assert CaseAllocation.objects.get(offender=offender).staff == request.allocated_to
    assert Notification.objects.count() == 1
    assert offender.casenotes.filter(note_type=CasenoteType.ALLOCATION).count() == 1
    assert request.transitions.filter(to_status=AllocateRequestStatus.ALLOCATED).count() == 1
