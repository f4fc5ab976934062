"""Appointment reminders (appointments.reminders): which appointments are reminded and how, once
only however often (or however many at once) the task runs, failed sends retried up to three
times, backends that log nothing personal or send through Django's mail, a message free of
anything sensitive, and the preference page: role-checked, audited, refusing bad input."""

import datetime
import logging
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from appointments.models import (
    AppointmentStatus,
    ReminderChannel,
    ReminderPreference,
    ReminderSent,
    ReminderStatus,
)
from appointments.reminders import (
    MAX_ATTEMPTS,
    due_appointments,
    reminder_text,
    reminders_send_due,
    when_text,
)
from appointments.services import appointment_reschedule, outcome_record, reminder_preference_set
from audit.models import AuditAction, AuditEvent
from staff.access import staff_of
from staff.roles import Role
from tests.appointments.conftest import nz
from tests.factories import (
    CasenoteFactory,
    ConvictionFactory,
    OffenceFactory,
    OffenderFactory,
    SentenceFactory,
    staff_user,
)

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)
PHONE, EMAIL = "021 555 0199", "aroha.ngata@example.org"
SENT: list = []  # what the recording backends were given, in order


class RecordingBackend:
    def send(self, reminder):
        SENT.append(reminder)


class FailingBackend:
    def send(self, reminder):
        SENT.append(reminder)
        raise ConnectionError("The gateway did not answer")


RECORDING = "tests.appointments.test_reminders.RecordingBackend"
FAILING = "tests.appointments.test_reminders.FailingBackend"


@pytest.fixture(autouse=True)
def recording(settings):
    SENT.clear()
    settings.IOMS_REMINDER_BACKEND = RECORDING
    settings.IOMS_REMINDER_HOURS_BEFORE = 24
    yield
    SENT.clear()


@pytest.fixture
def contactable(offender, office):
    offender.phone, offender.email = PHONE, EMAIL
    offender.save(update_fields=["phone", "email"])
    office.address, office.phone = "15 Willis Street, Wellington", "04 555 0100"
    office.save(update_fields=["address", "phone"])
    return offender


def ahead(hours: float) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(hours=hours)


# --- What the message says ------------------------------------------------------------------------


def test_the_message_gives_the_day_and_time_in_new_zealand_the_office_and_its_phone(contactable, arrange):
    appointment = arrange(nz(2026, 12, 8, 10))

    subject, body = reminder_text(appointment)

    assert subject == "Appointment reminder"
    assert body == (
        "Reminder: you have an appointment on Tuesday 8 December 2026 at 10:00am at Wellington "
        "Community Corrections, 15 Willis Street, Wellington. If you cannot come, call 04 555 0100 "
        "as soon as you can."
    )


def test_times_read_as_people_say_them_across_daylight_saving():
    assert when_text(nz(2026, 7, 1, 14, 30)) == "Wednesday 1 July 2026 at 2:30pm"  # winter, +12
    assert when_text(nz(2026, 12, 8, 9, 5)) == "Tuesday 8 December 2026 at 9:05am"  # summer, +13
    assert when_text(nz(2026, 12, 8, 12)) == "Tuesday 8 December 2026 at 12:00pm"
    assert when_text(datetime.datetime(2026, 12, 7, 21, tzinfo=datetime.UTC)) == (
        "Tuesday 8 December 2026 at 10:00am"
    )


def test_a_home_visit_a_phone_call_and_a_programme_say_where_without_saying_what(contactable, arrange):
    at = nz(2026, 12, 8, 10)
    home = reminder_text(arrange(at, kind="home_visit"))[1]
    phone = reminder_text(arrange(at, kind="phone"))[1]
    programme = reminder_text(arrange(at, kind="programme_session", location="Stopping Violence group"))[1]

    assert "at 10:00am at your home. If you cannot come" in home
    assert "at 10:00am: we will phone you. If you cannot come" in phone
    assert "appointment on Tuesday 8 December 2026 at 10:00am. If you cannot come" in programme
    for body in (home, phone, programme):
        assert "Willis Street" not in body and "Stopping Violence" not in body


def test_without_an_office_phone_the_message_says_to_call_the_office(contactable, office, arrange):
    office.phone = ""
    office.save(update_fields=["phone"])
    assert "If you cannot come, call your office as soon as you can." in reminder_text(arrange(ahead(24)))[1]


