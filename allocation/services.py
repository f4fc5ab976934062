"""Allocating staff to an offender's case (seed 001: staff allocated, changed)."""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from allocation.access import (
    can_allocate_request,
    can_manage_unavailability,
    can_transfer_sentence,
    can_work_queue,
)
from allocation.models import (
    ALLOCATE_REQUEST_WORKFLOW,
    COMMUNITY_ONLY_ROLES,
    PRISON_ONLY_ROLES,
    SINGLE_HOLDER_ROLES,
    AllocateRequest,
    AllocateRequestKind,
    AllocateRequestStatus,
    AllocateRequestStep,
    AllocationTrigger,
    CaseAllocation,
    CaseRole,
    ChecklistStep,
    Notification,
    StaffUnavailability,
    UnavailabilityKind,
)
from allocation.selectors import officer_options
from audit.actors import actor_user
from audit.models import AuditAction
from audit.services import audit_created, audit_record, snapshot
from casenotes.models import CasenoteType
from casenotes.services import system_casenote
from classification.access import prison_office_ids
from ioms.transactions import atomic_service
from offenders.access import offender_office_ids
from offenders.models import BreakGlassGrant, Flag, FlagKind, RestrictedAccess
from sentences.models import COMMUNITY_SENTENCE_TYPES, OffenceCategory, Sentence, SentenceStatus, SentenceType
from sentences.services import sentence_update
from staff.models import OfficeKind, StaffMember
from staff.roles import Role

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
                f"{holder.staff} has been the {label} since {holder.started_on:%d %b %Y}; "
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


# --- Allocate requests (seed 002) ------------------------------------------------------------------

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
RELEASE_TYPES = frozenset({SentenceType.PAROLE, SentenceType.RELEASE_ON_CONDITIONS})
# "As soon as practicable" (seed 002): a request is due within this many days of being received.
ALLOCATE_WITHIN_DAYS = 5
# A pre-allocation is due this many days before the sentence starts or the prisoner is released.
PRE_ALLOCATION_MARGIN_DAYS = 1
# An upcoming release creates a pre-allocation request this far ahead.
PRE_RELEASE_LEAD_DAYS = 42

CHECKLIST_ORDER = list(ChecklistStep.values)
# The only steps a manager may mark "does not apply": the CSO notification (when the offender and
# sentence do not call for it) and the OWS review (when it was already done). The rest are required.
SKIPPABLE_STEPS = frozenset({ChecklistStep.CSO_NOTIFICATION, ChecklistStep.OWS_REVIEWED})


def _request_office(sentence):
    office = sentence.managing_office or sentence.offender.home_office
    if office is None or office.kind not in (OfficeKind.PROBATION, OfficeKind.SERVICE_CENTRE):
        return None
    return office


def _continuity(offender, *, exclude_sentence_id: int | None = None) -> tuple:
    """Seed 002: where practicable one officer manages all of an offender's sentences. With no
    supervising officer (a prisoner being released, say) the offender manager, who holds the case
    throughout (seed 004), is the one to suggest."""
    # Most people a new sentence is recorded for have neither: one indexed read says so before the
    # joins that fetch the officer (planning those costs more than running them).
    allocated = (
        CaseAllocation.objects.current()
        .filter(offender=offender, role__in=(CaseRole.SUPERVISING_OFFICER, CaseRole.OFFENDER_MANAGER))
        .exists()
    )
    current = (
        list(
            CaseAllocation.objects.current()
            .filter(offender=offender, role=CaseRole.SUPERVISING_OFFICER, staff__active=True)
            .select_related("staff__user", "staff__office")
            .order_by("-started_on", "-id")
        )
        if allocated
        else []
    )
    manager = (
        None
        if current or not allocated
        else CaseAllocation.objects.current()
        .filter(offender=offender, role=CaseRole.OFFENDER_MANAGER, staff__active=True)
        .select_related("staff__user", "staff__office")
        .first()
    )
    if manager is not None:
        staff = manager.staff
        return staff, f"{staff} ({staff.office.name}) is the offender manager; suggest them."
    others = (
        Sentence.objects.current()
        .filter(offender=offender)
        .exclude(pk=exclude_sentence_id)
        .exclude(sentence_type=SentenceType.IMPRISONMENT)
        .count()
    )
    if current:
        staff = current[0].staff
        note = f"Already supervised by {staff} ({staff.office.name}); suggest the same probation officer."
        if others:
            note += f" {others} other current sentence{'s' if others != 1 else ''}."
        return staff, note
    if others:
        return (
            None,
            f"Has {others} other current sentence{'s' if others != 1 else ''} but no supervising officer.",
        )
    return None, ""


