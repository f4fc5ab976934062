import datetime

import pytest
from django.db import connection
from django.utils import timezone

from reconciliation.detection import exception_raise
from reconciliation.models import ReasonCode
from sentences.models import SentenceEvent, SentenceEventKind
from staff.roles import Role
from tests.factories import OffenderFactory, SentenceFactory, staff_user


@pytest.fixture
def as_user(client):
    """as_user(user) -> the test client logged in as `user`."""

    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def other_admin_support(other_office):
    return staff_user(Role.ADMIN_SUPPORT, office=other_office, username="other_admin_support")


@pytest.fixture
def make_exception(office):
    """make_exception(**overrides) -> an open exception on a sentence managed by `office`."""

    def make(
        *, at=None, reason_code=ReasonCode.MISSING_KEY_DATES, detail="Imprisonment has no SRD.", **kwargs
    ):
        offender = kwargs.pop("offender", None) or OffenderFactory(home_office=at or office)
        sentence = kwargs.pop("sentence", None) or SentenceFactory(offender=offender)
        exception, created = exception_raise(
            reason_code=reason_code, detail=detail, sentence=sentence, **kwargs
        )
        assert created
        return exception

    return make


@pytest.fixture
def without_date_order_constraint(db):
    """The database refuses a sentence ending before it starts; records loaded before that rule
    (or by a bulk load that bypassed it) can still hold one. Drop the check for this test only:
    the DDL is rolled back with the test's transaction."""
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE sentences_sentence DROP CONSTRAINT sentence_ends_after_start")


def court_delivered(sentence, *, at=None):
    """A court-interface event on `sentence` (the order as the courts' system sent it)."""
    event = SentenceEvent.objects.create(
        sentence=sentence,
        kind=SentenceEventKind.ORDER_RECEIVED,
        occurred_on=sentence.order_date,
        detail="Court order received",
        source=SentenceEvent.Source.COURT_INTERFACE,
    )
    if at is not None:
        SentenceEvent.objects.filter(pk=event.pk).update(recorded_at=at)
    return event


def changed_by_person(sentence, user, *, detail="End date corrected", at=None):
    event = SentenceEvent.objects.create(
        sentence=sentence,
        kind=SentenceEventKind.DETAILS_CHANGED,
        occurred_on=timezone.localdate(),
        detail=detail,
        source=SentenceEvent.Source.PERSON,
        recorded_by=user,
    )
    if at is not None:
        SentenceEvent.objects.filter(pk=event.pk).update(recorded_at=at)
    return event


def days_ago(n: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=n)
