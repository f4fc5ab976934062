"""A message sent again under the same message ID: the courts' system is told at once that it is a
duplicate (200, with the original's status and time of receipt) and nothing happens twice; the
same ID with different content is refused (409), kept and put before a person, never taken for
the same message."""

import datetime
import json

import pytest
from django.urls import reverse

from courts.models import CourtMessage, MatchCandidate, MessageStatus
from courts.services import court_message_process
from reconciliation.models import DataException, ReasonCode
from sentences.models import Sentence
from tests.courts.conftest import imposed
from tests.factories import AliasFactory, OffenderFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/court-messages/"


@pytest.fixture
def queued(monkeypatch):
    pks: list[int] = []
    monkeypatch.setattr("courts.services._queue", pks.append)
    return pks


def post(client, message: dict, *, indent: int | None = None):
    return client.generic(
        "POST", URL, json.dumps(message, indent=indent).encode(), content_type="application/json"
    )


def test_a_first_receipt_is_202_and_not_a_duplicate(court_api, reference_data, queued):
    response = post(court_api, imposed("CMS-R1"))

    assert response.status_code == 202
    assert response.json()["duplicate"] is False
    assert "original_id" not in response.json()


def test_a_resent_message_is_answered_as_a_duplicate_with_the_originals_status(
    court_api, reference_data, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = post(court_api, imposed("CMS-R2")).json()
    original = court_message_process(pk=first["id"])
    queued.clear()

    # The same message again, laid out differently (the content is what counts).
    with django_capture_on_commit_callbacks(execute=True):
        response = post(court_api, imposed("CMS-R2"), indent=2)

    assert response.status_code == 200
    data = response.json()
    assert data["duplicate"] is True
    assert (data["id"], data["message_id"], data["status"]) == (original.pk, "CMS-R2", "processed")
    assert datetime.datetime.fromisoformat(data["received_at"]) == original.received_at
    assert f"(IOMS #{original.pk}); this copy changes nothing" in data["reason"]
    # Nothing queued, nothing applied twice; the copy is kept as a duplicate of the original.
    assert queued == []
    assert Sentence.objects.count() == 1
    copy = CourtMessage.objects.exclude(pk=original.pk).get()
    assert (copy.status, copy.duplicate_of) == (MessageStatus.DUPLICATE, original)
    assert not DataException.objects.exists()


def test_a_resend_before_the_original_is_processed_says_it_is_still_received(
    court_api, reference_data, queued
):
    first = post(court_api, imposed("CMS-R3")).json()

    response = post(court_api, imposed("CMS-R3"))

    assert response.status_code == 200
    assert (response.json()["id"], response.json()["status"]) == (first["id"], "received")
    # Processing the original later still applies it exactly once.
    court_message_process(pk=first["id"])
    assert Sentence.objects.count() == 1


def test_a_duplicate_answer_gives_the_status_but_not_who_the_original_was_matched_to(
    court_api, reference_data, queued
):
    someone = OffenderFactory(
        family_name="Thomas", given_names="Rawiri", date_of_birth=datetime.date(1990, 5, 17)
    )
    AliasFactory(offender=someone, family_name="Tamihana", given_names="Wiremu James")
    first = post(court_api, imposed("CMS-R4")).json()
    original = court_message_process(pk=first["id"])
    assert original.status == MessageStatus.AWAITING_MATCH
    assert "THOMAS" in original.status_reason

    response = post(court_api, imposed("CMS-R4"))

    assert response.status_code == 200
    assert response.json()["status"] == "awaiting_match"
    assert "THOMAS" not in response.content.decode().upper()
    assert "Rawiri" not in response.content.decode()
    assert MatchCandidate.objects.filter(message__message_id="CMS-R4").count() == 1


def test_the_same_id_with_different_content_is_a_409_kept_for_a_person(court_api, reference_data, queued):
    first = post(court_api, imposed("CMS-R5")).json()
    court_message_process(pk=first["id"])
    queued.clear()

    response = post(court_api, imposed("CMS-R5", end_date="2031-01-01"))

    assert response.status_code == 409
    data = response.json()
    assert (data["status"], data["duplicate"], data["original_id"]) == ("exception", False, first["id"])
    assert "was already used" in data["reason"] and "different content" in data["reason"]
    assert "new message ID" in data["reason"]
    # Kept (nothing that arrives is lost), not queued, not applied, on the exceptions report.
    conflict = CourtMessage.objects.get(pk=data["id"])
    assert (conflict.status, conflict.duplicate_of_id) == (MessageStatus.EXCEPTION, first["id"])
    assert queued == []
    assert Sentence.objects.get().end_date != datetime.date(2031, 1, 1)
    exception = DataException.objects.get(court_message=conflict)
    assert exception.reason_code == ReasonCode.COURT_CONFLICT


def test_a_rejected_message_may_be_sent_again_corrected_under_the_same_id(
    court_api, reference_data, queued, django_capture_on_commit_callbacks
):
    broken = imposed("CMS-R6")
    broken["offender"]["date_of_birth"] = "17/05/1990"
    assert post(court_api, broken).status_code == 400

    with django_capture_on_commit_callbacks(execute=True):
        response = post(court_api, imposed("CMS-R6"))

    assert response.status_code == 202
    assert response.json()["duplicate"] is False
    assert queued == [response.json()["id"]]


def test_a_resend_that_breaks_the_format_is_a_400_whatever_its_id(court_api, reference_data, queued):
    post(court_api, imposed("CMS-R7"))
    broken = imposed("CMS-R7")
    broken["sentence"]["hours"] = "120"

    response = post(court_api, broken)

    assert response.status_code == 400
    assert response.json()["status"] == "rejected"


def test_the_schema_documents_the_duplicate_and_conflict_answers(client, probation_officer):
    client.force_login(probation_officer)

    schema = client.get(reverse("api-schema"), {"format": "json"}).json()

    responses = schema["paths"][URL]["post"]["responses"]
    assert {"200", "202", "409"} <= set(responses)
    for code in ("200", "202", "409"):
        assert responses[code]["content"]["application/json"]["schema"]["$ref"].endswith("/Receipt")
    receipt = schema["components"]["schemas"]["Receipt"]
    assert "duplicate" in receipt["required"]
    assert "original_id" in receipt["properties"]
