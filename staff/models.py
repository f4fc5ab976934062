from django.conf import settings
from django.db import models
from django.db.models import Q


class OfficeKind(models.TextChoices):
    PROBATION = "probation", "Probation (CPPS) office"
    SERVICE_CENTRE = "service_centre", "Service centre"
    PRISON = "prison", "Prison"
    COURT = "court", "Court"


class OfficeQuerySet(models.QuerySet):
    def active(self):
        return self.filter(closed_on__isnull=True)

    def of_kind(self, *kinds: str):
        return self.filter(kind__in=kinds)


class Office(models.Model):
    code = models.CharField(max_length=12, unique=True)
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=20, choices=OfficeKind.choices)
    region = models.CharField(max_length=60, blank=True)
    address = models.CharField(max_length=250, blank=True)
    phone = models.CharField(max_length=30, blank=True)
    opened_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)

    objects = OfficeQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["office__name", "name"]
        constraints = [models.UniqueConstraint(fields=["office", "name"], name="team_unique_name_in_office")]

    def __str__(self) -> str:
        return f"{self.name} ({self.office})"


class StaffMember(models.Model):
    """A user's place in the organisation. The office and team here are the current ones;
    every move is a StaffPlacement row, so relocation keeps history (seed 001, staff relocates)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="staff")
    staff_number = models.CharField(max_length=20, unique=True)
    position = models.CharField(max_length=80, blank=True)
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="staff_members")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="members")
    phone = models.CharField(max_length=30, blank=True)
    hours_per_week = models.DecimalField(max_digits=4, decimal_places=1, default=40)
    active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["user__last_name", "user__first_name"]
        verbose_name = "staff member"

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.get_username()


class StaffPlacement(models.Model):
    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="placements")
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    reason = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-started_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["staff"], condition=Q(ended_on__isnull=True), name="one_open_placement_per_staff"
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="placement_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.office} from {self.started_on:%-d %b %Y}"
