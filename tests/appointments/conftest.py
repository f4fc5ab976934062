"""Fixtures for appointments: an offender on supervision at `office` allocated to the probation
officer, and helpers for New Zealand times."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from allocation.models import CaseRole
from staff.access import staff_of
from tests.factories import AllocationFactory, OffenderFactory, SentenceFactory

NZ = ZoneInfo("Pacific/Auckland")


def nz(year, month, day, hour=10, minute=0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=NZ)


def hours_ago(hours: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(hours=hours)


@pytest.fixture
def offender(office):
    return OffenderFactory(prn="48765432", given_names="Aroha Mere", family_name="Ngata", home_office=office)


@pytest.fixture
def sentence(offender):
    return SentenceFactory(offender=offender)


@pytest.fixture
def officer(probation_officer, offender, sentence):
    """The probation officer's staff record, supervising the offender."""
    member = staff_of(probation_officer)
    AllocationFactory(offender=offender, staff=member, sentence=sentence, role=CaseRole.SUPERVISING_OFFICER)
    return member


@pytest.fixture
def arrange(probation_officer, officer, offender, office):
    """arrange(starts_at, **overrides) -> a scheduled appointment of an hour with the officer."""
    from appointments.services import appointment_create

    def make(starts_at, **overrides):
        values = {
            "actor": probation_officer,
            "offender": offender,
            "officer": officer,
            "office": office,
            "kind": "office_visit",
            "starts_at": starts_at,
            "ends_at": starts_at + datetime.timedelta(hours=1),
            "location": "Interview room 2",
        }
        values.update(overrides)
        return appointment_create(**values)

    return make
