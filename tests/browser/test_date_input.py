"""The day/month/year date (GOV.UK "Date input") in a real browser at 320 px: typed part by part, an
unfinished date sent back with only the wrong box marked and what was typed kept, then saved; and
the offender search narrowed by a date of birth typed the same way. axe-core on every page."""

import datetime

import pytest

from audit.models import AuditAction, AuditEvent
from offenders.models import Offender
from staff.roles import Role
from tests.browser_support import assert_accessible, fill_date, log_in
from tests.factories import OffenderFactory, staff_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"
NARROW = {"width": 320, "height": 720}


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_date_of_birth_typed_as_day_month_and_year_at_320_px(page, office):
    staff_user(Role.ADMIN_SUPPORT, office=office, username="clerk")
    page.set_viewport_size(NARROW)
    log_in(page, "clerk", PASSWORD)
    page.goto("/offenders/new/")
    page.get_by_role("heading", level=1).wait_for()

    born = page.get_by_role("group", name="Date of birth")
    assert born.get_by_text("For example, 27 3 2007").is_visible()
    assert fits_the_screen(page), "the three boxes fit a 320 px screen"
    assert_accessible(page, context="the new offender form at 320 px")

    page.get_by_label("PRN").fill("23456789")
    page.get_by_label("Family name").fill("Te Whatu")
    page.get_by_label("Given names").fill("Aperahama")
    born.get_by_label("Day", exact=True).fill("14")
    born.get_by_label("Year", exact=True).fill(" 1992 ")
    with page.expect_navigation():
        page.get_by_role("button", name="Create record").click()

    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    summary.get_by_role("link", name="Date of birth — Date of birth must include a month").wait_for()
    born = page.get_by_role("group", name="Date of birth")
    assert born.get_by_label("Day", exact=True).input_value() == "14", "what was typed is kept"
    assert born.get_by_label("Year", exact=True).input_value() == "1992"
    marked = [
        born.get_by_label(part, exact=True).get_attribute("aria-invalid") for part in ("Day", "Month", "Year")
    ]
    assert marked == [None, "true", None], "only the month is marked"
    assert not Offender.objects.exists()
    assert fits_the_screen(page)
    assert_accessible(page, context="the new offender form with a date error at 320 px")

    summary.get_by_role("link", name="Date of birth — Date of birth must include a month").click()
    assert page.evaluate("document.activeElement.id") == "id_date_of_birth_day"
    fill_date(page, "Date of birth", datetime.date(1992, 8, 14))
    with page.expect_navigation():
        page.get_by_role("button", name="Create record").click()
    page.get_by_text("Created the record of Aperahama Te Whatu").wait_for()
    assert Offender.objects.get(prn="23456789").date_of_birth == datetime.date(1992, 8, 14)


def test_the_offender_search_is_narrowed_by_a_date_of_birth_typed_part_by_part(page, office):
    staff_user(Role.PROBATION_OFFICER, office=office, username="officer")
    OffenderFactory(family_name="Smith", given_names="Ann", date_of_birth=datetime.date(1979, 12, 1))
    OffenderFactory(family_name="Smith", given_names="Bea", date_of_birth=datetime.date(1979, 1, 12))
    page.set_viewport_size(NARROW)
    log_in(page, "officer", PASSWORD)
    page.goto("/offenders/")
    page.get_by_label("PRN or name").fill("Smith")
    fill_date(page, "Date of birth", datetime.date(1979, 12, 1))
    with page.expect_navigation():
        page.get_by_role("button", name="Search").click()
    page.get_by_role("table").wait_for()
    rows = page.get_by_role("table").locator("tbody tr")
    assert rows.count() == 1 and "SMITH, Ann" in rows.first.inner_text(), "1 Dec, not 12 Jan"
    assert AuditEvent.objects.get(action=AuditAction.SEARCH).query == "date_of_birth=1979-12-01&text=Smith"
    assert fits_the_screen(page)
    assert_accessible(page, context="search results narrowed by date of birth at 320 px")
