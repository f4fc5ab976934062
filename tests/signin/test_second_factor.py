"""One-time codes (TOTP) after the password (issue 11): required for system administrators (by
IOMS_OTP_REQUIRED_ROLES), open to everyone; set-up, the code step, recovery codes, and an
administrator's reset, each audited."""

import re

import pytest
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditAction, AuditEvent
from staff.roles import Role
from tests.factories import OffenderFactory, staff_user
from tests.signin_support import code_for_key, code_for_secret

pytestmark = pytest.mark.django_db

SETUP = "/accounts/second-factor/set-up/"
VERIFY = "/accounts/second-factor/"


def secret_on(page: str) -> str:
    return re.search(r'<p class="otp-secret" id="otp-secret">([A-Z2-7 ]+)</p>', page).group(1)


def set_up_app(client) -> list[str]:
    page = client.get(SETUP).content.decode()
    response = client.post(SETUP, {"code": code_for_secret(secret_on(page))})
    assert response.status_code == 200
    return re.findall(r"<li>([a-z0-9]{8})</li>", response.content.decode())


def test_a_system_administrator_with_only_a_password_is_sent_to_set_up_an_app_and_nowhere_else(
    client, system_admin, office
):
    client.force_login_password_only(system_admin)
    offender = OffenderFactory(home_office=office)
    for path in ("/", f"/offenders/{offender.pk}/", "/admin/", "/accounts/password_change/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(SETUP), path
    assert client.get("/api/v1/offenders/").status_code == 403
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW).exists()


def test_the_set_up_page_draws_the_qr_code_inline_and_gives_the_key_in_text(client, system_admin):
    client.force_login_password_only(system_admin)
    page = client.get(SETUP).content.decode()
    assert "Your role needs a second step" in page
    assert '<div class="otp-qr"><svg' in page
    assert "<img" not in page and "http" not in page.split('<div class="otp-qr">')[1].split("</div>")[0]
    secret = secret_on(page)
    assert len(secret.replace(" ", "")) == 32
    assert secret_on(client.get(SETUP).content.decode()) == secret, "the same key until it is confirmed"


def test_a_wrong_first_code_confirms_nothing(client, system_admin):
    client.force_login_password_only(system_admin)
    client.get(SETUP)
    response = client.post(SETUP, {"code": "000000"})
    assert "That code is not right" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=system_admin, confirmed=True).exists()
    assert client.get("/")["Location"].startswith(SETUP)


def test_confirming_the_app_shows_recovery_codes_once_and_opens_the_portal(client, system_admin):
    client.force_login_password_only(system_admin)
    codes = set_up_app(client)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert StaticToken.objects.filter(device__user=system_admin).count() == 10
    assert client.get("/").status_code == 200
    again = client.get(SETUP).content.decode()
    assert "10 recovery codes left" in again
    assert not any(code in again for code in codes)
    event = AuditEvent.objects.get(action=AuditAction.SECOND_FACTOR)
    assert event.actor == system_admin and "set up an authenticator app" in event.summary


def test_after_the_password_a_person_with_an_app_gives_a_code(client, probation_officer):
    device = TOTPDevice.objects.create(user=probation_officer, name="Phone", confirmed=True)
    response = client.post(
        "/accounts/login/", {"username": "po", "password": "correct-horse-battery"}, follow=True
    )
    assert response.redirect_chain[-1][0].startswith(VERIFY)
    assert "Enter your one-time code" in response.content.decode()
    assert client.get("/offenders/")["Location"] == f"{VERIFY}?next=%2Foffenders%2F"

    wrong = client.post(VERIFY, {"code": "123456", "next": "/offenders/"})
    assert "That code is not right" in wrong.content.decode()
    failed = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    assert failed.actor == probation_officer and "Wrong one-time code" in failed.summary

    device.refresh_from_db()
    device.throttling_failure_count = 0  # the wrong code above started django-otp's back-off
    device.save()
    right = client.post(VERIFY, {"code": code_for_key(device.bin_key), "next": "/offenders/"})
    assert right["Location"] == "/offenders/"
    assert client.get("/offenders/").status_code == 200
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN, summary__contains="authenticator app").exists()


def test_a_recovery_code_works_once(client, system_admin):
    client.force_login_password_only(system_admin)
    codes = set_up_app(client)
    client.post("/accounts/logout/")

    client.force_login_password_only(system_admin)
    assert client.post(VERIFY, {"code": codes[0]})["Location"] == "/"
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(summary__contains="gave a recovery code (9 left)").exists()
    client.post("/accounts/logout/")

    client.force_login_password_only(system_admin)
    response = client.post(VERIFY, {"code": codes[0]})
    assert response.status_code == 200 and "That code is not right" in response.content.decode()


