"""Issue 14, "prison officer: review with check-your-answers": a prison officer starts a review,
changes an answer from its question, checks their answers, is stopped by the missing
declaration, ticks it and submits, reaching the confirmation panel. Keyboard only; axe-core on
each page; at 1280 px and at 320 px wide, where the page must not scroll sideways."""

import pytest

from classification.models import (
    ClassificationKind,
    HealthStabilityAssessment,
    Review,
    ReviewStatus,
    Stability,
)
from classification.services import security_classification_record
from staff.models import OfficeKind
from staff.roles import Role
from tests.browser_support import assert_accessible
from tests.classification.factories import days_ago, prisoner
from tests.classification.test_review_browser import log_in, press, tab_to
from tests.factories import OffenderFactory, OfficeFactory, staff_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(params=[1280, 320], ids=["1280px", "320px"])
def page(request, chromium_browser, live_server):
    context = chromium_browser.new_context(
        base_url=live_server.url, locale="en-NZ", viewport={"width": request.param, "height": 900}
    )
    browser_page = context.new_page()
    browser_page.set_default_timeout(15_000)
    yield browser_page
    context.close()


@pytest.fixture
def inmate(v1):
    prison = OfficeFactory(kind=OfficeKind.PRISON, name="Arohata Prison")
    staff_user(Role.PRISON_OFFICER, prison, username="aroha.initiates", first_name="Aroha")
    offender = prisoner(
        managing_office=prison, offender=OffenderFactory(family_name="Tawhiri", given_names="Rewi")
    )
    security_classification_record(
        actor=None,
        offender=offender,
        kind=ClassificationKind.INITIAL,
        internal_category="B",
        external_category="B",
        effective_on=days_ago(200),
    )
    HealthStabilityAssessment.objects.create(
        offender=offender, assessed_on=days_ago(20), stability=Stability.STABLE
    )
    return offender


def check(page, context: str) -> None:
    """axe-core finds nothing, and the page itself never scrolls sideways (tables may, in their
    own container)."""
    assert_accessible(page, context=f"{context} at {page.viewport_size['width']} px")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{context} scrolls sideways by {overflow} px at {page.viewport_size['width']} px"


def test_a_prison_officer_completes_a_review_through_check_your_answers_by_keyboard(page, inmate):
    log_in(page, "aroha.initiates")
    page.goto(f"/classification/prisoners/{inmate.pk}/")
    page.get_by_role("heading", name="Security classification").wait_for()
    check(page, "a prisoner's classification")

    # No reason is chosen for the officer: without one, nothing starts.
    press(page, page.get_by_role("button", name="Start the review"))
    page.get_by_role("alert").filter(has_text="Choose why the review is being done.").wait_for()
    assert not Review.objects.filter(offender=inmate).exists()
    tab_to(page, page.get_by_role("group", name="Why is the review being done?").get_by_label("Review due"))
    page.keyboard.press("Space")
    press(page, page.get_by_role("button", name="Start the review"))
    page.get_by_role("heading", name="Review Security Classification", level=1).wait_for()
    check(page, "a review waiting for its initiating officer")

    # The answer to change is chosen by its question; the change page asks it, with radios.
    press(page, page.get_by_role("link", name="Change the answer to A.3.1"))
    page.get_by_role("group", name="Stability").wait_for()
    check(page, "changing an answer")
    tab_to(page, page.get_by_label("Stable (S)"))
    page.keyboard.press("ArrowDown")
    tab_to(page, page.get_by_label("Why is the pre-populated answer wrong?"))
    page.keyboard.type("Medical opinion of 2 November: poses a risk to others")
    press(page, page.get_by_role("button", name="Change the answer"))
    assert "Unstable (U)" in page.get_by_role("row").filter(has_text="A.3.1").inner_text()

    # Check your answers: every answer, the scores, a Change link back to the question.
    press(page, page.get_by_role("link", name="Check your answers and submit"))
    page.get_by_role("heading", name="Check your answers before submitting the review", level=1).wait_for()
    check(page, "check your answers")
    corrected = page.locator("#item-a31")
    assert "Unstable (U)" in corrected.inner_text() and "Corrected" in corrected.inner_text()

    # Submitting without the declaration is refused, with the error linked to the box.
    tab_to(page, page.get_by_label("Your comments"))
    page.keyboard.type("Every answer checked against the file.")
    press(page, page.get_by_role("button", name="Submit for recommendation"))
    page.get_by_role("alert").filter(has_text="Tick the box to confirm the declaration.").wait_for()
    assert page.title().startswith("Error: ")
    check(page, "check your answers with an error")
    assert Review.objects.get(offender=inmate).status == ReviewStatus.INITIATED

    tab_to(page, page.get_by_role("checkbox", name="I confirm that"))
    page.keyboard.press("Space")
    press(page, page.get_by_role("button", name="Submit for recommendation"))
    page.get_by_role("heading", name="Review submitted for recommendation", level=1).wait_for()
    assert "What happens next" in page.content()
    check(page, "the confirmation")

    review = Review.objects.get(offender=inmate)
    assert review.status == ReviewStatus.SUBMITTED
    assert review.answers["A.3.1"]["option"] == "U"
    assert review.initiator_comments == "Every answer checked against the file."
