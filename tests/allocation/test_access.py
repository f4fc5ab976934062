import pytest
from django.utils import timezone

from allocation.access import can_allocate_case
from staff.roles import Role
from tests.factories import AllocationFactory, OffenderFactory, SentenceFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def local_offender(office):
    return OffenderFactory(home_office=office)


@pytest.fixture
def distant_offender(other_office):
    return OffenderFactory(home_office=other_office)


def test_a_service_manager_allocates_the_cases_of_their_office(
    service_manager, local_offender, distant_offender
):
    assert can_allocate_case(service_manager, local_offender)
    assert not can_allocate_case(service_manager, distant_offender)


def test_a_service_manager_allocates_a_case_whose_current_sentence_their_office_manages(
    service_manager, office, distant_offender
):
    SentenceFactory(offender=distant_offender, managing_office=office)

    assert can_allocate_case(service_manager, distant_offender)


def test_a_completed_sentence_does_not_bring_the_case_to_the_office(
    service_manager, office, distant_offender
):
    SentenceFactory(
        offender=distant_offender,
        managing_office=office,
        status="completed",
        completion_reason="normal",
        completed_on=timezone.localdate(),
    )

    assert not can_allocate_case(service_manager, distant_offender)


def test_a_system_administrator_allocates_any_case(system_admin, distant_offender):
    assert can_allocate_case(system_admin, distant_offender)


@pytest.mark.parametrize(
    "role",
    [
        Role.PROBATION_OFFICER,
        Role.ADMIN_SUPPORT,
        Role.DATA_SHARE,
        Role.PRISON_OFFICER,
        Role.RECOMMENDING_OFFICER,
        Role.APPROVING_OFFICER,
    ],
)
def test_other_roles_do_not_allocate_even_at_the_offenders_office(role_user, role, local_offender):
    user = role_user(role)
    AllocationFactory(offender=local_offender, staff=user.staff)

    assert not can_allocate_case(user, local_offender)


def test_a_user_without_a_role_does_not_allocate(local_offender):
    assert not can_allocate_case(UserFactory(), local_offender)