def _is_cso_case(offender, sentence) -> bool:
    """Seed 002 step 7: a child sex offender (active CSO flag) serving a sentence for a child sex
    offence."""
    if sentence is None:
        return False
    if not Flag.objects.filter(
        offender=offender, kind=FlagKind.CHILD_SEX_OFFENDER, ended_on__isnull=True
    ).exists():
        return False
    return any(
        conviction.offence.has_category(OffenceCategory.CHILD_SEX)
        for conviction in sentence.convictions.select_related("offence")
    )


def _refresh_cso_step(request: AllocateRequest) -> bool:
    """Re-check the CSO rule now (a flag or conviction may have been added since the request was
    created): when it applies, a CSO step marked not applicable is reopened and required."""
    cso = _is_cso_case(request.offender, request.sentence)
    if cso:
        AllocateRequestStep.objects.filter(
            request=request, step=ChecklistStep.CSO_NOTIFICATION, applicable=False
        ).update(applicable=True, not_applicable_reason="", done_at=None, done_by=None)
    return cso


def _create_steps(request: AllocateRequest) -> None:
    steps = []
    cso = _is_cso_case(request.offender, request.sentence)
    for position, step in enumerate(CHECKLIST_ORDER, start=1):
        row = AllocateRequestStep(request=request, step=step, position=position)
        if step == ChecklistStep.CSO_NOTIFICATION and not cso:
            row.applicable = False
            row.not_applicable_reason = (
                "The offender has no active child sex offender flag, or this sentence is not for a "
                "child sex offence."
            )
        steps.append(row)
    AllocateRequestStep.objects.bulk_create(steps)


def _request_insert(*, actor, request: AllocateRequest, summary: str) -> AllocateRequest | None:
    """Insert once: a second event for the same sentence and kind finds the existing request."""
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError:
        return None
    _create_steps(request)
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


# --- Handover between prison and community (issue 6) ------------------------------------------------


def _accepting_request(release: Sentence) -> AllocateRequest | None:
    """The community's acceptance of a released offender: the allocated request for the release
    sentence, or an allocated pre-release request whose officer still holds the case (the same
    rule by which a pre-release request covers the release sentence)."""
    return (
        AllocateRequest.objects.filter(
            offender_id=release.offender_id,
            status=AllocateRequestStatus.ALLOCATED,
            office__kind__in=COMMUNITY_OFFICE_KINDS,
        )
        .filter(
            Q(sentence=release) | Q(kind=AllocateRequestKind.PRE_RELEASE, allocation__ended_on__isnull=True)
        )
        .select_related("office")
        .order_by("-allocated_at", "-id")
        .first()
    )


