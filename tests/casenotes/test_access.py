import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from casenotes.access import (
    access_casenote_by_id,
    can_add_casenote,
    can_amend_casenote,
    can_read_casenotes,
    can_read_sensitive,
)
from casenotes.models import CasenoteType
from staff.roles import Role
from tests.factories import AllocationFactory, CasenoteFactory, OffenderFactory, SentenceFactory, UserFactory

pytestmark = pytest.mark.django_db

PRISON_ROLES = [Role.PRISON_OFFICER, Role.RECOMMENDING_OFFICER, Role.APPROVING_OFFICER]


@pytest.fixture
def offender(office):
    return OffenderFactory(home_office=office)


@pytest.fixture
def allocated_officer(probation_officer, offender):
    AllocationFactory(offender=offender, staff=probation_officer.staff)
    return probation_officer


# --- reading ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [role for role in Role.values if role != Role.DATA_SHARE])
def test_staff_roles_read_casenotes(role_user, role, other_office):
    assert can_read_casenotes(role_user(role), OffenderFactory(home_office=other_office))


def test_the_data_share_cannot_read_casenotes(data_share, offender):
    assert not can_read_casenotes(data_share, offender)


def test_a_data_share_user_with_a_staff_role_as_well_reads_casenotes(offender):
    user = UserFactory(roles=[Role.DATA_SHARE, Role.PROBATION_OFFICER])

    assert can_read_casenotes(user, offender)


def test_a_user_without_a_role_cannot_read_casenotes(offender):
    assert not can_read_casenotes(UserFactory(), offender)


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.SERVICE_MANAGER, True),
        (Role.SYSTEM_ADMIN, True),
        (Role.PROBATION_OFFICER, False),
        (Role.ADMIN_SUPPORT, False),
        (Role.PRISON_OFFICER, False),
        (Role.DATA_SHARE, False),
    ],
)
def test_who_reads_sensitive_casenotes(role_user, role, allowed):
    assert can_read_sensitive(role_user(role)) is allowed


def test_a_sensitive_note_does_not_exist_for_a_reader_without_the_permission(
    allocated_officer, service_manager, offender
):
    note = CasenoteFactory(offender=offender, sensitive=True)

    with pytest.raises(Http404):
        access_casenote_by_id(allocated_officer, note.pk)
    assert access_casenote_by_id(service_manager, note.pk) == note


def test_the_data_share_is_refused_any_casenote(data_share, offender):
    note = CasenoteFactory(offender=offender)

    with pytest.raises(PermissionDenied):
        access_casenote_by_id(data_share, note.pk)


def test_an_ordinary_note_is_read_by_any_staff_role(role_user, offender):
    note = CasenoteFactory(offender=offender)

    assert access_casenote_by_id(role_user(Role.PRISON_OFFICER), str(note.pk)) == note


@pytest.mark.parametrize("casenote_id", [424242, "nope"])
def test_a_missing_casenote_is_not_found(system_admin, casenote_id):
    with pytest.raises(Http404):
        access_casenote_by_id(system_admin, casenote_id)


# --- writing ---------------------------------------------------------------------------------------


def test_the_allocated_officer_adds_casenotes_and_other_officers_do_not(
    allocated_officer, role_user, offender
):
    assert can_add_casenote(allocated_officer, offender)
    assert not can_add_casenote(role_user(Role.PROBATION_OFFICER), offender)


@pytest.mark.parametrize("role", PRISON_ROLES)
def test_prison_staff_add_casenotes_for_prisoners_their_prison_manages(role_user, role, other_office):
    prison_officer = role_user(role)
    prisoner = OffenderFactory(home_office=other_office)
    SentenceFactory(offender=prisoner, managing_office=prison_officer.staff.office)

    assert can_add_casenote(prison_officer, prisoner)
    assert not can_add_casenote(prison_officer, OffenderFactory(home_office=other_office))


def test_the_data_share_never_adds_casenotes(data_share, offender):
    assert not can_add_casenote(data_share, offender)


def test_the_author_amends_their_own_note(allocated_officer, offender):
    note = CasenoteFactory(offender=offender, author=allocated_officer)

    assert can_amend_casenote(allocated_officer, note)


def test_an_author_who_no_longer_works_the_case_cannot_amend(probation_officer, other_office):
    note = CasenoteFactory(offender=OffenderFactory(home_office=other_office), author=probation_officer)

    assert not can_amend_casenote(probation_officer, note)


def test_another_officer_cannot_amend_someone_elses_note(allocated_officer, role_user, offender):
    colleague = role_user(Role.PROBATION_OFFICER)
    AllocationFactory(offender=offender, staff=colleague.staff)
    note = CasenoteFactory(offender=offender, author=allocated_officer)

    assert not can_amend_casenote(colleague, note)


def test_the_offices_service_manager_and_an_administrator_amend_any_note(
    allocated_officer, service_manager, system_admin, role_user, other_office, offender
):
    note = CasenoteFactory(offender=offender, author=allocated_officer)

    assert can_amend_casenote(service_manager, note)
    assert can_amend_casenote(system_admin, note)
    assert not can_amend_casenote(role_user(Role.SERVICE_MANAGER, at=other_office), note)


def test_only_an_administrator_amends_a_system_note(
    allocated_officer, service_manager, system_admin, offender
):
    note = CasenoteFactory(offender=offender, note_type=CasenoteType.SYSTEM, author=allocated_officer)

    assert not can_amend_casenote(allocated_officer, note)
    assert not can_amend_casenote(service_manager, note)
    assert can_amend_casenote(system_admin, note)
