"""Sentence plans, their objectives and their activities go through the one workflow mechanism: a
step is refused when someone else moved the record first (nothing changes: status, transition
rows, audit rows), the allowed-transitions maps are enforced, and every step — the first status
too — is a row."""

import pytest

from audit.models import AuditEvent
from classification.models import ACTIVITY_WORKFLOW, ActivityStatus, ActivityTransition, SentencePlanActivity
from plans import services
from plans.models import (
    OBJECTIVE_WORKFLOW,
    PLAN_WORKFLOW,
    NeedArea,
    Objective,
    ObjectiveStatus,
    ObjectiveTransition,
    PlanEvent,
    PlanEventKind,
    PlanStatus,
    SentencePlan,
)
from tests.plans.conftest import DAY, today
from workflow.transitions import ConcurrentChange, TransitionNotAllowed

pytestmark = pytest.mark.django_db


def steps(rows) -> list[tuple[str, str]]:
    return list(rows.order_by("id").values_list("from_status", "to_status"))


@pytest.fixture
def plan(officer, sentence):
    return services.plan_create(actor=officer, sentence=sentence, written_on=today() - 20 * DAY)


@pytest.fixture
def objective(officer, plan):
    return services.objective_add(
        actor=officer,
        plan=plan,
        text="Stay free of drugs",
        need_area=NeedArea.DRUGS,
        target_on=today() + 90 * DAY,
    )


@pytest.fixture
def activity(officer, plan):
    return services.activity_add(
        actor=officer, plan=plan, description="Weekly reporting", scheduled_on=today() - 10 * DAY
    )


# --- the plan ------------------------------------------------------------------------------------


def test_each_step_of_a_plan_is_an_event_with_its_kind_date_and_note(officer, plan, objective, activity):
    services.plan_agree(actor=officer, plan=plan, agreed_on=today() - 15 * DAY, review_on=today() + 75 * DAY)
    services.plan_review(
        actor=officer, plan=plan, reviewed_on=today() - 5 * DAY, review_on=today() + 60 * DAY, note="On track"
    )
    services.activity_record(actor=officer, activity=activity, to_status=ActivityStatus.COMPLETED, on=today())
    services.plan_close(actor=officer, plan=plan, closed_on=today(), reason="Sentence ended")

    events = list(
        plan.events.order_by("id").values_list("kind", "from_status", "to_status", "occurred_on", "comment")
    )
    assert events == [
        (PlanEventKind.WRITTEN, "", PlanStatus.DRAFT, today() - 20 * DAY, ""),
        (PlanEventKind.AGREED, PlanStatus.DRAFT, PlanStatus.AGREED, today() - 15 * DAY, events[1][4]),
        (PlanEventKind.REVIEWED, PlanStatus.AGREED, PlanStatus.AGREED, today() - 5 * DAY, "On track"),
        (PlanEventKind.CLOSED, PlanStatus.AGREED, PlanStatus.CLOSED, today(), "Sentence ended"),
    ]
    assert events[1][4].startswith("Review by ")
    assert {event.actor for event in plan.events.all()} == {officer}


def test_a_plan_step_from_a_status_someone_else_changed_is_refused_and_nothing_changes(officer, plan):
    stale = SentencePlan.objects.get(pk=plan.pk)
    services.plan_close(actor=officer, plan=plan, closed_on=today(), reason="Written in error")
    rows, audits = PlanEvent.objects.count(), AuditEvent.objects.count()

    with pytest.raises(ConcurrentChange, match="Someone else changed this sentence plan .* it is now closed"):
        PLAN_WORKFLOW.move(
            stale,
            to=PlanStatus.AGREED,
            actor=officer,
            fields={"agreed_on": today(), "agreed_by": officer},
            row={"kind": PlanEventKind.AGREED, "occurred_on": today()},
        )

    assert SentencePlan.objects.get(pk=plan.pk).status == PlanStatus.CLOSED
    assert (PlanEvent.objects.count(), AuditEvent.objects.count()) == (rows, audits)


def test_a_closed_plan_is_never_agreed_or_reopened(officer, plan):
    plan = services.plan_close(actor=officer, plan=plan, closed_on=today(), reason="Written in error")

    for status in (PlanStatus.AGREED, PlanStatus.DRAFT):
        with pytest.raises(TransitionNotAllowed, match="A sentence plan that is closed cannot become"):
            PLAN_WORKFLOW.move(plan, to=status, actor=officer)

    assert SentencePlan.objects.get(pk=plan.pk).status == PlanStatus.CLOSED
    assert plan.events.count() == 2


