"""The data share in a real browser, with an accessibility check (axe-core) on each page: an
administrator makes a share and issues a credential (the token shown once and working), and a
partner's staff member searches and opens the shared record."""

import datetime

import pytest
from rest_framework.test import APIClient

from datashare.models import Share
from staff.roles import Role
from tests.browser_support import assert_accessible, log_in
from tests.factories import OffenderFactory, SentenceFactory, staff_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct-horse-battery"


@pytest.fixture
def page(chromium_browser, live_server):
    context = chromium_browser.new_context(base_url=live_server.url, locale="en-NZ")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_an_administrator_makes_a_share_and_issues_a_credential(page, office):
    staff_user(Role.SYSTEM_ADMIN, office=office, username="hemi.admin")
    OffenderFactory(prn="12345678", family_name="Tamihana", home_office=office)

    page.goto("/data-share/")
    log_in(page, "hemi.admin", PASSWORD)
    page.goto("/data-share/")
    assert_accessible(page, context="data shares")
    page.get_by_role("link", name="Make a data share").click()
    assert_accessible(page, context="make a share")
    page.get_by_label("Name", exact=True).fill("Prisons to probation")
    page.get_by_label("Partner organisation").fill("Probation, Northern region")
    page.get_by_label("Purpose").fill("Release planning")
    page.get_by_role("button", name="Make the share").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Data share Prisons to probation"
    assert_accessible(page, context="share detail")

    page.get_by_role("link", name="Issue a credential").click()
    page.get_by_label("Label").fill("CRM production")
    page.get_by_role("button", name="Issue the credential").click()
    token = page.get_by_label("Token").input_value()
    assert_accessible(page, context="credential issued")

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert client.get("/api/v1/share/offenders/12345678/").json()["family_name"] == "Tamihana"
    assert Share.objects.get().allowed_fields["offenders"][0] == "prn"


def test_a_partner_searches_and_reads_the_shared_record(page, office):
    staff_user(Role.DATA_SHARE, office=office, username="priya.share")
    offender = OffenderFactory(
        prn="12345678",
        family_name="Tamihana",
        given_names="Wiremu",
        date_of_birth=datetime.date(1990, 5, 17),
        phone="021 555 0101",
        home_office=office,
    )
    SentenceFactory(offender=offender)

    page.goto("/")
    log_in(page, "priya.share", PASSWORD)
    page.goto("/offenders/")
    page.get_by_label("PRN or name").fill("Tamihana")
    page.get_by_role("button", name="Search").click()
    assert_accessible(page, context="shared search results")
    page.get_by_role("link", name="TAMIHANA, Wiremu").click()

    assert page.get_by_role("heading", level=1).inner_text() == "TAMIHANA, Wiremu"
    assert "Supervision" in page.content() and "021 555 0101" not in page.content()
    assert page.get_by_role("navigation", name="Sections of the record").count() == 0
    assert_accessible(page, context="shared record")
