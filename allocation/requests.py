"""Allocate requests (seed 002): raised once for each sentence event needing an officer (a sentence
recorded, an upcoming release), allocated by a service manager or cancelled. Each status change is
a step of ALLOCATE_REQUEST_WORKFLOW."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from allocation.access import can_allocate_request
from allocation.checklist import CSO_NOW_REQUIRED, checklist_create, checklist_refresh_cso
from allocation.handover import RELEASE_TYPES, community_handover
from allocation.models import (
    ALLOCATE_REQUEST_WORKFLOW,
    AllocateRequest,
    AllocateRequestKind,
    AllocateRequestStatus,
    AllocationTrigger,
    CaseAllocation,
    CaseRole,
)
from allocation.notifications import notification_send
from allocation.selectors import continuity_suggestion, officer_options, prison_continuity_suggestion
from allocation.services import case_allocate, case_allocation_end
from audit.actors import actor_user
from audit.models import AuditAction
from audit.services import audit_created, audit_record
from casenotes.models import CasenoteType
from casenotes.services import system_casenote
from ioms.transactions import atomic_service
from sentences.custody import in_custody_q
from sentences.models import COMMUNITY_SENTENCE_TYPES, Sentence, SentenceType
from sentences.services import sentence_update
from staff.models import OfficeKind

# Sentences whose recording asks an office to allocate a probation officer (seed 002).
REQUESTING_SENTENCE_TYPES = COMMUNITY_SENTENCE_TYPES | {
    SentenceType.HOME_DETENTION,
    SentenceType.EXTENDED_SUPERVISION,
    SentenceType.PAROLE,
    SentenceType.RELEASE_ON_CONDITIONS,
}
# Seed 002: HD and parole are expected to be allocated before sentencing or release.
PRE_ALLOCATED_TYPES = frozenset(
    {SentenceType.HOME_DETENTION, SentenceType.PAROLE, SentenceType.RELEASE_ON_CONDITIONS}
)
# "As soon as practicable" (seed 002): a request is due within this many days of being received.
ALLOCATE_WITHIN_DAYS = 5
# A pre-allocation is due this many days before the sentence starts or the prisoner is released.
PRE_ALLOCATION_MARGIN_DAYS = 1
# An upcoming release creates a pre-allocation request this far ahead.
PRE_RELEASE_LEAD_DAYS = 42


def _request_office(sentence):
    office = sentence.managing_office or sentence.offender.home_office
    if office is None or office.kind not in (OfficeKind.PROBATION, OfficeKind.SERVICE_CENTRE):
        return None
    return office


def allocate_request_insert(*, actor, request: AllocateRequest, summary: str) -> AllocateRequest | None:
    """Insert once: a second event for the same sentence and kind finds the existing request."""
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError:
        return None
    checklist_create(request)
    ALLOCATE_REQUEST_WORKFLOW.record_step(
        request, from_status="", to=AllocateRequestStatus.OPEN, actor=actor, comment=summary
    )
    audit_created(
        actor=actor,
        obj=request,
        fields=("kind", "office", "due_on", "pre_allocation", "continuity_staff", "continuity_note"),
        summary=summary,
    )
    return request


@atomic_service
def allocate_request_for_sentence(*, actor, sentence, source: str = "") -> AllocateRequest | None:
    """The request to manage a newly recorded sentence (seed 002), or None when the sentence type
    needs no probation officer or no community office manages it. Called by sentence_create, so it
    happens exactly once per recorded sentence whatever the source. A prison sentence managed by a
    prison asks that prison for an offender supervisor (seed 004)."""
    if sentence.sentence_type == SentenceType.IMPRISONMENT:
        return _prison_request_for_sentence(actor=actor, sentence=sentence, source=source)
    request = _community_request_for_sentence(actor=actor, sentence=sentence, source=source)
    if sentence.sentence_type in RELEASE_TYPES:
        # Released into a case the community has already accepted (pre-allocated): hand over now.
        community_handover(actor=actor, offender=sentence.offender)
    return request


def _community_request_for_sentence(*, actor, sentence, source: str) -> AllocateRequest | None:
    if sentence.sentence_type not in REQUESTING_SENTENCE_TYPES:
        return None
    office = _request_office(sentence)
    if office is None:
        return None
    # The sentence's own request, else a transfer's into this office: one read for both.
    found = list(
        AllocateRequest.objects.filter(sentence=sentence).filter(
            Q(kind=AllocateRequestKind.SENTENCE)
            | (
                Q(kind=AllocateRequestKind.TRANSFER, office=office)
                & ~Q(status=AllocateRequestStatus.CANCELLED)
            )
        )
    )
    existing = next((request for request in found if request.kind == AllocateRequestKind.SENTENCE), None)
    if existing is not None:
        return existing
    transfer = next((request for request in found if request.kind == AllocateRequestKind.TRANSFER), None)
    if transfer is not None:  # the transfer's own request covers the receiving office
        return transfer
    if sentence.sentence_type in RELEASE_TYPES:
        covering = _pre_release_covering(actor=actor, sentence=sentence)
        if covering is not None:
            return covering
    today = timezone.localdate()
    pre_allocation = sentence.sentence_type in PRE_ALLOCATED_TYPES and sentence.start_date > today
    if pre_allocation:
        due_on = max(today, sentence.start_date - datetime.timedelta(days=PRE_ALLOCATION_MARGIN_DAYS))
        trigger = AllocationTrigger.PRE_ALLOCATION
    else:
        due_on = today + datetime.timedelta(days=ALLOCATE_WITHIN_DAYS)
        trigger = (
            AllocationTrigger.RELEASE
            if sentence.sentence_type in RELEASE_TYPES
            else AllocationTrigger.SENTENCE
        )
    staff, note = continuity_suggestion(sentence.offender, exclude_sentence_id=sentence.pk)
    request = AllocateRequest(
        offender=sentence.offender,
        sentence=sentence,
        office=office,
        kind=AllocateRequestKind.SENTENCE,
        trigger=trigger,
        pre_allocation=pre_allocation,
        source=source,
        due_on=due_on,
        continuity_staff=staff,
        continuity_note=note,
    )
    created = allocate_request_insert(
        actor=actor,
        request=request,
        summary=f"Allocate request for {sentence} of {sentence.offender} in {office.name}",
    )
    return created or AllocateRequest.objects.get(sentence=sentence, kind=AllocateRequestKind.SENTENCE)


def _prison_request_for_sentence(*, actor, sentence, source: str) -> AllocateRequest | None:
    """A prison sentence managed by a prison: the prison's queue gets a request for an offender
    supervisor, unless the offender already has one there or a request there is already open (a
    recall's request covers the prison sentence it returns the offender to)."""
    prison = sentence.managing_office
    if prison is None or prison.kind != OfficeKind.PRISON:
        return None
    existing = AllocateRequest.objects.filter(sentence=sentence, kind=AllocateRequestKind.SENTENCE).first()
    if existing is not None:
        return existing
    offender = sentence.offender
    if (
        CaseAllocation.objects.current()
        .filter(offender=offender, role=CaseRole.OFFENDER_SUPERVISOR, staff__office=prison)
        .exists()
    ):
        return None
    waiting = AllocateRequest.objects.open().filter(offender=offender, office=prison).first()
    if waiting is not None:
        return waiting
    staff, note = prison_continuity_suggestion(offender, prison)
    request = AllocateRequest(
        offender=offender,
        sentence=sentence,
        office=prison,
        kind=AllocateRequestKind.SENTENCE,
        trigger=AllocationTrigger.SENTENCE,
        source=source,
        due_on=timezone.localdate() + datetime.timedelta(days=ALLOCATE_WITHIN_DAYS),
        continuity_staff=staff,
        continuity_note=note,
    )
    created = allocate_request_insert(
        actor=actor,
        request=request,
        summary=f"Offender supervisor request for {sentence} of {offender} in {prison.name}",
    )
    return created or AllocateRequest.objects.get(sentence=sentence, kind=AllocateRequestKind.SENTENCE)


def _pre_release_covering(*, actor, sentence) -> AllocateRequest | None:
    """One release, one request: a release sentence (parole, release on conditions) arriving after
    the beat task raised a pre-release request for the same offender is covered by that request.
    Open: it now also covers the release sentence. Allocated (and the officer still holds the
    case): the case is already pre-allocated and nothing new is created."""
    candidates = (
        AllocateRequest.objects.select_for_update(of=("self",))
        .filter(offender=sentence.offender, kind=AllocateRequestKind.PRE_RELEASE)
        .filter(
            Q(status=AllocateRequestStatus.OPEN)
            | Q(status=AllocateRequestStatus.ALLOCATED, allocation__ended_on__isnull=True)
        )
        .select_related("allocated_to", "sentence")
        .order_by("-received_at", "-id")
    )
    pre_release = candidates.first()
    if pre_release is None:
        return None
    if pre_release.status == AllocateRequestStatus.OPEN:
        summary = f"{sentence} recorded; this pre-release request covers it"
        AllocateRequest.objects.filter(pk=pre_release.pk).update(trigger=AllocationTrigger.RELEASE)
        # A step that stays open: the request now answers the release too.
        ALLOCATE_REQUEST_WORKFLOW.record_step(
            pre_release,
            from_status=AllocateRequestStatus.OPEN,
            to=AllocateRequestStatus.OPEN,
            actor=actor,
            comment=summary,
        )
    else:
        summary = f"{sentence} recorded; already pre-allocated to {pre_release.allocated_to}"
        system_casenote(
            actor=actor,
            offender=sentence.offender,
            sentence=sentence,
            note_type=CasenoteType.ALLOCATION,
            summary=f"{sentence} already pre-allocated",
            text=f"{pre_release.allocated_to}, pre-allocated before release, manages {sentence}.",
        )
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=pre_release, summary=summary)
    pre_release.refresh_from_db()
    return pre_release


