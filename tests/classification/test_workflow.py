"""The review workflow (seed 003, sections C, D and E; issue 5): every step, refused
transitions, the four-eyes rule, overrides and corrections with reasons, instrument versions,
one open review per prisoner and no review without an initial classification."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from audit.models import AuditEvent
from classification.models import (
    INSTRUMENT_WORKFLOW,
    REVIEW_ACTIONS,
    REVIEW_TRANSITIONS,
    REVIEW_WORKFLOW,
    ClassificationKind,
    HealthStabilityAssessment,
    Instrument,
    InstrumentOption,
    InstrumentStatus,
    InstrumentTransition,
    Review,
    ReviewAnswerCorrection,
    ReviewReason,
    ReviewStatus,
    ReviewTransition,
    SecurityClassification,
    Stability,
)
from classification.selectors import current_classification
from classification.services import (
    instrument_activate,
    instrument_draft_create,
    instrument_option_set_points,
    review_advise,
    review_approve,
    review_cancel,
    review_correct_answer,
    review_initiate,
    review_recommend,
    review_reconfirm,
    review_refer_back,
    review_send_back,
    review_submit,
    security_classification_record,
)
from sentences.models import OffenceCategory
from staff.models import OfficeKind
from staff.roles import Role
from tests.classification.factories import days_ago, prisoner, today
from tests.classification.test_prepopulate import offence
from tests.factories import ChargeFactory, OfficeFactory, StaffMemberFactory, UserFactory, staff_user
from workflow.transitions import ConcurrentChange, TransitionNotAllowed

pytestmark = pytest.mark.django_db


@pytest.fixture
def prison(db):
    return OfficeFactory(kind=OfficeKind.PRISON)


@pytest.fixture
def inmate(prison, v1):
    """A prisoner at `prison` with an initial classification of internal A / external A."""
    offender = prisoner(managing_office=prison)
    security_classification_record(
        actor=None,
        offender=offender,
        kind=ClassificationKind.INITIAL,
        internal_category="A",
        external_category="A",
        effective_on=days_ago(180),
    )
    return offender


@pytest.fixture
def officers(prison):
    """One officer per step, all at the prison."""
    return {
        "initiator": staff_user(Role.PRISON_OFFICER, prison),
        "recommender": staff_user(Role.RECOMMENDING_OFFICER, prison),
        "approver": staff_user(Role.APPROVING_OFFICER, prison),
        "adviser": staff_user(Role.PRISON_OFFICER, prison),
    }


def initiated(inmate, officers, **kwargs):
    return review_initiate(actor=officers["initiator"], offender=inmate, **kwargs)


def submitted(inmate, officers, **kwargs):
    return review_submit(actor=officers["initiator"], review=initiated(inmate, officers), **kwargs)


def recommended(inmate, officers, **kwargs):
    review = submitted(inmate, officers, **kwargs)
    return review_recommend(actor=officers["recommender"], review=review, comments="Checked.")


def approved(inmate, officers, submit=None, **kwargs):
    review = recommended(inmate, officers, **(submit or {}))
    return review_approve(actor=officers["approver"], review=review, **kwargs)


def statuses(review):
    return list(
        ReviewTransition.objects.filter(review=review).order_by("id").values_list("from_status", "to_status")
    )


# --- initiation (C) -----------------------------------------------------------------------------


def test_initiating_prepopulates_scores_and_records_the_active_version(inmate, officers, v1):
    review = initiated(inmate, officers, reason=ReviewReason.CHANGE_OF_CIRCUMSTANCES, comments="New info")

    assert review.status == ReviewStatus.INITIATED
    assert review.instrument == v1
    assert review.reason == ReviewReason.CHANGE_OF_CIRCUMSTANCES
    assert review.initiated_by == officers["initiator"]
    # The prisoner's current conviction pre-populates A.4.1, naming the record that produced it.
    current_offence = review.answers["A.4.1"]
    assert current_offence["option"] == current_offence["prepopulated"]
    assert current_offence["sources"] and current_offence["sources"][0]["label"] == "sentences.Conviction"
    assert review.internal_category in ("A", "B") and review.external_category in ("A", "B")
    assert statuses(review) == [("", "initiated")]
    assert AuditEvent.objects.filter(object_type="classification.Review", object_id=str(review.pk)).exists()


def test_no_review_without_an_initial_classification(prison, officers, v1):
    offender = prisoner(managing_office=prison)
    with pytest.raises(ValidationError, match="no initial classification"):
        review_initiate(actor=officers["initiator"], offender=offender)
    assert not Review.objects.exists()


def test_only_a_prison_officer_of_the_managing_prison_initiates(inmate, officers):
    elsewhere = staff_user(Role.PRISON_OFFICER, OfficeFactory(kind=OfficeKind.PRISON))
    with pytest.raises(PermissionDenied):
        review_initiate(actor=elsewhere, offender=inmate)
    with pytest.raises(PermissionDenied):
        review_initiate(actor=officers["recommender"], offender=inmate)
    assert not Review.objects.exists()


def test_one_open_review_per_prisoner(inmate, officers):
    first = initiated(inmate, officers)
    with pytest.raises(ValidationError, match="already has a review in progress"):
        initiated(inmate, officers)
    # The database holds the line too, whatever a caller does.
    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.create(
            offender=inmate,
            instrument=first.instrument,
            prepopulated_on=today(),
            internal_category="A",
            external_category="A",
            initiated_by=officers["initiator"],
        )
    # Once the first is cancelled a new one may start.
    review_cancel(actor=officers["initiator"], review=first, reason="Started in error")
    assert initiated(inmate, officers).status == ReviewStatus.INITIATED


# --- corrections --------------------------------------------------------------------------------


def test_correcting_an_answer_needs_a_reason_and_rescores(inmate, officers):
    review = initiated(inmate, officers)
    assert review.answers["A.3.1"]["option"] == "S"
    with pytest.raises(ValidationError, match="Say why"):
        review_correct_answer(
            actor=officers["initiator"], review=review, item="A.3.1", option="U", reason=" "
        )
    review.refresh_from_db()
    assert review.answers["A.3.1"]["option"] == "S"
    assert not ReviewAnswerCorrection.objects.exists()

    before = review.internal_score
    unstable = InstrumentOption.objects.get(item__instrument=review.instrument, item__code="A.3.1", code="U")
    review = review_correct_answer(
        actor=officers["initiator"],
        review=review,
        item="A.3.1",
        option="U",
        reason="Health Services assessed the prisoner unstable today",
    )
    assert review.answers["A.3.1"] | {"option": "U", "prepopulated": "S"} == review.answers["A.3.1"]
    assert review.internal_score == before + unstable.points
    correction = ReviewAnswerCorrection.objects.get(review=review)
    assert (correction.item, correction.from_option, correction.to_option) == ("A.3.1", "S", "U")
    assert correction.corrected_by == officers["initiator"]
    assert AuditEvent.objects.filter(object_id=str(review.pk), summary__startswith="Corrected A.3.1").exists()


def test_corrections_refuse_unknown_options_derived_items_and_other_officers(inmate, officers):
    review = initiated(inmate, officers)
    with pytest.raises(ValidationError, match="not an option"):
        review_correct_answer(
            actor=officers["initiator"], review=review, item="A.3.1", option="X", reason="r"
        )
    with pytest.raises(ValidationError, match="not an answer staff can correct"):
        review_correct_answer(
            actor=officers["initiator"], review=review, item="B.2.1", option="1", reason="r"
        )
    with pytest.raises(PermissionDenied):
        review_correct_answer(actor=officers["adviser"], review=review, item="A.3.1", option="U", reason="r")
    submitted_review = review_submit(actor=officers["initiator"], review=review)
    with pytest.raises(ValidationError, match="awaiting recommendation"):
        review_correct_answer(
            actor=officers["initiator"], review=submitted_review, item="A.3.1", option="U", reason="r"
        )


# --- submission and the override (C.3, C.4) ------------------------------------------------------


def test_an_override_needs_a_reason(inmate, officers):
    review = initiated(inmate, officers)
    with pytest.raises(ValidationError) as error:
        review_submit(actor=officers["initiator"], review=review, override_internal_category="B")
    assert "override_reason" in error.value.message_dict
    review.refresh_from_db()
    assert review.status == ReviewStatus.INITIATED
    # The database refuses it too.
    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.filter(pk=review.pk).update(override_internal_category="B")

    review = review_submit(
        actor=officers["initiator"],
        review=review,
        override_internal_category="B",
        override_reason="Intelligence report of a planned escape, file 12/2026",
    )
    assert review.status == ReviewStatus.SUBMITTED
    assert review.recommended_categories == ("B", review.external_category)
    assert statuses(review) == [("", "initiated"), ("initiated", "submitted")]


def test_only_the_initiating_officer_submits(inmate, officers):
    review = initiated(inmate, officers)
    with pytest.raises(PermissionDenied):
        review_submit(actor=officers["adviser"], review=review)


# --- recommendation and approval (D) -------------------------------------------------------------


def test_full_workflow_records_every_step_and_the_new_classification(inmate, officers, v1):
    review = approved(inmate, officers, comments="Agreed")
    assert review.status == ReviewStatus.APPROVED
    assert review.recommended_by == officers["recommender"]
    assert review.approved_by == officers["approver"]
    assert (review.approved_internal_category, review.approved_external_category) == (
        review.internal_category,
        review.external_category,
    )
    current = current_classification(inmate.pk)
    assert current == review.classification
    assert current.kind == ClassificationKind.REVIEW
    assert current.instrument == v1
    assert (current.internal_score, current.external_score) == (review.internal_score, review.external_score)

    review = review_advise(
        actor=officers["adviser"],
        review=review,
        advised_on=today(),
        prisoner_signed=True,
        comments="Copy filed",
    )
    assert review.status == ReviewStatus.ADVISED
    assert review.prisoner_advised_on == today()
    assert statuses(review) == [
        ("", "initiated"),
        ("initiated", "submitted"),
        ("submitted", "recommended"),
        ("recommended", "approved"),
        ("approved", "advised"),
    ]
    actions = AuditEvent.objects.filter(object_type="classification.Review", object_id=str(review.pk))
    assert actions.count() == 5


def test_approving_with_an_override_records_the_recommended_classification(inmate, officers):
    override = {
        "override_internal_category": "B",
        "override_external_category": "B",
        "override_reason": "Gang affiliation confirmed by Police",
    }
    review = approved(inmate, officers, submit=override)
    assert (review.approved_internal_category, review.approved_external_category) == ("B", "B")
    current = current_classification(inmate.pk)
    assert (current.internal_category, current.external_category) == ("B", "B")
    assert "Gang affiliation" in current.reason


def test_the_approver_may_change_the_classification_only_with_a_reason(inmate, officers):
    review = recommended(inmate, officers)
    other = "B" if review.internal_category == "A" else "A"
    with pytest.raises(ValidationError) as error:
        review_approve(actor=officers["approver"], review=review, internal_category=other)
    assert "change_reason" in error.value.message_dict
    assert SecurityClassification.objects.filter(offender=inmate).count() == 1

    review = review_approve(
        actor=officers["approver"], review=review, internal_category=other, change_reason="Recent assault"
    )
    assert review.approved_internal_category == other
    assert current_classification(inmate.pk).internal_category == other


def test_the_recommender_must_not_be_the_initiator(inmate, prison, v1):
    both = UserFactory(roles=[Role.PRISON_OFFICER, Role.RECOMMENDING_OFFICER])
    StaffMemberFactory(user=both, office=prison)
    review = review_submit(actor=both, review=review_initiate(actor=both, offender=inmate))
    with pytest.raises(PermissionDenied):
        review_recommend(actor=both, review=review)
    review.refresh_from_db()
    assert review.status == ReviewStatus.SUBMITTED


def test_the_approver_must_be_neither_initiator_nor_recommender(inmate, prison, officers):
    recommender_and_approver = UserFactory(roles=[Role.RECOMMENDING_OFFICER, Role.APPROVING_OFFICER])
    StaffMemberFactory(user=recommender_and_approver, office=prison)
    review = review_recommend(actor=recommender_and_approver, review=submitted(inmate, officers))
    with pytest.raises(PermissionDenied):
        review_approve(actor=recommender_and_approver, review=review)

    review_cancel(actor=officers["initiator"], review=review, reason="Redo")
    initiator_and_approver = UserFactory(roles=[Role.PRISON_OFFICER, Role.APPROVING_OFFICER])
    StaffMemberFactory(user=initiator_and_approver, office=prison)
    review = review_submit(
        actor=initiator_and_approver, review=review_initiate(actor=initiator_and_approver, offender=inmate)
    )
    review = review_recommend(actor=officers["recommender"], review=review)
    with pytest.raises(PermissionDenied):
        review_approve(actor=initiator_and_approver, review=review)
    assert SecurityClassification.objects.filter(offender=inmate).count() == 1


def test_an_earlier_recommender_cannot_approve_after_a_send_back(inmate, prison, officers):
    dual = UserFactory(roles=[Role.RECOMMENDING_OFFICER, Role.APPROVING_OFFICER])
    StaffMemberFactory(user=dual, office=prison)
    review = review_recommend(actor=dual, review=submitted(inmate, officers))
    review = review_send_back(actor=officers["approver"], review=review, reason="A.4.1 source missing")
    review = review_submit(actor=officers["initiator"], review=review)
    review = review_recommend(actor=officers["recommender"], review=review)
    with pytest.raises(PermissionDenied):
        review_approve(actor=dual, review=review)


def test_officers_of_another_prison_are_refused(inmate, officers):
    elsewhere = OfficeFactory(kind=OfficeKind.PRISON)
    review = submitted(inmate, officers)
    with pytest.raises(PermissionDenied):
        review_recommend(actor=staff_user(Role.RECOMMENDING_OFFICER, elsewhere), review=review)
    review = review_recommend(actor=officers["recommender"], review=review)
    with pytest.raises(PermissionDenied):
        review_approve(actor=staff_user(Role.APPROVING_OFFICER, elsewhere), review=review)


# --- send back and cancel ------------------------------------------------------------------------


def test_send_back_needs_a_reason_and_returns_the_review_to_the_initiator(inmate, officers):
    review = submitted(inmate, officers)
    with pytest.raises(ValidationError, match="sent back"):
        review_send_back(actor=officers["recommender"], review=review, reason="")
    review = review_send_back(actor=officers["recommender"], review=review, reason="A.3.1 is out of date")
    assert review.status == ReviewStatus.SENT_BACK
    assert ReviewTransition.objects.filter(review=review, to_status="sent_back").get().comment == (
        "A.3.1 is out of date"
    )
    # The initiating officer corrects and resubmits.
    review = review_correct_answer(
        actor=officers["initiator"], review=review, item="A.3.1", option="U", reason="New assessment"
    )
    review = review_submit(actor=officers["initiator"], review=review)
    assert review.status == ReviewStatus.SUBMITTED


def test_the_approver_sends_back_a_recommended_review(inmate, officers):
    review = recommended(inmate, officers)
    with pytest.raises(PermissionDenied):
        review_send_back(actor=officers["recommender"], review=review, reason="Changed my mind")
    review = review_send_back(actor=officers["approver"], review=review, reason="Scores do not add up")
    assert review.status == ReviewStatus.SENT_BACK


def test_cancel_needs_a_reason_and_is_refused_after_approval(inmate, officers):
    review = initiated(inmate, officers)
    with pytest.raises(ValidationError, match="cancelled"):
        review_cancel(actor=officers["initiator"], review=review, reason="  ")
    review = review_cancel(actor=officers["initiator"], review=review, reason="Prisoner transferred")
    assert review.status == ReviewStatus.CANCELLED and review.cancel_reason == "Prisoner transferred"

    done = approved(inmate, officers)
    with pytest.raises(ValidationError, match="cannot be cancelled"):
        review_cancel(actor=officers["approver"], review=done, reason="Too late")


@pytest.mark.parametrize(
    ("step", "status"),
    [
        ("recommend", ReviewStatus.INITIATED),
        ("approve", ReviewStatus.SUBMITTED),
        ("advise", ReviewStatus.RECOMMENDED),
        ("submit", ReviewStatus.CANCELLED),
        ("approve", ReviewStatus.CANCELLED),
        ("send_back", ReviewStatus.INITIATED),
        ("refer_back", ReviewStatus.RECOMMENDED),
        ("reconfirm", ReviewStatus.RECOMMENDED),
    ],
)
def test_refused_transitions(inmate, officers, step, status):
    review = initiated(inmate, officers)
    if status in (ReviewStatus.SUBMITTED, ReviewStatus.RECOMMENDED):
        review = review_submit(actor=officers["initiator"], review=review)
    if status == ReviewStatus.RECOMMENDED:
        review = review_recommend(actor=officers["recommender"], review=review)
    if status == ReviewStatus.CANCELLED:
        review = review_cancel(actor=officers["initiator"], review=review, reason="Not needed")
    assert status not in REVIEW_ACTIONS[step][0]
    calls = {
        "submit": lambda: review_submit(actor=officers["initiator"], review=review),
        "recommend": lambda: review_recommend(actor=officers["recommender"], review=review),
        "approve": lambda: review_approve(actor=officers["approver"], review=review),
        "send_back": lambda: review_send_back(actor=officers["recommender"], review=review, reason="r"),
        "advise": lambda: review_advise(
            actor=officers["adviser"], review=review, advised_on=today(), prisoner_signed=True
        ),
        "refer_back": lambda: review_refer_back(actor=officers["adviser"], review=review, discrepancy="d"),
        "reconfirm": lambda: review_reconfirm(actor=officers["approver"], review=review, comments="c"),
    }
    transitions_before = ReviewTransition.objects.count()
    with pytest.raises(ValidationError, match="cannot be"):
        calls[step]()
    review.refresh_from_db()
    assert review.status == status
    assert ReviewTransition.objects.count() == transitions_before


def test_a_step_on_a_review_someone_else_has_moved_on_is_refused_and_changes_nothing(
    inmate, prison, officers
):
    """Two recommending officers open the same submitted review; one sends it back, and the
    other's recommendation from the page they still have open is refused."""
    review = submitted(inmate, officers)
    seen_by_the_other = Review.objects.get(pk=review.pk)
    review_send_back(actor=officers["recommender"], review=review, reason="A.3.1 needs checking")
    rows, audits = ReviewTransition.objects.count(), AuditEvent.objects.count()

    colleague = staff_user(Role.RECOMMENDING_OFFICER, prison)
    with pytest.raises(
        ConcurrentChange,
        match="Someone else changed this review while you had it open: it is now sent back to the initiating",
    ):
        review_recommend(actor=colleague, review=seen_by_the_other, comments="Looks right.")

    review.refresh_from_db()
    assert review.status == ReviewStatus.SENT_BACK and review.recommended_by is None
    assert (ReviewTransition.objects.count(), AuditEvent.objects.count()) == (rows, audits)


