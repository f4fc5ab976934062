"""Reads of appointments: a diary (an officer's day or week), an office calendar and an offender's
schedule, each one query however many appointments it shows; and the first appointments due after
allocation (FirstAppointmentRule), answered for many officers at once."""

import datetime
from dataclasses import dataclass

from django.db.models import DateTimeField, Exists, Func, OuterRef, QuerySet

from allocation.models import CaseAllocation, CaseRole
from appointments.models import Appointment, AppointmentStatus, FirstAppointmentRule
from appointments.services import ZONE

# The officers who see a new case's first appointment as theirs.
FIRST_APPOINTMENT_ROLES = (CaseRole.OFFENDER_MANAGER, CaseRole.SUPERVISING_OFFICER)
# Allocations older than this are past the first appointment's concern (the longest rule is days).
FIRST_APPOINTMENT_LOOKBACK_DAYS = 60
# Arranged or attended: the first appointment is in hand.
FIRST_APPOINTMENT_STATUSES = (
    AppointmentStatus.SCHEDULED,
    AppointmentStatus.ATTENDED,
    AppointmentStatus.ATTENDED_LATE,
)


@dataclass(frozen=True)
class Period:
    """A day or a week (Monday to Sunday) of New Zealand time."""

    first: datetime.date
    days: int

    @classmethod
    def of(cls, day: datetime.date, view: str) -> "Period":
        if view == "week":
            return cls(day - datetime.timedelta(days=day.weekday()), 7)
        return cls(day, 1)

    @property
    def start(self) -> datetime.datetime:
        return datetime.datetime.combine(self.first, datetime.time(), tzinfo=ZONE)

    @property
    def end(self) -> datetime.datetime:
        return datetime.datetime.combine(
            self.first + datetime.timedelta(days=self.days), datetime.time(), tzinfo=ZONE
        )

    @property
    def dates(self) -> list[datetime.date]:
        return [self.first + datetime.timedelta(days=n) for n in range(self.days)]

    @property
    def previous(self) -> datetime.date:
        return self.first - datetime.timedelta(days=self.days)

    @property
    def next(self) -> datetime.date:
        return self.first + datetime.timedelta(days=self.days)


def diary(officer, period: Period) -> QuerySet[Appointment]:
    return Appointment.objects.with_list_relations().filter(officer=officer).between(period.start, period.end)


def office_calendar(office, period: Period) -> QuerySet[Appointment]:
    return Appointment.objects.with_list_relations().filter(office=office).between(period.start, period.end)


def offender_schedule(offender) -> QuerySet[Appointment]:
    return (
        Appointment.objects.filter(offender=offender)
        .select_related("officer__user", "office", "rescheduled_to", "series")
        .order_by("-starts_at", "-id")
    )


def by_day(appointments, period: Period) -> list[tuple[datetime.date, list[Appointment]]]:
    days: dict[datetime.date, list[Appointment]] = {day: [] for day in period.dates}
    for appointment in appointments:
        days.setdefault(appointment.starts_at.astimezone(ZONE).date(), []).append(appointment)
    return list(days.items())


def groups(appointments) -> list[list[Appointment]]:
    """Scheduled group appointments (a programme session, a work party) sharing a kind, a time and
    a place: their outcomes may be recorded together."""
    found: dict[tuple, list[Appointment]] = {}
    for appointment in appointments:
        if appointment.is_scheduled and appointment.kind in {"programme_session", "community_work"}:
            key = (appointment.kind, appointment.starts_at, appointment.location.strip().lower())
            found.setdefault(key, []).append(appointment)
    return [members for members in found.values() if len(members) > 1]


@dataclass(frozen=True)
class FirstAppointmentDue:
    allocation: CaseAllocation
    due_at: datetime.datetime
    within_hours: int


def rule_hours(rules: list[FirstAppointmentRule], sentence_type: str, on: datetime.date) -> int | None:
    """The rule in force on `on` for the sentence type (the latest that took effect by then)."""
    for rule in rules:  # newest first per type (the model's ordering)
        if rule.sentence_type == sentence_type and rule.effective_from <= on:
            return rule.within_hours
    return None


class _StartOfDay(Func):
    """The first moment of a date in New Zealand time. An appointment on or after the day is one
    starting at or after this moment: a range of `appointment_offender_time` (offender, starts_at),
    where the date of each appointment's start would be worked out for every one of the person's
    appointments."""

    output_field = DateTimeField()

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"(({sql})::timestamp AT TIME ZONE %s)", [*params, ZONE.key]


def first_appointments_due(staff_ids, today: datetime.date) -> list[FirstAppointmentDue]:
    """Current allocations (offender manager, supervising officer) of the given officers whose
    first appointment is not yet arranged or attended: two queries however many officers."""
    if not staff_ids:
        return []
    rules = list(FirstAppointmentRule.objects.all())
    arranged = Appointment.objects.filter(
        offender_id=OuterRef("offender_id"),
        status__in=FIRST_APPOINTMENT_STATUSES,
        starts_at__gte=_StartOfDay(OuterRef("started_on")),
    )
    allocations = (
        CaseAllocation.objects.current()
        .filter(
            staff_id__in=staff_ids,
            role__in=FIRST_APPOINTMENT_ROLES,
            sentence__isnull=False,
            started_on__gte=today - datetime.timedelta(days=FIRST_APPOINTMENT_LOOKBACK_DAYS),
        )
        .exclude(Exists(arranged))
        .select_related("offender", "sentence", "staff")
        .order_by("started_on", "pk")
    )
    due = []
    for allocation in allocations:
        hours = rule_hours(rules, allocation.sentence.sentence_type, allocation.started_on)
        if hours is None:
            continue
        start = datetime.datetime.combine(allocation.started_on, datetime.time(), tzinfo=ZONE)
        due.append(FirstAppointmentDue(allocation, start + datetime.timedelta(hours=hours), hours))
    return due
