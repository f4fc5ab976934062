"""An officer records a day's outcomes from the diary in a real browser using ONLY the keyboard:
one appointment at a time from its row, then a work party's together. axe-core checks each page."""

import pytest

from appointments.models import Appointment
from casenotes.models import Casenote
from tests.appointments.conftest import hours_ago
from tests.browser_support import assert_accessible, choose, keyboard_log_in, press, tab_to
from tests.factories import OffenderFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_records_the_days_outcomes_from_the_diary_by_keyboard_only(
    page,
    arrange,
    office,
    offender,
):
    visit = arrange(hours_ago(3))
    phone = arrange(
        hours_ago(2), offender=OffenderFactory(home_office=office, family_name="Parata"), kind="phone"
    )
    start = hours_ago(1)  # a work party: the same time and place
    party = [
        arrange(
            start,
            offender=OffenderFactory(home_office=office, family_name=name),
            kind="community_work",
            location="Riverside planting",
        )
        for name in ("Aperahama", "Brightwell")
    ]

    keyboard_log_in(page, "po", "correct-horse-battery")
    press(page, page.get_by_role("link", name="My diary"))
    page.get_by_role("heading", name="My diary", level=1).wait_for()
    assert_accessible(page, context="the officer's diary")

    # The office visit: attended, in one step from its row.
    choose(page, page.locator(f"#outcome-{visit.pk}"), "attended")
    press(page, page.locator(f"#outcome-{visit.pk}").locator("xpath=ancestor::form").get_by_role("button"))
    page.get_by_role("heading", name="My diary", level=1).wait_for()
    page.get_by_text("Recorded attended").wait_for()

    # The phone call: failed to attend, acceptable, with the evidence typed in the row.
    choose(page, page.locator(f"#outcome-{phone.pk}"), "failed_acceptable")
    page.keyboard.press("Tab")
    page.keyboard.type("Texted a hospital discharge letter")
    press(page, page.locator(f"#outcome-{phone.pk}").locator("xpath=ancestor::form").get_by_role("button"))
    page.get_by_role("heading", name="My diary", level=1).wait_for()
    assert_accessible(page, context="the diary after two outcomes")

    # The work party together.
    choose(page, page.locator(f"#bulk-outcome-{party[0].pk}"), "attended")
    choose(page, page.locator(f"#bulk-outcome-{party[1].pk}"), "failed_unacceptable")
    tab_to(page, page.locator(f"#bulk-note-{party[1].pk}"))
    page.keyboard.type("No contact")
    press(page, page.get_by_role("button", name="Record the outcomes"))
    page.get_by_text("Recorded the outcomes of 2 appointments").wait_for()
    assert_accessible(page, context="the diary with every outcome recorded")

    statuses = {a.pk: a.status for a in Appointment.objects.all()}
    assert statuses == {
        visit.pk: "attended",
        phone.pk: "failed_acceptable",
        party[0].pk: "attended",
        party[1].pk: "failed_unacceptable",
    }
    # One casenote per outcome, and the enforcement considered for the unacceptable failure.
    assert Casenote.objects.count() == 5
    assert Casenote.objects.filter(summary="Enforcement being considered").count() == 1
    assert Appointment.objects.get(pk=phone.pk).outcome_note == "Texted a hospital discharge letter"