def test_the_review_workflow_allows_only_the_steps_of_its_actions(inmate, officers):
    assert set(REVIEW_TRANSITIONS) == set(ReviewStatus.values)
    assert REVIEW_TRANSITIONS[ReviewStatus.SUBMITTED] == {
        ReviewStatus.RECOMMENDED,
        ReviewStatus.SENT_BACK,
        ReviewStatus.CANCELLED,
    }
    assert REVIEW_TRANSITIONS[ReviewStatus.REFERRED_BACK] == {ReviewStatus.APPROVED}
    assert not REVIEW_TRANSITIONS[ReviewStatus.ADVISED] and not REVIEW_TRANSITIONS[ReviewStatus.CANCELLED]

    review = initiated(inmate, officers)
    with pytest.raises(TransitionNotAllowed, match="A review that is initiated cannot become approved"):
        REVIEW_WORKFLOW.move(review, to=ReviewStatus.APPROVED, actor=officers["approver"])
    review.refresh_from_db()
    assert review.status == ReviewStatus.INITIATED
    assert statuses(review) == [("", "initiated")]


# --- advising the prisoner (E) -------------------------------------------------------------------


def test_advising_records_a_refusal_to_sign(inmate, officers):
    review = approved(inmate, officers)
    with pytest.raises(ValidationError) as error:
        review_advise(actor=officers["adviser"], review=review, advised_on=today(), prisoner_signed=False)
    assert "refusal_note" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        review_advise(
            actor=officers["adviser"],
            review=review,
            advised_on=today() + datetime.timedelta(days=1),
            prisoner_signed=True,
        )
    assert "advised_on" in error.value.message_dict
    review = review_advise(
        actor=officers["adviser"],
        review=review,
        advised_on=today(),
        prisoner_signed=False,
        refusal_note="Prisoner refused to sign; copy handed over in the unit office",
    )
    assert review.status == ReviewStatus.ADVISED and review.prisoner_signed is False