def _next_release(sentence, *, on: datetime.date | None = None) -> datetime.date | None:
    """The next release date still to come: a past parole hearing does not count."""
    today = on or timezone.localdate()
    dates = [d for d in (sentence.parole_hearing_date, sentence.statutory_release_date) if d and d >= today]
    return min(dates) if dates else None


def allocate_requests_for_upcoming_releases(*, on: datetime.date | None = None) -> int:
    """Seed 002 / Volume 2 pre-allocation: a prisoner whose parole hearing or statutory release is
    near gets a pre-allocation request in their home office, due before the date. Safe to run
    repeatedly (beat): the unique constraint makes it once per prison sentence."""
    today = on or timezone.localdate()
    horizon = today + datetime.timedelta(days=PRE_RELEASE_LEAD_DAYS)
    candidates = (
        Sentence.objects.current()
        .filter(sentence_type=SentenceType.IMPRISONMENT, offender__home_office__isnull=False)
        # Still in custody: someone already released on parole is not released again.
        .filter(in_custody_q())
        .filter(
            Q(statutory_release_date__range=(today, horizon)) | Q(parole_hearing_date__range=(today, horizon))
        )
        .exclude(allocate_requests__kind=AllocateRequestKind.PRE_RELEASE)
        .select_related("offender__home_office")
    )
    created = 0
    for sentence in candidates:
        office = sentence.offender.home_office
        if office.kind not in (OfficeKind.PROBATION, OfficeKind.SERVICE_CENTRE):
            continue
        release = _next_release(sentence, on=today)
        if release is None:
            continue
        with transaction.atomic():
            staff, note = continuity_suggestion(sentence.offender)
            request = AllocateRequest(
                offender=sentence.offender,
                sentence=sentence,
                office=office,
                kind=AllocateRequestKind.PRE_RELEASE,
                trigger=AllocationTrigger.PRE_ALLOCATION,
                pre_allocation=True,
                source="system",
                due_on=max(today, release - datetime.timedelta(days=PRE_ALLOCATION_MARGIN_DAYS)),
                continuity_staff=staff,
                continuity_note=note,
            )
            if allocate_request_insert(
                actor=None,
                request=request,
                summary=f"Pre-allocation request: {sentence.offender} may be released on {release:%-d %b %Y}",
            ):
                created += 1
    return created


