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
