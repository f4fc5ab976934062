"""The access matrix of a restricted record's pages (issue 11), for every role: a member of staff at
the record's office who is not on its access list, and one who is. Statuses as a user sees them:
200 allowed, 302 sent on (the break-glass page of a record one may already open goes to it), 403
refused with the masked page, 404 (the data share never learns a restricted record exists)."""

import pytest
from django.urls import reverse

from offenders.models import RestrictedAccess
from offenders.services import offender_restrict, restricted_access_grant
from staff.roles import Role
from tests.factories import OffenderFactory, SentenceFactory, UserFactory, staff_user

pytestmark = pytest.mark.django_db

PO, SM, AS, PR, RO, AO, DS, SA = (
    Role.PROBATION_OFFICER,
    Role.SERVICE_MANAGER,
    Role.ADMIN_SUPPORT,
    Role.PRISON_OFFICER,
    Role.RECOMMENDING_OFFICER,
    Role.APPROVING_OFFICER,
    Role.DATA_SHARE,
    Role.SYSTEM_ADMIN,
)
EVERYONE = frozenset(Role.values)
STAFF = EVERYONE - {DS}
MANAGERS = frozenset({SM, SA})

# (url name, {kwarg: object key}, status for someone not on the list, status for someone on it),
# each a function of the role.
RESTRICTED_PAGES = [
    ("offenders:detail", {"pk": "offender"}, lambda r: 404 if r == DS else 403, lambda r: 200),
    ("offenders:sentences", {"pk": "offender"}, lambda r: 403, lambda r: 200),
    ("offenders:restrict", {"pk": "offender"}, lambda r: 403, lambda r: 403),  # already restricted
    ("offenders:access_list", {"pk": "offender"}, lambda r: 403, lambda r: 200),
    (
        "offenders:restriction_lift",
        {"pk": "offender"},
        lambda r: 403,
        lambda r: 200 if r in MANAGERS else 403,
    ),
    (
        "offenders:access_revoke",
        {"pk": "offender", "access_pk": "access"},
        lambda r: 403,
        lambda r: 200 if r in MANAGERS else 403,
    ),
    ("offenders:break_glass", {"pk": "offender"}, lambda r: 200 if r in STAFF else 403, lambda r: 302),
]


@pytest.fixture
def objects(office):
    offender = OffenderFactory(home_office=office)
    SentenceFactory(offender=offender)
    keeper = staff_user(SM, office=office)
    offender_restrict(actor=keeper, offender=offender, reason="High-profile person")
    offender.refresh_from_db()
    return {"offender": offender, "keeper": keeper, "access": RestrictedAccess.objects.get(user=keeper)}


def _url(name, kwargs, objects):
    return reverse(name, kwargs={key: objects[value].pk for key, value in kwargs.items()})


@pytest.mark.parametrize("role", sorted(EVERYONE))
def test_each_role_not_on_the_list_is_refused_each_page_but_may_break_the_glass(
    client, office, objects, role
):
    client.force_login(staff_user(role, office=office))
    outcomes = {
        name: client.get(_url(name, kwargs, objects)).status_code for name, kwargs, _, _ in RESTRICTED_PAGES
    }
    assert outcomes == {name: refused(role) for name, _, refused, _ in RESTRICTED_PAGES}


@pytest.mark.parametrize("role", sorted(STAFF))
def test_each_role_on_the_list_opens_the_record_and_only_managers_keep_the_list(
    client, office, objects, role
):
    user = staff_user(role, office=office)
    restricted_access_grant(actor=objects["keeper"], offender=objects["offender"], user=user)
    client.force_login(user)
    outcomes = {
        name: client.get(_url(name, kwargs, objects)).status_code for name, kwargs, _, _ in RESTRICTED_PAGES
    }
    assert outcomes == {name: allowed(role) for name, _, _, allowed in RESTRICTED_PAGES}


def test_a_user_without_a_role_is_refused_every_page(client, objects):
    client.force_login(UserFactory())
    statuses = {
        client.get(_url(name, kwargs, objects)).status_code for name, kwargs, _, _ in RESTRICTED_PAGES
    }
    assert statuses == {403}
