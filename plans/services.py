"""Writes to sentence plans (issue 6). Each service checks the actor's right and the plan's state,
writes its change, its audit row in the same transaction and, where the officers on the case would
expect one, a system casenote (plan agreed, reviewed or closed, category changed, an activity
completed, not completed or unavailable).

The activities are classification.SentencePlanActivity rows (read by A.5.5 of seed 003) and the
category history is classification.SentencePlanCategoryChange: the classification review reads
what these services write. An intervention is a programme from the programme records; its
attendance and outcome are recorded on its referral (agencies.services), which moves the activity
on through `activity_follow_referral`."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from agencies.models import (
    OPEN_REFERRAL_STATUSES,
    AgencyStatus,
    Programme,
    ProgrammeStatus,
    Referral,
    ReferralStatus,
)
from agencies.services import referral_create
from audit.models import AuditAction
from audit.services import audit_record, snapshot
from casenotes.services import system_casenote
from classification.models import (
    ACTIVITY_TRANSITIONS,
    ACTIVITY_WORKFLOW,
    OPEN_ACTIVITY_STATUSES,
    ActivityStatus,
    PlanCategory,
    SentencePlanActivity,
    SentencePlanCategoryChange,
)
from plans.access import can_write_plan_for
from plans.models import (
    OBJECTIVE_TRANSITIONS,
    OBJECTIVE_WORKFLOW,
    PLAN_TRANSITIONS,
    PLAN_WORKFLOW,
    NeedArea,
    Objective,
    ObjectiveStatus,
    PlanEventKind,
    PlanStatus,
    SentencePlan,
)
from sentences.models import Sentence, SentenceStatus

PLAN_FIELDS = ("sentence", "status", "written_on", "review_on")
OBJECTIVE_FIELDS = ("text", "need_area", "target_on")
ACTIVITY_FIELDS = ("description", "objective", "programme", "referral", "scheduled_on", "planned_end_on")


def _day(value: datetime.date) -> str:
    return f"{value:%-d %b %Y}"


def _refuse_unless(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _audit(*, actor, action: str, obj: Model, offender_id: int, summary: str, changes: dict) -> None:
    audit_record(
        actor=actor, action=action, obj=obj, offender_id=offender_id, summary=summary, changes=changes
    )


def _audit_created(*, actor, obj: Model, offender_id: int, fields, summary: str) -> None:
    values = snapshot(obj, fields)
    _audit(
        actor=actor,
        action=AuditAction.CREATE,
        obj=obj,
        offender_id=offender_id,
        summary=summary,
        changes={name: [None, value] for name, value in values.items() if value not in (None, "")},
    )


def _casenote(*, actor, plan: SentencePlan, summary: str, text: str) -> None:
    system_casenote(
        offender=plan.offender, sentence=plan.sentence, actor=actor, summary=summary[:200], text=text
    )


def _not_future(errors: dict, field: str, day: datetime.date | None, what: str) -> None:
    if day is not None and day > timezone.localdate():
        errors[field] = f"{what} cannot be in the future."


def _locked_plan(plan: SentencePlan) -> SentencePlan:
    return (
        SentencePlan.objects.select_for_update(of=("self",))
        .select_related("offender", "sentence")
        .get(pk=plan.pk)
    )


def _require_current(plan: SentencePlan) -> None:
    if not plan.is_current:
        raise ValidationError("This plan is closed: write a new plan for the sentence.")


def _move_plan(
    *,
    actor,
    plan: SentencePlan,
    to_status: str,
    kind: str,
    occurred_on: datetime.date,
    note: str,
    summary: str,
    audit_changes: dict,
    **fields,
) -> None:
    """A step of the plan's life by PLAN_WORKFLOW: its PlanEvent (of `kind`) and audit row."""
    if to_status not in PLAN_TRANSITIONS[plan.status]:
        raise ValidationError(
            f"A {plan.get_status_display().lower()} plan cannot be {PlanStatus(to_status).label.lower()}."
        )
    PLAN_WORKFLOW.move(
        plan,
        to=to_status,
        actor=actor,
        comment=note[:500],
        fields={**fields, "updated_at": timezone.now()},
        row={"kind": kind, "occurred_on": occurred_on},
        summary=summary,
        audit_changes=audit_changes,
    )


