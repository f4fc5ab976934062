"""People and records for the report tests: a prisoner on parole-eligible imprisonment after a
community sentence, the officer allocated to the case (who writes reports), the service managers
of the office (who approve them) and a history with a little of everything."""

import datetime

import pytest

from sentences.models import SentenceType
from staff.roles import Role
from tests.documents.helpers import build_history, days_ago, moment, today
from tests.factories import AllocationFactory, CasenoteFactory, CourtFactory, OffenderFactory, SentenceFactory


@pytest.fixture
def court(db):
    return CourtFactory(code="WLGDC", name="Wellington District Court")


@pytest.fixture
def offender(office):
    return OffenderFactory(
        prn="48765432", given_names="Aroha", family_name="Ngata", home_office=office, gender="F"
    )


@pytest.fixture
def imprisonment(offender, court):
    start = days_ago(700)
    return SentenceFactory(
        offender=offender,
        court=court,
        court_case_number="CRI-2024-085-1234",
        sentence_type=SentenceType.IMPRISONMENT,
        order_date=start,
        start_date=start,
        end_date=start + datetime.timedelta(days=365 * 4),
        parole_eligibility_date=start + datetime.timedelta(days=365 + 200),
        statutory_release_date=start + datetime.timedelta(days=365 * 2 + 200),
        parole_hearing_date=today() + datetime.timedelta(days=40),
    )


@pytest.fixture
def supervision(offender, court):
    start = days_ago(1500)
    return SentenceFactory(
        offender=offender,
        court=court,
        sentence_type=SentenceType.SUPERVISION,
        order_date=start,
        start_date=start,
        end_date=start + datetime.timedelta(days=365),
        conditions="Live where directed; attend a programme.",
        status="completed",
        completion_reason="normal",
        completed_on=start + datetime.timedelta(days=365),
    )


@pytest.fixture
def author(role_user, offender):
    """The probation officer allocated to the case: keeps the record and writes its reports."""
    officer = role_user(Role.PROBATION_OFFICER, username="author", first_name="Mere", last_name="Tane")
    AllocationFactory(offender=offender, staff=officer.staff)
    return officer


@pytest.fixture
def manager(role_user):
    return role_user(Role.SERVICE_MANAGER, username="manager", first_name="Hemi", last_name="Walker")


@pytest.fixture
def second_manager(role_user):
    return role_user(Role.SERVICE_MANAGER, username="manager2", first_name="Ana", last_name="Brown")


@pytest.fixture
def clerk(role_user):
    return role_user(Role.ADMIN_SUPPORT, username="clerk", first_name="Sam", last_name="Lee")


@pytest.fixture
def record(offender, imprisonment, supervision, author):
    """A history with a little of everything (see build_history), and one sensitive casenote."""
    build_history(offender=offender, sentence=imprisonment, recorder=author, size=2)
    CasenoteFactory(
        offender=offender,
        contact_on=moment(5),
        summary="Victim's whereabouts",
        text="The victim has moved to Napier.",
        sensitive=True,
        author=None,
    )
    return offender
