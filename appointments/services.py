"""Every change to appointments (issue 15): arranging one or a recurring series, changing one or
the rest of its series, rescheduling with a reason, recording outcomes one at a time or in bulk,
and an officer's calendar feed. The pages, the API and the demo all call these.

Each outcome writes the casenote seed 001 asks for ("casenotes for every contact with / action
related to the offender") through the casenotes service, in the same transaction: casenotes sit
below this app (.importlinter), so no domain event is needed."""

import datetime
import hashlib
import secrets
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from appointments.access import can_set_contact_level
from appointments.models import (
    APPOINTMENT_WORKFLOW,
    ATTENDANCE_OUTCOMES,
    CONTACT_DAYS_RANGE,
    Appointment,
    AppointmentKind,
    AppointmentSeries,
    AppointmentStatus,
    CalendarFeed,
    ContactLevelAdjustment,
    Frequency,
    ReminderChannel,
    ReminderPreference,
)
from audit.actors import actor_user
from audit.models import AuditAction
from audit.refusals import Refused
from audit.services import audit_created, audit_record
from casenotes.models import CasenoteType
from casenotes.services import casenote_create
from conditions.access import can_change_conditions
from conditions.models import MAX_HOURS_PER_DAY, CommunityWorkRecord, Condition, ConditionKind, WorkSource
from conditions.services import community_work_hours_record, hours_worked
from events.domain import AppointmentOutcomeRecorded, publish
from offenders.models import Offender

ZONE = ZoneInfo(settings.TIME_ZONE)  # appointments are kept in New Zealand time (Pacific/Auckland)
MAX_OCCURRENCES = 104  # two years of weekly appointments: a longer series is arranged again
MAX_LENGTH = datetime.timedelta(hours=12)
FREQUENCY_DAYS = {Frequency.WEEKLY: 7, Frequency.FORTNIGHTLY: 14}
APPOINTMENT_FIELDS = ("offender", "officer", "office", "kind", "starts_at", "ends_at", "location", "series")


