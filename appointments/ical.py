"""An officer's appointments as an iCalendar feed (RFC 5545), written with the `icalendar`
library: it folds lines at 75 octets, ends them with CRLF and escapes text as the RFC asks, which is
easy to get subtly wrong by hand.

What a feed may show (docs/appointments.md): a calendar on a phone is outside the portal's audit
and access rules, so an event names the offender by initials and PRN only (enough for the officer,
who can open the record), the kind of appointment, the time and the place. Never the full name,
notes, outcomes or anything from the record."""

import datetime

from icalendar import Calendar, Event

from appointments.models import Appointment, AppointmentStatus
from appointments.services import ZONE

PRODID = "-//Ara Poutama IOMS//Appointments//EN"
FEED_DAYS_BEFORE, FEED_DAYS_AFTER = 30, 180  # the window a feed carries


def initials(offender) -> str:
    names = [*offender.given_names.split(), *offender.family_name.split()]
    return "".join(name[0].upper() for name in names if name)


def summary_of(appointment: Appointment) -> str:
    return f"{appointment.get_kind_display()}: {initials(appointment.offender)} ({appointment.offender.prn})"


def feed_appointments(officer, now: datetime.datetime):
    return (
        Appointment.objects.filter(
            officer=officer,
            starts_at__gte=now - datetime.timedelta(days=FEED_DAYS_BEFORE),
            starts_at__lt=now + datetime.timedelta(days=FEED_DAYS_AFTER),
        )
        .exclude(status=AppointmentStatus.RESCHEDULED)
        .select_related("offender", "office")
        .order_by("starts_at", "pk")
    )


def calendar_for(officer, *, now: datetime.datetime, host: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "IOMS appointments")
    for appointment in feed_appointments(officer, now):
        event = Event()
        event.add("uid", f"appointment-{appointment.pk}@{host}")
        event.add("dtstamp", now.astimezone(datetime.UTC))
        event.add("dtstart", appointment.starts_at.astimezone(ZONE))
        event.add("dtend", appointment.ends_at.astimezone(ZONE))
        event.add("summary", summary_of(appointment))
        event.add("location", appointment.location or appointment.office.name)
        if appointment.status == AppointmentStatus.CANCELLED:
            event.add("status", "CANCELLED")
        else:
            event.add("status", "CONFIRMED")
        calendar.add_component(event)
    # RFC 5545, 3.2.19: every TZID a property names has its VTIMEZONE in the calendar.
    calendar.add_missing_timezones()
    return calendar.to_ical()
