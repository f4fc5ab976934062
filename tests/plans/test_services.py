"""Sentence plans (issue 6): written, agreed, reviewed and closed; objectives and activities;
programmes from the programme records followed through their referral; every change audited and,
where the officers on the case expect one, a casenote."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from agencies.models import AttendanceOutcome, Referral, ReferralStatus
from agencies.services import attendance_record, referral_transition
from audit.models import AuditAction
from casenotes.models import Casenote, CasenoteType
from classification.models import (
    ActivityStatus,
    PlanCategory,
    SentencePlanActivity,
    SentencePlanCategoryChange,
)
from plans import services
from plans.models import NeedArea, ObjectiveStatus, PlanEventKind, PlanStatus, SentencePlan
from sentences.models import CompletionReason, SentenceStatus
from staff.roles import Role
from tests.factories import ProgrammeFactory, SentenceFactory, staff_user
from tests.plans.conftest import DAY, today

pytestmark = pytest.mark.django_db


def written(officer, sentence, **kwargs) -> SentencePlan:
    return services.plan_create(actor=officer, sentence=sentence, written_on=today() - 20 * DAY, **kwargs)


def with_objective(officer, plan, text="Stay free of drugs"):
    return services.objective_add(
        actor=officer, plan=plan, text=text, need_area=NeedArea.DRUGS, target_on=today() + 90 * DAY
    )


def agreed(officer, sentence) -> SentencePlan:
    plan = written(officer, sentence)
    with_objective(officer, plan)
    return services.plan_agree(
        actor=officer, plan=plan, agreed_on=today() - 15 * DAY, review_on=today() + 75 * DAY
    )


def casenote_summaries(offender) -> list[str]:
    return list(
        Casenote.objects.filter(offender=offender, note_type=CasenoteType.SYSTEM)
        .order_by("id")
        .values_list("summary", flat=True)
    )


# --- the plan --------------------------------------------------------------------------------------


def test_the_supervising_officer_writes_and_agrees_a_plan_with_objectives_and_activities(
    officer, sentence, programme, audit_rows
):
    plan = written(officer, sentence)
    objective = with_objective(officer, plan)
    activity = services.activity_add(
        actor=officer,
        plan=plan,
        description="Weekly reporting",
        objective=objective,
        scheduled_on=today() + 3 * DAY,
        planned_end_on=today() + 60 * DAY,
    )
    intervention = services.activity_add(
        actor=officer, plan=plan, programme=programme, objective=objective, scheduled_on=today() + 7 * DAY
    )

    plan = services.plan_agree(
        actor=officer, plan=plan, agreed_on=today() - 1 * DAY, review_on=today() + 90 * DAY
    )

    assert (plan.status, plan.agreed_by, plan.agreed_on) == (PlanStatus.AGREED, officer, today() - DAY)
    assert [event.kind for event in plan.events.order_by("id")] == [
        PlanEventKind.WRITTEN,
        PlanEventKind.AGREED,
    ]
    assert (activity.offender, activity.plan, activity.objective) == (sentence.offender, plan, objective)
    # The intervention is the programme, with its agency, and the offender is referred to it.
    referral = Referral.objects.get()
    assert intervention.description == "Drug treatment programme"
    assert (intervention.programme, intervention.referral) == (programme, referral)
    assert (referral.offender, referral.sentence, referral.referred_by) == (
        sentence.offender,
        sentence,
        officer,
    )
    [note] = Casenote.objects.filter(summary="Sentence plan agreed")
    assert note.sentence == sentence and note.author == officer
    assert "Objective: Stay free of drugs" in note.text
    assert "Drug treatment programme (Te Whare Oranga)" in note.text
    assert [row.action for row in audit_rows(plan)] == [AuditAction.CREATE, AuditAction.UPDATE]
    assert audit_rows(plan)[1].changes["status"] == ["draft", "agreed"]
    assert all(
        row.offender_id == sentence.offender_id for row in audit_rows(activity) + audit_rows(objective)
    )


def test_a_plan_starts_in_its_category_in_the_one_category_history(officer, sentence):
    plan = written(officer, sentence, category=PlanCategory.INTERVENTION)

    [change] = SentencePlanCategoryChange.objects.all()
    assert (change.offender, change.plan, change.category) == (
        sentence.offender,
        plan,
        PlanCategory.INTERVENTION,
    )
    assert services.current_category(plan) == PlanCategory.INTERVENTION


def test_a_sentence_has_one_current_plan(officer, sentence):
    plan = agreed(officer, sentence)

    with pytest.raises(ValidationError, match="already has a current plan"):
        written(officer, sentence)
    services.plan_close(actor=officer, plan=plan, closed_on=today(), reason="Replaced after a review")
    again = written(officer, sentence)

    assert again.status == PlanStatus.DRAFT
    assert SentencePlan.objects.filter(sentence=sentence).count() == 2


def test_the_database_also_refuses_a_second_current_plan(officer, sentence):
    plan = written(officer, sentence)

    with pytest.raises(IntegrityError), transaction.atomic():
        SentencePlan.objects.create(
            offender=plan.offender, sentence=sentence, written_by=officer, written_on=today()
        )


def test_a_completed_sentence_takes_no_new_plan(officer, offender):
    sentence = SentenceFactory(
        offender=offender,
        status=SentenceStatus.COMPLETED,
        completed_on=today(),
        completion_reason=CompletionReason.NORMAL,
    )

    with pytest.raises(ValidationError, match="completed"):
        written(officer, sentence)


def test_a_plan_is_agreed_with_an_objective_and_a_later_review(officer, sentence):
    plan = written(officer, sentence)

    with pytest.raises(ValidationError) as refused:
        services.plan_agree(actor=officer, plan=plan, agreed_on=today(), review_on=today())

    assert refused.value.message_dict == {
        "__all__": ["Add at least one objective before the plan is agreed."],
        "review_on": ["The review must be after the plan is agreed."],
    }
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT
    assert not Casenote.objects.exists()


def test_an_agreed_plan_is_reviewed_with_a_casenote(officer, sentence):
    plan = agreed(officer, sentence)

    plan = services.plan_review(
        actor=officer, plan=plan, reviewed_on=today(), review_on=today() + 90 * DAY, note="Good progress"
    )

    assert (plan.reviewed_on, plan.review_on) == (today(), today() + 90 * DAY)
    assert plan.events.order_by("id").last().kind == PlanEventKind.REVIEWED
    assert casenote_summaries(sentence.offender)[-1] == "Sentence plan reviewed"


def test_a_plan_closes_only_once_every_activity_has_its_outcome(officer, sentence):
    plan = agreed(officer, sentence)
    activity = services.activity_add(
        actor=officer, plan=plan, description="Budgeting course", scheduled_on=today()
    )

    with pytest.raises(ValidationError, match="Record what happened to 1 activity first: Budgeting course"):
        services.plan_close(actor=officer, plan=plan, closed_on=today(), reason="Sentence ended")
    services.activity_record(actor=officer, activity=activity, to_status=ActivityStatus.COMPLETED, on=today())
    plan = services.plan_close(actor=officer, plan=plan, closed_on=today(), reason="Sentence ended")

    assert (plan.status, plan.closed_reason) == (PlanStatus.CLOSED, "Sentence ended")
    with pytest.raises(ValidationError, match="closed"):
        with_objective(officer, plan)


def test_changing_the_category_adds_to_the_history_and_the_casenotes(officer, sentence):
    plan = agreed(officer, sentence)

    change = services.plan_category_change(
        actor=officer,
        plan=plan,
        category=PlanCategory.INTERVENTION,
        changed_on=today(),
        reason="Assessed as needing intensive treatment",
    )

    assert list(plan.category_changes.order_by("changed_on", "id").values_list("category", flat=True)) == [
        PlanCategory.STANDARD,
        PlanCategory.INTERVENTION,
    ]
    assert (change.changed_by, change.offender) == (officer, sentence.offender)
    assert casenote_summaries(sentence.offender)[-1] == "Sentence plan category changed to Intervention"
    with pytest.raises(ValidationError) as refused:
        services.plan_category_change(
            actor=officer, plan=plan, category=PlanCategory.INTERVENTION, changed_on=today(), reason="Again"
        )
    assert refused.value.message_dict["category"] == ["The plan is already in the intervention category."]


# --- who may write ---------------------------------------------------------------------------------


def test_who_may_write_a_community_sentence_plan(officer, sentence, office, other_office, data_share):
    may = {
        "the supervising officer": officer,
        "the office's service manager": staff_user(Role.SERVICE_MANAGER, office=office),
        "a system administrator": staff_user(Role.SYSTEM_ADMIN, office=other_office),
    }
    may_not = {
        "an officer not on the case": staff_user(Role.PROBATION_OFFICER, office=office),
        "another office's service manager": staff_user(Role.SERVICE_MANAGER, office=other_office),
        "administrative support": staff_user(Role.ADMIN_SUPPORT, office=office),
        "a prison officer": staff_user(Role.PRISON_OFFICER, office=office),
        "the data share": data_share,
    }
    for who, user in may_not.items():
        with pytest.raises(PermissionDenied):
            services.plan_create(actor=user, sentence=sentence)
        assert not SentencePlan.objects.exists(), who
    for user in may.values():
        another = SentenceFactory(offender=sentence.offender)
        assert services.plan_create(actor=user, sentence=another).written_by == user


def test_prison_officers_write_the_plan_of_a_prisoner_at_their_prison(
    prisoner_sentence, prison_officer, office
):
    elsewhere = staff_user(Role.PRISON_OFFICER, office=office)

    with pytest.raises(PermissionDenied):
        services.plan_create(actor=elsewhere, sentence=prisoner_sentence)
    plan = services.plan_create(actor=prison_officer, sentence=prisoner_sentence)

    assert plan.written_by == prison_officer


# --- activities ------------------------------------------------------------------------------------


def test_an_unavailable_activity_says_why(officer, sentence):
    plan = agreed(officer, sentence)
    activity = services.activity_add(
        actor=officer, plan=plan, description="Literacy class", scheduled_on=today()
    )

    with pytest.raises(ValidationError) as refused:
        services.activity_record(
            actor=officer, activity=activity, to_status=ActivityStatus.UNAVAILABLE, on=today()
        )
    assert list(refused.value.message_dict) == ["reason"]

    activity = services.activity_record(
        actor=officer,
        activity=activity,
        to_status=ActivityStatus.UNAVAILABLE,
        on=today(),
        reason="Tutor left; no class this term",
    )
    assert (activity.status, activity.unavailable_reason) == (
        ActivityStatus.UNAVAILABLE,
        "Tutor left; no class this term",
    )
    assert casenote_summaries(sentence.offender)[-1] == "Literacy class not available"


def test_the_database_refuses_an_unavailable_activity_without_a_reason(officer, sentence):
    plan = written(officer, sentence)
    activity = services.activity_add(
        actor=officer, plan=plan, description="Literacy class", scheduled_on=today()
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        SentencePlanActivity.objects.filter(pk=activity.pk).update(status=ActivityStatus.UNAVAILABLE)


def test_an_activity_is_attended_then_completed_with_its_dates(officer, sentence, audit_rows):
    plan = agreed(officer, sentence)
    activity = services.activity_add(
        actor=officer, plan=plan, description="Budgeting course", scheduled_on=today() - 10 * DAY
    )

    services.activity_record(
        actor=officer, activity=activity, to_status=ActivityStatus.ATTENDED, on=today() - 9 * DAY
    )
    activity = services.activity_record(
        actor=officer, activity=activity, to_status=ActivityStatus.COMPLETED, on=today()
    )

    assert (activity.attended_on, activity.completed_on) == (today() - 9 * DAY, today())
    assert [row.changes["status"] for row in audit_rows(activity)[1:]] == [
        ["scheduled", "attended"],
        ["attended", "completed"],
    ]
    assert casenote_summaries(sentence.offender)[-1] == "Completed Budgeting course"
    with pytest.raises(ValidationError, match="cannot become"):
        services.activity_record(
            actor=officer, activity=activity, to_status=ActivityStatus.ATTENDED, on=today()
        )


def test_an_activity_not_completed_says_why(officer, sentence):
    plan = agreed(officer, sentence)
    activity = services.activity_add(
        actor=officer, plan=plan, description="Anger management", scheduled_on=today()
    )

    with pytest.raises(ValidationError):
        services.activity_record(
            actor=officer, activity=activity, to_status=ActivityStatus.NOT_COMPLETED, on=today(), reason=" "
        )
    activity = services.activity_record(
        actor=officer,
        activity=activity,
        to_status=ActivityStatus.NOT_COMPLETED,
        on=today(),
        reason="Stopped coming",
    )

    assert activity.not_completed_reason == "Stopped coming"


def test_an_objective_of_another_plan_is_refused(officer, sentence, offender):
    plan = written(officer, sentence)
    other = written(officer, SentenceFactory(offender=offender))
    objective = with_objective(officer, other)

    with pytest.raises(ValidationError) as refused:
        services.activity_add(
            actor=officer, plan=plan, description="Course", objective=objective, scheduled_on=today()
        )

    assert refused.value.message_dict["objective"] == ["That objective belongs to another plan."]


def test_an_objective_is_achieved_or_says_why_not(officer, sentence):
    plan = written(officer, sentence)
    objective = with_objective(officer, plan)

    with pytest.raises(ValidationError):
        services.objective_record(
            actor=officer, objective=objective, to_status=ObjectiveStatus.WITHDRAWN, on=today()
        )
    objective = services.objective_record(
        actor=officer, objective=objective, to_status=ObjectiveStatus.ACHIEVED, on=today()
    )

    assert (objective.status, objective.status_changed_on) == (ObjectiveStatus.ACHIEVED, today())


# --- programmes followed through their referral --------------------------------------------------


def test_a_programme_in_the_plan_follows_its_places_attendance_and_outcome(
    officer, sentence, programme, service_manager, sessions
):
    plan = agreed(officer, sentence)
    activity = services.activity_add(
        actor=officer, plan=plan, programme=programme, scheduled_on=today() - 12 * DAY
    )
    referral = activity.referral
    Referral.objects.filter(pk=referral.pk).update(referred_on=today() - 14 * DAY)
    referral.refresh_from_db()

    # The service manager records the provider's decisions: a place, then the sessions.
    referral_transition(
        actor=service_manager,
        referral=referral,
        to_status=ReferralStatus.ACCEPTED,
        on=today() - 13 * DAY,
        starts_on=today() - 12 * DAY,
    )
    attendance_record(
        actor=service_manager, referral=referral, session_on=today() - 12 * DAY, attended=False, note="Unwell"
    )
    attendance_record(actor=service_manager, referral=referral, session_on=today() - 11 * DAY, attended=True)
    attendance_record(
        actor=service_manager,
        referral=referral,
        session_on=today() - 10 * DAY,
        attended=False,
        excused=True,
        note="Court appearance",
    )
    activity.refresh_from_db()
    assert (activity.status, activity.attended_on) == (ActivityStatus.ATTENDED, today() - 11 * DAY)

    referral_transition(
        actor=service_manager,
        referral=referral,
        to_status=ReferralStatus.COMPLETED,
        on=today(),
        note="Certificate",
    )

    activity.refresh_from_db()
    assert (activity.status, activity.completed_on) == (ActivityStatus.COMPLETED, today())
    assert sessions(referral) == [
        (today() - 12 * DAY, AttendanceOutcome.ABSENT),
        (today() - 11 * DAY, AttendanceOutcome.ATTENDED),
        (today() - 10 * DAY, AttendanceOutcome.EXCUSED),
    ]
    summaries = casenote_summaries(sentence.offender)
    assert "Accepted onto Drug treatment programme: place taken" in summaries
    assert f"Absent from Drug treatment programme on {today() - 12 * DAY:%-d %b %Y}" in summaries
    # The referral's casenote says it; the activity that follows it adds no second note.
    assert summaries.count("Completed Drug treatment programme") == 1


def test_a_programme_activity_is_recorded_on_its_referral_while_that_is_open(officer, sentence, programme):
    plan = agreed(officer, sentence)
    activity = services.activity_add(actor=officer, plan=plan, programme=programme, scheduled_on=today())

    with pytest.raises(ValidationError, match="recorded on its referral"):
        services.activity_record(
            actor=officer, activity=activity, to_status=ActivityStatus.COMPLETED, on=today()
        )
    # No place on the programme: not available, through no fault of the offender's.
    activity = services.activity_record(
        actor=officer,
        activity=activity,
        to_status=ActivityStatus.UNAVAILABLE,
        on=today(),
        reason="Waiting list: no place before the sentence ends",
    )

    assert activity.status == ActivityStatus.UNAVAILABLE


def test_a_referral_declined_by_the_provider_makes_the_activity_unavailable(
    officer, sentence, programme, service_manager
):
    plan = agreed(officer, sentence)
    activity = services.activity_add(actor=officer, plan=plan, programme=programme, scheduled_on=today())

    referral_transition(
        actor=service_manager,
        referral=activity.referral,
        to_status=ReferralStatus.DECLINED,
        on=today(),
        note="Not running this quarter",
    )

    activity.refresh_from_db()
    assert activity.status == ActivityStatus.UNAVAILABLE
    assert activity.unavailable_reason == "Declined by Te Whare Oranga: Not running this quarter"


def test_a_programme_not_completed_says_why_on_the_referral_and_the_activity(
    officer, sentence, programme, service_manager
):
    plan = agreed(officer, sentence)
    activity = services.activity_add(actor=officer, plan=plan, programme=programme, scheduled_on=today())
    referral = activity.referral
    attendance_record(actor=service_manager, referral=referral, session_on=today(), attended=True)

    with pytest.raises(ValidationError) as refused:
        referral_transition(
            actor=service_manager, referral=referral, to_status=ReferralStatus.NOT_COMPLETED, on=today()
        )
    assert refused.value.message_dict == {"note": ["Say why the programme was not completed."]}
    referral_transition(
        actor=service_manager,
        referral=referral,
        to_status=ReferralStatus.NOT_COMPLETED,
        on=today(),
        note="Missed four sessions in a row",
    )

    activity.refresh_from_db()
    assert (activity.status, activity.not_completed_reason) == (
        ActivityStatus.NOT_COMPLETED,
        "Missed four sessions in a row",
    )


def test_a_withdrawn_referral_leaves_the_activity_for_the_officer_to_record(
    officer, sentence, programme, service_manager
):
    plan = agreed(officer, sentence)
    activity = services.activity_add(actor=officer, plan=plan, programme=programme, scheduled_on=today())
    referral_transition(
        actor=service_manager, referral=activity.referral, to_status=ReferralStatus.WITHDRAWN, on=today()
    )
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.SCHEDULED

    activity = services.activity_record(
        actor=officer,
        activity=activity,
        to_status=ActivityStatus.NOT_COMPLETED,
        on=today(),
        reason="Refused to go",
    )

    assert activity.status == ActivityStatus.NOT_COMPLETED


def test_planning_a_programme_already_referred_joins_the_open_referral(
    officer, sentence, programme, service_manager
):
    plan = agreed(officer, sentence)
    first = services.activity_add(actor=officer, plan=plan, programme=programme, scheduled_on=today())
    attendance_record(actor=service_manager, referral=first.referral, session_on=today(), attended=True)

    with pytest.raises(ValidationError, match="already has this programme"):
        services.activity_add(actor=officer, plan=plan, programme=programme, scheduled_on=today())
    services.activity_record(
        actor=officer, activity=first, to_status=ActivityStatus.UNAVAILABLE, on=today(), reason="Moved unit"
    )
    second = services.activity_add(actor=officer, plan=plan, programme=programme, scheduled_on=today())

    assert second.referral == first.referral
    assert second.status == ActivityStatus.ATTENDED, "it starts where the referral is"
    assert Referral.objects.count() == 1


def test_a_discontinued_programme_cannot_be_planned(officer, sentence):
    plan = written(officer, sentence)
    programme = ProgrammeFactory(status="discontinued", discontinued_on=today())

    with pytest.raises(ValidationError) as refused:
        services.activity_add(actor=officer, plan=plan, programme=programme, scheduled_on=today())

    assert refused.value.message_dict["programme"] == ["That programme has been discontinued."]
