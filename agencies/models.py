from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q


class AgencyStatus(models.TextChoices):
    ACCEPTED = "accepted", "Accepted"
    DISCONTINUED = "discontinued", "Discontinued"


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


class ProgrammeStatus(models.TextChoices):
    ADOPTED = "adopted", "Adopted"
    DISCONTINUED = "discontinued", "Discontinued"


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


class ReferralStatus(models.TextChoices):
    REFERRED = "referred", "Referred"
    ATTENDING = "attending", "Attending"
    COMPLETED = "completed", "Completed"
    WITHDRAWN = "withdrawn", "Withdrawn"
    DECLINED = "declined", "Declined by provider"


REFERRAL_TRANSITIONS: dict[str, frozenset[str]] = {
    ReferralStatus.REFERRED: frozenset(
        {ReferralStatus.ATTENDING, ReferralStatus.WITHDRAWN, ReferralStatus.DECLINED}
    ),
    ReferralStatus.ATTENDING: frozenset({ReferralStatus.COMPLETED, ReferralStatus.WITHDRAWN}),
    ReferralStatus.COMPLETED: frozenset(),
    ReferralStatus.WITHDRAWN: frozenset(),
    ReferralStatus.DECLINED: frozenset(),
}


class Referral(models.Model):
    """An offender referred to a programme, and how it went."""

    offender = models.ForeignKey("offenders.Offender", on_delete=models.PROTECT, related_name="referrals")
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="referrals")
    sentence = models.ForeignKey(
        "sentences.Sentence", null=True, blank=True, on_delete=models.PROTECT, related_name="referrals"
    )
    referred_on = models.DateField()
    status = models.CharField(max_length=12, choices=ReferralStatus.choices, default=ReferralStatus.REFERRED)
    status_changed_on = models.DateField(null=True, blank=True)
    outcome_note = models.CharField(max_length=300, blank=True)
    referred_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-referred_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["offender", "programme"],
                condition=Q(status__in=["referred", "attending"]),
                name="one_open_referral_per_programme",
            )
        ]

    def __str__(self) -> str:
        return f"{self.programme} ({self.get_status_display()})"

    def clean(self) -> None:
        if self.sentence_id and self.offender_id and self.sentence.offender_id != self.offender_id:
            raise ValidationError({"sentence": "That sentence belongs to a different offender."})


class Attendance(models.Model):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="attendances")
    session_on = models.DateField()
    attended = models.BooleanField()
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-session_on"]
        constraints = [
            models.UniqueConstraint(fields=["referral", "session_on"], name="attendance_one_per_session")
        ]

    def __str__(self) -> str:
        return f"{self.session_on}: {'attended' if self.attended else 'did not attend'}"
