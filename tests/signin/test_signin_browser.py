"""The sign-in pages in a real browser, checked with axe-core: the locked-out page, setting up an
authenticator app (inline QR code) and the code step."""

import pytest

from staff.roles import Role
from tests.browser_support import assert_accessible
from tests.factories import staff_user
from tests.signin_support import code_for_secret

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct-horse-battery"


@pytest.fixture
def page(chromium_browser, live_server):
    context = chromium_browser.new_context(base_url=live_server.url, locale="en-NZ")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def sign_in(page, username, password):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")


def test_the_locked_out_page_says_what_happened_and_when_to_try_again(page, office, settings):
    settings.AXES_FAILURE_LIMIT = 2
    staff_user(Role.PROBATION_OFFICER, office=office, username="aroha.officer")
    sign_in(page, "aroha.officer", "wrong-guess-1")
    sign_in(page, "aroha.officer", "wrong-guess-2")
    assert page.get_by_role("heading", level=1).inner_text() == "Sign-in is locked for now"
    assert "You can sign in again after" in page.content()
    assert_accessible(page, context="locked-out page")


def test_an_administrator_sets_up_an_app_then_gives_a_code_at_the_next_sign_in(page, office):
    staff_user(Role.SYSTEM_ADMIN, office=office, username="hemi.admin")
    sign_in(page, "hemi.admin", PASSWORD)
    assert page.get_by_role("heading", level=1).inner_text() == "Set up an authenticator app"
    assert page.locator(".otp-qr svg").count() == 1
    assert_accessible(page, context="authenticator set-up")

    page.get_by_label("Code from the app").fill(code_for_secret(page.locator("#otp-secret").inner_text()))
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_load_state()
    assert page.locator(".otp-recovery-codes li").count() == 10
    assert_accessible(page, context="recovery codes")
    page.get_by_role("link", name="I have kept my recovery codes: continue").click()
    page.get_by_role("button", name="Log out").click()

    sign_in(page, "hemi.admin", PASSWORD)
    assert page.get_by_role("heading", level=1).inner_text() == "Enter your one-time code"
    assert_accessible(page, context="the code step")
