"""The exceptions report: raising exceptions (from the court interface and the nightly checks)
and reconciling them. A problem that is already open is not raised twice; one that comes back
after it was resolved is a new exception linked to its earlier occurrences."""

from django.db import IntegrityError, transaction

from audit.models import AuditAction
from audit.services import audit_record
from reconciliation.models import DataException, ExceptionStatus, ExceptionTransition


def exception_fingerprint(*, reason_code: str, sentence=None, offender=None, court_message=None) -> str:
    if court_message is not None:
        return f"{reason_code}:message:{court_message.pk}"
    if sentence is not None:
        return f"{reason_code}:sentence:{sentence.pk}"
    if offender is not None:
        return f"{reason_code}:offender:{offender.pk}"
    raise ValueError("An exception must name a court message, a sentence or an offender.")


@transaction.atomic
def exception_raise(
    *,
    reason_code: str,
    detail: str,
    office=None,
    offender=None,
    sentence=None,
    court_message=None,
    actor=None,
) -> tuple[DataException, bool]:
    """Returns (exception, created). An unresolved exception with the same fingerprint is returned
    as it is; a resolved one becomes the `recurrence_of` of the new exception."""
    fingerprint = exception_fingerprint(
        reason_code=reason_code, sentence=sentence, offender=offender, court_message=court_message
    )
    existing = (
        DataException.objects.filter(fingerprint=fingerprint).exclude(status=ExceptionStatus.RESOLVED).first()
    )
    if existing is not None:
        return existing, False
    if office is None and sentence is not None:
        office = sentence.managing_office
    if office is None and offender is not None:
        office = offender.home_office
    if offender is None and sentence is not None:
        offender = sentence.offender
    earlier = (
        DataException.objects.filter(fingerprint=fingerprint, status=ExceptionStatus.RESOLVED)
        .order_by("-id")
        .first()
    )
    try:
        with transaction.atomic():
            exception = DataException.objects.create(
                reason_code=reason_code,
                detail=detail,
                fingerprint=fingerprint,
                office=office,
                offender=offender,
                sentence=sentence,
                court_message=court_message,
                recurrence_of=earlier,
            )
    except IntegrityError:
        # Raised by someone else between our read and our insert: theirs stands.
        return DataException.objects.get(fingerprint=fingerprint, status__in=_UNRESOLVED), False
    ExceptionTransition.objects.create(
        exception=exception, to_status=ExceptionStatus.OPEN, comment=detail[:500]
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=exception,
        offender_id=offender.pk if offender is not None else None,
        summary=f"Exception raised: {exception.get_reason_code_display()}",
    )
    return exception, True


_UNRESOLVED = [status for status in ExceptionStatus.values if status != ExceptionStatus.RESOLVED]
