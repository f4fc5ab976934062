"""Staff leave and other unavailability, read by the officer ranking (allocation.selectors)."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from allocation.access import can_manage_unavailability
from allocation.models import StaffUnavailability, UnavailabilityKind
from audit.models import AuditAction
from audit.services import audit_created, audit_record, snapshot
from staff.models import StaffMember


@transaction.atomic
def staff_unavailability_record(
    *,
    actor,
    staff,
    starts_on: datetime.date,
    ends_on: datetime.date,
    reason: str = "",
    kind: str = UnavailabilityKind.LEAVE,
) -> StaffUnavailability:
    """Record a period when a staff member cannot take cases. Periods of one staff member never
    overlap, so "unavailable until" on the ranking is unambiguous."""
    if actor is not None and not can_manage_unavailability(actor, staff):
        raise PermissionDenied("Only a service manager of the officer's office may record their leave.")
    # Lock the staff row: two managers recording overlapping leave at once cannot both pass the check.
    StaffMember.objects.select_for_update().filter(pk=staff.pk).first()
    reason = reason.strip()
    if not staff.active:
        raise ValidationError({"staff": f"{staff} is no longer an active staff member."})
    if kind not in UnavailabilityKind.values:
        raise ValidationError({"kind": "Choose the kind of unavailability."})
    if len(reason) > StaffUnavailability._meta.get_field("note").max_length:
        raise ValidationError({"reason": "Keep the reason to 200 characters."})
    if ends_on < starts_on:
        raise ValidationError({"ends_on": "The last day cannot be before the first day."})
    if ends_on < timezone.localdate():
        raise ValidationError(
            {"ends_on": "This period is entirely in the past; record current or future leave."}
        )
    clash = (
        StaffUnavailability.objects.filter(staff=staff, starts_on__lte=ends_on, ends_on__gte=starts_on)
        .order_by("starts_on")
        .first()
    )
    if clash is not None:
        raise ValidationError(
            {
                "starts_on": f"{staff} already has {clash.get_kind_display().lower()} from "
                f"{clash.starts_on:%-d %b %Y} to {clash.ends_on:%-d %b %Y}, which overlaps this period."
            }
        )
    unavailability = StaffUnavailability.objects.create(
        staff=staff, kind=kind, starts_on=starts_on, ends_on=ends_on, note=reason
    )
    audit_created(
        actor=actor,
        obj=unavailability,
        fields=("staff", "kind", "starts_on", "ends_on", "note"),
        summary=f"Recorded {unavailability.get_kind_display().lower()} of {staff} "
        f"from {starts_on:%-d %b %Y} to {ends_on:%-d %b %Y}",
    )
    return unavailability


@transaction.atomic
def staff_unavailability_cancel(
    *, actor, unavailability: StaffUnavailability, reason: str
) -> StaffUnavailability | None:
    """End a period of leave early or withdraw it. Leave not yet begun (or beginning today) is
    removed; leave already under way ends yesterday, so the officer is available from today and the
    days taken stay on record. Leave already over is history and cannot be changed.
    Returns the shortened period, or None when it was removed."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the leave is ended or withdrawn."})
    locked = (
        StaffUnavailability.objects.select_for_update(of=("self",))
        .select_related("staff__user", "staff__office")
        .filter(pk=unavailability.pk)
        .first()
    )
    if locked is None:
        raise ValidationError("This leave was already withdrawn. Nothing was changed.")
    staff = locked.staff
    if actor is not None and not can_manage_unavailability(actor, staff):
        raise PermissionDenied("Only a service manager of the officer's office may change their leave.")
    today = timezone.localdate()
    if locked.ends_on < today:
        raise ValidationError("This leave is already over and stays on record. Nothing was changed.")
    label = f"{locked.get_kind_display().lower()} of {staff} from {locked.starts_on:%-d %b %Y}"
    if locked.starts_on >= today:
        before = snapshot(locked, ("staff", "kind", "starts_on", "ends_on", "note"))
        audit_record(
            actor=actor,
            action=AuditAction.DELETE,
            obj=locked,
            summary=f"Withdrew {label}: {reason}",
            changes={**{name: [value, None] for name, value in before.items()}, "reason": [None, reason]},
        )
        locked.delete()
        return None
    ends_on = today - datetime.timedelta(days=1)
    StaffUnavailability.objects.filter(pk=locked.pk).update(ends_on=ends_on)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        summary=f"Ended {label} early: {reason}",
        changes={"ends_on": [locked.ends_on.isoformat(), ends_on.isoformat()], "reason": [None, reason]},
    )
    locked.ends_on = ends_on
    return locked
