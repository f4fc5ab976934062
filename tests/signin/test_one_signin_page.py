"""One sign-in page for everything (issue 11): the admin has no login form of its own."""

import pytest

from audit.models import AuditAction, AuditEvent
from staff.roles import Role
from tests.factories import staff_user

pytestmark = pytest.mark.django_db


def test_the_admin_login_sends_a_visitor_to_the_portals_login_with_next(client):
    response = client.get("/admin/login/?next=/admin/sentences/offence/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/sentences/offence/"


def test_posting_a_password_to_the_admin_login_signs_nobody_in(client, office):
    staff_user(Role.SYSTEM_ADMIN, office=office, username="root", is_staff=True)
    response = client.post("/admin/login/", {"username": "root", "password": "correct-horse-battery"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session


def test_an_administrator_reaches_the_admin_through_the_portals_login_and_it_is_audited(client, office):
    admin = staff_user(Role.SYSTEM_ADMIN, office=office, username="root", is_staff=True)
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/login/?next=/admin/"
    response = client.post(
        "/accounts/login/?next=/admin/",
        {"username": "root", "password": "correct-horse-battery", "next": "/admin/"},
    )
    assert response["Location"] == "/admin/"
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN, actor=admin).exists()


def test_wrong_passwords_for_the_admin_are_counted_by_the_portals_lockout(client, office, settings):
    settings.AXES_FAILURE_LIMIT = 2
    staff_user(Role.SYSTEM_ADMIN, office=office, username="root", is_staff=True)
    for _attempt in range(2):
        client.post(
            "/accounts/login/?next=/admin/", {"username": "root", "password": "guess", "next": "/admin/"}
        )
    response = client.post("/accounts/login/", {"username": "root", "password": "correct-horse-battery"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session  # the right password did not sign them in
    assert client.get("/admin/").status_code == 302  # still sent to sign in


def test_a_signed_in_member_of_staff_without_the_role_is_refused_not_sent_round_in_circles(client, office):
    client.force_login(staff_user(Role.SERVICE_MANAGER, office=office, is_staff=True))
    assert client.get("/admin/login/?next=/admin/").status_code == 403


def test_the_admins_log_out_goes_through_the_portals_and_is_audited(client, office):
    admin = staff_user(Role.SYSTEM_ADMIN, office=office, username="root", is_staff=True)
    client.force_login(admin)
    response = client.post("/admin/logout/", follow=True)
    assert response.redirect_chain[0] == ("/accounts/logout/", 307)
    assert response.redirect_chain[-1][0] == "/accounts/login/"
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action=AuditAction.LOGOUT, actor=admin).exists()
