import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from workflow.transitions import TransitionRow, Workflow


class CaseRole(models.TextChoices):
    """A staff member's part in an offender's case. Seed 004's offender management team is the
    offender manager, the offender supervisor, key workers and case administrators. The supervising
    probation officer stays a role of its own: seed 000 allows an offender several at once (one per
    sentence, in different offices), while the team has one offender manager, who holds the whole
    case end to end and is named deliberately (often the officer who assessed the offender before
    sentence, seed 004)."""

    OFFENDER_MANAGER = "offender_manager", "Offender manager"
    OFFENDER_SUPERVISOR = "offender_supervisor", "Offender supervisor (prison)"
    SUPERVISING_OFFICER = "supervising", "Supervising probation officer"
    CO_WORKER = "co_worker", "Co-worker"
    KEY_WORKER = "key_worker", "Key worker"
    CASE_ADMINISTRATOR = "case_admin", "Case administrator"


# At most one current holder per offender (partial unique constraints below).
SINGLE_HOLDER_ROLES = frozenset({CaseRole.OFFENDER_MANAGER, CaseRole.OFFENDER_SUPERVISOR})
# Roles held by staff of a community office (probation office or service centre) or of a prison.
COMMUNITY_ONLY_ROLES = frozenset({CaseRole.OFFENDER_MANAGER})
PRISON_ONLY_ROLES = frozenset({CaseRole.OFFENDER_SUPERVISOR})
# The team's order on the record: the offender manager first (seed 004).
TEAM_ORDER = [
    CaseRole.OFFENDER_MANAGER,
    CaseRole.OFFENDER_SUPERVISOR,
    CaseRole.SUPERVISING_OFFICER,
    CaseRole.CO_WORKER,
    CaseRole.KEY_WORKER,
    CaseRole.CASE_ADMINISTRATOR,
]


class AllocationTrigger(models.TextChoices):
    """What caused an allocation or a request (DOMAIN.md: history with what triggered each change)."""

    SENTENCE = "sentence", "New sentence or order"
    RELEASE = "release", "Release from prison"
    PRE_ALLOCATION = "pre_allocation", "Pre-allocation before start or release"
    TRANSFER = "transfer", "Transfer from another office"
    REALLOCATION = "reallocation", "Reallocation"
    RECALL = "recall", "Recall to prison"
    MANUAL = "manual", "Allocated by hand"


class CaseAllocationQuerySet(models.QuerySet):
    def current(self):
        return self.filter(ended_on__isnull=True)


def open_caseload() -> Coalesce:
    """The number of open allocations of each staff member of an outer query, counted from the
    partial index of open allocations: a join of every allocation ever made grows with history."""
    counted = (
        CaseAllocation.objects.filter(staff=OuterRef("pk"), ended_on__isnull=True)
        .order_by()
        .values("staff")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(counted), 0)


