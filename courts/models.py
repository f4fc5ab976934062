import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q


class CourtApiCredential(models.Model):
    """The courts' system's own credential: it may post court messages and do nothing else.
    Only a SHA-256 of the token is stored; the token is shown once when it is issued."""

    name = models.CharField(max_length=100, unique=True)
    token_prefix = models.CharField(max_length=8, help_text="First characters, to recognise a token in logs.")
    token_hash = models.CharField(max_length=64, unique=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "court API credential"

    def __str__(self) -> str:
        return f"{self.name} ({self.token_prefix}…)"

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()


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


class MessageTransition(models.Model):
    message = models.ForeignKey(CourtMessage, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=20, choices=MessageStatus.choices)
    to_status = models.CharField(max_length=20, choices=MessageStatus.choices)
    reason = models.TextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"