def current_category(plan: SentencePlan) -> str | None:
    change = plan.category_changes.order_by("-changed_on", "-id").first()
    return change.category if change else None


# --- the plan --------------------------------------------------------------------------------------


@transaction.atomic
def plan_create(
    *,
    actor,
    sentence: Sentence,
    category: str = PlanCategory.STANDARD,
    review_on: datetime.date | None = None,
    written_on: datetime.date | None = None,
) -> SentencePlan:
    """Write a draft plan for `sentence`, in `category`. A sentence has one current plan."""
    _refuse_unless(can_write_plan_for(actor, sentence), "You may not write a plan for this sentence.")
    sentence = Sentence.objects.select_for_update(of=("self",)).select_related("offender").get(pk=sentence.pk)
    if sentence.status == SentenceStatus.COMPLETED:
        raise ValidationError("The sentence is completed: a plan is written for a current sentence.")
    if SentencePlan.objects.current().filter(sentence=sentence).exists():
        raise ValidationError(
            "This sentence already has a current plan: change that plan, or close it first."
        )
    written_on = written_on or timezone.localdate()
    errors: dict = {}
    _not_future(errors, "written_on", written_on, "The date written")
    if category not in PlanCategory.values:
        errors["category"] = "Choose the plan's category."
    if review_on is not None and review_on <= written_on:
        errors["review_on"] = "The review must be after the plan is written."
    if errors:
        raise ValidationError(errors)
    plan = SentencePlan(
        offender=sentence.offender,
        sentence=sentence,
        written_by=actor,
        written_on=written_on,
        review_on=review_on,
    )
    plan.full_clean()
    plan.save()
    PLAN_WORKFLOW.record_step(
        plan,
        from_status="",
        to=PlanStatus.DRAFT,
        actor=actor,
        row={"kind": PlanEventKind.WRITTEN, "occurred_on": written_on},
    )
    SentencePlanCategoryChange.objects.create(
        offender=sentence.offender,
        plan=plan,
        changed_on=written_on,
        category=category,
        reason="Plan written",
        changed_by=actor,
    )
    _audit_created(
        actor=actor,
        obj=plan,
        offender_id=plan.offender_id,
        fields=PLAN_FIELDS,
        summary=f"Wrote a sentence plan for {sentence} ({PlanCategory(category).label.lower()})",
    )
    return plan


@transaction.atomic
def plan_agree(
    *, actor, plan: SentencePlan, agreed_on: datetime.date, review_on: datetime.date
) -> SentencePlan:
    """The draft plan is agreed with the offender; it is reviewed by `review_on`."""
    plan = _locked_plan(plan)
    _refuse_unless(can_write_plan_for(actor, plan.sentence), "You may not agree this plan.")
    if plan.status != PlanStatus.DRAFT:
        raise ValidationError(
            f"The plan is {plan.get_status_display().lower()}: only a draft plan is agreed."
        )
    errors: dict = {}
    if not plan.objectives.exists():
        errors["__all__"] = "Add at least one objective before the plan is agreed."
    if agreed_on < plan.written_on:
        errors["agreed_on"] = f"The plan cannot be agreed before it was written ({_day(plan.written_on)})."
    _not_future(errors, "agreed_on", agreed_on, "The date agreed")
    if review_on <= agreed_on:
        errors["review_on"] = "The review must be after the plan is agreed."
    if errors:
        raise ValidationError(errors)
    _move_plan(
        actor=actor,
        plan=plan,
        to_status=PlanStatus.AGREED,
        kind=PlanEventKind.AGREED,
        occurred_on=agreed_on,
        note=f"Review by {_day(review_on)}",
        summary=f"Agreed the sentence plan for {plan.sentence}",
        audit_changes={
            "agreed_on": [None, agreed_on.isoformat()],
            "review_on": [plan.review_on.isoformat() if plan.review_on else None, review_on.isoformat()],
        },
        agreed_on=agreed_on,
        agreed_by=actor,
        review_on=review_on,
    )
    objectives = list(plan.objectives.order_by("target_on", "id"))
    activities = list(plan.activities.select_related("programme__agency").order_by("scheduled_on", "id"))
    lines = [f"Sentence plan for {plan.sentence} agreed on {_day(agreed_on)}; review by {_day(review_on)}."]
    lines += [f"Objective: {objective.text} (by {_day(objective.target_on)})." for objective in objectives]
    lines += [
        f"Activity: {_activity_label(activity)} from {_day(activity.scheduled_on)}."
        for activity in activities
    ]
    _casenote(actor=actor, plan=plan, summary="Sentence plan agreed", text="\n".join(lines))
    plan.refresh_from_db()
    return plan


