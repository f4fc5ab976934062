"""Compliance with a community sentence and the enforcement of it.

- **Rules as data** (ComplianceRuleSet): how many unacceptable failures to attend within a window
  lead to a formal warning and how many to enforcement action (a breach), and the days each step of
  the enforcement workflow is due within. Versioned by the date a version takes effect: a failure
  is judged by the version in force on the day of the failed appointment, so changing the rules
  never rewrites what was decided under the old ones.
- **Enforcement actions** (EnforcementAction): one per unacceptable failure that was not taken into
  an action still being considered. Its status is one workflow (ENFORCEMENT_WORKFLOW):

      considered ─┬─> warning prepared ──> warning issued
                  ├─> breach prepared ──> approved by a manager ──> breach laid with the court
                  └─> no further action
      (any open step) ──> withdrawn;  breach prepared ──> considered (returned by the manager)

  The breach is laid by recording the sentence event "charged with breach" that the court
  interface already understands (sentences.services.sentence_event_record): the court's
  `breach.decided` message later decides it."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from workflow.transitions import TransitionRow, Workflow


class ComplianceRuleSet(models.Model):
    """One version of the compliance rules, in force from `effective_from` until the next version."""

    effective_from = models.DateField(unique=True)
    warning_after = models.PositiveSmallIntegerField(
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text="Unacceptable failures within the window that lead to a formal warning.",
    )
    enforcement_after = models.PositiveSmallIntegerField(
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text="Unacceptable failures within the window that lead to enforcement action (a breach).",
    )
    window_months = models.PositiveSmallIntegerField(
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(36)],
        help_text="Failures count while they are less than this many months old.",
    )
    decide_within_days = models.PositiveSmallIntegerField(
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text="Days after the failure within which the officer decides what to do.",
    )
    approve_within_days = models.PositiveSmallIntegerField(
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text="Days after a breach is prepared within which a manager approves or returns it.",
    )
    lay_within_days = models.PositiveSmallIntegerField(
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text="Days after approval within which the breach is laid with the court.",
    )
    description = models.TextField(blank=True, help_text="Where the rules come from and what changed.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = "compliance rules version"
        constraints = [
            models.CheckConstraint(
                condition=Q(enforcement_after__gt=models.F("warning_after")),
                name="compliance_enforcement_after_warning",
            )
        ]

    def __str__(self) -> str:
        return f"Compliance rules from {self.effective_from:%-d %b %Y}"


class Recommendation(models.TextChoices):
    WARNING = "warning", "Formal warning"
    BREACH = "breach", "Enforcement action (breach)"
    NONE = "none", "Below the warning threshold"


class EnforcementStatus(models.TextChoices):
    CONSIDERED = "considered", "Being considered"
    WARNING_PREPARED = "warning_prepared", "Warning prepared"
    WARNING_ISSUED = "warning_issued", "Warning issued"
    BREACH_PREPARED = "breach_prepared", "Breach prepared, waiting for approval"
    APPROVED = "approved", "Breach approved, to be laid"
    BREACH_LAID = "breach_laid", "Breach laid with the court"
    NO_ACTION = "no_action", "No further action"
    WITHDRAWN = "withdrawn", "Withdrawn"


OPEN_STATUSES = frozenset(
    {
        EnforcementStatus.CONSIDERED,
        EnforcementStatus.WARNING_PREPARED,
        EnforcementStatus.BREACH_PREPARED,
        EnforcementStatus.APPROVED,
    }
)


class EnforcementActionQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def with_list_relations(self):
        return self.select_related("offender", "sentence", "appointment", "officer__user", "office")


class EnforcementAction(models.Model):
    offender = models.ForeignKey("offenders.Offender", on_delete=models.PROTECT, related_name="+")
    # The community sentence or order the failure is against (the breach is laid on it).
    sentence = models.ForeignKey(
        "sentences.Sentence", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The unacceptable failure that started it (later ones while it is considered are added to it).
    appointment = models.ForeignKey("appointments.Appointment", on_delete=models.PROTECT, related_name="+")
    failed_on = models.DateField(help_text="The day of the failed appointment.")
    # Who holds it: the officer of the failed appointment, at that appointment's office.
    officer = models.ForeignKey("staff.StaffMember", on_delete=models.PROTECT, related_name="+")
    office = models.ForeignKey("staff.Office", on_delete=models.PROTECT, related_name="+")
    rules = models.ForeignKey(ComplianceRuleSet, on_delete=models.PROTECT, related_name="+")
    failures_in_window = models.PositiveSmallIntegerField()
    recommendation = models.CharField(max_length=10, choices=Recommendation.choices)
    status = models.CharField(
        max_length=20, choices=EnforcementStatus.choices, default=EnforcementStatus.CONSIDERED
    )
    due_on = models.DateField(null=True, blank=True, help_text="When the current step is due.")
    decision_note = models.TextField(blank=True)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    prepared_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    warning_issued_on = models.DateField(null=True, blank=True)
    breach_laid_on = models.DateField(null=True, blank=True)
    sentence_event = models.OneToOneField(
        "sentences.SentenceEvent", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EnforcementActionQuerySet.as_manager()

    class Meta:
        ordering = ["-failed_on", "-id"]
        indexes = [
            models.Index(fields=["offender", "-failed_on"], name="enforcement_offender"),
            models.Index(
                fields=["officer", "due_on"],
                name="enforcement_open_by_officer",
                condition=Q(status__in=sorted(OPEN_STATUSES)),
            ),
            models.Index(
                fields=["office", "due_on"],
                name="enforcement_open_by_office",
                condition=Q(status__in=sorted(OPEN_STATUSES)),
            ),
        ]
        constraints = [
            # One action being considered per person at a time: a later failure joins it.
            models.UniqueConstraint(
                fields=["offender"],
                condition=Q(status=EnforcementStatus.CONSIDERED),
                name="enforcement_one_considered_per_offender",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[EnforcementStatus.APPROVED, EnforcementStatus.BREACH_LAID])
                | (Q(approved_by__isnull=False) & ~Q(approved_by=models.F("prepared_by"))),
                name="enforcement_breach_approved_by_another",
            ),
        ]

    def __str__(self) -> str:
        return f"Enforcement for the failure of {self.failed_on:%-d %b %Y}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class EnforcementTransition(TransitionRow):
    action = models.ForeignKey(EnforcementAction, on_delete=models.CASCADE, related_name="transitions")

    class Meta(TransitionRow.Meta):
        pass


S = EnforcementStatus
ENFORCEMENT_TRANSITIONS = {
    S.CONSIDERED: frozenset({S.WARNING_PREPARED, S.BREACH_PREPARED, S.NO_ACTION, S.WITHDRAWN}),
    S.WARNING_PREPARED: frozenset({S.WARNING_ISSUED, S.WITHDRAWN}),
    S.BREACH_PREPARED: frozenset({S.APPROVED, S.CONSIDERED, S.WITHDRAWN}),
    S.APPROVED: frozenset({S.BREACH_LAID, S.WITHDRAWN}),
}
ENFORCEMENT_WORKFLOW = Workflow(
    name="enforcement",
    model=EnforcementAction,
    transitions=ENFORCEMENT_TRANSITIONS,
    row_model=EnforcementTransition,
    subject_field="action",
    noun="enforcement action",
)
