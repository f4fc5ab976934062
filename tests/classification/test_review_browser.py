"""One Review Security Classification from initiation to advising the prisoner, in a real browser,
by four officers using ONLY the keyboard: every control is reached with Tab, chosen with the arrow
keys or Space, filled by typing and pressed with Enter. axe-core checks each page on the way."""

import pytest

from classification.models import (
    ClassificationKind,
    HealthStabilityAssessment,
    Review,
    ReviewStatus,
    Stability,
)
from classification.selectors import current_classification
from classification.services import security_classification_record
from staff.models import OfficeKind
from staff.roles import Role
from tests.browser_support import assert_accessible, keyboard_log_in, press, tab_to
from tests.classification.factories import days_ago, prisoner
from tests.factories import OffenderFactory, OfficeFactory, staff_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"


def log_in(page, username: str) -> None:
    keyboard_log_in(page, username, PASSWORD)


def log_out(page) -> None:
    press(page, page.get_by_role("button", name="Log out"))


def open_review_from_the_list(page, family_name: str) -> None:
    """From the main menu to the prisoner's review, by keyboard."""
    press(page, page.get_by_role("navigation", name="Main").get_by_role("link", name="Classification"))
    press(page, page.get_by_role("link", name=f"{family_name.upper()},"))
    page.get_by_role("heading", name="Review Security Classification", level=1).wait_for()


@pytest.fixture
def prison_staff():
    prison = OfficeFactory(kind=OfficeKind.PRISON, name="Arohata Prison")
    people = {
        "initiator": staff_user(Role.PRISON_OFFICER, prison, username="aroha.initiates", first_name="Aroha"),
        "recommender": staff_user(
            Role.RECOMMENDING_OFFICER, prison, username="ben.recommends", first_name="Ben"
        ),
        "approver": staff_user(Role.APPROVING_OFFICER, prison, username="cara.approves", first_name="Cara"),
        "adviser": staff_user(Role.PRISON_OFFICER, prison, username="dan.advises", first_name="Dan"),
    }
    inmate = prisoner(
        managing_office=prison, offender=OffenderFactory(family_name="Tawhiri", given_names="Rewi")
    )
    security_classification_record(
        actor=None,
        offender=inmate,
        kind=ClassificationKind.INITIAL,
        internal_category="B",
        external_category="B",
        effective_on=days_ago(200),
    )
    HealthStabilityAssessment.objects.create(
        offender=inmate, assessed_on=days_ago(20), stability=Stability.STABLE
    )
    return prison, people, inmate


def test_a_review_from_initiation_to_advising_the_prisoner_by_keyboard_only(page, prison_staff, v1):
    _, people, inmate = prison_staff

    # C: the initiating officer starts the review from the prisoner's record.
    log_in(page, "aroha.initiates")
    page.goto(f"/offenders/{inmate.pk}/")
    press(page, page.get_by_role("link", name="Classification", exact=True).last)
    page.get_by_role("heading", name="Security classification").wait_for()
    assert_accessible(page, context="a prisoner's classification")
    tab_to(page, page.get_by_role("group", name="Why is the review being done?").get_by_label("Review due"))
    page.keyboard.press("Space")
    press(page, page.get_by_role("button", name="Start the review"))
    page.get_by_role("heading", name="Review Security Classification", level=1).wait_for()
    review = Review.objects.get(offender=inmate)
    assert page.get_by_role("row").filter(has_text="A.3.1").inner_text().count("Stable (S)") == 1
    assert_accessible(page, context="a review waiting for its initiating officer")

    # An answer is changed from its own question; without a reason it is refused, with the error
    # announced and reachable.
    press(page, page.get_by_role("link", name="Change the answer to A.3.1"))
    stable = page.get_by_label("Stable (S)")
    tab_to(page, stable)
    page.keyboard.press("ArrowDown")  # the arrow keys move through a group of radios
    press(page, page.get_by_role("button", name="Change the answer"))
    page.get_by_role("alert").filter(has_text="There is a problem").first.wait_for()
    assert_accessible(page, context="a correction with an error")
    tab_to(page, page.get_by_label("Unstable (U)"))
    assert page.get_by_label("Unstable (U)").is_checked()
    tab_to(page, page.get_by_label("Why is the pre-populated answer wrong?"))
    page.keyboard.type("Medical opinion of 2 November: poses a risk to others")
    press(page, page.get_by_role("button", name="Change the answer"))
    assert "Unstable (U)" in page.get_by_role("row").filter(has_text="A.3.1").inner_text()

    # Check your answers, the declaration, then submit.
    press(page, page.get_by_role("link", name="Check your answers and submit"))
    tab_to(page, page.get_by_label("Your comments"))
    page.keyboard.type("Every answer checked against the file.")
    tab_to(page, page.get_by_role("checkbox", name="I confirm that"))
    page.keyboard.press("Space")
    press(page, page.get_by_role("button", name="Submit for recommendation"))
    page.get_by_role("heading", name="Review submitted for recommendation", level=1).wait_for()
    log_out(page)

    # D.1: the recommending officer finds it in the classification list.
    log_in(page, "ben.recommends")
    open_review_from_the_list(page, "Tawhiri")
    assert_accessible(page, context="a review waiting for recommendation")
    press(page, page.get_by_role("link", name="Check the review and recommend it"))
    tab_to(page, page.get_by_label("Your comments"))
    page.keyboard.type("Information, scoring and proposal confirmed.")
    tab_to(page, page.get_by_role("checkbox", name="I confirm that"))
    page.keyboard.press("Space")
    press(page, page.get_by_role("button", name="Recommend", exact=True))
    page.get_by_role("heading", name="Review recommended", level=1).wait_for()
    log_out(page)

    # D.2: the approving officer approves as recommended.
    log_in(page, "cara.approves")
    open_review_from_the_list(page, "Tawhiri")
    press(page, page.get_by_role("link", name="Check the review and approve it"))
    tab_to(page, page.get_by_role("checkbox", name="I confirm that"))
    page.keyboard.press("Space")
    press(page, page.get_by_role("button", name="Approve", exact=True))
    page.get_by_role("heading", name="Classification approved", level=1).wait_for()
    assert_accessible(page, context="the confirmation after approving")
    log_out(page)

    # E: another officer checks the record and advises the prisoner, who signs.
    log_in(page, "dan.advises")
    open_review_from_the_list(page, "Tawhiri")
    assert_accessible(page, context="a review waiting for the prisoner to be advised")
    tab_to(page, page.get_by_label("Yes, the prisoner signed"))
    page.keyboard.press("Space")
    press(page, page.get_by_role("button", name="Record that the prisoner was advised"))
    page.get_by_text("Prisoner advised").first.wait_for()

    review.refresh_from_db()
    assert review.status == ReviewStatus.ADVISED and review.prisoner_signed is True
    assert review.initiated_by == people["initiator"]
    assert review.recommended_by == people["recommender"]
    assert review.approved_by == people["approver"]
    assert review.advised_by == people["adviser"]
    assert review.answers["A.3.1"]["option"] == "U"
    assert current_classification(inmate.pk).pk == review.classification_id
