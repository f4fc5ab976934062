"""Each community role's main job, end to end in a real browser, on the demo data (issue 14, "Done
means"): the tiny deterministic demo database that `manage.py seed_demo` writes, signed in as the
demo logins.

- The probation officer finds a person by a misspelt name, opens the record and adds a casenote,
  with the keyboard alone.
- The service manager allocates a demo offender from the allocation queue through the task list:
  each checklist step on its own page, the officer, the confirmation.
- The data share's partner looks a person up and reads the shared record, with the keyboard alone.

Every page on the way is checked with axe at 1280 px and at 320 px, and at each width the page
itself must not scroll sideways (a table may, in its own box). With the keyboard alone, each stop
reached shows its focus. The custody roles' journeys are in test_role_journeys_custody.py."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from allocation.models import AllocateRequest, AllocateRequestStatus, CaseAllocation, Notification
from audit.models import AuditAction, AuditEvent
from casenotes.models import Casenote
from offenders.models import Offender
from staff.demo_logins import DEMO_PASSWORD, DEMO_USERNAMES
from staff.roles import Role
from tests.browser_support import check_page, follow, keyboard_log_in, tab_to, text_is
from tests.conftest import restore_classification_instrument, restore_role_groups

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# As tests/demo/conftest.py: a tiny demo database.
DEMO_OFFENDERS = 40


# --- helpers ---------------------------------------------------------------------------------------


def seed_tiny_demo() -> None:
    """The demo database at its tiny size, committed (the live server reads it from its own
    connection). A transactional test's flush takes the role groups and the instrument away with
    everything else: they are put back first, as the migrations left them."""
    restore_role_groups()
    restore_classification_instrument()
    call_command(
        "seed_demo", "--offenders", str(DEMO_OFFENDERS), "--no-progress", "--no-logins", stdout=io.StringIO()
    )


def demo_user(role: str):
    return get_user_model().objects.get(username=DEMO_USERNAMES[role])


def log_in_by_keyboard(page, username: str) -> None:
    keyboard_log_in(page, username, DEMO_PASSWORD)


@pytest.fixture
def demo(transactional_db):
    seed_tiny_demo()


# --- the probation officer -------------------------------------------------------------------------


def test_probation_officer_finds_a_misspelt_name_and_adds_a_casenote_with_the_keyboard_alone(page, demo):
    officer = demo_user(Role.PROBATION_OFFICER)
    # Ruby Taylor is on the demo probation officer's caseload; she is looked up as "Ruby Tailor".
    offender = Offender.objects.get(family_name="Taylor", given_names="Ruby Sarah")
    assert CaseAllocation.objects.filter(
        offender=offender, staff__user=officer, ended_on__isnull=True
    ).exists()
    notes_before = Casenote.objects.filter(offender=offender).count()

    page.goto("/accounts/login/")
    check_page(page, "the login page")
    log_in_by_keyboard(page, officer.username)
    check_page(page, "the probation officer's home page")

    tab_to(page, "el.tagName === 'A' && " + text_is("Search offenders"))
    follow(page)
    page.get_by_role("heading", name="Search offenders", level=1).wait_for()
    check_page(page, "the search page")

    tab_to(page, "el.name === 'q'")
    page.keyboard.type("Ruby Tailor")
    follow(page)
    first_row = page.locator("table tbody tr").first
    assert offender.prn in first_row.inner_text(), "the misspelt name finds Ruby Taylor, ranked first"
    check_page(page, "the search results")

    tab_to(page, f"el.tagName === 'A' && el.getAttribute('href') === '/offenders/{offender.pk}/'")
    follow(page)
    page.get_by_role("region", name="Case header").get_by_text("TAYLOR").wait_for()
    assert offender.prn in page.get_by_role("region", name="Case header").inner_text()
    check_page(page, "the offender record")

    tab_to(page, "el.tagName === 'A' && " + text_is("Casenotes"))
    follow(page)
    page.get_by_role("heading", name="Casenotes", level=1).wait_for()
    check_page(page, "the casenotes tab")

    tab_to(page, "el.tagName === 'A' && " + text_is("Add a casenote"))
    follow(page)
    page.get_by_role("heading", name="Add a casenote", level=1).wait_for()
    check_page(page, "the add casenote form")

    tab_to(page, "el.name === 'summary'")
    page.keyboard.type("Reported on time; talked about the course")
    tab_to(page, "el.name === 'text'")
    page.keyboard.type("Ruby reported as directed and starts the driver licence course on Monday.")
    tab_to(page, "el.tagName === 'BUTTON' && " + text_is("Save casenote"))
    follow(page)

    note = Casenote.objects.get(offender=offender, summary="Reported on time; talked about the course")
    assert Casenote.objects.filter(offender=offender).count() == notes_before + 1
    assert note.author == officer
    assert note.text == "Ruby reported as directed and starts the driver licence course on Monday."
    page.get_by_text("Reported on time; talked about the course").first.wait_for()
    assert offender.prn in page.get_by_role("region", name="Case header").inner_text()
    check_page(page, "the record after the casenote is added")

    assert AuditEvent.objects.filter(
        actor=officer, action=AuditAction.SEARCH, query__contains="Tailor"
    ).exists()
    assert AuditEvent.objects.filter(actor=officer, action=AuditAction.VIEW, offender=offender).exists()
    assert AuditEvent.objects.filter(
        actor=officer, action=AuditAction.CREATE, object_type="casenotes.Casenote", object_id=str(note.pk)
    ).exists()


# --- the service manager ---------------------------------------------------------------------------


def complete_step(page, step_id: str, context: str) -> None:
    """Open a checklist step from the task list, check its page, confirm it and save."""
    page.locator(f"#{step_id}").get_by_role("link").click()
    page.get_by_role("button", name="Save and return to the task list").wait_for()
    check_page(page, context)
    if page.get_by_label("Yes, I have reviewed them now").count():
        page.get_by_label("Yes, I have reviewed them now").check()
        page.get_by_label("Outcome of the review").fill("No offender warning system criteria met")
    else:
        page.get_by_role("checkbox").check()
    page.get_by_role("button", name="Save and return to the task list").click()
    page.locator(f"#{step_id}-status").get_by_text("Completed").wait_for()


def test_service_manager_allocates_a_demo_offender_from_the_queue_through_the_task_list(page, demo):
    manager = demo_user(Role.SERVICE_MANAGER)
    office = manager.staff.office
    open_requests = AllocateRequest.objects.filter(office=office, status=AllocateRequestStatus.OPEN)
    waiting = open_requests.count()
    assert waiting >= 2, "the demo queue has work in it"

    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(manager.username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    check_page(page, "the service manager's home page")

    page.locator("#site-nav-list").get_by_role("link", name="Allocation queue").click()
    page.wait_for_url("**/allocation/queue/")
    rows = page.locator("#queue tbody tr")
    rows.first.wait_for()
    assert rows.count() == waiting
    check_page(page, "the allocation queue")

    # The first row is the most urgent request.
    with page.expect_navigation():
        rows.first.get_by_role("link").first.click()
    request = AllocateRequest.objects.get(pk=int(page.url.rstrip("/").rsplit("/", 1)[1]))
    offender = request.offender
    page.get_by_role("heading", name=f"Allocate {offender.full_name}", level=1).wait_for()
    assert page.locator("#task-officer-status").inner_text().strip() == "Cannot start yet"
    check_page(page, "the task list")

    steps = list(request.steps.filter(applicable=True, done_at__isnull=True).values_list("step", flat=True))
    assert steps, "the request has steps to do"
    for number, step in enumerate(steps):
        complete_step(page, f"step-{step}", f"checklist step {number + 1} ({step})")
    page.locator("#checklist-status").get_by_text("Completed").wait_for()
    assert page.locator("#task-officer-status").inner_text().strip() == "Not started"
    check_page(page, "the task list with the checklist done")

    page.locator("#task-officer").get_by_role("link").click()
    page.get_by_role("button", name="Allocate").wait_for()
    check_page(page, "choosing the officer")
    # The suggested officer (the first choice), with no reason needed.
    page.get_by_role("radio").first.check()
    chosen = page.get_by_role("radio").first.evaluate("el => el.labels[0].textContent").strip()
    page.get_by_role("button", name="Allocate").click()

    page.get_by_role("heading", name=f"{offender.full_name} is allocated", level=1).wait_for()
    check_page(page, "the confirmation")
    request.refresh_from_db()
    assert request.status == AllocateRequestStatus.ALLOCATED
    assert request.allocated_by == manager
    officer = request.allocated_to
    assert chosen.startswith(officer.user.get_full_name()), f"{chosen!r} was chosen, {officer} allocated"
    assert CaseAllocation.objects.filter(offender=offender, staff=officer, ended_on__isnull=True).exists()
    assert Notification.objects.filter(recipient=officer.user, request=request).exists()
    assert not request.steps.filter(applicable=True, done_at__isnull=True).exists()
    assert AuditEvent.objects.filter(actor=manager, offender=offender, action=AuditAction.UPDATE).exists()

    page.get_by_role("link", name="Return to the allocation queue").click()
    page.wait_for_url("**/allocation/queue/")
    page.locator("#queue").wait_for()
    assert page.locator("#queue tbody tr").count() == waiting - 1
    assert offender.prn not in page.locator("#queue").inner_text()


# --- the data share --------------------------------------------------------------------------------


def test_data_share_looks_a_person_up_and_reads_the_shared_record_with_the_keyboard_alone(page, demo):
    partner = demo_user(Role.DATA_SHARE)
    offender = Offender.objects.get(family_name="Turner", given_names="Kiri")

    log_in_by_keyboard(page, partner.username)
    check_page(page, "the data share's home page")

    tab_to(page, "el.tagName === 'A' && " + text_is("Search offenders"))
    follow(page)
    page.get_by_role("heading", name="Search offenders", level=1).wait_for()
    check_page(page, "the data share's search page")

    tab_to(page, "el.name === 'q'")
    page.keyboard.type("Kiri Turner")
    follow(page)
    first_row = page.locator("table tbody tr").first
    assert offender.prn in first_row.inner_text()
    assert "TURNER, Kiri" in first_row.inner_text()
    check_page(page, "the data share's search results")

    tab_to(page, f"el.tagName === 'A' && el.getAttribute('href') === '/offenders/{offender.pk}/'")
    follow(page)
    page.get_by_role("heading", name="TURNER, Kiri", level=1).wait_for()
    details = page.locator(".summary-list").first.inner_text()
    assert offender.prn in details
    assert offender.date_of_birth.strftime("%-d %b %Y") in details
    # Only the share's fields: no casenotes, no tabs, nothing to change.
    assert page.get_by_role("link", name="Casenotes").count() == 0
    assert page.locator("main form").count() == 0
    check_page(page, "the shared record")

    assert AuditEvent.objects.filter(
        actor=partner, action=AuditAction.SEARCH, query__contains="Turner"
    ).exists()
    assert AuditEvent.objects.filter(actor=partner, action=AuditAction.VIEW, offender=offender).exists()