@transaction.atomic
def plan_review(
    *, actor, plan: SentencePlan, reviewed_on: datetime.date, review_on: datetime.date, note: str = ""
) -> SentencePlan:
    """An agreed plan is reviewed, and the next review set."""
    plan = _locked_plan(plan)
    _refuse_unless(can_write_plan_for(actor, plan.sentence), "You may not review this plan.")
    if plan.status != PlanStatus.AGREED:
        raise ValidationError("Only an agreed plan is reviewed.")
    errors: dict = {}
    if reviewed_on < plan.agreed_on:
        errors["reviewed_on"] = f"The review cannot be before the plan was agreed ({_day(plan.agreed_on)})."
    _not_future(errors, "reviewed_on", reviewed_on, "The review date")
    if review_on <= reviewed_on:
        errors["review_on"] = "The next review must be after this one."
    if errors:
        raise ValidationError(errors)
    updated = SentencePlan.objects.filter(pk=plan.pk, status=PlanStatus.AGREED).update(
        reviewed_on=reviewed_on, review_on=review_on, updated_at=timezone.now()
    )
    if not updated:
        raise ValidationError("The plan was changed by someone else: look at it again.")
    PLAN_WORKFLOW.record_step(
        plan,
        from_status=PlanStatus.AGREED,
        to=PlanStatus.AGREED,
        actor=actor,
        comment=note.strip()[:500],
        row={"kind": PlanEventKind.REVIEWED, "occurred_on": reviewed_on},
    )
    _audit(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=plan,
        offender_id=plan.offender_id,
        summary=f"Reviewed the sentence plan for {plan.sentence}",
        changes={
            "reviewed_on": [
                plan.reviewed_on.isoformat() if plan.reviewed_on else None,
                reviewed_on.isoformat(),
            ],
            "review_on": [plan.review_on.isoformat() if plan.review_on else None, review_on.isoformat()],
        },
    )
    text = f"Sentence plan reviewed on {_day(reviewed_on)}; next review by {_day(review_on)}."
    _casenote(
        actor=actor, plan=plan, summary="Sentence plan reviewed", text=f"{text}\n{note.strip()}".strip()
    )
    plan.refresh_from_db()
    return plan


