"""The allocation pages for every role: allowed or refused. ALLOCATION_PAGES can be read by
tests/test_access_matrix.py's check that every URL is tabled."""

import pytest
from django.test import Client
from django.urls import reverse

from allocation.models import AllocateRequest
from staff.roles import Role
from tests.allocation.helpers import ensure_weights, record_sentence
from tests.factories import OffenderFactory, staff_user

pytestmark = pytest.mark.django_db

EVERYONE = frozenset(Role.values)
MANAGERS = frozenset({Role.SERVICE_MANAGER, Role.SYSTEM_ADMIN})

# (url name, {kwarg: object key}, roles allowed); everyone works at the offender's office.
ALLOCATION_PAGES = [
    ("allocation:queue", {}, MANAGERS),
    ("allocation:request", {"pk": "request"}, MANAGERS),
    ("allocation:caseload", {}, EVERYONE),  # one's own caseload
    ("allocation:notifications", {}, EVERYONE),  # one's own notifications
    ("allocation:reallocate", {"staff_pk": "officer"}, MANAGERS),
    ("allocation:transfer", {"offender_pk": "offender"}, MANAGERS),
    ("allocation:history", {"offender_pk": "offender"}, EVERYONE),
    ("allocation:leave", {}, MANAGERS),  # the leave of one's own office's officers
]


@pytest.fixture
def objects(office):
    ensure_weights()
    manager = staff_user(Role.SERVICE_MANAGER, office=office)
    offender = OffenderFactory(home_office=office)
    record_sentence(manager, offender)
    return {
        "offender": offender,
        "request": AllocateRequest.objects.get(offender=offender),
        "officer": staff_user(Role.PROBATION_OFFICER, office=office).staff,
    }


@pytest.mark.parametrize("role", sorted(Role.values))
def test_allocation_pages_for_each_role(objects, office, role):
    client = Client()
    client.force_login(staff_user(role, office=office))

    outcomes = {
        name: client.get(
            reverse(name, kwargs={key: objects[value].pk for key, value in kwargs.items()})
        ).status_code
        for name, kwargs, _ in ALLOCATION_PAGES
    }

    expected = {name: 200 if role in allowed else 403 for name, _, allowed in ALLOCATION_PAGES}
    assert outcomes == expected


def test_caseload_of_another_office_is_refused_to_its_manager(objects, other_office):
    client = Client()
    client.force_login(staff_user(Role.SERVICE_MANAGER, office=other_office))
    url = reverse("allocation:caseload")

    assert client.get(url, {"staff": objects["officer"].pk}).status_code == 403
    assert (
        client.get(reverse("allocation:reallocate", kwargs={"staff_pk": objects["officer"].pk})).status_code
        == 403
    )
