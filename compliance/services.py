"""Every change to compliance and enforcement: considering a failure to attend against the rules in
force, then the enforcement workflow (decide → prepare a warning or a breach → a manager approves a
breach → the breach is laid with the court), each step audited by the workflow helper and written up
in a casenote (seed 001: "casenotes for every contact with / action related to the offender").

A breach is laid by recording the sentence event "charged with breach" through the sentences
service, the same event the court interface records for a `breach.charged` message, so the court's
`breach.decided` later decides it and the record shows the breach until then (seed 001)."""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from appointments.models import Appointment, AppointmentStatus
from appointments.services import ZONE, local
from audit.actors import actor_user
from audit.models import AuditAction
from audit.refusals import Refused
from audit.services import audit_created, audit_record
from casenotes.models import CasenoteType
from casenotes.services import casenote_create
from compliance.models import (
    ENFORCEMENT_WORKFLOW,
    EnforcementAction,
    EnforcementStatus,
    Recommendation,
)
from compliance.rules import recommendation_for, rules_in_force, window_opens
from offenders.models import Offender
from sentences.models import CURRENT_SENTENCE_STATUSES, Sentence, SentenceEventKind, SentenceType
from sentences.services import sentence_event_record
from staff.access import office_id_of, staff_of
from staff.roles import Role, has_role

# Failures are counted against community sentences and orders, and release conditions.
SUPERVISED_TYPES = frozenset(set(SentenceType.values) - {SentenceType.IMPRISONMENT})
DECISIONS = {
    "warning": EnforcementStatus.WARNING_PREPARED,
    "breach": EnforcementStatus.BREACH_PREPARED,
    "no_action": EnforcementStatus.NO_ACTION,
}


def _day_starts(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), tzinfo=ZONE)


def counting_from(offender_id: int, rules, on: datetime.date) -> datetime.date:
    """The last day whose failures no longer count on `on`: the window's opening, or the day of the
    latest failure a breach was laid for, if later (a breach answers every failure up to it)."""
    opens = window_opens(rules, on)
    answered = (
        EnforcementAction.objects.filter(
            offender_id=offender_id, status=EnforcementStatus.BREACH_LAID, failed_on__lte=on
        )
        .order_by("-appointment__starts_at")
        .values_list("appointment__starts_at", flat=True)
        .first()
    )
    return max(opens, local(answered).date()) if answered else opens


def failures_counted(offender_id: int, rules, on: datetime.date) -> list[Appointment]:
    """The unacceptable failures to attend that count on `on`, oldest first."""
    after = counting_from(offender_id, rules, on)
    return list(
        Appointment.objects.filter(
            offender_id=offender_id,
            status=AppointmentStatus.FAILED_UNACCEPTABLE,
            starts_at__gte=_day_starts(after + datetime.timedelta(days=1)),
            starts_at__lt=_day_starts(on + datetime.timedelta(days=1)),
        ).order_by("starts_at", "id")
    )


def supervised_sentence(offender_id: int, on: datetime.date) -> Sentence | None:
    """The community sentence, order or release the failure is against: the current one that
    started last by `on`."""
    return (
        Sentence.objects.filter(
            offender_id=offender_id,
            status__in=CURRENT_SENTENCE_STATUSES,
            sentence_type__in=SUPERVISED_TYPES,
            start_date__lte=on,
        )
        .order_by("-start_date", "-id")
        .first()
    )


def _lock_person(offender_id: int) -> None:
    """Whatever makes or ends a person's considered action waits here for the other: two failures
    recorded at once would each find none being considered and both insert one (the second failing
    on enforcement_one_considered_per_offender), and the second would not count the first."""
    Offender.objects.select_for_update().filter(pk=offender_id).values_list("pk", flat=True).first()


def _casenote(*, actor, action: EnforcementAction, summary: str, text: str):
    return casenote_create(
        actor=actor,
        offender=action.offender,
        summary=summary[:200],
        text=text,
        note_type=CasenoteType.ACTION,
        sentence=action.sentence,
    )


def _ordinal(count: int) -> str:
    return {1: "first", 2: "second", 3: "third", 4: "fourth"}.get(count, f"{count}th")


