"""The offender management team (seed 004: offender manager, offender supervisor, key workers and
case administrators) and its handover between prison and community (issue 6).

A member of the team is a CaseAllocation row: adding, ending and replacing members go through
allocation.services.case_allocate / case_allocation_end, which keep the history, write the audit
row and the casenote. These services add who may make each change."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from allocation.access import PRISON_MANAGING_ROLES, can_allocate_case, can_manage_team_member, manages_prison
from allocation.handover import RELEASE_TYPES
from allocation.models import (
    AllocateRequest,
    AllocateRequestKind,
    AllocationTrigger,
    CaseAllocation,
    CaseRole,
)
from allocation.notifications import notification_send
from allocation.requests import ALLOCATE_WITHIN_DAYS, allocate_request_cancel, allocate_request_insert
from allocation.selectors import prison_continuity_suggestion
from allocation.services import case_allocate, case_allocation_end
from audit.models import AuditAction
from audit.services import audit_record
from casenotes.models import CasenoteType
from casenotes.services import system_casenote
from events.domain import OffenderRecalled, publish
from sentences.models import CompletionReason, Sentence, SentenceStatus, SentenceType
from sentences.services import sentence_complete, sentence_update
from staff.models import OfficeKind, StaffMember


def _refuse_unless_may(actor, offender, *, role: str, staff) -> None:
    if actor is not None and not can_manage_team_member(actor, offender, role=role, staff=staff):
        raise PermissionDenied(
            f"You may not change the {CaseRole(role).label.lower()} of this offender's team."
        )


@transaction.atomic
def team_member_add(
    *,
    actor,
    offender,
    staff,
    role: str = CaseRole.SUPERVISING_OFFICER,
    started_on: datetime.date | None = None,
    reason: str = "",
    sentence=None,
) -> CaseAllocation:
    """Put a staff member on the offender's team from `started_on` (today by default)."""
    if role not in CaseRole.values:
        raise ValidationError({"role": "Choose the member's role on the team."})
    _refuse_unless_may(actor, offender, role=role, staff=staff)
    return case_allocate(
        actor=actor,
        offender=offender,
        staff=staff,
        role=role,
        started_on=started_on,
        sentence=sentence,
        reason=reason.strip()[:300],
    )


@transaction.atomic
def team_member_end(
    *, actor, allocation: CaseAllocation, ended_on: datetime.date, reason: str
) -> CaseAllocation:
    """Take a member off the team; the membership stays as history."""
    _refuse_unless_may(actor, allocation.offender, role=allocation.role, staff=allocation.staff)
    return case_allocation_end(actor=actor, allocation=allocation, ended_on=ended_on, reason=reason.strip())


@transaction.atomic
def team_member_replace(
    *, actor, allocation: CaseAllocation, staff, on: datetime.date | None = None, reason: str
) -> CaseAllocation:
    """Hand a member's part to another staff member: the old membership ends and the new one starts
    on the same day, in the same role, in one transaction with one casenote."""
    on = on or timezone.localdate()
    reason = reason.strip()
    offender = allocation.offender
    _refuse_unless_may(actor, offender, role=allocation.role, staff=allocation.staff)
    _refuse_unless_may(actor, offender, role=allocation.role, staff=staff)
    if not reason:
        raise ValidationError({"reason": "Say why the member is replaced."})
    if staff.pk == allocation.staff_id:
        raise ValidationError({"staff": f"{staff} already holds this part of the case."})
    if allocation.ended_on is not None:
        raise ValidationError("This membership has already ended. Nothing was changed.")
    role = allocation.get_role_display().lower()
    case_allocation_end(
        actor=actor,
        allocation=allocation,
        ended_on=on,
        reason=f"Replaced by {staff}: {reason}"[:300],
        casenote=False,
    )
    new = case_allocate(
        actor=actor,
        offender=offender,
        staff=staff,
        role=allocation.role,
        started_on=on,
        sentence=allocation.sentence,
        reason=f"Replaces {allocation.staff}: {reason}"[:300],
        trigger=AllocationTrigger.REALLOCATION,
        casenote=False,
    )
    system_casenote(
        actor=actor,
        offender=offender,
        sentence=allocation.sentence,
        note_type=CasenoteType.ALLOCATION,
        summary=f"{allocation.get_role_display()}: {staff} replaces {allocation.staff}",
        text=f"{staff} is the {role} from {on:%-d %b %Y}, replacing {allocation.staff}. Reason: {reason}",
    )
    return new


# --- Recall (the handover from prison to community is allocation.handover.community_handover) ------


