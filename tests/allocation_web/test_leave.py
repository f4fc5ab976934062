"""Service managers record and end the leave of their office's officers in the portal; the ranking
of officers for a request reads it."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from allocation.models import AllocateRequest, StaffUnavailability
from allocation.unavailability import staff_unavailability_cancel, staff_unavailability_record
from audit.models import AuditAction, AuditEvent
from staff.roles import Role
from tests.allocation.helpers import DAY, ensure_weights, finish_checklist, record_sentence, today
from tests.factories import OffenderFactory, staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def weights(db):
    ensure_weights()


@pytest.fixture
def officers(role_user):
    return [
        role_user(Role.PROBATION_OFFICER, first_name="Aroha", last_name="Ngata", username="aroha").staff,
        role_user(Role.PROBATION_OFFICER, first_name="Ben", last_name="Smith", username="ben").staff,
    ]


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def leave_data(staff, starts_on, ends_on, note="Annual leave"):
    return {
        "record": "1",
        "staff": staff.pk,
        "kind": "leave",
        "starts_on": starts_on.isoformat(),
        "ends_on": ends_on.isoformat(),
        "reason": note,
    }


def test_manager_records_leave_and_the_request_ranking_shows_the_officer_unavailable(
    service_manager, office, officers
):
    aroha, ben = officers
    record_sentence(service_manager, OffenderFactory(home_office=office))
    request = AllocateRequest.objects.get()
    client = client_for(service_manager)

    response = client.post(
        reverse("allocation:leave"), leave_data(aroha, today() - DAY, today() + 10 * DAY), follow=True
    )

    assert response.redirect_chain == [(reverse("allocation:leave"), 302)]
    html = response.content.decode()
    assert "Leave of Aroha Ngata from" in html and "is recorded" in html
    assert "Aroha Ngata" in html and "Annual leave" in html and "Away now" in html
    absence = StaffUnavailability.objects.get(staff=aroha)
    assert (absence.starts_on, absence.ends_on) == (today() - DAY, today() + 10 * DAY)
    finish_checklist(service_manager, request)
    ranking = client.get(reverse("allocation:request_officer", kwargs={"pk": request.pk})).content.decode()
    assert f"Unavailable (leave) until {absence.ends_on:%-d %b %Y}" in ranking
    assert ranking.index("Ben Smith") < ranking.index("Aroha Ngata"), "the officer on leave is ranked last"


def test_queue_links_to_the_leave_page_for_its_manager(service_manager):
    html = client_for(service_manager).get(reverse("allocation:queue")).content.decode()

    assert reverse("allocation:leave") in html


def test_overlapping_leave_is_refused_next_to_the_field(service_manager, officers):
    aroha, _ = officers
    staff_unavailability_record(
        actor=service_manager, staff=aroha, starts_on=today() + DAY, ends_on=today() + 5 * DAY, reason=""
    )

    response = client_for(service_manager).post(
        reverse("allocation:leave"), leave_data(aroha, today() + 5 * DAY, today() + 9 * DAY)
    )

    assert response.status_code == 400
    assert "overlaps this period" in response.context["form"].errors["starts_on"][0]
    assert "overlaps this period" in response.content.decode()
    assert StaffUnavailability.objects.filter(staff=aroha).count() == 1


def test_another_officers_leave_may_overlap(service_manager, officers):
    aroha, ben = officers
    staff_unavailability_record(
        actor=service_manager, staff=aroha, starts_on=today(), ends_on=today() + 5 * DAY, reason=""
    )

    staff_unavailability_record(
        actor=service_manager, staff=ben, starts_on=today(), ends_on=today() + 5 * DAY, reason=""
    )

    assert StaffUnavailability.objects.count() == 2


def test_leave_ending_before_it_starts_is_refused(service_manager, officers):
    aroha, _ = officers

    response = client_for(service_manager).post(
        reverse("allocation:leave"), leave_data(aroha, today() + 5 * DAY, today() + 2 * DAY)
    )

    assert response.status_code == 400
    assert response.context["form"].errors["ends_on"] == ["The last day cannot be before the first day."]
    with pytest.raises(ValidationError) as error:
        staff_unavailability_record(
            actor=service_manager, staff=aroha, starts_on=today() + 5 * DAY, ends_on=today(), reason=""
        )
    assert "ends_on" in error.value.message_dict
    assert not StaffUnavailability.objects.exists()
    assert not AuditEvent.objects.filter(object_type="allocation.StaffUnavailability").exists()


def test_leave_entirely_in_the_past_is_refused(service_manager, officers):
    aroha, _ = officers

    with pytest.raises(ValidationError) as error:
        staff_unavailability_record(
            actor=service_manager,
            staff=aroha,
            starts_on=today() - 10 * DAY,
            ends_on=today() - DAY,
            reason="",
        )

    assert "entirely in the past" in error.value.message_dict["ends_on"][0]


def test_manager_of_another_office_may_not_record_or_end_leave(service_manager, officers, other_office):
    aroha, _ = officers
    outsider = staff_user(Role.SERVICE_MANAGER, office=other_office)
    absence = staff_unavailability_record(
        actor=service_manager, staff=aroha, starts_on=today() + DAY, ends_on=today() + 3 * DAY, reason=""
    )

    with pytest.raises(PermissionDenied):
        staff_unavailability_record(
            actor=outsider, staff=aroha, starts_on=today() + 9 * DAY, ends_on=today() + 12 * DAY, reason=""
        )
    with pytest.raises(PermissionDenied):
        staff_unavailability_cancel(actor=outsider, unavailability=absence, reason="Mistake")
    client = client_for(outsider)
    posted = client.post(
        reverse("allocation:leave"), leave_data(aroha, today() + 9 * DAY, today() + 12 * DAY)
    )
    cancelled = client.post(
        reverse("allocation:leave"), {"cancel": absence.pk, f"cancel-{absence.pk}-reason": "Mistake"}
    )
    page = client.get(reverse("allocation:leave")).content.decode()

    assert posted.status_code == 400, "an officer of another office is not among the choices"
    assert "Select a valid choice" in posted.content.decode()
    assert cancelled.status_code == 403
    assert "Aroha Ngata" not in page
    assert list(StaffUnavailability.objects.values_list("pk", flat=True)) == [absence.pk]


def test_probation_officer_may_not_record_leave(probation_officer, officers):
    aroha, _ = officers

    response = client_for(probation_officer).post(
        reverse("allocation:leave"), leave_data(aroha, today() + DAY, today() + 2 * DAY)
    )

    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        staff_unavailability_record(
            actor=probation_officer, staff=aroha, starts_on=today(), ends_on=today(), reason=""
        )
    assert not StaffUnavailability.objects.exists()


def test_recording_and_ending_leave_write_audit_rows(service_manager, officers):
    aroha, ben = officers
    client = client_for(service_manager)
    client.post(reverse("allocation:leave"), leave_data(aroha, today() - 2 * DAY, today() + 5 * DAY))
    client.post(reverse("allocation:leave"), leave_data(ben, today() + 3 * DAY, today() + 5 * DAY))
    under_way = StaffUnavailability.objects.get(staff=aroha)
    upcoming = StaffUnavailability.objects.get(staff=ben)

    ended = client.post(
        reverse("allocation:leave"),
        {"cancel": under_way.pk, f"cancel-{under_way.pk}-reason": "Returned early"},
        follow=True,
    )
    client.post(
        reverse("allocation:leave"), {"cancel": upcoming.pk, f"cancel-{upcoming.pk}-reason": "Withdrawn"}
    )

    assert f"now ends on {today() - DAY:%-d %b %Y}" in ended.content.decode()
    under_way.refresh_from_db()
    assert under_way.ends_on == today() - DAY, "the days taken stay on record; available from today"
    assert not StaffUnavailability.objects.filter(pk=upcoming.pk).exists()
    events = AuditEvent.objects.filter(object_type="allocation.StaffUnavailability", actor=service_manager)
    assert set(events.values_list("object_id", "action")) == {
        (str(under_way.pk), AuditAction.CREATE),
        (str(upcoming.pk), AuditAction.CREATE),
        (str(under_way.pk), AuditAction.UPDATE),
        (str(upcoming.pk), AuditAction.DELETE),
    }
    created = events.get(object_id=str(under_way.pk), action=AuditAction.CREATE)
    assert created.changes["staff"] == [None, str(aroha)]
    withdrawn = events.get(action=AuditAction.DELETE)
    assert withdrawn.changes["reason"] == [None, "Withdrawn"]
    assert "Withdrew leave of Ben Smith" in withdrawn.summary


def test_ending_leave_needs_a_reason_shown_next_to_the_field(service_manager, officers):
    aroha, _ = officers
    absence = staff_unavailability_record(
        actor=service_manager, staff=aroha, starts_on=today() + DAY, ends_on=today() + 3 * DAY, reason=""
    )

    response = client_for(service_manager).post(reverse("allocation:leave"), {"cancel": absence.pk})

    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="id_cancel-{absence.pk}-reason"' in html and "This field is required." in html
    assert StaffUnavailability.objects.filter(pk=absence.pk).exists()


def test_leave_already_over_cannot_be_ended(service_manager, officers):
    aroha, _ = officers
    past = StaffUnavailability.objects.create(staff=aroha, starts_on=today() - 9 * DAY, ends_on=today() - DAY)

    with pytest.raises(ValidationError, match="already over"):
        staff_unavailability_cancel(actor=service_manager, unavailability=past, reason="Tidy up")


def test_leave_page_runs_the_same_number_of_queries_for_3_or_15_rows(service_manager, office):
    client = client_for(service_manager)

    def count_queries(rows: int) -> int:
        StaffUnavailability.objects.all().delete()
        for n in range(rows):
            member = staff_user(Role.PROBATION_OFFICER, office=office).staff
            StaffUnavailability.objects.create(
                staff=member, starts_on=today() + n * DAY, ends_on=today() + (n + 2) * DAY
            )
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("allocation:leave"))
        assert response.status_code == 200
        assert len(response.context["items"]) == rows
        return len(captured)

    assert count_queries(3) == count_queries(15)
