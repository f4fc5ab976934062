from django.conf import settings
from django.db import models
from django.db.models import Q

from audit.credentials import BearerCredential
from workflow.transitions import TransitionRow, Workflow


class CourtApiCredential(BearerCredential):
    """The courts' system's own credential: it may post court messages and do nothing else.
    Only a SHA-256 of the token is stored; the token is shown once when it is issued
    (audit.credentials: the mechanism it shares with the data share's credentials).

    A credential expires (settings.COURT_CREDENTIAL_DAYS after it was issued or last rotated).
    Rotation gives the same named credential a new token; the token it replaces keeps working until
    `previous_valid_until` (settings.COURT_CREDENTIAL_OVERLAP_DAYS), so the courts can switch over
    without a gap, then stops."""

    name = models.CharField(max_length=100, unique=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(help_text="The current token is refused from this moment.")
    rotated_at = models.DateTimeField(null=True, blank=True)
    previous_token_prefix = models.CharField(max_length=8, blank=True)
    previous_token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    previous_valid_until = models.DateTimeField(
        null=True, blank=True, help_text="The token replaced by the last rotation works until then."
    )

    class Meta:
        verbose_name = "court API credential"

    def __str__(self) -> str:
        return f"{self.name} ({self.token_prefix}…)"


class MessageStatus(models.TextChoices):
    RECEIVED = "received", "Received, waiting to be processed"
    PROCESSED = "processed", "Processed"
    DUPLICATE = "duplicate", "Duplicate of an earlier message"
    REJECTED = "rejected", "Rejected: failed validation"
    AWAITING_MATCH = "awaiting_match", "Waiting for a person to confirm the offender"
    EXCEPTION = "exception", "Could not be applied: on the exceptions report"


class CourtMessage(models.Model):
    """A message from the courts' case management system (CMS), stored exactly as received before
    anything else happens (even when it is not valid JSON), then processed by a Celery task."""

    raw_body = models.TextField(help_text="The request body exactly as received.")
    # A text column holds only valid text without NUL characters: when the bytes received were
    # not that, raw_body has them decoded with replacement characters and the bytes are kept here.
    raw_bytes = models.BinaryField(
        null=True, blank=True, help_text="The exact bytes, kept only when they are not storable as text."
    )
    body_size = models.PositiveIntegerField(default=0, help_text="Bytes received.")
    body_truncated = models.BooleanField(
        default=False, help_text="Only the first part of an oversized body was kept."
    )
    content_type = models.CharField(max_length=100, blank=True)
    message_id = models.CharField(max_length=100, blank=True, db_index=True)
    message_type = models.CharField(max_length=60, blank=True)
    payload = models.JSONField(null=True, blank=True, help_text="The parsed body, when it parsed.")
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    credential = models.ForeignKey(
        CourtApiCredential, null=True, blank=True, on_delete=models.PROTECT, related_name="messages"
    )
    source = models.CharField(max_length=20, default="api", help_text="api or batch import")
    status = models.CharField(max_length=20, choices=MessageStatus.choices, default=MessageStatus.RECEIVED)
    status_reason = models.TextField(blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # When it was last handed to the broker: a RECEIVED message never handed over (the broker was
    # down) is queued by the next requeue sweep, one handed over is left to the workers a while longer.
    queued_at = models.DateTimeField(null=True, blank=True)
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="duplicates"
    )
    offender = models.ForeignKey(
        "offenders.Offender", null=True, blank=True, on_delete=models.PROTECT, related_name="court_messages"
    )
    sentence = models.ForeignKey(
        "sentences.Sentence", null=True, blank=True, on_delete=models.PROTECT, related_name="court_messages"
    )

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["status", "received_at"], name="courtmessage_status_time")]
        constraints = [
            # Only one message per CMS message ID is ever applied; later copies are duplicates.
            models.UniqueConstraint(
                fields=["message_id"],
                condition=Q(status="processed") & ~Q(message_id=""),
                name="one_processed_message_per_id",
            )
        ]

    def __str__(self) -> str:
        return f"{self.message_type or 'unknown'} {self.message_id or '(no id)'}"


class MessageTransition(TransitionRow):
    message = models.ForeignKey(CourtMessage, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=20, choices=MessageStatus.choices)
    to_status = models.CharField(max_length=20, choices=MessageStatus.choices)

    class Meta(TransitionRow.Meta):
        pass