def test_no_sensitive_detail_reaches_the_message(contactable, offender, officer, arrange):
    officer.user.first_name, officer.user.last_name = "Wiremu", "Tautahi"
    officer.user.save(update_fields=["first_name", "last_name"])
    offence = OffenceFactory(description="Aggravated robbery with a zebra")
    ConvictionFactory(sentence=SentenceFactory(offender=offender), offence=offence)
    CasenoteFactory(offender=offender, summary="Relapse disclosed", text="Disclosed a relapse to kava-gin")
    kinds = {
        "office_visit": "Drug counselling at the Marigold clinic",
        "programme_session": "Anger management, Marigold hall",
        "community_work": "Graffiti removal crew at Marigold park",
        "home_visit": "Check the curfew at Marigold street",
        "phone": "Call about the breach of the Marigold order",
    }
    for hours, (kind, location) in enumerate(kinds.items(), start=21):
        arrange(ahead(hours), kind=kind, location=location, notes=f"Secret note {kind}: zebra relapse")

    assert reminders_send_due() == 5

    assert len(SENT) == 5
    for reminder in SENT:
        text = f"{reminder.subject}\n{reminder.body}".lower()
        for detail in (
            "zebra",
            "relapse",
            "kava",
            "marigold",
            "robbery",
            "secret",
            "wiremu",
            "tautahi",
            "aroha",
            "ngata",
            offender.prn,
            "programme",
            "community work",
            "placement",
            "office visit",
            "home visit",
            "phone call",
            "supervision",
            "sentence",
            "offence",
            "probation",
        ):
            assert detail.lower() not in text, (detail, reminder.appointment_id)
        assert "appointment on" in text and "if you cannot come, call 04 555 0100" in text


# --- Which appointments, by which channel -----------------------------------------------------------


def test_only_scheduled_appointments_twenty_to_twenty_eight_hours_ahead_are_reminded(
    probation_officer, contactable, arrange
):
    too_soon, first, last, too_late = (arrange(ahead(h)) for h in (19.5, 20.5, 27.5, 28.5))
    cancelled, moved = arrange(ahead(22)), arrange(ahead(23))
    outcome_record(
        actor=probation_officer,
        appointment=cancelled,
        outcome=AppointmentStatus.CANCELLED,
        note="Office closed",
    )
    replacement = appointment_reschedule(
        actor=probation_officer,
        appointment=moved,
        starts_at=ahead(100),
        ends_at=ahead(101),
        reason="Officer away",
    )

    assert reminders_send_due() == 2

    assert sorted(reminder.appointment_id for reminder in SENT) == sorted([first.pk, last.pk])
    assert set(ReminderSent.objects.values_list("appointment_id", flat=True)) == {first.pk, last.pk}
    assert not {too_soon.pk, too_late.pk, cancelled.pk, moved.pk, replacement.pk} & {
        r.appointment_id for r in SENT
    }


def test_no_reminder_goes_to_someone_recorded_as_dead(office, officer, arrange):
    died = OffenderFactory(phone=PHONE, home_office=office, date_of_death=timezone.localdate())
    arrange(ahead(24), offender=died)
    assert reminders_send_due() == 0 and SENT == []


def test_the_hours_before_are_a_setting(settings, contactable, arrange):
    settings.IOMS_REMINDER_HOURS_BEFORE = 48
    tomorrow, day_after = arrange(ahead(24)), arrange(ahead(48))

    reminders_send_due()

    assert [reminder.appointment_id for reminder in SENT] == [day_after.pk]
    assert tomorrow.pk not in {r.appointment_id for r in SENT}


def test_by_default_a_text_to_the_phone_else_an_e_mail_else_nothing(office, officer, arrange):
    both = OffenderFactory(phone=PHONE, email=EMAIL, home_office=office)
    email_only = OffenderFactory(email="only@example.org", home_office=office)
    neither = OffenderFactory(home_office=office)
    for person in (both, email_only, neither):
        arrange(ahead(24), offender=person)

    assert reminders_send_due() == 2

    assert sorted((r.channel, r.address) for r in SENT) == [("email", "only@example.org"), ("text", PHONE)]


def test_the_persons_preference_is_respected(probation_officer, office, arrange):
    by_email = OffenderFactory(phone=PHONE, email=EMAIL, home_office=office)
    declined = OffenderFactory(phone="021 000 0000", email="no@example.org", home_office=office)
    gone = OffenderFactory(phone="021 111 1111", home_office=office)
    reminder_preference_set(actor=probation_officer, offender=by_email, channel=ReminderChannel.EMAIL)
    reminder_preference_set(actor=probation_officer, offender=declined, channel=ReminderChannel.NONE)
    reminder_preference_set(actor=probation_officer, offender=gone, channel=ReminderChannel.TEXT)
    gone.phone = ""  # the number was taken off the record after the preference was set
    gone.save(update_fields=["phone"])
    for person in (by_email, declined, gone):
        arrange(ahead(24), offender=person)

    assert reminders_send_due() == 1

    assert [(r.channel, r.address) for r in SENT] == [("email", EMAIL)]


