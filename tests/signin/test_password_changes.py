"""Every password change is audited, whichever way it is made (issue 11)."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from audit.models import AuditAction, AuditEvent
from staff.roles import Role
from tests.factories import staff_user

pytestmark = pytest.mark.django_db

NEW = "a-much-better-passphrase-2026"


def changes_of(user):
    return list(AuditEvent.objects.filter(action=AuditAction.PASSWORD_CHANGED, object_id=str(user.pk)))


def test_changing_ones_own_password_on_the_portals_page_is_audited(client, probation_officer):
    client.force_login(probation_officer)
    response = client.post(
        "/accounts/password_change/",
        {"old_password": "correct-horse-battery", "new_password1": NEW, "new_password2": NEW},
    )
    assert response.status_code == 302
    [event] = changes_of(probation_officer)
    assert event.actor == probation_officer
    assert event.summary == "po changed their password"
    assert NEW not in str(event.changes) and "md5" not in str(event.changes)


def test_a_refused_password_change_writes_no_change_row(client, probation_officer):
    client.force_login(probation_officer)
    client.post(
        "/accounts/password_change/",
        {"old_password": "not-my-password", "new_password1": NEW, "new_password2": NEW},
    )
    assert changes_of(probation_officer) == []


def test_an_administrator_setting_a_password_in_the_admin_is_audited_as_them(
    client, office, probation_officer
):
    admin = staff_user(Role.SYSTEM_ADMIN, office=office, username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.post(
        f"/admin/auth/user/{probation_officer.pk}/password/",
        {"password1": NEW, "password2": NEW, "usable_password": "true"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    [event] = changes_of(probation_officer)
    assert event.actor == admin
    assert event.summary == "Password of po set by root"


def test_manage_py_changepassword_is_audited(probation_officer, monkeypatch):
    monkeypatch.setattr("getpass.getpass", lambda prompt="": NEW)
    monkeypatch.setattr("sys.argv", ["manage.py", "changepassword", "po"])
    call_command("changepassword", "po", stdout=io.StringIO())
    [event] = changes_of(probation_officer)
    assert event.actor is None and event.actor_label == "manage.py changepassword"


def test_code_that_sets_a_password_and_saves_is_audited_too(probation_officer):
    user = get_user_model().objects.get(pk=probation_officer.pk)
    user.set_unusable_password()
    user.save()
    [event] = changes_of(probation_officer)
    assert event.changes == {"usable_password": False}


def test_saving_a_user_without_touching_the_password_is_not_a_change(probation_officer):
    probation_officer.first_name = "Aroha"
    probation_officer.save()
    assert changes_of(probation_officer) == []


def test_the_hash_upgraded_at_sign_in_is_not_a_change(client, probation_officer, settings):
    # Stored with MD5 by the test settings; PBKDF2 preferred here, so signing in rehashes.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    client.post("/accounts/login/", {"username": "po", "password": "correct-horse-battery"})
    assert get_user_model().objects.get(pk=probation_officer.pk).password.startswith("pbkdf2_")
    assert changes_of(probation_officer) == []
