"""The page frame, login and logout, and the error pages."""

import pytest
from django.contrib.auth.models import Group

from audit.models import AuditAction, AuditEvent
from staff.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_every_page_asks_for_login_first(client):
    response = client.get("/offenders/?q=Smith")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_login_page_has_labelled_fields_and_a_skip_link(client):
    page = client.get("/accounts/login/").content.decode()
    assert 'class="skip-link" href="#main"' in page
    assert '<label class="field__label" for="id_username">' in page
    assert '<label class="field__label" for="id_password">' in page
    assert 'id="main"' in page


def test_logging_in_is_audited_and_lands_on_home(client, probation_officer):
    response = client.post(
        "/accounts/login/", {"username": "po", "password": "correct-horse-battery"}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/"
    assert "My caseload" in response.content.decode()
    event = AuditEvent.objects.get(action=AuditAction.LOGIN)
    assert event.actor == probation_officer
    assert event.channel == "web"


def test_a_failed_login_is_audited_with_an_unknown_actor_and_shows_an_error(client, probation_officer):
    response = client.post("/accounts/login/", {"username": "po", "password": "wrong-password-1"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "Please enter a correct username and password" in page
    event = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    assert event.actor is None
    assert event.actor_label == "(unknown)"  # the name tried is a guess, not who acted (issue 11)
    assert event.changes["username_tried"] == "po"
    assert "_auth_user_id" not in client.session
    assert not AuditEvent.objects.filter(action=AuditAction.LOGIN).exists()


def test_logging_out_is_a_post_and_is_audited(client, probation_officer):
    client.force_login(probation_officer)
    page = client.get("/").content.decode()
    assert '<form method="post" action="/accounts/logout/">' in page
    response = client.post("/accounts/logout/", follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/login/"
    assert "You have logged out." in response.content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.LOGOUT, actor=probation_officer).exists()
    assert client.get("/").status_code == 302


def test_header_shows_the_users_name_and_roles(client, role_user):
    user = role_user(Role.SERVICE_MANAGER, first_name="Aroha", last_name="Ngata")
    client.force_login(user)
    page = client.get("/").content.decode()
    assert "Aroha Ngata" in page
    assert "Service manager" in page
    assert 'aria-label="Main"' in page
    assert ">Search offenders</a>" in page
    assert ">Admin</a>" not in page


def test_admin_link_only_for_system_administrators(client, system_admin):
    # The admin site lets in a system administrator with a staff account (ioms/admin_site.py); the
    # menu offers it to them only, so its link never leads to a refusal.
    client.force_login(system_admin)
    assert ">Admin</a>" not in client.get("/").content.decode()
    system_admin.is_staff = True
    system_admin.save()
    assert ">Admin</a>" in client.get("/").content.decode()


def test_user_with_several_roles_sees_each_roles_label(client, role_user):
    user = role_user(Role.PROBATION_OFFICER)
    user.groups.add(Group.objects.get(name=Role.ADMIN_SUPPORT))
    client.force_login(user)
    page = client.get("/").content.decode()
    assert "Administrative support, Probation officer" in page


def test_unknown_offender_gets_the_not_found_page(client, probation_officer):
    client.force_login(probation_officer)
    response = client.get("/offenders/999999/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_refusal_gets_the_forbidden_page_with_the_reason(client):
    client.force_login(UserFactory(username="norole"))
    response = client.get("/offenders/?q=Smith")
    assert response.status_code == 403
    assert "You may not search offender records." in response.content.decode()
