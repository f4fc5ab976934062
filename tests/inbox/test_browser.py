"""Officers clear items from their inbox in a real browser: open the inbox from the main menu,
follow the item to where the work is done, do it, come back, and the item is gone. axe-core checks
each inbox page on the way."""

import pytest

from classification.models import Review, ReviewStatus
from classification.services import review_initiate, review_submit
from reconciliation.models import DataException, ExceptionStatus
from staff.roles import Role
from tests.browser_support import assert_accessible, log_in
from tests.factories import OffenderFactory, staff_user
from tests.inbox.conftest import classified_prisoner, data_exception

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"


@pytest.fixture
def page(chromium_browser, live_server):
    context = chromium_browser.new_context(base_url=live_server.url, locale="en-NZ")
    browser_page = context.new_page()
    browser_page.set_default_timeout(15_000)
    yield browser_page
    context.close()


def open_inbox(page) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Inbox").click()
    page.get_by_role("heading", name="My inbox", level=1).wait_for()


def test_an_officer_clears_an_exception_from_their_inbox(page, office):
    staff_user(Role.ADMIN_SUPPORT, office, username="mere.clerk", first_name="Mere", last_name="Clerk")
    manager = staff_user(Role.SERVICE_MANAGER, office, username="sam.manager", first_name="Sam")
    offender = OffenderFactory(family_name="Parata", given_names="Hemi", home_office=office)
    exception = data_exception(office, offender=offender, opened_days_ago=7)

    log_in(page, "mere.clerk", PASSWORD)
    open_inbox(page)
    row = page.get_by_role("row").filter(has_text="PARATA, Hemi")
    assert "2 days overdue" in row.inner_text()
    assert "Exceptions to reconcile" in row.inner_text()
    assert_accessible(page, context="an inbox with an overdue item")

    row.get_by_role("link", name="Reconcile: Key dates missing for the sentence type").click()
    page.get_by_role("heading", name=f"Exception {exception.pk}", level=1).wait_for()
    page.get_by_label("Reason").fill("Checked against the court order and the warrant on the file")
    page.get_by_label("Change made").fill("Entered the SRD of 12 March 2028 from the court order")
    page.get_by_role("button", name="Resolve the exception").click()
    page.get_by_text("Resolved the exception.").wait_for()

    open_inbox(page)
    assert page.get_by_role("row").filter(has_text="PARATA, Hemi").count() == 0
    page.get_by_text("Nothing is waiting for you.").wait_for()
    assert_accessible(page, context="an empty inbox")
    assert DataException.objects.get(pk=exception.pk).status == ExceptionStatus.RESOLVED

    # The manager's team inbox no longer lists it either.
    page.get_by_role("button", name="Log out").click()
    log_in(page, manager.username, PASSWORD)
    page.goto("/inbox/team/")
    page.get_by_role("heading", name="Team inbox", level=1).wait_for()
    assert page.get_by_role("row").filter(has_text="PARATA, Hemi").count() == 0
    assert page.get_by_role("row").filter(has_text="Mere Clerk").count() == 1
    assert_accessible(page, context="a team inbox")


def test_a_recommending_officer_clears_a_review_from_their_inbox(page, office, v1):
    from staff.models import Office, OfficeKind

    prison = Office.objects.create(code="ARO01", name="Arohata Prison", kind=OfficeKind.PRISON)
    initiator = staff_user(Role.PRISON_OFFICER, prison, username="aroha.po")
    staff_user(Role.RECOMMENDING_OFFICER, prison, username="ben.ro", first_name="Ben")
    inmate = classified_prisoner(prison, family_name="Tawhiri")
    review = review_submit(actor=initiator, review=review_initiate(actor=initiator, offender=inmate))

    log_in(page, "ben.ro", PASSWORD)
    open_inbox(page)
    row = page.get_by_role("row").filter(has_text="TAWHIRI")
    row.get_by_role("link", name="Recommend the classification review").click()
    page.get_by_role("heading", name="Review Security Classification", level=1).wait_for()
    # Check-your-answers and its declaration come before the recommendation (issue 14).
    page.get_by_role("link", name="Check the review and recommend it").click()
    page.get_by_role("checkbox", name="I confirm that").check()
    page.get_by_role("button", name="Recommend", exact=True).click()
    page.get_by_role("heading", name="Review recommended", level=1).wait_for()
    assert Review.objects.get(pk=review.pk).status == ReviewStatus.RECOMMENDED

    open_inbox(page)
    assert page.get_by_role("row").filter(has_text="TAWHIRI").count() == 0
    assert_accessible(page, context="the recommending officer's inbox after recommending")
