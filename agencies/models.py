from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from workflow.transitions import TransitionRow, Workflow


class AgencyStatus(models.TextChoices):
    ACCEPTED = "accepted", "Accepted"
    DISCONTINUED = "discontinued", "Discontinued"


# Seed 001: an agency is accepted, changed and discontinued; a discontinued one is not taken back
# (a new agency is accepted instead).
AGENCY_TRANSITIONS: dict[str, frozenset[str]] = {
    AgencyStatus.ACCEPTED: frozenset({AgencyStatus.DISCONTINUED}),
    AgencyStatus.DISCONTINUED: frozenset(),
}


class Agency(models.Model):
    """A person or organisation sponsoring a programme or service (seed 000)."""

    name = models.CharField(max_length=150, unique=True)
    kind = models.CharField(max_length=60, blank=True, help_text="e.g. iwi provider, NGO, government")
    contact_name = models.CharField(max_length=120, blank=True)
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    address = models.CharField(max_length=250, blank=True)
    status = models.CharField(max_length=15, choices=AgencyStatus.choices, default=AgencyStatus.ACCEPTED)
    accepted_on = models.DateField()
    discontinued_on = models.DateField(null=True, blank=True)
    discontinued_reason = models.CharField(max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name


class AgencyTransition(TransitionRow):
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=15, choices=AgencyStatus.choices, blank=True)
    to_status = models.CharField(max_length=15, choices=AgencyStatus.choices)

    class Meta(TransitionRow.Meta):
        pass


AGENCY_WORKFLOW = Workflow(
    name="agency",
    model=Agency,
    transitions=AGENCY_TRANSITIONS,
    row_model=AgencyTransition,
    subject_field="agency",
    noun="agency",
)


class ProgrammeStatus(models.TextChoices):
    ADOPTED = "adopted", "Adopted"
    DISCONTINUED = "discontinued", "Discontinued"


# Seed 001: a programme is adopted, changed and discontinued.
PROGRAMME_TRANSITIONS: dict[str, frozenset[str]] = {
    ProgrammeStatus.ADOPTED: frozenset({ProgrammeStatus.DISCONTINUED}),
    ProgrammeStatus.DISCONTINUED: frozenset(),
}


class Programme(models.Model):
    class Kind(models.TextChoices):
        PROGRAMME = "programme", "Programme"
        SERVICE = "service", "Service"

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="programmes")
    name = models.CharField(max_length=150)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.PROGRAMME)
    description = models.TextField(blank=True)
    office = models.ForeignKey(
        "staff.Office", null=True, blank=True, on_delete=models.PROTECT, related_name="programmes"
    )
    capacity = models.PositiveIntegerField(null=True, blank=True)
    status = models.CharField(max_length=15, choices=ProgrammeStatus.choices, default=ProgrammeStatus.ADOPTED)
    adopted_on = models.DateField()
    discontinued_on = models.DateField(null=True, blank=True)
    discontinued_reason = models.CharField(max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["agency", "name"], name="programme_unique_in_agency")]

    def __str__(self) -> str:
        return self.name


class ProgrammeTransition(TransitionRow):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=15, choices=ProgrammeStatus.choices, blank=True)
    to_status = models.CharField(max_length=15, choices=ProgrammeStatus.choices)

    class Meta(TransitionRow.Meta):
        pass


PROGRAMME_WORKFLOW = Workflow(
    name="programme",
    model=Programme,
    transitions=PROGRAMME_TRANSITIONS,
    row_model=ProgrammeTransition,
    subject_field="programme",
    noun="programme",
)


class ReferralStatus(models.TextChoices):
    REFERRED = "referred", "Referred"
    WAITING = "waiting", "On the waiting list"
    ACCEPTED = "accepted", "Accepted (place taken)"
    ATTENDING = "attending", "Attending"
    COMPLETED = "completed", "Completed"
    NOT_COMPLETED = "not_completed", "Did not complete"
    WITHDRAWN = "withdrawn", "Withdrawn"
    DECLINED = "declined", "Declined by provider"