def local(moment: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(moment, ZONE)


def _check_times(starts_at: datetime.datetime, ends_at: datetime.datetime) -> None:
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise ValueError("Appointment times must be aware datetimes.")
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": "The appointment must end after it starts."})
    if ends_at - starts_at > MAX_LENGTH:
        raise ValidationError({"ends_at": "An appointment lasts at most 12 hours."})


def _check_officer(officer, office) -> None:
    if not officer.active:
        raise ValidationError({"officer": f"{officer} no longer works here: choose another officer."})
    if office is None:
        raise ValidationError({"office": "Say which office the appointment belongs to."})


def _insert(*, actor, offender, officer, office, kind, starts_at, ends_at, location, notes, series=None):
    appointment = Appointment(
        offender=offender,
        officer=officer,
        office=office,
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        location=location.strip(),
        notes=notes.strip(),
        series=series,
        created_by=actor_user(actor),
    )
    appointment.full_clean(exclude=["casenote", "rescheduled_to", "created_by", "outcome_recorded_by"])
    return appointment


@transaction.atomic
def appointment_create(
    *,
    actor,
    offender,
    officer,
    office,
    kind: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    location: str = "",
    notes: str = "",
) -> Appointment:
    _check_times(starts_at, ends_at)
    _check_officer(officer, office)
    appointment = _insert(
        actor=actor,
        offender=offender,
        officer=officer,
        office=office,
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        location=location,
        notes=notes,
    )
    appointment.save(force_insert=True)
    APPOINTMENT_WORKFLOW.record_step(appointment, from_status="", to=AppointmentStatus.SCHEDULED, actor=actor)
    audit_created(
        actor=actor,
        obj=appointment,
        fields=APPOINTMENT_FIELDS,
        summary=f"Arranged {appointment.get_kind_display().lower()} for {offender}",
    )
    return appointment


def series_dates(
    first: datetime.date, *, every_days: int, until: datetime.date | None, occurrences: int | None
) -> list[datetime.date]:
    """The dates of a series: from `first`, every `every_days` days, up to `until` (inclusive) or
    `occurrences` dates, whichever comes first, and never more than MAX_OCCURRENCES."""
    if until is None and occurrences is None:
        raise ValidationError({"until": "Say when the series ends: a date or a number of appointments."})
    if until is not None and until < first:
        raise ValidationError({"until": "The series must end on or after its first appointment."})
    if occurrences is not None and occurrences < 1:
        raise ValidationError({"occurrences": "A series has at least one appointment."})
    dates: list[datetime.date] = []
    day = first
    while (until is None or day <= until) and (occurrences is None or len(dates) < occurrences):
        if len(dates) == MAX_OCCURRENCES:
            raise ValidationError(
                {"until": f"A series has at most {MAX_OCCURRENCES} appointments: end it sooner."}
            )
        dates.append(day)
        day += datetime.timedelta(days=every_days)
    return dates


def _at(day: datetime.date, clock: datetime.time) -> datetime.datetime:
    """The same wall-clock time on another day: a weekly 10am stays 10am across daylight saving."""
    return datetime.datetime.combine(day, clock, tzinfo=ZONE)


@transaction.atomic
def series_create(
    *,
    actor,
    offender,
    officer,
    office,
    kind: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    frequency: str,
    every_days: int | None = None,
    until: datetime.date | None = None,
    occurrences: int | None = None,
    location: str = "",
    notes: str = "",
) -> AppointmentSeries:
    """A recurring appointment: one row per date, each at the first one's local time and length."""
    _check_times(starts_at, ends_at)
    _check_officer(officer, office)
    if frequency in FREQUENCY_DAYS:
        every_days = FREQUENCY_DAYS[frequency]
    elif frequency == Frequency.EVERY_N_DAYS:
        if not every_days or not 1 <= every_days <= 90:
            raise ValidationError({"every_days": "Say how many days apart, from 1 to 90."})
    else:
        raise ValidationError({"frequency": "Choose how often the appointment recurs."})
    first, length = local(starts_at), ends_at - starts_at
    dates = series_dates(first.date(), every_days=every_days, until=until, occurrences=occurrences)
    series = AppointmentSeries.objects.create(
        offender=offender,
        frequency=frequency,
        every_days=every_days,
        until=until,
        occurrences=occurrences,
        created_by=actor_user(actor),
    )
    rows = []
    for day in dates:
        start = _at(day, first.time().replace(tzinfo=None))
        rows.append(
            _insert(
                actor=actor,
                offender=offender,
                officer=officer,
                office=office,
                kind=kind,
                starts_at=start,
                ends_at=start + length,
                location=location,
                notes=notes,
                series=series,
            )
        )
    Appointment.objects.bulk_create(rows)
    for row in rows:
        APPOINTMENT_WORKFLOW.record_step(row, from_status="", to=AppointmentStatus.SCHEDULED, actor=actor)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=series,
        summary=f"Arranged {len(rows)} appointments "
        f"({series.get_frequency_display().lower()}) for {offender}",
        changes={"appointments": [None, [row.pk for row in rows]]},
    )
    return series


def _refuse_unless_scheduled(appointment: Appointment) -> None:
    if appointment.status != AppointmentStatus.SCHEDULED:
        raise ValidationError(
            f"This appointment is already {APPOINTMENT_WORKFLOW.label(appointment.status)}: "
            "it cannot be changed."
        )


