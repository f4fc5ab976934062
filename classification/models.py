"""Review Security Classification (seed 003, issue 5): the prison records the form reads, the
prisoner's classification history and the scoring instrument as versioned data."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from workflow.transitions import TransitionRow, Workflow

# ---------------------------------------------------------------------------------------------
# Prison records the form reads
# ---------------------------------------------------------------------------------------------


def _day(day) -> str:
    """3 Mar 2026: how the portal writes a date in words (the records' names appear in pages)."""
    return f"{day.day} {day:%b %Y}" if day else ""


class CorrectionsActStatus(models.TextChoices):
    """Whether an incident led to a Corrections Act (misconduct) charge (seed 003, A.4.3/A.4.4)."""

    NONE = "none", "Not charged"
    CHARGED = "charged", "Charged under the Corrections Act"
    PROVEN = "proven", "Proven under the Corrections Act"


class IncidentType(models.TextChoices):
    """What the incident report records; A.5.2-A.5.4 count the matching file notes."""

    STAFF_REQUEST = "staff_request", "Failed to comply with a staff request"
    INTERACTION = "interaction", "Negative interaction with staff or prisoners"
    PRISON_RULES = "prison_rules", "Breach of prison rules"
    OTHER = "other", "Other incident"


class IncidentReport(models.Model):
    """An incident or misconduct report (IOMS Incident Reports, Misconduct Reports)."""

    offender = models.ForeignKey(
        "offenders.Offender", on_delete=models.PROTECT, related_name="incident_reports"
    )
    prison = models.ForeignKey(
        "staff.Office", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    occurred_on = models.DateField()
    incident_type = models.CharField(max_length=20, choices=IncidentType.choices)
    corrections_act = models.CharField(
        max_length=10, choices=CorrectionsActStatus.choices, default=CorrectionsActStatus.NONE
    )
    drugs_related = models.BooleanField(default=False)
    violence_related = models.BooleanField(default=False)
    escape_related = models.BooleanField(default=False)
    negative_attitude = models.BooleanField(
        default=False, help_text="Shows the prisoner's negative attitude towards others (A.5.1)."
    )
    # Seed 003, A.4.3/A.4.4 count "convictions and charges ... in the last 3 months": a misconduct
    # charge is dated by the day it was laid and the day it was proven, not by the incident.
    charge_laid_on = models.DateField("Date the misconduct charge was laid", null=True, blank=True)
    proven_on = models.DateField("Date the charge was proven", null=True, blank=True)
    description = models.CharField(max_length=300, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_on", "-id"]
        indexes = [models.Index(fields=["offender", "-occurred_on"], name="incident_offender_date")]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(corrections_act="none", charge_laid_on__isnull=True, proven_on__isnull=True)
                    | Q(corrections_act="charged", charge_laid_on__isnull=False, proven_on__isnull=True)
                    | Q(corrections_act="proven", charge_laid_on__isnull=False, proven_on__isnull=False)
                ),
                name="incident_charge_dates_match_status",
            ),
            models.CheckConstraint(
                condition=Q(charge_laid_on__isnull=True) | Q(charge_laid_on__gte=models.F("occurred_on")),
                name="incident_charge_laid_after_incident",
            ),
            models.CheckConstraint(
                condition=Q(proven_on__isnull=True) | Q(proven_on__gte=models.F("charge_laid_on")),
                name="incident_proven_after_charge",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_incident_type_display()} on {_day(self.occurred_on)}"

    @property
    def drugs_violence_or_escape(self) -> bool:
        return self.drugs_related or self.violence_related or self.escape_related


class EscapeKind(models.TextChoices):
    ESCAPE = "escape", "Escape"
    ATTEMPT = "attempt", "Attempted escape"


class EscapeCustody(models.TextChoices):
    """Seed 003, A.2.1: escapes from prison and from Police custody; violations of
    non-custodial sentences are not escapes and are not recorded here."""

    PRISON = "prison", "Prison"
    POLICE = "police", "Police custody"


class EscapeEvent(models.Model):
    offender = models.ForeignKey("offenders.Offender", on_delete=models.PROTECT, related_name="escape_events")
    kind = models.CharField(max_length=10, choices=EscapeKind.choices)
    custody = models.CharField(max_length=10, choices=EscapeCustody.choices)
    occurred_on = models.DateField("Date of incident")
    convicted_on = models.DateField("Date of conviction", null=True, blank=True)
    description = models.CharField(max_length=300, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(convicted_on__isnull=True) | Q(convicted_on__gte=models.F("occurred_on")),
                name="escape_convicted_after_incident",
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_kind_display()} from {self.get_custody_display().lower()} on {_day(self.occurred_on)}"
        )


