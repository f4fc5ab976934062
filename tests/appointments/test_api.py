"""Appointments over the API: the same rules as the diary (the officer, their office's manager and
support staff, system administrators), audited reads and refusals, and the same services."""

import datetime

import pytest
from django.utils import timezone

from appointments.models import Appointment, AppointmentStatus
from audit.models import AuditAction, AuditEvent
from casenotes.models import Casenote
from staff.roles import Role
from tests.appointments.conftest import hours_ago
from tests.factories import OffenderFactory, staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(db):
    from rest_framework.test import APIClient

    def make(user=None):
        client = APIClient()
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def appointment(arrange):
    return arrange(hours_ago(1))


def test_the_officer_their_manager_support_staff_and_administrators_list_it(
    api, appointment, probation_officer, service_manager, admin_support, system_admin, office, other_office
):
    for user in (probation_officer, service_manager, admin_support, system_admin):
        response = api(user).get("/api/v1/appointments/")
        assert [row["id"] for row in response.json()["results"]] == [appointment.pk], user
    for user in (
        staff_user(Role.PROBATION_OFFICER, office=office),
        staff_user(Role.SERVICE_MANAGER, office=other_office),
        staff_user(Role.PRISON_OFFICER, office=office),
    ):
        assert api(user).get("/api/v1/appointments/").json()["results"] == []
        assert api(user).get(f"/api/v1/appointments/{appointment.pk}/").status_code == 403
    assert (
        api(staff_user(Role.DATA_SHARE, office=office)).get("/api/v1/appointments/").json()["results"] == []
    )


def test_reads_and_refusals_are_audited(api, appointment, probation_officer, offender, office):
    response = api(probation_officer).get(f"/api/v1/appointments/{appointment.pk}/")
    assert response.status_code == 200
    assert response.json()["offender_prn"] == "48765432"
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, actor=probation_officer, offender_id=offender.pk
    ).exists()

    colleague = staff_user(Role.PROBATION_OFFICER, office=office)
    api(colleague).post(
        f"/api/v1/appointments/{appointment.pk}/outcome/", {"outcome": "attended"}, format="json"
    )
    assert AuditEvent.objects.filter(action=AuditAction.DENIED, actor=colleague).exists()
    assert Appointment.objects.get(pk=appointment.pk).status == AppointmentStatus.SCHEDULED


def test_recording_an_outcome_writes_the_casenote(api, appointment, probation_officer, offender):
    response = api(probation_officer).post(
        f"/api/v1/appointments/{appointment.pk}/outcome/",
        {"outcome": "failed_acceptable", "note": "Medical certificate provided"},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["status"] == "failed_acceptable"
    assert Casenote.objects.get(offender=offender).pk == response.json()["casenote"]


def test_bad_input_is_refused_and_changes_nothing(api, appointment, probation_officer):
    client = api(probation_officer)
    response = client.post(
        f"/api/v1/appointments/{appointment.pk}/outcome/", {"outcome": "failed_acceptable"}, format="json"
    )
    assert response.status_code == 400
    assert "evidence" in str(response.json())
    response = client.post(
        f"/api/v1/appointments/{appointment.pk}/outcome/", {"outcome": "eaten"}, format="json"
    )
    assert response.status_code == 400
    assert Appointment.objects.get(pk=appointment.pk).status == AppointmentStatus.SCHEDULED
    assert not Casenote.objects.exists()


def test_arranging_and_rescheduling(api, probation_officer, officer, offender, office):
    client = api(probation_officer)
    starts = timezone.now() + datetime.timedelta(days=2)
    response = client.post(
        "/api/v1/appointments/",
        {
            "offender": offender.pk,
            "officer": officer.pk,
            "office": office.pk,
            "kind": "home_visit",
            "starts_at": starts.isoformat(),
            "ends_at": (starts + datetime.timedelta(hours=1)).isoformat(),
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    first = response.json()["id"]

    response = client.post(
        f"/api/v1/appointments/{first}/reschedule/",
        {
            "starts_at": (starts + datetime.timedelta(days=1)).isoformat(),
            "ends_at": (starts + datetime.timedelta(days=1, hours=1)).isoformat(),
            "reason": "Offender at a tangihanga",
        },
        format="json",
    )
    assert response.status_code == 201
    old = Appointment.objects.get(pk=first)
    assert old.status == AppointmentStatus.RESCHEDULED and old.rescheduled_to_id == response.json()["id"]


def test_an_officer_not_on_the_case_may_not_arrange(api, office, offender, officer):
    colleague = staff_user(Role.PROBATION_OFFICER, office=office)
    starts = timezone.now() + datetime.timedelta(days=2)
    response = api(colleague).post(
        "/api/v1/appointments/",
        {
            "offender": offender.pk,
            "officer": officer.pk,
            "office": office.pk,
            "kind": "phone",
            "starts_at": starts.isoformat(),
            "ends_at": (starts + datetime.timedelta(minutes=15)).isoformat(),
        },
        format="json",
    )
    assert response.status_code == 403
    assert not Appointment.objects.exists()


def test_bulk_outcomes_all_or_none(api, arrange, probation_officer, office):
    start = hours_ago(2)
    group = [
        arrange(start, offender=OffenderFactory(home_office=office), kind="programme_session")
        for _ in range(2)
    ]
    client = api(probation_officer)

    refused = client.post(
        "/api/v1/appointments/outcomes/",
        {
            "outcomes": [
                {"appointment": group[0].pk, "outcome": "attended"},
                {"appointment": group[1].pk, "outcome": "cancelled"},  # no reason
            ]
        },
        format="json",
    )
    assert refused.status_code == 400
    assert not Casenote.objects.exists()

    response = client.post(
        "/api/v1/appointments/outcomes/",
        {
            "outcomes": [
                {"appointment": group[0].pk, "outcome": "attended"},
                {"appointment": group[1].pk, "outcome": "attended_late"},
            ]
        },
        format="json",
    )
    assert response.status_code == 200
    assert [row["status"] for row in response.json()] == ["attended", "attended_late"]
    assert Casenote.objects.count() == 2
