"""A service manager opens the muster list in a real browser, reads the counts, filters the list
downloads the CSV and opens the printable list — with an accessibility check (axe-core) on each page."""

import pytest

from audit.models import AuditAction, AuditEvent
from tests.browser_support import assert_accessible, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"


def test_a_service_manager_views_filters_and_counts_the_muster(page, office, muster, service_manager):
    log_in(page, "sm", PASSWORD)
    page.goto("/muster/")
    page.get_by_role("heading", level=1, name=f"Muster list: {office.name}").wait_for()
    assert_accessible(page, context="muster list")

    counts = page.get_by_role("table", name="People and sentences on the muster")
    assert counts.get_by_role("row", name="Supervision 1 1").count() == 1
    assert counts.get_by_role("row", name="All types 3 4").count() == 1
    people = page.get_by_role("table", name="People on the muster")
    assert people.locator("tbody tr").count() == 3
    assert page.get_by_role("heading", name="3 people").count() == 1

    page.get_by_role("combobox", name="Sentence type").select_option(label="Imprisonment")
    page.get_by_role("checkbox", name="Breach outstanding").check()
    page.get_by_role("button", name="Apply filters").click()
    page.get_by_role("heading", name="1 matching person").wait_for()
    rows = page.get_by_role("table", name="People on the muster").locator("tbody tr")
    assert rows.count() == 1
    assert "JONES, Carla" in rows.first.inner_text()
    assert "Indeterminate" in rows.first.inner_text()
    assert "Breach outstanding" in rows.first.inner_text()
    assert page.get_by_role("combobox", name="Sentence type").input_value() == "imprisonment", (
        "the filter is kept"
    )
    assert_accessible(page, context="filtered muster list")

    csv_link = page.get_by_role("link", name="Download CSV")
    assert "sentence_type=imprisonment" in csv_link.get_attribute("href")
    with page.expect_download() as download:
        csv_link.click()
    assert download.value.suggested_filename.endswith(".csv")

    people = page.get_by_role("table", name="People on the muster")
    people.get_by_role("link", name="End", exact=True).click()
    page.locator("th[aria-sort=ascending]", has_text="End").wait_for()
    assert "sort=end" in page.url and "sentence_type=imprisonment" in page.url, "sorting keeps the filters"

    page.get_by_role("link", name="Printable list").click()
    page.get_by_role("heading", level=1, name=f"Muster list: {office.name}").wait_for()
    assert page.get_by_role("navigation").count() == 0, "no navigation on the printed copy"
    assert page.locator("table.muster-table tbody tr").count() == 1, "the filtered list, whole"
    assert_accessible(page, context="printable muster list")
    page.emulate_media(media="print")
    assert not page.get_by_text("Back to the muster list").is_visible(), "screen-only links are not printed"

    searches = AuditEvent.objects.filter(actor=service_manager, action=AuditAction.SEARCH)
    assert searches.filter(query__contains="sentence_type=imprisonment").exists()
    assert AuditEvent.objects.filter(actor=service_manager, action=AuditAction.EXPORT).count() == 2