# --- Once only, retries ---------------------------------------------------------------------------


def test_a_reminder_is_sent_once_however_often_the_task_runs(contactable, arrange):
    appointment = arrange(ahead(24))

    assert reminders_send_due() == 1
    assert reminders_send_due() == 0
    assert reminders_send_due(now=timezone.now() + 2 * HOUR) == 0

    assert [r.appointment_id for r in SENT] == [appointment.pk]
    row = ReminderSent.objects.get()
    assert (row.channel, row.status, row.attempts, row.backend) == ("text", "sent", 1, RECORDING)
    assert row.sent_at is not None and row.error == ""
    assert [(step.from_status, step.to_status) for step in row.transitions.all()] == [
        ("", "sending"),
        ("sending", "sent"),
    ]
    (exported,) = AuditEvent.objects.filter(action=AuditAction.EXPORT)
    assert exported.offender_id == appointment.offender_id and exported.actor_label == "appointment reminders"
    assert exported.summary.startswith("Sent a reminder by text message of the appointment of ")


def test_a_failed_send_is_retried_by_the_next_runs_and_then_left(settings, contactable, arrange):
    appointment = arrange(ahead(24))
    settings.IOMS_REMINDER_BACKEND = FAILING

    for attempt in range(1, MAX_ATTEMPTS + 1):
        assert reminders_send_due() == 0
        row = ReminderSent.objects.get(appointment=appointment)
        assert (row.status, row.attempts) == (ReminderStatus.FAILED, attempt)
        assert row.error == "ConnectionError: The gateway did not answer" and row.sent_at is None
    settings.IOMS_REMINDER_BACKEND = RECORDING  # the gateway is back, but three tries were enough
    assert reminders_send_due() == 0

    assert len(SENT) == MAX_ATTEMPTS
    assert ReminderSent.objects.get().attempts == MAX_ATTEMPTS
    steps = [(step.to_status, step.comment) for step in ReminderSent.objects.get().transitions.all()]
    assert steps == [
        ("sending", ""),
        ("failed", ""),
        ("sending", "Attempt 2"),
        ("failed", ""),
        ("sending", "Attempt 3"),
        ("failed", ""),
    ]
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists(), "nothing left the portal"


def test_a_failed_send_that_succeeds_on_retry_is_marked_sent(settings, contactable, arrange):
    arrange(ahead(24))
    settings.IOMS_REMINDER_BACKEND = FAILING
    reminders_send_due()
    settings.IOMS_REMINDER_BACKEND = RECORDING

    assert reminders_send_due() == 1

    row = ReminderSent.objects.get()
    assert (row.status, row.attempts, row.error, row.backend) == ("sent", 2, "", RECORDING)
    assert reminders_send_due() == 0 and len(SENT) == 2


def test_a_reminder_left_sending_by_a_dead_worker_is_not_sent_again(contactable, arrange):
    appointment = arrange(ahead(24))
    ReminderSent.objects.create(
        appointment=appointment, channel="text", backend=RECORDING, attempted_at=timezone.now()
    )
    assert reminders_send_due() == 0 and SENT == []


# --- Backends ---------------------------------------------------------------------------------------


def test_the_logging_backend_logs_the_appointment_and_channel_but_no_address_or_text(
    settings, caplog, contactable, arrange
):
    settings.IOMS_REMINDER_BACKEND = "appointments.reminders.LoggingReminderBackend"
    appointment = arrange(ahead(24))
    caplog.set_level(logging.DEBUG)

    assert reminders_send_due() == 1

    logged = [r for r in caplog.records if r.name == "appointments.reminders"]
    assert [r.getMessage() for r in logged] == [
        f"Reminder sent for appointment {appointment.pk} by text (logging backend: nothing left the portal)"
    ]
    everything = "\n".join(r.getMessage() for r in caplog.records)
    for detail in (PHONE, EMAIL, "Willis Street", "04 555 0100", "Tuesday", "Reminder: you have"):
        assert detail not in everything
    assert ReminderSent.objects.get().backend == "appointments.reminders.LoggingReminderBackend"


def test_a_failure_is_logged_without_the_address(settings, caplog, contactable, arrange):
    settings.IOMS_REMINDER_BACKEND = FAILING
    arrange(ahead(24))
    caplog.set_level(logging.DEBUG)
    reminders_send_due()
    everything = "\n".join(r.getMessage() for r in caplog.records)
    assert "failed (attempt 1): ConnectionError" in everything
    assert PHONE not in everything and "gateway did not answer" not in everything


