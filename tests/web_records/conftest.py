import datetime

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from staff.roles import Role
from tests.factories import CourtFactory, OffenceFactory, OffenderFactory


@pytest.fixture
def as_user(client):
    """as_user(user) -> the test client logged in as `user`."""

    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def days():
    return lambda n: datetime.timedelta(days=n)


@pytest.fixture
def offender(office):
    return OffenderFactory(
        prn="48765432", given_names="Aroha", family_name="Ngata", home_office=office, gender="F"
    )


@pytest.fixture
def court(db):
    return CourtFactory(code="WLGDC", name="Wellington District Court")


@pytest.fixture
def burglary(db):
    return OffenceFactory(code="BURG01", description="Burglary", act="Crimes Act 1961", section="231")


@pytest.fixture
def prison_officer(role_user):
    return role_user(Role.PRISON_OFFICER, username="prison")


@pytest.fixture
def audit_rows():
    """audit_rows(obj, action=None) -> the audit rows about `obj`, oldest first."""

    def rows(obj, action=None):
        found = AuditEvent.objects.filter(object_type=obj._meta.label, object_id=str(obj.pk))
        if action:
            found = found.filter(action=action)
        return list(found.order_by("id"))

    return rows
