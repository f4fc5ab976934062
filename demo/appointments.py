"""Demo appointments (issue 15) for the demo probation officer, through the services: a weekly
series with each of their first cases (last week's with outcomes and casenotes, the coming weeks
scheduled), and a programme session for three of them today, so the diary has an inline outcome
form for each and a group to record at once. Deterministic: the same cases, days and times for the
same data and `today`."""

import datetime
from collections import Counter

from django.contrib.auth import get_user_model

from allocation.models import CaseAllocation
from appointments.models import Appointment
from appointments.services import ZONE, appointment_create, outcome_record, series_create
from staff.demo_logins import demo_username
from staff.roles import Role

CASES = 10
# Last week's outcomes, by case (the rest attended).
PAST_OUTCOMES = {
    2: ("attended_late", "Arrived 15 minutes late: bus cancelled."),
    5: ("failed_acceptable", "Doctor's certificate seen: in hospital that day."),
    7: ("failed_unacceptable", "No contact; phoned twice, no answer."),
}


def seed_appointments(*, today: datetime.date) -> Counter:
    made: Counter = Counter()
    officer_user = get_user_model().objects.filter(username=demo_username(Role.PROBATION_OFFICER)).first()
    if officer_user is None or not hasattr(officer_user, "staff"):
        return made
    officer = officer_user.staff
    if Appointment.objects.filter(officer=officer).exists():
        return made  # seeded already
    allocations = list(
        CaseAllocation.objects.current()
        .filter(staff=officer)
        .select_related("offender")
        .order_by("offender__prn")[:CASES]
    )
    monday = today - datetime.timedelta(days=today.weekday())
    last_week = monday - datetime.timedelta(days=7)
    for index, allocation in enumerate(allocations):
        day = last_week + datetime.timedelta(days=index % 5)
        starts = datetime.datetime.combine(
            day, datetime.time(9 + index % 7, 0 if index % 2 else 30), tzinfo=ZONE
        )
        series = series_create(
            actor=officer_user,
            offender=allocation.offender,
            officer=officer,
            office=officer.office,
            kind="home_visit" if index % 4 == 3 else "office_visit",
            starts_at=starts,
            ends_at=starts + datetime.timedelta(minutes=45),
            frequency="weekly",
            occurrences=6,
            location="" if index % 4 == 3 else f"Interview room {1 + index % 3}",
        )
        made["appointments"] += series.appointments.count()
        first = series.appointments.order_by("starts_at").first()
        outcome, note = PAST_OUTCOMES.get(index, ("attended", ""))
        outcome_record(actor=officer_user, appointment=first, outcome=outcome, note=note)
        made["appointment outcomes"] += 1
    session = datetime.datetime.combine(today, datetime.time(8, 0), tzinfo=ZONE)
    for allocation in allocations[:3]:
        appointment_create(
            actor=officer_user,
            offender=allocation.offender,
            officer=officer,
            office=officer.office,
            kind="programme_session",
            starts_at=session,
            ends_at=session + datetime.timedelta(hours=2),
            location="Group room",
        )
        made["appointments"] += 1
    return made
