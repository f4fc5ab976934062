"""The review journey in GOV.UK patterns (issue 14): an answer is changed from its own question
with radios and a reason; check-your-answers with a declaration before a review is submitted,
recommended or approved; a confirmation panel after each; the instrument described as the version
used, apart from the prisoner's scores; and a review restarted soon after an approval needs a
reason other than "Review due"."""

import datetime
import re
from html import escape

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.models import AuditAction, AuditEvent
from classification.forms import DECLARATIONS
from classification.models import Review, ReviewReason, ReviewSchedule, ReviewStatus, ReviewTransition
from classification.schedule import DUE_WITHIN_DAYS
from classification.services import review_advise, review_initiate, review_restart_guard
from staff.models import OfficeKind
from staff.roles import Role
from tests.classification.factories import today
from tests.classification.test_review_pages import classified
from tests.classification.test_workflow import approved, initiated, recommended, submitted
from tests.factories import OfficeFactory, staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def prison(db):
    return OfficeFactory(kind=OfficeKind.PRISON)


@pytest.fixture
def inmate(prison, v1):
    return classified(prison)


@pytest.fixture
def officers(prison):
    return {
        "initiator": staff_user(Role.PRISON_OFFICER, prison),
        "recommender": staff_user(Role.RECOMMENDING_OFFICER, prison),
        "approver": staff_user(Role.APPROVING_OFFICER, prison),
        "adviser": staff_user(Role.PRISON_OFFICER, prison),
    }


def _url(name, review, **kwargs):
    return reverse(f"classification:{name}", kwargs={"pk": review.pk, **kwargs})


def _declarations(review) -> list[str]:
    return [
        event.changes["declaration"][1]
        for event in AuditEvent.objects.filter(
            action=AuditAction.UPDATE, object_type="classification.Review", object_id=str(review.pk)
        )
        if "declaration" in event.changes
    ]


# --- changing an answer from its question ------------------------------------------------------


def test_each_answer_is_offered_for_change_by_its_code_question_and_current_answer(client, inmate, officers):
    review = initiated(inmate, officers)
    client.force_login(officers["initiator"])
    html = client.get(_url("review", review)).content.decode()
    # No more one select of every option of every item.
    assert 'name="correct-answer"' not in html and "<select" not in html.split("Your next step")[0]
    row = re.search(r'<tr id="item-a31">(.*?)</tr>', html, re.S).group(1)
    question = review.instrument.items.get(code="A.3.1").text
    # The paper form's item number stays, as secondary text beside the question (issue 14).
    assert f'<th scope="row"><span class="hint item-code">A.3.1</span> {question}' in row
    assert "Stable (S)" in row
    assert _url("review_correct_item", review, item="A.3.1") in row
    code = '<span class="hint item-code">A.3.1</span>'
    assert f'Change<span class="visually-hidden"> the answer to {code} {question}' in row
    # Answers that follow from others cannot be changed.
    carried = re.search(r'<tr id="item-b44">(.*?)</tr>', html, re.S).group(1)
    assert "review_correct" not in carried and "Change" not in carried


def test_officers_other_than_the_initiating_one_are_offered_no_change(client, inmate, officers):
    review = initiated(inmate, officers)
    client.force_login(officers["adviser"])
    html = client.get(_url("review", review)).content.decode()
    assert _url("review_correct_item", review, item="A.3.1") not in html
    assert client.get(_url("review_correct_item", review, item="A.3.1")).status_code == 403


def test_the_change_page_asks_the_question_with_its_options_as_radios_and_a_reason(client, inmate, officers):
    review = initiated(inmate, officers)
    item = review.instrument.items.get(code="A.3.1")
    client.force_login(officers["initiator"])
    response = client.get(_url("review_correct_item", review, item="A.3.1"))
    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(r"<legend[^>]*>.*<h1[^>]*>\s*" + re.escape(item.text), html, re.S)
    for option in item.options.all():
        assert f'type="radio" name="correct-option" value="{option.code}"' in html
    assert re.search(r'value="S"[^>]*checked', html), "the current answer is chosen"
    assert "Why is the pre-populated answer wrong?" in html
    assert "The records gave: <strong>Stable (S)</strong>" in html


