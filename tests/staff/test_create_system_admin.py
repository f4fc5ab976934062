"""manage.py create_system_admin: the first administrator of a deployment."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse

from audit.models import AuditEvent
from staff.models import Office, StaffMember
from staff.roles import Role, has_role

pytestmark = pytest.mark.django_db
STRONG = "correct-horse-battery-7"


def create(monkeypatch, password=STRONG, *extra):
    monkeypatch.setenv("IOMS_FIRST_ADMIN_PASSWORD", password)
    out = io.StringIO()
    call_command(
        "create_system_admin",
        "ahine",
        "--first-name=Ahine",
        "--last-name=Walker",
        "--email=ahine.walker@corrections.example",
        "--staff-number=SA0001",
        *extra,
        stdout=out,
    )
    return out.getvalue()


def test_creates_a_system_administrator_in_a_new_office_audited(monkeypatch):
    said = create(monkeypatch, STRONG, "--office=HQ01", "--create-office=National Office")

    user = get_user_model().objects.get(username="ahine")
    assert has_role(user, Role.SYSTEM_ADMIN) and user.check_password(STRONG)
    member = StaffMember.objects.get(user=user)
    assert member.office.code == "HQ01" and member.office.name == "National Office"
    labels = {event.summary: event.actor_label for event in AuditEvent.objects.all()}
    assert labels[f"Created office {member.office}"] == "manage.py create_system_admin"
    assert [label for summary, label in labels.items() if summary.startswith("Created staff member")] == [
        "manage.py create_system_admin"
    ]
    assert "one-time-code" in said


def test_the_first_sign_in_asks_for_an_authenticator_app_before_anything_else(monkeypatch, client):
    create(monkeypatch, STRONG, "--office=HQ01", "--create-office=National Office")

    signed_in = client.post(reverse("login"), {"username": "ahine", "password": STRONG})
    home = client.get(reverse("home"))

    assert signed_in.status_code == 302
    assert home.status_code == 302 and reverse("signin:otp_setup") in home["Location"]


def test_a_weak_password_creates_nothing(monkeypatch):
    with pytest.raises(CommandError, match="will not do"):
        create(monkeypatch, "password", "--office=HQ01", "--create-office=National Office")

    assert not get_user_model().objects.filter(username="ahine").exists()
    assert not Office.objects.filter(code="HQ01").exists()


def test_an_unknown_office_without_a_name_creates_nothing(monkeypatch):
    with pytest.raises(CommandError, match="No office has the code"):
        create(monkeypatch, STRONG, "--office=NOPE")

    assert not get_user_model().objects.filter(username="ahine").exists()


def test_a_taken_username_is_refused_and_the_new_office_is_not_left_behind(monkeypatch):
    create(monkeypatch, STRONG, "--office=HQ01", "--create-office=National Office")

    with pytest.raises(CommandError, match="username"):
        create(monkeypatch, STRONG, "--office=HQ02", "--create-office=Second Office")

    assert not Office.objects.filter(code="HQ02").exists()