@transaction.atomic
def plan_close(*, actor, plan: SentencePlan, closed_on: datetime.date, reason: str) -> SentencePlan:
    """Close the plan (the sentence ended, or a new plan replaces it). Every activity's outcome is
    recorded first, so that nothing planned is left without one."""
    plan = _locked_plan(plan)
    _refuse_unless(can_write_plan_for(actor, plan.sentence), "You may not close this plan.")
    _require_current(plan)
    errors: dict = {}
    if not reason.strip():
        errors["reason"] = "Say why the plan is closed."
    if closed_on < plan.written_on:
        errors["closed_on"] = f"The plan cannot close before it was written ({_day(plan.written_on)})."
    _not_future(errors, "closed_on", closed_on, "The date closed")
    open_activities = list(
        plan.activities.filter(status__in=OPEN_ACTIVITY_STATUSES).order_by("scheduled_on", "id")
    )
    if open_activities:
        names = "; ".join(activity.description for activity in open_activities[:5])
        errors["__all__"] = (
            f"Record what happened to {len(open_activities)} "
            f"{'activity' if len(open_activities) == 1 else 'activities'} first: {names}."
        )
    if errors:
        raise ValidationError(errors)
    _move_plan(
        actor=actor,
        plan=plan,
        to_status=PlanStatus.CLOSED,
        kind=PlanEventKind.CLOSED,
        occurred_on=closed_on,
        note=reason.strip(),
        summary=f"Closed the sentence plan for {plan.sentence}",
        audit_changes={"closed_reason": [None, reason.strip()]},
        closed_on=closed_on,
        closed_reason=reason.strip()[:300],
    )
    _casenote(
        actor=actor,
        plan=plan,
        summary="Sentence plan closed",
        text=f"Sentence plan for {plan.sentence} closed on {_day(closed_on)}: {reason.strip()}",
    )
    plan.refresh_from_db()
    return plan


@transaction.atomic
def plan_category_change(
    *, actor, plan: SentencePlan, category: str, changed_on: datetime.date, reason: str
) -> SentencePlanCategoryChange:
    """Change the plan's category (e.g. to Intervention; seed 003 A.5.5 reads the change)."""
    plan = _locked_plan(plan)
    _refuse_unless(can_write_plan_for(actor, plan.sentence), "You may not change this plan.")
    _require_current(plan)
    latest = plan.category_changes.order_by("-changed_on", "-id").first()
    errors: dict = {}
    if category not in PlanCategory.values:
        errors["category"] = "Choose the plan's category."
    elif latest is not None and latest.category == category:
        errors["category"] = f"The plan is already in the {PlanCategory(category).label.lower()} category."
    if not reason.strip():
        errors["reason"] = "Say why the category changes."
    if latest is not None and changed_on < latest.changed_on:
        errors["changed_on"] = f"The change cannot be before the last one ({_day(latest.changed_on)})."
    _not_future(errors, "changed_on", changed_on, "The date of the change")
    if errors:
        raise ValidationError(errors)
    change = SentencePlanCategoryChange.objects.create(
        offender=plan.offender,
        plan=plan,
        changed_on=changed_on,
        category=category,
        reason=reason.strip()[:300],
        changed_by=actor,
    )
    label = PlanCategory(category).label
    _audit(
        actor=actor,
        action=AuditAction.CREATE,
        obj=change,
        offender_id=plan.offender_id,
        summary=f"Changed the category of the sentence plan for {plan.sentence} to {label.lower()}",
        changes={
            "category": [latest.category if latest else None, category],
            "reason": [None, reason.strip()],
        },
    )
    _casenote(
        actor=actor,
        plan=plan,
        summary=f"Sentence plan category changed to {label}",
        text=f"The sentence plan for {plan.sentence} is in the {label.lower()} category from "
        f"{_day(changed_on)}: {reason.strip()}",
    )
    return change


# --- objectives ------------------------------------------------------------------------------------


@transaction.atomic
def objective_add(
    *, actor, plan: SentencePlan, text: str, need_area: str, target_on: datetime.date
) -> Objective:
    plan = _locked_plan(plan)
    _refuse_unless(can_write_plan_for(actor, plan.sentence), "You may not change this plan.")
    _require_current(plan)
    errors: dict = {}
    if not text.strip():
        errors["text"] = "Say what the objective is."
    if need_area not in NeedArea.values:
        errors["need_area"] = "Choose the area of need the objective addresses."
    if target_on < plan.written_on:
        errors["target_on"] = (
            f"The target date cannot be before the plan was written ({_day(plan.written_on)})."
        )
    if errors:
        raise ValidationError(errors)
    objective = Objective(
        plan=plan, text=text.strip(), need_area=need_area, target_on=target_on, created_by=actor
    )
    objective.full_clean()
    objective.save()
    OBJECTIVE_WORKFLOW.record_step(objective, from_status="", to=objective.status, actor=actor)
    _audit_created(
        actor=actor,
        obj=objective,
        offender_id=plan.offender_id,
        fields=OBJECTIVE_FIELDS,
        summary=f"Added an objective to the sentence plan for {plan.sentence}",
    )
    return objective


