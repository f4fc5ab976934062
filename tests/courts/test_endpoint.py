"""POST /api/v1/court-messages/: only the courts' credential gets in, every body is stored before
anything else, and bad input of every kind gets a clear answer (never a 500, never lost)."""

import json
import re

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from courts.credentials import court_credential_issue
from courts.models import CourtApiCredential, CourtMessage, MessageStatus
from reconciliation.models import DataException, ReasonCode
from staff.roles import Role
from tests.courts.conftest import imposed
from tests.factories import staff_user

pytestmark = pytest.mark.django_db
URL = "/api/v1/court-messages/"


@pytest.fixture
def queued(monkeypatch):
    """The pks queued for the workers (the real queue is exercised in test_worker.py)."""
    pks: list[int] = []
    monkeypatch.setattr("courts.services._queue", pks.append)
    return pks


def post(client: APIClient, body, content_type: str = "application/json"):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.generic("POST", URL, raw, content_type=content_type)


def test_a_valid_message_is_stored_as_received_and_queued_on_commit(
    court_api, reference_data, queued, django_capture_on_commit_callbacks
):
    body = json.dumps(imposed("CMS-E1"), indent=1).encode()

    with django_capture_on_commit_callbacks(execute=True):
        response = post(court_api, body)

    assert response.status_code == 202
    data = response.json()
    assert (data["message_id"], data["status"], data["reason"]) == ("CMS-E1", "received", "")
    message = CourtMessage.objects.get(pk=data["id"])
    assert message.raw_body == body.decode()
    assert message.raw_bytes is None
    assert (message.message_type, message.source, message.status) == ("sentence.imposed", "api", "received")
    assert message.credential.name == "CMS test"
    assert message.content_type == "application/json"
    assert queued == [message.pk]


def test_nothing_is_queued_before_the_commit(
    court_api, reference_data, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        post(court_api, imposed("CMS-E2"))

    assert queued == []
    assert len(callbacks) == 1


def test_a_user_session_cannot_post_court_messages(office, reference_data):
    for role in (Role.SYSTEM_ADMIN, Role.ADMIN_SUPPORT, Role.DATA_SHARE):
        client = APIClient()
        client.force_login(staff_user(role, office=office))

        response = post(client, imposed("CMS-E3"))

        assert response.status_code in (401, 403), role
    assert not CourtMessage.objects.exists()


def test_an_anonymous_caller_is_asked_for_the_bearer_token(reference_data):
    response = post(APIClient(), imposed("CMS-E4"))

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="court-messages"'
    assert not CourtMessage.objects.exists()


@pytest.mark.parametrize(
    "header", ["Bearer wrong-token", "Bearer", "Bearer a b", "Basic dXNlcjpwYXNz", "Bearer \u00e9"]
)
def test_a_wrong_or_malformed_credential_is_refused_and_nothing_is_stored(header, credential):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)

    response = post(client, {"message_id": "X"})

    assert response.status_code in (401, 403)
    assert not CourtMessage.objects.exists()


def test_a_withdrawn_credential_is_refused(court_api, credential):
    CourtApiCredential.objects.filter(pk=credential[0].pk).update(active=False)

    assert post(court_api, {"message_id": "X"}).status_code == 401


def test_the_credential_is_used_without_storing_the_token(credential):
    stored, token = credential
    assert token not in stored.token_hash and stored.token_hash == CourtApiCredential.hash_token(token)
    assert stored.token_prefix == token[:8]


def _schema_endpoints():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return [
        (method.upper(), re.sub(r"\{[a-z_]+\}", "1", path))
        for path, operations in schema["paths"].items()
        for method in operations
        if method in {"get", "post", "patch"} and path != URL
    ]


def test_the_credential_reaches_no_other_endpoint(court_api, reference_data):
    endpoints = _schema_endpoints()
    assert len(endpoints) > 30

    for method, path in endpoints:
        response = court_api.generic(method, path, b"{}", content_type="application/json")
        assert response.status_code in (401, 403), (method, path, response.status_code)


def test_the_credential_does_not_open_the_browser_pages(court_api, reference_data):
    for path in ("/", "/offenders/", "/courts/messages/", "/api/v1/docs/"):
        response = court_api.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), path


def test_the_endpoint_only_takes_posts(court_api):
    assert court_api.get(URL).status_code == 405


def test_a_second_credential_can_be_issued_and_names_are_unique(db):
    court_credential_issue(name="CMS A")
    with pytest.raises(Exception, match="already exists"):
        court_credential_issue(name="CMS A")


# --- malformed and hostile input ------------------------------------------------------------------


