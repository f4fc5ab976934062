import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from datashare.catalogue import CORE_FIELDS
from datashare.services import share_create, share_credential_issue
from offenders.models import Address, FlagKind, Identifier
from offenders.services import flag_raise
from staff.roles import Role
from tests.factories import (
    AliasFactory,
    AllocationFactory,
    CasenoteFactory,
    OffenderFactory,
    SentenceFactory,
    staff_user,
)

TODAY = datetime.date.today


def make_share(name="Northern probation", fields=None, **kwargs):
    return share_create(
        actor=None,
        name=name,
        partner=kwargs.pop("partner", "Northern Probation Area"),
        purpose=kwargs.pop("purpose", "Offender management across prison and probation."),
        allowed_fields=fields
        if fields is not None
        else {key: list(value) for key, value in CORE_FIELDS.items()},
        starts_on=kwargs.pop("starts_on", TODAY() - datetime.timedelta(days=30)),
        **kwargs,
    )


@pytest.fixture
def share(db):
    return make_share()


@pytest.fixture
def issued(share):
    """(credential, token) of the core share."""
    return share_credential_issue(actor=None, share=share, label="CRM production")


@pytest.fixture
def token(issued):
    return issued[1]


def bearer(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


@pytest.fixture
def partner(token):
    return bearer(token)


@pytest.fixture
def offender(office):
    """An offender with everything a share must never carry: aliases, addresses, identifiers, contact
    details, a flag with its reason, a casenote."""
    offender = OffenderFactory(
        prn="12345678",
        family_name="Tamihana",
        given_names="Wiremu",
        preferred_name="Wi",
        ethnicity="NZ Māori",
        phone="021 555 0101",
        email="wiremu@example.nz",
        home_office=office,
    )
    AliasFactory(offender=offender, family_name="Tūhoe-Thorvaldsen", given_names="Bill")
    Address.objects.create(offender=offender, line1="12 Secret Street", city="Porirua", started_on=TODAY())
    Identifier.objects.create(offender=offender, kind=Identifier.Kind.PNC, value="PNC-998877")
    keeper = staff_user(Role.SERVICE_MANAGER, office=office)
    flag_raise(
        actor=keeper, offender=offender, kind=FlagKind.SAFETY_CONCERN, reason="Threatened staff with a knife"
    )
    CasenoteFactory(offender=offender, summary="Disclosed a private matter", text="Very private text")
    return offender


@pytest.fixture
def sentence(offender):
    return SentenceFactory(
        offender=offender, conditions="Not to enter Porirua East", court_case_number="CRI-2025-1"
    )


@pytest.fixture
def allocation(offender, office):
    member = staff_user(Role.PROBATION_OFFICER, office=office, first_name="Aroha", last_name="Ngata").staff
    return AllocationFactory(offender=offender, staff=member, reason="Private allocation reason")


def count_queries(func) -> int:
    with CaptureQueriesContext(connection) as queries:
        func()
    return len(queries)