def test_an_item_that_cannot_be_changed_has_no_page(client, inmate, officers):
    review = initiated(inmate, officers)
    client.force_login(officers["initiator"])
    assert client.get(_url("review_correct_item", review, item="B.4.4")).status_code == 404
    assert client.get(_url("review_correct_item", review, item="Z.9.9")).status_code == 404


def test_changing_an_answer_without_an_option_or_reason_shows_the_errors_and_changes_nothing(
    client, inmate, officers
):
    review = initiated(inmate, officers)
    client.force_login(officers["initiator"])
    response = client.post(_url("review_correct", review), {"correct-item": "A.3.1"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "<title>Error: " in html
    assert 'href="#id_correct-option"' in html and "Choose the correct answer." in html
    assert "Say why the pre-populated answer is wrong." in html
    review.refresh_from_db()
    assert review.answers["A.3.1"]["option"] == "S"


def test_a_changed_answer_goes_back_to_where_the_officer_came_from(client, inmate, officers):
    review = initiated(inmate, officers)
    client.force_login(officers["initiator"])
    data = {"correct-item": "A.3.1", "correct-option": "U", "correct-reason": "Medical opinion of 2 Nov"}
    response = client.post(_url("review_correct", review), data)
    assert response["Location"] == _url("review", review) + "#item-a31"
    data = {**data, "correct-option": "S", "correct-reason": "Opinion withdrawn", "from": "check"}
    response = client.post(_url("review_correct", review), data)
    assert response["Location"] == _url("review_check", review) + "#item-a31"
    review.refresh_from_db()
    assert review.answers["A.3.1"]["option"] == "S"


# --- check your answers with a declaration ------------------------------------------------------


def test_check_your_answers_lists_every_answer_with_points_source_and_a_change_link(client, inmate, officers):
    review = initiated(inmate, officers)
    client.force_login(officers["initiator"])
    client.post(
        _url("review_correct", review),
        {"correct-item": "A.3.1", "correct-option": "U", "correct-reason": "Medical opinion"},
    )
    review.refresh_from_db()
    response = client.get(_url("review_check", review))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Check your answers before submitting the review</h1>" in html
    for item in review.instrument.items.all():
        assert f"{item.code}</span> {item.text}" in html, item.code
    corrected = re.search(r'<div id="item-a31">(.*?)</div>', html, re.S).group(1)
    assert (
        "Unstable (U)" in corrected
        and "Corrected" in corrected
        and "the records gave Stable (S)" in corrected
    )
    assert "point" in corrected
    assert _url("review_correct_item", review, item="A.3.1") + "?from=check" in corrected
    assert "Pre-populated" in html
    assert f"<dt>Internal risk score</dt><dd>{review.internal_score} points</dd>" in html
    assert "Preliminary classification" in html
    assert escape(DECLARATIONS["submit"]) in html and 'type="checkbox" name="submit-declaration"' in html
    main = html.split("</main>")[0]
    assert main.count('class="button"') == 1 and ">Submit for recommendation</button>" in main


@pytest.mark.parametrize("step", ["submit", "recommend", "approve"])
def test_a_step_without_the_declaration_is_refused_with_a_clear_error_and_changes_nothing(
    client, inmate, officers, step
):
    review = {"submit": initiated, "recommend": submitted, "approve": recommended}[step](inmate, officers)
    before = review.status
    client.force_login(
        officers[{"submit": "initiator", "recommend": "recommender", "approve": "approver"}[step]]
    )
    response = client.post(_url(f"review_{step}", review), {f"{step}-comments": "Looks right"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in html and "Tick the box to confirm the declaration." in html
    assert f'href="#id_{step}-declaration"' in html
    assert "<title>Error: Check" in html
    review.refresh_from_db()
    assert review.status == before
    assert (
        ReviewTransition.objects.filter(review=review).count()
        == {"submit": 1, "recommend": 2, "approve": 3}[step]
    )
    assert _declarations(review) == []


@pytest.mark.parametrize("step", ["submit", "recommend", "approve"])
def test_a_declared_step_records_the_declaration_in_the_audit_trail_and_shows_a_confirmation(
    client, inmate, officers, step
):
    review = {"submit": initiated, "recommend": submitted, "approve": recommended}[step](inmate, officers)
    client.force_login(
        officers[{"submit": "initiator", "recommend": "recommender", "approve": "approver"}[step]]
    )
    page = client.get(_url("review_check", review)).content.decode()
    assert escape(DECLARATIONS[step]) in page
    response = client.post(_url(f"review_{step}", review), {f"{step}-declaration": "on"})
    assert response.status_code == 302 and response["Location"] == _url("review_confirmation", review)
    review.refresh_from_db()
    assert (
        review.status
        == {
            "submit": ReviewStatus.SUBMITTED,
            "recommend": ReviewStatus.RECOMMENDED,
            "approve": ReviewStatus.APPROVED,
        }[step]
    )
    assert _declarations(review) == [f"{step}: {DECLARATIONS[step]}"]
    html = client.get(response["Location"]).content.decode()
    title = {
        "submit": "Review submitted for recommendation",
        "recommend": "Review recommended",
        "approve": "Classification approved",
    }[step]
    assert f'<h1 class="confirmation-panel__title">{title}</h1>' in html
    assert "What happens next" in html and inmate.prn in html


def test_the_confirmation_is_only_for_the_officer_who_took_the_step(client, inmate, officers):
    review = submitted(inmate, officers)
    client.force_login(officers["recommender"])
    response = client.get(_url("review_confirmation", review))
    assert response.status_code == 302 and response["Location"] == _url("review", review)


def test_the_review_page_sends_the_officer_to_check_their_answers_rather_than_submitting_at_once(
    client, inmate, officers
):
    review = initiated(inmate, officers)
    client.force_login(officers["initiator"])
    html = client.get(_url("review", review)).content.decode()
    assert _url("review_check", review) in html and "Check your answers and submit" in html
    assert _url("review_submit", review) not in html


def test_an_officer_the_review_does_not_wait_for_is_turned_away_from_check_your_answers(
    client, inmate, officers
):
    review = submitted(inmate, officers)
    client.force_login(officers["approver"])  # it waits for a recommending officer
    response = client.get(_url("review_check", review))
    assert response.status_code == 302 and response["Location"] == _url("review", review)
    client.force_login(officers["initiator"])  # their own review, now with someone else
    assert client.get(_url("review_check", review)).status_code == 302


# --- the instrument, apart from the scores -----------------------------------------------------


def test_the_instrument_is_described_as_the_version_used_apart_from_the_scores(client, inmate, officers):
    review = initiated(inmate, officers)
    instrument = review.instrument
    client.force_login(officers["initiator"])
    html = client.get(_url("review", review)).content.decode()
    expected = (
        f"Scored with version {instrument.version} of the instrument "
        f"(from {instrument.effective_from.day} {instrument.effective_from:%b %Y})"
    )
    assert expected in html
    assert "internal B from" not in html
    assert "<dt>Instrument used</dt>" in html and "<dt>Total scores</dt>" in html


# --- restarting soon after an approval ----------------------------------------------------------


@pytest.fixture
def just_approved(inmate, officers):
    """A review approved today (external B, so a next review is scheduled) and the prisoner
    advised: nothing is in progress."""
    review = approved(inmate, officers, external_category="B", change_reason="Associations in the unit")
    review_advise(actor=officers["adviser"], review=review, advised_on=today(), prisoner_signed=True)
    return review


def _start(client, inmate, **data):
    return client.post(reverse("classification:review_start", kwargs={"offender_id": inmate.pk}), data)


def test_the_start_form_has_no_default_reason(client, inmate, officers):
    client.force_login(officers["initiator"])
    html = client.get(reverse("classification:prisoner", kwargs={"offender_id": inmate.pk})).content.decode()
    radios = re.findall(r'<input type="radio" name="reason"[^>]*>', html)
    assert len(radios) == len(ReviewReason.choices)
    assert not any("checked" in radio for radio in radios)
    response = _start(client, inmate)
    assert response.status_code == 400 and "Choose why the review is being done." in response.content.decode()
    assert not Review.objects.filter(offender=inmate).exists()


def test_a_review_the_day_after_an_approval_cannot_be_started_as_review_due(
    client, inmate, officers, just_approved
):
    client.force_login(officers["initiator"])
    html = client.get(reverse("classification:prisoner", kwargs={"offender_id": inmate.pk})).content.decode()
    assert "A review is not due yet" in html
    response = _start(client, inmate, reason=ReviewReason.DUE)
    assert response.status_code == 400
    assert "a review is not due yet" in response.content.decode()
    assert Review.objects.filter(offender=inmate).count() == 1


def test_a_review_soon_after_an_approval_needs_a_written_reason(client, inmate, officers, just_approved):
    client.force_login(officers["initiator"])
    response = _start(client, inmate, reason=ReviewReason.CHANGE_OF_CIRCUMSTANCES, comments=" ")
    assert response.status_code == 400
    assert "Say what has changed or who asked for the review" in response.content.decode()
    assert Review.objects.filter(offender=inmate).count() == 1
    response = _start(
        client, inmate, reason=ReviewReason.CHANGE_OF_CIRCUMSTANCES, comments="New information from Police"
    )
    assert response.status_code == 302
    review = Review.objects.filter(offender=inmate).latest("pk")
    assert review.reason == ReviewReason.CHANGE_OF_CIRCUMSTANCES
    assert review.initiator_comments == "New information from Police"


def test_a_review_can_be_started_as_due_once_it_is_on_the_reviews_due_list(inmate, officers, just_approved):
    due_on = ReviewSchedule.objects.get(offender=inmate).due_on
    listed_from = due_on - datetime.timedelta(days=DUE_WITHIN_DAYS)
    guard = review_restart_guard(inmate, listed_from - datetime.timedelta(days=1))
    assert guard is not None and guard.due_on == due_on and guard.approved_on == today()
    assert guard.ends_on == listed_from
    with pytest.raises(ValidationError, match="not due yet"):
        review_initiate(
            actor=officers["initiator"],
            offender=inmate,
            reason=ReviewReason.DUE,
            today=listed_from - datetime.timedelta(days=1),
        )
    assert review_restart_guard(inmate, listed_from) is None
    review = review_initiate(
        actor=officers["initiator"], offender=inmate, reason=ReviewReason.DUE, today=listed_from
    )
    assert review.reason == ReviewReason.DUE


def test_with_no_review_scheduled_the_restart_rule_lasts_three_months(inmate, officers):
    """Internal A with external A has no regular review (seed 003); the rule then lasts the
    shortest regular interval, 3 months."""
    review = approved(inmate, officers, internal_category="A", external_category="A", change_reason="Settled")
    review_advise(actor=officers["adviser"], review=review, advised_on=today(), prisoner_signed=True)
    assert ReviewSchedule.objects.get(offender=inmate).due_on is None
    three_months = today() + relativedelta(months=3)
    guard = review_restart_guard(inmate, three_months - datetime.timedelta(days=1))
    assert guard is not None and guard.due_on is None and guard.ends_on == three_months
    with pytest.raises(ValidationError, match="no regular review is scheduled"):
        review_initiate(actor=officers["initiator"], offender=inmate, reason=ReviewReason.DUE)
    assert review_restart_guard(inmate, three_months) is None


def test_the_restart_rule_does_not_apply_before_any_review_is_approved(inmate, officers):
    """Seed 003: the first review follows the initial classification; the schedule decides it."""
    assert review_restart_guard(inmate) is None
    assert initiated(inmate, officers, reason=ReviewReason.DUE).reason == ReviewReason.DUE
