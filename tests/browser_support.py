"""Headless Chromium (Debian's /usr/bin/chromium) driven by Playwright through the real pages.
Nothing is downloaded: Playwright is pointed at the system browser, with its network chatter off."""

import datetime
import os
import shutil

import pytest

CHROMIUM = os.environ.get("IOMS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# Playwright's sync API runs an event loop in this thread; the live server's ORM calls happen in
# its own thread, and the test's own ORM calls are synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def chromium_browser():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium is not installed at {CHROMIUM}; .ci/run installs Debian's chromium package.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


def log_in(page, username: str, password: str) -> None:
    """Sign in through the login page, and through the one-time code step when the user is asked
    for one (a system administrator sets up an app first: its key is read off the page)."""
    from tests.signin_support import code_for_secret, code_for_user

    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")
    if "/accounts/second-factor/set-up/" in page.url:
        page.get_by_label("Code from the app").fill(code_for_secret(page.locator("#otp-secret").inner_text()))
        page.get_by_role("button", name="Confirm").click()
        page.get_by_role("link", name="I have kept my recovery codes: continue").click()
        page.wait_for_load_state("networkidle")
    elif "/accounts/second-factor/" in page.url:
        page.get_by_label("Code", exact=True).fill(code_for_user(username))
        page.get_by_role("button", name="Continue").click()
        page.wait_for_load_state("networkidle")


def assert_accessible(page, *, context: str) -> None:
    """Run axe-core (shipped inside axe-playwright-python, no network) and fail on serious or
    critical violations, listing them."""
    from axe_playwright_python.sync_playwright import Axe

    # A click that navigates returns once the new page is committed, not loaded: axe must see
    # the whole new page, not a half-parsed one (or the old one).
    page.wait_for_load_state()
    results = Axe().run(page)
    serious = [
        violation
        for violation in results.response["violations"]
        if violation.get("impact") in {"moderate", "serious", "critical"}
    ]
    details = "\n".join(
        f"- {violation['id']} ({violation['impact']}): {violation['help']} — "
        + "; ".join(node["target"][0] if node["target"] else "?" for node in violation["nodes"][:5])
        for violation in serious
    )
    assert not serious, f"Accessibility violations on {context}:\n{details}"


def wait_until(page, expression: str, *, seconds: float = 5) -> None:
    """Until the JavaScript `expression` is true in the page, for at most `seconds`, else fail.
    page.wait_for_function would evaluate the string inside the page, which the portal's CSP
    refuses (no 'unsafe-eval'); page.evaluate goes through the debugging protocol instead."""
    for _ in range(int(seconds * 20)):
        if page.evaluate(expression):
            return
        page.wait_for_timeout(50)
    raise AssertionError(f"never true: {expression}")


def fill_date(page, legend: str, day: datetime.date, *, exact: bool = False) -> None:
    """Type `day` into the day, month and year boxes of the date whose legend is `legend` (the
    GOV.UK date input of ioms.forms), as a person would: 6, 12, 2026."""
    group = page.get_by_role("group", name=legend, exact=exact)
    group.get_by_label("Day", exact=True).fill(str(day.day))
    group.get_by_label("Month", exact=True).fill(str(day.month))
    group.get_by_label("Year", exact=True).fill(str(day.year))
