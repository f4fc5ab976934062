"""The offender management team (seed 004): adding, ending and replacing members, who may do it,
and the rules each change keeps (issue 6)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from allocation.models import CaseAllocation, CaseRole
from allocation.team import team_member_add, team_member_end, team_member_replace
from audit.models import AuditAction, AuditEvent
from casenotes.models import CasenoteType
from staff.roles import Role
from tests.allocation.helpers import DAY, today
from tests.factories import AllocationFactory, SentenceFactory, staff_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("prison_sentence")]


def allocation_notes(offender) -> list[str]:
    return list(
        offender.casenotes.filter(note_type=CasenoteType.ALLOCATION)
        .order_by("id")
        .values_list("text", flat=True)
    )


def audit_actions(allocation) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type="allocation.CaseAllocation", object_id=str(allocation.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_a_service_manager_names_the_offender_manager_with_a_casenote_and_an_audit_row(
    manager, offender, aroha
):
    member = team_member_add(
        actor=manager,
        offender=offender,
        staff=aroha,
        role=CaseRole.OFFENDER_MANAGER,
        started_on=today() - 3 * DAY,
        reason="Wrote the pre-sentence report",
    )

    assert (member.role, member.started_on, member.allocated_by) == (
        CaseRole.OFFENDER_MANAGER,
        today() - 3 * DAY,
        manager,
    )
    assert allocation_notes(offender) == [
        "Aroha Officer allocated to the case as offender manager. Reason: Wrote the pre-sentence report"
    ]
    assert audit_actions(member) == [AuditAction.CREATE]


def test_an_offender_has_one_offender_manager_at_a_time(manager, offender, aroha, ben):
    team_member_add(actor=manager, offender=offender, staff=aroha, role=CaseRole.OFFENDER_MANAGER)

    with pytest.raises(ValidationError) as refused:
        team_member_add(actor=manager, offender=offender, staff=ben, role=CaseRole.OFFENDER_MANAGER)

    assert refused.value.messages == [
        f"Aroha Officer has been the offender manager since {today():%-d %b %Y}; "
        "replace them rather than adding a second."
    ]
    assert list(offender.allocations.current().values_list("staff", flat=True)) == [aroha.pk]


@pytest.mark.parametrize("role", [CaseRole.OFFENDER_MANAGER, CaseRole.OFFENDER_SUPERVISOR])
def test_the_database_refuses_a_second_current_holder_whatever_the_path(
    offender, aroha, ben, hemi, tui, role
):
    first, second = (aroha, ben) if role == CaseRole.OFFENDER_MANAGER else (hemi, tui)
    AllocationFactory(offender=offender, staff=first, role=role)

    with pytest.raises(IntegrityError, match="one_current_offender_"), transaction.atomic():
        AllocationFactory(offender=offender, staff=second, role=role)

    AllocationFactory(offender=offender, staff=second, role=role, ended_on=today())
    assert offender.allocations.filter(role=role).count() == 2, "past holders are history, not refused"


def test_the_offender_manager_works_in_the_community(manager, offender, hemi):
    with pytest.raises(ValidationError) as refused:
        team_member_add(actor=manager, offender=offender, staff=hemi, role=CaseRole.OFFENDER_MANAGER)

    assert refused.value.message_dict == {
        "staff": [
            "The offender manager works at a probation office or service centre; "
            "Hemi Corrections works at Rimutaka Prison."
        ]
    }


def test_the_offender_supervisor_works_at_the_prison_holding_the_offender(
    manager, offender, aroha, other_prison
):
    elsewhere = staff_user(Role.PRISON_OFFICER, office=other_prison, first_name="Mere", last_name="Far").staff
    SentenceFactory(
        offender=offender, managing_office=other_prison
    )  # an office of the offender, not a prison of theirs

    with pytest.raises(ValidationError) as probation:
        team_member_add(actor=manager, offender=offender, staff=aroha, role=CaseRole.OFFENDER_SUPERVISOR)
    with pytest.raises(ValidationError) as other:
        team_member_add(actor=manager, offender=offender, staff=elsewhere, role=CaseRole.OFFENDER_SUPERVISOR)

    assert probation.value.message_dict["staff"] == [
        "The offender supervisor (prison) works at the prison holding the offender; "
        "Aroha Officer works at Wellington Community Corrections."
    ]
    assert "Mere Far works at Arohata Prison." in other.value.message_dict["staff"][0]
    assert not offender.allocations.exists()


def test_the_offender_manager_holds_the_whole_case_not_one_sentence(
    manager, offender, aroha, prison_sentence
):
    with pytest.raises(ValidationError) as refused:
        team_member_add(
            actor=manager,
            offender=offender,
            staff=aroha,
            role=CaseRole.OFFENDER_MANAGER,
            sentence=prison_sentence,
        )

    assert refused.value.message_dict == {
        "sentence": ["The offender manager holds the whole case, not one sentence."]
    }


def test_a_membership_cannot_start_in_the_future(manager, offender, aroha):
    with pytest.raises(ValidationError) as refused:
        team_member_add(
            actor=manager,
            offender=offender,
            staff=aroha,
            role=CaseRole.KEY_WORKER,
            started_on=today() + DAY,
        )

    assert refused.value.message_dict == {"started_on": ["An allocation cannot start in the future."]}


def test_a_senior_officer_of_the_prison_manages_the_prison_side_of_the_team(
    prison_manager, manager, offender, aroha, hemi, tui
):
    supervisor = team_member_add(
        actor=prison_manager, offender=offender, staff=hemi, role=CaseRole.OFFENDER_SUPERVISOR
    )
    key_worker = team_member_add(actor=prison_manager, offender=offender, staff=tui, role=CaseRole.KEY_WORKER)
    offender_manager = team_member_add(
        actor=manager, offender=offender, staff=aroha, role=CaseRole.OFFENDER_MANAGER
    )

    with pytest.raises(PermissionDenied):
        team_member_add(actor=prison_manager, offender=offender, staff=aroha, role=CaseRole.CO_WORKER)
    with pytest.raises(PermissionDenied):
        team_member_end(actor=prison_manager, allocation=offender_manager, ended_on=today(), reason="No")
    team_member_end(actor=prison_manager, allocation=key_worker, ended_on=today(), reason="Moved unit")

    assert set(offender.allocations.current()) == {supervisor, offender_manager}


@pytest.mark.parametrize(
    "role", [Role.PRISON_OFFICER, Role.PROBATION_OFFICER, Role.ADMIN_SUPPORT, Role.DATA_SHARE]
)
def test_other_roles_may_not_change_the_team(offender, prison, hemi, role):
    at_prison = staff_user(role, office=prison)

    with pytest.raises(PermissionDenied):
        team_member_add(actor=at_prison, offender=offender, staff=hemi, role=CaseRole.OFFENDER_SUPERVISOR)

    assert not offender.allocations.exists()


def test_a_senior_officer_of_another_prison_may_not_change_the_team(offender, other_prison, hemi):
    stranger = staff_user(Role.APPROVING_OFFICER, office=other_prison)

    with pytest.raises(PermissionDenied):
        team_member_add(actor=stranger, offender=offender, staff=hemi, role=CaseRole.OFFENDER_SUPERVISOR)


def test_replacing_a_member_ends_the_old_and_starts_the_new_on_the_same_day(manager, offender, aroha, ben):
    old = team_member_add(
        actor=manager,
        offender=offender,
        staff=aroha,
        role=CaseRole.OFFENDER_MANAGER,
        started_on=today() - 30 * DAY,
    )

    new = team_member_replace(
        actor=manager, allocation=old, staff=ben, on=today() - 2 * DAY, reason="Aroha is leaving"
    )

    old.refresh_from_db()
    assert (old.ended_on, old.end_reason) == (today() - 2 * DAY, "Replaced by Ben Second: Aroha is leaving")
    assert (new.staff, new.role, new.started_on, new.trigger) == (
        ben,
        CaseRole.OFFENDER_MANAGER,
        today() - 2 * DAY,
        "reallocation",
    )
    assert allocation_notes(offender)[1:] == [
        f"Ben Second is the offender manager from {today() - 2 * DAY:%-d %b %Y}, replacing Aroha Officer. "
        "Reason: Aroha is leaving"
    ], "one casenote for the replacement"
    assert audit_actions(old) == [AuditAction.CREATE, AuditAction.UPDATE]
    assert audit_actions(new) == [AuditAction.CREATE]


def test_a_replacement_needs_a_reason_another_person_and_a_current_member(manager, offender, aroha, ben):
    member = team_member_add(actor=manager, offender=offender, staff=aroha, role=CaseRole.OFFENDER_MANAGER)

    with pytest.raises(ValidationError) as no_reason:
        team_member_replace(actor=manager, allocation=member, staff=ben, reason=" ")
    with pytest.raises(ValidationError) as same:
        team_member_replace(actor=manager, allocation=member, staff=aroha, reason="Workload")
    with pytest.raises(ValidationError) as too_early:
        team_member_replace(actor=manager, allocation=member, staff=ben, on=today() - DAY, reason="Workload")
    team_member_end(actor=manager, allocation=member, ended_on=today(), reason="Case closed")
    member.refresh_from_db()
    with pytest.raises(ValidationError) as ended:
        team_member_replace(actor=manager, allocation=member, staff=ben, reason="Workload")

    assert no_reason.value.message_dict == {"reason": ["Say why the member is replaced."]}
    assert same.value.message_dict == {"staff": ["Aroha Officer already holds this part of the case."]}
    assert too_early.value.message_dict == {"ended_on": ["An allocation cannot end before it started."]}
    assert ended.value.messages == ["This membership has already ended. Nothing was changed."]
    assert not offender.allocations.filter(staff=ben).exists()


def test_a_prison_manager_replaces_the_offender_supervisor_only_with_their_own_staff(
    prison_manager, offender, hemi, aroha
):
    supervisor = team_member_add(
        actor=prison_manager, offender=offender, staff=hemi, role=CaseRole.OFFENDER_SUPERVISOR
    )

    with pytest.raises(PermissionDenied):
        team_member_replace(actor=prison_manager, allocation=supervisor, staff=aroha, reason="Workload")

    supervisor.refresh_from_db()
    assert supervisor.ended_on is None


def test_ending_a_membership_keeps_it_as_history_with_a_casenote(manager, offender, aroha):
    member = team_member_add(actor=manager, offender=offender, staff=aroha, role=CaseRole.KEY_WORKER)

    team_member_end(actor=manager, allocation=member, ended_on=today(), reason="Programme finished")

    member.refresh_from_db()
    assert (member.ended_on, member.end_reason) == (today(), "Programme finished")
    assert allocation_notes(offender)[-1] == "Aroha Officer no longer key worker. Reason: Programme finished"
    assert list(CaseAllocation.objects.filter(offender=offender)) == [member]
