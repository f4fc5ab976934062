"""The appointment pages: who may open each (every role; the probation officer here is the one
the appointment is with, a colleague is refused), what they show, the diary's one-step and bulk
outcomes, and a constant number of queries for the diary and the office calendar."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from appointments.models import Appointment, AppointmentStatus
from appointments.services import ZONE, appointment_create
from audit.models import AuditAction, AuditEvent
from casenotes.models import Casenote
from staff.access import staff_of
from staff.roles import Role
from tests.appointments.conftest import hours_ago
from tests.factories import OffenderFactory, UserFactory, staff_user

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
READERS = EVERYONE - {DS}
KEEPERS = frozenset({PO, SM, AS, SA})  # the officer (their own), their office's manager and support
ARRANGERS = frozenset({PO, SM, AS, SA})  # the officer is on the case
LEVEL_SETTERS = frozenset({PO, SM, SA})  # a supervision decision: not administrative support

# (url name, {kwarg: object key}, roles allowed). Everyone works at the offender's office; the
# probation officer is the one on the case (`officer_user`); the ical feed takes a token instead.
APPOINTMENT_PAGES = [
    ("appointments:mine", {}, {PO}),  # a redirect to the officer's own diary
    ("appointments:diary", {"staff_pk": "officer"}, KEEPERS),
    ("appointments:office", {"office_pk": "office"}, KEEPERS),
    ("appointments:offender", {"offender_pk": "offender"}, READERS),
    ("appointments:create", {"offender_pk": "offender"}, ARRANGERS),
    ("appointments:contact_level", {"offender_pk": "offender"}, LEVEL_SETTERS),
    (
        "appointments:reminders",
        {"offender_pk": "offender"},
        ARRANGERS,
    ),  # tests/appointments/test_reminders.py
    ("appointments:detail", {"pk": "appointment"}, READERS),
    ("appointments:outcome", {"pk": "appointment"}, KEEPERS),
    ("appointments:reschedule", {"pk": "appointment"}, KEEPERS),
    ("appointments:change", {"pk": "appointment"}, KEEPERS),
    ("appointments:feed", {}, {PO}),
    ("appointments:bulk_outcomes", {}, KEEPERS),  # POST only: tested below
    ("appointments:ical", {"token": "token"}, set()),  # no login: tests/appointments/test_feed.py
]


@pytest.fixture
def objects(officer, offender, office, arrange):
    return {
        "officer": officer,
        "office": office,
        "offender": offender,
        "appointment": arrange(hours_ago(1)),
    }


def _url(name, kwargs, objects):
    return reverse(name, kwargs={key: objects[value].pk for key, value in kwargs.items()})


GET_PAGES = [
    page for page in APPOINTMENT_PAGES if page[0] not in {"appointments:bulk_outcomes", "appointments:ical"}
]


@pytest.mark.parametrize("role", sorted(EVERYONE))
def test_each_role_is_allowed_or_refused_each_page(client, office, objects, probation_officer, role):
    user = probation_officer if role == PO else staff_user(role, office=office)
    client.force_login(user)
    outcomes = {name: client.get(_url(name, kwargs, objects)).status_code for name, kwargs, _ in GET_PAGES}
    expected = {
        name: (302 if name == "appointments:mine" else 200) if role in allowed else 403
        for name, _, allowed in GET_PAGES
    }
    assert outcomes == expected


def test_another_probation_officer_may_read_the_schedule_but_not_keep_the_diary(client, office, objects):
    colleague = staff_user(PO, office=office)
    client.force_login(colleague)
    assert client.get(_url("appointments:offender", {"offender_pk": "offender"}, objects)).status_code == 200
    for name, kwargs in [
        ("appointments:diary", {"staff_pk": "officer"}),
        ("appointments:outcome", {"pk": "appointment"}),
        ("appointments:create", {"offender_pk": "offender"}),
    ]:
        assert client.get(_url(name, kwargs, objects)).status_code == 403, name
    response = client.post(
        _url("appointments:outcome", {"pk": "appointment"}, objects), {"outcome": "attended"}
    )
    assert response.status_code == 403
    assert objects["appointment"].__class__.objects.get(pk=objects["appointment"].pk).status == "scheduled"
    assert AuditEvent.objects.filter(action=AuditAction.DENIED, actor=colleague).exists()


def test_staff_of_another_office_do_not_see_its_calendar(client, other_office, objects):
    for role in (PO, SM, AS):
        client.force_login(staff_user(role, office=other_office))
        assert client.get(_url("appointments:office", {"office_pk": "office"}, objects)).status_code == 403
        assert client.get(_url("appointments:diary", {"staff_pk": "officer"}, objects)).status_code == 403


def test_a_user_without_a_role_and_anonymous_visitors_are_refused(client, objects):
    for name, kwargs, _ in GET_PAGES:
        response = client.get(_url(name, kwargs, objects))
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), name
    client.force_login(UserFactory())
    for name, kwargs, _ in GET_PAGES:
        assert client.get(_url(name, kwargs, objects)).status_code == 403, name


def test_the_diary_records_an_outcome_in_one_step(client, probation_officer, objects, offender):
    client.force_login(probation_officer)
    diary = reverse("appointments:diary", args=[objects["officer"].pk])
    page = client.get(diary)
    assert b"NGATA, Aroha Mere" in page.content
    assert (
        f'action="{reverse("appointments:outcome", args=[objects["appointment"].pk])}"'.encode()
        in page.content
    )

    response = client.post(
        reverse("appointments:outcome", args=[objects["appointment"].pk]),
        {"outcome": "attended_late", "note": "Bus was late", "next": diary},
    )

    assert response.status_code == 302 and response["Location"] == diary
    appointment = Appointment.objects.get(pk=objects["appointment"].pk)
    assert appointment.status == AppointmentStatus.ATTENDED_LATE
    assert Casenote.objects.get(offender=offender).summary == "Office visit: attended late"
    assert AuditEvent.objects.filter(action=AuditAction.VIEW, offender_id=offender.pk).exists()


def test_an_acceptable_failure_without_evidence_is_refused_with_a_clear_error(
    client, probation_officer, objects
):
    client.force_login(probation_officer)

    response = client.post(
        reverse("appointments:outcome", args=[objects["appointment"].pk]), {"outcome": "failed_acceptable"}
    )

    assert response.status_code == 200
    assert "evidence" in response.content.decode()
    assert not Casenote.objects.exists()


def test_the_diary_records_a_work_partys_outcomes_together(
    client, probation_officer, officer, office, arrange
):
    start = hours_ago(2)
    party = [
        arrange(
            start, offender=OffenderFactory(home_office=office), kind="community_work", location="Riverside"
        )
        for _ in range(3)
    ]
    client.force_login(probation_officer)
    diary = reverse("appointments:diary", args=[officer.pk])
    page = client.get(diary).content.decode()
    assert "record everyone" in page

    response = client.post(
        reverse("appointments:bulk_outcomes"),
        {
            "appointment": [a.pk for a in party],
            f"outcome-{party[0].pk}": "attended",
            f"outcome-{party[1].pk}": "failed_unacceptable",
            f"outcome-{party[2].pk}": "attended",
            "next": diary,
        },
    )

    assert response.status_code == 302
    assert [Appointment.objects.get(pk=a.pk).status for a in party] == [
        "attended",
        "failed_unacceptable",
        "attended",
    ]
    # One casenote per outcome, and the enforcement considered for the unacceptable failure.
    assert Casenote.objects.count() == 4
    assert Casenote.objects.filter(summary="Enforcement being considered").count() == 1


def test_arranging_a_weekly_series_from_the_record(client, probation_officer, officer, offender, office):
    client.force_login(probation_officer)
    day = timezone.localdate(timezone=ZONE) + datetime.timedelta(days=3)

    response = client.post(
        reverse("appointments:create", args=[offender.pk]),
        {
            "kind": "office_visit",
            "officer": officer.pk,
            "office": office.pk,
            "on": day.isoformat(),
            "starts": "10:00",
            "ends": "10:30",
            "location": "Room 1",
            "frequency": "weekly",
            "occurrences": "6",
        },
    )

    assert response.status_code == 302
    assert Appointment.objects.filter(offender=offender, series__isnull=False).count() == 6
    schedule = client.get(reverse("appointments:offender", args=[offender.pk])).content.decode()
    assert schedule.count("(repeats)") == 6


def _calendar_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_diary_and_office_calendar_take_the_same_queries_for_one_or_sixty_cases(
    client, probation_officer, officer, office, arrange
):
    client.force_login(probation_officer)
    diary = reverse("appointments:diary", args=[officer.pk]) + "?view=week"
    calendar = reverse("appointments:office", args=[office.pk]) + "?view=week"
    arrange(hours_ago(1))
    client.get(diary)  # warm the session and caches
    few = (_calendar_queries(client, diary), _calendar_queries(client, calendar))

    colleague = staff_of(staff_user(PO, office=office))
    monday = timezone.localdate(timezone=ZONE) - datetime.timedelta(
        days=timezone.localdate(timezone=ZONE).weekday()
    )
    for n in range(60):
        offender = OffenderFactory(home_office=office)
        starts = datetime.datetime.combine(
            monday + datetime.timedelta(days=n % 5), datetime.time(9 + n % 8), tzinfo=ZONE
        )
        for who in (officer, colleague):
            appointment_create(
                actor=probation_officer,
                offender=offender,
                officer=who,
                office=office,
                kind="programme_session" if n % 3 == 0 else "office_visit",
                starts_at=starts,
                ends_at=starts + datetime.timedelta(hours=1),
                location="Group room" if n % 3 == 0 else "",
            )

    many = (_calendar_queries(client, diary), _calendar_queries(client, calendar))
    assert many == few
    assert Appointment.objects.filter(officer=officer).count() == 61
