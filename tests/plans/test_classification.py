"""Seed 003, A.5.5 (motivation) reads the sentence plan's activities and its category history:
activities that belong to a plan are pre-populated exactly as the prison's earlier records are."""

import pytest

from classification.models import ActivityStatus, PlanCategory
from classification.prepopulate import prepopulate
from classification.selectors import prisoner_records
from plans import services
from plans.models import NeedArea
from tests.classification.factories import SentencePlanActivityFactory
from tests.plans.conftest import DAY, today

pytestmark = pytest.mark.django_db


def motivation(offender):
    return prepopulate(prisoner_records([offender.pk])[offender.pk], today())["A.5.5"]


@pytest.fixture
def plan(prisoner_sentence, prison_officer):
    plan = services.plan_create(
        actor=prison_officer, sentence=prisoner_sentence, written_on=today() - 100 * DAY
    )
    services.objective_add(
        actor=prison_officer,
        plan=plan,
        text="Gain a trade",
        need_area=NeedArea.EDUCATION_EMPLOYMENT,
        target_on=today(),
    )
    return services.plan_agree(
        actor=prison_officer, plan=plan, agreed_on=today() - 99 * DAY, review_on=today()
    )


def planned(plan, officer, description, days_ago=60):
    return services.activity_add(
        actor=officer, plan=plan, description=description, scheduled_on=today() - days_ago * DAY
    )


def record(officer, activity, status, reason=""):
    return services.activity_record(
        actor=officer, activity=activity, to_status=status, on=today(), reason=reason
    )


def test_every_plan_activity_completed_or_unavailable_is_good(plan, prison_officer):
    record(prison_officer, planned(plan, prison_officer, "Carpentry"), ActivityStatus.COMPLETED)
    record(
        prison_officer,
        planned(plan, prison_officer, "Literacy"),
        ActivityStatus.UNAVAILABLE,
        reason="Tutor on leave all term",
    )

    answer = motivation(plan.offender)

    assert answer.option == "good"
    assert {source.label for source in answer.sources} == {"classification.SentencePlanActivity"}
    assert len(answer.sources) == 2


def test_some_plan_activities_completed_is_average_and_none_is_poor(plan, prison_officer):
    carpentry = planned(plan, prison_officer, "Carpentry")
    literacy = planned(plan, prison_officer, "Literacy")
    record(prison_officer, literacy, ActivityStatus.NOT_COMPLETED, reason="Stopped attending")
    assert motivation(plan.offender).option == "poor"

    record(prison_officer, carpentry, ActivityStatus.COMPLETED)

    assert motivation(plan.offender).option == "average"


def test_the_plan_changed_to_intervention_is_good(plan, prison_officer):
    planned(plan, prison_officer, "Carpentry")  # scheduled, not attended
    assert motivation(plan.offender).option == "poor"

    services.plan_category_change(
        actor=prison_officer,
        plan=plan,
        category=PlanCategory.INTERVENTION,
        changed_on=today() - 10 * DAY,
        reason="Referred for intensive treatment",
    )

    assert motivation(plan.offender).option == "good"


def test_plan_activities_and_earlier_records_are_read_together(plan, prison_officer):
    SentencePlanActivityFactory(
        offender=plan.offender, status=ActivityStatus.SCHEDULED, scheduled_on=today() - 30 * DAY
    )
    record(prison_officer, planned(plan, prison_officer, "Carpentry"), ActivityStatus.COMPLETED)

    assert motivation(plan.offender).option == "average"


def test_activities_older_than_six_months_are_not_read(plan, prison_officer):
    planned(plan, prison_officer, "Old course", days_ago=200)  # scheduled, never attended

    answer = motivation(plan.offender)

    assert answer.option == "good"
    assert answer.sources == ()
