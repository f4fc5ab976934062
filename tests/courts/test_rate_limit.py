"""The court endpoint's rate limit per credential, counted in the real Redis: over the limit the
courts get 429 with Retry-After and nothing is stored; when Redis is unreachable the messages are
let through at once (stored, never refused because our Redis is down)."""

import json
import logging
import socket
import time

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from audit.models import AuditAction, AuditEvent
from courts.credentials import court_credential_issue
from courts.models import CourtMessage, MessageStatus
from tests.courts.conftest import imposed

pytestmark = pytest.mark.django_db
URL = "/api/v1/court-messages/"


def client_for(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def post(client: APIClient, message_id: str):
    return client.generic("POST", URL, json.dumps(imposed(message_id)), content_type="application/json")


@pytest.fixture
def limited(settings):
    settings.COURT_RATE_PER_MINUTE = 3
    settings.COURT_QUOTA_PER_DAY = 1000
    return settings


def test_a_credential_over_its_rate_gets_429_with_retry_after_and_nothing_is_stored(limited, reference_data):
    credential, token = court_credential_issue(name="CMS busy")
    client = client_for(token)

    answers = [post(client, f"CMS-RL{number}") for number in range(5)]

    assert [answer.status_code for answer in answers] == [202, 202, 202, 429, 429]
    refused = answers[3]
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert "at most 3 messages a minute" in refused.json()["detail"]
    assert "CMS busy" in refused.json()["detail"]
    stored = CourtMessage.objects.filter(credential=credential)
    assert sorted(stored.values_list("message_id", flat=True)) == ["CMS-RL0", "CMS-RL1", "CMS-RL2"]


def test_the_first_refusal_of_a_minute_is_audited_once_not_every_refused_request(limited, reference_data):
    credential, token = court_credential_issue(name="CMS noisy")
    client = client_for(token)

    for number in range(6):
        post(client, f"CMS-RA{number}")

    refusals = AuditEvent.objects.filter(action=AuditAction.DENIED, object_id=str(credential.pk))
    assert refusals.count() == 1
    assert "over its rate limit of 3 messages a minute" in refusals.get().summary
    assert refusals.get().actor_label == "court interface (CMS noisy)"


def test_one_credentials_rate_does_not_limit_another(limited, reference_data):
    busy = client_for(court_credential_issue(name="CMS one")[1])
    quiet = client_for(court_credential_issue(name="CMS two")[1])
    for number in range(4):
        post(busy, f"CMS-RB{number}")

    assert post(busy, "CMS-RB9").status_code == 429
    assert post(quiet, "CMS-RC1").status_code == 202


def test_the_daily_quota_refuses_once_the_days_messages_are_spent(settings, reference_data):
    settings.COURT_RATE_PER_MINUTE = 1000
    settings.COURT_QUOTA_PER_DAY = 2
    client = client_for(court_credential_issue(name="CMS daily")[1])

    answers = [post(client, f"CMS-RD{number}") for number in range(3)]

    assert [answer.status_code for answer in answers] == [202, 202, 429]
    assert "at most 2 messages a day" in answers[2].json()["detail"]
    assert 1 <= int(answers[2]["Retry-After"]) <= 86_400


def test_an_unknown_token_is_refused_401_before_any_counting(limited, reference_data):
    client = client_for("not-a-token")

    answers = [post(client, f"CMS-RU{number}") for number in range(5)]

    assert {answer.status_code for answer in answers} == {401}


def _assert_let_through_quickly(settings, redis_url: str, caplog):
    settings.COURT_RATE_PER_MINUTE = 1
    client = client_for(court_credential_issue(name="CMS while Redis is down")[1])
    # A first request of the test process imports the API's modules (a couple of seconds): not timed.
    post(client_for(court_credential_issue(name="CMS warm-up")[1]), "CMS-RW")
    settings.REDIS_URL = redis_url

    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="courts.throttling"):
        answers = [post(client, f"CMS-RR{number}") for number in range(4)]
    elapsed = time.monotonic() - started

    assert [answer.status_code for answer in answers] == [202] * 4
    assert elapsed < 2, f"four messages took {elapsed:.1f} s while Redis was down"
    assert (
        CourtMessage.objects.filter(status=MessageStatus.RECEIVED, message_id__startswith="CMS-RR").count()
        == 4
    )
    assert "Court rate limit not applied: Redis did not answer" in caplog.text


def test_when_redis_refuses_connections_messages_are_let_through_at_once_and_it_is_logged(
    settings, reference_data, caplog
):
    _assert_let_through_quickly(settings, "redis://127.0.0.1:1/0", caplog)  # nothing listens on port 1


def test_when_redis_does_not_answer_messages_are_let_through_within_the_timeout(
    settings, reference_data, caplog
):
    # A server that accepts the connection and never answers: a hung Redis, not a stopped one.
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(50)
    settings.COURT_REDIS_TIMEOUT_MS = 300
    try:
        _assert_let_through_quickly(settings, f"redis://127.0.0.1:{silent.getsockname()[1]}/0", caplog)
    finally:
        silent.close()


def test_the_schema_documents_the_429_and_its_retry_after_header():
    schema = SchemaGenerator().get_schema(request=None, public=True)

    responses = schema["paths"]["/api/v1/court-messages/"]["post"]["responses"]

    assert "Retry-After" in responses["429"]["headers"]
    assert responses["429"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/CourtError"
    }
    assert "401" in responses and "403" in responses