def test_other_roles_need_no_code_but_may_set_one_up(client, probation_officer):
    client.force_login_password_only(probation_officer)
    assert client.get("/").status_code == 200
    page = client.get(SETUP).content.decode()
    assert "Protect your account with a second step" in page
    set_up_app(client)
    client.post("/accounts/logout/")
    client.force_login_password_only(probation_officer)
    assert client.get("/")["Location"].startswith(VERIFY)


def test_the_roles_that_need_a_code_are_a_setting(client, service_manager, settings):
    settings.IOMS_OTP_REQUIRED_ROLES = [Role.SYSTEM_ADMIN, Role.SERVICE_MANAGER]
    client.force_login_password_only(service_manager)
    assert client.get("/")["Location"].startswith(SETUP)


def test_an_administrator_resets_someones_second_factor_and_it_is_audited(
    client, system_admin, probation_officer
):
    TOTPDevice.objects.create(user=probation_officer, name="Lost phone", confirmed=True)
    client.force_login(system_admin)
    url = f"/accounts/second-factor/reset/{probation_officer.pk}/"
    assert "This removes their authenticator app" in client.get(url).content.decode()
    client.post(url)
    assert not TOTPDevice.objects.filter(user=probation_officer).exists()
    event = AuditEvent.objects.get(action=AuditAction.SECOND_FACTOR)
    assert event.actor == system_admin and event.object_id == str(probation_officer.pk)
    assert event.summary == "Second factor of po reset by sysadmin"

    officer = client.__class__()
    officer.force_login_password_only(probation_officer)
    assert officer.get("/").status_code == 200


def test_only_a_system_administrator_resets_and_not_their_own(client, system_admin, service_manager, office):
    client.force_login(service_manager)
    assert client.get(f"/accounts/second-factor/reset/{system_admin.pk}/").status_code == 403
    client.force_login(system_admin)
    assert client.post(f"/accounts/second-factor/reset/{system_admin.pk}/").status_code == 403
    other_admin = staff_user(Role.SYSTEM_ADMIN, office=office)
    assert client.get(f"/accounts/second-factor/reset/{other_admin.pk}/").status_code == 200
    assert not AuditEvent.objects.filter(action=AuditAction.SECOND_FACTOR).exists()


def test_devices_are_not_editable_in_the_admin(client, office):
    admin = staff_user(Role.SYSTEM_ADMIN, office=office, is_staff=True, is_superuser=True)
    client.force_login(admin)
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 404
    assert client.get("/admin/otp_static/staticdevice/").status_code == 404


def test_the_demo_system_administrator_signs_in_with_the_published_key(client, office):
    import base64

    from demo.reference import ensure_demo_second_factor
    from staff.demo_logins import DEMO_TOTP_SECRET

    staff_user(Role.SYSTEM_ADMIN, office=office, username="sysadmin")
    ensure_demo_second_factor()
    ensure_demo_second_factor()  # seeding again adds nothing
    assert TOTPDevice.objects.filter(user__username="sysadmin", confirmed=True).count() == 1

    client.post("/accounts/login/", {"username": "sysadmin", "password": "correct-horse-battery"})
    assert client.get("/")["Location"].startswith(VERIFY)
    code = code_for_key(base64.b32decode(DEMO_TOTP_SECRET))
    assert client.post(VERIFY, {"code": code})["Location"] == "/"
    assert client.get("/").status_code == 200


def test_giving_the_code_changes_the_session_key(client, probation_officer):
    device = TOTPDevice.objects.create(user=probation_officer, name="Phone", confirmed=True)
    client.force_login_password_only(probation_officer)
    before = client.session.session_key
    client.post(VERIFY, {"code": code_for_key(device.bin_key)})
    assert client.session.session_key != before
    assert client.get("/").status_code == 200


def test_a_misspelt_required_role_is_a_configuration_error(settings):
    from signin.checks import otp_required_roles_exist

    settings.IOMS_OTP_REQUIRED_ROLES = ["sysadmin"]
    [error] = otp_required_roles_exist(None)
    assert error.id == "signin.E001" and "sysadmin" in error.msg
    settings.IOMS_OTP_REQUIRED_ROLES = ["system_admin"]
    assert otp_required_roles_exist(None) == []