@transaction.atomic
def objective_record(
    *, actor, objective: Objective, to_status: str, on: datetime.date, note: str = ""
) -> Objective:
    """An objective is achieved, not achieved or withdrawn."""
    objective = (
        Objective.objects.select_for_update(of=("self",))
        .select_related("plan__sentence__offender", "plan__offender")
        .get(pk=objective.pk)
    )
    plan = objective.plan
    _refuse_unless(can_write_plan_for(actor, plan.sentence), "You may not change this plan.")
    if to_status not in OBJECTIVE_TRANSITIONS[objective.status]:
        raise ValidationError(
            f"An objective that is {objective.get_status_display().lower()} cannot become "
            f"{ObjectiveStatus(to_status).label.lower()}."
        )
    errors: dict = {}
    if to_status in (ObjectiveStatus.NOT_ACHIEVED, ObjectiveStatus.WITHDRAWN) and not note.strip():
        errors["note"] = "Say why."
    if on < plan.written_on:
        errors["on"] = f"The date cannot be before the plan was written ({_day(plan.written_on)})."
    _not_future(errors, "on", on, "The date")
    if errors:
        raise ValidationError(errors)
    OBJECTIVE_WORKFLOW.move(
        objective,
        to=to_status,
        actor=actor,
        comment=note.strip(),
        fields={"status_changed_on": on, "status_note": note.strip()[:300]},
        summary=f"Objective {ObjectiveStatus(to_status).label.lower()}: {objective}",
    )
    objective.refresh_from_db()
    return objective


# --- activities and interventions ------------------------------------------------------------------


def _activity_label(activity: SentencePlanActivity) -> str:
    if activity.programme_id:
        return f"{activity.programme.name} ({activity.programme.agency.name})"
    return activity.description


@transaction.atomic
def activity_add(
    *,
    actor,
    plan: SentencePlan,
    scheduled_on: datetime.date,
    description: str = "",
    objective: Objective | None = None,
    programme: Programme | None = None,
    planned_end_on: datetime.date | None = None,
) -> SentencePlanActivity:
    """Plan an activity, or an intervention: a programme from the programme records. The offender is
    referred to the programme (or the open referral to it is used), and the programme's places,
    attendance and outcome then follow that referral."""
    plan = _locked_plan(plan)
    _refuse_unless(can_write_plan_for(actor, plan.sentence), "You may not change this plan.")
    _require_current(plan)
    errors: dict = {}
    if objective is not None and objective.plan_id != plan.pk:
        errors["objective"] = "That objective belongs to another plan."
    elif objective is not None and objective.status != ObjectiveStatus.OPEN:
        errors["objective"] = "That objective is no longer in progress."
    if programme is not None and (
        programme.status != ProgrammeStatus.ADOPTED or programme.agency.status != AgencyStatus.ACCEPTED
    ):
        errors["programme"] = "That programme has been discontinued."
    if programme is None and not description.strip():
        errors["description"] = "Describe the activity, or choose a programme."
    if planned_end_on is not None and planned_end_on < scheduled_on:
        errors["planned_end_on"] = "The planned end cannot be before the planned start."
    if errors:
        raise ValidationError(errors)
    referral = None
    if programme is not None:
        referral = (
            Referral.objects.select_for_update()
            .filter(offender=plan.offender, programme=programme, status__in=OPEN_REFERRAL_STATUSES)
            .first()
        )
        if (
            referral is not None
            and referral.plan_activities.filter(status__in=OPEN_ACTIVITY_STATUSES).exists()
        ):
            raise ValidationError(
                {"programme": "The plan already has this programme as an activity in progress."}
            )
        if referral is None:
            referral = referral_create(
                actor=actor,
                offender=plan.offender,
                programme=programme,
                referred_on=timezone.localdate(),
                sentence=plan.sentence,
            )
    activity = SentencePlanActivity(
        offender=plan.offender,
        plan=plan,
        objective=objective,
        programme=programme,
        referral=referral,
        scheduled_on=scheduled_on,
        planned_end_on=planned_end_on,
        description=(description.strip() or programme.name)[:200],
        created_by=actor,
    )
    activity.full_clean()
    activity.save()
    ACTIVITY_WORKFLOW.record_step(activity, from_status="", to=activity.status, actor=actor)
    _audit_created(
        actor=actor,
        obj=activity,
        offender_id=plan.offender_id,
        fields=ACTIVITY_FIELDS,
        summary=f"Planned {_activity_label(activity)} in the sentence plan for {plan.sentence}",
    )
    if referral is not None and referral.status != ReferralStatus.REFERRED:
        # Joined to a referral already under way: the activity starts where the referral is.
        activity_follow_referral(actor=actor, referral=referral)
        activity.refresh_from_db()
    return activity


