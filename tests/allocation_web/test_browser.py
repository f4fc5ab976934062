"""A service manager works the allocation queue end to end in a real browser: open the queue, open
the most urgent request, complete the checklist, choose an officer other than the suggestion (with a
reason), and see the request leave the queue — with an accessibility check on every page."""

import pytest

from allocation.models import AllocateRequest, AllocateRequestStatus, Notification
from staff.roles import Role
from tests.allocation.helpers import DAY, ensure_weights, record_sentence, today
from tests.browser_support import assert_accessible, log_in
from tests.factories import OffenderFactory, staff_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"


@pytest.fixture
def page(chromium_browser, live_server):
    context = chromium_browser.new_context(base_url=live_server.url, locale="en-NZ")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_manager_works_the_queue_end_to_end(page, office):
    ensure_weights()
    manager = staff_user(Role.SERVICE_MANAGER, office=office, username="hine.manager", first_name="Hine")
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

    page.goto("/allocation/queue/")
    log_in(page, "hine.manager", PASSWORD)
    page.goto("/allocation/queue/")
    queue = page.locator("#queue tbody tr")
    assert queue.count() == 2
    assert "TAMIHANA" in queue.first.inner_text() and "Overdue by 2 days" in queue.first.inner_text()
    assert "Pre-allocation" in queue.nth(1).inner_text() and "13 days left" in queue.nth(1).inner_text()
    assert_accessible(page, context="allocation queue")

    queue.first.get_by_role("link").click()
    page.get_by_role("heading", name="Allocate Wiremu Tamihana").wait_for()
    assert_accessible(page, context="allocate request")
    for step in ("due_checked", "order_received", "order_recorded", "file_set_up"):
        page.locator(f"#step-{step}").get_by_role("button").click()
        page.locator(f"#step-{step}").get_by_text("Done", exact=True).wait_for()
    ows = page.locator("#step-ows_reviewed")
    ows.get_by_role("button").click()
    assert "Record the outcome" in ows.inner_text(), "the error shows next to the step"
    ows.get_by_label("Outcome").fill("No OWS criteria met")
    ows.get_by_role("button").click()
    page.get_by_text("Every applicable step is done.").wait_for()

    page.get_by_label("Ben Smith", exact=False).check()
    page.get_by_role("button", name="Allocate").click()
    assert "rather than the suggested Aroha Ngata" in page.content()
    assert_accessible(page, context="allocate request with an error")
    page.get_by_label("Why not the suggested officer").fill("Ben knows the whānau")
    page.get_by_role("button", name="Allocate").click()

    page.get_by_text("Wiremu Tamihana is allocated to Ben Smith.").wait_for()
    assert page.locator("#queue tbody tr").count() == 1
    request = AllocateRequest.objects.get(offender=urgent)
    assert request.status == AllocateRequestStatus.ALLOCATED
    assert request.override_reason == "Ben knows the whānau"
    assert Notification.objects.filter(recipient=ben).count() == 1
