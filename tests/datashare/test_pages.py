"""The data-share pages: system administrators only, for every role, a user without a role and an
anonymous visitor; the token is shown once and never stored; every change goes through the services."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from audit.models import AuditAction, AuditEvent
from datashare.models import Share, ShareCredential, ShareReader
from datashare.services import share_reader_add
from staff.roles import Role
from tests.datashare.conftest import TODAY, bearer
from tests.factories import UserFactory, staff_user

pytestmark = pytest.mark.django_db

SA = Role.SYSTEM_ADMIN
EVERY_ROLE = sorted(Role.values)
# (url name, {kwarg: object key}, roles allowed)
DATASHARE_PAGES = [
    ("datashare:shares", {}, {SA}),
    ("datashare:share_create", {}, {SA}),
    ("datashare:share_detail", {"pk": "share"}, {SA}),
    ("datashare:share_end", {"pk": "share"}, {SA}),
    ("datashare:credential_issue", {"pk": "share"}, {SA}),
    ("datashare:credential_revoke", {"pk": "credential"}, {SA}),
    ("datashare:reader_add", {"pk": "share"}, {SA}),
    ("datashare:reader_remove", {"pk": "reader"}, {SA}),
]
READ_ONLY_PAGES = {"datashare:shares", "datashare:share_detail"}  # a POST is 405 to anyone
# The partner API (/api/v1/share/): a share credential only, never a session (tests/datashare/test_api.py).
SHARE_API_ENDPOINTS = [
    ("share-about", {}),
    ("share-offender-list", {}),
    ("share-offender-detail", {"prn": "12345678"}),
    ("share-sentence-list", {}),
    ("share-allocation-list", {}),
]


@pytest.fixture
def objects(share, issued, office):
    partner = staff_user(Role.DATA_SHARE, office=office, username="partner")
    return {
        "share": share,
        "credential": issued[0],
        "reader": share_reader_add(actor=None, share=share, user=partner),
    }


def _url(name, kwargs, objects):
    return reverse(name, kwargs={key: objects[value].pk for key, value in kwargs.items()})


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_each_role_is_allowed_or_refused_each_page(client, office, objects, role):
    client.force_login(staff_user(role, office=office))

    outcomes = {
        name: client.get(_url(name, kwargs, objects)).status_code for name, kwargs, _ in DATASHARE_PAGES
    }

    assert outcomes == {name: 200 if role in allowed else 403 for name, _, allowed in DATASHARE_PAGES}


@pytest.mark.parametrize("role", [role for role in EVERY_ROLE if role != SA])
def test_each_refused_role_changes_nothing_by_posting(client, office, objects, role):
    client.force_login(staff_user(role, office=office))
    before = AuditEvent.objects.count()

    refused = 0
    for name, kwargs, _ in DATASHARE_PAGES:
        response = client.post(_url(name, kwargs, objects), {"label": "x", "reason": "x", "ends_on": TODAY()})
        assert response.status_code == (405 if name in READ_ONLY_PAGES else 403), name
        refused += response.status_code == 403

    # Nothing but the refusals themselves is written (issue 11: every refusal is audited).
    assert AuditEvent.objects.exclude(action=AuditAction.DENIED).count() == before
    assert AuditEvent.objects.filter(action=AuditAction.DENIED, actor__isnull=False).count() == refused
    assert ShareCredential.objects.count() == 1 and ShareCredential.objects.get().revoked_at is None
    assert ShareReader.objects.count() == 1 and Share.objects.get().ends_on is None


def test_a_user_without_a_role_is_refused_every_page(client, objects):
    client.force_login(UserFactory())
    assert {client.get(_url(name, kwargs, objects)).status_code for name, kwargs, _ in DATASHARE_PAGES} == {
        403
    }


def test_an_anonymous_visitor_is_sent_to_log_in(client, objects):
    for name, kwargs, _ in DATASHARE_PAGES:
        response = client.get(_url(name, kwargs, objects))
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), name


@pytest.mark.parametrize("role", [*EVERY_ROLE, None])
def test_no_session_reaches_the_partner_api(office, offender, share, role):
    client = APIClient()
    if role:
        client.force_login(staff_user(role, office=office))
    for name, kwargs in SHARE_API_ENDPOINTS:
        assert client.get(reverse(name, kwargs=kwargs)).status_code == 401, name


def test_unknown_objects_are_not_found_for_an_administrator(client, system_admin):
    client.force_login(system_admin)
    for name, kwargs, _ in DATASHARE_PAGES:
        if kwargs:
            assert client.get(reverse(name, kwargs={"pk": 999999})).status_code == 404, name


# --- what the pages do --------------------------------------------------------------------------------


def test_an_administrator_makes_a_share_from_the_catalogue(client, system_admin):
    client.force_login(system_admin)
    page = client.get(reverse("datashare:share_create")).content.decode()
    assert 'value="prn"' in page and 'value="home_office"' in page
    assert 'value="addresses"' not in page and 'value="phone"' not in page

    response = client.post(
        reverse("datashare:share_create"),
        {
            "name": "Prisons to probation",
            "partner": "Probation, Northern region",
            "purpose": "Release planning",
            "starts_on": TODAY().isoformat(),
            "fields_offenders": ["prn", "family_name"],
            "fields_sentences": ["status"],
        },
    )

    share = Share.objects.get(name="Prisons to probation")
    assert response.status_code == 302 and response["Location"] == reverse(
        "datashare:share_detail", args=[share.pk]
    )
    assert share.allowed_fields == {"offenders": ["prn", "family_name"], "sentences": ["status"]}
    assert AuditEvent.objects.filter(object_type="datashare.Share", action=AuditAction.CREATE).exists()


def test_a_field_outside_the_catalogue_cannot_be_posted(client, system_admin):
    client.force_login(system_admin)
    response = client.post(
        reverse("datashare:share_create"),
        {
            "name": "Sneaky",
            "partner": "Someone",
            "purpose": "None",
            "starts_on": TODAY().isoformat(),
            "fields_offenders": ["prn", "phone"],
        },
    )

    assert response.status_code == 200
    assert "phone is not one of the available choices" in response.content.decode()
    assert not Share.objects.filter(name="Sneaky").exists()


def test_the_token_is_shown_once_and_only_its_hash_is_kept(client, system_admin, share, offender):
    client.force_login(system_admin)

    response = client.post(reverse("datashare:credential_issue", args=[share.pk]), {"label": "Probation CRM"})

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    credential = ShareCredential.objects.get(label="Probation CRM")
    token = response.context["token"]
    assert f'value="{token}"' in response.content.decode()
    assert credential.token_hash == ShareCredential.hash_token(token) != token
    assert bearer(token).get("/api/v1/share/offenders/12345678/").status_code == 200
    detail = client.get(reverse("datashare:share_detail", args=[share.pk])).content.decode()
    assert token not in detail and f"{credential.token_prefix}…" in detail


def test_an_expiry_after_the_share_is_refused_on_the_form(client, system_admin):
    from tests.datashare.conftest import make_share

    short = make_share("Short", ends_on=TODAY())
    client.force_login(system_admin)

    response = client.post(
        reverse("datashare:credential_issue", args=[short.pk]),
        {"label": "CRM", "expires_on": "2999-01-01"},
    )

    assert response.status_code == 200
    assert "cannot outlive its share" in response.content.decode()
    assert not ShareCredential.objects.filter(share=short).exists()


def test_an_administrator_revokes_a_credential(client, system_admin, issued):
    credential, token = issued
    client.force_login(system_admin)

    response = client.post(reverse("datashare:credential_revoke", args=[credential.pk]), {"reason": "Leaked"})

    assert response.status_code == 302
    credential.refresh_from_db()
    assert credential.revoked_by == system_admin and credential.revoked_reason == "Leaked"
    assert bearer(token).get("/api/v1/share/").status_code == 401
    again = client.post(reverse("datashare:credential_revoke", args=[credential.pk]), {"reason": "Twice"})
    assert "already revoked" in again.content.decode()


def test_an_administrator_links_and_unlinks_partner_staff(client, system_admin, share, office):
    partner = staff_user(Role.DATA_SHARE, office=office, username="partner")
    client.force_login(system_admin)

    assert (
        client.post(reverse("datashare:reader_add", args=[share.pk]), {"user": partner.pk}).status_code == 302
    )
    reader = ShareReader.objects.get(user=partner)
    assert client.post(reverse("datashare:reader_remove", args=[reader.pk])).status_code == 302
    assert not ShareReader.objects.exists()


def test_an_administrator_ends_a_share(client, system_admin, share, token):
    client.force_login(system_admin)

    response = client.post(
        reverse("datashare:share_end", args=[share.pk]),
        {"ends_on": TODAY().isoformat(), "reason": "Withdrawn"},
    )

    assert response.status_code == 302
    share.refresh_from_db()
    assert (share.ends_on, share.ended_reason) == (TODAY(), "Withdrawn")


def test_the_list_counts_live_credentials_and_partner_staff(client, system_admin, objects):
    client.force_login(system_admin)
    page = client.get(reverse("datashare:shares")).content.decode()
    assert "Northern probation" in page and "In force" in page
    assert page.count('<td class="num">1</td>') == 2


def test_the_home_page_links_administrators_to_the_shares(client, system_admin):
    client.force_login(system_admin)
    assert reverse("datashare:shares") in client.get("/").content.decode()