def test_a_discrepancy_blocks_advising_the_prisoner(inmate, officers):
    """Seed 003, E.1: the approved classification must be the one in IOMS."""
    review = approved(inmate, officers)
    security_classification_record(
        actor=None,
        offender=inmate,
        kind=ClassificationKind.INITIAL,
        internal_category="B",
        external_category="B",
        effective_on=today(),
    )
    with pytest.raises(ValidationError, match="refer it back to the approving officer"):
        review_advise(actor=officers["adviser"], review=review, advised_on=today(), prisoner_signed=True)
    review.refresh_from_db()
    assert review.status == ReviewStatus.APPROVED


def test_a_discrepancy_is_referred_back_and_put_right_by_the_approving_officer(inmate, officers):
    """Seed 003, E.1: the discrepancy goes back to the approving officer without reaching the
    prisoner; once the approving officer records the classification again the prisoner is advised."""
    review = approved(inmate, officers)
    security_classification_record(
        actor=None,
        offender=inmate,
        kind=ClassificationKind.INITIAL,
        internal_category="B",
        external_category="B",
        effective_on=today(),
    )
    with pytest.raises(ValidationError) as error:
        review_refer_back(actor=officers["adviser"], review=review, discrepancy="  ")
    assert "discrepancy" in error.value.message_dict
    review = review_refer_back(
        actor=officers["adviser"], review=review, discrepancy="IOMS shows B/B, the review approved A/A"
    )
    assert review.status == ReviewStatus.REFERRED_BACK
    with pytest.raises(ValidationError):
        review_advise(actor=officers["adviser"], review=review, advised_on=today(), prisoner_signed=True)
    # Only an approving officer who did not initiate or recommend it may put it right.
    for who in ("initiator", "recommender", "adviser"):
        with pytest.raises(PermissionDenied):
            review_reconfirm(actor=officers[who], review=review, comments="Fixed")
    review = review_reconfirm(actor=officers["approver"], review=review, comments="Re-recorded A/A")
    assert review.status == ReviewStatus.APPROVED
    current = current_classification(inmate.pk)
    assert current.pk == review.classification_id
    assert (current.internal_category, current.external_category) == ("A", "A")
    review = review_advise(actor=officers["adviser"], review=review, advised_on=today(), prisoner_signed=True)
    assert review.status == ReviewStatus.ADVISED
    steps = list(review.transitions.values_list("to_status", flat=True))
    assert steps[-3:] == [ReviewStatus.REFERRED_BACK, ReviewStatus.APPROVED, ReviewStatus.ADVISED]


