"""Data-correction requests: staff ask MoJ (Courts) to correct data that came from the courts'
system (seed 000); a request is open, then sent, then corrected (by a correction.applied court
message) or withdrawn. `correction_request_transition` is the only code that changes its status."""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.models import AuditAction
from audit.services import audit_record
from courts.models import CorrectionRequest, CorrectionStatus, CorrectionTransition
from offenders.models import Offender
from reconciliation.models import correctable_fields
from sentences.models import Sentence


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


CORRECTION_TRANSITIONS: dict[str, frozenset[str]] = {
    CorrectionStatus.OPEN: frozenset(
        {CorrectionStatus.SENT, CorrectionStatus.CORRECTED, CorrectionStatus.WITHDRAWN}
    ),
    CorrectionStatus.SENT: frozenset({CorrectionStatus.CORRECTED, CorrectionStatus.WITHDRAWN}),
    CorrectionStatus.CORRECTED: frozenset(),
    CorrectionStatus.WITHDRAWN: frozenset(),
}


def correction_request_transition(
    *, request: CorrectionRequest, to_status: str, comment: str = "", actor=None, message=None, **fields: Any
) -> None:
    from_status = request.status
    if to_status not in CORRECTION_TRANSITIONS[from_status]:
        raise ValidationError(
            f"A request that is {CorrectionStatus(from_status).label.lower()} cannot become "
            f"{CorrectionStatus(to_status).label.lower()}."
        )
    values: dict[str, Any] = {"status": to_status, **fields}
    if to_status == CorrectionStatus.SENT:
        values["sent_at"] = timezone.now()
    if to_status in (CorrectionStatus.CORRECTED, CorrectionStatus.WITHDRAWN):
        values["closed_at"] = timezone.now()
    updated = CorrectionRequest.objects.filter(pk=request.pk, status=from_status).update(**values)
    if not updated:
        raise ValidationError("Someone else changed this request a moment ago; reload it.")
    CorrectionTransition.objects.create(
        request=request,
        from_status=from_status,
        to_status=to_status,
        comment=comment[:2000],
        actor=_user(actor),
        message=message,
    )
    for name, value in values.items():
        setattr(request, name, value)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=request,
        summary=f"Correction request {request.reference}: {CorrectionStatus(to_status).label}",
        changes={"status": [from_status, to_status]},
    )


@transaction.atomic
def correction_request_create(
    *,
    actor,
    offender: Offender | None,
    what_is_wrong: str = "",
    should_be: str = "",
    fields: Iterable[str] = (),
    sentence: Sentence | None = None,
    summary: str = "",
    detail: str = "",
) -> CorrectionRequest:
    """Staff ask the courts to correct their data. `fields` names the fields in question (the form
    asks for at least one; the exceptions report, which passes `summary` and `detail` for what is
    wrong and what it should be, may not know them)."""
    fields = list(fields)
    what_is_wrong = (what_is_wrong or summary).strip()
    should_be = (should_be or detail).strip()
    allowed = {name for name, _ in correctable_fields(has_sentence=sentence is not None)}
    errors = {}
    if offender is None:
        errors["offender"] = "A correction request is about an offender's record: this names none."
    if set(fields) - allowed:
        errors["fields"] = f"Not a field of this record: {', '.join(sorted(set(fields) - allowed))}."
    if not what_is_wrong:
        errors["what_is_wrong"] = "Say what is wrong."
    if not should_be:
        errors["should_be"] = "Say what it should be, and how you know (e.g. the court order)."
    if sentence is not None and offender is not None and sentence.offender_id != offender.pk:
        errors["sentence"] = "That sentence belongs to another offender."
    if errors:
        raise ValidationError(errors)
    office = (sentence.managing_office if sentence is not None else None) or offender.home_office
    request = CorrectionRequest.objects.create(
        offender=offender,
        sentence=sentence,
        office=office,
        fields=fields,
        what_is_wrong=what_is_wrong,
        should_be=should_be,
        raised_by=actor,
    )
    CorrectionTransition.objects.create(
        request=request,
        to_status=CorrectionStatus.OPEN,
        comment=what_is_wrong.strip()[:2000],
        actor=_user(actor),
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=request,
        offender_id=offender.pk,
        summary=f"Raised correction request {request.reference} for {offender}",
        changes={"fields": [None, list(fields)], "what_is_wrong": [None, request.what_is_wrong]},
    )
    return request


@transaction.atomic
def correction_request_send(*, actor, request: CorrectionRequest, comment: str = "") -> CorrectionRequest:
    """Recorded when the request has gone to MoJ (Courts) administrative staff."""
    correction_request_transition(
        request=request, to_status=CorrectionStatus.SENT, comment=comment or "Sent to the courts", actor=actor
    )
    return request


@transaction.atomic
def correction_request_withdraw(*, actor, request: CorrectionRequest, reason: str) -> CorrectionRequest:
    if not reason.strip():
        raise ValidationError({"reason": "Say why the request is withdrawn."})
    correction_request_transition(
        request=request, to_status=CorrectionStatus.WITHDRAWN, comment=reason, actor=actor
    )
    return request
