"""Issue 13, in a real browser: a prison officer records a newly received prisoner's classification
at reception, an incident with a misconduct charge and an escape conviction, then starts a review
whose pre-populated answers reflect them (seed 003: "IOMS is used as the principal source for
information required for this form"). axe-core checks each page on the way."""

import pytest

from classification.models import Review, SecurityClassification
from staff.models import OfficeKind
from staff.roles import Role
from tests.browser_support import assert_accessible, fill_date, log_in
from tests.classification.factories import days_ago, prisoner, today
from tests.factories import OffenderFactory, OfficeFactory, staff_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"


@pytest.fixture
def page(chromium_browser, live_server):
    context = chromium_browser.new_context(base_url=live_server.url, locale="en-NZ")
    browser_page = context.new_page()
    browser_page.set_default_timeout(15_000)
    yield browser_page
    context.close()


def save(page, name: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=name).click()


def test_a_prison_officer_records_reception_incident_and_escape_then_reviews(page, v1):
    prison = OfficeFactory(kind=OfficeKind.PRISON, name="Auckland Region Women's Corrections Facility")
    staff_user(Role.PRISON_OFFICER, prison, username="hine.receives", first_name="Hine")
    inmate = prisoner(
        managing_office=prison, offender=OffenderFactory(family_name="Kereama", given_names="Ana")
    )
    log_in(page, "hine.receives", PASSWORD)

    # Reception: no classification yet, so no review; the officer records the initial one.
    page.goto(f"/classification/prisoners/{inmate.pk}/")
    with page.expect_navigation():
        page.get_by_role("link", name="Record the initial classification").click()
    assert_accessible(page, context="the initial classification form")
    page.get_by_role("group", name="Internal category").get_by_label("B").check()
    page.get_by_role("group", name="External category").get_by_label("A").check()
    fill_date(page, "Takes effect on", today())
    save(page, "Record the classification")
    page.get_by_text("Initial classification recorded").wait_for()
    assert SecurityClassification.objects.get(offender=inmate).kind == "initial"

    # An incident with a Corrections Act charge: first without the date it was laid.
    with page.expect_navigation():
        page.get_by_role("link", name="Prison records").click()
    assert_accessible(page, context="the prison records")
    with page.expect_navigation():
        page.get_by_role("link", name="Record an incident or misconduct report").click()
    page.get_by_text("Sources: IOMS Incident Reports, Misconduct Reports").wait_for()
    fill_date(page, "Date of the incident", days_ago(10))
    page.get_by_role("group", name="What happened").get_by_label("Breach of prison rules").check()
    page.get_by_role("group", name="Misconduct charge under the Corrections Act").get_by_label(
        "Charged under the Corrections Act"
    ).check()
    save(page, "Save")
    page.get_by_role("alert").filter(has_text="There is a problem").first.wait_for()
    assert_accessible(page, context="an incident report with an error")
    fill_date(page, "Date the misconduct charge was laid", days_ago(9))
    save(page, "Save")
    page.get_by_text("Incident or misconduct report recorded.").wait_for()

    # An escape for which the prisoner was convicted (seed 003, A.2.1 counts only those).
    with page.expect_navigation():
        page.get_by_role("link", name="Record an escape or attempted escape").click()
    assert_accessible(page, context="the escape form")
    page.get_by_role("group", name="Kind").get_by_label("Escape", exact=True).check()
    page.get_by_role("group", name="Escaped from").get_by_label("Prison").check()
    fill_date(page, "Date of the incident", days_ago(400))
    fill_date(page, "Date of conviction", days_ago(100))
    save(page, "Save")
    page.get_by_text("Escape or attempted escape recorded.").wait_for()
    assert_accessible(page, context="the prison records with an incident and an escape")

    # The review is now possible, and its answers come from what was recorded.
    page.goto(f"/classification/prisoners/{inmate.pk}/")
    page.get_by_role("group", name="Why is the review being done?").get_by_label(
        "Change of circumstances"
    ).check()
    save(page, "Start the review")
    page.get_by_role("heading", name="Review Security Classification", level=1).wait_for()
    assert_accessible(page, context="the review started after the records")
    review = Review.objects.get(offender=inmate)
    assert review.answers["A.2.1"]["option"] == "under_1y"
    assert review.answers["A.4.3"]["option"] == "1"
    assert "Less than 1 year" in page.get_by_role("row").filter(has_text="A.2.1").first.inner_text()