class AtRiskAlert(models.Model):
    """An At Risk alert (seed 003, A.3.1 sources); its presence calls for a health assessment."""

    offender = models.ForeignKey(
        "offenders.Offender", on_delete=models.PROTECT, related_name="at_risk_alerts"
    )
    raised_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-raised_on", "-id"]

    def __str__(self) -> str:
        return f"At Risk alert raised {_day(self.raised_on)}"


class Stability(models.TextChoices):
    STABLE = "S", "Stable"
    UNSTABLE = "U", "Unstable"


class HealthStabilityAssessment(models.Model):
    """Health Services' assessment of mental stability (seed 003, A.3.1)."""

    offender = models.ForeignKey(
        "offenders.Offender", on_delete=models.PROTECT, related_name="stability_assessments"
    )
    assessed_on = models.DateField()
    stability = models.CharField(max_length=1, choices=Stability.choices)
    medical_opinion = models.BooleanField(
        default=False, help_text="The assessment is a medical opinion that the prisoner poses a risk."
    )
    note = models.CharField(max_length=300, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-assessed_on", "-id"]
        constraints = [
            # Seed 003, A.3.1: U is used ONLY if medical opinion indicates the prisoner poses a risk.
            models.CheckConstraint(
                condition=~Q(stability="U") | Q(medical_opinion=True), name="unstable_needs_medical_opinion"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_stability_display()} ({_day(self.assessed_on)})"


class ActivityStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    ATTENDED = "attended", "Attended"
    COMPLETED = "completed", "Completed"
    NOT_COMPLETED = "not_completed", "Not completed"
    UNAVAILABLE = "unavailable", "Not available (beyond the prisoner's control)"


# Seed 003, A.5.5 and issue 6: an activity is recorded as attended, then completed or not
# completed; it is unavailable when it could not go ahead for reasons outside the offender's
# control. Only plans.services writes `status`.
ACTIVITY_TRANSITIONS: dict[str, frozenset[str]] = {
    ActivityStatus.SCHEDULED: frozenset(
        {
            ActivityStatus.ATTENDED,
            ActivityStatus.COMPLETED,
            ActivityStatus.NOT_COMPLETED,
            ActivityStatus.UNAVAILABLE,
        }
    ),
    ActivityStatus.ATTENDED: frozenset(
        {ActivityStatus.COMPLETED, ActivityStatus.NOT_COMPLETED, ActivityStatus.UNAVAILABLE}
    ),
    ActivityStatus.COMPLETED: frozenset(),
    ActivityStatus.NOT_COMPLETED: frozenset(),
    ActivityStatus.UNAVAILABLE: frozenset(),
}
OPEN_ACTIVITY_STATUSES = (ActivityStatus.SCHEDULED, ActivityStatus.ATTENDED)


class SentencePlanActivity(models.Model):
    """An activity or intervention planned in a sentence plan (issue 6), and the record A.5.5 of
    seed 003 reads (by offender and scheduled date, whether or not it belongs to a plan: activities
    recorded before sentence plans existed have none). An intervention is a programme from the
    programme records, with its agency, followed through its referral."""

    offender = models.ForeignKey(
        "offenders.Offender", on_delete=models.PROTECT, related_name="plan_activities"
    )
    plan = models.ForeignKey(
        "plans.SentencePlan", null=True, blank=True, on_delete=models.PROTECT, related_name="activities"
    )
    objective = models.ForeignKey(
        "plans.Objective", null=True, blank=True, on_delete=models.PROTECT, related_name="activities"
    )
    programme = models.ForeignKey(
        "agencies.Programme", null=True, blank=True, on_delete=models.PROTECT, related_name="plan_activities"
    )
    referral = models.ForeignKey(
        "agencies.Referral", null=True, blank=True, on_delete=models.PROTECT, related_name="plan_activities"
    )
    scheduled_on = models.DateField("Planned start")
    planned_end_on = models.DateField("Planned end", null=True, blank=True)
    description = models.CharField(max_length=200)
    status = models.CharField(max_length=15, choices=ActivityStatus.choices, default=ActivityStatus.SCHEDULED)
    attended_on = models.DateField("First attended", null=True, blank=True)
    completed_on = models.DateField(null=True, blank=True)
    status_changed_on = models.DateField(null=True, blank=True)
    unavailable_reason = models.CharField(max_length=300, blank=True)
    not_completed_reason = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-scheduled_on", "-id"]
        constraints = [
            # Issue 6: "unavailable for reasons outside the offender's control" says which reason.
            models.CheckConstraint(
                condition=~Q(status="unavailable") | ~Q(unavailable_reason=""),
                name="unavailable_activity_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status="not_completed") | ~Q(not_completed_reason=""),
                name="not_completed_activity_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(planned_end_on__isnull=True) | Q(planned_end_on__gte=models.F("scheduled_on")),
                name="activity_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=Q(objective__isnull=True) | Q(plan__isnull=False),
                name="activity_objective_needs_plan",
            ),
            models.CheckConstraint(
                condition=Q(referral__isnull=True) | Q(programme__isnull=False),
                name="activity_referral_needs_programme",
            ),
            models.UniqueConstraint(
                fields=["referral"],
                condition=Q(status__in=["scheduled", "attended"]),
                name="one_open_activity_per_referral",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.description} ({self.get_status_display().lower()}, {self.scheduled_on:%-d %b %Y})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ACTIVITY_STATUSES


class ActivityTransition(TransitionRow):
    """Each step of a plan activity (moved by plans.services through ACTIVITY_WORKFLOW)."""

    activity = models.ForeignKey(SentencePlanActivity, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=15, choices=ActivityStatus.choices, blank=True)
    to_status = models.CharField(max_length=15, choices=ActivityStatus.choices)

    class Meta(TransitionRow.Meta):
        pass


ACTIVITY_WORKFLOW = Workflow(
    name="sentence plan activity",
    model=SentencePlanActivity,
    transitions=ACTIVITY_TRANSITIONS,
    row_model=ActivityTransition,
    subject_field="activity",
    noun="activity",
)


class PlanCategory(models.TextChoices):
    STANDARD = "standard", "Standard"
    INTERVENTION = "intervention", "Intervention"


class SentencePlanCategoryChange(models.Model):
    """A change of sentence-plan category; a change to Intervention makes A.5.5 Good. The history
    of a plan's category (issue 6): the latest change of the plan is its category."""

    offender = models.ForeignKey(
        "offenders.Offender", on_delete=models.PROTECT, related_name="plan_category_changes"
    )
    plan = models.ForeignKey(
        "plans.SentencePlan", null=True, blank=True, on_delete=models.PROTECT, related_name="category_changes"
    )
    changed_on = models.DateField()
    category = models.CharField(max_length=20, choices=PlanCategory.choices)
    reason = models.CharField(max_length=300, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-changed_on", "-id"]

    def __str__(self) -> str:
        return f"Plan category {self.get_category_display()} from {_day(self.changed_on)}"


class RemovalKind(models.TextChoices):
    REMOVAL = "removal", "Removal order"
    DEPORTATION = "deportation", "Deportation order"
    EXTRADITION = "extradition", "Extradition order"


class RemovalOrder(models.Model):
    """Seed 003, B.3.2."""

    offender = models.ForeignKey(
        "offenders.Offender", on_delete=models.PROTECT, related_name="removal_orders"
    )
    kind = models.CharField(max_length=12, choices=RemovalKind.choices)
    made_on = models.DateField()
    revoked_on = models.DateField(null=True, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-made_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} made {_day(self.made_on)}"


class RiskLevel(models.TextChoices):
    HIGH = "H", "High"
    MODERATE = "M", "Moderate"
    LOW = "L", "Low"


class PoliceInformation(models.Model):
    """Information from Police or Crime Prevention, assessed H/M/L (seed 003, B.4.3). The form never
    shows the source or the information itself, only the level."""

    class Source(models.TextChoices):
        POLICE = "police", "Police"
        CRIME_PREVENTION = "crime_prevention", "Crime Prevention"

    offender = models.ForeignKey(
        "offenders.Offender", on_delete=models.PROTECT, related_name="police_information"
    )
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.POLICE)
    level = models.CharField(max_length=1, choices=RiskLevel.choices)
    received_on = models.DateField()
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name_plural = "police information"

    def __str__(self) -> str:
        return f"Information assessed {self.get_level_display().lower()} ({_day(self.received_on)})"


# ---------------------------------------------------------------------------------------------
# The instrument: versioned items, options, points and thresholds
# ---------------------------------------------------------------------------------------------


class InstrumentStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"
    RETIRED = "retired", "Retired"


class Instrument(models.Model):
    """One version of the Review Security Classification scoring instrument. Only a draft may be
    changed; a review records the version that scored it, so activating a new version never
    changes a completed score."""

    version = models.PositiveIntegerField(unique=True)
    name = models.CharField(max_length=120, default="Review Security Classification")
    effective_from = models.DateField()
    status = models.CharField(max_length=10, choices=InstrumentStatus.choices, default=InstrumentStatus.DRAFT)
    # Seed 003, C.2.1: internal 0-26 -> A, 27+ -> B; external 0-23 -> A, 24+ -> B.
    internal_b_from = models.PositiveSmallIntegerField(default=27)
    external_b_from = models.PositiveSmallIntegerField(default=24)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["status"], condition=Q(status="active"), name="one_active_instrument"
            ),
            # One draft at a time: no question which draft a dry run or an activation is about.
            models.UniqueConstraint(
                fields=["status"], condition=Q(status="draft"), name="one_draft_instrument"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version} ({self.get_status_display().lower()})"


class InstrumentTransition(TransitionRow):
    """Every change of a version's status: drafted, activated, retired by the next activation."""

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=10, choices=InstrumentStatus.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=InstrumentStatus.choices)

    class Meta(TransitionRow.Meta):
        pass


# A draft is changed, then activated; activating it retires the version that was active.
INSTRUMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    InstrumentStatus.DRAFT: frozenset({InstrumentStatus.ACTIVE}),
    InstrumentStatus.ACTIVE: frozenset({InstrumentStatus.RETIRED}),
    InstrumentStatus.RETIRED: frozenset(),
}
INSTRUMENT_WORKFLOW = Workflow(
    name="instrument",
    model=Instrument,
    transitions=INSTRUMENT_TRANSITIONS,
    row_model=InstrumentTransition,
    subject_field="instrument",
    noun="instrument version",
)


