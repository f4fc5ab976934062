"""Moving a case: to another officer of the office (reallocation), or to another office (a transfer:
the receiving office gets an allocate request, and the sending office stays responsible until it is
allocated, allocation.requests)."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from allocation.access import can_transfer_sentence, can_work_queue
from allocation.models import AllocateRequest, AllocateRequestKind, AllocationTrigger, CaseAllocation
from allocation.notifications import notification_send
from allocation.requests import ALLOCATE_WITHIN_DAYS, allocate_request_insert
from allocation.selectors import continuity_suggestion
from allocation.services import case_allocate, case_allocation_end
from staff.models import OfficeKind, StaffMember
from staff.roles import Role


@transaction.atomic
def case_reallocate(*, actor, allocation: CaseAllocation, to_staff, reason: str) -> CaseAllocation:
    """Move one case to another officer (officer leaves, relocates, workload)."""
    if actor is not None and not can_work_queue(actor, allocation.staff.office):
        raise PermissionDenied("Only a service manager of the officer's office reallocates their cases.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the case is reallocated."})
    if allocation.staff_id == to_staff.pk:
        raise ValidationError({"staff": f"{to_staff} already holds this case."})
    case_allocation_end(
        actor=actor, allocation=allocation, ended_on=timezone.localdate(), reason=f"Reallocated: {reason}"
    )
    new = case_allocate(
        actor=actor,
        offender=allocation.offender,
        staff=to_staff,
        role=allocation.role,
        sentence=allocation.sentence,
        reason=f"Reallocated from {allocation.staff}: {reason}",
        trigger=AllocationTrigger.REALLOCATION,
    )
    notification_send(
        staff=to_staff,
        request=None,
        subject=f"Case reallocated to you: {allocation.offender.full_name} ({allocation.offender.prn})",
        body=f"{allocation.offender.full_name} has been reallocated to you from {allocation.staff} "
        f"by {actor}. Reason: {reason}",
        link=f"/offenders/{allocation.offender_id}/",
    )
    return new


@transaction.atomic
def cases_reallocate(*, actor, allocations, to_staff, reason: str) -> list[CaseAllocation]:
    """Bulk reallocation: all or nothing."""
    allocations = list(allocations)
    if not allocations:
        raise ValidationError({"allocations": "Choose at least one case to reallocate."})
    return [
        case_reallocate(actor=actor, allocation=item, to_staff=to_staff, reason=reason)
        for item in allocations
    ]


@transaction.atomic
def case_transfer_request(*, actor, offender, sentence, to_office, reason: str) -> AllocateRequest:
    """Transfer a case to another office: the receiving office gets a request; the sending office
    keeps responsibility (its allocations stay) until the request is allocated."""
    if not reason.strip():
        raise ValidationError({"reason": "Say why the case is transferred."})
    if sentence is None or sentence.offender_id != offender.pk:
        raise ValidationError({"sentence": "Choose the offender's sentence to transfer."})
    if actor is not None and not can_transfer_sentence(actor, sentence):
        raise PermissionDenied("Only a service manager of the office managing this sentence may transfer it.")
    from_office = sentence.managing_office if sentence is not None else offender.home_office
    if from_office is not None and from_office.pk == to_office.pk:
        raise ValidationError({"to_office": "The case is already managed by that office."})
    if to_office.kind not in (OfficeKind.PROBATION, OfficeKind.SERVICE_CENTRE):
        raise ValidationError({"to_office": "Cases transfer to a probation office or service centre."})
    staff, note = continuity_suggestion(offender)
    request = AllocateRequest(
        offender=offender,
        sentence=sentence,
        office=to_office,
        from_office=from_office,
        kind=AllocateRequestKind.TRANSFER,
        trigger=AllocationTrigger.TRANSFER,
        source="person",
        due_on=timezone.localdate() + datetime.timedelta(days=ALLOCATE_WITHIN_DAYS),
        continuity_note=(f"Transferring from {from_office}. " if from_office else "") + note,
        transfer_reason=reason.strip()[:300],
    )
    created = allocate_request_insert(
        actor=actor,
        request=request,
        summary=f"Transfer of {offender} to {to_office.name} requested: {reason}",
    )
    if created is None:
        raise ValidationError({"to_office": f"A transfer to {to_office.name} is already waiting."})
    _notify_receiving_managers(request=created, offender=offender, reason=reason.strip())
    return created


def _notify_receiving_managers(*, request: AllocateRequest, offender, reason: str) -> None:
    for manager in StaffMember.objects.filter(
        office=request.office, active=True, user__is_active=True, user__groups__name=Role.SERVICE_MANAGER
    ).select_related("user"):
        notification_send(
            staff=manager,
            request=request,
            subject=f"Case transferred to your office: {offender.full_name} ({offender.prn})",
            body=f"{request.from_office or 'Another office'} asks {request.office.name} to take over "
            f"{request.sentence or 'the case'} of {offender.full_name}. Reason: {reason}",
            link=reverse("allocation:request", kwargs={"pk": request.pk}),
        )
