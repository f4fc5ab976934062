"""The idle warning in a real browser: it appears before the session would end, is accessible
(axe-core), and "Stay signed in" keeps the session; left alone, the session ends and the sign-in
page says why."""

import pytest
from django.contrib.sessions.models import Session

from signin.idle import LAST_ACTIVITY
from staff.roles import Role
from tests.browser_support import assert_accessible, log_in
from tests.factories import staff_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct-horse-battery"


@pytest.fixture
def page(chromium_browser, live_server):
    context = chromium_browser.new_context(base_url=live_server.url, locale="en-NZ")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def last_activity() -> float:
    [session] = Session.objects.all()
    return session.get_decoded()[LAST_ACTIVITY]


def test_the_idle_warning_is_accessible_and_stay_signed_in_keeps_the_session(page, office, settings):
    # A 3-minute limit warned 175 s before: the warning comes 5 s after the page loads.
    settings.IOMS_IDLE_MINUTES = 3
    settings.IOMS_IDLE_WARNING_SECONDS = 175
    staff_user(Role.PROBATION_OFFICER, office=office, username="aroha.officer")
    log_in(page, "aroha.officer", PASSWORD)
    before = last_activity()

    dialog = page.get_by_role("dialog", name="You will be signed out soon")
    dialog.wait_for(state="visible", timeout=15_000)
    assert "you will be signed out in" in dialog.inner_text()
    stay = dialog.get_by_role("button", name="Stay signed in")
    assert stay.evaluate("element => element === document.activeElement"), "focus moves into the dialog"
    assert_accessible(page, context="idle warning")

    stay.click()
    dialog.wait_for(state="hidden")
    assert page.get_by_role("status").filter(has_text="You are still signed in.").count() == 1
    assert last_activity() > before


def test_left_alone_the_session_ends_and_the_sign_in_page_says_why(page, office, settings):
    settings.IOMS_IDLE_MINUTES = 1
    settings.IOMS_IDLE_WARNING_SECONDS = 55
    staff_user(Role.PROBATION_OFFICER, office=office, username="aroha.officer")
    log_in(page, "aroha.officer", PASSWORD)
    page.goto("/offenders/")
    # The server's clock for this session is moved back past the limit, as if a minute had passed.
    session = Session.objects.get()
    data = session.get_decoded()
    data[LAST_ACTIVITY] -= 61
    Session.objects.filter(pk=session.pk).update(session_data=Session.objects.encode(data))

    page.get_by_text("You were signed out because IOMS was not used for 1 minute.").wait_for(timeout=20_000)
    assert page.url.endswith("/accounts/login/?next=/offenders/")
    assert_accessible(page, context="sign-in page after an idle time-out")
