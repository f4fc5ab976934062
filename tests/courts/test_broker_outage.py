"""A broker outage never stalls the courts: the message is stored, answered 202 within a couple of
seconds, and queued by the requeue sweep (every minute) once the broker is back. The broker is the
real Redis, and the outage a real one: a port nothing listens on, or a server that never answers."""

import base64
import datetime
import json
import socket
import time

import pytest
import redis
from django.conf import settings
from django.utils import timezone

from courts.batch import court_messages_import
from courts.models import CourtMessage, MessageStatus
from courts.services import court_messages_requeue
from ioms.celery import app as celery_app
from tests.courts.conftest import imposed

pytestmark = pytest.mark.django_db
URL = "/api/v1/court-messages/"


def queued_pks() -> list[int]:
    """The messages the real broker holds a process_court_message task for."""
    pks = []
    # Celery spells a Unix-socket Redis (the embedded one) redis+socket://...?virtual_host=N,
    # redis-py unix://...?db=N (a pytest-xdist worker's own database: tests/conftest.py).
    url = settings.CELERY_BROKER_URL.replace("redis+socket://", "unix://", 1).replace("virtual_host=", "db=")
    for raw in redis.Redis.from_url(url).lrange("celery", 0, -1):
        envelope = json.loads(raw)
        if envelope["headers"]["task"] == "courts.tasks.process_court_message":
            args = json.loads(base64.b64decode(envelope["body"]))[0]
            pks.append(args[0])
    return pks


@pytest.fixture
def broker_at(monkeypatch):
    """Point the Celery app's broker somewhere else for the test, then back. Celery reads
    CELERY_BROKER_URL from the environment before its configuration (the embedded set-up exports
    it), so both are pointed."""
    original = celery_app.conf.broker_url

    def point(url: str) -> None:
        celery_app.conf.broker_url = url
        monkeypatch.setenv("CELERY_BROKER_URL", url)

    yield point
    celery_app.conf.broker_url = original


