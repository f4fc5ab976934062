"""The checklist a service manager works through before allocating a request (seed 002)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from allocation.access import can_allocate_request
from allocation.models import AllocateRequest, AllocateRequestStatus, AllocateRequestStep, ChecklistStep
from audit.actors import actor_user
from audit.models import AuditAction
from audit.services import audit_record
from offenders.models import Flag, FlagKind
from sentences.models import OffenceCategory

CHECKLIST_ORDER = list(ChecklistStep.values)
# The only steps a manager may mark "does not apply": the CSO notification (when the offender and
# sentence do not call for it) and the OWS review (when it was already done). The rest are required.
SKIPPABLE_STEPS = frozenset({ChecklistStep.CSO_NOTIFICATION, ChecklistStep.OWS_REVIEWED})


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


CSO_NOW_REQUIRED = (
    "The child sex offender notification (CSO9) is now required: the offender has an active child "
    "sex offender flag and this sentence is for a child sex offence."
)


def checklist_refresh_cso(request: AllocateRequest, *, actor) -> tuple[bool, bool]:
    """Re-check the CSO rule now (a flag or conviction may have been added since the request was
    created): when it applies, a CSO step marked not applicable is reopened and required, and the
    reopening audited. Returns (the rule applies, the step was reopened just now)."""
    cso = _is_cso_case(request.offender, request.sentence)
    reopened = False
    if cso:
        reopened = bool(
            AllocateRequestStep.objects.filter(
                request=request, step=ChecklistStep.CSO_NOTIFICATION, applicable=False
            ).update(applicable=True, not_applicable_reason="", done_at=None, done_by=None)
        )
    if reopened:
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=request,
            summary="Checklist: " + CSO_NOW_REQUIRED,
            changes={ChecklistStep.CSO_NOTIFICATION: [{"applicable": False}, {"applicable": True}]},
        )
    return cso, reopened


def checklist_create(request: AllocateRequest) -> None:
    """The steps of a new request, in order; the CSO notification only where it applies."""
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
    cso, _ = checklist_refresh_cso(request, actor=actor)
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