def allocate_request_allocate(
    *, actor, request: AllocateRequest, staff, reason: str = "", override_reason: str = ""
) -> AllocateRequest:
    """Allocate a probation officer to a request. The request row is locked, so of two managers
    allocating the same request at once exactly one succeeds; the other gets a clear message.

    The CSO rule is checked again first (seed 002 step 7): when it now applies to a request whose
    CSO step was marked not applicable, the step is reopened and the allocation refused. The
    reopening is kept: it commits before the refusal is raised, so the task list shows the step to
    do rather than a completed checklist."""
    with transaction.atomic():
        locked = (
            AllocateRequest.objects.select_for_update(of=("self",))
            .select_related("offender", "sentence", "office", "from_office")
            .get(pk=request.pk)
        )
        if not can_allocate_request(actor, locked):
            raise PermissionDenied("Only a service manager of the request's office may allocate it.")
        if locked.status != AllocateRequestStatus.OPEN:
            who = locked.allocated_to or "someone"
            when = timezone.localtime(locked.allocated_at).strftime("%H:%M") if locked.allocated_at else ""
            raise ValidationError(
                f"This request was already allocated to {who}"
                + (f" at {when}" if when else "")
                + " by another manager. Nothing was changed."
                if locked.status == AllocateRequestStatus.ALLOCATED
                else "This request was cancelled. Nothing was changed."
            )
        _, reopened = checklist_refresh_cso(locked, actor=actor)
        if not reopened:
            return _allocate_locked(
                actor=actor, locked=locked, staff=staff, reason=reason, override_reason=override_reason
            )
    # The block above committed the reopened step and its audit row, nothing else.
    raise ValidationError({"__all__": [CSO_NOW_REQUIRED + " Complete it on the task list first."]})