# --- instrument versions -------------------------------------------------------------------------


def test_a_completed_review_keeps_its_instrument_version(inmate, officers, v1):
    HealthStabilityAssessment.objects.create(
        offender=inmate, assessed_on=days_ago(5), stability=Stability.UNSTABLE, medical_opinion=True
    )
    review = approved(inmate, officers)
    scores = (review.internal_score, review.external_score, review.internal_category)

    draft = instrument_draft_create(actor=None, source=v1, effective_from=today())
    unstable = InstrumentOption.objects.get(item__instrument=draft, item__code="A.3.1", code="U")
    instrument_option_set_points(actor=None, option=unstable, points=40)
    instrument_activate(actor=None, instrument=draft)

    review.refresh_from_db()
    assert review.instrument == v1
    assert (review.internal_score, review.external_score, review.internal_category) == scores
    assert review.classification.instrument == v1
    # A review started now is scored by the new version.
    review_advise(actor=officers["adviser"], review=review, advised_on=today(), prisoner_signed=True)
    # So soon after the approval the review is not "due" (issue 14): staff ask for it.
    later = initiated(inmate, officers, reason=ReviewReason.MANUAL, comments="Instrument version 2 in use")
    assert later.instrument == draft
    assert later.internal_category == "B"


def test_an_open_review_keeps_its_version_when_a_new_one_is_activated(inmate, officers, v1):
    review = initiated(inmate, officers)
    draft = instrument_draft_create(actor=None, source=v1, effective_from=today())
    instrument_activate(actor=None, instrument=draft)
    review = review_correct_answer(
        actor=officers["initiator"], review=review, item="A.3.1", option="U", reason="New assessment"
    )
    assert review.instrument == v1


