"""Idle time-out (issue 11): the session ends after IOMS_IDLE_MINUTES without a request, the end
is audited when the next request arrives, and the sign-in page says why."""

import time

import pytest

from audit.models import AuditAction, AuditEvent
from signin.idle import LAST_ACTIVITY

pytestmark = pytest.mark.django_db


def leave_idle(client, minutes: float) -> None:
    session = client.session
    session[LAST_ACTIVITY] = time.time() - minutes * 60
    session.save()


def test_a_session_idle_longer_than_the_limit_ends_at_the_next_request(client, probation_officer, settings):
    settings.IOMS_IDLE_MINUTES = 30
    client.force_login(probation_officer)
    assert client.get("/").status_code == 200
    leave_idle(client, 31)

    response = client.get("/offenders/", follow=True)
    assert response.redirect_chain[0][0] == "/accounts/login/?next=/offenders/"
    page = response.content.decode()
    assert "You were signed out because IOMS was not used for 30 minutes." in page
    assert "_auth_user_id" not in client.session
    event = AuditEvent.objects.get(action=AuditAction.SESSION_TIMED_OUT)
    assert event.actor == probation_officer
    assert "timed out after 30 minutes without activity" in event.summary
    assert event.ip_address == "127.0.0.1" and event.channel == "web"
    # Said once: the next visit to the sign-in page is an ordinary one.
    assert "You were signed out" not in client.get("/accounts/login/").content.decode()


def test_activity_within_the_limit_keeps_the_session(client, probation_officer, settings):
    settings.IOMS_IDLE_MINUTES = 30
    client.force_login(probation_officer)
    client.get("/")
    leave_idle(client, 29)
    assert client.get("/").status_code == 200
    leave_idle(client, 29)  # 58 minutes since sign-in, never 30 idle
    assert client.get("/").status_code == 200
    assert not AuditEvent.objects.filter(action=AuditAction.SESSION_TIMED_OUT).exists()


def test_the_warnings_status_check_does_not_count_as_activity(client, probation_officer, settings):
    settings.IOMS_IDLE_MINUTES = 30
    client.force_login(probation_officer)
    client.get("/")
    leave_idle(client, 29)
    status = client.get("/accounts/session/").json()
    assert status["signed_in"] is True
    assert 50 <= status["seconds_left"] <= 60
    leave_idle(client, 31)
    assert client.get("/accounts/session/").json() == {"signed_in": False, "seconds_left": 0}


def test_stay_signed_in_renews_the_session(client, probation_officer, settings):
    settings.IOMS_IDLE_MINUTES = 30
    client.force_login(probation_officer)
    client.get("/")
    leave_idle(client, 29)
    renewed = client.post("/accounts/session/").json()
    assert renewed["signed_in"] is True and renewed["seconds_left"] >= 30 * 60 - 2
    leave_idle(client, 29)
    assert client.get("/").status_code == 200


def test_stay_signed_in_without_a_session_is_refused(client):
    response = client.post("/accounts/session/")
    assert response.status_code == 401
    assert response.json()["signed_in"] is False


def test_every_signed_in_page_carries_the_warning_dialog_and_its_script_not_inline(client, probation_officer):
    client.force_login(probation_officer)
    page = client.get("/").content.decode()
    assert "<dialog" in page and 'aria-labelledby="idle-warning-title"' in page
    assert ">Stay signed in</button>" in page
    assert 'src="/static/signin/idle.js"' in page
    assert "<script>" not in page
    assert "signin/idle.js" not in client.get("/accounts/login/").content.decode()
