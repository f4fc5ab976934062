"""Court credentials expire and are rotated: an expired token gets 401 saying so; a rotated
credential's old token keeps working for the overlap, then stops; every step is audited."""

import datetime
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from rest_framework.test import APIClient

from audit.models import AuditAction, AuditEvent
from courts.credentials import court_credential_issue, court_credential_revoke, court_credential_rotate
from courts.models import CourtApiCredential, CourtMessage
from staff.roles import Role
from tests.courts.conftest import imposed
from tests.factories import staff_user

pytestmark = pytest.mark.django_db
URL = "/api/v1/court-messages/"


def post(token: str, message_id: str):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client.generic("POST", URL, json.dumps(imposed(message_id)), content_type="application/json")


def audit_of(credential: CourtApiCredential):
    return AuditEvent.objects.filter(object_type="courts.CourtApiCredential", object_id=str(credential.pk))


def test_a_new_credential_expires_after_the_configured_days_and_its_issue_is_audited(settings):
    settings.COURT_CREDENTIAL_DAYS = 90

    credential, _ = court_credential_issue(name="CMS ninety days")

    expected = timezone.now() + datetime.timedelta(days=90)
    assert abs(credential.expires_at - expected) < datetime.timedelta(minutes=1)
    issued = audit_of(credential).get(action=AuditAction.CREATE)
    assert "Issued court credential CMS ninety days" in issued.summary
    assert "expires" in issued.summary


def test_an_expired_credential_is_refused_401_saying_it_expired_and_the_refusal_is_audited(reference_data):
    credential, token = court_credential_issue(name="CMS old")
    CourtApiCredential.objects.filter(pk=credential.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )

    response = post(token, "CMS-X1")

    assert response.status_code == 401
    assert "The court credential 'CMS old' expired on" in response.json()["detail"]
    assert "rotate" in response.json()["detail"]
    assert not CourtMessage.objects.exists()
    refusal = audit_of(credential).get(action=AuditAction.DENIED)
    assert f"token {credential.token_prefix}" in refusal.summary


def test_rotation_gives_a_new_token_and_the_old_one_keeps_working_during_the_overlap(
    settings, reference_data
):
    settings.COURT_CREDENTIAL_OVERLAP_DAYS = 7
    credential, old_token = court_credential_issue(name="CMS production")

    rotated, new_token = court_credential_rotate(name="CMS production", reason="yearly rotation")

    assert new_token != old_token
    assert rotated.pk == credential.pk
    assert post(old_token, "CMS-X2").status_code == 202
    assert post(new_token, "CMS-X3").status_code == 202
    assert set(CourtMessage.objects.values_list("credential__name", flat=True)) == {"CMS production"}
    rotated.refresh_from_db()
    overlap = rotated.previous_valid_until - timezone.now()
    assert datetime.timedelta(days=6, hours=23) < overlap <= datetime.timedelta(days=7)
    rotation = audit_of(credential).get(action=AuditAction.UPDATE)
    assert "Rotated court credential CMS production" in rotation.summary
    assert "yearly rotation" in rotation.summary
    assert rotation.changes["token_prefix"] == [credential.token_prefix, rotated.token_prefix]


def test_the_replaced_token_stops_when_the_overlap_ends_and_the_new_one_goes_on(reference_data):
    court_credential_issue(name="CMS production")
    _, old_token = court_credential_issue(name="CMS spare")  # another credential's token is unaffected
    credential, replaced = court_credential_issue(name="CMS rotating")
    credential, new_token = court_credential_rotate(name="CMS rotating")
    CourtApiCredential.objects.filter(pk=credential.pk).update(
        previous_valid_until=timezone.now() - datetime.timedelta(seconds=1)
    )

    refused = post(replaced, "CMS-X4")

    assert refused.status_code == 401
    assert "was replaced on" in refused.json()["detail"]
    assert "Use the new token" in refused.json()["detail"]
    assert post(new_token, "CMS-X5").status_code == 202
    assert post(old_token, "CMS-X6").status_code == 202


def test_the_overlap_never_outlasts_the_old_tokens_own_expiry(settings):
    settings.COURT_CREDENTIAL_OVERLAP_DAYS = 7
    credential, _ = court_credential_issue(name="CMS nearly expired")
    soon = timezone.now() + datetime.timedelta(days=2)
    CourtApiCredential.objects.filter(pk=credential.pk).update(expires_at=soon)

    rotated, _ = court_credential_rotate(name="CMS nearly expired")

    assert rotated.previous_valid_until == soon


def test_a_second_rotation_stops_the_first_replaced_token_at_once(reference_data):
    _, first = court_credential_issue(name="CMS twice")
    _, second = court_credential_rotate(name="CMS twice")
    _, third = court_credential_rotate(name="CMS twice")

    assert post(first, "CMS-X7").status_code == 401
    assert post(second, "CMS-X8").status_code == 202
    assert post(third, "CMS-X9").status_code == 202


def test_revoking_stops_both_the_current_and_the_replaced_token_and_a_revoked_one_cannot_be_rotated(
    reference_data,
):
    _, old_token = court_credential_issue(name="CMS leaked")
    _, new_token = court_credential_rotate(name="CMS leaked")

    court_credential_revoke(name="CMS leaked", reason="token leaked")

    assert post(old_token, "CMS-X10").status_code == 401
    assert post(new_token, "CMS-X11").status_code == 401
    with pytest.raises(Exception, match="revoked: issue a new credential"):
        court_credential_rotate(name="CMS leaked")


def test_the_rotate_command_prints_the_new_token_once_and_says_until_when_the_old_one_works(reference_data):
    court_credential_issue(name="CMS command")
    out, err = io.StringIO(), io.StringIO()

    call_command("rotate_court_credential", "CMS command", "--reason", "scheduled", stdout=out, stderr=err)

    token = out.getvalue().strip()
    assert post(token, "CMS-X12").status_code == 202
    assert "works until" in err.getvalue()
    with pytest.raises(CommandError, match="No court credential is named 'CMS nobody'"):
        call_command("rotate_court_credential", "CMS nobody", stdout=io.StringIO(), stderr=io.StringIO())


def test_the_credential_list_shows_when_each_credential_expires(client, office):
    credential, _ = court_credential_issue(name="CMS listed")
    rotated, _ = court_credential_rotate(name="CMS listed")
    expired, _ = court_credential_issue(name="CMS lapsed")
    CourtApiCredential.objects.filter(pk=expired.pk).update(
        expires_at=timezone.now() - datetime.timedelta(days=1)
    )
    out = io.StringIO()

    call_command("list_court_credentials", stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0].startswith("CMS lapsed: token ") and "EXPIRED" in lines[0]
    assert f"CMS listed: token {rotated.token_prefix}, expires in 36" in lines[1]
    assert f"replaced token {credential.token_prefix} works until" in lines[1]


def test_the_admins_credential_list_shows_expiry_and_the_overlap(client, office):
    court_credential_issue(name="CMS listed")
    court_credential_rotate(name="CMS listed")
    client.force_login(staff_user(Role.SYSTEM_ADMIN, office=office, is_staff=True, is_superuser=True))

    page = client.get("/admin/courts/courtapicredential/").content.decode()

    assert "CMS listed" in page
    assert "Expires at" in page
    assert "Previous valid until" in page
