import pytest

from agencies.access import can_manage_agencies, can_refer, can_view_agencies
from staff.roles import Role
from tests.factories import AllocationFactory, OffenderFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.SYSTEM_ADMIN, True),
        (Role.SERVICE_MANAGER, True),
        (Role.ADMIN_SUPPORT, True),
        (Role.PROBATION_OFFICER, False),
        (Role.PRISON_OFFICER, False),
        (Role.DATA_SHARE, False),
    ],
)
def test_who_accepts_and_discontinues_agencies_and_programmes(role_user, role, allowed):
    assert can_manage_agencies(role_user(role)) is allowed


def test_every_role_sees_the_agencies_but_a_user_without_a_role_does_not(role_user):
    assert all(can_view_agencies(role_user(role)) for role in Role.values)
    assert not can_view_agencies(UserFactory())


def test_only_those_who_may_edit_the_record_refer_an_offender(probation_officer, data_share, office):
    offender = OffenderFactory(home_office=office)
    assert not can_refer(probation_officer, offender)

    AllocationFactory(offender=offender, staff=probation_officer.staff)

    assert can_refer(probation_officer, offender)
    assert not can_refer(data_share, offender)
