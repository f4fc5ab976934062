from django.conf import settings
from django.db import models


class AuditAction(models.TextChoices):
    VIEW = "view", "Viewed"
    SEARCH = "search", "Searched"
    CREATE = "create", "Created"
    UPDATE = "update", "Changed"
    DELETE = "delete", "Deleted"
    EXPORT = "export", "Exported"
    LOGIN = "login", "Logged in"
    LOGOUT = "logout", "Logged out"
    LOGIN_FAILED = "login_failed", "Failed login"
    DENIED = "denied", "Refused access"
    # Sign-in (issue 11): locks, password changes, idle time-outs, second factors.
    LOCKED_OUT = "locked_out", "Sign-in locked"
    UNLOCKED = "unlocked", "Sign-in lock ended"
    PASSWORD_CHANGED = "password_changed", "Password changed"
    SESSION_TIMED_OUT = "session_timed_out", "Session timed out"
    SECOND_FACTOR = "second_factor", "Second factor changed"


class AuditEvent(models.Model):
    """One row per view, search or change. Append-only: the database refuses UPDATE and DELETE
    (trigger in migration 0002), so not even an administrator can rewrite the trail."""

    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_label = models.CharField(max_length=150, help_text="Username at the time, kept if the user goes.")
    action = models.CharField(max_length=20, choices=AuditAction.choices)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=40, blank=True)
    offender = models.ForeignKey(
        "offenders.Offender",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="audit_events",
    )
    summary = models.CharField(max_length=300, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    query = models.CharField(max_length=500, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    channel = models.CharField(max_length=20, blank=True, help_text="web, api, system, court interface")

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            # The trail's order (audit/api.py), for keyset pages; also serves ranges of `at`.
            models.Index(fields=["-at", "-id"], name="audit_at"),
            models.Index(fields=["offender", "-at"], name="audit_offender_at"),
            models.Index(fields=["actor", "-at"], name="audit_actor_at"),
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_type} {self.object_id}"
        )


class ChainSeal(models.Model):
    """One link of the hash chain over an append-only table (audit/chain.py): the row `row_id` of
    `table_name`, the row it follows and the hash of its contents and of that row's hash. Written
    once by the sealer after the row's transaction has certainly ended; append-only itself (row and
    TRUNCATE triggers, migration 0004). Kept beside the rows rather than in a column of theirs, so
    sealing never rewrites the largest table (an UPDATE per audit row) and the rows' own triggers
    keep refusing every UPDATE without an exception for the hash."""

    table_name = models.CharField(max_length=63)
    row_id = models.BigIntegerField()
    previous_row_id = models.BigIntegerField(null=True, blank=True)
    hash = models.CharField(max_length=64)
    sealed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["table_name", "row_id"], name="chainseal_row_once"),
            # A chain never forks, even if two sealers raced: one successor per row, one first row.
            models.UniqueConstraint(
                fields=["table_name", "previous_row_id"], name="chainseal_one_successor", nulls_distinct=False
            ),
        ]

    def __str__(self) -> str:
        return f"{self.table_name} {self.row_id} {self.hash[:12]}"


class SealCheckpoint(models.Model):
    """What the sealer saw at one run: each chained table's last id handed out, and the transactions
    then running in this database. Once none of those is running, every id up to the recorded one is
    either committed or never will be, so the rows up to it can be chained in id order. Bookkeeping
    only (deleted when used): tampering with it can delay sealing, never hide a changed row."""

    taken_at = models.DateTimeField(auto_now_add=True)
    sequence_values = models.JSONField(default=dict)
    waiting_for = models.JSONField(default=list)

    def __str__(self) -> str:
        return f"checkpoint {self.pk} at {self.taken_at:%Y-%m-%d %H:%M:%S}"