def test_the_message_object_shows_no_address_or_text_when_printed(contactable, arrange):
    arrange(ahead(24))
    reminders_send_due()
    shown = repr(SENT[0])
    assert PHONE not in shown and "Reminder:" not in shown and "channel='text'" in shown


def test_the_e_mail_backend_sends_through_djangos_mail(
    settings, mailoutbox, probation_officer, contactable, arrange
):
    settings.IOMS_REMINDER_BACKEND = "appointments.reminders.EmailReminderBackend"
    settings.DEFAULT_FROM_EMAIL = "reminders@corrections.example"
    reminder_preference_set(actor=probation_officer, offender=contactable, channel=ReminderChannel.EMAIL)
    appointment = arrange(nz(2026, 12, 8, 10))

    assert reminders_send_due(now=appointment.starts_at - 24 * HOUR) == 1

    (mail,) = mailoutbox
    assert mail.to == [EMAIL] and mail.from_email == "reminders@corrections.example"
    assert mail.subject == "Appointment reminder"
    assert mail.body == reminder_text(appointment)[1]
    assert ReminderSent.objects.get().status == ReminderStatus.SENT


def test_the_e_mail_backend_refuses_a_text_and_says_why(settings, mailoutbox, contactable, arrange):
    settings.IOMS_REMINDER_BACKEND = "appointments.reminders.EmailReminderBackend"
    arrange(ahead(24))

    assert reminders_send_due() == 0

    assert mailoutbox == []
    row = ReminderSent.objects.get()
    assert row.status == ReminderStatus.FAILED and "sends e-mail only" in row.error


def test_the_beat_runs_the_task_every_fifteen_minutes(settings, contactable, arrange):
    from appointments.tasks import send_due_reminders

    entry = settings.CELERY_BEAT_SCHEDULE["send-appointment-reminders"]
    assert entry == {"task": "appointments.send_due_reminders", "schedule": 15 * 60}
    assert send_due_reminders.name == "appointments.send_due_reminders"
    arrange(ahead(24))
    assert send_due_reminders.apply().get() == 1


# --- The query --------------------------------------------------------------------------------------


def test_the_due_appointments_come_through_the_index_on_the_start(contactable, arrange):
    arrange(ahead(24))
    sql, params = due_appointments(timezone.now()).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "appointment_scheduled_time" in plan, plan


def test_finding_the_due_reminders_takes_the_same_queries_for_one_or_many(office, officer, arrange):
    def count(people: int) -> int:
        for _ in range(people):
            arrange(ahead(24), offender=OffenderFactory(phone=PHONE, home_office=office))
        with CaptureQueriesContext(connection) as queries:
            list(due_appointments(timezone.now()))
        return len(queries)

    assert count(1) == count(12) == 2


# --- The preference page ----------------------------------------------------------------------------


def _page(offender):
    return reverse("appointments:reminders", args=[offender.pk])


def test_the_officer_on_the_case_sets_the_preference_and_it_is_audited(
    client, probation_officer, officer, contactable
):
    client.force_login(probation_officer)

    page = client.get(_page(contactable))
    assert page.status_code == 200
    assert b"Reminders by text message: the usual way" in page.content
    assert f"Text message to {PHONE}".encode() in page.content
    html = page.content.decode()
    assert "<title>Appointment reminders – NGATA, Aroha Mere" in html
    assert '<h1 class="record-title">Appointment reminders</h1>' in html and html.count("<h1") == 1
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, actor=probation_officer, offender_id=contactable.pk
    ).exists()

    response = client.post(_page(contactable), {"channel": "email"})

    assert response.status_code == 302
    assert response["Location"] == reverse("appointments:offender", args=[contactable.pk])
    preference = ReminderPreference.objects.get(offender=contactable)
    assert (preference.channel, preference.set_by) == ("email", probation_officer)
    created = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="appointments.ReminderPreference")
    assert created.offender_id == contactable.pk and created.changes == {"channel": [None, "email"]}

    client.post(_page(contactable), {"channel": "none"})
    changed = AuditEvent.objects.get(action=AuditAction.UPDATE, object_type="appointments.ReminderPreference")
    assert changed.changes == {"channel": ["email", "none"]}
    tab = client.get(reverse("appointments:offender", args=[contactable.pk]))
    assert b"No reminders: set by" in tab.content and b"Change how reminders are sent" in tab.content