# Casenote summaries for the outcomes the officers on the case would expect to read.
ACTIVITY_CASENOTES = {
    ActivityStatus.COMPLETED: "Completed {activity}",
    ActivityStatus.NOT_COMPLETED: "Did not complete {activity}",
    ActivityStatus.UNAVAILABLE: "{activity} not available",
}


def _activity_move(
    *,
    actor,
    activity: SentencePlanActivity,
    to_status: str,
    on: datetime.date,
    reason: str = "",
    casenote: bool = True,
) -> SentencePlanActivity:
    """The one place an activity's status changes (the state machine of ACTIVITY_TRANSITIONS).
    `casenote` is False when the referral it follows has written the casenote already."""
    if to_status not in ACTIVITY_TRANSITIONS[activity.status]:
        raise ValidationError(
            f"An activity that is {activity.get_status_display().lower()} cannot become "
            f"{ActivityStatus(to_status).label.lower()}."
        )
    errors: dict = {}
    _not_future(errors, "on", on, "The date")
    if to_status == ActivityStatus.UNAVAILABLE and not reason.strip():
        errors["reason"] = "Say why the activity was not available (a reason outside the offender's control)."
    if to_status == ActivityStatus.NOT_COMPLETED and not reason.strip():
        errors["reason"] = "Say why the activity was not completed."
    if to_status == ActivityStatus.COMPLETED and activity.attended_on and on < activity.attended_on:
        errors["on"] = f"It cannot be completed before it was first attended ({_day(activity.attended_on)})."
    if errors:
        raise ValidationError(errors)
    fields: dict = {"status_changed_on": on}
    if to_status == ActivityStatus.ATTENDED:
        fields["attended_on"] = on
    elif to_status == ActivityStatus.COMPLETED:
        fields["completed_on"] = on
        fields["attended_on"] = activity.attended_on or on
    elif to_status == ActivityStatus.NOT_COMPLETED:
        fields["not_completed_reason"] = reason.strip()[:300]
    elif to_status == ActivityStatus.UNAVAILABLE:
        fields["unavailable_reason"] = reason.strip()[:300]
    changes = {"on": [None, on.isoformat()]}
    if reason.strip():
        changes["reason"] = [None, reason.strip()]
    ACTIVITY_WORKFLOW.move(
        activity,
        to=to_status,
        actor=actor,
        comment=reason.strip(),
        fields=fields,
        summary=f"Activity {ActivityStatus(to_status).label.lower()}: {activity.description}",
        audit_changes=changes,
    )
    if casenote and to_status in ACTIVITY_CASENOTES and activity.plan_id is not None:
        label = _activity_label(activity)
        text = f"{ACTIVITY_CASENOTES[to_status].format(activity=label)} on {_day(on)}."
        if reason.strip():
            text = f"{text} {reason.strip()}"
        _casenote(
            actor=actor,
            plan=activity.plan,
            summary=ACTIVITY_CASENOTES[to_status].format(activity=activity.description),
            text=text,
        )
    activity.refresh_from_db()
    return activity