def community_handover(*, actor, offender, on: datetime.date | None = None) -> list[CaseAllocation]:
    """Issue 6: after release the prison side stays responsible until the community has accepted
    the case; from then its memberships (the offender supervisor, and any prison key worker or
    case administrator) end, each with "handed over to <office>" and a casenote. Called when a
    community request is allocated, a release sentence is recorded and a release sentence
    commences, so whichever comes last hands over. Returns the memberships it ended."""
    on = on or timezone.localdate()
    prison_side = list(
        CaseAllocation.objects.current()
        .filter(offender=offender, staff__office__kind=OfficeKind.PRISON)
        .select_related("offender", "staff__user", "staff__office")
        .order_by("id")
    )
    if not prison_side:
        return []
    release = (
        Sentence.objects.filter(
            offender=offender,
            sentence_type__in=RELEASE_TYPES,
            status=SentenceStatus.ACTIVE,
            start_date__lte=on,
        )
        .order_by("-start_date", "-id")
        .first()
    )
    if release is None:
        return []
    accepted = _accepting_request(release)
    if accepted is None:
        return []
    reason = f"Handed over to {accepted.office.name}"
    for membership in prison_side:
        case_allocation_end(
            actor=actor, allocation=membership, ended_on=max(on, membership.started_on), reason=reason
        )
        _notify(
            staff=membership.staff,
            request=accepted,
            subject=f"Case handed over: {offender.full_name} ({offender.prn})",
            body=f"{offender.full_name} was released on {release.start_date:%d %b %Y} and "
            f"{accepted.office.name} has accepted the case; you are no longer "
            f"{membership.get_role_display().lower()}.",
            link=f"/offenders/{offender.pk}/staff/",
        )
    return prison_side


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
    staff, note = _continuity(sentence.offender, exclude_sentence_id=sentence.pk)
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
    created = _request_insert(
        actor=actor,
        request=request,
        summary=f"Allocate request for {sentence} of {sentence.offender} in {office.name}",
    )
    return created or AllocateRequest.objects.get(sentence=sentence, kind=AllocateRequestKind.SENTENCE)


def _prison_continuity(offender, prison) -> tuple:
    """The offender supervisor this prison last gave the offender (seed 004: continuity), and a note
    naming the community offender manager, who stays on the team."""
    earlier = (
        CaseAllocation.objects.filter(
            offender=offender,
            role=CaseRole.OFFENDER_SUPERVISOR,
            staff__office=prison,
            staff__active=True,
        )
        .select_related("staff__user")
        .order_by("-started_on", "-id")
        .first()
    )
    manager = (
        CaseAllocation.objects.current()
        .filter(offender=offender, role=CaseRole.OFFENDER_MANAGER)
        .select_related("staff__user", "staff__office")
        .first()
    )
    notes = []
    if earlier is not None:
        notes.append(
            f"{earlier.staff} was the offender supervisor here from {earlier.started_on:%d %b %Y}; "
            "suggest the same officer."
        )
    if manager is not None:
        notes.append(
            f"Offender manager: {manager.staff} ({manager.staff.office.name}), who stays on the team."
        )
    return (earlier.staff if earlier else None), " ".join(notes)


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
    staff, note = _prison_continuity(offender, prison)
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
    created = _request_insert(
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
            staff, note = _continuity(sentence.offender)
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
            if _request_insert(
                actor=None,
                request=request,
                summary=f"Pre-allocation request: {sentence.offender} may be released on {release:%d %b %Y}",
            ):
                created += 1
    return created


@transaction.atomic
def allocate_request_step_record(
    *,
    actor,
    request: AllocateRequest,
    step: str,
    done: bool = True,
    not_applicable_reason: str = "",
    outcome: str = "",
) -> AllocateRequestStep:
    """Mark a checklist step done (with its outcome), or not applicable with the reason."""
    request = AllocateRequest.objects.select_for_update().get(pk=request.pk)
    if actor is not None and not can_allocate_request(actor, request):
        raise PermissionDenied("Only a service manager of the request's office may work its checklist.")
    if request.status != AllocateRequestStatus.OPEN:
        raise ValidationError("This request is no longer open; its checklist cannot change.")
    cso = _refresh_cso_step(request)
    row = AllocateRequestStep.objects.select_for_update().get(request=request, step=step)
    if step == ChecklistStep.OWS_REVIEWED and done and not outcome.strip():
        raise ValidationError({"outcome": "Record the outcome of the offender warning system review."})
    if step == ChecklistStep.CSO_NOTIFICATION and not cso and done:
        raise ValidationError({"step": "The CSO notification does not apply: " + row.not_applicable_reason})
    before = {"applicable": row.applicable, "done": row.done_at is not None}
    if not done and not_applicable_reason.strip():
        if step not in SKIPPABLE_STEPS:
            raise ValidationError(
                {"not_applicable_reason": f"“{row.get_step_display()}” is required; it cannot be skipped."}
            )
        if step == ChecklistStep.CSO_NOTIFICATION and cso:
            raise ValidationError(
                {"not_applicable_reason": "The CSO notification is required for this offender and sentence."}
            )
        row.applicable = False
        row.not_applicable_reason = not_applicable_reason.strip()[:300]
        row.done_at = None
        row.done_by = None
    elif done:
        row.applicable = True
        row.not_applicable_reason = ""
        row.done_at = timezone.now()
        row.done_by = actor_user(actor)
        row.outcome = outcome.strip()[:300]
    else:
        raise ValidationError({"not_applicable_reason": "Say why this step does not apply."})
    row.save(update_fields=["applicable", "not_applicable_reason", "done_at", "done_by", "outcome"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=request,
        summary=f"Checklist: {row.get_step_display()}"
        + (" done" if row.done_at else f" not applicable ({row.not_applicable_reason})"),
        changes={
            row.step: [before, {"applicable": row.applicable, "done": row.done_at is not None}],
            **({"outcome": [None, row.outcome]} if row.outcome else {}),
        },
    )
    return row


def _notify(
    *, staff, request: AllocateRequest | None, subject: str, body: str, link: str = ""
) -> Notification:
    notification = Notification.objects.create(
        recipient=staff.user, subject=subject[:200], body=body, link=link[:300], request=request
    )
    address = staff.user.email
    if address:
        # After commit, and robust: a mail server outage must not undo or hide the allocation.
        transaction.on_commit(
            lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address]), robust=True
        )
    return notification