REFERRAL_TRANSITIONS: dict[str, frozenset[str]] = {
    ReferralStatus.REFERRED: frozenset(
        {
            ReferralStatus.WAITING,
            ReferralStatus.ACCEPTED,
            ReferralStatus.ATTENDING,
            ReferralStatus.WITHDRAWN,
            ReferralStatus.DECLINED,
        }
    ),
    ReferralStatus.WAITING: frozenset(
        {ReferralStatus.ACCEPTED, ReferralStatus.WITHDRAWN, ReferralStatus.DECLINED}
    ),
    ReferralStatus.ACCEPTED: frozenset(
        {ReferralStatus.ATTENDING, ReferralStatus.NOT_COMPLETED, ReferralStatus.WITHDRAWN}
    ),
    ReferralStatus.ATTENDING: frozenset(
        {ReferralStatus.COMPLETED, ReferralStatus.NOT_COMPLETED, ReferralStatus.WITHDRAWN}
    ),
    ReferralStatus.COMPLETED: frozenset(),
    ReferralStatus.NOT_COMPLETED: frozenset(),
    ReferralStatus.WITHDRAWN: frozenset(),
    ReferralStatus.DECLINED: frozenset(),
}
# A referral holds one of the programme's places (Programme.capacity) while accepted or attending.
PLACE_STATUSES = frozenset({ReferralStatus.ACCEPTED, ReferralStatus.ATTENDING})
OPEN_REFERRAL_STATUSES = (
    ReferralStatus.REFERRED,
    ReferralStatus.WAITING,
    ReferralStatus.ACCEPTED,
    ReferralStatus.ATTENDING,
)
# Sessions are recorded for a referral with a place, or one referred to a programme without
# places to allocate; not for one on the waiting list.
ATTENDANCE_STATUSES = (ReferralStatus.REFERRED, ReferralStatus.ACCEPTED, ReferralStatus.ATTENDING)


class Referral(models.Model):
    """An offender referred to a programme, and how it went."""

    offender = models.ForeignKey("offenders.Offender", on_delete=models.PROTECT, related_name="referrals")
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="referrals")
    sentence = models.ForeignKey(
        "sentences.Sentence", null=True, blank=True, on_delete=models.PROTECT, related_name="referrals"
    )
    referred_on = models.DateField()
    status = models.CharField(max_length=15, choices=ReferralStatus.choices, default=ReferralStatus.REFERRED)
    status_changed_on = models.DateField(null=True, blank=True)
    outcome_note = models.CharField(max_length=300, blank=True)
    waitlisted_on = models.DateField("On the waiting list since", null=True, blank=True)
    accepted_on = models.DateField("Place taken on", null=True, blank=True)
    starts_on = models.DateField("Starts on", null=True, blank=True)
    referred_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-referred_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["offender", "programme"],
                condition=Q(status__in=["referred", "waiting", "accepted", "attending"]),
                name="one_open_referral_per_programme",
            ),
            models.CheckConstraint(
                condition=~Q(status="waiting") | Q(waitlisted_on__isnull=False),
                name="waiting_referral_says_since_when",
            ),
            models.CheckConstraint(
                condition=~Q(status="accepted") | Q(accepted_on__isnull=False),
                name="accepted_referral_says_when",
            ),
        ]
        indexes = [
            models.Index(fields=["programme", "status"], name="referral_programme_status"),
            # The API list's order (agencies/api.py), for keyset pages.
            models.Index(fields=["-referred_on", "-id"], name="referral_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.programme} ({self.get_status_display()})"

    def clean(self) -> None:
        if self.sentence_id and self.offender_id and self.sentence.offender_id != self.offender_id:
            raise ValidationError({"sentence": "That sentence belongs to a different offender."})


class ReferralTransition(TransitionRow):
    """Each step of a referral (its date is the referral's `status_changed_on`; the comment is the
    outcome note)."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=15, choices=ReferralStatus.choices, blank=True)
    to_status = models.CharField(max_length=15, choices=ReferralStatus.choices)

    class Meta(TransitionRow.Meta):
        pass


REFERRAL_WORKFLOW = Workflow(
    name="referral",
    model=Referral,
    transitions=REFERRAL_TRANSITIONS,
    row_model=ReferralTransition,
    subject_field="referral",
    noun="referral",
)


class AttendanceOutcome(models.TextChoices):
    ATTENDED = "attended", "Attended"
    ABSENT = "absent", "Absent"
    EXCUSED = "excused", "Absence excused"


class Attendance(models.Model):
    """One session of a programme: attended, absent (with the reason in `note`) or excused."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="attendances")
    session_on = models.DateField()
    attended = models.BooleanField()
    excused = models.BooleanField(default=False)
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-session_on"]
        constraints = [
            models.UniqueConstraint(fields=["referral", "session_on"], name="attendance_one_per_session"),
            models.CheckConstraint(
                condition=Q(attended=False) | Q(excused=False), name="attendance_excused_only_if_absent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session_on}: {self.get_outcome_display().lower()}"

    @property
    def outcome(self) -> str:
        if self.attended:
            return AttendanceOutcome.ATTENDED
        return AttendanceOutcome.EXCUSED if self.excused else AttendanceOutcome.ABSENT

    def get_outcome_display(self) -> str:
        return AttendanceOutcome(self.outcome).label