def test_a_channel_without_its_address_on_record_is_refused_and_nothing_changes(
    client, probation_officer, officer, offender
):
    offender.email = EMAIL
    offender.save(update_fields=["email"])
    client.force_login(probation_officer)

    response = client.post(_page(offender), {"channel": "text"})

    assert response.status_code == 200
    assert b"There is no phone number on the record" in response.content
    assert "<title>Error: Appointment reminders" in response.content.decode()
    assert not ReminderPreference.objects.exists()
    assert client.post(_page(offender), {"channel": "pigeon"}).status_code == 200
    assert not ReminderPreference.objects.exists()
    nothing = client.post(_page(offender), {}).content.decode()  # nothing chosen: said, not ignored
    assert "<title>Error: Appointment reminders" in nothing
    assert not ReminderPreference.objects.exists()
    assert not AuditEvent.objects.filter(object_type="appointments.ReminderPreference").exists()
    with pytest.raises(ValidationError):
        reminder_preference_set(actor=probation_officer, offender=offender, channel="pigeon")


def test_a_colleague_not_on_the_case_may_not_set_it_and_the_refusal_is_audited(client, office, contactable):
    colleague = staff_user(Role.PROBATION_OFFICER, office=office)
    client.force_login(colleague)

    assert client.get(_page(contactable)).status_code == 403
    assert client.post(_page(contactable), {"channel": "none"}).status_code == 403

    assert not ReminderPreference.objects.exists()
    assert AuditEvent.objects.filter(action=AuditAction.DENIED, actor=colleague).count() == 2
    tab = client.get(reverse("appointments:offender", args=[contactable.pk]))
    assert b"Reminders by text message" in tab.content
    assert b"Change how reminders are sent" not in tab.content


@pytest.mark.parametrize(
    "role, allowed",
    [
        (Role.SERVICE_MANAGER, True),
        (Role.ADMIN_SUPPORT, True),
        (Role.SYSTEM_ADMIN, True),
        (Role.PRISON_OFFICER, False),
        (Role.RECOMMENDING_OFFICER, False),
        (Role.APPROVING_OFFICER, False),
        (Role.DATA_SHARE, False),
    ],
)
def test_each_other_role_may_or_may_not_set_it(client, office, contactable, role, allowed):
    client.force_login(staff_user(role, office=office))
    response = client.post(_page(contactable), {"channel": "none"})
    assert response.status_code == (302 if allowed else 403)
    assert ReminderPreference.objects.filter(offender=contactable).exists() == allowed


# --- Two runs at once -------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_send_each_reminder_once(monkeypatch, office, role_user):
    from appointments import reminders
    from appointments.services import appointment_create

    officer = staff_of(role_user(Role.PROBATION_OFFICER, username="officer.race"))
    people = [OffenderFactory(phone=f"021 555 {n:04d}", home_office=office) for n in range(3)]
    for person in people:
        start = ahead(24)
        appointment_create(
            actor=None,
            offender=person,
            officer=officer,
            office=office,
            kind="office_visit",
            starts_at=start,
            ends_at=start + HOUR,
        )
    barrier = threading.Barrier(2)
    original = reminders.due_appointments

    def both_read_before_either_claims(now):
        found = list(original(now))
        barrier.wait(timeout=10)
        return found

    monkeypatch.setattr(reminders, "due_appointments", both_read_before_either_claims)
    counts: list[int] = []

    def run():
        try:
            counts.append(reminders.reminders_send_due())
        finally:
            connection.close()  # each thread used its own connection

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sum(counts) == 3 and len(counts) == 2
    assert sorted(r.address for r in SENT) == sorted(person.phone for person in people)
    assert ReminderSent.objects.filter(status=ReminderStatus.SENT).count() == 3


def test_the_help_desk_sees_the_reminders_in_the_admin_read_only(client, office, contactable, arrange):
    from staff.roles import Role
    from tests.factories import staff_user

    appointment = arrange(ahead(24))
    assert reminders_send_due() == 1
    row = ReminderSent.objects.get()
    client.force_login(staff_user(Role.SYSTEM_ADMIN, office=office, is_staff=True, username="sa_rem"))

    listing = client.get("/admin/appointments/remindersent/").content.decode()
    assert f'/admin/appointments/remindersent/{row.pk}/change/">{appointment.pk}</a>' in listing
    assert '<td class="field-status">Sent</td>' in listing
    page = client.get(f"/admin/appointments/remindersent/{row.pk}/change/").content.decode()
    assert "Text message" in page and 'name="status"' not in page  # shown, not editable
    assert client.get("/admin/appointments/remindersent/add/").status_code == 403