def test_a_serious_assault_used_by_an_approved_review_is_not_used_again(inmate, officers):
    """Seed 003, A.1.2: the override is used once per assault."""
    assault = offence(categories=[OffenceCategory.SERIOUS_ASSAULT])
    charge = ChargeFactory(offender=inmate, offence=assault, charged_on=days_ago(20))
    review = approved(inmate, officers)
    assert review.answers["A.1.2"]["option"] == "yes"
    assert review.answers["A.1.2"]["sources"][0]["pk"] == charge.pk
    assert review.approved_internal_category == "B"
    review_advise(actor=officers["adviser"], review=review, advised_on=today(), prisoner_signed=True)

    later = initiated(
        inmate, officers, reason=ReviewReason.CHANGE_OF_CIRCUMSTANCES, comments="Another charge laid"
    )
    assert later.answers["A.1.2"]["option"] == "no"


def test_one_draft_at_a_time(v1):
    """A second draft is refused by the service, and by the database should two race."""
    draft = instrument_draft_create(actor=None, source=v1, effective_from=today())
    with pytest.raises(ValidationError, match="already a draft"):
        instrument_draft_create(actor=None, source=v1, effective_from=today())
    with pytest.raises(IntegrityError), transaction.atomic():
        Instrument.objects.create(version=draft.version + 1, effective_from=today(), status="draft")
    instrument_activate(actor=None, instrument=draft)
    assert (
        instrument_draft_create(actor=None, source=draft, effective_from=today()).version == draft.version + 1
    )


