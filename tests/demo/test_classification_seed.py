"""The demo's Review Security Classification data (demo/classification.py)."""

import datetime
import io
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from audit.models import AuditEvent
from classification import access
from classification.models import (
    ActivityStatus,
    AtRiskAlert,
    ClassificationKind,
    CorrectionsActStatus,
    EscapeEvent,
    HealthStabilityAssessment,
    IncidentReport,
    IncidentType,
    Instrument,
    PlanCategory,
    PoliceInformation,
    RemovalOrder,
    Review,
    ReviewSchedule,
    ReviewStatus,
    ReviewTransition,
    ScheduleBasis,
    SecurityClassification,
    SentencePlanActivity,
    SentencePlanCategoryChange,
    Stability,
)
from classification.selectors import current_classifications, current_prisoner_ids
from demo.classification import ClassificationRows, Prisoner, PrisonRecordGenerator
from demo.reference import DEMO_PRISON_CODE
from demo.work import late_arrival_ids
from sentences.custody import in_custody_q
from sentences.models import Sentence, SentenceStatus, SentenceType
from staff.models import OfficeKind, StaffMember

pytestmark = pytest.mark.django_db

RECORD_MODELS = (
    IncidentReport,
    EscapeEvent,
    AtRiskAlert,
    HealthStabilityAssessment,
    SentencePlanActivity,
    SentencePlanCategoryChange,
    RemovalOrder,
    PoliceInformation,
)


def demo_user(username):
    return get_user_model().objects.select_related("staff__office").get(username=username)


def test_every_prisoner_has_an_initial_classification_and_a_history_in_order(seeded):
    """All but the prisoners recorded after the seeding classified them (demo/work.py): the one
    just received waits for the prison officer's initial classification."""
    late = late_arrival_ids()
    assert late and not current_classifications(list(late))
    prisoners = [pk for pk in current_prisoner_ids() if pk not in late]
    assert len(prisoners) >= 4
    assert set(current_classifications(prisoners)) == set(prisoners)
    assert "classifications" in seeded and "incident reports" in seeded
    starts = {}
    for offender_id, start in Sentence.objects.filter(
        sentence_type=SentenceType.IMPRISONMENT, status=SentenceStatus.ACTIVE
    ).values_list("offender_id", "start_date"):
        starts[offender_id] = min(start, starts.get(offender_id, start))
    today = datetime.date.today()
    for offender_id in prisoners:
        history = list(
            SecurityClassification.objects.filter(offender_id=offender_id).order_by("effective_on", "id")
        )
        assert [row.kind for row in history].count(ClassificationKind.INITIAL) == 1
        initial = history[0]
        assert initial.kind == ClassificationKind.INITIAL and initial.instrument_id is None
        assert starts[offender_id] <= initial.effective_on <= today
        for row in history[1:]:
            assert row.kind == ClassificationKind.REVIEW and row.instrument_id is not None
            assert row.effective_on <= today


def test_review_classifications_have_totals_that_give_their_categories(seeded):
    instrument = Instrument.objects.get(status="active")
    reviews = SecurityClassification.objects.filter(kind=ClassificationKind.REVIEW, review__isnull=True)
    assert reviews.exists(), "some prisoners have earlier approved reviews"
    for row in reviews:
        assert (row.internal_score >= instrument.internal_b_from) == (row.internal_category == "B")
        assert (row.external_score >= instrument.external_b_from) == (row.external_category == "B")


def test_prison_records_belong_to_prisoners_and_pass_model_validation(seeded):
    prisoners = set(current_prisoner_ids())
    assert IncidentReport.objects.exists() and SentencePlanActivity.objects.exists()
    for model in RECORD_MODELS:
        rows = model.objects.all()
        if model in (SentencePlanActivity, SentencePlanCategoryChange):
            rows = rows.filter(plan__isnull=True)  # the demo's sentence plans: community cases too
        for row in rows:
            row.full_clean()
            assert row.offender_id in prisoners
    for classification in SecurityClassification.objects.all():
        classification.full_clean()
    assert not HealthStabilityAssessment.objects.filter(
        stability=Stability.UNSTABLE, medical_opinion=False
    ).exists()


def test_seeded_records_are_not_changes_of_circumstances(seeded):
    """Records are written before the classifications, so the due list is not all "due now"."""
    late = late_arrival_ids()
    prisoners = [pk for pk in current_prisoner_ids() if pk not in late]
    schedules = ReviewSchedule.objects.filter(offender_id__in=prisoners)
    assert schedules.count() == len(prisoners)
    bases = Counter(schedules.values_list("basis", flat=True))
    assert bases[ScheduleBasis.CHANGE] < len(prisoners) / 2


def test_the_demo_prison_logins_work_at_one_prison_with_prisoners(seeded):
    offices = {demo_user(name).staff.office for name in ("prison", "recommending", "approving")}
    assert len(offices) == 1
    [prison] = offices
    assert prison.code == DEMO_PRISON_CODE and prison.kind == OfficeKind.PRISON
    at_prison = Sentence.objects.filter(
        sentence_type=SentenceType.IMPRISONMENT, status=SentenceStatus.ACTIVE, managing_office=prison
    )
    assert at_prison.values("offender").distinct().count() >= 4


