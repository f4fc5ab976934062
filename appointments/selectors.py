"""Reads of appointments: a diary (an officer's day or week), an office calendar and an offender's
schedule, each one query however many appointments it shows; the first appointments due after
allocation (FirstAppointmentRule), answered for many officers at once; and each person's contact
level (ContactLevelRule, ContactLevelAdjustment): how often they are seen, when they were last seen
and when they are next due, answered for many people at once in four queries."""

import datetime
from dataclasses import dataclass

from django.db.models import DateTimeField, Exists, Func, Max, OuterRef, Q, QuerySet

from allocation.models import CaseAllocation, CaseRole
from appointments.models import (
    Appointment,
    AppointmentStatus,
    ContactLevelAdjustment,
    ContactLevelRule,
    FirstAppointmentRule,
    ReminderPreference,
)
from appointments.services import ZONE
from sentences.models import Sentence, SentenceStatus, SentenceType

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


def reminder_preference_of(offender) -> ReminderPreference | None:
    return ReminderPreference.objects.select_related("set_by").filter(offender=offender).first()


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


# --- Contact levels -------------------------------------------------------------------------------

# A contact is an appointment the person came to; a failure to attend, acceptable or not, is not.
CONTACT_STATUSES = (AppointmentStatus.ATTENDED, AppointmentStatus.ATTENDED_LATE)


@dataclass(frozen=True)
class ContactLevel:
    """How often a person is seen on a day, and whether they are behind. `sentence_type` names the
    sentence whose rule sets the level ("" when an adjustment does); the clock runs from the last
    contact, or from the start of supervision when there has been none since."""

    offender_id: int
    every_days: int
    on: datetime.date
    next_due: datetime.date
    last_contact: datetime.date | None
    sentence_type: str = ""
    adjustment: ContactLevelAdjustment | None = None

    @property
    def sentence_type_label(self) -> str:
        return SentenceType(self.sentence_type).label if self.sentence_type else ""

    @property
    def days_behind(self) -> int:
        return max(0, (self.on - self.next_due).days)

    @property
    def behind(self) -> bool:
        return self.next_due < self.on


def contact_rule_days(rules: list[ContactLevelRule], sentence_type: str, on: datetime.date) -> int | None:
    """The days between contacts in force on `on` for the sentence type (the latest rule that took
    effect by then)."""
    for rule in rules:  # newest first per type (the model's ordering)
        if rule.sentence_type == sentence_type and rule.effective_from <= on:
            return rule.every_days
    return None


def contact_levels(offender_ids, on: datetime.date) -> dict[int, ContactLevel]:
    """The contact level of each person on `on`, by offender id; people with no level (no current
    community sentence with a rule and no adjustment in force) are left out. `offender_ids`: ids, or
    a queryset of them (read as a subquery). Four queries however many people: the rules, the
    adjustments in force, the active sentences, the last contacts."""
    if isinstance(offender_ids, QuerySet):
        ids = offender_ids  # a subquery: the four queries run whatever it holds
    else:
        ids = list(set(offender_ids))
        if not ids:
            return {}
    rules = list(ContactLevelRule.objects.filter(effective_from__lte=on))
    adjustments: dict[int, ContactLevelAdjustment] = {}
    in_force = (
        ContactLevelAdjustment.objects.filter(offender_id__in=ids, starts_on__lte=on)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))
        .select_related("set_by")
        .order_by("offender_id", "-starts_on", "-set_at", "-id")
    )
    for adjustment in in_force:
        adjustments.setdefault(adjustment.offender_id, adjustment)
    # The most demanding sentence (the fewest days between contacts) sets the level; the clock's
    # start without a contact is the earliest start of a sentence with a level.
    demanding: dict[int, tuple[int, str]] = {}
    supervised_since: dict[int, datetime.date] = {}
    sentences = (
        Sentence.objects.filter(offender_id__in=ids, status=SentenceStatus.ACTIVE, start_date__lte=on)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=on))
        .values_list("offender_id", "sentence_type", "start_date")
    )
    for offender_id, sentence_type, start_date in sentences:
        days = contact_rule_days(rules, sentence_type, on)
        if days is None:
            continue
        if offender_id not in demanding or (days, sentence_type) < demanding[offender_id]:
            demanding[offender_id] = (days, sentence_type)
        supervised_since[offender_id] = min(start_date, supervised_since.get(offender_id, start_date))
    end_of_day = datetime.datetime.combine(on + datetime.timedelta(days=1), datetime.time(), tzinfo=ZONE)
    last_contacts = {
        row["offender_id"]: row["last"].astimezone(ZONE).date()
        for row in Appointment.objects.filter(
            offender_id__in=ids, status__in=CONTACT_STATUSES, starts_at__lt=end_of_day
        )
        .order_by()
        .values("offender_id")
        .annotate(last=Max("starts_at"))
    }
    levels = {}
    for offender_id in adjustments.keys() | demanding.keys():
        adjustment = adjustments.get(offender_id)
        every_days, sentence_type = (adjustment.every_days, "") if adjustment else demanding[offender_id]
        last = last_contacts.get(offender_id)
        start = supervised_since.get(offender_id) or adjustment.starts_on
        clock = max(last, start) if last else start
        levels[offender_id] = ContactLevel(
            offender_id=offender_id,
            every_days=every_days,
            on=on,
            next_due=clock + datetime.timedelta(days=every_days),
            last_contact=last,
            sentence_type=sentence_type,
            adjustment=adjustment,
        )
    return levels


def contact_level(offender, on: datetime.date) -> ContactLevel | None:
    return contact_levels([offender.pk], on).get(offender.pk)


@dataclass(frozen=True)
class BehindOnContact:
    level: ContactLevel
    offender: object  # offenders.Offender
    staff_ids: frozenset[int]  # the officers holding the case (offender manager, supervising)
    office_ids: frozenset[int]  # the offices of those officers (their service managers see it)


def behind_on_contact(staff_ids, office_ids, today: datetime.date) -> list[BehindOnContact]:
    """The people behind their contact level on the caseloads of the given officers (their current
    allocations as offender manager or supervising officer) and of the staff of the given offices:
    five queries however many, driven from the open allocations (never the whole offenders table).
    Most overdue first."""
    staff_ids, office_ids = set(staff_ids), set(office_ids)
    if not staff_ids and not office_ids:
        return []
    allocations = (
        CaseAllocation.objects.current()
        .filter(role__in=FIRST_APPOINTMENT_ROLES)
        .filter(Q(staff_id__in=staff_ids) | Q(staff__office_id__in=office_ids))
    )
    cases: dict[int, tuple[object, set[int], set[int]]] = {}
    for allocation in allocations.select_related("offender", "staff").order_by("pk"):
        offender = allocation.offender
        _, holders, offices = cases.setdefault(offender.pk, (offender, set(), set()))
        holders.add(allocation.staff_id)
        offices.add(allocation.staff.office_id)
    levels = contact_levels(allocations.values("offender_id"), today)
    found = [
        BehindOnContact(level, cases[pk][0], frozenset(cases[pk][1]), frozenset(cases[pk][2]))
        for pk, level in levels.items()
        if level.behind and pk in cases
    ]
    found.sort(key=lambda row: (-row.level.days_behind, row.offender.family_name, row.offender.pk))
    return found
