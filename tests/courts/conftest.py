import datetime
import json

import pytest
from rest_framework.test import APIClient

from courts.credentials import court_credential_issue
from courts.examples import example
from courts.models import CourtMessage
from courts.services import court_message_process, court_message_receive
from tests.factories import CourtFactory, OffenceFactory, OffenderFactory, SentenceFactory

TODAY = datetime.date.today


def days_ago(days: int) -> str:
    return (TODAY() - datetime.timedelta(days=days)).isoformat()


@pytest.fixture
def court(db):
    return CourtFactory(code="DC-WLG", name="Wellington District Court")


@pytest.fixture
def offences(db):
    return {
        "CA188": OffenceFactory(code="CA188", description="Wounding with intent"),
        "SA71": OffenceFactory(code="SA71", description="Breach of community work"),
    }


@pytest.fixture
def reference_data(court, offences, office, other_office):
    """The court, offences and offices (WLG01, AKL01) the example messages name."""
    return {"court": court, "offences": offences, "office": office, "other_office": other_office}


@pytest.fixture
def credential(db):
    return court_credential_issue(name="CMS test")


@pytest.fixture
def court_api(credential):
    """An API client holding the courts' credential."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {credential[1]}")
    return client


def imposed(message_id: str = "CMS-T-1", *, offender: dict | None = None, **sentence) -> dict:
    """A sentence.imposed message dated in the recent past, for a person with no PRN."""
    message = example("sentence.imposed", message_id=message_id)
    message["sent_at"] = f"{days_ago(1)}T10:00:00+13:00"
    message["offender"].pop("cms_participant_id")
    if offender is not None:
        message["offender"] = offender
    message["sentence"].update(
        {
            "cms_reference": f"S-{message_id}",
            "order_date": days_ago(30),
            "start_date": days_ago(30),
            "end_date": days_ago(-335),
            "convictions": [
                {"offence_code": "CA188", "offence_date": days_ago(90), "convicted_on": days_ago(40)}
            ],
        }
    )
    message["sentence"].update(sentence)
    return message


def on_sentence(message_type: str, message_id: str, sentence, **fields) -> dict:
    """A message about an existing sentence, naming the offender by PRN and the sentence by its
    court case number."""
    message = example(message_type, message_id=message_id)
    message["sent_at"] = f"{days_ago(0)}T09:00:00+13:00"
    message["offender"] = {"prn": sentence.offender.prn}
    message["sentence_ref"] = {"court_case_number": sentence.court_case_number}
    message.update(fields)
    return message


def deliver(message) -> CourtMessage:
    """Receive a message (a dict is sent as JSON) and process it, as the endpoint and the worker do."""
    raw = message if isinstance(message, bytes) else json.dumps(message).encode()
    receipt = court_message_receive(raw=raw, content_type="application/json")
    if receipt.accepted:
        court_message_process(pk=receipt.message.pk)
    receipt.message.refresh_from_db()
    return receipt.message


@pytest.fixture
def known_sentence(reference_data, office):
    """An offender on record (PRN 12345678) with a current supervision sentence, case CRI-1."""
    offender = OffenderFactory(
        prn="12345678", family_name="Tamihana", given_names="Wiremu", home_office=office
    )
    return SentenceFactory(
        offender=offender, court=reference_data["court"], court_case_number="CRI-1", managing_office=office
    )
