"""Fixtures for conditions: an offender on a supervision sentence and one on community work, each
managed by `office`, with the probation officer allocated to the case."""

import datetime

import pytest
from django.utils import timezone

from sentences.models import SentenceType
from staff.roles import Role
from tests.api.conftest import api  # noqa: F401
from tests.courts.conftest import court, court_api, credential, offences, reference_data  # noqa: F401
from tests.factories import AllocationFactory, OffenderFactory, SentenceFactory, staff_user

DAY = datetime.timedelta(days=1)


def today() -> datetime.date:
    return timezone.localdate()


@pytest.fixture
def offender(office):
    return OffenderFactory(prn="48765433", given_names="Tama", family_name="Rewiti", home_office=office)


@pytest.fixture
def sentence(offender):
    """Supervision managed by `office`, started 60 days ago, a year long."""
    return SentenceFactory(offender=offender)


@pytest.fixture
def work_sentence(offender):
    return SentenceFactory(offender=offender, sentence_type=SentenceType.COMMUNITY_WORK, hours=100)


@pytest.fixture
def officer(office, offender):
    user = staff_user(Role.PROBATION_OFFICER, office=office, username="supervisor", first_name="Mere")
    AllocationFactory(offender=offender, staff=user.staff)
    return user