def test_activation_records_each_versions_step(v1):
    admin = UserFactory()
    draft = instrument_draft_create(actor=admin, source=v1, effective_from=today())
    instrument_activate(actor=admin, instrument=draft)

    steps = InstrumentTransition.objects.order_by("id").values_list(
        "instrument", "from_status", "to_status", "actor"
    )
    assert list(steps) == [
        (draft.pk, "", "draft", admin.pk),
        (v1.pk, "active", "retired", admin.pk),
        (draft.pk, "draft", "active", admin.pk),
    ]
    assert AuditEvent.objects.filter(actor=admin, summary="Retired instrument version 1").exists()
    activated = AuditEvent.objects.get(actor=admin, summary="Activated instrument version 2")
    assert activated.changes == {"status": ["draft", "active"], "retired_versions": [None, [1]]}


def test_activating_a_version_someone_else_activated_is_refused_and_changes_nothing(v1):
    """Two administrators have the draft's activation page open; the second to confirm is told."""
    first, second = UserFactory(), UserFactory()
    draft = instrument_draft_create(actor=first, source=v1, effective_from=today())
    seen_by_the_second = Instrument.objects.get(pk=draft.pk)
    instrument_activate(actor=first, instrument=draft)
    rows, audits = InstrumentTransition.objects.count(), AuditEvent.objects.count()

    with pytest.raises(
        ConcurrentChange,
        match="Someone else changed this instrument version while you had it open: it is now active",
    ):
        instrument_activate(actor=second, instrument=seen_by_the_second)

    assert Instrument.objects.get(pk=draft.pk).status == InstrumentStatus.ACTIVE
    assert (InstrumentTransition.objects.count(), AuditEvent.objects.count()) == (rows, audits)


def test_a_retired_version_cannot_become_active_again(v1):
    draft = instrument_draft_create(actor=None, source=v1, effective_from=today())
    instrument_activate(actor=None, instrument=draft)
    v1.refresh_from_db()
    rows = InstrumentTransition.objects.count()

    with pytest.raises(
        TransitionNotAllowed, match="An instrument version that is retired cannot become active"
    ):
        INSTRUMENT_WORKFLOW.move(v1, to=InstrumentStatus.ACTIVE, actor=None)

    assert Instrument.objects.get(pk=v1.pk).status == InstrumentStatus.RETIRED
    assert InstrumentTransition.objects.count() == rows
