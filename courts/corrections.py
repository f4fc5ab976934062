"""Data-correction requests: staff ask MoJ (Courts) to correct data that came from the courts'
system (seed 000); a request is open, then sent, then corrected (by a correction.applied court
message) or withdrawn: CORRECTION_WORKFLOW (courts.models), stepped only by
`correction_request_transition`."""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.models import AuditAction
from audit.services import audit_record
from courts.models import CORRECTION_WORKFLOW, CorrectionRequest, CorrectionStatus
from offenders.models import Offender
from reconciliation.models import DataException, correctable_fields
from reconciliation.services import exception_correction_check, exception_correction_requested
from sentences.models import Sentence


def correction_request_transition(
    *, request: CorrectionRequest, to_status: str, comment: str = "", actor=None, message=None, **fields: Any
) -> None:
    """Step `request` to `to_status` (`message`: the court message that did it), if it is still in
    the status the caller read."""
    values: dict[str, Any] = dict(fields)
    if to_status == CorrectionStatus.SENT:
        values["sent_at"] = timezone.now()
    if to_status in (CorrectionStatus.CORRECTED, CorrectionStatus.WITHDRAWN):
        values["closed_at"] = timezone.now()
    CORRECTION_WORKFLOW.move(
        request,
        to=to_status,
        actor=actor,
        comment=comment[:2000],
        fields=values,
        row={"message": message},
        summary=f"Correction request {request.reference}: {CorrectionStatus(to_status).label}",
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
    CORRECTION_WORKFLOW.record_step(
        request, from_status="", to=CorrectionStatus.OPEN, actor=actor, comment=what_is_wrong.strip()[:2000]
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
def exception_request_correction(
    *, actor, exception: DataException, fields: list[str], what_is_wrong: str, should_be: str
) -> DataException:
    """From the exceptions report (seed 000: inaccurate data from the courts' system is corrected by
    the courts): raises the correction request for the exception's record, and the exception waits
    for it (reconciliation's lifecycle step), together: a refusal by either changes nothing."""
    exception_correction_check(
        actor=actor, exception=exception, fields=fields, what_is_wrong=what_is_wrong, should_be=should_be
    )
    request = correction_request_create(
        actor=actor,
        offender=exception.offender,
        sentence=exception.sentence,
        fields=list(fields),
        what_is_wrong=what_is_wrong,
        should_be=should_be,
    )
    return exception_correction_requested(
        actor=actor,
        exception=exception,
        reference=request.reference,
        what_is_wrong=what_is_wrong,
        should_be=should_be,
    )


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