# A message's life: see the module docstring of courts.services.
MESSAGE_TRANSITIONS: dict[str, frozenset[str]] = {
    MessageStatus.RECEIVED: frozenset(
        {
            MessageStatus.PROCESSED,
            MessageStatus.DUPLICATE,
            MessageStatus.REJECTED,
            MessageStatus.AWAITING_MATCH,
            MessageStatus.EXCEPTION,
        }
    ),
    MessageStatus.AWAITING_MATCH: frozenset(
        {MessageStatus.PROCESSED, MessageStatus.EXCEPTION, MessageStatus.REJECTED, MessageStatus.DUPLICATE}
    ),
    # Retried once someone has put the record right (e.g. entered the missing sentence).
    MessageStatus.EXCEPTION: frozenset({MessageStatus.RECEIVED}),
    MessageStatus.PROCESSED: frozenset(),
    MessageStatus.DUPLICATE: frozenset(),
    MessageStatus.REJECTED: frozenset(),
}
MESSAGE_WORKFLOW = Workflow(
    name="court message",
    model=CourtMessage,
    transitions=MESSAGE_TRANSITIONS,
    row_model=MessageTransition,
    subject_field="message",
    noun="message",
)


class CourtSentenceReference(models.Model):
    """The CMS's own identifier of a sentence (`cms_reference` in sentence.imposed), so later
    messages can name the sentence exactly rather than by court case number and offender."""

    sentence = models.OneToOneField(
        "sentences.Sentence", on_delete=models.PROTECT, related_name="court_reference"
    )
    cms_reference = models.CharField("CMS sentence reference", max_length=60, unique=True)
    message = models.ForeignKey(
        CourtMessage, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "CMS sentence reference"

    def __str__(self) -> str:
        return self.cms_reference


class MatchDecision(models.TextChoices):
    PENDING = "pending", "Waiting for a person"
    CONFIRMED = "confirmed", "Confirmed: the same person"
    REJECTED = "rejected", "Rejected: not the same person"


class MatchCandidate(models.Model):
    """An existing offender who is probably, not certainly, the person a court message names.
    The message waits (AWAITING_MATCH) until a person confirms one candidate or rejects them all."""

    message = models.ForeignKey(CourtMessage, on_delete=models.CASCADE, related_name="candidates")
    offender = models.ForeignKey("offenders.Offender", on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(help_text="0 to 100; 100 is an exact match.")
    reasons = models.JSONField(default=list, help_text="What matched and what did not, in words.")
    decision = models.CharField(max_length=10, choices=MatchDecision.choices, default=MatchDecision.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-score", "id"]
        constraints = [
            models.UniqueConstraint(fields=["message", "offender"], name="one_candidate_per_offender"),
        ]

    def __str__(self) -> str:
        return f"{self.offender} ({self.score})"


class CorrectionStatus(models.TextChoices):
    OPEN = "open", "Open: not yet sent to the courts"
    SENT = "sent", "Sent to the courts"
    CORRECTED = "corrected", "Corrected by the courts"
    WITHDRAWN = "withdrawn", "Withdrawn"


class CorrectionRequest(models.Model):
    """Staff found court data wrong and ask MoJ (Courts) to correct it (seed 000); tracked until
    the courts' correction arrives through the interface (a correction.applied message)."""

    offender = models.ForeignKey(
        "offenders.Offender", on_delete=models.PROTECT, related_name="correction_requests"
    )
    sentence = models.ForeignKey(
        "sentences.Sentence",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="correction_requests",
    )
    office = models.ForeignKey(
        "staff.Office",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="correction_requests",
        help_text="The office that follows the request up: the sentence's managing office, else the "
        "offender's home office.",
    )
    fields = models.JSONField(help_text="The names of the fields in question.")
    what_is_wrong = models.TextField()
    should_be = models.TextField("What it should be")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=CorrectionStatus.choices, default=CorrectionStatus.OPEN)
    sent_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    corrected_by_message = models.ForeignKey(
        CourtMessage, null=True, blank=True, on_delete=models.PROTECT, related_name="corrections"
    )

    class Meta:
        ordering = ["-raised_at", "-id"]
        indexes = [models.Index(fields=["office", "status", "raised_at"], name="correction_office_status")]

    def __str__(self) -> str:
        return f"Correction request {self.reference}"

    @property
    def reference(self) -> str:
        """What the courts quote back in correction.applied (`correction_request_id`)."""
        return f"CR-{self.pk}"


class CorrectionTransition(TransitionRow):
    request = models.ForeignKey(CorrectionRequest, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=10, choices=CorrectionStatus.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=CorrectionStatus.choices)
    message = models.ForeignKey(
        CourtMessage, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta(TransitionRow.Meta):
        pass


CORRECTION_TRANSITIONS: dict[str, frozenset[str]] = {
    CorrectionStatus.OPEN: frozenset(
        {CorrectionStatus.SENT, CorrectionStatus.CORRECTED, CorrectionStatus.WITHDRAWN}
    ),
    CorrectionStatus.SENT: frozenset({CorrectionStatus.CORRECTED, CorrectionStatus.WITHDRAWN}),
    CorrectionStatus.CORRECTED: frozenset(),
    CorrectionStatus.WITHDRAWN: frozenset(),
}
CORRECTION_WORKFLOW = Workflow(
    name="correction request",
    model=CorrectionRequest,
    transitions=CORRECTION_TRANSITIONS,
    row_model=CorrectionTransition,
    subject_field="request",
    noun="request",
)
