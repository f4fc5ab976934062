"""A prisoner released from custody is no longer classified: a release movement cancels each open
review in its transaction, with the release as the reason; an approved review stays."""

import pytest

from audit.models import AuditAction, AuditEvent
from classification.models import ClassificationKind, ReviewStatus
from classification.services import review_initiate, review_submit, security_classification_record
from sentences.custody import custody_release
from sentences.models import ReleaseReason
from staff.models import OfficeKind
from staff.roles import Role
from tests.classification.factories import days_ago, prisoner, today
from tests.factories import OfficeFactory, staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def prison(db):
    return OfficeFactory(kind=OfficeKind.PRISON, name="Rimutaka Prison")


@pytest.fixture
def inmate(prison, v1):
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


def test_a_release_cancels_the_open_review_with_the_release_as_its_reason(prison, inmate):
    officer = staff_user(Role.PRISON_OFFICER, prison)
    review = review_submit(actor=officer, review=review_initiate(actor=officer, offender=inmate))

    custody_release(
        actor=officer, offender=inmate, reason=ReleaseReason.PAROLE, occurred_on=today(), detail=""
    )

    review.refresh_from_db()
    assert review.status == ReviewStatus.CANCELLED
    assert review.cancel_reason.startswith("Released on parole from Rimutaka Prison on ")
    assert review.cancel_reason.endswith("a prisoner released from custody is no longer classified.")
    step = review.transitions.get(to_status=ReviewStatus.CANCELLED)
    assert (step.from_status, step.actor) == (ReviewStatus.SUBMITTED, officer)
    assert AuditEvent.objects.filter(
        object_id=str(review.pk), action=AuditAction.UPDATE, summary__contains="Cancelled"
    ).exists()


def test_another_prisoners_review_is_not_touched(prison, inmate, v1):
    officer = staff_user(Role.PRISON_OFFICER, prison)
    other = prisoner(managing_office=prison)
    security_classification_record(
        actor=None,
        offender=other,
        kind=ClassificationKind.INITIAL,
        internal_category="A",
        external_category="A",
        effective_on=days_ago(180),
    )
    staying = review_initiate(actor=officer, offender=other)

    custody_release(
        actor=officer, offender=inmate, reason=ReleaseReason.SENTENCE_SERVED, occurred_on=today(), detail=""
    )

    staying.refresh_from_db()
    assert staying.status == ReviewStatus.INITIATED
