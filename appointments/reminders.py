"""Reminders of appointments, sent to the person by text message or e-mail the day before.

What a reminder says is deliberately little (reminder_text): the day and time in New Zealand time,
the office's name and address for an office visit ("at your home" for a home visit, "we will phone
you" for a phone call), and the office's phone number to call if they cannot come. Never the kind
of appointment beyond "appointment", the offence, the sentence, the officer, the notes, the place
typed on the appointment or the PRN: a phone's messages are read by whoever holds the phone.

Who is reminded: scheduled appointments starting IOMS_REMINDER_HOURS_BEFORE hours ahead (give or
take WINDOW_HOURS), by the person's ReminderPreference or the default (reminder_channel).

Sending (reminders_send_due, run by the beat task every 15 minutes):
1. One query reads the due appointments (the partial index appointment_scheduled_time on
   starts_at), their offender, office, preference and earlier reminders.
2. Each reminder is claimed before it is sent: a ReminderSent row inserted in its own transaction
   (unique per appointment and channel) or, for a failed one, the workflow's conditional step
   failed → sending (REMINDER_WORKFLOW). Whoever fails to claim it leaves it: another run got
   there first. So a reminder goes at most once however many runs overlap.
3. The backend (IOMS_REMINDER_BACKEND, read at each send) sends it; the row steps to sent (and the
   sending is audited under the person's record, as an export) or to failed with the error.
   Failed ones are tried again by the next runs, MAX_ATTEMPTS in all.

Backends: a class with `send(reminder: ReminderMessage) -> None` that raises on failure.
LoggingReminderBackend (the default) only logs; EmailReminderBackend sends e-mail through
django.core.mail. A text-message gateway is a class of the same shape (docs/appointments.md)."""

import dataclasses
import datetime
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.module_loading import import_string

from appointments.models import (
    REMINDER_WORKFLOW,
    Appointment,
    AppointmentKind,
    AppointmentStatus,
    ReminderChannel,
    ReminderPreference,
    ReminderSent,
    ReminderStatus,
)
from appointments.services import local
from audit.models import AuditAction
from audit.services import audit_record
from workflow.transitions import ConcurrentChange

logger = logging.getLogger(__name__)

WINDOW_HOURS = 4  # either side of IOMS_REMINDER_HOURS_BEFORE: a run missed for hours loses nothing
MAX_ATTEMPTS = 3  # a reminder that failed this often is left failed (the office can phone instead)


@dataclasses.dataclass(frozen=True)
class ReminderMessage:
    """What a backend sends. The address and the body are left out of repr(), so a traceback or a
    log line that shows the message never shows them."""

    appointment_id: int
    channel: str  # "text" or "email" (ReminderChannel)
    address: str = dataclasses.field(repr=False)  # a phone number or an e-mail address
    subject: str = dataclasses.field(repr=False)
    body: str = dataclasses.field(repr=False)


class LoggingReminderBackend:
    """Logs that a reminder was sent, by which channel, for which appointment; nothing else (no
    address, no text). For development and for a deployment without a gateway yet."""

    def send(self, reminder: ReminderMessage) -> None:
        logger.info(
            "Reminder sent for appointment %s by %s (logging backend: nothing left the portal)",
            reminder.appointment_id,
            reminder.channel,
        )


class EmailReminderBackend:
    """Sends e-mail reminders through Django's mail (MAILERS / the e-mail settings apply). It
    sends no texts: a reminder by text fails with a message saying so, and is retried like any
    failure, so set a backend that sends texts too where people are reminded by text."""

    def send(self, reminder: ReminderMessage) -> None:
        if reminder.channel != ReminderChannel.EMAIL:
            raise ReminderNotSent("This backend sends e-mail only: choose one that also sends text messages.")
        send_mail(reminder.subject, reminder.body, settings.DEFAULT_FROM_EMAIL, [reminder.address])


class ReminderNotSent(Exception):
    """A backend could not send a reminder (any other exception a backend raises counts the same)."""


def backend():
    """The configured backend, read at each send so that a change of setting applies at once."""
    return import_string(settings.IOMS_REMINDER_BACKEND)()


# --- What a reminder says ---------------------------------------------------------------------------


def when_text(moment: datetime.datetime) -> str:
    """ "Tuesday 8 December 2026 at 10:00am", in New Zealand time."""
    start = local(moment)
    clock = f"{start:%-I:%M}{'am' if start.hour < 12 else 'pm'}"
    return f"{start:%A %-d %B %Y} at {clock}"


def _where(appointment: Appointment) -> str:
    if appointment.kind == AppointmentKind.HOME_VISIT:
        return " at your home"
    if appointment.kind == AppointmentKind.PHONE:
        return ": we will phone you"
    if appointment.kind == AppointmentKind.OFFICE_VISIT:
        office = appointment.office
        return f" at {office.name}, {office.address}" if office.address else f" at {office.name}"
    # Programme sessions and community work: where they are held is typed on the appointment and
    # may say what it is, so the reminder names no place (the person was told it when it was set).
    return ""


def reminder_text(appointment: Appointment) -> tuple[str, str]:
    """(subject, body) of the reminder of `appointment`: its time, where, and whom to call."""
    phone = appointment.office.phone.strip()
    call = f"call {phone}" if phone else "call your office"
    body = (
        f"Reminder: you have an appointment on {when_text(appointment.starts_at)}"
        f"{_where(appointment)}. If you cannot come, {call} as soon as you can."
    )
    return "Appointment reminder", body


# --- Whom to remind ---------------------------------------------------------------------------------


