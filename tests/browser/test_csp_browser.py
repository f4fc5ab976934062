"""The main pages in a real browser under the Content-Security-Policy: the browser blocks nothing
(no inline script, style or handler is refused) and the scripts still work (issue 11)."""

import pytest

from staff.roles import Role
from tests.browser_support import log_in
from tests.factories import OffenderFactory, SentenceFactory, staff_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"

# The page's own listener (added before any of its scripts run) sees every violation, even one
# Chromium does not log to the console.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"}`);
});
"""


@pytest.fixture
def watched_page(page):
    """The page, with every CSP violation it reports (console or event) collected in `page.violations`."""
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text)
            if "Content Security Policy" in message.text or "Refused to" in message.text
            else None
        ),
    )
    page.add_init_script(RECORD_VIOLATIONS)
    page.violations = violations
    return page


def violations_on(page) -> list[str]:
    return page.violations + page.evaluate("window.__cspViolations || []")


def test_the_main_pages_run_without_a_policy_violation(watched_page, office):
    page = watched_page
    staff_user(Role.SERVICE_MANAGER, office=office, username="sm")
    offender = OffenderFactory(family_name="Tamihana", given_names="Wiremu", home_office=office)
    SentenceFactory(offender=offender)

    log_in(page, "sm", PASSWORD)
    seen = {}
    page.goto("/")
    page.get_by_role("heading", level=1).first.wait_for()
    seen["home"] = violations_on(page)

    page.goto("/offenders/?q=Tamihana")
    page.get_by_role("link", name="TAMIHANA, Wiremu").first.click()
    page.get_by_role("region", name="Case header").get_by_text("TAMIHANA").first.wait_for()
    seen["search and record"] = violations_on(page)

    page.goto("/muster/")
    page.get_by_role("heading", level=1, name=f"Muster list: {office.name}").wait_for()
    seen["muster"] = violations_on(page)

    # The sentence form's script shows the fields of the chosen type and adds conviction rows.
    page.goto(f"/sentences/offender/{offender.pk}/new/")
    add = page.get_by_role("button", name="Add another conviction")
    add.wait_for()
    before = page.locator("[data-conviction-list] > *").count()
    add.click()
    assert page.locator("[data-conviction-list] > *").count() == before + 1, "the form's script runs"
    seen["sentence form"] = violations_on(page)

    assert {where: found for where, found in seen.items() if found} == {}


def test_the_api_docs_render_without_a_policy_violation(watched_page, office):
    page = watched_page
    staff_user(Role.PROBATION_OFFICER, office=office, username="po")
    log_in(page, "po", PASSWORD)

    page.goto("/api/v1/docs/")
    page.locator(".swagger-ui .info .title").wait_for()
    page.get_by_text("/api/v1/offenders/").first.wait_for()

    assert violations_on(page) == []
