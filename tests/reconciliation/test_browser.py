"""An administrative support officer reconciles an exception in a real browser: open the office's
report, open the exception, resolve it with the reason and the change made, and find it again
among the resolved ones — with an accessibility check (axe-core) on each page."""

import datetime

import pytest
from django.utils import timezone

from audit.models import AuditAction, AuditEvent
from reconciliation.detection import exceptions_scan
from reconciliation.models import DataException, ExceptionStatus
from sentences.models import SentenceType
from staff.roles import Role
from tests.browser_support import assert_accessible, log_in
from tests.factories import OffenderFactory, SentenceFactory, staff_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"


@pytest.fixture
def page(chromium_browser, live_server):
    context = chromium_browser.new_context(base_url=live_server.url, locale="en-NZ")
    browser_page = context.new_page()
    browser_page.set_default_timeout(15_000)
    yield browser_page
    context.close()


@pytest.fixture
def clerk_and_problem(office):
    clerk = staff_user(Role.ADMIN_SUPPORT, office=office, username="mere.clerk", first_name="Mere")
    offender = OffenderFactory(family_name="Parata", given_names="Hemi", prn="45551234", home_office=office)
    start = timezone.localdate() - datetime.timedelta(days=30)
    sentence = SentenceFactory(
        offender=offender,
        sentence_type=SentenceType.IMPRISONMENT,
        order_date=start,
        start_date=start,
        end_date=start + datetime.timedelta(days=540),
        statutory_release_date=None,
    )
    exceptions_scan()
    return clerk, DataException.objects.get(sentence=sentence)


def test_admin_support_reconciles_an_exception_end_to_end(page, clerk_and_problem):
    clerk, exception = clerk_and_problem
    log_in(page, "mere.clerk", PASSWORD)

    page.goto("/exceptions/")
    page.get_by_role("heading", name="Exceptions report", level=1).wait_for()
    row = page.get_by_role("row").filter(has_text="PARATA, Hemi")
    assert "no statutory release date (SRD)" in row.inner_text()
    assert "Open" in row.inner_text()
    chart = page.get_by_role("img", name="Exceptions opened and resolved each week")
    assert chart.count() == 1, "the trend chart has an accessible name"
    assert_accessible(page, context="exceptions report")

    row.get_by_role("link", name=f"Exception {exception.pk}").click()
    page.get_by_role("heading", name=f"Exception {exception.pk}", level=1).wait_for()
    assert page.get_by_role("link", name="PARATA, Hemi").count() == 1, "the offender's record is linked"
    assert_accessible(page, context="exception page")

    page.get_by_role("button", name="Resolve the exception").click()
    page.get_by_role("heading", name="There is a problem").wait_for()
    assert page.locator("[aria-invalid=true]").count() == 2, "reason and change are both required"
    assert DataException.objects.get(pk=exception.pk).status == ExceptionStatus.OPEN
    assert_accessible(page, context="resolve form with errors")

    page.get_by_label("Reason").fill("Checked against the court order and the warrant on the file")
    page.get_by_label("Change made").fill("Entered the SRD of 12 March 2028 from the court order")
    page.get_by_role("button", name="Resolve the exception").click()
    page.get_by_text("Resolved the exception.").wait_for()
    assert page.locator(".status .tag").inner_text() == "Resolved"
    assert "Entered the SRD of 12 March 2028" in page.content()

    page.get_by_role("link", name="Exceptions report").click()
    page.get_by_role("heading", name="Exceptions report", level=1).wait_for()
    assert page.get_by_role("link", name=f"Exception {exception.pk}").count() == 0, "no longer outstanding"
    page.get_by_label("Search").fill("45551234")
    page.get_by_label("Status").select_option(label="Any status (includes resolved)")
    page.get_by_role("button", name="Show exceptions").click()
    row = page.get_by_role("row").filter(has_text="PARATA, Hemi")
    row.wait_for()
    assert "Resolved" in row.inner_text(), "resolved exceptions stay searchable"
    assert_accessible(page, context="search including resolved exceptions")

    exception.refresh_from_db()
    assert exception.status == ExceptionStatus.RESOLVED
    assert exception.resolved_by == clerk
    assert exception.change_made == "Entered the SRD of 12 March 2028 from the court order"
    assert AuditEvent.objects.filter(
        actor=clerk, action=AuditAction.UPDATE, object_id=str(exception.pk)
    ).exists()
