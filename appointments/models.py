"""Appointments with offenders and their outcomes (issue 15): an officer's diary, an offender's
schedule, recurring series, rescheduling that keeps history, and the time within which the first
appointment after allocation is due, as data per sentence type.

An appointment's status is its outcome: it is scheduled until an outcome is recorded, and every
step goes through the one workflow helper (APPOINTMENT_WORKFLOW). A rescheduled appointment stays,
with the outcome "rescheduled" and a link to the appointment that replaced it."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from sentences.models import SentenceType
from workflow.transitions import TransitionRow, Workflow


class AppointmentKind(models.TextChoices):
    OFFICE_VISIT = "office_visit", "Office visit"
    HOME_VISIT = "home_visit", "Home visit"
    PHONE = "phone", "Phone call"
    PROGRAMME_SESSION = "programme_session", "Programme session"
    COMMUNITY_WORK = "community_work", "Community work placement"


# Kinds held for several people at one time and place, whose outcomes are recorded together.
GROUP_KINDS = frozenset({AppointmentKind.PROGRAMME_SESSION, AppointmentKind.COMMUNITY_WORK})


class AppointmentStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    ATTENDED = "attended", "Attended"
    ATTENDED_LATE = "attended_late", "Attended late"
    FAILED_ACCEPTABLE = "failed_acceptable", "Failed to attend, acceptable"
    FAILED_UNACCEPTABLE = "failed_unacceptable", "Failed to attend, unacceptable"
    RESCHEDULED = "rescheduled", "Rescheduled"
    CANCELLED = "cancelled", "Cancelled by staff"


# Outcomes of an appointment that has taken place: recorded only once it has started.
ATTENDANCE_OUTCOMES = frozenset(
    {
        AppointmentStatus.ATTENDED,
        AppointmentStatus.ATTENDED_LATE,
        AppointmentStatus.FAILED_ACCEPTABLE,
        AppointmentStatus.FAILED_UNACCEPTABLE,
    }
)
# What the diary's outcome form offers (rescheduling has its own form: it needs the new time).
DIARY_OUTCOMES = [*sorted(ATTENDANCE_OUTCOMES, key=list(AppointmentStatus.values).index), "cancelled"]


class Frequency(models.TextChoices):
    WEEKLY = "weekly", "Every week"
    FORTNIGHTLY = "fortnightly", "Every fortnight"
    EVERY_N_DAYS = "every_n_days", "Every so many days"


class AppointmentSeries(models.Model):
    """A recurring appointment: the rows it generated are ordinary appointments pointing here, so
    each can be changed, rescheduled or given its outcome on its own."""

    offender = models.ForeignKey("offenders.Offender", on_delete=models.PROTECT, related_name="+")
    frequency = models.CharField(max_length=20, choices=Frequency.choices)
    every_days = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(90)], help_text="Days between appointments."
    )
    until = models.DateField(null=True, blank=True)
    occurrences = models.PositiveSmallIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "appointment series"
        verbose_name_plural = "appointment series"
        constraints = [
            models.CheckConstraint(
                condition=Q(until__isnull=False) | Q(occurrences__isnull=False), name="series_has_an_end"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_frequency_display()} for {self.offender}"


class AppointmentQuerySet(models.QuerySet):
    def with_list_relations(self):
        return self.select_related("offender", "officer__user", "office")

    def between(self, start, end):
        return self.filter(starts_at__gte=start, starts_at__lt=end)


class Appointment(models.Model):
    offender = models.ForeignKey("offenders.Offender", on_delete=models.PROTECT, related_name="appointments")
    officer = models.ForeignKey("staff.StaffMember", on_delete=models.PROTECT, related_name="appointments")
    office = models.ForeignKey("staff.Office", on_delete=models.PROTECT, related_name="appointments")
    kind = models.CharField(max_length=20, choices=AppointmentKind.choices)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    location = models.CharField(max_length=200, blank=True)
    notes = models.TextField(blank=True)
    series = models.ForeignKey(
        AppointmentSeries, null=True, blank=True, on_delete=models.PROTECT, related_name="appointments"
    )
    status = models.CharField(
        max_length=20, choices=AppointmentStatus.choices, default=AppointmentStatus.SCHEDULED
    )
    outcome_note = models.TextField(blank=True, help_text="What happened, the evidence or the reason.")
    outcome_recorded_at = models.DateTimeField(null=True, blank=True)
    outcome_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    rescheduled_to = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="rescheduled_from"
    )
    casenote = models.OneToOneField(
        "casenotes.Casenote", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["officer", "starts_at"], name="appointment_officer_time"),
            models.Index(fields=["office", "starts_at"], name="appointment_office_time"),
            models.Index(fields=["offender", "starts_at"], name="appointment_offender_time"),
            # The reminders' sweep (appointments.reminders.due_reminders) reads the scheduled
            # appointments of a few hours ahead every 15 minutes: this keeps it off the whole table.
            models.Index(
                fields=["starts_at"],
                condition=Q(status="scheduled"),
                name="appointment_scheduled_time",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="appointment_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.starts_at:%-d %b %Y}"

    @property
    def is_scheduled(self) -> bool:
        return self.status == AppointmentStatus.SCHEDULED


class AppointmentTransition(TransitionRow):
    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="transitions")

    class Meta(TransitionRow.Meta):
        pass


APPOINTMENT_TRANSITIONS = {
    AppointmentStatus.SCHEDULED: frozenset(set(AppointmentStatus.values) - {AppointmentStatus.SCHEDULED}),
}
APPOINTMENT_WORKFLOW = Workflow(
    name="appointment",
    model=Appointment,
    transitions=APPOINTMENT_TRANSITIONS,
    row_model=AppointmentTransition,
    subject_field="appointment",
)


class FirstAppointmentRule(models.Model):
    """Issue 15: the first appointment after allocation is due within a time set per sentence type
    (intensive supervision: report within 72 hours, DOMAIN.md). Versioned by the date it takes
    effect; the rule in force on the allocation's start applies."""

    sentence_type = models.CharField(max_length=30, choices=SentenceType.choices)
    within_hours = models.PositiveIntegerField(validators=[MinValueValidator(1), MaxValueValidator(24 * 60)])
    effective_from = models.DateField()
    source = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["sentence_type", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["sentence_type", "effective_from"], name="first_appointment_rule_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_sentence_type_display()}: within {self.within_hours} hours"


# How often a person under community supervision is seen, at most (ContactLevelRule and its
# adjustments): a number of days between contacts.
CONTACT_DAYS_RANGE = (1, 90)


class ContactLevelRule(models.Model):
    """How often a person must be seen, per sentence type: the number of days between contacts.
    Versioned like FirstAppointmentRule: the rule in force on a day is the one of the sentence type
    that took effect latest on or before that day. The defaults (migration 0003) are ours to set and
    are changed in the admin by adding a row with a later date, so history stays as it was."""

    sentence_type = models.CharField(max_length=30, choices=SentenceType.choices)
    every_days = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(CONTACT_DAYS_RANGE[0]), MaxValueValidator(CONTACT_DAYS_RANGE[1])],
        help_text="Days between contacts.",
    )
    effective_from = models.DateField()
    source = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["sentence_type", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["sentence_type", "effective_from"], name="contact_level_rule_once"
            ),
            models.CheckConstraint(
                condition=Q(every_days__gte=CONTACT_DAYS_RANGE[0], every_days__lte=CONTACT_DAYS_RANGE[1]),
                name="contact_level_rule_days_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_sentence_type_display()}: every {self.every_days} days"


class ContactLevelAdjustment(models.Model):
    """One person's contact level set by hand, with the reason, from a day and until a day (or
    open-ended). While in force it replaces the sentence type's rule; where several are in force on
    a day, the one starting latest wins (so a person returns to the earlier level when a temporary
    one ends). Written only by appointments.services.contact_level_set."""

    offender = models.ForeignKey(
        "offenders.Offender", on_delete=models.PROTECT, related_name="contact_level_adjustments"
    )
    every_days = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(CONTACT_DAYS_RANGE[0]), MaxValueValidator(CONTACT_DAYS_RANGE[1])]
    )
    reason = models.TextField()
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    set_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["offender", "-starts_on", "-set_at", "-id"]
        indexes = [models.Index(fields=["offender", "starts_on"], name="contact_adjustment_offender")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gt=models.F("starts_on")),
                name="contact_adjustment_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(every_days__gte=CONTACT_DAYS_RANGE[0], every_days__lte=CONTACT_DAYS_RANGE[1]),
                name="contact_adjustment_days_in_range",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="contact_adjustment_has_reason"),
        ]

    def __str__(self) -> str:
        return f"Every {self.every_days} days for {self.offender} from {self.starts_on:%-d %b %Y}"


