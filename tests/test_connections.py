"""The development server holds a bounded number of PostgreSQL connections however many requests
arrive at once (issue 11: under `make run` it held 97 of the server's 100, and the court endpoint
answered 500). A real `manage.py runserver` on the test database takes 200 concurrent requests while
pg_stat_activity is sampled for the connections it holds (named by PGAPPNAME)."""

import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from courts.credentials import court_credential_issue
from staff.roles import Role
from tests.courts.conftest import imposed
from tests.courts.test_worker import _database_url
from tests.factories import staff_user

REQUESTS = 200
# The development server's cap is 10 (settings: DB_MAX_CONNECTIONS_PER_PROCESS under runserver). A
# backend lingers in pg_stat_activity for a moment after its connection is closed and its place
# taken, so a sample may see a few more; without the cap 40 requests at once held 23.
BOUND = 20


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _held(cursor, application_name: str) -> int:
    cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", [application_name])
    return cursor.fetchone()[0]


@pytest.fixture
def development_server(tmp_path):
    """`manage.py runserver` on this test's database, its connections named; always stopped."""
    port, name = _free_port(), f"ioms-runserver-test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "IOMS_ALLOW_DEV_SECRET": "1",
        "PGAPPNAME": name,
    }
    for setting in ("IOMS_DB_CONN_MAX_AGE", "IOMS_DB_MAX_CONNECTIONS", "DJANGO_DEBUG"):
        env.pop(setting, None)
    log_path = tmp_path / "runserver.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", "--noreload", "--skip-checks", f"127.0.0.1:{port}"],
            cwd=Path(settings.BASE_DIR),
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"runserver did not start:\n{log_path.read_text()[-3000:]}")
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}", name, log_path
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


@pytest.fixture
def sampler():
    """A connection for reading pg_stat_activity. It covers the whole cluster, so this one connects to
    the maintenance database and never holds the test database (whose drop waits for every session)."""
    db = connection.settings_dict
    sampler = psycopg2.connect(
        dbname="postgres", user=db["USER"], password=db["PASSWORD"], host=db["HOST"], port=db["PORT"] or None
    )
    sampler.autocommit = True
    yield sampler
    sampler.close()


@pytest.mark.django_db(transaction=True)
def test_the_development_server_holds_a_bounded_number_of_connections_under_200_concurrent_requests(
    development_server, sampler, office
):
    base_url, application_name, log_path = development_server
    session = Client()
    session.force_login(staff_user(Role.PROBATION_OFFICER, office=office))
    cookie = f"{settings.SESSION_COOKIE_NAME}={session.cookies[settings.SESSION_COOKIE_NAME].value}"
    token = court_credential_issue(name="CMS load test")[1]
    resets: list[int] = []

    def request(number: int) -> int:
        kind = number % 5
        if kind in (0, 1):  # the sign-in page, anonymous
            req = urllib.request.Request(f"{base_url}/accounts/login/")
        elif kind in (2, 3):  # a signed-in page
            req = urllib.request.Request(f"{base_url}/accounts/password_change/", headers={"Cookie": cookie})
        else:  # the courts posting a message
            req = urllib.request.Request(
                f"{base_url}/api/v1/court-messages/",
                data=json.dumps(imposed(f"CMS-LOAD-{number}")).encode(),
                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
                method="POST",
            )
        for attempt in range(5):
            try:
                with urllib.request.urlopen(req, timeout=60) as response:
                    return response.status
            except urllib.error.HTTPError as error:
                return error.code
            except (ConnectionResetError, http.client.RemoteDisconnected):
                # runserver listens with a backlog of 10: a connection beyond it may be reset before
                # Django sees the request. A browser tries again; so do we (the database is the subject).
                resets.append(number)
                time.sleep(0.1 * (attempt + 1))
        return 0

    samples: list[int] = []
    done = threading.Event()

    def sample() -> None:
        with sampler.cursor() as cursor:
            while not done.is_set():
                samples.append(_held(cursor, application_name))
                time.sleep(0.02)

    watcher = threading.Thread(target=sample)
    watcher.start()
    started = time.monotonic()
    try:
        with ThreadPoolExecutor(max_workers=REQUESTS) as pool:
            statuses = list(pool.map(request, range(REQUESTS)))
    finally:
        done.set()
        watcher.join()
    elapsed = time.monotonic() - started

    assert 0 not in statuses, "a request was refused five times over"
    errors = [status for status in statuses if status >= 500]
    assert not errors, f"{len(errors)} answers were 5xx:\n{log_path.read_text()[-3000:]}"
    sign_in = [status for number, status in enumerate(statuses) if number % 5 in (0, 1)]
    courts = [status for number, status in enumerate(statuses) if number % 5 == 4]
    assert set(sign_in) == {200}
    assert set(courts) <= {202, 400}  # stored (and rejected, for offences unknown here): never lost
    assert max(samples) >= 2, "the server never held two connections at once: was it under load?"
    assert max(samples) <= BOUND, f"the server held {max(samples)} connections at once"
    # Every request closes its connection: a moment after the last answer the server holds none.
    with sampler.cursor() as cursor:
        deadline = time.monotonic() + 5
        while _held(cursor, application_name) > 0 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _held(cursor, application_name) == 0
    print(
        f"{REQUESTS} requests in {elapsed:.1f} s ({len(resets)} connections reset and sent again); "
        f"at most {max(samples)} database connections held"
    )


def _in_thread(work) -> tuple[threading.Thread, dict]:
    outcome: dict = {}

    def run() -> None:
        try:
            outcome["value"] = work()
        except Exception as error:  # reported to the test, which asserts on it
            outcome["error"] = error

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


@pytest.mark.django_db
def test_a_request_beyond_the_cap_waits_for_a_connection_then_is_refused_clearly(settings):
    settings.DB_MAX_CONNECTIONS_PER_PROCESS = 2
    settings.DB_CONNECTION_WAIT_SECONDS = 1
    release = threading.Event()

    def hold() -> int:
        # Each thread has its own connection, as each request has under runserver.
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            release.wait(10)
            value = cursor.fetchone()[0]
        connection.close()
        return value

    def query() -> int:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 2")
                return cursor.fetchone()[0]
        finally:
            connection.close()

    holders = [_in_thread(hold) for _ in range(2)]
    time.sleep(0.5)
    started = time.monotonic()
    late, refused = _in_thread(query)
    late.join()
    waited = time.monotonic() - started
    release.set()
    for thread, outcome in holders:
        thread.join()
        assert outcome == {"value": 1}
    after, answered = _in_thread(query)
    after.join()

    assert 0.9 < waited < 3
    assert "Every database connection this process may hold is in use" in str(refused["error"])
    assert answered == {"value": 2}  # the connections closed, their places are free again
