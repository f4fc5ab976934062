"""Data shares (seed 004: "read only access to core case information to support offender
management" between prisons and probation, and with outside agencies).

A Share is the agreement: who the partner is, why, which fields it carries (checked against
datashare/catalogue.py) and for how long. Partner systems read it with a ShareCredential (a Bearer
token on /api/v1/share/); partner staff read it in the browser with the data-share role, linked to
the share by a ShareReader row (without one, the core share of the catalogue applies)."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from audit.credentials import BearerCredential
from datashare.catalogue import ShareScope


class ShareQuerySet(models.QuerySet):
    def in_force(self, on: datetime.date | None = None):
        on = on or timezone.localdate()
        return self.filter(starts_on__lte=on).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))


class Share(models.Model):
    name = models.CharField(max_length=100, unique=True)
    partner = models.CharField(max_length=150, help_text="The partner organisation, e.g. a probation area.")
    purpose = models.TextField(help_text="Why the partner reads this information.")
    allowed_fields = models.JSONField(
        default=dict, help_text="{resource: [field, ...]}, checked against the catalogue of shareable fields."
    )
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True, help_text="The last day; blank while it runs on.")
    ended_reason = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ShareQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="share_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def in_force_on(self, on: datetime.date) -> bool:
        return self.starts_on <= on and (self.ends_on is None or on <= self.ends_on)

    @property
    def scope(self) -> ShareScope:
        return ShareScope.of(self.name, self.allowed_fields or {})


class ShareCredentialQuerySet(models.QuerySet):
    def usable(self, at: datetime.datetime | None = None):
        at = at or timezone.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=at)


class ShareCredential(BearerCredential):
    """A partner system's key to one share. Only a SHA-256 of the token is stored; the token is shown
    once, when it is issued, so a lost token is replaced, never recovered (audit.credentials: the
    mechanism it shares with the courts' credentials)."""

    share = models.ForeignKey(Share, on_delete=models.PROTECT, related_name="credentials")
    label = models.CharField(max_length=100, help_text="Which system or environment holds it.")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoked_reason = models.CharField(max_length=300, blank=True)

    objects = ShareCredentialQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = "data-share credential"
        constraints = [
            # A revoked credential's label may be given to its replacement.
            models.UniqueConstraint(
                fields=["share", "label"],
                condition=Q(revoked_at__isnull=True),
                name="share_credential_unique_live_label",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.share.name}: {self.label} ({self.token_prefix}…)"

    def usable_at(self, at: datetime.datetime) -> bool:
        return self.revoked_at is None and not self.expired_at(at)


class ShareReader(models.Model):
    """A partner's staff member (a user with the data-share role) reading this share in the browser.
    One share per user, so what the user sees is never ambiguous."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="share_reader"
    )
    share = models.ForeignKey(Share, on_delete=models.PROTECT, related_name="readers")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user__last_name", "user__first_name", "user__username"]
        verbose_name = "data-share reader"

    def __str__(self) -> str:
        return f"{self.user.get_username()} reads {self.share.name}"
