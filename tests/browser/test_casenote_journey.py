"""A probation officer's everyday journey in a real browser: log in, find a misspelt name, open the
record, add a casenote — with an accessibility check (axe-core) on every page on the way."""

import datetime

import pytest
from django.utils import timezone

from allocation.models import CaseAllocation
from audit.models import AuditAction, AuditEvent
from casenotes.models import Casenote
from staff.models import StaffMember
from staff.roles import Role
from tests.browser_support import assert_accessible, log_in
from tests.factories import ConvictionFactory, OffenderFactory, SentenceFactory, staff_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"


@pytest.fixture
def officer_and_offender(office):
    officer = staff_user(Role.PROBATION_OFFICER, office=office, username="aroha.officer", first_name="Aroha")
    offender = OffenderFactory(family_name="Tamihana", given_names="Wiremu James", home_office=office)
    OffenderFactory(family_name="Thompson", given_names="Wiremu", home_office=office)
    sentence = SentenceFactory(offender=offender)
    ConvictionFactory(sentence=sentence)
    CaseAllocation.objects.create(
        offender=offender,
        staff=StaffMember.objects.get(user=officer),
        started_on=timezone.localdate() - datetime.timedelta(days=5),
    )
    return officer, offender


def test_officer_finds_a_misspelt_name_and_adds_a_casenote(page, officer_and_offender):
    officer, offender = officer_and_offender

    page.goto("/")
    assert "/accounts/login/" in page.url, "an anonymous visitor is sent to the login page"
    assert_accessible(page, context="login page")
    log_in(page, "aroha.officer", PASSWORD)
    assert page.get_by_role("heading", level=1).count() == 1
    assert_accessible(page, context="probation officer's home page")

    page.get_by_role("link", name="Search offenders").first.click()
    page.get_by_label("PRN or name").fill("Wiremu Tamihanna")
    page.get_by_role("button", name="Search").click()
    results = page.get_by_role("table")
    first_row = results.locator("tbody tr").first
    assert offender.prn in first_row.inner_text(), "the misspelt name still finds the offender, ranked first"
    assert_accessible(page, context="search results")

    first_row.get_by_role("link", name="TAMIHANA, Wiremu James").click()
    # The name is in the case header; the page's h1 is its own (issue 14).
    page.get_by_role("region", name="Case header").get_by_text("TAMIHANA").wait_for()
    assert offender.prn in page.content()
    assert_accessible(page, context="offender record")

    page.get_by_role("link", name="Casenotes").first.click()
    page.get_by_role("link", name="Add a casenote").click()
    assert_accessible(page, context="add casenote form")
    page.get_by_role("button", name="Save casenote").click()
    page.wait_for_load_state()
    assert page.locator("[aria-invalid=true]").count() >= 2, "empty summary and note are flagged"
    assert page.title() == "Error: Add a casenote – TAMIHANA, Wiremu James – IOMS"
    assert not Casenote.objects.filter(offender=offender).exists(), "a rejected form changes nothing"

    page.get_by_label("Summary").fill("Reported on time; discussed employment")
    page.get_by_label("Note").fill("Wiremu reported as directed and has an interview at the mill on Friday.")
    page.get_by_role("button", name="Save casenote").click()
    page.get_by_text("Reported on time; discussed employment").first.wait_for()

    note = Casenote.objects.get(offender=offender)
    assert note.author == officer
    assert note.text.startswith("Wiremu reported as directed")
    assert AuditEvent.objects.filter(
        actor=officer, action=AuditAction.SEARCH, query__contains="Tamihanna"
    ).exists()
    assert AuditEvent.objects.filter(actor=officer, action=AuditAction.VIEW, offender=offender).exists()
    assert AuditEvent.objects.filter(
        actor=officer, action=AuditAction.CREATE, object_type="casenotes.Casenote", object_id=str(note.pk)
    ).exists()


def test_keyboard_alone_reaches_the_search(page, officer_and_offender):
    log_in(page, "aroha.officer", PASSWORD)
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert "Skip" in focused, "the first Tab stop is the skip link"
    page.keyboard.press("Enter")
    outline = page.evaluate(
        "getComputedStyle(document.querySelector('a:focus, :focus') || document.body).outlineStyle"
    )
    assert outline is not None
