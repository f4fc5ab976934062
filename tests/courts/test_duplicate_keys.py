"""A court message that gives a key twice is rejected, naming the key: JSON parsers disagree on which
copy wins, so the message we applied could differ from the one the courts meant. Like any other
malformed body it is stored, answered 400 and put on the exceptions report (store-first rule)."""

import json

import pytest

from courts.batch import court_messages_import
from courts.models import CourtMessage, MessageStatus
from courts.schemas import parse_body
from reconciliation.models import DataException, ReasonCode
from tests.courts.conftest import imposed

pytestmark = pytest.mark.django_db
URL = "/api/v1/court-messages/"


def with_repeated_key(message: dict, key: str, value, *, inside: str | None = None) -> bytes:
    """The message as JSON text with `key` given a second time (at the top, or in object `inside`)."""
    text = json.dumps(message)
    if inside is None:
        return (text[:-1] + f", {json.dumps(key)}: {json.dumps(value)}}}").encode()
    start = text.index(f'"{inside}": {{') + len(f'"{inside}": {{')
    return (text[:start] + f"{json.dumps(key)}: {json.dumps(value)}, " + text[start:]).encode()


def test_a_message_giving_a_top_level_key_twice_is_stored_rejected_and_answered_400_naming_it(
    court_api, reference_data
):
    body = with_repeated_key(imposed("CMS-D1"), "message_type", "offender.released")

    response = court_api.generic("POST", URL, body, content_type="application/json")

    assert response.status_code == 400
    reason = response.json()["reason"]
    assert 'the key "message_type" twice' in reason
    message = CourtMessage.objects.get(pk=response.json()["id"])
    assert message.status == MessageStatus.REJECTED
    assert message.raw_body == body.decode()
    assert message.payload is None  # neither reading of it is applied
    assert DataException.objects.get(court_message=message).reason_code == ReasonCode.REJECTED_MESSAGE


def test_a_key_repeated_inside_a_nested_object_is_rejected_too(court_api, reference_data):
    body = with_repeated_key(imposed("CMS-D2"), "family_name", "Someone Else", inside="offender")

    response = court_api.generic("POST", URL, body, content_type="application/json")

    assert response.status_code == 400
    assert 'the key "family_name" twice in the same object' in response.json()["reason"]


def test_the_same_key_in_two_different_objects_is_not_a_repeat():
    parsed = parse_body(b'{"offender": {"id": "1", "names": [{"id": "2"}]}, "sentence": {"id": "3"}}')

    assert parsed.error == ""
    assert parsed.payload == {"offender": {"id": "1", "names": [{"id": "2"}]}, "sentence": {"id": "3"}}


def test_an_import_line_giving_a_key_twice_is_rejected_with_its_line_and_the_others_imported(
    reference_data,
):
    lines = [
        json.dumps(imposed("CMS-D4")).encode(),
        with_repeated_key(imposed("CMS-D5"), "message_id", "CMS-D6"),
        json.dumps(imposed("CMS-D7")).encode(),
    ]

    summary = court_messages_import(lines=lines, queue=False)

    assert (summary.accepted, summary.rejected) == (2, 1)
    assert summary.rejections == [
        'Line 2: The body gives the key "message_id" twice in the same object; give each field once.'
    ]
    rejected = CourtMessage.objects.get(status=MessageStatus.REJECTED)
    assert rejected.source == "batch"
    assert 'the key "message_id" twice' in rejected.status_reason