@pytest.fixture
def silent_server():
    """A server that accepts connections and never answers: a hung Redis."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(50)
    yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    server.close()


def post_while_down(court_api, message_id: str, capture):
    # A first request of the test process imports the API's modules (a couple of seconds): not timed.
    court_api.generic("POST", URL, json.dumps(imposed(f"{message_id}-W")), content_type="application/json")
    started = time.monotonic()
    with capture(execute=True):  # the request's commit runs the queueing, as in production
        response = court_api.generic(
            "POST", URL, json.dumps(imposed(message_id)), content_type="application/json"
        )
    return response, time.monotonic() - started


def test_while_the_broker_refuses_connections_a_message_is_answered_202_at_once_and_stays_received(
    court_api, reference_data, broker_at, django_capture_on_commit_callbacks, caplog
):
    broker_at("redis://127.0.0.1:1/0")  # nothing listens on port 1

    response, elapsed = post_while_down(court_api, "CMS-B1", django_capture_on_commit_callbacks)

    assert response.status_code == 202
    assert elapsed < 2, f"the courts waited {elapsed:.1f} s for a broker that is down"
    message = CourtMessage.objects.get(pk=response.json()["id"])
    assert message.status == MessageStatus.RECEIVED
    assert message.queued_at is None
    assert "the requeue sweep will queue them" in caplog.text


def test_while_the_broker_hangs_a_message_is_answered_202_within_the_timeout(
    court_api, reference_data, broker_at, silent_server, django_capture_on_commit_callbacks
):
    broker_at(silent_server)

    response, elapsed = post_while_down(court_api, "CMS-B2", django_capture_on_commit_callbacks)

    assert response.status_code == 202
    assert elapsed < 2, f"the courts waited {elapsed:.1f} s for a broker that hangs"
    assert CourtMessage.objects.get(pk=response.json()["id"]).queued_at is None


def test_the_sweep_queues_a_message_stored_during_the_outage_once_the_broker_is_back(
    court_api, reference_data, broker_at, django_capture_on_commit_callbacks
):
    broker_at("redis://127.0.0.1:1/0")
    response, _ = post_while_down(court_api, "CMS-B3", django_capture_on_commit_callbacks)
    pk = response.json()["id"]
    broker_at(settings.CELERY_BROKER_URL)

    assert court_messages_requeue() == 0  # its request may still be queueing it: not yet
    CourtMessage.objects.filter(pk=pk).update(received_at=timezone.now() - datetime.timedelta(seconds=50))
    assert court_messages_requeue() == 1

    assert pk in queued_pks()
    assert CourtMessage.objects.get(pk=pk).queued_at is not None


def test_a_message_posted_with_the_broker_up_is_queued_and_marked_so(
    court_api, reference_data, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = court_api.generic(
            "POST", URL, json.dumps(imposed("CMS-B4")), content_type="application/json"
        )

    pk = response.json()["id"]
    assert pk in queued_pks()
    assert CourtMessage.objects.get(pk=pk).queued_at is not None


def test_the_sweep_leaves_a_queued_message_to_the_workers_until_it_has_waited_long(
    court_api, reference_data, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = court_api.generic(
            "POST", URL, json.dumps(imposed("CMS-B5")), content_type="application/json"
        )
    pk = response.json()["id"]
    two_minutes_ago = timezone.now() - datetime.timedelta(minutes=2)
    CourtMessage.objects.filter(pk=pk).update(received_at=two_minutes_ago, queued_at=two_minutes_ago)

    # Queued two minutes ago and still waiting in a backlog: queueing it again would only grow it.
    assert court_messages_requeue() == 0

    eleven_minutes_ago = timezone.now() - datetime.timedelta(minutes=11)
    CourtMessage.objects.filter(pk=pk).update(queued_at=eleven_minutes_ago)
    assert court_messages_requeue() == 1  # lost by a worker or the broker: queued again


def test_the_sweep_runs_every_minute():
    schedule = settings.CELERY_BEAT_SCHEDULE["requeue-court-messages"]

    assert schedule["task"] == "courts.tasks.requeue_court_messages"
    assert schedule["schedule"] <= 60
    assert settings.COURT_REQUEUE_AFTER_SECONDS <= 60


def test_with_all_of_redis_down_the_rate_limit_and_the_queue_give_way_and_the_message_is_kept(
    court_api, reference_data, broker_at, settings, django_capture_on_commit_callbacks
):
    court_api.generic("POST", URL, json.dumps(imposed("CMS-B6-W")), content_type="application/json")
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # the rate counter
    broker_at("redis://127.0.0.1:1/0")

    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = court_api.generic(
            "POST", URL, json.dumps(imposed("CMS-B6")), content_type="application/json"
        )
    elapsed = time.monotonic() - started

    assert response.status_code == 202
    assert elapsed < 2, f"the courts waited {elapsed:.1f} s while Redis was down"
    assert CourtMessage.objects.get(pk=response.json()["id"]).status == MessageStatus.RECEIVED


def test_an_import_while_the_broker_is_down_keeps_its_messages_for_the_sweep(reference_data, broker_at):
    broker_at("redis://127.0.0.1:1/0")
    lines = [json.dumps(imposed(f"CMS-B7-{number}")).encode() for number in range(3)]

    started = time.monotonic()
    summary = court_messages_import(lines=lines, queue=True)

    assert time.monotonic() - started < 5
    assert summary.accepted == 3
    imported = CourtMessage.objects.filter(source="batch")
    assert set(imported.values_list("status", "queued_at")) == {(MessageStatus.RECEIVED, None)}
    broker_at(settings.CELERY_BROKER_URL)
    imported.update(received_at=timezone.now() - datetime.timedelta(minutes=1))

    assert court_messages_requeue() == 3
    assert set(imported.values_list("pk", flat=True)) <= set(queued_pks())
