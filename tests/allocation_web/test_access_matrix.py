"""The allocation pages for every role: allowed or refused. ALLOCATION_PAGES can be read by
tests/test_access_matrix.py's check that every URL is tabled."""

import pytest
from django.test import Client
from django.urls import reverse

from allocation.models import AllocateRequest, CaseRole
from allocation.requests import allocate_request_allocate
from staff.roles import Role
from tests.allocation.helpers import ensure_weights, finish_checklist, record_sentence
from tests.factories import AllocationFactory, OffenderFactory, UserFactory, staff_user

pytestmark = pytest.mark.django_db

EVERYONE = frozenset(Role.values)
MANAGERS = frozenset({Role.SERVICE_MANAGER, Role.SYSTEM_ADMIN})

# (url name, {kwarg: object key}, roles allowed); everyone works at the offender's office.
ALLOCATION_PAGES = [
    ("allocation:queue", {}, MANAGERS),
    ("allocation:request", {"pk": "request"}, MANAGERS),  # the task list
    # Its pages (issue 14): a checklist step, the choice of officer, cancelling, and the
    # confirmation after allocating (of a request already allocated).
    ("allocation:request_step", {"pk": "request", "step": "=ows_reviewed"}, MANAGERS),
    ("allocation:request_officer", {"pk": "request"}, MANAGERS),
    ("allocation:request_cancel", {"pk": "request"}, MANAGERS),
    ("allocation:request_allocated", {"pk": "allocated_request"}, MANAGERS),
    ("allocation:caseload", {}, EVERYONE),  # one's own caseload
    ("allocation:notifications", {}, EVERYONE),  # one's own notifications
    ("allocation:reallocate", {"staff_pk": "officer"}, MANAGERS),
    ("allocation:transfer", {"offender_pk": "offender"}, MANAGERS),
    # The data share sees only the shared record (docs/data-share.md).
    ("allocation:history", {"offender_pk": "offender"}, EVERYONE - {Role.DATA_SHARE}),
    ("allocation:leave", {}, MANAGERS),  # the leave of one's own office's officers
    # Replacing a member of the offender management team (seed 004); adding and ending are
    # allocation:allocate and allocation:end in tests/web_records/test_access_matrix.py.
    ("allocation:replace", {"pk": "allocation"}, MANAGERS),
]


@pytest.fixture
def objects(office):
    ensure_weights()
    manager = staff_user(Role.SERVICE_MANAGER, office=office)
    offender = OffenderFactory(home_office=office)
    record_sentence(manager, offender)
    officer = staff_user(Role.PROBATION_OFFICER, office=office).staff
    allocated = AllocateRequest.objects.get(
        sentence=record_sentence(manager, OffenderFactory(home_office=office))
    )
    finish_checklist(manager, allocated)
    allocate_request_allocate(actor=manager, request=allocated, staff=officer)
    return {
        "offender": offender,
        "request": AllocateRequest.objects.get(offender=offender),
        "allocated_request": allocated,
        "officer": officer,
        "allocation": AllocationFactory(offender=offender, staff=officer, role=CaseRole.OFFENDER_MANAGER),
    }


def _kwargs(kwargs, objects):
    """A value naming an object is its primary key; one starting with "=" is taken as it is."""
    return {key: value[1:] if value.startswith("=") else objects[value].pk for key, value in kwargs.items()}


def _urls(objects):
    return {name: reverse(name, kwargs=_kwargs(kwargs, objects)) for name, kwargs, _ in ALLOCATION_PAGES}


@pytest.mark.parametrize("role", sorted(Role.values))
def test_allocation_pages_for_each_role(objects, office, role):
    client = Client()
    client.force_login(staff_user(role, office=office))

    outcomes = {
        name: client.get(reverse(name, kwargs=_kwargs(kwargs, objects))).status_code
        for name, kwargs, _ in ALLOCATION_PAGES
    }

    expected = {name: 200 if role in allowed else 403 for name, _, allowed in ALLOCATION_PAGES}
    assert outcomes == expected


def test_a_user_without_a_role_is_refused_every_allocation_page_but_their_own_notifications(objects):
    client = Client()
    client.force_login(UserFactory())

    outcomes = {name: client.get(url).status_code for name, url in _urls(objects).items()}

    assert outcomes == {name: 200 if name == "allocation:notifications" else 403 for name in outcomes}


def test_an_anonymous_visitor_is_sent_to_log_in_from_every_allocation_page(objects):
    client = Client()

    for name, url in _urls(objects).items():
        response = client.get(url)
        assert response.status_code == 302, name
        assert response["Location"].startswith("/accounts/login/"), name


def test_caseload_of_another_office_is_refused_to_its_manager(objects, other_office):
    client = Client()
    client.force_login(staff_user(Role.SERVICE_MANAGER, office=other_office))
    url = reverse("allocation:caseload")

    assert client.get(url, {"staff": objects["officer"].pk}).status_code == 403
    assert (
        client.get(reverse("allocation:reallocate", kwargs={"staff_pk": objects["officer"].pk})).status_code
        == 403
    )