@transaction.atomic
def activity_record(
    *, actor, activity: SentencePlanActivity, to_status: str, on: datetime.date, reason: str = ""
) -> SentencePlanActivity:
    """Record an activity attended, completed, not completed (why) or unavailable (why: a reason
    outside the offender's control). A programme's attendance and outcome come from its referral
    while the referral is open; the activity may still be recorded unavailable (no place, not
    running)."""
    activity = (
        SentencePlanActivity.objects.select_for_update(of=("self",))
        .select_related("plan__sentence__offender", "plan__offender", "programme__agency", "referral")
        .get(pk=activity.pk)
    )
    if activity.plan_id is None:
        raise ValidationError("This activity is not part of a sentence plan.")
    _refuse_unless(can_write_plan_for(actor, activity.plan.sentence), "You may not change this plan.")
    referral = activity.referral
    if (
        referral is not None
        and referral.status in OPEN_REFERRAL_STATUSES
        and to_status != ActivityStatus.UNAVAILABLE
    ):
        raise ValidationError(
            "Attendance and the outcome of a programme are recorded on its referral: "
            f"{referral.programme.name} is {referral.get_status_display().lower()}."
        )
    return _activity_move(actor=actor, activity=activity, to_status=to_status, on=on, reason=reason)


def _referral_step(referral: Referral) -> tuple[str, str] | None:
    """What a referral's status means for the activity that follows it: (status, reason)."""
    note = referral.outcome_note.strip()
    if referral.status == ReferralStatus.ATTENDING:
        return ActivityStatus.ATTENDED, ""
    if referral.status == ReferralStatus.COMPLETED:
        return ActivityStatus.COMPLETED, ""
    if referral.status == ReferralStatus.NOT_COMPLETED:
        return ActivityStatus.NOT_COMPLETED, note or "Did not complete the programme"
    if referral.status == ReferralStatus.DECLINED:
        # The provider's decision, outside the offender's control (seed 003, A.5.5).
        reason = f"Declined by {referral.programme.agency.name}"
        return ActivityStatus.UNAVAILABLE, f"{reason}: {note}" if note else reason
    # Referred, waiting or accepted: nothing to record yet. Withdrawn: the officer records what
    # happened, since a withdrawal may or may not be within the offender's control.
    return None


@transaction.atomic
def activity_follow_referral(*, actor, referral: Referral) -> None:
    """Move the plan activities that follow `referral` on to where the referral now is. Called by
    agencies.services after every change of a referral."""
    step = _referral_step(referral)
    if step is None:
        return
    to_status, reason = step
    on = referral.status_changed_on or timezone.localdate()
    activities = (
        SentencePlanActivity.objects.select_for_update(of=("self",))
        .select_related("plan__sentence", "plan__offender", "programme__agency")
        .filter(referral=referral, status__in=OPEN_ACTIVITY_STATUSES)
        .order_by("id")
    )
    for activity in activities:
        if to_status == activity.status:
            continue
        if to_status == ActivityStatus.COMPLETED and activity.status == ActivityStatus.SCHEDULED:
            # Completed without a first session on record: attended from the referral's acceptance.
            first = referral.attendances.filter(attended=True).order_by("session_on").first()
            activity.attended_on = first.session_on if first else None
        if to_status == ActivityStatus.ATTENDED:
            first = referral.attendances.filter(attended=True).order_by("session_on").first()
            on = first.session_on if first else on
        _activity_move(
            actor=actor, activity=activity, to_status=to_status, on=on, reason=reason, casenote=False
        )