def _allocate_locked(
    *, actor, locked: AllocateRequest, staff, reason: str, override_reason: str
) -> AllocateRequest:
    """The allocation itself, in allocate_request_allocate's transaction with the request locked."""
    open_steps = [row.get_step_display() for row in locked.steps.all() if row.is_open]
    if open_steps:
        raise ValidationError(
            {"__all__": ["Complete the checklist first. Still open: " + "; ".join(open_steps) + "."]}
        )
    options = officer_options(locked)
    by_id = {option.staff.pk: option for option in options}
    if staff.pk not in by_id:
        raise ValidationError(
            {"staff": f"{staff} cannot take this case (not an active officer of this office)."}
        )
    suggested = options[0].staff if options else None
    if suggested is not None and staff.pk != suggested.pk and not override_reason.strip():
        raise ValidationError(
            {"override_reason": f"Say why you chose {staff} rather than the suggested {suggested}."}
        )
    trigger = locked.trigger
    why = reason.strip() or locked.get_trigger_display()
    prison_side = locked.office.kind == OfficeKind.PRISON
    if locked.kind == AllocateRequestKind.TRANSFER:
        _transfer_move_sentence(actor=actor, request=locked)
    existing = (
        CaseAllocation.objects.current()
        .filter(offender=locked.offender, staff=staff, role=CaseRole.SUPERVISING_OFFICER)
        .first()
    )
    if prison_side:
        allocation = _offender_supervisor_allocate(actor=actor, request=locked, staff=staff, why=why)
    elif existing is not None:
        allocation = existing
        system_casenote(
            actor=actor,
            offender=locked.offender,
            sentence=locked.sentence,
            note_type=CasenoteType.ALLOCATION,
            summary=f"{locked.sentence or 'Case'} allocated to {staff}",
            text=f"{staff}, already the supervising probation officer, also manages "
            f"{locked.sentence or 'the case'}. Reason: {why}",
        )
    else:
        allocation = case_allocate(
            actor=actor,
            offender=locked.offender,
            staff=staff,
            sentence=locked.sentence if locked.kind != AllocateRequestKind.PRE_RELEASE else None,
            reason=why,
            trigger=trigger,
        )
    if locked.kind == AllocateRequestKind.TRANSFER:
        _transfer_end_sending_allocations(actor=actor, request=locked, keep=allocation)
        _transfer_cancel_sending_request(actor=actor, request=locked)
    override = override_reason.strip()[:300] if suggested and staff.pk != suggested.pk else ""
    ALLOCATE_REQUEST_WORKFLOW.move(
        locked,
        to=AllocateRequestStatus.ALLOCATED,
        actor=actor,
        fields={
            "allocated_to": staff,
            "allocated_by": actor_user(actor),
            "allocated_at": timezone.now(),
            "allocation": allocation,
            "reason": why[:300],
            "suggested_staff": suggested,
            "override_reason": override,
        },
        comment=f"Allocated to {staff}. {why}"
        + (f" Chosen over {suggested}: {override}" if override else ""),
        summary=f"{actor} allocated {locked.offender} to {staff}: {why}",
        audit_changes={
            "allocated_to": [None, str(staff)],
            "suggested": [None, str(suggested) if suggested else None],
            "override_reason": [None, override or None],
        },
    )
    notification_send(
        staff=staff,
        request=locked,
        subject=f"New case allocated: {locked.offender.full_name} ({locked.offender.prn})",
        body=f"{locked.offender.full_name} ({locked.offender.prn}) has been allocated to you"
        + (f" for {locked.sentence}" if locked.sentence else "")
        + f" by {actor}. Reason: {why}",
        link=f"/offenders/{locked.offender.pk}/",
    )
    if not prison_side:
        # Issue 6: the community has now accepted the case; a released offender's prison side
        # hands over.
        community_handover(actor=actor, offender=locked.offender)
    return locked


