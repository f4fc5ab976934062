"""/api/v1/share/: partner systems read the fields their share allows, with their own credential,
and nothing else: no write, no other endpoint, no other field, and every read audited."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from audit.models import AuditAction, AuditEvent
from datashare.models import ShareCredential
from datashare.services import share_credential_issue, share_credential_revoke, share_end
from offenders.models import FlagKind
from offenders.services import flag_raise
from staff.roles import Role
from tests.datashare.conftest import TODAY, bearer, count_queries, make_share
from tests.factories import AllocationFactory, OffenderFactory, SentenceFactory, UserFactory, staff_user

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    "/api/v1/share/",
    "/api/v1/share/offenders/",
    "/api/v1/share/offenders/12345678/",
    "/api/v1/share/sentences/",
    "/api/v1/share/allocations/",
    "/api/v1/share/events/",
]
WRITE_METHODS = ["post", "put", "patch", "delete", "options"]


# --- authentication ---------------------------------------------------------------------------------


def test_the_core_share_reads_an_offender_with_exactly_the_core_fields(partner, offender, office):
    response = partner.get("/api/v1/share/offenders/12345678/")

    assert response.status_code == 200
    assert response.json() == {
        "prn": "12345678",
        "family_name": "Tamihana",
        "given_names": "Wiremu",
        "date_of_birth": offender.date_of_birth.isoformat(),
        "gender": "M",
        "home_office": {"code": office.code, "name": office.name},
    }
    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", ENDPOINTS)
def test_a_user_session_does_not_reach_the_share(path, role_user, offender, share):
    for role in [*Role.values, None]:
        client = APIClient()
        client.force_login(role_user(role) if role else UserFactory())

        response = client.get(path)

        assert response.status_code == 401, role
        assert response["WWW-Authenticate"] == 'Bearer realm="data-share"'
        assert "prn" not in response.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/offenders/",
        "/api/v1/sentences/",
        "/api/v1/allocations/",
        "/api/v1/offices/",
        "/api/v1/agencies/",
        "/api/v1/classification/instrument/",
        "/api/v1/schema/",
    ],
)
def test_a_share_token_reaches_nothing_else_of_the_api(path, partner, offender):
    response = partner.get(path)

    assert response.status_code in (401, 403)
    assert "Tamihana" not in response.content.decode()


def test_a_share_token_cannot_post_court_messages(partner):
    assert partner.post("/api/v1/court-messages/", {}, format="json").status_code in (401, 403)


def _refusals(*clients) -> set[tuple[int, str]]:
    return {
        (response.status_code, response.content.decode())
        for client in clients
        for response in [client.get("/api/v1/share/offenders/")]
    }


def test_unknown_expired_revoked_and_ended_tokens_are_refused_alike(share, issued, offender):
    credential, token = issued
    _, expiring = share_credential_issue(actor=None, share=share, label="Test system")
    ShareCredential.objects.filter(label="Test system").update(expires_at=timezone.now())
    other = make_share("Ended share")
    _, ended = share_credential_issue(actor=None, share=other, label="Old CRM")
    share_end(
        actor=None, share=other, ends_on=TODAY() - datetime.timedelta(days=1), reason="Agreement withdrawn"
    )
    future = make_share("Future share", starts_on=TODAY() + datetime.timedelta(days=5))
    _, early = share_credential_issue(actor=None, share=future, label="New CRM")
    share_credential_revoke(actor=None, credential=credential, reason="Leaked")

    refusals = _refusals(
        bearer(token),
        bearer(expiring),
        bearer(ended),
        bearer(early),
        bearer("not-a-token"),
        bearer("x" * 500),
    )

    assert refusals == {(401, '{"detail":"The token is missing, not valid, or no longer in force."}')}
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW).exists()


def test_a_missing_or_malformed_authorization_is_asked_for_the_token(offender, share):
    for header in ({}, {"HTTP_AUTHORIZATION": "Bearer"}, {"HTTP_AUTHORIZATION": "Bearer a b"}):
        response = APIClient().get("/api/v1/share/offenders/", **header)
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == 'Bearer realm="data-share"'


def test_basic_authentication_is_not_a_share_credential(offender, share):
    UserFactory(username="partner", roles=[Role.DATA_SHARE])
    response = APIClient().get("/api/v1/share/offenders/", HTTP_AUTHORIZATION="Basic cGFydG5lcjpjb3JyZWN0")
    assert response.status_code == 401


def test_a_revoked_token_stops_working_at_once(partner, issued, offender):
    assert partner.get("/api/v1/share/offenders/").status_code == 200

    share_credential_revoke(actor=None, credential=issued[0], reason="Leaked")

    assert partner.get("/api/v1/share/offenders/").status_code == 401


def test_the_use_of_a_credential_is_recorded(partner, issued, offender):
    assert ShareCredential.objects.get().last_used_at is None
    partner.get("/api/v1/share/")
    assert ShareCredential.objects.get().last_used_at is not None


# --- writes -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize("method", WRITE_METHODS)
def test_every_write_is_refused_and_the_refusal_audited(partner, offender, path, method):
    response = getattr(partner, method)(path, {"family_name": "Changed"}, format="json")

    assert response.status_code == 405
    offender.refresh_from_db()
    assert offender.family_name == "Tamihana"
    refusal = AuditEvent.objects.get(action=AuditAction.DENIED)
    assert refusal.actor is None
    assert refusal.actor_label == f"data share Northern probation: CRM production ({partner_prefix()}…)"
    assert refusal.summary == f"Refused {method.upper()} {path}: the data share is read-only"


def partner_prefix() -> str:
    return ShareCredential.objects.get(label="CRM production").token_prefix


@pytest.mark.parametrize("method", WRITE_METHODS)
def test_a_write_without_a_valid_token_is_401_and_leaves_no_trace(offender, share, method):
    response = getattr(bearer("wrong"), method)("/api/v1/share/offenders/", {}, format="json")
    assert response.status_code == 401
    assert not AuditEvent.objects.filter(action=AuditAction.DENIED).exists()


def test_only_get_and_head_are_offered():
    from tests.api.test_access_matrix import ENDPOINTS as SCHEMA_ENDPOINTS

    shared = {(method, path) for method, path in SCHEMA_ENDPOINTS if path.startswith("/api/v1/share/")}
    assert shared == {
        ("GET", "/api/v1/share/"),
        ("GET", "/api/v1/share/offenders/"),
        ("GET", "/api/v1/share/offenders/{prn}/"),
        ("GET", "/api/v1/share/sentences/"),
        ("GET", "/api/v1/share/allocations/"),
        ("GET", "/api/v1/share/events/"),
    }


def test_head_is_a_read(partner, offender):
    assert partner.head("/api/v1/share/offenders/12345678/").status_code == 200


# --- fields -----------------------------------------------------------------------------------------


def test_restricted_fields_are_absent_from_every_response(partner, offender, sentence, allocation):
    bodies = [partner.get(path).content.decode() for path in ENDPOINTS]

    for secret in [
        "Tūhoe-Thorvaldsen",  # alias (a name no factory makes up)
        "Secret Street",  # address
        "PNC-998877",  # identifier
        "021 555 0101",  # phone
        "wiremu@example.nz",
        "Threatened staff",  # a flag's reason
        "Disclosed",  # casenote
        "Porirua East",  # sentence conditions
        "CRI-2025-1",  # court case number
        "Private allocation reason",
        "NZ M",  # ethnicity: not in the core share
        '"Wi"',  # preferred name: not in the core share
    ]:
        assert all(secret not in body for body in bodies), secret


def test_a_sentence_list_carries_exactly_the_core_sentence_fields(partner, sentence, office):
    rows = partner.get("/api/v1/share/sentences/").json()["results"]

    assert rows == [
        {
            "offender_prn": "12345678",
            "sentence_type": "supervision",
            "status": "active",
            "start_date": sentence.start_date.isoformat(),
            "end_date": sentence.end_date.isoformat(),
            "indeterminate": False,
            "parole_eligibility_date": None,
            "statutory_release_date": None,
            "managing_office": {"code": office.code, "name": office.name},
        }
    ]


def test_the_team_list_carries_staff_names_and_offices(partner, allocation, office):
    rows = partner.get("/api/v1/share/allocations/").json()["results"]

    assert rows == [
        {
            "offender_prn": "12345678",
            "role": "supervising",
            "staff_name": "Aroha Ngata",
            "staff_office": {"code": office.code, "name": office.name},
            "started_on": allocation.started_on.isoformat(),
            "ended_on": None,
        }
    ]


def test_a_narrow_share_carries_only_its_fields_and_refuses_the_rest(offender, sentence):
    narrow = make_share("Programme provider", fields={"offenders": ["prn", "given_names", "warnings"]})
    _, token = share_credential_issue(actor=None, share=narrow, label="Provider")
    client = bearer(token)

    body = client.get("/api/v1/share/offenders/12345678/").json()

    assert body == {
        "prn": "12345678",
        "given_names": "Wiremu",
        "warnings": [
            {"kind": "safety", "kind_label": "Staff safety concern", "raised_on": TODAY().isoformat()}
        ],
    }
    assert client.get("/api/v1/share/offenders/").json()["results"] == [body]
    refused = client.get("/api/v1/share/sentences/")
    assert refused.status_code == 403
    assert refused.json() == {"detail": "This share does not carry sentences."}
    assert AuditEvent.objects.filter(action=AuditAction.DENIED, summary__contains="does not carry").exists()
    assert client.get("/api/v1/share/").json()["fields"] == {"offenders": ["prn", "given_names", "warnings"]}


def test_a_field_stored_outside_the_catalogue_is_never_shown(share, partner, offender):
    # A row changed behind the services' back (the admin is read-only; the services check the catalogue).
    share.allowed_fields = {"offenders": ["prn", "phone", "addresses"], "casenotes": ["text"]}
    share.save(update_fields=["allowed_fields"])

    assert partner.get("/api/v1/share/offenders/12345678/").json() == {"prn": "12345678"}
    assert partner.get("/api/v1/share/").json()["fields"] == {"offenders": ["prn"]}


def test_a_filter_on_a_field_the_share_does_not_carry_is_refused(offender, sentence):
    narrow = make_share("Dates only", fields={"sentences": ["start_date", "end_date"]})
    _, token = share_credential_issue(actor=None, share=narrow, label="Provider")
    client = bearer(token)

    assert client.get("/api/v1/share/sentences/", {"status": "active"}).status_code == 400
    assert client.get("/api/v1/share/sentences/", {"prn": "12345678"}).status_code == 400
    assert client.get("/api/v1/share/sentences/").json()["results"] == [
        {"start_date": sentence.start_date.isoformat(), "end_date": sentence.end_date.isoformat()}
    ]


def test_lists_filter_by_prn_status_and_current(partner, offender, sentence, allocation, office):
    other = OffenderFactory(prn="87654321", home_office=office)
    SentenceFactory(offender=other, status="completed", completion_reason="normal", completed_on=TODAY())
    AllocationFactory(offender=other, staff=allocation.staff, ended_on=TODAY(), end_reason="Moved")

    def prns(path, **query):
        return [row["offender_prn"] for row in partner.get(path, query).json()["results"]]

    assert prns("/api/v1/share/sentences/") == ["12345678", "87654321"]
    assert prns("/api/v1/share/sentences/", prn="87654321") == ["87654321"]
    assert prns("/api/v1/share/sentences/", status="active") == ["12345678"]
    assert prns("/api/v1/share/allocations/", current="true") == ["12345678"]
    assert prns("/api/v1/share/allocations/", current="false") == ["87654321"]
    assert partner.get("/api/v1/share/sentences/", {"status": "bogus"}).status_code == 400


def test_an_unknown_or_malformed_prn_is_not_found(partner, offender):
    assert partner.get("/api/v1/share/offenders/99999999/").status_code == 404
    assert partner.get("/api/v1/share/offenders/not-a-prn/").status_code == 404


def test_the_share_describes_itself(partner, share, issued):
    body = partner.get("/api/v1/share/").json()

    assert body["share"] == "Northern probation"
    assert body["credential"] == "CRM production"
    assert set(body["fields"]) == {"offenders", "sentences", "allocations"}


# --- audit ------------------------------------------------------------------------------------------


def test_reading_an_offender_is_audited_under_the_share(partner, offender):
    partner.get("/api/v1/share/offenders/12345678/")

    event = AuditEvent.objects.get(action=AuditAction.VIEW)
    assert (event.action, event.offender_id, event.actor, event.channel) == (
        AuditAction.VIEW,
        offender.pk,
        None,
        "api",
    )
    assert event.actor_label.startswith("data share Northern probation: CRM production (")
    assert "Northern probation" in event.summary


def test_a_list_files_one_view_under_each_offender_on_the_page(partner, offender, sentence, office):
    others = OffenderFactory.create_batch(3, home_office=office)
    for other in others:
        SentenceFactory(offender=other)

    partner.get("/api/v1/share/sentences/", {"page_size": 2})

    views = AuditEvent.objects.filter(action=AuditAction.VIEW)
    shown = {offender.pk, *(other.pk for other in others)}
    assert views.count() == 2
    assert set(views.values_list("offender_id", flat=True)) <= shown
    assert {event.actor_label for event in views} == {
        f"data share Northern probation: CRM production ({partner_prefix()}…)"
    }
    search = AuditEvent.objects.get(action=AuditAction.SEARCH)
    assert search.summary == "Searched the data share Northern probation: sentences (API)"


# --- size -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/api/v1/share/offenders/", "/api/v1/share/sentences/", "/api/v1/share/allocations/"]
)
def test_lists_take_the_same_number_of_queries_at_two_sizes(path, office, offender, sentence, allocation):
    everything = make_share(
        "Everything",
        fields={
            "offenders": ["prn", "home_office", "warnings"],
            "sentences": ["offender_prn", "court", "managing_office"],
            "allocations": ["offender_prn", "staff_name", "staff_office"],
        },
    )
    _, token = share_credential_issue(actor=None, share=everything, label="All")
    client = bearer(token)
    client.get("/api/v1/share/")  # the first use records last_used_at; later ones within a minute do not

    few = count_queries(lambda: client.get(path))
    keeper = staff_user(Role.SERVICE_MANAGER, office=office)
    for _ in range(30):
        other = OffenderFactory(home_office=office)
        SentenceFactory(offender=other)
        AllocationFactory(offender=other, staff=allocation.staff)
        flag_raise(actor=keeper, offender=other, kind=FlagKind.GANG, reason="Gang")
    many = count_queries(lambda: client.get(path))

    assert len(client.get(path).json()["results"]) == 31
    assert few == many


def test_lists_are_paginated(partner, office):
    OffenderFactory.create_batch(7, home_office=office)

    page = partner.get("/api/v1/share/offenders/", {"page_size": 5}).json()

    assert len(page["results"]) == 5
    assert "cursor=" in page["next"] and "page_size=5" in page["next"]
    assert "count" not in page


@pytest.mark.parametrize(
    "path", ["/api/v1/share/offenders/", "/api/v1/share/sentences/", "/api/v1/share/allocations/"]
)
def test_paging_walks_every_row_once_in_order_and_never_counts(path, office, allocation):
    everything = make_share(
        "Everything",
        fields={
            "offenders": ["prn", "home_office"],
            "sentences": ["id", "offender_prn", "start_date", "end_date"],
            "allocations": ["offender_prn", "staff_name", "started_on", "ended_on"],
        },
    )
    _, token = share_credential_issue(actor=None, share=everything, label="All")
    client = bearer(token)
    for number in range(4):
        offender = OffenderFactory(home_office=office)
        SentenceFactory.create_batch(2, offender=offender, start_date=TODAY(), order_date=TODAY())
        AllocationFactory(offender=offender, staff=allocation.staff)
        if number % 2:
            AllocationFactory(offender=offender, ended_on=TODAY())
    whole = client.get(path, {"page_size": 500}).json()["results"]

    walked, statements, url = [], [], f"http://testserver{path}?page_size=3"
    while url:
        with CaptureQueriesContext(connection) as queries:
            body = client.get(url).json()
        walked += body["results"]
        statements += [query["sql"] for query in queries.captured_queries]
        url = body["next"]

    assert len(whole) >= 5 and walked == whole
    assert not [sql for sql in statements if "COUNT(" in sql.upper()]
