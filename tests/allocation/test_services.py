import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from allocation.models import CaseAllocation, CaseRole
from allocation.services import case_allocate, case_allocation_end
from audit.models import AuditAction, AuditEvent
from casenotes.models import Casenote, CasenoteType
from staff.roles import Role
from tests.factories import OffenderFactory, SentenceFactory

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def today() -> datetime.date:
    return timezone.localdate()


@pytest.fixture
def offender(office):
    return OffenderFactory(home_office=office)


@pytest.fixture
def officer(role_user):
    return role_user(Role.PROBATION_OFFICER, first_name="Mere", last_name="Tamihana").staff


@pytest.fixture
def second_officer(role_user):
    return role_user(Role.PROBATION_OFFICER, first_name="John", last_name="Smith").staff


def allocation_notes(offender) -> list[Casenote]:
    return list(offender.casenotes.filter(note_type=CasenoteType.ALLOCATION).order_by("id"))


def test_allocating_a_case_leaves_a_casenote_and_an_audit_row(service_manager, offender, officer):
    allocation = case_allocate(
        actor=service_manager, offender=offender, staff=officer, reason="New community sentence"
    )

    assert allocation.started_on == today()
    assert allocation.allocated_by == service_manager
    [note] = allocation_notes(offender)
    assert note.summary == "Supervising probation officer: Mere Tamihana"
    assert note.text == (
        "Mere Tamihana allocated to the case as supervising probation officer. Reason: New community sentence"
    )
    assert note.author == service_manager
    row = AuditEvent.objects.get(object_type="allocation.CaseAllocation", object_id=str(allocation.pk))
    assert row.action == AuditAction.CREATE
    assert row.offender_id == offender.pk
    assert row.changes["staff"] == [None, "Mere Tamihana"]


def test_an_offender_may_have_two_supervising_officers(service_manager, offender, officer, second_officer):
    case_allocate(actor=service_manager, offender=offender, staff=officer)
    case_allocate(actor=service_manager, offender=offender, staff=second_officer)

    current = CaseAllocation.objects.current().filter(offender=offender, role=CaseRole.SUPERVISING_OFFICER)
    assert {allocation.staff for allocation in current} == {officer, second_officer}


def test_the_same_officer_cannot_be_allocated_twice_in_the_same_role(service_manager, offender, officer):
    case_allocate(actor=service_manager, offender=offender, staff=officer)

    with pytest.raises(ValidationError) as refused:
        case_allocate(actor=service_manager, offender=offender, staff=officer)

    assert refused.value.messages == [
        "Mere Tamihana is already allocated to this case as supervising probation officer."
    ]
    assert offender.allocations.count() == 1
    assert len(allocation_notes(offender)) == 1


def test_the_same_officer_may_hold_a_different_role_on_the_case(service_manager, offender, officer):
    case_allocate(actor=service_manager, offender=offender, staff=officer)

    co_worker = case_allocate(
        actor=service_manager, offender=offender, staff=officer, role=CaseRole.CO_WORKER
    )

    assert co_worker.role == CaseRole.CO_WORKER
    assert offender.allocations.current().count() == 2


def test_an_inactive_staff_member_cannot_be_allocated(service_manager, offender, officer):
    officer.active = False
    officer.save(update_fields=["active"])

    with pytest.raises(ValidationError) as refused:
        case_allocate(actor=service_manager, offender=offender, staff=officer)

    assert "staff" in refused.value.message_dict
    assert not offender.allocations.exists()


def test_an_allocation_under_another_offenders_sentence_is_refused(service_manager, offender, officer):
    with pytest.raises(ValidationError) as refused:
        case_allocate(actor=service_manager, offender=offender, staff=officer, sentence=SentenceFactory())

    assert "sentence" in refused.value.message_dict
    assert not Casenote.objects.exists()


def test_ending_an_allocation_keeps_it_as_history(service_manager, offender, officer):
    allocation = case_allocate(
        actor=service_manager, offender=offender, staff=officer, started_on=today() - 30 * DAY
    )

    ended = case_allocation_end(
        actor=service_manager, allocation=allocation, ended_on=today(), reason="Transferred to Porirua"
    )

    assert ended.ended_on == today()
    assert ended.end_reason == "Transferred to Porirua"
    assert list(offender.allocations.all()) == [allocation], "the ended allocation is kept"
    assert not offender.allocations.current().exists()
    ending_note = allocation_notes(offender)[-1]
    assert ending_note.summary == "Allocation ended: Mere Tamihana"
    assert "Transferred to Porirua" in ending_note.text
    row = AuditEvent.objects.filter(object_type="allocation.CaseAllocation", action=AuditAction.UPDATE).get()
    assert row.changes["end_reason"] == [None, "Transferred to Porirua"]


def test_an_officer_can_be_allocated_again_after_an_allocation_ends(service_manager, offender, officer):
    first = case_allocate(
        actor=service_manager, offender=offender, staff=officer, started_on=today() - 30 * DAY
    )
    case_allocation_end(actor=service_manager, allocation=first, ended_on=today() - DAY, reason="Leave")

    again = case_allocate(actor=service_manager, offender=offender, staff=officer)

    assert offender.allocations.count() == 2
    assert list(offender.allocations.current()) == [again]


def test_ending_an_allocation_needs_a_reason_and_a_date_after_it_started(service_manager, offender, officer):
    allocation = case_allocate(actor=service_manager, offender=offender, staff=officer)

    with pytest.raises(ValidationError) as no_reason:
        case_allocation_end(actor=service_manager, allocation=allocation, ended_on=today(), reason=" ")
    with pytest.raises(ValidationError) as too_early:
        case_allocation_end(
            actor=service_manager, allocation=allocation, ended_on=today() - DAY, reason="Mistake"
        )

    assert "end_reason" in no_reason.value.message_dict
    assert "ended_on" in too_early.value.message_dict
    allocation.refresh_from_db()
    assert allocation.ended_on is None


def test_an_allocation_is_ended_once(service_manager, offender, officer):
    allocation = case_allocate(actor=service_manager, offender=offender, staff=officer)
    case_allocation_end(actor=service_manager, allocation=allocation, ended_on=today(), reason="Moved")

    with pytest.raises(ValidationError, match="already ended"):
        case_allocation_end(actor=service_manager, allocation=allocation, ended_on=today(), reason="Again")

    assert len(allocation_notes(offender)) == 2