def reminder_channel(offender, preference: ReminderPreference | None) -> str:
    """How the person is reminded: their preference if its address is on record, else the default
    (a text if a phone number is on record, else an e-mail if an address is), else none."""
    has = {
        ReminderChannel.TEXT: bool(offender.phone.strip()),
        ReminderChannel.EMAIL: bool(offender.email.strip()),
    }
    if preference is not None:
        wanted = preference.channel
        return wanted if wanted != ReminderChannel.NONE and has[wanted] else ReminderChannel.NONE
    for channel in (ReminderChannel.TEXT, ReminderChannel.EMAIL):
        if has[channel]:
            return channel
    return ReminderChannel.NONE


def address_for(offender, channel: str) -> str:
    return (offender.phone if channel == ReminderChannel.TEXT else offender.email).strip()


def reminder_window(now: datetime.datetime) -> tuple[datetime.datetime, datetime.datetime]:
    centre = now + datetime.timedelta(hours=settings.IOMS_REMINDER_HOURS_BEFORE)
    window = datetime.timedelta(hours=WINDOW_HOURS)
    return max(now, centre - window), centre + window


def due_appointments(now: datetime.datetime):
    """Scheduled appointments in the reminder window with their offender, office and earlier
    reminders: two queries, the first through the partial index on starts_at
    (appointment_scheduled_time)."""
    start, end = reminder_window(now)
    return (
        Appointment.objects.filter(
            status=AppointmentStatus.SCHEDULED,
            starts_at__gte=start,
            starts_at__lt=end,
            offender__date_of_death__isnull=True,  # never a message to the phone of someone who died
        )
        .select_related("offender", "office")
        .prefetch_related(
            Prefetch("reminders", queryset=ReminderSent.objects.all(), to_attr="earlier_reminders"),
        )
        .order_by("starts_at", "id")
    )


def _preferences(appointments: list[Appointment]) -> dict[int, ReminderPreference]:
    offender_ids = {appointment.offender_id for appointment in appointments}
    return {
        preference.offender_id: preference
        for preference in ReminderPreference.objects.filter(offender_id__in=offender_ids)
    }


# --- Sending ----------------------------------------------------------------------------------------


ACTOR = "appointment reminders"  # the portal itself: named so in transition and audit rows


def _claim(appointment: Appointment, channel: str, backend_path: str, now) -> ReminderSent | None:
    """Take the reminder for this run, or None if it is sent, given up on, or taken by another run."""
    earlier = next((row for row in appointment.earlier_reminders if row.channel == channel), None)
    if earlier is None:
        try:
            with transaction.atomic():
                row = ReminderSent.objects.create(
                    appointment=appointment, channel=channel, backend=backend_path, attempted_at=now
                )
                REMINDER_WORKFLOW.record_step(row, from_status="", to=ReminderStatus.SENDING, actor=ACTOR)
                return row
        except IntegrityError:
            return None  # another run inserted it first
    if earlier.status != ReminderStatus.FAILED or earlier.attempts >= MAX_ATTEMPTS:
        return None
    try:
        REMINDER_WORKFLOW.move(
            earlier,
            to=ReminderStatus.SENDING,
            actor=ACTOR,
            comment=f"Attempt {earlier.attempts + 1}",
            fields={"attempts": earlier.attempts + 1, "backend": backend_path, "attempted_at": now},
            audit=False,  # a step of the delivery: the sending itself is audited (_send)
        )
    except ConcurrentChange:
        return None  # another run is retrying it
    return earlier


def _send(row: ReminderSent, appointment: Appointment, message: ReminderMessage) -> bool:
    try:
        backend().send(message)
    except Exception as error:  # any failure of any backend: recorded, retried by the next run
        # The error's text stays in the row (it may name the address); the log names only its kind.
        logger.warning(
            "Reminder for appointment %s by %s failed (attempt %s): %s",
            message.appointment_id,
            message.channel,
            row.attempts,
            type(error).__name__,
        )
        reason = f"{type(error).__name__}: {error}"[:500]
        REMINDER_WORKFLOW.move(
            row, to=ReminderStatus.FAILED, actor=ACTOR, fields={"error": reason}, audit=False
        )
        return False
    with transaction.atomic():
        REMINDER_WORKFLOW.move(
            row,
            to=ReminderStatus.SENT,
            actor=ACTOR,
            fields={"sent_at": timezone.now(), "error": ""},
            audit=False,
        )
        # Contact details left the portal for the gateway: audited under the person's record.
        audit_record(
            actor=ACTOR,
            action=AuditAction.EXPORT,
            obj=row,
            offender_id=appointment.offender_id,
            summary=f"Sent a reminder by {ReminderChannel(row.channel).label.lower()} of the appointment "
            f"of {local(appointment.starts_at):%-d %b %Y}",
        )
    return True


def reminders_send_due(*, now: datetime.datetime | None = None) -> int:
    """Send the reminders now due (module docstring). Returns how many were sent. Not atomic on
    purpose: each claim commits on its own before its send, so a failure or a crash part-way
    keeps what was already sent and claimed."""
    now = now or timezone.now()
    appointments = list(due_appointments(now))
    preferences = _preferences(appointments)
    backend_path = settings.IOMS_REMINDER_BACKEND
    sent = 0
    for appointment in appointments:
        channel = reminder_channel(appointment.offender, preferences.get(appointment.offender_id))
        if channel == ReminderChannel.NONE:
            continue
        row = _claim(appointment, channel, backend_path, now)
        if row is None:
            continue
        subject, body = reminder_text(appointment)
        message = ReminderMessage(
            appointment_id=appointment.pk,
            channel=str(channel),  # a plain string for backends: "text" or "email"
            address=address_for(appointment.offender, channel),
            subject=subject,
            body=body,
        )
        sent += _send(row, appointment, message)
    return sent
