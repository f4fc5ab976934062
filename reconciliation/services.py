"""The exceptions report's lifecycle: reconciling an exception once it is raised (raising, and the
nightly checks that raise, are reconciliation.detection).

The lifecycle is a state machine (`EXCEPTION_WORKFLOW`, moved by `workflow.transitions`): one
service per step checks the actor's right, then the workflow checks the source status, changes it
with a conditional update, and writes a transition row and an audit row in the same transaction."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from audit.actors import actor_user
from audit.models import AuditAction
from audit.refusals import Refused
from audit.services import audit_record
from reconciliation.access import OFFICE_WORKER_ROLES, can_work_exception, resolve_refusal
from reconciliation.models import (
    EXCEPTION_WORKFLOW,
    UNRESOLVED,
    DataException,
    ExceptionStatus,
    ExceptionStep,
    correctable_fields,
)
from staff.roles import Role

STEP_TARGETS: dict[str, str] = {
    ExceptionStep.STARTED: ExceptionStatus.IN_PROGRESS,
    ExceptionStep.CORRECTION_REQUESTED: ExceptionStatus.CORRECTION_REQUESTED,
    ExceptionStep.RESOLVED: ExceptionStatus.RESOLVED,
    ExceptionStep.REOPENED: ExceptionStatus.OPEN,
}
# A resolution records what was checked and what was changed in words a colleague can follow
# ("Corrected the end date from 3 May to 5 June per the court order of 1 March").
MIN_EXPLANATION = 10


def allowed_steps(exception: DataException) -> list[str]:
    """The steps the lifecycle allows from the exception's status (the actor's right is separate)."""
    steps = [
        step for step, target in STEP_TARGETS.items() if EXCEPTION_WORKFLOW.allowed(exception.status, target)
    ]
    if exception.status in UNRESOLVED:
        steps.insert(0, ExceptionStep.ASSIGNED)
    return steps


# --- The lifecycle ---------------------------------------------------------------------------------


def _require_right(actor, exception: DataException) -> None:
    if not can_work_exception(actor, exception):
        raise PermissionDenied("You may not reconcile this office's exceptions.")


def _move(
    *,
    actor,
    exception: DataException,
    step: str,
    comment: str = "",
    fields: dict | None = None,
    summary: str = "",
    by_system: bool = False,
) -> DataException:
    """Move `exception` along the lifecycle by `step`, if it is still in the status the caller read.
    `by_system`: the portal itself settles it (no person's rights to check)."""
    if not by_system:
        _require_right(actor, exception)
    to_status = STEP_TARGETS[step]
    if not EXCEPTION_WORKFLOW.allowed(exception.status, to_status):
        raise ValidationError(
            f"An exception that is {ExceptionStatus(exception.status).label.lower()} cannot be "
            f"{ExceptionStep(step).label.lower()}."
        )
    fields = fields or {}
    try:
        with transaction.atomic():
            EXCEPTION_WORKFLOW.move(
                exception,
                to=to_status,
                actor=actor,
                comment=comment,
                fields=fields,
                row={"step": step, "assignee": fields.get("assignee")},
                summary=summary or f"Exception {exception.pk}: {ExceptionStep(step).label.lower()}",
            )
    except IntegrityError:
        # Reopening while a newer occurrence of the same problem is open.
        raise ValidationError(
            "A newer occurrence of this problem is open: work on that one instead."
        ) from None
    exception.refresh_from_db()
    return exception


def exception_assignees(office_id: int | None) -> QuerySet:
    """Who may hold an exception: administrative support and service managers of its office
    (system administrators for exceptions that belong to no office)."""
    users = get_user_model().objects.filter(is_active=True)
    if office_id is None:
        return (
            users.filter(Q(groups__name=Role.SYSTEM_ADMIN) | Q(is_superuser=True))
            .distinct()
            .order_by("last_name", "first_name", "username")
        )
    return (
        users.filter(staff__office_id=office_id, staff__active=True, groups__name__in=OFFICE_WORKER_ROLES)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def _label(user) -> str:
    return user.get_full_name() or user.get_username()


@transaction.atomic
def exception_assign(*, actor, exception: DataException, assignee, comment: str = "") -> DataException:
    _require_right(actor, exception)
    if exception.status not in UNRESOLVED:
        raise ValidationError("A resolved exception cannot be assigned: reopen it first.")
    if assignee is None or not exception_assignees(exception.office_id).filter(pk=assignee.pk).exists():
        raise ValidationError(
            {"assignee": "Choose one of the office's administrative support staff or its service manager."}
        )
    previous = exception.assignee_id
    # Assigning changes who holds the exception, not its status: the conditional update on the
    # status read keeps a concurrent step from being overwritten, and the row is a step that stays
    # in one status (the workflow's record_step).
    updated = DataException.objects.filter(pk=exception.pk, status=exception.status).update(assignee=assignee)
    if not updated:
        raise ValidationError("Someone else changed this exception while you had it open: reload it.")
    EXCEPTION_WORKFLOW.record_step(
        exception,
        from_status=exception.status,
        to=exception.status,
        actor=actor,
        comment=comment.strip(),
        row={"step": ExceptionStep.ASSIGNED, "assignee": assignee},
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=exception,
        offender_id=exception.offender_id,
        summary=f"Exception {exception.pk} assigned to {_label(assignee)}",
        changes={"assignee": [previous, assignee.pk]},
    )
    exception.refresh_from_db()
    return exception


@transaction.atomic
def exception_start(*, actor, exception: DataException, comment: str = "") -> DataException:
    """Work starts; whoever starts an unassigned exception holds it."""
    _require_right(actor, exception)
    fields = {} if exception.assignee_id else {"assignee": actor_user(actor)}
    return _move(
        actor=actor, exception=exception, step=ExceptionStep.STARTED, comment=comment.strip(), fields=fields
    )


def exception_resolve(
    *, actor, exception: DataException, resolution_reason: str, change_made: str
) -> DataException:
    """Reconciled against the court order, release licence, the record or the file (seed 001): the
    reason and the change made are both recorded. Four eyes: not by the person whose change raised
    it; that refusal is audited (outside the change's transaction, so the row stays)."""
    _require_right(actor, exception)
    refusal = resolve_refusal(actor, exception)
    if refusal is not None:
        audit_record(
            actor=actor,
            action=AuditAction.DENIED,
            obj=exception,
            offender_id=exception.offender_id,
            summary=f"Refused: resolving exception {exception.pk}: {refusal}"[:300],
        )
        raise Refused(refusal, obj=exception, audited=True)
    with transaction.atomic():
        return _resolve(
            actor=actor, exception=exception, resolution_reason=resolution_reason, change_made=change_made
        )


def _resolve(*, actor, exception: DataException, resolution_reason: str, change_made: str) -> DataException:
    reason, change = (resolution_reason or "").strip(), (change_made or "").strip()
    errors = {}
    if len(reason) < MIN_EXPLANATION:
        errors["resolution_reason"] = (
            "Say why this is resolved and what you checked it against (e.g. the court order of 3 May)."
        )
    if len(change) < MIN_EXPLANATION:
        errors["change_made"] = (
            "Say what you changed, e.g. “Corrected end date from 3 May 2026 to 5 June 2026”, "
            "or “No change: the record matches the court order”."
        )
    if errors:
        raise ValidationError(errors)
    return _move(
        actor=actor,
        exception=exception,
        step=ExceptionStep.RESOLVED,
        comment=f"{reason}\nChange made: {change}",
        fields={
            "resolved_at": timezone.now(),
            "resolved_by": actor_user(actor),
            "resolution_reason": reason,
            "change_made": change,
        },
        summary=f"Exception {exception.pk} resolved: {change}"[:300],
    )


def correction_field_choices(exception: DataException) -> list[tuple[str, str]]:
    """The details of the exception's record that a correction request may name."""
    return correctable_fields(has_sentence=exception.sentence_id is not None)


def exception_correction_check(
    *, actor, exception: DataException, fields: list[str], what_is_wrong: str, should_be: str
) -> None:
    """Refuses a correction request the exception cannot make (the actor's right, what it must say,
    the exception's status), before the courts are asked: courts.corrections raises the request
    (exception_request_correction), then the exception waits for it (exception_correction_requested)."""
    _require_right(actor, exception)
    what_is_wrong, should_be = (what_is_wrong or "").strip(), (should_be or "").strip()
    errors = {}
    if exception.offender_id is None:
        errors["fields"] = (
            "This exception names no offender, and a correction request is made on an offender's record. "
            "Match the court message to the offender first."
        )
    elif not fields:
        errors["fields"] = "Choose the detail or details that are wrong."
    if not what_is_wrong:
        errors["what_is_wrong"] = "Say what is wrong."
    if not should_be:
        errors["should_be"] = "Say what it should be, and how you know (e.g. the court order)."
    if errors:
        raise ValidationError(errors)
    if not EXCEPTION_WORKFLOW.allowed(exception.status, ExceptionStatus.CORRECTION_REQUESTED):
        raise ValidationError(
            f"A correction cannot be requested for an exception that is "
            f"{ExceptionStatus(exception.status).label.lower()}."
        )


@transaction.atomic
def exception_correction_requested(
    *, actor, exception: DataException, reference: str, what_is_wrong: str, should_be: str
) -> DataException:
    """Seed 000: inaccurate data from the courts' system is corrected by the courts. The lifecycle
    step once the courts have been asked (correction request `reference`): the exception waits for
    the correction. Called by courts.corrections.exception_request_correction, in its transaction."""
    what_is_wrong, should_be = what_is_wrong.strip(), should_be.strip()
    return _move(
        actor=actor,
        exception=exception,
        step=ExceptionStep.CORRECTION_REQUESTED,
        comment=f"Correction request {reference}: {what_is_wrong}\nShould be: {should_be}",
        summary=f"Exception {exception.pk}: correction requested from the courts: {what_is_wrong}"[:300],
    )


@transaction.atomic
def exception_reopen(*, actor, exception: DataException, reason: str) -> DataException:
    _require_right(actor, exception)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the exception is reopened."})
    return _move(
        actor=actor,
        exception=exception,
        step=ExceptionStep.REOPENED,
        comment=reason,
        fields={
            "resolved_at": None,
            "resolved_by": None,
            "resolution_reason": "",
            "change_made": "",
            "no_longer_detected_at": None,
        },
    )


def exceptions_resolve_for_processed_message(*, court_message) -> int:
    """A court message that failed and was later processed (retried by a person, or once the message
    it depended on arrived) settles its own exceptions: the report shows what still needs a person."""
    settled = 0
    open_exceptions = DataException.objects.filter(court_message=court_message, status__in=UNRESOLVED)
    for exception in open_exceptions:
        if not EXCEPTION_WORKFLOW.allowed(exception.status, ExceptionStatus.RESOLVED):
            continue
        _move(
            actor=None,
            exception=exception,
            step=ExceptionStep.RESOLVED,
            comment="The court message was processed on a later attempt.",
            fields={
                "resolved_at": timezone.now(),
                "resolution_reason": "The court message was processed on a later attempt.",
                "change_made": "Applied by the court interface.",
            },
            summary=f"Exception {exception.pk} settled: court message {court_message.pk} processed",
            by_system=True,
        )
        settled += 1
    return settled