@transaction.atomic
def appointment_change(
    *,
    actor,
    appointment: Appointment,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    location: str,
    notes: str,
    officer,
    apply_to_following: bool = False,
) -> list[Appointment]:
    """Change one scheduled appointment or, with `apply_to_following`, it and every later scheduled
    appointment of its series (each keeps its own date and takes the new time of day and length).
    Appointments with an outcome are history and never change. Returns the appointments changed."""
    _refuse_unless_scheduled(appointment)
    _check_times(starts_at, ends_at)
    _check_officer(officer, appointment.office)
    if apply_to_following and appointment.series_id is None:
        raise ValidationError("This appointment is not part of a series.")
    targets = [appointment]
    if apply_to_following:
        targets += list(
            Appointment.objects.select_for_update()
            .filter(
                series_id=appointment.series_id,
                status=AppointmentStatus.SCHEDULED,
                starts_at__gt=appointment.starts_at,
            )
            .order_by("starts_at")
        )
    clock, length, shift_days = (
        local(starts_at).time().replace(tzinfo=None),
        ends_at - starts_at,
        (local(starts_at).date() - local(appointment.starts_at).date()).days,
    )
    changed = []
    for target in targets:
        before = {
            "starts_at": target.starts_at.isoformat(),
            "ends_at": target.ends_at.isoformat(),
            "location": target.location,
            "notes": target.notes,
            "officer": target.officer_id,
        }
        if target.pk == appointment.pk:
            new_start = starts_at
        else:
            new_start = _at(local(target.starts_at).date() + datetime.timedelta(days=shift_days), clock)
        target.starts_at, target.ends_at = new_start, new_start + length
        target.location, target.notes, target.officer = location.strip(), notes.strip(), officer
        after = {
            "starts_at": target.starts_at.isoformat(),
            "ends_at": target.ends_at.isoformat(),
            "location": target.location,
            "notes": target.notes,
            "officer": target.officer_id,
        }
        changes = {name: [before[name], after[name]] for name in after if before[name] != after[name]}
        if not changes:
            continue
        updated = Appointment.objects.filter(pk=target.pk, status=AppointmentStatus.SCHEDULED).update(
            starts_at=target.starts_at,
            ends_at=target.ends_at,
            location=target.location,
            notes=target.notes,
            officer=officer,
        )
        if not updated:
            raise ValidationError(
                "Someone else recorded an outcome for this appointment meanwhile: look again."
            )
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=target,
            summary=f"Changed the {target.get_kind_display().lower()} of {target.starts_at:%-d %b %Y}",
            changes=changes,
        )
        changed.append(target)
    return changed


def _when(appointment: Appointment) -> str:
    start = local(appointment.starts_at)
    return f"{start:%-d %b %Y} at {start:%-I:%M %p}".replace("AM", "am").replace("PM", "pm")


def _casenote(*, actor, appointment: Appointment, outcome: str, note: str, contact_on=None, extra: str = ""):
    kind = appointment.get_kind_display()
    label = AppointmentStatus(outcome).label
    lines = [f"{kind} on {_when(appointment)}: {label.lower()}."]
    if appointment.location:
        lines.append(f"Where: {appointment.location}.")
    if extra:
        lines.append(extra)
    if note.strip():
        lines.append(note.strip())
    return casenote_create(
        actor=actor,
        offender=appointment.offender,
        summary=f"{kind}: {label.lower()}"[:200],
        text="\n".join(lines),
        note_type=CasenoteType.CONTACT if outcome in ATTENDANCE_OUTCOMES else CasenoteType.ACTION,
        contact_on=contact_on,
    )


def _check_outcome(appointment: Appointment, outcome: str, note: str) -> None:
    if outcome not in AppointmentStatus.values or outcome in {
        AppointmentStatus.SCHEDULED,
        AppointmentStatus.RESCHEDULED,
    }:
        raise ValidationError(
            {"outcome": "Choose an outcome: attended, attended late, failed to attend or cancelled."}
        )
    _refuse_unless_scheduled(appointment)
    if outcome in ATTENDANCE_OUTCOMES and appointment.starts_at > timezone.now():
        raise ValidationError(
            {"outcome": "This appointment has not started yet: record attendance once it has taken place."}
        )
    if outcome == AppointmentStatus.FAILED_ACCEPTABLE and not note.strip():
        raise ValidationError({"note": "Say what shows the failure to attend was acceptable (the evidence)."})
    if outcome == AppointmentStatus.CANCELLED and not note.strip():
        raise ValidationError({"note": "Say why the appointment is cancelled."})