def _rejected(response, code: int = 400) -> CourtMessage:
    assert response.status_code == code, response.content[:300]
    data = response.json()
    assert data["status"] == "rejected"
    message = CourtMessage.objects.get(pk=data["id"])
    assert message.status == MessageStatus.REJECTED
    assert message.status_reason == data["reason"]
    assert message.transitions.get().to_status == MessageStatus.REJECTED
    exception = DataException.objects.get(court_message=message)
    assert exception.reason_code == ReasonCode.REJECTED_MESSAGE
    assert data["reason"] in exception.detail
    return message


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            b'{"message_id": "CMS-1", "message_type": ',
            "The body is not valid JSON: Expecting value (line 1, column 41)",
        ),
        (b"", "The body is empty"),
        (b"   \n", "The body is empty"),
        (b"[1, 2]", "must be a JSON object"),
        (b'"sentence.imposed"', "must be a JSON object"),
        (b'{"a": NaN}', "NaN is not a JSON number"),
        (b'{"a": 1e999}', "too large"),
        (b"[" * 50_000 + b"]" * 50_000, "nested too deeply"),
        (b'{"a": "\\u0000"}', "NUL character"),
        (b'{"a": "\\ud800"}', "unpaired surrogate"),
    ],
)
def test_a_body_that_is_not_a_json_object_is_stored_and_rejected_with_the_reason(court_api, body, expected):
    message = _rejected(post(court_api, body))

    assert expected in message.status_reason
    assert message.raw_body == body.decode()


def test_bytes_that_are_not_utf8_are_kept_exactly(court_api):
    body = b'{"message_id": "CMS-\xff\xfe", "x": 1}'

    message = _rejected(post(court_api, body))

    assert "not UTF-8 text (byte 0xff at position 20)" in message.status_reason
    assert bytes(message.raw_bytes) == body
    assert message.raw_body == body.decode("utf-8", errors="replace")


def test_nul_bytes_in_the_body_are_kept_exactly(court_api):
    body = b'{"message_id": "A\x00B"}'

    message = _rejected(post(court_api, body))

    assert bytes(message.raw_bytes) == body
    assert "\x00" not in message.raw_body


def test_an_unknown_message_type_is_named_with_the_known_ones(court_api):
    message = _rejected(post(court_api, imposed("CMS-E5") | {"message_type": "sentence.invented"}))

    assert "Unknown message type 'sentence.invented'" in message.status_reason
    assert "sentence.imposed" in message.status_reason
    assert message.message_type == "sentence.invented"


def test_a_message_without_an_id_is_stored_and_rejected(court_api, reference_data):
    body = imposed("CMS-E6")
    del body["message_id"]

    message = _rejected(post(court_api, body))

    assert "message_id: This field is required." in message.status_reason
    assert message.message_id == ""


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda m: m["sentence"].update(hours="120"), "sentence.hours: Must be a whole number."),
        (lambda m: m["offender"].update(family_name=123), "offender.family_name: Must be a string."),
        (lambda m: m["offender"].update(date_of_birth=19900517), "offender.date_of_birth: Must be a date"),
        (
            lambda m: m["offender"].update(date_of_birth="17/05/1990"),
            "offender.date_of_birth: Must be a date",
        ),
        (lambda m: m["sentence"].update(convictions="CA188"), "sentence.convictions"),
        (lambda m: m["sentence"].update(convictions=[]), "sentence.convictions"),
        (
            lambda m: m["sentence"].update(indeterminate="yes"),
            "sentence.indeterminate: Must be true or false.",
        ),
        (
            lambda m: m["sentence"].update(sentence_type="flogging"),
            'sentence.sentence_type: "flogging" is not',
        ),
        (lambda m: m.update(version="2"), "version"),
        (lambda m: m.update(sent_at="yesterday"), "sent_at: Must be a date and time"),
        (lambda m: m["offender"].update(famly_name="X"), "offender.famly_name: This field is not part of"),
        (lambda m: m.update(offender=None), "offender: This field may not be null."),
        (lambda m: m.update(offender=[]), "offender"),
        (lambda m: m["offender"].update(prn="12ab"), "offender.prn: A PRN is 8 or 9 digits."),
        (lambda m: m.update(message_id="has spaces in it"), "message_id: 1 to 100 characters"),
    ],
)
def test_wrong_types_and_fields_are_rejected_naming_the_field(court_api, reference_data, change, expected):
    body = imposed("CMS-E7")
    change(body)

    message = _rejected(post(court_api, body))

    assert expected in message.status_reason
    assert message.payload == body


def test_huge_fields_are_rejected_not_truncated(court_api, reference_data):
    body = imposed("CMS-E8")
    body["offender"]["family_name"] = "X" * 100_000
    body["sentence"]["conditions"] = ["C" * 2000] * 60

    message = _rejected(post(court_api, body))

    assert "offender.family_name: Ensure this field has no more than 80 characters." in message.status_reason
    assert "sentence.conditions" in message.status_reason
    assert len(message.raw_body) > 200_000


def test_an_overlong_message_id_is_rejected_and_filed_under_its_first_characters(court_api, reference_data):
    message = _rejected(post(court_api, imposed("A" * 500)))

    assert message.message_id == "A" * 100


def test_a_two_megabyte_body_is_stored_truncated_and_answered_413(court_api, reference_data):
    body = json.dumps(imposed("CMS-E9") | {"padding": "P" * 2_000_000}).encode()

    message = _rejected(post(court_api, body), code=413)

    assert message.body_truncated
    assert message.body_size == len(body)
    assert message.raw_body == body[: 1024 * 1024].decode()
    assert "the largest message accepted is 1,048,576 bytes" in message.status_reason


def test_a_rejected_message_can_be_sent_again_under_the_same_id(court_api, reference_data, queued):
    bad = imposed("CMS-E10")
    bad["sentence"]["hours"] = "x"
    _rejected(post(court_api, bad))

    response = post(court_api, imposed("CMS-E10"))

    assert response.status_code == 202
