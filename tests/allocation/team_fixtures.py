"""Fixtures for the offender management team (seed 004): a community office (the `office` fixture,
Wellington), a prison holding the offender on a prison sentence, and the staff on both sides.
Made available to tests/allocation and tests/allocation_web by their conftest.py; a test module's
own fixture of the same name takes precedence."""

import pytest

from sentences.models import SentenceType
from staff.roles import Role
from tests.allocation.helpers import DAY, ensure_weights, today
from tests.factories import OffenderFactory, PrisonFactory, SentenceFactory, staff_user


@pytest.fixture
def weights(db):
    ensure_weights()


@pytest.fixture
def prison(db):
    return PrisonFactory(code="RIM01", name="Rimutaka Prison")


@pytest.fixture
def other_prison(db):
    return PrisonFactory(code="ARP01", name="Arohata Prison")


@pytest.fixture
def offender(office):
    return OffenderFactory(family_name="Ngata", given_names="Wiremu", home_office=office)


@pytest.fixture
def prison_sentence(offender, prison):
    """Serving a prison sentence at Rimutaka (not completed on release: a paroled prisoner still
    serves it)."""
    return SentenceFactory(
        offender=offender,
        sentence_type=SentenceType.IMPRISONMENT,
        managing_office=prison,
        order_date=today() - 400 * DAY,
        start_date=today() - 400 * DAY,
        statutory_release_date=today() + 300 * DAY,
        end_date=today() + 600 * DAY,
    )


@pytest.fixture
def manager(office):
    return staff_user(Role.SERVICE_MANAGER, office=office, first_name="Sina", last_name="Manager")


@pytest.fixture
def prison_manager(prison):
    return staff_user(Role.APPROVING_OFFICER, office=prison, first_name="Rawiri", last_name="Residential")


@pytest.fixture
def aroha(office):
    return staff_user(Role.PROBATION_OFFICER, office=office, first_name="Aroha", last_name="Officer").staff


@pytest.fixture
def ben(office):
    return staff_user(Role.PROBATION_OFFICER, office=office, first_name="Ben", last_name="Second").staff


@pytest.fixture
def hemi(prison):
    return staff_user(Role.PRISON_OFFICER, office=prison, first_name="Hemi", last_name="Corrections").staff


@pytest.fixture
def tui(prison):
    return staff_user(Role.PRISON_OFFICER, office=prison, first_name="Tui", last_name="Unit").staff
