import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from audit.models import AuditEvent
from classification.models import (
    ClassificationKind,
    HealthStabilityAssessment,
    Instrument,
    InstrumentOption,
    InstrumentStatus,
    SecurityClassification,
    Stability,
)
from classification.scoring import score
from classification.selectors import (
    active_instrument,
    classification_history,
    current_classification,
    current_classifications,
    instrument_spec,
)
from classification.services import (
    instrument_activate,
    instrument_draft_create,
    instrument_option_set_points,
    instrument_thresholds_set,
    security_classification_record,
)
from tests.classification.factories import days_ago, prisoner, today
from tests.classification.test_scoring import answers
from tests.factories import OffenderFactory, UserFactory

pytestmark = pytest.mark.django_db


def record(
    offender, kind=ClassificationKind.INITIAL, internal="A", external="A", effective_on=None, **kwargs
):
    return security_classification_record(
        actor=None,
        offender=offender,
        kind=kind,
        internal_category=internal,
        external_category=external,
        effective_on=effective_on or today(),
        **kwargs,
    )


# --- classification history -----------------------------------------------------------------


def test_a_review_is_refused_before_an_initial_classification(v1):
    offender = prisoner()
    with pytest.raises(ValidationError) as error:
        record(offender, kind=ClassificationKind.REVIEW, instrument=v1)
    assert "initial classification must be recorded before a review" in str(error.value)
    assert not SecurityClassification.objects.filter(offender=offender).exists()


def test_the_current_classification_is_the_latest_and_the_history_keeps_the_rest(v1):
    offender = prisoner()
    initial = record(offender, internal="B", external="B", effective_on=days_ago(200))
    review = record(
        offender, kind=ClassificationKind.REVIEW, instrument=v1, internal_score=12, external_score=20
    )
    assert current_classification(offender.pk) == review
    assert classification_history(offender.pk) == [review, initial]
    assert current_classifications([offender.pk]) == {offender.pk: review}
    assert AuditEvent.objects.filter(offender_id=offender.pk, action="create").count() == 2


def test_a_classification_cannot_take_effect_before_the_current_one(v1):
    offender = prisoner()
    record(offender, effective_on=days_ago(10))
    with pytest.raises(ValidationError) as error:
        record(offender, kind=ClassificationKind.REVIEW, instrument=v1, effective_on=days_ago(11))
    assert "effective_on" in error.value.message_dict


def test_a_review_must_record_its_instrument_version():
    offender = prisoner()
    record(offender)
    with pytest.raises(ValidationError) as error:
        record(offender, kind=ClassificationKind.REVIEW)
    assert "instrument" in error.value.message_dict


def test_the_database_refuses_to_edit_or_delete_a_classification():
    classification = record(prisoner())
    for statement in (
        "UPDATE classification_securityclassification SET internal_category = 'B' WHERE id = %s",
        "DELETE FROM classification_securityclassification WHERE id = %s",
    ):
        with (
            pytest.raises(Exception, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, [classification.pk])
    classification.refresh_from_db()
    assert classification.internal_category == "A"


def test_unstable_needs_a_medical_opinion():
    with pytest.raises(IntegrityError), transaction.atomic():
        HealthStabilityAssessment.objects.create(
            offender=OffenderFactory(),
            assessed_on=today(),
            stability=Stability.UNSTABLE,
            medical_opinion=False,
        )


# --- instrument versions --------------------------------------------------------------------


def test_version_1_is_loaded_active_with_every_seed_003_item(v1):
    codes = list(v1.items.values_list("code", flat=True))
    assert codes[0] == "A.1.1" and codes[-1] == "B.4.4" and len(codes) == 26
    assert (v1.internal_b_from, v1.external_b_from) == (27, 24)
    assert Instrument.objects.filter(status=InstrumentStatus.ACTIVE).count() == 1


def test_the_database_allows_only_one_active_instrument(v1):
    with pytest.raises(IntegrityError), transaction.atomic():
        Instrument.objects.create(version=99, effective_from=today(), status=InstrumentStatus.ACTIVE)


def test_activating_a_draft_retires_the_active_version(v1):
    admin = UserFactory()
    draft = instrument_draft_create(actor=admin, source=v1, effective_from=today())
    assert draft.version == 2 and draft.items.count() == v1.items.count()
    instrument_activate(actor=admin, instrument=draft)
    v1.refresh_from_db()
    assert v1.status == InstrumentStatus.RETIRED
    assert active_instrument() == draft
    assert AuditEvent.objects.filter(actor=admin, summary="Activated instrument version 2").exists()


def test_only_a_draft_can_change(v1):
    option = InstrumentOption.objects.get(item__instrument=v1, item__code="A.3.1", code="U")
    with pytest.raises(ValidationError, match="only a draft can change"):
        instrument_option_set_points(actor=None, option=option, points=20)
    with pytest.raises(ValidationError, match="only a draft can change"):
        instrument_thresholds_set(actor=None, instrument=v1, internal_b_from=10, external_b_from=10)
    option.refresh_from_db()
    assert option.points == 6


def test_a_draft_missing_an_item_cannot_be_activated(v1):
    draft = instrument_draft_create(actor=None, source=v1, effective_from=today())
    draft.items.filter(code="B.3.2").delete()
    with pytest.raises(ValidationError, match="B.3.2 is missing"):
        instrument_activate(actor=None, instrument=draft)
    assert active_instrument() == v1


def test_a_new_version_never_changes_a_completed_score(v1):
    offender = prisoner()
    record(offender, effective_on=days_ago(100))
    unstable = answers(A_2_1="under_1y", A_3_1="U", A_4_2="M", A_4_3="1")
    result = score(instrument_spec(v1), unstable)
    assert (result.internal_total, result.internal_category, result.instrument_version) == (26, "A", 1)
    review = record(
        offender,
        kind=ClassificationKind.REVIEW,
        instrument=v1,
        internal=result.internal_category,
        external=result.external_category,
        internal_score=result.internal_total,
        external_score=result.external_total,
    )

    draft = instrument_draft_create(
        actor=None, source=v1, effective_from=today() + datetime.timedelta(days=1)
    )
    instrument_option_set_points(
        actor=None,
        option=InstrumentOption.objects.get(item__instrument=draft, item__code="A.3.1", code="U"),
        points=10,
    )
    instrument_activate(actor=None, instrument=draft)

    assert score(instrument_spec(draft), unstable).categories[0] == "B"  # 30 under version 2
    review.refresh_from_db()
    assert (review.instrument_id, review.internal_score, review.internal_category) == (v1.pk, 26, "A")
    assert score(instrument_spec(review.instrument), unstable) == result  # version 1 scores as it did
