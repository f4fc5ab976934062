"""End to end with a real Celery worker: a message posted to the endpoint is queued when the request
commits and processed by a worker process against the same database and Redis."""

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from rest_framework.test import APIClient

from courts.credentials import court_credential_issue
from courts.models import CourtMessage, MessageStatus
from sentences.models import Sentence, SentenceEvent
from tests.courts.conftest import imposed

WAIT_SECONDS = 60


def _database_url() -> str:
    """The URL of the database this test runs in (pytest-django's test_<name>)."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    credentials += "@" if credentials else ""
    host = db["HOST"] or ""
    if host.startswith("/"):
        return f"postgres://{credentials}/{db['NAME']}?host={quote(host, safe='')}"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{credentials}{host or 'localhost'}{port}/{db['NAME']}"


@pytest.fixture
def worker(tmp_path):
    """A worker process on this test's database; always stopped, its log shown on failure."""
    from ioms.celery import app

    app.control.purge()  # nothing queued by earlier runs reaches this worker
    log_path = tmp_path / "worker.log"
    env = {**os.environ, "DATABASE_URL": _database_url(), "IOMS_ALLOW_DEV_SECRET": "1"}
    env.setdefault("REDIS_URL", settings.REDIS_URL)
    env.setdefault("CELERY_BROKER_URL", settings.CELERY_BROKER_URL)
    command = [
        sys.executable, "-m", "celery", "-A", "ioms", "worker",
        "--pool=solo", "-c", "1", "--loglevel=INFO",
        "--without-gossip", "--without-mingle", "--without-heartbeat",
        "-n", f"courts-test-{uuid.uuid4().hex[:8]}@%h",
    ]  # fmt: skip
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=Path(settings.BASE_DIR), env=env, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        yield process, log_path
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


@pytest.mark.django_db(transaction=True)
def test_a_posted_message_is_processed_by_a_real_worker(worker, reference_data):
    process, log_path = worker
    token = court_credential_issue(name="CMS worker test")[1]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")

    response = client.generic(
        "POST", "/api/v1/court-messages/", json.dumps(imposed("CMS-W1")), content_type="application/json"
    )

    assert response.status_code == 202
    pk = response.json()["id"]
    deadline = time.monotonic() + WAIT_SECONDS
    status = MessageStatus.RECEIVED
    while time.monotonic() < deadline and process.poll() is None:
        status = CourtMessage.objects.filter(pk=pk).values_list("status", flat=True).get()
        if status != MessageStatus.RECEIVED:
            break
        time.sleep(0.25)
    log = log_path.read_text(errors="replace")[-4000:]
    assert process.poll() is None, f"the worker stopped:\n{log}"
    assert status == MessageStatus.PROCESSED, f"message still {status} after {WAIT_SECONDS} s:\n{log}"
    message = CourtMessage.objects.get(pk=pk)
    assert message.attempts == 1
    sentence = Sentence.objects.get(offender=message.offender)
    assert sentence.events.get().source == SentenceEvent.Source.COURT_INTERFACE
    assert "process_court_message" in log