def test_each_demo_login_has_a_review_waiting_for_them(seeded):
    prison, recommending, approving = (demo_user(name) for name in ("prison", "recommending", "approving"))
    reviews = list(Review.objects.select_related("offender"))
    for review in reviews:
        assert prison.staff.office_id in access.prison_office_ids(review.offender)

    def waiting(status, check, user):
        return [r for r in reviews if r.status == status and check(user, r)]

    assert waiting(ReviewStatus.RECOMMENDED, access.can_approve_review, approving)
    assert waiting(ReviewStatus.SUBMITTED, access.can_recommend_review, recommending)
    assert waiting(ReviewStatus.INITIATED, access.can_edit_review, prison)
    assert waiting(ReviewStatus.APPROVED, access.can_advise_review, prison)


def test_demo_reviews_keep_the_four_eyes_rule_and_record_every_step(seeded):
    reviews = Review.objects.all()
    assert reviews.count() >= 4
    staff = set(StaffMember.objects.filter(office__code=DEMO_PRISON_CODE).values_list("user_id", flat=True))
    for review in reviews:
        signers = [review.initiated_by_id, review.recommended_by_id, review.approved_by_id]
        present = [signer for signer in signers if signer]
        assert len(present) == len(set(present)), review
        assert set(present) <= staff
        steps = list(ReviewTransition.objects.filter(review=review).values_list("to_status", flat=True))
        assert steps[0] == ReviewStatus.INITIATED and steps[-1] == review.status
        if review.status == ReviewStatus.APPROVED:
            assert current_classifications([review.offender_id])[review.offender_id] == review.classification
    initiators = {review.initiated_by_id for review in reviews}
    assert len(initiators) >= 2, "colleagues as well as the demo login start reviews"
    audited = set(AuditEvent.objects.values_list("object_type", flat=True))
    assert {"classification.Review", "classification.SecurityClassification"} <= audited


def test_a_second_seeding_classifies_only_the_new_prisoners(seeded):
    reviews = Review.objects.count()
    call_command("seed_demo", "--offenders", "120", "--force", "--no-progress", stdout=io.StringIO())
    # Those in custody at a prison (the waiting work's record with no prison is not one of its
    # prisoners; a released prisoner still serves the sentence, in the community).
    prisoners = list(
        Sentence.objects.filter(
            in_custody_q(),
            sentence_type=SentenceType.IMPRISONMENT,
            status=SentenceStatus.ACTIVE,
            managing_office__isnull=False,
        )
        .order_by()
        .values_list("offender_id", flat=True)
        .distinct()
    )
    assert set(current_classifications(prisoners)) == set(prisoners)
    initial = SecurityClassification.objects.filter(kind=ClassificationKind.INITIAL)
    assert initial.count() == initial.values("offender").distinct().count() == len(prisoners)
    assert Review.objects.count() == reviews


def _generate(seed, count=1_500):
    today = datetime.date(2026, 3, 1)
    instrument = Instrument(pk=1, internal_b_from=27, external_b_from=24)
    generator = PrisonRecordGenerator(
        seed=seed, today=today, instrument=instrument, staff={7: ([11, 12], [13])}
    )
    rows = ClassificationRows()
    for number in range(count):
        start = today - datetime.timedelta(days=30 + number % 2_000)
        prisoner = Prisoner(number, f"{number:08d}", 7, start, long_term=number % 3 == 0)
        generator.build(prisoner, rows)
    return rows


def _key(row):
    return {name: value for name, value in vars(row).items() if not name.startswith("_")}


def test_records_are_a_realistic_spread(db):
    rows = _generate(2026)
    prisoners = 1_500
    incidents = rows.incidents + rows.recent_incidents
    assert rows.recent_incidents, "the latest incidents are entered after the classifications"
    assert {row.incident_type for row in incidents} == set(IncidentType.values)
    assert {row.corrections_act for row in incidents} == set(CorrectionsActStatus.values)
    assert any(row.drugs_related for row in incidents) and any(row.violence_related for row in incidents)
    assert any(row.negative_attitude for row in incidents)
    assert 1 < len(incidents) / prisoners < 6
    # Escapes, removal orders and Police information are rare.
    assert 0 < len(rows.escapes + rows.recent_escapes) < prisoners * 0.05
    assert 0 < len(rows.removal_orders) < prisoners * 0.03
    assert 0 < len({row.offender_id for row in rows.police_information}) < prisoners * 0.12
    assert {row.level for row in rows.police_information} == {"H", "M", "L"}
    assert {row.status for row in rows.plan_activities} == set(ActivityStatus.values)
    assert {row.category for row in rows.plan_category_changes} == set(PlanCategory.values)
    assert {row.stability for row in rows.stability_assessments} == {"S", "U"}
    assert all(row.medical_opinion for row in rows.stability_assessments if row.stability == "U")
    assert rows.at_risk_alerts
    kinds = Counter(row.kind for row in rows.classifications)
    assert kinds[ClassificationKind.INITIAL] == prisoners
    assert kinds[ClassificationKind.REVIEW] > prisoners / 2
    categories = Counter((row.internal_category, row.external_category) for row in rows.classifications)
    assert len(categories) == 4


def test_the_same_seed_gives_the_same_records_and_another_does_not(db):
    first, again, other = _generate(5, 300), _generate(5, 300), _generate(6, 300)
    assert [_key(row) for row in first.incidents] == [_key(row) for row in again.incidents]
    assert [_key(row) for row in first.classifications] == [_key(row) for row in again.classifications]
    assert [_key(row) for row in first.incidents] != [_key(row) for row in other.incidents]