def _hours(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _community_work_hours(*, actor, appointment: Appointment, outcome: str) -> str:
    """An attended community work placement counts towards the person's community work order: its
    length (in quarter hours, at most 12 a day and what is left of the order) is recorded against
    the order in force that day (conditions.services, source "work party outcome"). Returns what
    the casenote says of it ("" for other appointments)."""
    if appointment.kind != AppointmentKind.COMMUNITY_WORK or outcome not in {
        AppointmentStatus.ATTENDED,
        AppointmentStatus.ATTENDED_LATE,
    }:
        return ""
    day = local(appointment.starts_at).date()
    orders = list(
        Condition.objects.in_force()
        .filter(offender_id=appointment.offender_id, kind=ConditionKind.COMMUNITY_WORK, start_on__lte=day)
        .filter(Q(end_on__isnull=True) | Q(end_on__gte=day))
        .select_related("sentence__offender")
        .order_by("start_on", "id")
    )
    if not orders:
        return "No community work order was in force that day: no hours recorded."
    # The earliest order with hours left (a second order runs on once the first is worked).
    left = [(order, Decimal(order.hours_ordered) - hours_worked(order)) for order in orders]
    order, remaining = next(((o, r) for o, r in left if r > 0), left[-1])
    if getattr(actor, "is_authenticated", False) and not can_change_conditions(actor, order.sentence):
        return "Hours not recorded: record them on the person's Conditions tab."
    if CommunityWorkRecord.objects.filter(condition=order, worked_on=day).exists():
        return f"Hours for {day:%-d %b %Y} were already recorded on the community work order."
    quarters = (appointment.ends_at - appointment.starts_at) // datetime.timedelta(minutes=15)
    hours = min(Decimal(quarters) / 4, Decimal(MAX_HOURS_PER_DAY), remaining)
    if hours <= 0:
        return "Every hour of the community work order is already worked: no hours recorded."
    try:
        community_work_hours_record(
            actor=actor, condition=order, on=day, hours=hours, source=WorkSource.WORK_PARTY
        )
    except ValidationError as error:
        # Hours typed on the Conditions tab meanwhile: the outcome stands, the hours are for a person.
        return f"Hours not recorded ({' '.join(error.messages)}): record them on the person's Conditions tab."
    return (
        f"{_hours(hours)} hours of community work recorded against the order "
        f"({_hours(remaining - hours)} of {order.hours_ordered} remaining)."
    )


@transaction.atomic
def outcome_record(*, actor, appointment: Appointment, outcome: str, note: str = "") -> Appointment:
    """Record what happened at an appointment, and the casenote of it, in one step. An attended
    community work placement also records its hours against the community work order."""
    _check_outcome(appointment, outcome, note)
    contact_on = appointment.starts_at if outcome in ATTENDANCE_OUTCOMES else None
    casenote = _casenote(
        actor=actor,
        appointment=appointment,
        outcome=outcome,
        note=note,
        contact_on=contact_on,
        extra=_community_work_hours(actor=actor, appointment=appointment, outcome=outcome),
    )
    APPOINTMENT_WORKFLOW.move(
        appointment,
        to=outcome,
        actor=actor,
        comment=note.strip(),
        fields={
            "outcome_note": note.strip(),
            "outcome_recorded_at": timezone.now(),
            "outcome_recorded_by": actor_user(actor),
            "casenote": casenote,
        },
        summary=f"Recorded {AppointmentStatus(outcome).label.lower()} for the "
        f"{appointment.get_kind_display().lower()} of {_when(appointment)}",
    )
    # Compliance counts the failures and considers enforcement (a higher app: a domain event).
    publish(
        AppointmentOutcomeRecorded(
            offender_id=appointment.offender_id,
            appointment_id=appointment.pk,
            outcome=outcome,
            kind=appointment.kind,
            on=local(appointment.starts_at).date(),
        ),
        actor=actor,
        records=(appointment,),
    )
    return appointment


@transaction.atomic
def outcomes_record_bulk(*, actor, outcomes: list[tuple[Appointment, str, str]]) -> list[Appointment]:
    """Outcomes for several appointments at once (a programme session, a work party): all are
    recorded or, if any is refused, none, with a message naming whose was refused."""
    if not outcomes:
        raise ValidationError("Choose an outcome for at least one appointment.")
    recorded = []
    for appointment, outcome, note in outcomes:
        try:
            recorded.append(outcome_record(actor=actor, appointment=appointment, outcome=outcome, note=note))
        except ValidationError as error:
            raise ValidationError(f"{appointment.offender}: {' '.join(error.messages)}") from None
    return recorded


@transaction.atomic
def appointment_reschedule(
    *, actor, appointment: Appointment, starts_at: datetime.datetime, ends_at: datetime.datetime, reason: str
) -> Appointment:
    """Move an appointment to a new time. The old one stays, with the outcome "rescheduled", the
    reason and a link to the new one, so the history shows every change."""
    _refuse_unless_scheduled(appointment)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the appointment is rescheduled."})
    _check_times(starts_at, ends_at)
    new = _insert(
        actor=actor,
        offender=appointment.offender,
        officer=appointment.officer,
        office=appointment.office,
        kind=appointment.kind,
        starts_at=starts_at,
        ends_at=ends_at,
        location=appointment.location,
        notes=appointment.notes,
        series=appointment.series,
    )
    new.save(force_insert=True)
    APPOINTMENT_WORKFLOW.record_step(new, from_status="", to=AppointmentStatus.SCHEDULED, actor=actor)
    audit_created(actor=actor, obj=new, fields=APPOINTMENT_FIELDS, summary=f"Rescheduled to {_when(new)}")
    casenote = _casenote(
        actor=actor,
        appointment=appointment,
        outcome=AppointmentStatus.RESCHEDULED,
        note=reason,
        extra=f"New time: {_when(new)}.",
    )
    APPOINTMENT_WORKFLOW.move(
        appointment,
        to=AppointmentStatus.RESCHEDULED,
        actor=actor,
        comment=reason.strip(),
        fields={
            "outcome_note": reason.strip(),
            "outcome_recorded_at": timezone.now(),
            "outcome_recorded_by": actor_user(actor),
            "rescheduled_to": new,
            "casenote": casenote,
        },
        summary=f"Rescheduled the {appointment.get_kind_display().lower()} of {_when(appointment)} "
        f"to {_when(new)}",
    )
    return new


# --- Contact levels -----------------------------------------------------------------------------

CONTACT_LEVEL_FIELDS = ("offender", "every_days", "reason", "starts_on", "ends_on", "set_by")


def _check_contact_level(every_days, reason: str, starts_on, ends_on) -> None:
    errors = {}
    lowest, highest = CONTACT_DAYS_RANGE
    if isinstance(every_days, bool) or not isinstance(every_days, int) or not lowest <= every_days <= highest:
        errors["every_days"] = f"Say how many days between contacts, from {lowest} to {highest}."
    if not (reason or "").strip():
        errors["reason"] = "Say why the contact level is changed."
    if not isinstance(starts_on, datetime.date):
        errors["starts_on"] = "Say from which day the contact level applies."
    elif ends_on is not None and (not isinstance(ends_on, datetime.date) or ends_on <= starts_on):
        errors["ends_on"] = "The end must be after the start: leave it blank for no end."
    if errors:
        raise ValidationError(errors)


def contact_level_set(
    *,
    actor,
    offender,
    every_days: int,
    reason: str,
    starts_on: datetime.date,
    ends_on: datetime.date | None = None,
) -> ContactLevelAdjustment:
    """Set how often one person is seen, with the reason, from a day (until a day, or open-ended),
    in place of their sentence type's rule. Audited, with an action casenote. A refusal of the
    actor is audited outside the change's transaction, so its row stays."""
    if not can_set_contact_level(actor, offender):
        audit_record(
            actor=actor,
            action=AuditAction.DENIED,
            obj=offender,
            summary=f"Refused: changing the contact level of {offender}",
        )
        raise Refused("You may not change this person's contact level.", obj=offender, audited=True)
    _check_contact_level(every_days, reason, starts_on, ends_on)
    with transaction.atomic():
        return _contact_level_write(
            actor=actor,
            offender=offender,
            every_days=every_days,
            reason=reason.strip(),
            starts_on=starts_on,
            ends_on=ends_on,
        )


def _contact_level_write(
    *, actor, offender, every_days, reason, starts_on, ends_on
) -> ContactLevelAdjustment:
    adjustment = ContactLevelAdjustment.objects.create(
        offender=offender,
        every_days=every_days,
        reason=reason,
        starts_on=starts_on,
        ends_on=ends_on,
        set_by=actor_user(actor),
    )
    period = f"from {starts_on:%-d %b %Y}" + (f" until {ends_on:%-d %b %Y}" if ends_on else "")
    audit_created(
        actor=actor,
        obj=adjustment,
        fields=CONTACT_LEVEL_FIELDS,
        summary=f"Set the contact level of {offender} to every {every_days} days {period}",
    )
    casenote_create(
        actor=actor,
        offender=offender,
        summary=f"Contact level: every {every_days} days",
        text=f"Contact level set to every {every_days} days, {period}.\nReason: {reason}",
        note_type=CasenoteType.ACTION,
    )
    return adjustment


# --- The calendar feed --------------------------------------------------------------------------


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def calendar_feed_issue(*, actor, staff) -> str:
    """A new feed token for the officer (any earlier one stops working). Returns the token: it is
    shown once and only its hash is kept."""
    if actor_user(actor) is None or getattr(actor, "pk", None) != staff.user_id:
        raise PermissionDenied("Only officers issue their own calendar feed.")
    calendar_feed_revoke(actor=actor, staff=staff)
    token = secrets.token_urlsafe(32)
    feed = CalendarFeed.objects.create(staff=staff, token_hash=token_hash(token))
    audit_created(actor=actor, obj=feed, fields=("staff",), summary=f"Issued a calendar feed for {staff}")
    return token


@transaction.atomic
def calendar_feed_revoke(*, actor, staff) -> int:
    revoked = CalendarFeed.objects.filter(staff=staff, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if revoked:
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=staff,
            summary=f"Revoked the calendar feed of {staff}",
            changes={"calendar_feed": ["live", "revoked"]},
        )
    return revoked


@transaction.atomic
def reminder_preference_set(*, actor, offender, channel: str) -> ReminderPreference:
    """How the person is reminded of appointments (appointments.reminders): by text, by e-mail or
    not at all. A channel needs its address on the record. Audited; unchanged, nothing is written."""
    if channel not in ReminderChannel.values:
        raise ValidationError({"channel": "Choose how the person is reminded: text message, e-mail or none."})
    # Locked so that two people setting it at once change it one after the other, not both insert.
    offender = Offender.objects.select_for_update().get(pk=offender.pk)
    if channel == ReminderChannel.TEXT and not offender.phone.strip():
        raise ValidationError(
            {"channel": "There is no phone number on the record: add one first, or choose e-mail or none."}
        )
    if channel == ReminderChannel.EMAIL and not offender.email.strip():
        raise ValidationError(
            {"channel": "There is no e-mail address on the record: add one first, or choose text or none."}
        )
    label = ReminderChannel(channel).label.lower()
    preference = ReminderPreference.objects.filter(offender=offender).first()
    if preference is None:
        preference = ReminderPreference.objects.create(
            offender=offender, channel=channel, set_by=actor_user(actor), set_at=timezone.now()
        )
        audit_created(
            actor=actor,
            obj=preference,
            fields=("channel",),
            summary=f"Set the appointment reminders of {offender}: {label}",
        )
        return preference
    if preference.channel == channel:
        return preference
    before = preference.channel
    preference.channel, preference.set_by, preference.set_at = channel, actor_user(actor), timezone.now()
    preference.save(update_fields=["channel", "set_by", "set_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=preference,
        summary=f"Changed the appointment reminders of {offender}: {label}",
        changes={"channel": [before, channel]},
    )
    return preference
