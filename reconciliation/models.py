from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from workflow.transitions import TransitionRow, Workflow


class ReasonCode(models.TextChoices):
    """Why a record is on the exceptions report (seed 001: sentences with invalid data or
    modifications that admin staff reconcile against court orders, licences and files)."""

    END_BEFORE_START = "end_before_start", "End date before start date"
    DATES_OUT_OF_ORDER = "dates_out_of_order", "Key dates out of order"
    MISSING_KEY_DATES = "missing_key_dates", "Key dates missing for the sentence type"
    DECEASED_ACTIVE = "deceased_active", "Active sentence for a deceased offender"
    NO_MANAGING_OFFICE = "no_managing_office", "Active sentence with no managing office"
    COURT_CONFLICT = "court_conflict", "Court message conflicts with a manual change"
    UNMATCHED_MESSAGE = "unmatched_message", "Court message names an unknown offender or sentence"
    REJECTED_MESSAGE = "rejected_message", "Court message failed validation"
    MODIFICATION_CHECK = "modification_check", "Modification that needs checking"
    KEY_DATES_DIFFER = "key_dates_differ", "Key dates differ from the sentence calculation"


class ExceptionStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    CORRECTION_REQUESTED = "correction_requested", "Correction requested from the courts"
    RESOLVED = "resolved", "Resolved"


UNRESOLVED = frozenset(status for status in ExceptionStatus.values if status != ExceptionStatus.RESOLVED)


class ExceptionStep(models.TextChoices):
    """The steps of the exception lifecycle, as recorded on each transition row."""

    RAISED = "raised", "Raised"
    ASSIGNED = "assigned", "Assigned"
    STARTED = "started", "Work started"
    CORRECTION_REQUESTED = "correction_requested", "Correction requested from the courts"
    RESOLVED = "resolved", "Resolved"
    REOPENED = "reopened", "Reopened"


class DataException(models.Model):
    reason_code = models.CharField(max_length=30, choices=ReasonCode.choices)
    detail = models.TextField()
    fingerprint = models.CharField(
        max_length=200, help_text="Identifies the same problem on the same record, to link recurrences."
    )
    office = models.ForeignKey(
        "staff.Office", null=True, blank=True, on_delete=models.PROTECT, related_name="data_exceptions"
    )
    offender = models.ForeignKey(
        "offenders.Offender", null=True, blank=True, on_delete=models.PROTECT, related_name="data_exceptions"
    )
    sentence = models.ForeignKey(
        "sentences.Sentence", null=True, blank=True, on_delete=models.PROTECT, related_name="data_exceptions"
    )
    court_message = models.ForeignKey(
        "courts.CourtMessage", null=True, blank=True, on_delete=models.PROTECT, related_name="data_exceptions"
    )
    status = models.CharField(max_length=25, choices=ExceptionStatus.choices, default=ExceptionStatus.OPEN)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The person whose change raised it (four eyes: they may not resolve it); empty when "
        "the courts or the nightly checks raised it with no person's change behind it.",
    )
    opened_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolution_reason = models.TextField(blank=True)
    change_made = models.TextField(blank=True)
    recurrence_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="recurrences"
    )
    no_longer_detected_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the nightly checks stopped finding this problem while it was still unresolved. "
        "It stays open until a person resolves it.",
    )

    class Meta:
        ordering = ["opened_at", "id"]
        indexes = [
            models.Index(fields=["office", "status", "opened_at"], name="exception_office_status"),
            models.Index(fields=["fingerprint"], name="exception_fingerprint"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["fingerprint"],
                condition=~Q(status="resolved"),
                name="one_unresolved_exception_per_fingerprint",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_code_display()} ({self.get_status_display()})"

    @property
    def is_resolved(self) -> bool:
        return self.status == ExceptionStatus.RESOLVED

    @property
    def age_days(self) -> int:
        """Whole days open: until now, or until it was resolved."""
        end = self.resolved_at if self.resolved_at and self.is_resolved else timezone.now()
        return max((end - self.opened_at).days, 0)


class ExceptionTransition(TransitionRow):
    exception = models.ForeignKey(DataException, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=25, choices=ExceptionStatus.choices, blank=True)
    to_status = models.CharField(max_length=25, choices=ExceptionStatus.choices)
    step = models.CharField(max_length=25, choices=ExceptionStep.choices, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta(TransitionRow.Meta):
        pass


# The lifecycle. Assigning changes who holds an unresolved exception, not its status.
EXCEPTION_TRANSITIONS: dict[str, frozenset[str]] = {
    ExceptionStatus.OPEN: frozenset(
        {ExceptionStatus.IN_PROGRESS, ExceptionStatus.CORRECTION_REQUESTED, ExceptionStatus.RESOLVED}
    ),
    ExceptionStatus.IN_PROGRESS: frozenset({ExceptionStatus.CORRECTION_REQUESTED, ExceptionStatus.RESOLVED}),
    # Work resumes when the courts' correction arrives (or they decline to make it).
    ExceptionStatus.CORRECTION_REQUESTED: frozenset({ExceptionStatus.IN_PROGRESS, ExceptionStatus.RESOLVED}),
    ExceptionStatus.RESOLVED: frozenset({ExceptionStatus.OPEN}),
}
EXCEPTION_WORKFLOW = Workflow(
    name="data exception",
    model=DataException,
    transitions=EXCEPTION_TRANSITIONS,
    row_model=ExceptionTransition,
    subject_field="exception",
    noun="exception",
)


# What the courts may be asked to correct (seed 000: data from the courts' system is corrected by the
# courts), as staff see the fields on the record. The one list: the exceptions report offers it and
# courts.corrections accepts it (courts sits above reconciliation, so it is defined here).
OFFENDER_CORRECTION_FIELDS = [
    ("family_name", "Family name"),
    ("given_names", "Given names"),
    ("date_of_birth", "Date of birth"),
    ("gender", "Gender"),
    ("aliases", "Aliases"),
    ("address", "Address"),
]
SENTENCE_CORRECTION_FIELDS = [
    ("sentence_type", "Sentence type"),
    ("court", "Court"),
    ("court_case_number", "Court case number"),
    ("order_date", "Order date"),
    ("start_date", "Commencement date (SCD)"),
    ("end_date", "Expiry date (SED)"),
    ("hours", "Hours"),
    ("conditions", "Conditions"),
    ("parole_eligibility_date", "Parole eligibility date (PED)"),
    ("statutory_release_date", "Statutory release date (SRD)"),
    ("parole_hearing_date", "Parole hearing date"),
    ("managing_office", "Managing office"),
    ("convictions", "Convictions"),
]


def correctable_fields(*, has_sentence: bool) -> list[tuple[str, str]]:
    """The details a correction request may name: the offender's, and the sentence's when the
    request is about a sentence."""
    if has_sentence:
        return SENTENCE_CORRECTION_FIELDS + OFFENDER_CORRECTION_FIELDS
    return list(OFFENDER_CORRECTION_FIELDS)