class CaseAllocation(models.Model):
    """A staff member allocated to an offender's case. An offender may have more than one
    supervising officer (seed 000); ending an allocation keeps it as history."""

    offender = models.ForeignKey("offenders.Offender", on_delete=models.PROTECT, related_name="allocations")
    staff = models.ForeignKey("staff.StaffMember", on_delete=models.PROTECT, related_name="allocations")
    sentence = models.ForeignKey(
        "sentences.Sentence", null=True, blank=True, on_delete=models.PROTECT, related_name="allocations"
    )
    role = models.CharField(max_length=20, choices=CaseRole.choices, default=CaseRole.SUPERVISING_OFFICER)
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    end_reason = models.CharField(max_length=300, blank=True)
    trigger = models.CharField(
        max_length=20,
        choices=AllocationTrigger.choices,
        default=AllocationTrigger.MANUAL,
        help_text="What caused this allocation.",
    )
    allocated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CaseAllocationQuerySet.as_manager()

    class Meta:
        ordering = ["ended_on", "-started_on", "-id"]
        indexes = [
            # Open allocations only: caseloads. An offender's open allocations are found through the
            # partial unique index one_open_allocation_per_staff_role, their history through the
            # foreign key's index.
            models.Index(
                fields=["staff", "role"], condition=Q(ended_on__isnull=True), name="allocation_staff_open"
            ),
            # The API list's order (allocation/api.py), for keyset pages.
            models.Index(fields=["-started_on", "-id"], name="allocation_started"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["offender", "staff", "role"],
                condition=Q(ended_on__isnull=True),
                name="one_open_allocation_per_staff_role",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="allocation_ends_after_start",
            ),
            # Seed 004: one offender manager and one offender supervisor at a time.
            models.UniqueConstraint(
                fields=["offender"],
                condition=Q(ended_on__isnull=True, role="offender_manager"),
                name="one_current_offender_manager",
            ),
            models.UniqueConstraint(
                fields=["offender"],
                condition=Q(ended_on__isnull=True, role="offender_supervisor"),
                name="one_current_offender_supervisor",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.staff} — {self.get_role_display()}"

    def clean(self) -> None:
        if self.sentence_id and self.offender_id and self.sentence.offender_id != self.offender_id:
            raise ValidationError({"sentence": "That sentence belongs to a different offender."})


# --- Allocate requests (seed 002: the "allocate request" queue) ---------------------------------


class AllocateRequestKind(models.TextChoices):
    SENTENCE = "sentence", "Sentence or order received"
    PRE_RELEASE = "pre_release", "Upcoming release from prison"
    TRANSFER = "transfer", "Transfer from another office"
    RECALL = "recall", "Recall to prison"


class AllocateRequestStatus(models.TextChoices):
    OPEN = "open", "Awaiting allocation"
    ALLOCATED = "allocated", "Allocated"
    CANCELLED = "cancelled", "Cancelled"


# A request waits in its office's queue until a manager allocates an officer or it is cancelled;
# each step through ALLOCATE_REQUEST_WORKFLOW below.
ALLOCATE_REQUEST_TRANSITIONS: dict[str, frozenset[str]] = {
    AllocateRequestStatus.OPEN: frozenset({AllocateRequestStatus.ALLOCATED, AllocateRequestStatus.CANCELLED}),
    AllocateRequestStatus.ALLOCATED: frozenset(),
    AllocateRequestStatus.CANCELLED: frozenset(),
}


class AllocateRequestQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=AllocateRequestStatus.OPEN)

    def for_queue(self):
        return self.select_related(
            "offender", "sentence", "office", "from_office", "continuity_staff__user"
        ).order_by("due_on", "received_at", "id")