# --- objectives ----------------------------------------------------------------------------------


def test_an_objective_is_opened_and_achieved_each_a_row_audited_under_the_offender(officer, plan, objective):
    services.objective_record(
        actor=officer, objective=objective, to_status=ObjectiveStatus.ACHIEVED, on=today()
    )

    assert steps(objective.transitions) == [
        ("", ObjectiveStatus.OPEN),
        (ObjectiveStatus.OPEN, ObjectiveStatus.ACHIEVED),
    ]
    audit = (
        AuditEvent.objects.filter(object_type="plans.Objective", object_id=str(objective.pk))
        .order_by("id")
        .last()
    )
    assert audit.changes == {"status": [ObjectiveStatus.OPEN, ObjectiveStatus.ACHIEVED]}
    assert audit.offender_id == plan.offender_id


def test_an_objective_step_from_a_status_someone_else_changed_is_refused_and_nothing_changes(
    officer, objective
):
    stale = Objective.objects.get(pk=objective.pk)
    services.objective_record(
        actor=officer,
        objective=objective,
        to_status=ObjectiveStatus.WITHDRAWN,
        on=today(),
        note="Not relevant",
    )
    rows, audits = ObjectiveTransition.objects.count(), AuditEvent.objects.count()

    with pytest.raises(ConcurrentChange, match="Someone else changed this objective .* it is now withdrawn"):
        OBJECTIVE_WORKFLOW.move(
            stale, to=ObjectiveStatus.ACHIEVED, actor=officer, fields={"status_changed_on": today()}
        )

    assert Objective.objects.get(pk=objective.pk).status == ObjectiveStatus.WITHDRAWN
    assert (ObjectiveTransition.objects.count(), AuditEvent.objects.count()) == (rows, audits)


def test_an_objective_with_an_outcome_keeps_it(officer, objective):
    objective = services.objective_record(
        actor=officer, objective=objective, to_status=ObjectiveStatus.ACHIEVED, on=today()
    )

    with pytest.raises(TransitionNotAllowed, match="An objective that is achieved cannot become in progress"):
        OBJECTIVE_WORKFLOW.move(objective, to=ObjectiveStatus.OPEN, actor=officer)

    assert Objective.objects.get(pk=objective.pk).status == ObjectiveStatus.ACHIEVED
    assert objective.transitions.count() == 2


# --- activities ----------------------------------------------------------------------------------


def test_an_activity_is_scheduled_attended_and_completed_each_a_row(officer, activity):
    services.activity_record(
        actor=officer, activity=activity, to_status=ActivityStatus.ATTENDED, on=today() - 5 * DAY
    )
    services.activity_record(actor=officer, activity=activity, to_status=ActivityStatus.COMPLETED, on=today())

    assert steps(activity.transitions) == [
        ("", ActivityStatus.SCHEDULED),
        (ActivityStatus.SCHEDULED, ActivityStatus.ATTENDED),
        (ActivityStatus.ATTENDED, ActivityStatus.COMPLETED),
    ]
    assert activity.transitions.order_by("id").last().actor == officer


def test_an_activity_step_from_a_status_someone_else_changed_is_refused_and_nothing_changes(
    officer, activity
):
    stale = SentencePlanActivity.objects.get(pk=activity.pk)
    services.activity_record(
        actor=officer,
        activity=activity,
        to_status=ActivityStatus.UNAVAILABLE,
        on=today(),
        reason="Course cancelled",
    )
    rows, audits = ActivityTransition.objects.count(), AuditEvent.objects.count()

    with pytest.raises(
        ConcurrentChange, match="Someone else changed this activity .* it is now not available"
    ):
        ACTIVITY_WORKFLOW.move(
            stale, to=ActivityStatus.ATTENDED, actor=officer, fields={"attended_on": today()}
        )

    assert SentencePlanActivity.objects.get(pk=activity.pk).status == ActivityStatus.UNAVAILABLE
    assert (ActivityTransition.objects.count(), AuditEvent.objects.count()) == (rows, audits)


def test_a_finished_activity_is_not_taken_up_again(officer, activity):
    activity = services.activity_record(
        actor=officer, activity=activity, to_status=ActivityStatus.COMPLETED, on=today()
    )

    with pytest.raises(TransitionNotAllowed, match="An activity that is completed cannot become scheduled"):
        ACTIVITY_WORKFLOW.move(activity, to=ActivityStatus.SCHEDULED, actor=officer)

    assert SentencePlanActivity.objects.get(pk=activity.pk).status == ActivityStatus.COMPLETED
    assert activity.transitions.count() == 2
