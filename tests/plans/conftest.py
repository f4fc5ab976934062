"""Fixtures for sentence plans: an offender on a community sentence with a supervising officer,
a prisoner at a prison with its officers, and programmes from the programme records."""

import datetime

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from staff.roles import Role
from tests.classification.factories import prison_sentence
from tests.factories import (
    AgencyFactory,
    AllocationFactory,
    OffenderFactory,
    PrisonFactory,
    ProgrammeFactory,
    SentenceFactory,
    staff_user,
)

DAY = datetime.timedelta(days=1)


def today() -> datetime.date:
    return timezone.localdate()


@pytest.fixture
def offender(office):
    return OffenderFactory(
        prn="48765432", given_names="Aroha", family_name="Ngata", home_office=office, gender="F"
    )


@pytest.fixture
def sentence(offender):
    """A supervision sentence managed by `office`, started 60 days ago."""
    return SentenceFactory(offender=offender)


@pytest.fixture
def officer(office, offender):
    """The probation officer supervising the offender (allocated to the case)."""
    user = staff_user(Role.PROBATION_OFFICER, office=office, username="supervisor", first_name="Mere")
    AllocationFactory(offender=offender, staff=user.staff)
    return user


@pytest.fixture
def prison(db):
    return PrisonFactory(code="RIM01", name="Rimutaka Prison")


@pytest.fixture
def prisoner_sentence(prison):
    return prison_sentence(managing_office=prison, offender=OffenderFactory(home_office=prison))


@pytest.fixture
def prison_officer(prison):
    return staff_user(Role.PRISON_OFFICER, office=prison, username="corrections_officer")


@pytest.fixture
def agency(db):
    return AgencyFactory(name="Te Whare Oranga")


@pytest.fixture
def programme(agency):
    return ProgrammeFactory(agency=agency, name="Drug treatment programme", capacity=2)


@pytest.fixture
def audit_rows():
    """audit_rows(obj) -> the audit rows about `obj`, oldest first."""

    def rows(obj):
        return list(
            AuditEvent.objects.filter(object_type=obj._meta.label, object_id=str(obj.pk)).order_by("id")
        )

    return rows


@pytest.fixture
def sessions():
    """sessions(referral) -> the referral's sessions as (date, outcome) pairs, oldest first."""

    def rows(referral):
        return [
            (attendance.session_on, attendance.outcome)
            for attendance in referral.attendances.order_by("session_on")
        ]

    return rows