@transaction.atomic
def failure_consider(*, actor, appointment: Appointment) -> EnforcementAction | None:
    """An unacceptable failure to attend, judged by the rules in force on its day. At or above the
    warning threshold it is considered for enforcement: it joins the action already being
    considered for the person, or starts one, due to be decided within the rules' days. None
    below the threshold or before any rules exist (the failure is on the record either way)."""
    if appointment.status != AppointmentStatus.FAILED_UNACCEPTABLE:
        raise ValidationError("Only an unacceptable failure to attend is considered for enforcement.")
    failed_on = local(appointment.starts_at).date()
    rules = rules_in_force(failed_on)
    if rules is None:
        return None
    _lock_person(appointment.offender_id)  # before counting: a failure committed meanwhile counts
    failures = len(failures_counted(appointment.offender_id, rules, failed_on))
    recommendation = recommendation_for(rules, failures)
    if recommendation == Recommendation.NONE:
        return None
    window = f"{rules.window_months} months"
    label = Recommendation(recommendation).label.lower()
    considered = (
        EnforcementAction.objects.select_for_update()
        .filter(offender_id=appointment.offender_id, status=EnforcementStatus.CONSIDERED)
        .first()
    )
    if considered is not None:
        before = [considered.failures_in_window, considered.recommendation]
        latest = local(considered.appointment.starts_at).date()
        if latest > failed_on:
            # Recorded late, for an appointment before the action's latest failure: counted as on
            # that latest day, which now has one failure more behind it.
            failures = len(failures_counted(appointment.offender_id, rules, latest))
            recommendation = recommendation_for(rules, failures)
        considered.failures_in_window = max(considered.failures_in_window, failures)
        considered.recommendation = (
            Recommendation.BREACH
            if Recommendation.BREACH in (recommendation, considered.recommendation)
            else recommendation
        )
        if appointment.starts_at > considered.appointment.starts_at:
            # The latest failure it answers (counting_from): a failure recorded late for an older
            # appointment does not move it back.
            considered.appointment = appointment
        considered.save(update_fields=["failures_in_window", "recommendation", "appointment"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=considered,
            summary=f"A further failure to attend on {failed_on:%-d %b %Y} joined the enforcement "
            "being considered",
            changes={
                "failures_in_window": [before[0], considered.failures_in_window],
                "recommendation": [before[1], considered.recommendation],
            },
        )
        _casenote(
            actor=actor,
            action=considered,
            summary="Enforcement: a further failure to attend",
            text=f"The failure to attend on {failed_on:%-d %b %Y} is the {_ordinal(failures)} "
            f"unacceptable failure within {window}. It is added to the enforcement already being "
            f"considered. Recommended: {Recommendation(considered.recommendation).label.lower()}.",
        )
        return considered
    action = EnforcementAction.objects.create(
        offender=appointment.offender,
        sentence=supervised_sentence(appointment.offender_id, failed_on),
        appointment=appointment,
        failed_on=failed_on,
        officer_id=appointment.officer_id,
        office_id=appointment.office_id,
        rules=rules,
        failures_in_window=failures,
        recommendation=recommendation,
        due_on=failed_on + datetime.timedelta(days=rules.decide_within_days),
    )
    ENFORCEMENT_WORKFLOW.record_step(action, from_status="", to=EnforcementStatus.CONSIDERED, actor=actor)
    audit_created(
        actor=actor,
        obj=action,
        fields=("failed_on", "failures_in_window", "recommendation", "due_on"),
        summary=f"Enforcement considered for the failure to attend on {failed_on:%-d %b %Y}",
    )
    _casenote(
        actor=actor,
        action=action,
        summary="Enforcement being considered",
        text=f"The failure to attend on {failed_on:%-d %b %Y} is the {_ordinal(failures)} "
        f"unacceptable failure within {window}. Recommended: {label}. "
        f"To be decided by {action.due_on:%-d %b %Y}.",
    )
    return action


# --- who may act ---------------------------------------------------------------------------------


def may_act_on(user, action: EnforcementAction) -> bool:
    """The officer holding it, the service managers and administrative support of its office,
    system administrators."""
    if has_role(user, Role.SYSTEM_ADMIN):
        return True
    if has_role(user, Role.SERVICE_MANAGER, Role.ADMIN_SUPPORT) and office_id_of(user) == action.office_id:
        return True
    member = staff_of(user)
    return has_role(user, Role.PROBATION_OFFICER) and member is not None and member.pk == action.officer_id


def may_approve(user, action: EnforcementAction) -> bool:
    """A service manager of the action's office (or a system administrator) who did not prepare it:
    four eyes."""
    if user.pk == action.prepared_by_id:
        return False
    if has_role(user, Role.SYSTEM_ADMIN):
        return True
    return has_role(user, Role.SERVICE_MANAGER) and office_id_of(user) == action.office_id


def _refuse_unless(allowed: bool, message: str, *, actor, action: EnforcementAction) -> None:
    """Refused, filed under the person's history (audit.refusals writes the row once the request's
    transaction has ended, so the refusal is kept although the change is undone)."""
    if not allowed:
        raise Refused(message, obj=action)


# --- the workflow --------------------------------------------------------------------------------


@transaction.atomic
def enforcement_decide(
    *, actor, action: EnforcementAction, decision: str, note: str = ""
) -> EnforcementAction:
    """What to do about the failures: prepare a formal warning, prepare a breach, or no further
    action. No further action, or a lighter step than the rules recommend, needs the reason."""
    _refuse_unless(
        may_act_on(actor, action), "You may not decide this enforcement action.", actor=actor, action=action
    )
    if decision not in DECISIONS:
        raise ValidationError({"decision": "Choose a formal warning, a breach or no further action."})
    note = note.strip()
    lighter = decision == "no_action" or (
        decision == "warning" and action.recommendation == Recommendation.BREACH
    )
    if lighter and not note:
        raise ValidationError(
            {
                "note": "Say why: the rules recommend "
                f"{Recommendation(action.recommendation).label.lower()} for these failures."
            }
        )
    if decision == "breach" and action.sentence_id is None:
        raise ValidationError(
            {"decision": "There is no current community sentence or order to lay a breach of."}
        )
    today = timezone.localdate()
    to = DECISIONS[decision]
    due_on = {
        "warning": today + datetime.timedelta(days=action.rules.decide_within_days),
        "breach": today + datetime.timedelta(days=action.rules.approve_within_days),
        "no_action": None,
    }[decision]
    ENFORCEMENT_WORKFLOW.move(
        action,
        to=to,
        actor=actor,
        comment=note,
        fields={
            "decision_note": note,
            "prepared_by": actor_user(actor),
            "prepared_at": timezone.now(),
            "due_on": due_on,
        },
        summary=f"Enforcement decided: {EnforcementStatus(to).label.lower()}",
    )
    words = {
        "warning": "A formal warning is prepared, to be issued",
        "breach": "A breach is prepared, for a service manager to approve",
        "no_action": "No further action",
    }[decision]
    due = f" by {due_on:%-d %b %Y}" if due_on else ""
    _casenote(
        actor=actor,
        action=action,
        summary=f"Enforcement decided: {EnforcementStatus(to).label.lower()}",
        text=f"{words}{due}, for the failure to attend on {action.failed_on:%-d %b %Y}."
        + (f"\n{note}" if note else ""),
    )
    return action


@transaction.atomic
def warning_issue(*, actor, action: EnforcementAction, issued_on: datetime.date) -> EnforcementAction:
    """The formal warning is given to the person (its letter is the PDF of the action)."""
    _refuse_unless(may_act_on(actor, action), "You may not issue this warning.", actor=actor, action=action)
    if issued_on > timezone.localdate():
        raise ValidationError({"issued_on": "The warning cannot be issued in the future."})
    if issued_on < action.failed_on:
        raise ValidationError({"issued_on": "The warning cannot be issued before the failure to attend."})
    ENFORCEMENT_WORKFLOW.move(
        action,
        to=EnforcementStatus.WARNING_ISSUED,
        actor=actor,
        fields={"warning_issued_on": issued_on, "due_on": None},
        summary=f"Formal warning issued on {issued_on:%-d %b %Y}",
    )
    _casenote(
        actor=actor,
        action=action,
        summary="Formal warning issued",
        text=f"A formal warning was issued on {issued_on:%-d %b %Y} for the failure to attend on "
        f"{action.failed_on:%-d %b %Y}.",
    )
    return action


@transaction.atomic
def breach_approve(*, actor, action: EnforcementAction, note: str = "") -> EnforcementAction:
    """A service manager who did not prepare the breach approves it: it is then due to be laid."""
    user = actor_user(actor)
    if user is not None and user.pk == action.prepared_by_id:
        _refuse_unless(
            False, "Another person must approve this breach: you prepared it.", actor=actor, action=action
        )
    _refuse_unless(
        may_approve(actor, action),
        "Only a service manager of the office may approve a breach.",
        actor=actor,
        action=action,
    )
    today = timezone.localdate()
    due_on = today + datetime.timedelta(days=action.rules.lay_within_days)
    ENFORCEMENT_WORKFLOW.move(
        action,
        to=EnforcementStatus.APPROVED,
        actor=actor,
        comment=note.strip(),
        fields={"approved_by": actor_user(actor), "approved_at": timezone.now(), "due_on": due_on},
        summary="Breach approved",
    )
    _casenote(
        actor=actor,
        action=action,
        summary="Breach approved",
        text=f"The breach for the failure to attend on {action.failed_on:%-d %b %Y} is approved, "
        f"to be laid with the court by {due_on:%-d %b %Y}." + (f"\n{note.strip()}" if note.strip() else ""),
    )
    return action


@transaction.atomic
def breach_return(*, actor, action: EnforcementAction, reason: str) -> EnforcementAction:
    """The manager sends the breach back to be considered again, with the reason."""
    _refuse_unless(
        may_approve(actor, action) or (has_role(actor, Role.SYSTEM_ADMIN)),
        "Only a service manager of the office may return a breach.",
        actor=actor,
        action=action,
    )
    if not reason.strip():
        raise ValidationError({"reason": "Say why the breach is returned."})
    today = timezone.localdate()
    _lock_person(action.offender_id)
    try:
        with transaction.atomic():
            ENFORCEMENT_WORKFLOW.move(
                action,
                to=EnforcementStatus.CONSIDERED,
                actor=actor,
                comment=reason.strip(),
                fields={
                    "due_on": today + datetime.timedelta(days=action.rules.decide_within_days),
                    "prepared_by": None,
                    "prepared_at": None,
                },
                summary="Breach returned to be considered again",
            )
    except IntegrityError:
        raise ValidationError(
            "A later failure to attend is being considered for this person: decide that one, or "
            "withdraw one of them, first."
        ) from None
    _casenote(
        actor=actor,
        action=action,
        summary="Breach returned",
        text=f"The breach prepared for the failure to attend on {action.failed_on:%-d %b %Y} was "
        f"returned to be considered again.\n{reason.strip()}",
    )
    return action


@transaction.atomic
def breach_lay(
    *, actor, action: EnforcementAction, laid_on: datetime.date, detail: str = ""
) -> EnforcementAction:
    """The approved breach is laid with the court: the sentence event "charged with breach" is
    recorded on the sentence (and shows there until the court decides it)."""
    _refuse_unless(may_act_on(actor, action), "You may not lay this breach.", actor=actor, action=action)
    if action.status != EnforcementStatus.APPROVED:
        raise ValidationError("A breach is laid only once a service manager has approved it.")
    if laid_on < action.failed_on:
        raise ValidationError({"laid_on": "The breach cannot be laid before the failure to attend."})
    if action.approved_at and laid_on < timezone.localtime(action.approved_at).date():
        raise ValidationError({"laid_on": "The breach cannot be laid before it was approved."})
    detail = detail.strip() or (
        f"Failed to report as directed on {action.failed_on:%-d %b %Y} "
        f"({_ordinal(action.failures_in_window)} unacceptable failure within "
        f"{action.rules.window_months} months)."
    )
    # Validates the date (not in the future) and the detail, records the event and publishes it.
    event = sentence_event_record(
        actor=actor,
        sentence=action.sentence,
        kind=SentenceEventKind.BREACH,
        occurred_on=laid_on,
        detail=detail[:400],
    )
    ENFORCEMENT_WORKFLOW.move(
        action,
        to=EnforcementStatus.BREACH_LAID,
        actor=actor,
        comment=detail,
        fields={"breach_laid_on": laid_on, "sentence_event": event, "due_on": None},
        summary=f"Breach laid with the court on {laid_on:%-d %b %Y}",
    )
    return action


@transaction.atomic
def enforcement_withdraw(*, actor, action: EnforcementAction, reason: str) -> EnforcementAction:
    """Stop an open enforcement action, with the reason (e.g. evidence of an acceptable reason came
    in late)."""
    _refuse_unless(
        may_act_on(actor, action), "You may not withdraw this enforcement action.", actor=actor, action=action
    )
    if not reason.strip():
        raise ValidationError({"reason": "Say why the enforcement action is withdrawn."})
    ENFORCEMENT_WORKFLOW.move(
        action,
        to=EnforcementStatus.WITHDRAWN,
        actor=actor,
        comment=reason.strip(),
        fields={"due_on": None},
        summary="Enforcement action withdrawn",
    )
    _casenote(
        actor=actor,
        action=action,
        summary="Enforcement withdrawn",
        text=f"The enforcement action for the failure to attend on {action.failed_on:%-d %b %Y} "
        f"was withdrawn.\n{reason.strip()}",
    )
    return action
