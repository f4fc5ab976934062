import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from staff.roles import Role
from tests.factories import OffenderFactory, SentenceFactory

TODAY = datetime.date.today


@pytest.fixture
def api(db):
    """api(user) -> an APIClient logged in as `user` (a session, as the browser has);
    api() -> an anonymous client."""

    def make(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def offender(office):
    return OffenderFactory(prn="12345678", family_name="Tamihana", given_names="Wiremu", home_office=office)


@pytest.fixture
def sentence(offender):
    return SentenceFactory(offender=offender)


@pytest.fixture
def prison_officer(role_user):
    return role_user(Role.PRISON_OFFICER, username="prison_officer")


@pytest.fixture
def no_role_user(db):
    from tests.factories import UserFactory

    return UserFactory(username="norole")


def count_queries(func) -> int:
    with CaptureQueriesContext(connection) as queries:
        func()
    return len(queries)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Every test here creates several staff users; PBKDF2 would dominate the run time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
