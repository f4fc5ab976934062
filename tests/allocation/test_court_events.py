"""Requests from the court interface: a sentence or a release that arrives as a CMS message makes
exactly one allocate request, however often the message is delivered."""

import datetime

import pytest

from allocation.models import AllocateRequest, AllocationTrigger
from courts.models import CourtSentenceReference, MessageStatus
from sentences.models import SentenceType
from tests.allocation.helpers import ensure_weights
from tests.courts import conftest as court_fixtures
from tests.courts.conftest import TODAY, days_ago, deliver, imposed
from tests.factories import ConvictionFactory, OffenderFactory, SentenceFactory

pytestmark = pytest.mark.django_db

# The court interface's own fixtures: the court, offences and offices its example messages name.
court = court_fixtures.court
offences = court_fixtures.offences
reference_data = court_fixtures.reference_data


@pytest.fixture(autouse=True)
def weights(db):
    ensure_weights()


def test_a_court_sentence_makes_one_request_even_when_delivered_twice(reference_data, office):
    first = deliver(imposed("CMS-A1"))
    again = deliver(imposed("CMS-A1"))

    assert first.status == MessageStatus.PROCESSED, first.status_reason
    assert again.status == MessageStatus.DUPLICATE
    [request] = AllocateRequest.objects.all()
    assert request.sentence == first.sentence
    assert request.office == office
    assert request.source == "court"
    assert request.trigger == AllocationTrigger.SENTENCE


def test_a_release_on_parole_from_the_court_interface_makes_a_release_request(reference_data, office):
    offender = OffenderFactory(prn="12345678", home_office=office)
    prison = SentenceFactory(
        offender=offender,
        court=reference_data["court"],
        sentence_type=SentenceType.IMPRISONMENT,
        order_date=TODAY() - datetime.timedelta(days=700),
        start_date=TODAY() - datetime.timedelta(days=700),
        end_date=TODAY() + datetime.timedelta(days=700),
        statutory_release_date=TODAY() + datetime.timedelta(days=300),
        managing_office=None,
    )
    ConvictionFactory(sentence=prison, offence=reference_data["offences"]["CA188"])
    CourtSentenceReference.objects.create(sentence=prison, cms_reference="CMS-S-2022-000777")
    from courts.examples import example

    message = example("offender.released", message_id="CMS-R1", released_on=days_ago(1))
    message["offender"] = {"prn": "12345678"}
    message["sentence"].update({"decided_on": days_ago(10), "end_date": days_ago(-400)})

    result = deliver(message)
    deliver(message)

    assert result.status == MessageStatus.PROCESSED, result.status_reason
    [request] = AllocateRequest.objects.all()
    assert request.sentence.sentence_type == SentenceType.PAROLE
    assert request.trigger == AllocationTrigger.RELEASE
    assert request.pre_allocation is False
