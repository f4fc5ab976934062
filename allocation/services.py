"""Allocating staff to an offender's case (seed 001: staff allocated, changed)."""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from allocation.models import CaseAllocation, CaseRole
from audit.models import AuditAction
from audit.services import audit_created, audit_record
from casenotes.models import CasenoteType
from casenotes.services import system_casenote
from offenders.access import offender_office_ids


@transaction.atomic
def case_allocate(
    *,
    actor,
    offender,
    staff,
    role: str = CaseRole.SUPERVISING_OFFICER,
    started_on: datetime.date | None = None,
    sentence=None,
    reason: str = "",
) -> CaseAllocation:
    if not staff.active:
        raise ValidationError({"staff": f"{staff} is no longer an active staff member."})
    if staff.office_id not in offender_office_ids(offender):
        raise ValidationError({"staff": f"{staff} does not work at an office responsible for this offender."})
    if started_on is not None and started_on > timezone.localdate():
        raise ValidationError({"started_on": "An allocation cannot start in the future."})
    allocation = CaseAllocation(
        offender=offender,
        staff=staff,
        sentence=sentence,
        role=role,
        started_on=started_on or timezone.localdate(),
        reason=reason,
        allocated_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    allocation.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            allocation.save()
    except IntegrityError:
        raise ValidationError(
            f"{staff} is already allocated to this case as {allocation.get_role_display().lower()}."
        ) from None
    audit_created(
        actor=actor,
        obj=allocation,
        fields=("staff", "role", "started_on", "sentence", "reason"),
        summary=f"Allocated {staff} to {offender}",
    )
    system_casenote(
        actor=actor,
        offender=offender,
        sentence=sentence,
        note_type=CasenoteType.ALLOCATION,
        summary=f"{allocation.get_role_display()}: {staff}",
        text=f"{staff} allocated to the case as {allocation.get_role_display().lower()}."
        + (f" Reason: {reason}" if reason else ""),
    )
    return allocation


@transaction.atomic
def case_allocation_end(
    *, actor, allocation: CaseAllocation, ended_on: datetime.date, reason: str
) -> CaseAllocation:
    if not reason.strip():
        raise ValidationError({"end_reason": "Say why the allocation ends."})
    if ended_on > timezone.localdate():
        raise ValidationError({"ended_on": "An allocation cannot end in the future."})
    if ended_on < allocation.started_on:
        raise ValidationError({"ended_on": "An allocation cannot end before it started."})
    updated = CaseAllocation.objects.filter(pk=allocation.pk, ended_on__isnull=True).update(
        ended_on=ended_on, end_reason=reason
    )
    if not updated:
        raise ValidationError("This allocation has already ended.")
    allocation.refresh_from_db()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=allocation,
        summary=f"Ended allocation of {allocation.staff} to {allocation.offender}",
        changes={"ended_on": [None, ended_on.isoformat()], "end_reason": [None, reason]},
    )
    system_casenote(
        actor=actor,
        offender=allocation.offender,
        note_type=CasenoteType.ALLOCATION,
        summary=f"Allocation ended: {allocation.staff}",
        text=f"{allocation.staff} no longer {allocation.get_role_display().lower()}. Reason: {reason}",
    )
    return allocation