def _offender_supervisor_allocate(*, actor, request: AllocateRequest, staff, why: str) -> CaseAllocation:
    """A prison's request is for the offender supervisor (seed 004). An offender supervisor at
    another prison stayed responsible until now and hands over."""
    current = (
        CaseAllocation.objects.current()
        .filter(offender=request.offender, role=CaseRole.OFFENDER_SUPERVISOR)
        .select_related("staff__user", "offender")
        .first()
    )
    if current is not None and current.staff_id == staff.pk:
        system_casenote(
            actor=actor,
            offender=request.offender,
            note_type=CasenoteType.ALLOCATION,
            summary=f"Offender supervisor confirmed: {staff}",
            text=f"{staff}, already the offender supervisor, stays on the case. Reason: {why}",
        )
        return current
    if current is not None:
        case_allocation_end(
            actor=actor,
            allocation=current,
            ended_on=timezone.localdate(),
            reason=f"Handed over to {request.office.name}",
        )
    return case_allocate(
        actor=actor,
        offender=request.offender,
        staff=staff,
        role=CaseRole.OFFENDER_SUPERVISOR,
        reason=why,
        trigger=request.trigger,
    )


def _transfer_move_sentence(*, actor, request: AllocateRequest) -> None:
    """The receiving office takes the sentence over only now that it has allocated an officer."""
    if request.sentence is not None and request.sentence.managing_office_id != request.office_id:
        sentence_update(
            actor=actor,
            sentence=request.sentence,
            managing_office=request.office,
            reason=f"Transferred to {request.office.name}: {request.transfer_reason}",
        )
        request.offender._ioms_office_ids = None


def _transfer_cancel_sending_request(*, actor, request: AllocateRequest) -> None:
    """The sending office no longer needs to allocate the sentence it has handed over."""
    if request.sentence_id is None or not request.from_office_id:
        return
    for stale in AllocateRequest.objects.filter(
        sentence_id=request.sentence_id, office_id=request.from_office_id, status=AllocateRequestStatus.OPEN
    ).exclude(pk=request.pk):
        allocate_request_cancel(
            actor=None, request=stale, reason=f"Sentence transferred to {request.office.name}"
        )


def _transfer_end_sending_allocations(*, actor, request: AllocateRequest, keep: CaseAllocation) -> None:
    """End the sending office's allocations for the transferred sentence; a whole-case supervising
    allocation ends only when the sending office manages no other current sentence of the offender."""
    if request.from_office_id:
        scope = Q(sentence_id=request.sentence_id) if request.sentence_id else Q()
        keeps_other = (
            Sentence.objects.current()
            .filter(offender=request.offender, managing_office_id=request.from_office_id)
            .exclude(pk=request.sentence_id)
            .exists()
        )
        if not keeps_other:
            scope |= Q(sentence__isnull=True, role=CaseRole.SUPERVISING_OFFICER)
        for old in (
            CaseAllocation.objects.current()
            .filter(scope, offender=request.offender, staff__office_id=request.from_office_id)
            .exclude(pk=keep.pk)
            .select_related("staff__user", "offender")
        ):
            case_allocation_end(
                actor=actor,
                allocation=old,
                ended_on=timezone.localdate(),
                reason=f"Transferred to {request.office.name}",
            )


@transaction.atomic
def allocate_request_cancel(*, actor, request: AllocateRequest, reason: str) -> AllocateRequest:
    """Withdraw a request that no longer needs an officer (the sentence was quashed, or it was
    raised in error); the row stays, with the reason."""
    if actor is not None and not can_allocate_request(actor, request):
        raise PermissionDenied("Only a service manager of the request's office may cancel it.")
    if not reason.strip():
        raise ValidationError({"cancel_reason": "Say why the request is cancelled."})
    ALLOCATE_REQUEST_WORKFLOW.move(
        request,
        to=AllocateRequestStatus.CANCELLED,
        actor=actor,
        fields={"cancel_reason": reason.strip()[:300]},
        comment=reason,
        summary=f"Cancelled {request}: {reason}",
        audit_changes={"cancel_reason": [None, reason.strip()[:300]]},
    )
    return request
