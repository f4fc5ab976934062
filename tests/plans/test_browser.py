"""A sentence plan from writing to a completed activity, in a real browser, by the supervising
officer using ONLY the keyboard: every control is reached with Tab, chosen with the arrow keys,
filled by typing and pressed with Enter. axe-core checks each page on the way."""

import pytest

from classification.models import ActivityStatus, PlanCategory
from plans.models import NeedArea, PlanStatus, SentencePlan
from tests.browser_support import (
    assert_accessible,
    choose,
    choose_radio,
    keyboard_log_in,
    press,
    tab_to,
    type_date,
)
from tests.plans.conftest import DAY, today

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"


def log_in(page, username: str) -> None:
    keyboard_log_in(page, username, PASSWORD)


def test_an_officer_writes_and_agrees_a_plan_and_records_an_activity_by_keyboard_only(
    page, officer, offender, sentence
):
    log_in(page, "supervisor")
    page.goto(f"/offenders/{offender.pk}/")
    press(page, page.get_by_role("link", name="Sentence plans", exact=True).first)
    page.get_by_role("heading", name="Sentence plans", level=2).wait_for()
    assert_accessible(page, context="the record's sentence plans")

    # Write the plan: Standard, written today.
    press(page, page.get_by_role("link", name="Write a plan"))
    assert_accessible(page, context="the form to write a plan")
    choose_radio(page, page.get_by_label("Intervention", exact=True))
    press(page, page.get_by_role("button", name="Write the plan"))
    page.get_by_text("Plan written as a draft").wait_for()
    assert_accessible(page, context="a draft plan")
    plan = SentencePlan.objects.get(sentence=sentence)

    # An objective, first refused without a target date (the error announced and reachable).
    press(page, page.get_by_role("link", name="Add an objective"))
    assert_accessible(page, context="the form to add an objective")
    tab_to(page, page.get_by_label("Objective", exact=True))
    page.keyboard.type("Keep every appointment with the probation officer")
    choose(page, page.get_by_label("Area of need"), NeedArea.LIFESTYLE)
    press(page, page.get_by_role("button", name="Add the objective"))
    page.get_by_role("alert").filter(has_text="There is a problem").first.wait_for()
    assert_accessible(page, context="an objective with an error")
    type_date(page, "Target date", today() + 90 * DAY)
    press(page, page.get_by_role("button", name="Add the objective"))
    page.get_by_text("Objective added.").wait_for()

    # An activity for that objective, starting today.
    press(page, page.get_by_role("link", name="Add an activity or programme"))
    assert_accessible(page, context="the form to plan an activity")
    tab_to(page, page.get_by_label("Activity (optional)", exact=True))
    page.keyboard.type("Weekly reporting")
    objective = plan.objectives.get()
    choose(page, page.get_by_label("For the objective (optional)"), str(objective.pk))
    type_date(page, "Planned start", today())
    press(page, page.get_by_role("button", name="Add the activity"))
    page.get_by_text("Activity added.").wait_for()
    assert_accessible(page, context="a draft plan with an objective and an activity")

    # The offender agrees the plan; it is reviewed in three months.
    press(page, page.get_by_role("link", name="Record the agreement"))
    assert_accessible(page, context="the form to record the agreement")
    type_date(page, "Review by", today() + 91 * DAY)
    press(page, page.get_by_role("button", name="Record the agreement"))
    page.get_by_text("The plan is agreed.").wait_for()
    assert_accessible(page, context="an agreed plan")

    # The activity is completed.
    press(page, page.get_by_role("link", name="Record what happened"))
    assert_accessible(page, context="the form to record what happened")
    choose_radio(page, page.get_by_label("Completed", exact=True))
    press(page, page.get_by_role("button", name="Record", exact=True))
    page.get_by_text("Recorded: Weekly reporting.").wait_for()
    assert_accessible(page, context="an agreed plan with a completed activity")

    plan.refresh_from_db()
    assert plan.status == PlanStatus.AGREED and plan.agreed_by == officer
    assert plan.review_on == today() + 91 * DAY
    assert plan.category_changes.get().category == PlanCategory.INTERVENTION
    assert objective.text == "Keep every appointment with the probation officer"
    assert objective.target_on == today() + 90 * DAY and objective.need_area == NeedArea.LIFESTYLE
    activity = plan.activities.get()
    assert (activity.description, activity.objective_id, activity.scheduled_on) == (
        "Weekly reporting",
        objective.pk,
        today(),
    )
    assert activity.status == ActivityStatus.COMPLETED and activity.completed_on == today()
