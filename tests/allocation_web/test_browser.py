"""A service manager works the allocation queue end to end in a real browser: open the queue, open
the most urgent request's task list, complete each checklist step on its own page, choose an officer
other than the suggestion (with a reason), see the confirmation and the request leave the queue —
with an accessibility check on every page at 1280 px and at 320 px (no sideways scrolling), and
one step completed with the keyboard alone."""

import pytest

from allocation.models import AllocateRequest, AllocateRequestStatus, ChecklistStep, Notification
from staff.roles import Role
from tests.allocation.helpers import DAY, ensure_weights, record_sentence, today
from tests.browser_support import (
    assert_accessible,
    check_page,
    follow,
    log_in,
    tab_to,
    tab_to_button,
    tab_to_link,
)
from tests.factories import OffenderFactory, staff_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"


def task_status(page, row_id: str) -> str:
    return page.locator(f"#{row_id}-status").inner_text().strip()


@pytest.fixture
def queue(office):
    ensure_weights()
    manager = staff_user(
        Role.SERVICE_MANAGER, office=office, username="hine.manager", first_name="Hine", last_name="Walker"
    )
    staff_user(Role.PROBATION_OFFICER, office=office, username="aroha", first_name="Aroha", last_name="Ngata")
    ben = staff_user(
        Role.PROBATION_OFFICER, office=office, username="ben", first_name="Ben", last_name="Smith"
    )
    urgent = OffenderFactory(family_name="Tamihana", given_names="Wiremu", home_office=office)
    record_sentence(manager, urgent)
    AllocateRequest.objects.filter(offender=urgent).update(due_on=today() - 2 * DAY)
    record_sentence(
        manager,
        OffenderFactory(family_name="Parata", given_names="Mere", home_office=office),
        "home_detention",
        start=today() + 14 * DAY,
    )
    return {"urgent": urgent, "ben": ben}


def test_manager_works_the_queue_end_to_end_through_the_task_list(page, queue):
    page.goto("/allocation/queue/")
    log_in(page, "hine.manager", PASSWORD)
    page.goto("/allocation/queue/")
    rows = page.locator("#queue tbody tr")
    assert rows.count() == 2
    assert "TAMIHANA" in rows.first.inner_text() and "Overdue by 2 days" in rows.first.inner_text()
    assert "Pre-allocation" in rows.nth(1).inner_text() and "13 days left" in rows.nth(1).inner_text()
    assert_accessible(page, context="allocation queue")

    rows.first.get_by_role("link").click()
    page.get_by_role("heading", name="Allocate Wiremu Tamihana").wait_for()
    assert task_status(page, "task-officer") == "Cannot start yet"
    check_page(page, "task list")
    for number, step in enumerate(("due_checked", "order_received", "order_recorded", "file_set_up")):
        page.locator(f"#step-{step}").get_by_role("link").click()
        if number == 0:
            page.get_by_role("button", name="Save and return to the task list").click()
            page.get_by_text("Confirm that this step is done").first.wait_for()
            check_page(page, "a step with an error")
        page.get_by_role("checkbox").check()
        page.get_by_role("button", name="Save and return to the task list").click()
        page.locator(f"#step-{step}-status").get_by_text("Completed").wait_for()
    assert "In progress" in page.locator("#checklist-status").inner_text()

    page.locator("#step-ows_reviewed").get_by_role("link").click()
    page.wait_for_load_state()
    assert page.locator("#reveal-outcome").is_hidden(), "the follow-up field shows once its radio is chosen"
    page.get_by_label("Yes, I have reviewed them now").check()
    page.get_by_role("button", name="Save and return to the task list").click()
    page.get_by_text("Enter the outcome of the review.").first.wait_for()
    check_page(page, "the OWS step with an error")
    page.get_by_label("Outcome of the review").fill("No OWS criteria met")
    page.get_by_role("button", name="Save and return to the task list").click()
    page.locator("#checklist-status").get_by_text("Completed").wait_for()
    assert task_status(page, "task-officer") == "Not started"

    page.get_by_role("link", name="Choose the probation officer").click()
    check_page(page, "choose the officer")
    page.get_by_label("Ben Smith").check()
    page.get_by_role("button", name="Allocate").click()
    page.get_by_text("rather than the suggested Aroha Ngata").first.wait_for()
    check_page(page, "choose the officer with an error")
    page.get_by_label("Why not the suggested officer").fill("Ben knows the whānau")
    page.get_by_role("button", name="Allocate").click()

    page.get_by_role("heading", name="Wiremu Tamihana is allocated").wait_for()
    check_page(page, "confirmation")
    page.get_by_role("link", name="Return to the allocation queue").click()
    page.wait_for_url("**/allocation/queue/")
    page.locator("#queue").wait_for()
    assert page.locator("#queue tbody tr").count() == 1
    request = AllocateRequest.objects.get(offender=queue["urgent"])
    assert request.status == AllocateRequestStatus.ALLOCATED
    assert request.override_reason == "Ben knows the whānau"
    assert Notification.objects.filter(recipient=queue["ben"]).count() == 1


def test_a_step_is_completed_with_the_keyboard_alone(page, queue):
    request = AllocateRequest.objects.get(offender=queue["urgent"])
    log_in(page, "hine.manager", PASSWORD)
    page.goto(f"/allocation/requests/{request.pk}/")

    tab_to_link(page, "Offenders due for allocation checked")
    follow(page)
    page.get_by_role("heading", name="Offenders due for allocation checked").wait_for()
    tab_to(page, "el.type === 'checkbox'", what="the checkbox")
    page.keyboard.press("Space")
    tab_to_button(page, "Save and return to the task list")
    follow(page)

    page.locator("#step-due_checked-status").get_by_text("Completed").wait_for()
    assert request.steps.get(step=ChecklistStep.DUE_CHECKED).done_at is not None
