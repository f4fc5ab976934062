"""Writes to conditions (issue 15): add, vary, end or cancel a condition, and record community work
hours. The pages, the API and the court interface call these and nothing else.

Each service refuses a person who may not change the sentence's conditions (conditions.access; the
court interface's actor is not a person and is trusted by the courts' credential), validates with
Condition.clean() (so a bad value changes nothing), writes its audit row in the same transaction
and, for a change a supervising officer would expect to read about, a system casenote (seed 001:
a casenote for every action related to the offender)."""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.utils import timezone

from audit.actors import actor_user
from audit.models import AuditAction
from audit.records import record_validate
from audit.services import audit_created, audit_record, snapshot
from casenotes.services import system_casenote
from conditions.access import can_change_conditions
from conditions.models import (
    CONDITION_WORKFLOW,
    DETAIL_FIELDS,
    CommunityWorkRecord,
    Condition,
    ConditionKind,
    ConditionSource,
    ConditionStatus,
    ConditionVersion,
    WorkSource,
)
from ioms.transactions import atomic_service
from sentences.models import Sentence

# What a variation may change: the details and the dates (not the kind: that is another condition).
VARIABLE_FIELDS = (*DETAIL_FIELDS, "start_on", "end_on")
CREATE_FIELDS = ("sentence", "kind", *VARIABLE_FIELDS, "source", "status")


def _is_person(actor) -> bool:
    return getattr(actor, "is_authenticated", False)


def _refuse_unless_may_change(actor, sentence: Sentence) -> None:
    if _is_person(actor) and not can_change_conditions(actor, sentence):
        raise PermissionDenied("You may not change the conditions of this sentence.")


def _day(value: datetime.date) -> str:
    return f"{value:%-d %b %Y}"


def _locked(condition: Condition) -> Condition:
    return (
        Condition.objects.select_for_update(of=("self",))
        .select_related("offender", "sentence__offender")
        .get(pk=condition.pk)
    )


def _refuse_unless_in_force(condition: Condition) -> None:
    if not condition.in_force:
        raise ValidationError(
            f"This condition is {condition.get_status_display().lower()}: it can no longer change."
        )


@atomic_service
def condition_create(
    *,
    actor,
    sentence: Sentence,
    kind: str,
    start_on: datetime.date | None = None,
    end_on: datetime.date | None = None,
    source: str = ConditionSource.STAFF,
    casenote: bool = True,
    **details,
) -> Condition:
    """A new condition of `sentence`. `details`: the detail fields its kind needs (KIND_FIELDS);
    `start_on` defaults to the sentence's start."""
    _refuse_unless_may_change(actor, sentence)
    unknown = set(details) - set(DETAIL_FIELDS)
    if unknown:
        raise ValidationError(f"Not a detail of a condition: {', '.join(sorted(unknown))}.")
    condition = Condition(
        offender=sentence.offender,
        sentence=sentence,
        kind=kind,
        start_on=start_on or sentence.start_date,
        end_on=end_on,
        source=source,
        created_by=actor_user(actor),
        **{name: _blank_if_none(name, value) for name, value in details.items()},
    )
    record_validate(condition)
    condition.save()
    CONDITION_WORKFLOW.record_step(condition, from_status="", to=ConditionStatus.ACTIVE, actor=actor)
    audit_created(
        actor=actor,
        obj=condition,
        fields=CREATE_FIELDS,
        summary=f"Added the condition '{condition.summary}' to {sentence}",
    )
    if casenote:
        system_casenote(
            offender=sentence.offender,
            sentence=sentence,
            actor=actor,
            summary=f"Condition added: {condition.summary}"[:200],
            text=f"{condition.get_kind_display()} from {_day(condition.start_on)}, a condition of {sentence} "
            f"({condition.get_source_display().lower()}).",
        )
    return condition


def _blank_if_none(name: str, value):
    """Text details are '' rather than NULL when not given (the API and the court send null)."""
    field = Condition._meta.get_field(name)
    if value is None and not field.null:
        return ""
    return value


