from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q


class CaseRole(models.TextChoices):
    SUPERVISING_OFFICER = "supervising", "Supervising probation officer"
    CO_WORKER = "co_worker", "Co-worker"
    CASE_ADMINISTRATOR = "case_admin", "Case administrator"


class CaseAllocationQuerySet(models.QuerySet):
    def current(self):
        return self.filter(ended_on__isnull=True)


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
    allocated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CaseAllocationQuerySet.as_manager()

    class Meta:
        ordering = ["ended_on", "-started_on", "-id"]
        indexes = [
            models.Index(fields=["staff", "ended_on"], name="allocation_staff_open"),
            models.Index(fields=["offender", "ended_on"], name="allocation_offender_open"),
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
        ]

    def __str__(self) -> str:
        return f"{self.staff} — {self.get_role_display()}"

    def clean(self) -> None:
        if self.sentence_id and self.offender_id and self.sentence.offender_id != self.offender_id:
            raise ValidationError({"sentence": "That sentence belongs to a different offender."})
