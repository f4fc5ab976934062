"""An administrator's journey in a real browser: the court messages, a probable match confirmed
from the queue, and a correction request raised from the sentence — with an accessibility check
(axe-core) on each page."""

import datetime
import os

import pytest
from django.utils import timezone

from courts.models import CorrectionRequest, MessageStatus
from sentences.models import Sentence
from staff.roles import Role
from tests.browser_support import assert_accessible, log_in
from tests.courts.conftest import deliver, imposed
from tests.factories import OffenderFactory, staff_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct-horse-battery"
SCREENSHOTS = os.environ.get("IOMS_SCREENSHOTS")  # a directory, to look at the pages


@pytest.fixture
def page(chromium_browser, live_server):
    context = chromium_browser.new_context(base_url=live_server.url, locale="en-NZ")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def _shot(page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)


def test_an_administrator_confirms_a_match_and_raises_a_correction(page, reference_data, office):
    staff_user(Role.ADMIN_SUPPORT, office=office, username="mere.admin", first_name="Mere")
    wiremu = OffenderFactory(
        family_name="Tamihana",
        given_names="Wiremu James",
        date_of_birth=datetime.date(1990, 5, 17),
        home_office=office,
    )
    deliver(imposed("CMS-B1", offender={"family_name": "Tamihanna", "given_names": "Wiremu James",
                                         "date_of_birth": "1990-05-17"}))  # fmt: skip
    deliver(b'{"message_id": "CMS-B2", "message_type": "sentence.imposed", ')

    page.goto("/courts/messages/")
    log_in(page, "mere.admin", PASSWORD)
    page.goto("/courts/messages/")
    assert page.get_by_role("heading", level=1).inner_text() == "Court messages"
    # A body that is not JSON has no message ID to file it under; it is listed all the same.
    assert page.get_by_role("row").filter(has_text="(no message ID)").get_by_text("Rejected").count() == 1
    assert_accessible(page, context="court message list")
    _shot(page, "message-list")

    page.get_by_role("link", name="(no message ID)").click()
    page.wait_for_load_state()
    assert "The body is not valid JSON" in page.content()
    assert (
        page.get_by_role("region", name="The message body as received")
        .inner_text()
        .startswith('{"message_id": "CMS-B2"')
    )
    assert_accessible(page, context="rejected message")
    _shot(page, "message-rejected")

    page.goto("/courts/matches/")
    assert_accessible(page, context="match queue")
    _shot(page, "match-queue")
    page.get_by_role("link", name="Confirm Wiremu James Tamihana for CMS-B1").click()
    assert_accessible(page, context="confirm a match")
    page.get_by_role("button", name="Confirm: this is the same person").click()
    page.wait_for_load_state("networkidle")
    assert "applied" in page.get_by_role("status").first.inner_text() or "applied" in page.content()
    sentence = Sentence.objects.get(offender=wiremu)
    _shot(page, "message-processed")

    page.goto(f"/courts/corrections/new/{wiremu.pk}/?sentence={sentence.pk}")
    page.get_by_role("button", name="Raise the request").click()
    page.wait_for_load_state()
    assert page.get_by_role("alert").count() >= 1, "the errors are summarised"
    assert_accessible(page, context="correction form with errors")
    _shot(page, "correction-errors")
    page.get_by_label("Expiry date (SED)").check()
    page.get_by_label("What is wrong").fill("The expiry date is a year out")
    page.get_by_label("What it should be").fill("2 June, as the court order says")
    page.get_by_role("button", name="Raise the request").click()
    page.wait_for_load_state("networkidle")
    request = CorrectionRequest.objects.get()
    assert page.get_by_role("heading", level=1).inner_text() == f"Correction request {request.reference}"
    assert_accessible(page, context="correction request")
    _shot(page, "correction-detail")

    page.get_by_role("link", name="Record as sent to the courts").click()
    page.get_by_role("button", name="Record as sent").click()
    page.wait_for_load_state("networkidle")
    request.refresh_from_db()
    assert request.status == "sent"
    assert request.sent_at <= timezone.now()
    page.goto("/courts/corrections/")
    assert request.reference in page.content()
    assert_accessible(page, context="correction list")
    _shot(page, "correction-list")
    assert Sentence.objects.get(offender=wiremu).court_messages.get().status == MessageStatus.PROCESSED
