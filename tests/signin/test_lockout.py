"""Sign-in lockout (issue 11): per username, per address, the right password refused while
locked, the lock's end after the cool-off, and every step in the audit trail."""

import datetime
import io

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import Client

from audit.models import AuditAction, AuditEvent
from signin.services import UNKNOWN_ACTOR

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
RIGHT = "correct-horse-battery"


def sign_in(client, username, password, address="10.1.1.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_a_failed_sign_in_is_audited_with_an_unknown_actor_and_the_name_tried(client, probation_officer):
    response = sign_in(client, "po", "wrong-password-1")
    assert response.status_code == 200
    event = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    assert event.actor is None
    assert event.actor_label == UNKNOWN_ACTOR
    assert event.changes["username_tried"] == "po"
    assert event.ip_address == "10.1.1.1"


def test_five_wrong_passwords_lock_the_username_and_the_right_one_is_then_refused(
    client, probation_officer, settings
):
    settings.AXES_FAILURE_LIMIT = 5
    answers = [sign_in(client, "po", f"wrong-password-{n}").status_code for n in range(5)]
    assert answers == [200, 200, 200, 200, 429]

    response = sign_in(client, "po", RIGHT)
    page = response.content.decode()
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 14 * 60
    assert "Sign-in is locked for now" in page
    assert "You can sign in again after" in page
    assert "IOMS help desk" in page
    assert not signed_in(client)

    locked = AuditEvent.objects.get(action=AuditAction.LOCKED_OUT)
    assert locked.actor is None and locked.actor_label == UNKNOWN_ACTOR
    assert locked.changes["locked"] == "username" and locked.changes["value"] == "po"
    assert locked.changes["failures"] == 5
    failures = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).order_by("id")
    assert [event.changes["reason"] for event in failures] == ["wrong username or password"] * 5 + [
        "refused while locked out"
    ]
    assert not AuditEvent.objects.filter(action=AuditAction.LOGIN).exists()


def test_a_username_is_locked_by_failures_from_many_addresses(client, probation_officer, settings):
    settings.AXES_FAILURE_LIMIT = 5
    for n in range(5):
        sign_in(client, "po", "wrong-password", address=f"10.2.0.{n}")
    fresh = Client()
    response = sign_in(fresh, "po", RIGHT, address="10.9.9.9")
    assert response.status_code == 429
    assert "_auth_user_id" not in fresh.session  # the right password did not sign them in
    assert AuditEvent.objects.get(action=AuditAction.LOCKED_OUT).changes["locked"] == "username"


def test_one_password_sprayed_across_many_usernames_locks_the_address(
    client, role_user, probation_officer, settings
):
    settings.AXES_FAILURE_LIMIT = 5
    settings.IOMS_LOCKOUT_FAILURES_PER_ADDRESS = 12
    for n in range(12):
        sign_in(client, f"user{n}", "Winter2026!", address="10.3.3.3")
    assert AuditEvent.objects.get(action=AuditAction.LOCKED_OUT).changes["locked"] == "address"

    from_there = sign_in(Client(), "po", RIGHT, address="10.3.3.3")
    assert from_there.status_code == 429
    assert "too many failed sign-ins from this computer or network" in from_there.content.decode()
    # The account itself is not locked: its owner signs in from their own desk.
    own_desk = Client()
    assert sign_in(own_desk, "po", RIGHT, address="10.4.4.4").status_code == 302
    assert signed_in(own_desk)


def test_the_lock_ends_after_the_cool_off_and_its_end_is_audited(client, probation_officer, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _attempt in range(3):
        sign_in(client, "po", "wrong-password")
    assert sign_in(client, "po", RIGHT).status_code == 429

    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time - datetime.timedelta(minutes=16)
    )
    response = sign_in(client, "po", RIGHT)
    assert response.status_code == 302
    assert signed_in(client)
    ended = AuditEvent.objects.get(action=AuditAction.UNLOCKED)
    assert ended.actor is None
    assert ended.changes["value"] == "po" and ended.changes["how"] == "the cool-off passed"
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN, actor=probation_officer).exists()


def test_refused_attempts_while_locked_do_not_extend_the_lock(client, probation_officer, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _attempt in range(3):
        sign_in(client, "po", "wrong-password")
    locked_at = AccessAttempt.objects.get().attempt_time
    for _attempt in range(5):
        assert sign_in(client, "po", "wrong-password").status_code == 429
    attempt = AccessAttempt.objects.get()
    assert attempt.attempt_time == locked_at and attempt.failures_since_start == 3


def test_an_administrator_unlocks_with_axes_reset_username_and_it_is_audited(
    client, probation_officer, settings
):
    settings.AXES_FAILURE_LIMIT = 3
    for _attempt in range(3):
        sign_in(client, "po", "wrong-password")
    call_command("axes_reset_username", "po", stdout=io.StringIO())
    ended = AuditEvent.objects.get(action=AuditAction.UNLOCKED)
    assert ended.actor_label == "manage.py axes_reset"
    assert ended.changes["value"] == "po"
    assert sign_in(client, "po", RIGHT).status_code == 302


def test_signing_in_clears_the_usernames_earlier_failures_but_not_the_addresss(
    client, probation_officer, settings
):
    settings.AXES_FAILURE_LIMIT = 3
    sign_in(client, "someone.else", "guess", address="10.5.5.5")
    sign_in(client, "po", "typo-1", address="10.5.5.5")
    sign_in(client, "po", "typo-2", address="10.5.5.5")
    assert sign_in(client, "po", RIGHT, address="10.5.5.5").status_code == 302
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["someone.else"]
