import pytest
from django.contrib.auth.models import Permission

from staff.roles import Role


@pytest.fixture
def grant_sensitive():
    """grant_sensitive(user): give one user the sensitive-casenote permission."""

    def grant(user):
        user.user_permissions.add(Permission.objects.get(codename="view_sensitive_casenote"))
        return user

    return grant


@pytest.fixture
def prison_officer(role_user):
    return role_user(Role.PRISON_OFFICER, username="prison")


@pytest.fixture
def as_user(client):
    """as_user(user) -> the test client logged in as `user`."""

    def login(user):
        client.force_login(user)
        return client

    return login
