"""Allocating staff to an offender's case (seed 001: staff allocated, changed): the one write that
puts a staff member on a case, and the one that ends it. Every other change of a team (an allocate
request allocated, a reallocation, a transfer, the handover on release, allocation.team) goes
through them, which keep the history and write the audit row and the casenote."""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from allocation.models import (
    COMMUNITY_ONLY_ROLES,
    PRISON_ONLY_ROLES,
    SINGLE_HOLDER_ROLES,
    AllocationTrigger,
    CaseAllocation,
    CaseRole,
)
from audit.actors import actor_user
from audit.models import AuditAction
from audit.services import audit_created, audit_record
from casenotes.models import CasenoteType
from casenotes.services import system_casenote
from classification.access import prison_office_ids
from offenders.access import offender_office_ids
from staff.models import OfficeKind

COMMUNITY_OFFICE_KINDS = (OfficeKind.PROBATION, OfficeKind.SERVICE_CENTRE)


def _check_team_role(*, offender, staff, role: str, sentence) -> None:
    """Seed 004: the offender manager works in the community, the offender supervisor at the prison
    holding the offender; each holds the whole case and has no second current holder."""
    if role not in CaseRole.values:
        raise ValidationError({"role": "Choose the member's role on the team."})
    label = CaseRole(role).label.lower()
    if role in SINGLE_HOLDER_ROLES and sentence is not None:
        raise ValidationError({"sentence": f"The {label} holds the whole case, not one sentence."})
    if role in COMMUNITY_ONLY_ROLES and staff.office.kind not in COMMUNITY_OFFICE_KINDS:
        raise ValidationError(
            {
                "staff": f"The {label} works at a probation office or service centre; {staff} works at "
                f"{staff.office.name}."
            }
        )
    if role in PRISON_ONLY_ROLES and (
        staff.office.kind != OfficeKind.PRISON or staff.office_id not in prison_office_ids(offender)
    ):
        raise ValidationError(
            {
                "staff": f"The {label} works at the prison holding the offender; {staff} works at "
                f"{staff.office.name}."
            }
        )
    if role in SINGLE_HOLDER_ROLES:
        holder = (
            CaseAllocation.objects.current()
            .filter(offender=offender, role=role)
            .select_related("staff__user")
            .first()
        )
        if holder is not None:
            raise ValidationError(
                f"{holder.staff} has been the {label} since {holder.started_on:%-d %b %Y}; "
                "replace them rather than adding a second."
            )


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
    trigger: str = AllocationTrigger.MANUAL,
    casenote: bool = True,
) -> CaseAllocation:
    """The one write that puts a staff member on an offender's case (team). `casenote=False` when
    the caller writes one note for a larger change (a replacement)."""
    if not staff.active:
        raise ValidationError({"staff": f"{staff} is no longer an active staff member."})
    if staff.office_id not in offender_office_ids(offender):
        raise ValidationError({"staff": f"{staff} does not work at an office responsible for this offender."})
    if started_on is not None and started_on > timezone.localdate():
        raise ValidationError({"started_on": "An allocation cannot start in the future."})
    _check_team_role(offender=offender, staff=staff, role=role, sentence=sentence)
    allocation = CaseAllocation(
        offender=offender,
        staff=staff,
        sentence=sentence,
        role=role,
        started_on=started_on or timezone.localdate(),
        reason=reason,
        trigger=trigger,
        allocated_by=actor_user(actor),
    )
    allocation.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            allocation.save()
    except IntegrityError as error:
        if "one_current_offender" in str(error):  # named by someone else at the same moment
            raise ValidationError(
                f"This case already has a current {allocation.get_role_display().lower()}. "
                "Nothing was changed."
            ) from None
        raise ValidationError(
            f"{staff} is already allocated to this case as {allocation.get_role_display().lower()}."
        ) from None
    audit_created(
        actor=actor,
        obj=allocation,
        fields=("staff", "role", "started_on", "sentence", "reason"),
        summary=f"Allocated {staff} to {offender}",
    )
    if casenote:
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
    *, actor, allocation: CaseAllocation, ended_on: datetime.date, reason: str, casenote: bool = True
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
    if casenote:
        system_casenote(
            actor=actor,
            offender=allocation.offender,
            note_type=CasenoteType.ALLOCATION,
            summary=f"Allocation ended: {allocation.staff}",
            text=f"{allocation.staff} no longer {allocation.get_role_display().lower()}. Reason: {reason}",
        )
    return allocation
