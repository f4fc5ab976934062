import pytest


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """PBKDF2's deliberate slowness is for production; tests hash hundreds of passwords."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


from staff.roles import Role
from tests.factories import OfficeFactory, staff_user


@pytest.fixture
def office(db):
    return OfficeFactory(code="WLG01", name="Wellington Community Corrections")


@pytest.fixture
def other_office(db):
    return OfficeFactory(code="AKL01", name="Auckland Central Community Corrections")


@pytest.fixture
def role_user(db, office):
    """role_user(Role.SERVICE_MANAGER) -> a user with that role at `office`."""

    def make(role: str, at=None, **kwargs):
        return staff_user(role, office=at or office, **kwargs)

    return make


@pytest.fixture
def probation_officer(role_user):
    return role_user(Role.PROBATION_OFFICER, username="po")


@pytest.fixture
def service_manager(role_user):
    return role_user(Role.SERVICE_MANAGER, username="sm")


@pytest.fixture
def admin_support(role_user):
    return role_user(Role.ADMIN_SUPPORT, username="admin_support")


@pytest.fixture
def system_admin(role_user):
    return role_user(Role.SYSTEM_ADMIN, username="sysadmin")


@pytest.fixture
def data_share(role_user):
    return role_user(Role.DATA_SHARE, username="datashare")