class CalendarFeed(models.Model):
    """An officer's read-only iCalendar feed. Only the SHA-256 of its token is stored: the token is
    shown once, when issued; revoking ends it, and a new one replaces it."""

    staff = models.ForeignKey("staff.StaffMember", on_delete=models.PROTECT, related_name="calendar_feeds")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["staff"], condition=Q(revoked_at__isnull=True), name="one_live_calendar_feed"
            )
        ]

    def __str__(self) -> str:
        return f"Calendar feed of {self.staff}"


class ReminderChannel(models.TextChoices):
    TEXT = "text", "Text message"
    EMAIL = "email", "E-mail"
    NONE = "none", "No reminders"


class ReminderPreference(models.Model):
    """How a person wants to be reminded of their appointments, set by staff on the Appointments
    tab. Without a row the default applies (appointments.reminders.reminder_channel): a text if a
    phone number is on record, else an e-mail if an address is, else none. Kept here, not on the
    offender, because only appointments use it."""

    offender = models.OneToOneField("offenders.Offender", on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=10, choices=ReminderChannel.choices)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    set_at = models.DateTimeField()

    class Meta:
        verbose_name = "reminder preference"

    def __str__(self) -> str:
        return f"Reminders by {self.get_channel_display().lower()}"


class ReminderStatus(models.TextChoices):
    # Claimed and being handed to the backend. A row left here (the worker died mid-send) is not
    # sent again: whether the person got it cannot be known, and a reminder goes at most once.
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class ReminderSent(models.Model):
    """One reminder of one appointment by one channel. The unique constraint makes the row the
    claim: it is inserted before sending, so two runs (or two workers) never both send it."""

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="reminders")
    channel = models.CharField(max_length=10, choices=ReminderChannel.choices)
    status = models.CharField(max_length=10, choices=ReminderStatus.choices, default=ReminderStatus.SENDING)
    backend = models.CharField(max_length=200)
    attempts = models.PositiveSmallIntegerField(default=1)
    attempted_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = "reminder sent"
        verbose_name_plural = "reminders sent"
        constraints = [
            models.UniqueConstraint(fields=["appointment", "channel"], name="reminder_once_per_channel"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} reminder: {self.get_status_display().lower()}"


class ReminderTransition(TransitionRow):
    reminder = models.ForeignKey(ReminderSent, on_delete=models.CASCADE, related_name="transitions")

    class Meta(TransitionRow.Meta):
        pass


# Claimed → sent or failed; a failed one is claimed again by a later run (at most
# appointments.reminders.MAX_ATTEMPTS in all). A sent one is done.
REMINDER_TRANSITIONS = {
    ReminderStatus.SENDING: frozenset({ReminderStatus.SENT, ReminderStatus.FAILED}),
    ReminderStatus.FAILED: frozenset({ReminderStatus.SENDING}),
}
REMINDER_WORKFLOW = Workflow(
    name="appointment reminder",
    model=ReminderSent,
    transitions=REMINDER_TRANSITIONS,
    row_model=ReminderTransition,
    subject_field="reminder",
    noun="reminder",
)
