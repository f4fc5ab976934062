"""Each custody and records role's main job, end to end in a real browser, on the demo data (issue 14,
"Done means"): the deterministic `seed_demo` database at a tiny size, signed in as the demo logins,
doing the work demo/work.py and demo/classification.py leave waiting for them.

- Administrative support reconciles an exception from the exceptions report, confirms the court
  message that misspells a person's name and rejects the one that matched only an alias (a new
  record is made), with the keyboard alone (the focus visible at each stop, never trapped).
- The prison officer checks a Review Security Classification and submits it from check-your-answers
  with the declaration; the recommending officer recommends one and the approving officer approves
  one the same way. Each ends on the confirmation panel.

Every page on the way is checked at 1280 px and at 320 px wide: axe finds nothing, the page itself
does not scroll sideways (a wide table scrolls in its own box) and it has one h1. The outcome is
read from the database, not from the page: the exception resolved, the court message applied, the
review's status, its transition and the audit rows (the declaration among them)."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from audit.models import AuditAction, AuditEvent
from classification.models import Review, ReviewStatus
from courts.models import MatchCandidate, MatchDecision, MessageStatus
from offenders.models import Offender, OffenderAlias
from reconciliation.models import DataException, ExceptionStatus, ReasonCode
from sentences.models import Sentence
from staff.demo_logins import DEMO_PASSWORD, demo_username
from staff.roles import Role
from tests.browser_support import (
    WIDTHS,
    check_page,
    follow,
    keyboard_log_in,
    log_in,
    tab_to,
    tab_to_button,
    tab_to_field,
    tab_to_link,
)
from tests.conftest import restore_classification_instrument, restore_role_groups

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TINY = 40


@pytest.fixture
def demo(transactional_db, live_server):
    """The tiny demo database, committed so the live server's thread sees it (a transactional test
    flushes every table afterwards)."""
    restore_role_groups()
    restore_classification_instrument()
    call_command("seed_demo", "--offenders", str(TINY), "--no-progress", stdout=io.StringIO())


def demo_user(role: str):
    return get_user_model().objects.get(username=demo_username(role))


# --- administrative support ---------------------------------------------------------------------------


def test_admin_support_reconciles_an_exception_and_decides_court_matches_with_the_keyboard_alone(page, demo):
    clerk = demo_user(Role.ADMIN_SUPPORT)
    exception = DataException.objects.get(
        offender__family_name="Paewai", reason_code=ReasonCode.MISSING_KEY_DATES, resolved_at__isnull=True
    )
    person = Offender.objects.get(family_name="Tamihana", given_names="Wiremu James")
    candidate = MatchCandidate.objects.get(offender=person, decision=MatchDecision.PENDING)
    message = candidate.message
    assert message.status == MessageStatus.AWAITING_MATCH
    sentences_before = Sentence.objects.filter(offender=person).count()
    page.set_viewport_size(WIDTHS[0])

    page.goto("/accounts/login/")
    check_page(page, "the login page")
    keyboard_log_in(page, demo_username(Role.ADMIN_SUPPORT), DEMO_PASSWORD)
    check_page(page, "administrative support's home page")

    # The exceptions report (the menu's "Exceptions"), then the exception.
    tab_to_link(page, "Exceptions")
    follow(page)
    page.get_by_role("heading", level=1, name="Exceptions report").wait_for()
    check_page(page, "the exceptions report")
    tab_to(
        page,
        f"el.tagName === 'A' && el.textContent.trim() === 'Exception {exception.pk}'",
        what="the exception",
    )
    follow(page)
    page.get_by_role("heading", level=1, name=f"Exception {exception.pk}").wait_for()
    check_page(page, "an exception")

    # Resolve it, saying what was checked and changed.
    tab_to_field(page, "Reason")
    page.keyboard.type("Checked against the court order: the sentence is 120 hours of community work.")
    tab_to_field(page, "Change made")
    page.keyboard.type("Hours recorded as 120.")
    tab_to_button(page, "Resolve the exception")
    follow(page)
    page.get_by_text("Resolved the exception.").wait_for()
    check_page(page, "the exception, resolved")

    exception.refresh_from_db()
    assert exception.status == ExceptionStatus.RESOLVED
    assert exception.resolved_by == clerk
    assert exception.change_made == "Hours recorded as 120."
    assert exception.transitions.filter(to_status=ExceptionStatus.RESOLVED, actor=clerk).exists()
    assert AuditEvent.objects.filter(
        actor=clerk,
        action=AuditAction.UPDATE,
        object_type="reconciliation.DataException",
        object_id=str(exception.pk),
    ).exists()

    # Back on the report (by its breadcrumb), the exception has left the open list.
    tab_to_link(page, "Exceptions report")
    follow(page)
    page.get_by_role("heading", level=1, name="Exceptions report").wait_for()
    assert page.get_by_role("link", name=f"Exception {exception.pk}", exact=True).count() == 0
    assert page.get_by_role("link", name="Exception ").count() >= 1, "the other exceptions are still listed"

    # The court messages, the matches to decide, and the misspelt name confirmed.
    tab_to_link(page, "Court messages")
    follow(page)
    page.get_by_role("heading", level=1, name="Court messages").wait_for()
    check_page(page, "the court messages")
    tab_to_link(page, "Matches to decide")
    follow(page)
    page.get_by_role("heading", level=1, name="Matches to decide").wait_for()
    check_page(page, "the matches to decide")
    tab_to(
        page,
        f"el.tagName === 'A' && el.getAttribute('href').endsWith('/matches/{candidate.pk}/confirm/')",
        what="the confirm button of the misspelt name",
    )
    follow(page)
    page.get_by_role("heading", level=1, name="Confirm the offender").wait_for()
    check_page(page, "confirming a match")
    tab_to_button(page, "Confirm: this is the same person")
    follow(page)
    page.get_by_role("heading", level=1).filter(has_text=message.message_id).wait_for()
    check_page(page, "the court message, applied")

    message.refresh_from_db()
    candidate.refresh_from_db()
    assert message.status == MessageStatus.PROCESSED
    assert candidate.decision == MatchDecision.CONFIRMED and candidate.decided_by == clerk
    assert Sentence.objects.filter(offender=person).count() == sentences_before + 1
    assert OffenderAlias.objects.filter(offender=person, family_name="Tamihanaa").exists()
    assert AuditEvent.objects.filter(
        actor=clerk, action=AuditAction.UPDATE, object_id=str(message.pk), offender=person
    ).exists()

    # The alias-only match is not the person: rejected, the sentence makes a new record.
    known_as = Offender.objects.get(family_name="Ngata", given_names="Mere Anahera")
    alias_match = MatchCandidate.objects.get(offender=known_as, decision=MatchDecision.PENDING).message
    tab_to_link(page, "Court messages")
    follow(page)
    page.get_by_role("heading", level=1, name="Court messages").wait_for()
    tab_to_link(page, "Matches to decide")
    follow(page)
    page.get_by_role("heading", level=1, name="Matches to decide").wait_for()
    assert page.get_by_role("heading", level=2).filter(has_text=message.message_id).count() == 0
    reject = f"/messages/{alias_match.pk}/reject-matches/"
    tab_to(
        page,
        f"el.tagName === 'A' && el.getAttribute('href').endsWith('{reject}')",
        what="None of these, for the alias-only match",
    )
    follow(page)
    page.get_by_role("heading", level=1, name="None of these is the person").wait_for()
    check_page(page, "rejecting the matches")
    tab_to_field(page, "Why none of them is this person")
    page.keyboard.type("Checked with the court registry: a different person of the same name and birthday.")
    tab_to_button(page, "Reject all of them")
    follow(page)
    page.get_by_role("heading", level=1).filter(has_text=alias_match.message_id).wait_for()
    check_page(page, "the court message, applied to a new record")

    alias_match.refresh_from_db()
    assert alias_match.status == MessageStatus.PROCESSED
    assert not alias_match.candidates.exclude(decision=MatchDecision.REJECTED).exists()
    assert not Sentence.objects.filter(offender=known_as, court_case_number__endswith="-0012").exists()
    newcomer = Offender.objects.exclude(pk=known_as.pk).get(family_name="Marsden", given_names="Mere Anahera")
    assert Sentence.objects.filter(offender=newcomer).count() == 1
    assert AuditEvent.objects.filter(
        actor=clerk, object_id=str(alias_match.pk), summary__contains="a different person of the same name"
    ).exists()


# --- the classification review, step by step ---------------------------------------------------------


def open_my_waiting_review(page, role: str, status: str) -> Review:
    """Sign in as the role's demo login, open the reviews in progress and the review waiting at its
    step, and follow "Go to your next step" to the check-your-answers page."""
    log_in(page, demo_username(role), DEMO_PASSWORD)
    check_page(page, f"the {Role(role).label.lower()}'s home page")
    if page.viewport_size["width"] <= 640:  # up to 40rem the menu is folded behind its button
        page.get_by_role("button", name="Menu").click()
    page.locator("#site-nav-list").get_by_role("link", name="Classification", exact=True).click()
    page.get_by_role("heading", level=1, name="Classification reviews in progress").wait_for()
    check_page(page, "the classification reviews in progress")
    row = (
        page.get_by_role("row")
        .filter(has_text="Your step")
        .filter(has_text=Review(status=status).get_status_display())
        .first
    )
    prisoner = row.get_by_role("rowheader").get_by_role("link")
    review = Review.objects.get(pk=int(prisoner.get_attribute("href").rstrip("/").split("/")[-1]))
    assert review.status == status
    prisoner.click()
    page.get_by_role("heading", level=1, name="Review Security Classification").wait_for()
    check_page(page, "the review")
    return review


def declare_and_take_the_step(page, *, check_link: str, check_heading: str, button: str, panel: str) -> None:
    page.get_by_role("link", name=check_link).click()
    page.get_by_role("heading", level=1, name=check_heading).wait_for()
    check_page(page, "check your answers")

    # Without the declaration the step is refused, and nothing changes.
    page.get_by_role("button", name=button).click()
    page.get_by_role("heading", level=1, name=check_heading).wait_for()
    page.get_by_text("Tick the box to confirm the declaration.").first.wait_for()
    assert page.evaluate("document.activeElement.matches('[data-error-summary]')"), (
        "the summary has the focus"
    )
    check_page(page, "check your answers, with an error")
    page.locator("[data-error-summary]").get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.type") == "checkbox", "the error leads to the declaration"

    page.get_by_label("I confirm that I have checked").check()
    page.get_by_label("Your comments").fill("Checked against the prisoner's records.")
    page.get_by_role("button", name=button).click()
    page.get_by_role("heading", level=1, name=panel).wait_for()
    check_page(page, "the confirmation")


def assert_step_recorded(review: Review, user, *, status: str, step: str) -> None:
    review.refresh_from_db()
    assert review.status == status
    transition = review.transitions.order_by("-id").first()
    assert transition.actor == user and transition.to_status == status
    declaration = AuditEvent.objects.get(
        actor=user,
        object_type="classification.Review",
        object_id=str(review.pk),
        changes__has_key="declaration",
    )
    assert declaration.changes["declaration"][1].startswith(f"{step}: I confirm")


def test_prison_officer_checks_a_review_and_submits_it_with_the_declaration(page, demo):
    officer = demo_user(Role.PRISON_OFFICER)
    page.set_viewport_size(WIDTHS[0])
    review = open_my_waiting_review(page, Role.PRISON_OFFICER, ReviewStatus.INITIATED)
    assert review.status == ReviewStatus.INITIATED

    declare_and_take_the_step(
        page,
        check_link="Check your answers and submit",
        check_heading="Check your answers before submitting the review",
        button="Submit for recommendation",
        panel="Review submitted for recommendation",
    )
    assert_step_recorded(review, officer, status=ReviewStatus.SUBMITTED, step="submit")
    assert review.initiator_comments == "Checked against the prisoner's records."


def test_recommending_officer_recommends_a_review_with_the_declaration(page, demo):
    officer = demo_user(Role.RECOMMENDING_OFFICER)
    page.set_viewport_size(WIDTHS[0])
    review = open_my_waiting_review(page, Role.RECOMMENDING_OFFICER, ReviewStatus.SUBMITTED)

    declare_and_take_the_step(
        page,
        check_link="Check the review and recommend it",
        check_heading="Check the review before recommending it",
        button="Recommend",
        panel="Review recommended",
    )
    assert_step_recorded(review, officer, status=ReviewStatus.RECOMMENDED, step="recommend")
    assert review.recommended_by == officer


def test_approving_officer_approves_a_review_with_the_declaration_on_a_narrow_screen(page, demo):
    officer = demo_user(Role.APPROVING_OFFICER)
    page.set_viewport_size(WIDTHS[1])  # on a phone-sized screen (or at 400 % zoom)
    review = open_my_waiting_review(page, Role.APPROVING_OFFICER, ReviewStatus.RECOMMENDED)

    declare_and_take_the_step(
        page,
        check_link="Check the review and approve it",
        check_heading="Check the review before approving it",
        button="Approve",
        panel="Classification approved",
    )
    assert_step_recorded(review, officer, status=ReviewStatus.APPROVED, step="approve")
    assert review.approved_by == officer
    assert (
        review.approved_internal_category,
        review.approved_external_category,
    ) == review.recommended_categories
