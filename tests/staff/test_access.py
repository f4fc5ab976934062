import pytest
from django.contrib.auth.models import AnonymousUser

from staff.access import can_manage_staff_in, can_view_staff_directory, office_id_of, staff_of
from staff.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_service_manager_manages_the_staff_of_their_own_office_only(service_manager, office, other_office):
    assert can_manage_staff_in(service_manager, office)
    assert not can_manage_staff_in(service_manager, other_office)
    assert not can_manage_staff_in(service_manager, None)


def test_a_system_administrator_manages_staff_everywhere(system_admin, other_office):
    assert can_manage_staff_in(system_admin, other_office)


@pytest.mark.parametrize("role", [Role.ADMIN_SUPPORT, Role.PROBATION_OFFICER, Role.DATA_SHARE])
def test_other_roles_do_not_manage_staff_even_at_their_office(role_user, role, office):
    assert not can_manage_staff_in(role_user(role), office)


def test_the_data_share_does_not_see_the_staff_directory(role_user):
    assert not can_view_staff_directory(role_user(Role.DATA_SHARE))
    assert all(can_view_staff_directory(role_user(role)) for role in Role.values if role != Role.DATA_SHARE)


def test_a_user_without_a_staff_record_has_no_office(office):
    assert staff_of(UserFactory()) is None
    assert office_id_of(AnonymousUser()) is None


def test_a_staff_members_office_is_found_from_their_user(probation_officer, office):
    assert staff_of(probation_officer).office == office
    assert office_id_of(probation_officer) == office.pk