class InstrumentSection(models.TextChoices):
    INTERNAL = "A", "A. Internal risk"
    EXTERNAL = "B", "B. External risk"


class ItemKind(models.TextChoices):
    OVERRIDE = "override", "Override"
    SCORED = "scored", "Scored answer"
    CARRY_OVER = "carry_over", "Carried over automatically"


class InstrumentItem(models.Model):
    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="items")
    code = models.CharField(max_length=10, help_text='Seed 003 item number, e.g. "A.2.1".')
    section = models.CharField(max_length=1, choices=InstrumentSection.choices)
    text = models.CharField(max_length=200)
    kind = models.CharField(max_length=12, choices=ItemKind.choices)
    prepopulated = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["instrument", "position"]
        constraints = [
            models.UniqueConstraint(fields=["instrument", "code"], name="instrument_item_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.text}"


class InstrumentOption(models.Model):
    item = models.ForeignKey(InstrumentItem, on_delete=models.CASCADE, related_name="options")
    code = models.CharField(max_length=20)
    label = models.CharField(max_length=120)
    points = models.PositiveSmallIntegerField()
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["item", "position"]
        constraints = [models.UniqueConstraint(fields=["item", "code"], name="instrument_option_code_unique")]

    def __str__(self) -> str:
        return f"{self.label} ({self.points})"


# ---------------------------------------------------------------------------------------------
# The prisoner's classification and its history
# ---------------------------------------------------------------------------------------------


class Category(models.TextChoices):
    A = "A", "A"
    B = "B", "B"


class ClassificationKind(models.TextChoices):
    INITIAL = "initial", "Initial classification"
    REVIEW = "review", "Review classification"


class SecurityClassificationQuerySet(models.QuerySet):
    def latest_first(self):
        return self.order_by("offender_id", "-effective_on", "-id")


class SecurityClassification(models.Model):
    """One classification of a prisoner. Rows are never edited (the database refuses UPDATE and
    DELETE): the current classification is the latest row, the earlier rows are its history."""

    offender = models.ForeignKey(
        "offenders.Offender", on_delete=models.PROTECT, related_name="security_classifications"
    )
    kind = models.CharField(max_length=10, choices=ClassificationKind.choices)
    internal_category = models.CharField(max_length=1, choices=Category.choices)
    external_category = models.CharField(max_length=1, choices=Category.choices)
    effective_on = models.DateField()
    # The instrument version and the totals that produced a review (blank for an initial one).
    instrument = models.ForeignKey(
        Instrument, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    internal_score = models.PositiveSmallIntegerField(null=True, blank=True)
    external_score = models.PositiveSmallIntegerField(null=True, blank=True)
    reason = models.CharField(max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = SecurityClassificationQuerySet.as_manager()

    class Meta:
        ordering = ["-effective_on", "-id"]
        indexes = [models.Index(fields=["offender", "-effective_on", "-id"], name="classification_current")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="initial") | Q(instrument__isnull=False), name="review_records_instrument"
            )
        ]

    def __str__(self) -> str:
        return (
            f"Internal {self.internal_category} / external {self.external_category} "
            f"from {_day(self.effective_on)}"
        )


# ---------------------------------------------------------------------------------------------
# The review workflow (seed 003, sections C, D and E)
# ---------------------------------------------------------------------------------------------


class ReviewStatus(models.TextChoices):
    """Initiate (C) -> submit -> recommend (D.1) -> approve (D.2) -> advise (E). A recommending or
    approving officer may send a review back to the initiating officer, who corrects and submits
    it again; it may be cancelled with a reason before approval."""

    INITIATED = "initiated", "Initiated"
    SUBMITTED = "submitted", "Awaiting recommendation"
    RECOMMENDED = "recommended", "Recommended, awaiting approval"
    APPROVED = "approved", "Approved, prisoner to be advised"
    ADVISED = "advised", "Prisoner advised"
    # Seed 003, E.1: the advising officer found the prisoner's record does not show the approved
    # classification; the approving officer puts it right before the prisoner is advised.
    REFERRED_BACK = "referred_back", "Referred back to the approving officer"
    SENT_BACK = "sent_back", "Sent back to the initiating officer"
    CANCELLED = "cancelled", "Cancelled"


# A review in one of these states is open: one per prisoner (the constraint below).
OPEN_REVIEW_STATUSES = (
    ReviewStatus.INITIATED,
    ReviewStatus.SUBMITTED,
    ReviewStatus.RECOMMENDED,
    ReviewStatus.SENT_BACK,
)

# A review in one of these states has recorded its approved classification (seed 003, D.2).
APPROVED_REVIEW_STATUSES = ("approved", "advised", "referred_back")

# The review's steps by the names pages and services use: action -> (the statuses it may start
# from, the status it leads to). Initiating is the first status, not a step.
REVIEW_ACTIONS: dict[str, tuple[frozenset[str], str]] = {
    "submit": (frozenset({ReviewStatus.INITIATED, ReviewStatus.SENT_BACK}), ReviewStatus.SUBMITTED),
    "recommend": (frozenset({ReviewStatus.SUBMITTED}), ReviewStatus.RECOMMENDED),
    "approve": (frozenset({ReviewStatus.RECOMMENDED}), ReviewStatus.APPROVED),
    "send_back": (frozenset({ReviewStatus.SUBMITTED, ReviewStatus.RECOMMENDED}), ReviewStatus.SENT_BACK),
    "cancel": (frozenset(OPEN_REVIEW_STATUSES), ReviewStatus.CANCELLED),
    "advise": (frozenset({ReviewStatus.APPROVED}), ReviewStatus.ADVISED),
    "refer_back": (frozenset({ReviewStatus.APPROVED}), ReviewStatus.REFERRED_BACK),
    "reconfirm": (frozenset({ReviewStatus.REFERRED_BACK}), ReviewStatus.APPROVED),
}
# The same steps as the workflow reads them: status -> the statuses it may become.
REVIEW_TRANSITIONS: dict[str, frozenset[str]] = {
    status: frozenset(target for sources, target in REVIEW_ACTIONS.values() if status in sources)
    for status in ReviewStatus.values
}


class ReviewReason(models.TextChoices):
    DUE = "due", "Review due"
    CHANGE_OF_CIRCUMSTANCES = "change", "Change of circumstances"
    MANUAL = "manual", "Requested by staff"


class Review(models.Model):
    """One Review Security Classification form. `answers` holds, per item code, the answer in use,
    the pre-populated suggestion and the records that produced it:
    {"A.2.1": {"option": "none", "prepopulated": "none", "sources": [{"label", "pk",
    "description"}], "changes_on": "2026-03-03" | None, "changes_to": ... | None}}.
    The instrument is the version that scores it; activating a new version never changes it."""

    offender = models.ForeignKey("offenders.Offender", on_delete=models.PROTECT, related_name="reviews")
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="reviews")
    status = models.CharField(max_length=14, choices=ReviewStatus.choices, default=ReviewStatus.INITIATED)
    reason = models.CharField(max_length=10, choices=ReviewReason.choices, default=ReviewReason.DUE)
    prepopulated_on = models.DateField()
    answers = models.JSONField(default=dict)
    # Seed 003, C.1 and C.2: the totals and the preliminary classification they give.
    internal_score = models.PositiveSmallIntegerField(default=0)
    external_score = models.PositiveSmallIntegerField(default=0)
    internal_category = models.CharField(max_length=1, choices=Category.choices)
    external_category = models.CharField(max_length=1, choices=Category.choices)
    scoring_overrides = models.JSONField(default=list, blank=True)  # e.g. ["A.1.1"]
    # Seed 003, C.3: override reasons and the recommended classification.
    override_internal_category = models.CharField(max_length=1, choices=Category.choices, blank=True)
    override_external_category = models.CharField(max_length=1, choices=Category.choices, blank=True)
    override_reason = models.TextField(blank=True)
    # Seed 003, C.4: the initiating officer.
    initiated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    initiated_at = models.DateTimeField(auto_now_add=True)
    initiator_comments = models.TextField(blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # Seed 003, D.1: the recommending officer.
    recommended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recommended_at = models.DateTimeField(null=True, blank=True)
    recommender_comments = models.TextField(blank=True)
    # Seed 003, D.2: the approving officer and the approved classification.
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approver_comments = models.TextField(blank=True)
    approved_internal_category = models.CharField(max_length=1, choices=Category.choices, blank=True)
    approved_external_category = models.CharField(max_length=1, choices=Category.choices, blank=True)
    approval_change_reason = models.TextField(blank=True)
    classification = models.OneToOneField(
        SecurityClassification, null=True, blank=True, on_delete=models.PROTECT, related_name="review"
    )
    # Seed 003, E: the advising officer and the prisoner's copy.
    advised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    advised_at = models.DateTimeField(null=True, blank=True)
    prisoner_advised_on = models.DateField(null=True, blank=True)
    prisoner_signed = models.BooleanField(null=True, blank=True)
    refusal_note = models.TextField(blank=True)
    advising_comments = models.TextField(blank=True)
    referral_note = models.TextField(blank=True, help_text="Seed 003, E.1: the discrepancy found.")
    cancel_reason = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-initiated_at", "-id"]
        indexes = [
            models.Index(fields=["offender", "-initiated_at"], name="review_offender_recent"),
            # The API list's order (classification/api.py), for keyset pages.
            models.Index(fields=["-initiated_at", "-id"], name="review_recent"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["offender"],
                condition=Q(status__in=[status.value for status in OPEN_REVIEW_STATUSES]),
                name="one_open_review_per_offender",
            ),
            # Seed 003, C.3: a recommended classification needs the reasons for it.
            models.CheckConstraint(
                condition=(Q(override_internal_category="") & Q(override_external_category=""))
                | ~Q(override_reason=""),
                name="review_override_needs_reason",
            ),
            models.CheckConstraint(
                condition=Q(status__in=APPROVED_REVIEW_STATUSES, classification__isnull=False)
                | (~Q(status__in=APPROVED_REVIEW_STATUSES) & Q(classification__isnull=True)),
                name="review_approved_has_classification",
            ),
        ]

    def __str__(self) -> str:
        return f"Classification review of {self.offender} ({self.get_status_display().lower()})"

    @property
    def recommended_categories(self) -> tuple[str, str]:
        """The classification the initiating officer proposes: the override (C.3) if given,
        otherwise the preliminary classification (C.2)."""
        return (
            self.override_internal_category or self.internal_category,
            self.override_external_category or self.external_category,
        )


class ReviewAnswerCorrection(models.Model):
    """A staff correction of a pre-populated answer, with its reason (issue 5)."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="corrections")
    item = models.CharField(max_length=10)
    from_option = models.CharField(max_length=20)
    to_option = models.CharField(max_length=20)
    reason = models.TextField()
    corrected_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    corrected_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["corrected_at", "id"]
        constraints = [models.CheckConstraint(condition=~Q(reason=""), name="correction_needs_reason")]

    def __str__(self) -> str:
        return f"{self.item}: {self.from_option} -> {self.to_option}"


class ReviewTransition(TransitionRow):
    """Every step of a review, recorded (issue 5: "every step is a recorded transition")."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=14, choices=ReviewStatus.choices, blank=True)
    to_status = models.CharField(max_length=14, choices=ReviewStatus.choices)
    # An officer takes every step, never the portal: the four-eyes rule reads who did.
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta(TransitionRow.Meta):
        pass


REVIEW_WORKFLOW = Workflow(
    name="classification review",
    model=Review,
    transitions=REVIEW_TRANSITIONS,
    row_model=ReviewTransition,
    subject_field="review",
    noun="review",
)


# ---------------------------------------------------------------------------------------------
# When each prisoner's next review is due (seed 003, "When to use"; issue 5, Scheduling)
# ---------------------------------------------------------------------------------------------


class ScheduleBasis(models.TextChoices):
    REGULAR = "regular", "Regular review"
    CHANGE = "change", "Change of circumstances"
    NONE = "none", "No review scheduled"


class ReviewSchedule(models.Model):
    """The prisoner's next review, derived from their records by classification.schedule (never
    edited by hand): one row per current prisoner, refreshed nightly and after each change."""

    offender = models.OneToOneField(
        "offenders.Offender", on_delete=models.CASCADE, related_name="review_schedule"
    )
    due_on = models.DateField(null=True, blank=True, help_text="Blank when no review is scheduled.")
    basis = models.CharField(max_length=10, choices=ScheduleBasis.choices)
    reason = models.CharField(max_length=300, help_text="Why the review is due, as staff read it.")
    counted_from = models.ForeignKey(
        SecurityClassification, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The record that made a change of circumstances (its model label and key), blank otherwise.
    trigger_label = models.CharField(max_length=60, blank=True)
    trigger_pk = models.PositiveBigIntegerField(null=True, blank=True)
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["due_on", "offender_id"]
        indexes = [models.Index(fields=["due_on"], name="review_schedule_due")]
        constraints = [
            models.CheckConstraint(
                condition=Q(basis="none", due_on__isnull=True) | (~Q(basis="none") & Q(due_on__isnull=False)),
                name="review_schedule_due_matches_basis",
            )
        ]

    def __str__(self) -> str:
        if self.due_on is None:
            return f"No review scheduled for {self.offender_id}"
        return f"Review of {self.offender_id} due {self.due_on}"