@atomic_service
def condition_vary(
    *, actor, condition: Condition, reason: str, source: str = ConditionSource.STAFF, **changes
) -> Condition:
    """A new version of the condition: its details or dates changed, with the reason (a court's
    variation, or a correction of what was entered). The version it replaces is kept."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the condition is varied."})
    unknown = set(changes) - set(VARIABLE_FIELDS)
    if unknown:
        raise ValidationError(f"These cannot be varied: {', '.join(sorted(unknown))}.")
    condition = _locked(condition)
    _refuse_unless_may_change(actor, condition.sentence)
    _refuse_unless_in_force(condition)
    before = snapshot(condition, VARIABLE_FIELDS)
    for name, value in changes.items():
        setattr(condition, name, _blank_if_none(name, value))
    after = snapshot(condition, VARIABLE_FIELDS)
    changed = {name: [before[name], after[name]] for name in after if before[name] != after[name]}
    if not changed:
        raise ValidationError("Nothing has changed: change a detail or a date to vary the condition.")
    record_validate(condition)
    if condition.kind == ConditionKind.COMMUNITY_WORK and "hours_ordered" in changed:
        worked = hours_worked(condition)
        if condition.hours_ordered < worked:
            raise ValidationError(
                {"hours_ordered": f"{worked} hours are already worked: the hours ordered cannot be fewer."}
            )
    ConditionVersion.objects.create(
        condition=condition,
        version=condition.version,
        values=before,
        reason=reason[:300],
        source=source,
        varied_by=actor_user(actor),
    )
    CONDITION_WORKFLOW.move(
        condition,
        to=ConditionStatus.VARIED,
        actor=actor,
        comment=reason[:300],
        fields={
            **{name: getattr(condition, name) for name in changed},
            "version": condition.version + 1,
            "updated_at": timezone.now(),
        },
        summary=f"Varied the condition '{condition.summary}' of {condition.sentence}: {reason}"[:300],
        audit_changes={**changed, "version": [condition.version, condition.version + 1]},
    )
    system_casenote(
        offender=condition.offender,
        sentence=condition.sentence,
        actor=actor,
        summary=f"Condition varied: {condition.summary}"[:200],
        text=f"Reason: {reason}",
    )
    return condition


@atomic_service
def condition_end(
    *,
    actor,
    condition: Condition,
    ended_on: datetime.date,
    reason: str,
    cancel: bool = False,
) -> Condition:
    """The condition ends (it has run its course, or the court has discharged it) or, with
    `cancel`, is cancelled (entered in error, or withdrawn): no longer in force either way."""
    reason = (reason or "").strip()
    errors = {}
    if not reason:
        errors["reason"] = (
            "Say why the condition ends." if not cancel else "Say why the condition is cancelled."
        )
    if ended_on is None:
        errors["ended_on"] = "Give the date the condition ends."
    if errors:
        raise ValidationError(errors)
    condition = _locked(condition)
    _refuse_unless_may_change(actor, condition.sentence)
    _refuse_unless_in_force(condition)
    if ended_on < condition.start_on and not cancel:
        raise ValidationError(
            {"ended_on": f"The condition started on {_day(condition.start_on)}: it cannot end before."}
        )
    if ended_on > timezone.localdate():
        raise ValidationError({"ended_on": "The date a condition ended cannot be in the future."})
    to = ConditionStatus.CANCELLED if cancel else ConditionStatus.ENDED
    CONDITION_WORKFLOW.move(
        condition,
        to=to,
        actor=actor,
        comment=reason[:300],
        fields={"ended_on": ended_on, "end_reason": reason[:300], "updated_at": timezone.now()},
        summary=f"{'Cancelled' if cancel else 'Ended'} the condition '{condition.summary}': {reason}"[:300],
        audit_changes={"ended_on": [None, ended_on.isoformat()], "end_reason": ["", reason[:300]]},
    )
    system_casenote(
        offender=condition.offender,
        sentence=condition.sentence,
        actor=actor,
        summary=f"Condition {'cancelled' if cancel else 'ended'}: {condition.summary}"[:200],
        text=f"{'Cancelled' if cancel else 'Ended'} on {_day(ended_on)}. Reason: {reason}",
    )
    return condition


def hours_worked(condition: Condition) -> Decimal:
    total = CommunityWorkRecord.objects.filter(condition=condition).aggregate(total=Sum("hours"))["total"]
    return total or Decimal(0)


@atomic_service
def community_work_hours_record(
    *, actor, condition: Condition, on: datetime.date, hours, source: str = WorkSource.STAFF
) -> CommunityWorkRecord:
    """Hours of community work done on `on` against a community work condition, typed by staff or
    recorded by the appointments app from an attended community work placement (WORK_PARTY)."""
    condition = _locked(condition)
    _refuse_unless_may_change(actor, condition.sentence)
    if condition.kind != ConditionKind.COMMUNITY_WORK:
        raise ValidationError("Hours are recorded against a community work condition only.")
    _refuse_unless_in_force(condition)
    try:
        hours = Decimal(str(hours))
    except ArithmeticError:
        raise ValidationError({"hours": "Give the hours as a number, such as 6 or 7.5."}) from None
    errors = {}
    if on is None:
        errors["worked_on"] = "Give the date the work was done."
    elif on > timezone.localdate():
        errors["worked_on"] = "Hours cannot be recorded for a day that has not come yet."
    elif on < condition.start_on or (condition.end_on and on > condition.end_on):
        errors["worked_on"] = "The work must be done while the condition is in force."
    if errors:
        raise ValidationError(errors)
    if on is not None and CommunityWorkRecord.objects.filter(condition=condition, worked_on=on).exists():
        raise ValidationError({"worked_on": f"Hours are already recorded for {_day(on)}."})
    remaining = Decimal(condition.hours_ordered) - hours_worked(condition)
    if hours > remaining:
        raise ValidationError({"hours": f"Only {remaining.normalize():f} hours of the order remain."})
    record = CommunityWorkRecord(
        condition=condition, worked_on=on, hours=hours, source=source, recorded_by=actor_user(actor)
    )
    record_validate(record)
    record.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=record,
        offender_id=condition.offender_id,
        summary=f"Recorded {hours.normalize():f} hours of community work on {_day(on)}",
        changes={"worked_on": [None, on.isoformat()], "hours": [None, str(hours)], "source": [None, source]},
    )
    return record
