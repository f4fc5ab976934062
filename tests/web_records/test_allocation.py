"""Allocating staff to an offender's case and ending an allocation (seed 001: staff allocated,
changed)."""

import pytest
from django.urls import reverse

from allocation.models import CaseAllocation, CaseRole
from audit.models import AuditAction
from casenotes.models import Casenote, CasenoteType
from staff.roles import Role
from tests.factories import AllocationFactory, staff_user
from tests.web_records.helpers import field_errors, text

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(office):
    return staff_user(Role.PROBATION_OFFICER, office=office, first_name="Kiri", last_name="Walker").staff


def allocate(client, offender, **data):
    return client.post(reverse("allocation:allocate", kwargs={"offender_pk": offender.pk}), data, follow=True)


def test_a_service_manager_allocates_an_officer_of_the_office(
    as_user, service_manager, offender, officer, today, audit_rows
):
    response = allocate(
        as_user(service_manager),
        offender,
        staff=officer.pk,
        role=CaseRole.SUPERVISING_OFFICER,
        started_on=today.isoformat(),
        reason="New community sentence",
    )

    allocation = CaseAllocation.objects.get()
    assert allocation.staff == officer and allocation.allocated_by == service_manager
    assert response.redirect_chain[-1][0] == reverse("offenders:detail", kwargs={"pk": offender.pk})
    assert "Kiri Walker is allocated to Aroha Ngata as supervising probation officer." in text(response)
    assert [row.action for row in audit_rows(allocation)] == [AuditAction.CREATE]
    note = Casenote.objects.get(offender=offender, note_type=CasenoteType.ALLOCATION)
    assert "New community sentence" in note.text


def test_the_allocation_page_offers_only_staff_of_the_offenders_offices_with_their_caseload(
    as_user, service_manager, offender, officer, other_office
):
    elsewhere = staff_user(
        Role.PROBATION_OFFICER, office=other_office, first_name="Hemi", last_name="Far"
    ).staff
    AllocationFactory(staff=officer)

    response = as_user(service_manager).get(
        reverse("allocation:allocate", kwargs={"offender_pk": offender.pk})
    )

    html = response.content.decode()
    assert "Kiri Walker (Wellington Community Corrections, Probation officer) — 1 current case" in text(
        response
    )
    assert "Hemi Far" not in html

    refused = allocate(
        as_user(service_manager),
        offender,
        staff=elsewhere.pk,
        role=CaseRole.CO_WORKER,
        started_on="2026-01-01",
    )
    assert "staff" in field_errors(refused)
    assert not CaseAllocation.objects.filter(offender=offender).exists()


def test_allocating_the_same_officer_twice_in_the_same_role_is_refused(
    as_user, service_manager, offender, officer, today
):
    AllocationFactory(offender=offender, staff=officer, role=CaseRole.SUPERVISING_OFFICER)

    response = allocate(
        as_user(service_manager),
        offender,
        staff=officer.pk,
        role=CaseRole.SUPERVISING_OFFICER,
        started_on=today.isoformat(),
    )

    assert "already allocated to this case" in " ".join(field_errors(response)["__all__"])
    assert CaseAllocation.objects.count() == 1


@pytest.mark.parametrize("role", [Role.PROBATION_OFFICER, Role.ADMIN_SUPPORT, Role.DATA_SHARE])
def test_only_service_managers_allocate(as_user, role_user, offender, officer, today, role):
    client = as_user(role_user(role))
    assert client.get(reverse("allocation:allocate", kwargs={"offender_pk": offender.pk})).status_code == 403
    assert (
        client.post(
            reverse("allocation:allocate", kwargs={"offender_pk": offender.pk}),
            {"staff": officer.pk, "role": CaseRole.CO_WORKER, "started_on": today.isoformat()},
        ).status_code
        == 403
    )
    assert not CaseAllocation.objects.exists()


def test_a_manager_of_another_office_may_not_allocate(as_user, role_user, offender, other_office):
    manager = role_user(Role.SERVICE_MANAGER, at=other_office)
    assert (
        as_user(manager).get(reverse("allocation:allocate", kwargs={"offender_pk": offender.pk})).status_code
        == 403
    )


def test_ending_an_allocation_needs_a_reason_and_keeps_it_as_history(
    as_user, service_manager, offender, officer, today, audit_rows
):
    allocation = AllocationFactory(offender=offender, staff=officer)
    client = as_user(service_manager)
    url = reverse("allocation:end", kwargs={"pk": allocation.pk})

    refused = client.post(url, {"ended_on": today.isoformat(), "end_reason": ""})
    assert "end_reason" in field_errors(refused)
    allocation.refresh_from_db()
    assert allocation.ended_on is None

    response = client.post(
        url, {"ended_on": today.isoformat(), "end_reason": "Officer transferred"}, follow=True
    )

    allocation.refresh_from_db()
    assert allocation.ended_on == today and allocation.end_reason == "Officer transferred"
    assert "Kiri Walker is no longer allocated to Aroha Ngata." in text(response)
    assert [row.action for row in audit_rows(allocation)] == [AuditAction.UPDATE]


def test_an_allocation_cannot_end_before_it_started_or_in_the_future(
    as_user, service_manager, offender, officer, today, days
):
    allocation = AllocationFactory(offender=offender, staff=officer, started_on=today - days(3))
    client = as_user(service_manager)
    url = reverse("allocation:end", kwargs={"pk": allocation.pk})

    too_early = client.post(url, {"ended_on": (today - days(4)).isoformat(), "end_reason": "x"})
    too_late = client.post(url, {"ended_on": (today + days(1)).isoformat(), "end_reason": "x"})

    assert field_errors(too_early)["ended_on"] == ["An allocation cannot end before it started."]
    assert field_errors(too_late)["ended_on"] == ["An allocation can only be ended today or earlier."]
    allocation.refresh_from_db()
    assert allocation.ended_on is None


def test_a_probation_officer_cannot_end_an_allocation(as_user, probation_officer, offender, officer, today):
    allocation = AllocationFactory(offender=offender, staff=officer)

    response = as_user(probation_officer).post(
        reverse("allocation:end", kwargs={"pk": allocation.pk}),
        {"ended_on": today.isoformat(), "end_reason": "x"},
    )

    assert response.status_code == 403
    allocation.refresh_from_db()
    assert allocation.ended_on is None


def test_an_unknown_allocation_is_not_found(as_user, service_manager):
    assert as_user(service_manager).get(reverse("allocation:end", kwargs={"pk": 55555})).status_code == 404
