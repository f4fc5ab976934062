"""Feedback on slow work in a real browser (static/js/progress.js): signing in can take seconds under
load and a PDF up to twelve, so the page says it is working, to sighted and screen-reader users."""

import threading

import pytest

from documents.services import document_create
from staff.roles import Role
from tests.browser_support import assert_accessible
from tests.factories import DocumentTemplateFactory, OffenderFactory, staff_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct-horse-battery"
FAKE_PDF = b"%PDF-1.4\n% a stand-in for the renderer\n%%EOF\n"


@pytest.fixture
def page(chromium_browser, live_server):
    context = chromium_browser.new_context(base_url=live_server.url, locale="en-NZ", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def held():
    """An event the slow server-side step waits for, so the test sees the page while it works."""
    release = threading.Event()
    yield release
    release.set()  # never leave the live server's thread waiting


def test_signing_in_shows_signing_in_and_refuses_a_second_press(page, office):
    """The submission is stopped in the page after the portal's script has seen it: while a real
    one is on its way Playwright waits for the next page and cannot look at this one."""
    staff_user(Role.PROBATION_OFFICER, office=office, username="aroha.officer")
    page.goto("/accounts/login/")
    status = page.locator("#form-progress-status")
    assert status.get_attribute("role") == "status" and status.get_attribute("aria-live") == "polite"
    assert status.inner_text() == ""  # there, empty, before anything is asked for
    page.evaluate(
        """() => {
            window.submissions = 0;
            document.querySelector("main form").addEventListener("submit", (event) => {
                if (!event.defaultPrevented) { window.submissions += 1; }
                event.preventDefault();
            });
        }"""
    )
    page.get_by_label("Username").fill("aroha.officer")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").focus()
    page.keyboard.press("Enter")  # the keyboard's way of submitting

    button = page.locator("main form button[type=submit]")
    page.wait_for_function("document.querySelector('main form button[type=submit]').disabled")
    assert button.inner_text() == "Signing in…"
    assert button.get_attribute("aria-disabled") == "true"
    assert status.inner_text() == "Signing in…"
    assert_accessible(page, context="sign-in in progress")

    page.get_by_label("Password").focus()
    page.keyboard.press("Enter")  # impatient: a second press sends nothing more
    button.click(force=True)
    assert page.evaluate("window.submissions") == 1


def test_a_pdf_link_says_the_pdf_is_being_prepared_then_downloads_it(page, office, monkeypatch, held):
    officer = staff_user(Role.PROBATION_OFFICER, office=office, username="aroha.officer")
    offender = OffenderFactory(home_office=office, prn="48765432", given_names="Aroha", family_name="Ngata")
    template = DocumentTemplateFactory(
        code="psr", name="Pre-sentence report", body="<p>{{ offender.prn }}</p>"
    )
    document = document_create(actor=officer, offender=offender, template=template)

    def slow_pdf(*, version):
        held.wait(timeout=20)
        return FAKE_PDF

    monkeypatch.setattr("documents.views.document_pdf", slow_pdf)
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("aroha.officer")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: not url.endswith("/accounts/login/"))
    page.goto(f"/documents/{document.pk}/")

    status = page.locator("#pdf-progress-status")
    assert status.get_attribute("role") == "status"  # there, empty, before anything is asked for
    link = page.get_by_role("link", name="Download version 1 as PDF").first
    link.focus()
    with page.expect_download() as download:
        page.keyboard.press("Enter")
        page.wait_for_function(
            "document.getElementById('pdf-progress-status').textContent.indexOf('Preparing the PDF') === 0"
        )
        assert "Preparing the PDF…" in page.locator(".pdf-progress").inner_text()
        assert link.get_attribute("aria-busy") == "true"
        assert_accessible(page, context="PDF being prepared")
        held.set()
    assert download.value.suggested_filename == "48765432-psr-v1.pdf"
    page.wait_for_function(
        "document.getElementById('pdf-progress-status').textContent.indexOf('The PDF is ready') === 0"
    )
    assert status.inner_text() == "The PDF is ready: 48765432-psr-v1.pdf has been downloaded."
    assert page.locator(".pdf-progress").count() == 0
    assert page.url.endswith(f"/documents/{document.pk}/")  # still on the page, not a blank tab