@transaction.atomic
def allocate_request_allocate(
    *, actor, request: AllocateRequest, staff, reason: str = "", override_reason: str = ""
) -> AllocateRequest:
    """Allocate a probation officer to a request. The request row is locked, so of two managers
    allocating the same request at once exactly one succeeds; the other gets a clear message."""
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
    _refresh_cso_step(locked)
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
    _notify(
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
    _notify(
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
    staff, note = _continuity(offender)
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
    created = _request_insert(
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
        _notify(
            staff=manager,
            request=request,
            subject=f"Case transferred to your office: {offender.full_name} ({offender.prn})",
            body=f"{request.from_office or 'Another office'} asks {request.office.name} to take over "
            f"{request.sentence or 'the case'} of {offender.full_name}. Reason: {reason}",
            link=reverse("allocation:request", kwargs={"pk": request.pk}),
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
def notification_mark_read(*, actor, notification: Notification) -> None:
    Notification.objects.filter(pk=notification.pk, recipient=actor, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def break_glass_notify(*, grant: BreakGlassGrant) -> None:
    """Everyone on a restricted record's access list is told that someone broke the glass: in the
    portal at once, and by e-mail after commit (issue 11)."""
    offender = grant.offender
    owner_ids = list(
        RestrictedAccess.objects.filter(offender=offender, removed_at__isnull=True).values_list(
            "user_id", flat=True
        )
    )
    if not owner_ids:
        return
    who = grant.user.get_full_name() or grant.user.get_username()
    subject = f"Break-glass access to restricted record {offender.prn}"
    body = (
        f"{who} broke the glass on restricted record {offender.prn} at "
        f"{timezone.localtime(grant.granted_at):%-d %b %Y %H:%M}, until "
        f"{timezone.localtime(grant.expires_at):%-d %b %Y %H:%M}.\nReason: {grant.reason}"
    )
    link = reverse("offenders:access_list", args=[offender.pk])
    Notification.objects.bulk_create(
        Notification(recipient_id=user_id, subject=subject[:200], body=body, link=link[:300])
        for user_id in owner_ids
    )
    addresses = list(
        get_user_model()
        .objects.filter(pk__in=owner_ids, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if addresses:
        # After commit, and robust: a mail server outage must not undo or hide the grant.
        transaction.on_commit(
            lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, addresses), robust=True
        )


# --- Staff leave and other unavailability (read by the officer ranking in allocation.selectors) ---


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
                f"{clash.starts_on:%d %b %Y} to {clash.ends_on:%d %b %Y}, which overlaps this period."
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
        f"from {starts_on:%d %b %Y} to {ends_on:%d %b %Y}",
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
    label = f"{locked.get_kind_display().lower()} of {staff} from {locked.starts_on:%d %b %Y}"
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
