import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from offenders.access import (
    access_offender_by_id,
    can_create_offender,
    can_edit_offender,
    can_view_history,
    can_view_offender,
)
from staff.roles import Role
from tests.factories import AllocationFactory, OffenderFactory, SentenceFactory, UserFactory

pytestmark = pytest.mark.django_db

OFFICE_ROLES = [Role.SERVICE_MANAGER, Role.ADMIN_SUPPORT]
ROLES_THAT_NEVER_EDIT = [
    Role.DATA_SHARE,
    Role.PRISON_OFFICER,
    Role.RECOMMENDING_OFFICER,
    Role.APPROVING_OFFICER,
]


@pytest.fixture
def local_offender(office):
    return OffenderFactory(home_office=office)


@pytest.fixture
def distant_offender(other_office):
    return OffenderFactory(home_office=other_office)


def fresh(offender):
    """A new instance: the responsible offices are cached on the instance."""
    return type(offender).objects.get(pk=offender.pk)


# --- probation officers ----------------------------------------------------------------------------


def test_a_probation_officer_edits_only_the_records_allocated_to_them(probation_officer, local_offender):
    assert not can_edit_offender(probation_officer, local_offender)

    AllocationFactory(offender=local_offender, staff=probation_officer.staff)

    assert can_edit_offender(probation_officer, fresh(local_offender))


def test_an_allocation_elsewhere_lets_a_probation_officer_edit_an_offender_of_another_office(
    probation_officer, distant_offender
):
    AllocationFactory(offender=distant_offender, staff=probation_officer.staff)

    assert can_edit_offender(probation_officer, distant_offender)


def test_a_probation_officer_loses_edit_rights_when_the_allocation_ends(probation_officer, local_offender):
    AllocationFactory(
        offender=local_offender, staff=probation_officer.staff, ended_on=timezone.localdate(), end_reason="x"
    )

    assert not can_edit_offender(probation_officer, local_offender)


# --- service managers and administrative support ---------------------------------------------------


@pytest.mark.parametrize("role", OFFICE_ROLES)
def test_office_staff_edit_offenders_of_their_own_office(role_user, role, local_offender, distant_offender):
    user = role_user(role)

    assert can_edit_offender(user, local_offender)
    assert not can_edit_offender(user, distant_offender)


@pytest.mark.parametrize("role", OFFICE_ROLES)
def test_office_staff_edit_offenders_whose_current_sentence_their_office_manages(
    role_user, role, office, distant_offender
):
    user = role_user(role)
    SentenceFactory(offender=distant_offender, managing_office=office)

    assert can_edit_offender(user, distant_offender)


@pytest.mark.parametrize("role", OFFICE_ROLES)
def test_a_completed_sentence_no_longer_makes_its_office_responsible(
    role_user, role, office, distant_offender
):
    user = role_user(role)
    SentenceFactory(
        offender=distant_offender,
        managing_office=office,
        status="completed",
        completion_reason="normal",
        completed_on=timezone.localdate(),
    )

    assert not can_edit_offender(user, distant_offender)


# --- national roles --------------------------------------------------------------------------------


def test_a_system_administrator_edits_every_record(system_admin, distant_offender):
    assert can_edit_offender(system_admin, distant_offender)


def test_a_superuser_counts_as_a_system_administrator(distant_offender):
    superuser = UserFactory(is_superuser=True)

    assert can_edit_offender(superuser, distant_offender)


@pytest.mark.parametrize("role", ROLES_THAT_NEVER_EDIT)
def test_read_only_and_prison_roles_never_edit_a_record_even_at_their_office(role_user, role, office):
    user = role_user(role)
    offender = OffenderFactory(home_office=office)
    SentenceFactory(offender=offender, managing_office=office)

    assert not can_edit_offender(user, offender)


def test_the_data_share_cannot_edit_even_an_allocated_record(data_share, local_offender):
    AllocationFactory(offender=local_offender, staff=data_share.staff)

    assert not can_edit_offender(data_share, local_offender)


def test_a_user_without_a_role_sees_and_edits_nothing(local_offender):
    nobody = UserFactory()

    assert not can_view_offender(nobody, local_offender)
    assert not can_edit_offender(nobody, local_offender)
    assert not can_view_offender(AnonymousUser(), local_offender)


@pytest.mark.parametrize("role", [role for role in Role.values if role != Role.DATA_SHARE])
def test_every_staff_role_reads_offender_records(role_user, role, distant_offender):
    assert can_view_offender(role_user(role), distant_offender)


def test_the_data_share_reads_only_the_shared_record(data_share, distant_offender):
    """Seed 004: the data share sees the fields of its share (datashare/access.py), never the record."""
    assert not can_view_offender(data_share, distant_offender)
    with pytest.raises(PermissionDenied):
        access_offender_by_id(data_share, distant_offender.pk)


# --- history and creation --------------------------------------------------------------------------


def test_history_is_shown_to_managers_of_the_offenders_offices_and_administrators(
    role_user, service_manager, system_admin, other_office, local_offender
):
    assert can_view_history(service_manager, local_offender)
    assert can_view_history(system_admin, local_offender)
    assert not can_view_history(role_user(Role.SERVICE_MANAGER, at=other_office), local_offender)


@pytest.mark.parametrize(
    "role",
    [Role.PROBATION_OFFICER, Role.ADMIN_SUPPORT, Role.DATA_SHARE, Role.PRISON_OFFICER],
)
def test_history_is_not_shown_to_other_roles_even_at_the_offenders_office(role_user, role, local_offender):
    user = role_user(role)
    AllocationFactory(offender=local_offender, staff=user.staff)

    assert not can_view_history(user, fresh(local_offender))


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.ADMIN_SUPPORT, True),
        (Role.SERVICE_MANAGER, True),
        (Role.SYSTEM_ADMIN, True),
        (Role.PROBATION_OFFICER, False),
        (Role.PRISON_OFFICER, False),
        (Role.RECOMMENDING_OFFICER, False),
        (Role.APPROVING_OFFICER, False),
        (Role.DATA_SHARE, False),
    ],
)
def test_who_may_create_an_offender_record(role_user, role, allowed):
    assert can_create_offender(role_user(role)) is allowed


# --- the gate --------------------------------------------------------------------------------------


def test_access_by_id_returns_the_record_to_a_viewer(role_user, distant_offender):
    viewer = role_user(Role.PRISON_OFFICER)
    assert access_offender_by_id(viewer, str(distant_offender.pk)) == distant_offender


@pytest.mark.parametrize("offender_id", [999999, "abc", None])
def test_access_by_id_to_a_missing_record_is_not_found(system_admin, offender_id):
    with pytest.raises(Http404):
        access_offender_by_id(system_admin, offender_id)


def test_access_for_edit_is_refused_to_a_reader(data_share, local_offender):
    with pytest.raises(PermissionDenied):
        access_offender_by_id(data_share, local_offender.pk, for_edit=True)


def test_access_is_refused_to_a_user_without_a_role(local_offender):
    with pytest.raises(PermissionDenied):
        access_offender_by_id(UserFactory(), local_offender.pk)


def test_access_for_edit_is_granted_to_an_editor(service_manager, local_offender):
    assert access_offender_by_id(service_manager, local_offender.pk, for_edit=True) == local_offender