@transaction.atomic
def offender_recall(
    *, actor, release: Sentence, prison, recalled_on: datetime.date, reason: str, source: str = "person"
) -> AllocateRequest:
    """A released offender recalled to prison (Parole Board recall order): the release sentence is
    terminated, the prison sentence they return to is managed by `prison`, and the prison's queue
    gets a request for an offender supervisor. The community offender manager and supervising
    officers stay on the team until a person decides otherwise (seed 004: continuity)."""
    offender = release.offender
    if actor is not None and not (can_allocate_case(actor, offender) or manages_prison(actor, prison)):
        raise PermissionDenied("Only a manager of the offender's office or of the prison records a recall.")
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the offender is recalled (the recall order)."})
    if release.sentence_type not in RELEASE_TYPES or release.status == SentenceStatus.COMPLETED:
        raise ValidationError({"release": "Only a current parole or release on conditions can be recalled."})
    if prison.kind != OfficeKind.PRISON:
        raise ValidationError({"prison": "An offender is recalled to a prison."})
    if recalled_on > timezone.localdate():
        raise ValidationError({"recalled_on": "A recall cannot be recorded in the future."})
    if recalled_on < release.start_date:
        raise ValidationError({"recalled_on": "The recall cannot be before the release."})
    imprisonment = (
        Sentence.objects.current()
        .filter(offender=offender, sentence_type=SentenceType.IMPRISONMENT)
        .select_related("managing_office")
        .order_by("-start_date", "-id")
        .first()
    )
    if imprisonment is None:
        raise ValidationError(
            "The offender has no current prison sentence to return to; "
            "record the new prison sentence instead."
        )
    sentence_complete(
        actor=actor,
        sentence=release,
        reason=CompletionReason.TERMINATED,
        completed_on=recalled_on,
        detail=f"Recalled to {prison.name}: {reason}"[:500],
        source=source,
    )
    for stale in AllocateRequest.objects.open().filter(sentence=release).select_related("office"):
        allocate_request_cancel(actor=None, request=stale, reason=f"Recalled to {prison.name}")
    staff, note = prison_continuity_suggestion(offender, prison)
    request = allocate_request_insert(
        actor=actor,
        request=AllocateRequest(
            offender=offender,
            sentence=release,
            office=prison,
            from_office=release.managing_office,
            kind=AllocateRequestKind.RECALL,
            trigger=AllocationTrigger.RECALL,
            source=source,
            due_on=timezone.localdate() + datetime.timedelta(days=ALLOCATE_WITHIN_DAYS),
            continuity_staff=staff,
            continuity_note=note,
            transfer_reason=reason[:300],
        ),
        summary=f"Recall of {offender} to {prison.name}: {reason}"[:300],
    )
    if request is None:  # pragma: no cover - the release was completed above, so it cannot recur
        raise ValidationError("This recall is already recorded.")
    if imprisonment.managing_office_id != prison.pk:
        # After the recall's request exists, so the prison sentence's own request check finds it.
        sentence_update(
            actor=actor,
            sentence=imprisonment,
            managing_office=prison,
            reason=f"Recalled to {prison.name}",
            source=source,
        )
        offender._ioms_office_ids = None
        offender._ioms_prison_office_ids = None
    staying = list(
        CaseAllocation.objects.current()
        .filter(offender=offender)
        .exclude(staff__office__kind=OfficeKind.PRISON)
        .select_related("staff__user")
        .order_by("id")
    )
    system_casenote(
        actor=actor,
        offender=offender,
        note_type=CasenoteType.ALLOCATION,
        summary=f"Recalled to {prison.name}: offender supervisor requested",
        text=f"Recalled to {prison.name} on {recalled_on:%-d %b %Y}. {prison.name} is asked to allocate an "
        "offender supervisor."
        + (
            " Staying on the team: "
            + "; ".join(f"{row.staff} ({row.get_role_display().lower()})" for row in staying)
            + "."
            if staying
            else ""
        ),
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=offender,
        summary=f"Recorded the recall of {offender} to {prison.name}"[:300],
        changes={"recalled_on": [None, recalled_on.isoformat()], "prison": [None, prison.name]},
    )
    _notify_prison_managers(request=request, offender=offender, reason=reason)
    publish(
        OffenderRecalled(
            offender_id=offender.pk,
            release_sentence_id=release.pk,
            prison_id=prison.pk,
            recalled_on=recalled_on,
            allocate_request_id=request.pk,
        ),
        actor=actor,
    )
    return request


def _notify_prison_managers(*, request: AllocateRequest, offender, reason: str) -> None:
    for manager in (
        StaffMember.objects.filter(
            office=request.office,
            active=True,
            user__is_active=True,
            user__groups__name__in=PRISON_MANAGING_ROLES,
        )
        .select_related("user")
        .distinct()
    ):
        notification_send(
            staff=manager,
            request=request,
            subject=f"Recalled to your prison: {offender.full_name} ({offender.prn})",
            body=f"{offender.full_name} is recalled to {request.office.name}; allocate an offender "
            f"supervisor. Reason: {reason}",
            link=reverse("allocation:request", kwargs={"pk": request.pk}),
        )