class AllocateRequest(models.Model):
    """A request to manage a sentence, waiting in an office's allocation queue until a service
    manager allocates a probation officer (seed 002). In a prison's queue (a new prison sentence, a
    recall) the request is for the offender supervisor (seed 004)."""

    offender = models.ForeignKey(
        "offenders.Offender", on_delete=models.PROTECT, related_name="allocate_requests"
    )
    sentence = models.ForeignKey(
        "sentences.Sentence",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="allocate_requests",
    )
    office = models.ForeignKey("staff.Office", on_delete=models.PROTECT, related_name="allocate_requests")
    from_office = models.ForeignKey(
        "staff.Office", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=AllocateRequestKind.choices)
    trigger = models.CharField(max_length=20, choices=AllocationTrigger.choices)
    pre_allocation = models.BooleanField(default=False)
    status = models.CharField(
        max_length=12, choices=AllocateRequestStatus.choices, default=AllocateRequestStatus.OPEN
    )
    source = models.CharField(max_length=10, blank=True, help_text="Where the event came from.")
    received_at = models.DateTimeField(default=timezone.now)
    due_on = models.DateField()
    continuity_staff = models.ForeignKey(
        "staff.StaffMember", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    continuity_note = models.CharField(max_length=300, blank=True)
    transfer_reason = models.CharField(max_length=300, blank=True)
    allocated_to = models.ForeignKey(
        "staff.StaffMember", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    allocated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    allocated_at = models.DateTimeField(null=True, blank=True)
    allocation = models.ForeignKey(
        CaseAllocation, null=True, blank=True, on_delete=models.PROTECT, related_name="requests"
    )
    reason = models.CharField(max_length=300, blank=True)
    suggested_staff = models.ForeignKey(
        "staff.StaffMember", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    override_reason = models.CharField(max_length=300, blank=True)
    cancel_reason = models.CharField(max_length=300, blank=True)

    objects = AllocateRequestQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "received_at", "id"]
        indexes = [models.Index(fields=["office", "status", "due_on"], name="allocate_request_queue")]
        constraints = [
            # Exactly once per event: one request per sentence for each kind of event.
            models.UniqueConstraint(
                fields=["sentence", "kind"],
                condition=~Q(kind="transfer"),
                name="one_allocate_request_per_sentence_event",
            ),
            models.UniqueConstraint(
                fields=["offender", "office"],
                condition=Q(kind="transfer", status="open"),
                name="one_open_transfer_request_per_office",
            ),
            models.CheckConstraint(
                condition=~Q(status="allocated") | Q(allocated_to__isnull=False, allocated_at__isnull=False),
                name="allocated_request_names_officer",
            ),
        ]

    def __str__(self) -> str:
        return f"Allocate request {self.pk}: {self.get_kind_display()}"

    def days_left(self, today: datetime.date | None = None) -> int:
        return (self.due_on - (today or timezone.localdate())).days


class AllocateRequestTransition(TransitionRow):
    request = models.ForeignKey(AllocateRequest, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=12, choices=AllocateRequestStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=AllocateRequestStatus.choices)

    class Meta(TransitionRow.Meta):
        pass


ALLOCATE_REQUEST_WORKFLOW = Workflow(
    name="allocate request",
    model=AllocateRequest,
    transitions=ALLOCATE_REQUEST_TRANSITIONS,
    row_model=AllocateRequestTransition,
    subject_field="request",
    noun="allocate request",
)


class ChecklistStep(models.TextChoices):
    """Seed 002, the steps a service manager follows to allocate an offender."""

    DUE_CHECKED = "due_checked", "Offenders due for allocation checked"
    ORDER_RECEIVED = "order_received", "Sentence order or release notice received"
    ORDER_RECORDED = "order_recorded", "Sentence order or release notice recorded on the sentence"
    FILE_SET_UP = "file_set_up", "Offender file set up or re-opened"
    OWS_REVIEWED = "ows_reviewed", "Offender warning system criteria reviewed"
    CSO_NOTIFICATION = "cso_notification", "Child sex offender notification (CSO9) completed"


class AllocateRequestStep(models.Model):
    request = models.ForeignKey(AllocateRequest, on_delete=models.CASCADE, related_name="steps")
    step = models.CharField(max_length=20, choices=ChecklistStep.choices)
    position = models.PositiveSmallIntegerField()
    applicable = models.BooleanField(default=True)
    not_applicable_reason = models.CharField(max_length=300, blank=True)
    outcome = models.CharField(max_length=300, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["request", "step"], name="one_row_per_checklist_step"),
            models.CheckConstraint(
                condition=Q(applicable=True) | ~Q(not_applicable_reason=""),
                name="not_applicable_step_says_why",
            ),
        ]

    def __str__(self) -> str:
        return self.get_step_display()

    @property
    def is_open(self) -> bool:
        return self.applicable and self.done_at is None


class WorkloadWeight(models.Model):
    """Workload points (hours a week) a case of each sentence type takes; versioned by effective
    date so weights can be tuned without rewriting history (STYLE.md: rules are data)."""

    sentence_type = models.CharField(max_length=30)
    points = models.DecimalField(max_digits=5, decimal_places=2)
    effective_from = models.DateField()

    class Meta:
        ordering = ["sentence_type", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["sentence_type", "effective_from"], name="one_weight_per_type_date"
            )
        ]

    def __str__(self) -> str:
        return f"{self.sentence_type}: {self.points} from {self.effective_from:%-d %b %Y}"


class UnavailabilityKind(models.TextChoices):
    LEAVE = "leave", "Leave"
    TRAINING = "training", "Training"
    SECONDMENT = "secondment", "Secondment"
    OTHER = "other", "Other"


class StaffUnavailability(models.Model):
    staff = models.ForeignKey("staff.StaffMember", on_delete=models.CASCADE, related_name="unavailability")
    kind = models.CharField(
        max_length=12, choices=UnavailabilityKind.choices, default=UnavailabilityKind.LEAVE
    )
    starts_on = models.DateField()
    ends_on = models.DateField()
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["starts_on"]
        verbose_name_plural = "staff unavailability"  # not "unavailabilitys" (issue 14)
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="unavailability_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.starts_on} to {self.ends_on}"


class Notification(models.Model):
    """A message to a staff member in the portal (an e-mail goes out alongside)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    subject = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=300, blank=True)
    request = models.ForeignKey(
        AllocateRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="notifications"
    )
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return self.subject
