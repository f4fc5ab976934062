"""The read-only data share in the browser (seed 004): a user whose only role is the data share sees
the fields of their share and nothing else, is offered no action, and is refused every other page
of the record and every write, with the refusals and the reads audited."""

import datetime

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from audit.models import AuditAction, AuditEvent
from datashare.models import Share
from datashare.services import share_reader_add
from offenders.models import Flag, FlagKind, Offender
from offenders.services import flag_raise
from staff.roles import Role
from tests.datashare.conftest import TODAY, count_queries, make_share
from tests.factories import (
    OffenderFactory,
    ReferralFactory,
    StaffMemberFactory,
    UserFactory,
    staff_user,
)

pytestmark = pytest.mark.django_db

NEVER_SHOWN = [
    "Tūhoe-Thorvaldsen",  # alias (a name no factory makes up)
    "Secret Street",  # address
    "PNC-998877",  # identifier
    "021 555 0101",  # phone
    "wiremu@example.nz",
    "Threatened staff",  # a flag's reason
    "Disclosed a private matter",  # casenote
    "Porirua East",  # sentence conditions
    "CRI-2025-1",  # court case number
    "Private allocation reason",
]
TABS = ["sentences", "casenotes", "documents", "staff", "programmes", "timeline"]


@pytest.fixture
def partner(office):
    return staff_user(Role.DATA_SHARE, office=office, username="partner")


@pytest.fixture
def record(offender, sentence, allocation):
    return offender


def test_the_record_shows_the_core_fields_and_nothing_else(client, partner, record, sentence, office):
    client.force_login(partner)

    response = client.get(reverse("offenders:detail", args=[record.pk]))

    assert response.status_code == 200
    page = response.content.decode()
    assert response.context["details"] == [
        ("PRN", "12345678"),
        ("Family name", "Tamihana"),
        ("Given names", "Wiremu"),
        ("Date of birth", f"{record.date_of_birth.day} {record.date_of_birth:%b %Y}"),
        ("Gender", "Male"),
        ("Home office", office.name),
    ]
    assert response.context["sentence_labels"] == [
        "PRN",
        "Type",
        "Status",
        "Start",
        "End",
        "Indeterminate",
        "PED",
        "SRD",
        "Managing office",
    ]
    assert response.context["sentences"] == [
        [
            ("PRN", "12345678"),
            ("Type", "Supervision"),
            ("Status", "Active"),
            ("Start", f"{sentence.start_date.day} {sentence.start_date:%b %Y}"),
            ("End", f"{sentence.end_date.day} {sentence.end_date:%b %Y}"),
            ("Indeterminate", "No"),
            ("PED", "—"),
            ("SRD", "—"),
            ("Managing office", office.name),
        ]
    ]
    assert "Supervision" in page and "Aroha Ngata" in page
    for secret in [*NEVER_SHOWN, "NZ Māori", "Staff safety concern", "Wi)"]:
        assert secret not in page, secret


def test_the_record_offers_no_tab_and_no_action(client, partner, record):
    client.force_login(partner)

    page = client.get(reverse("offenders:detail", args=[record.pk])).content.decode()

    for path in [*TABS, "edit", "aliases/new", "addresses/new", "identifiers/new", "flags/new"]:
        assert f"/offenders/{record.pk}/{path}/" not in page, path
    assert "/classification/" not in page and "/audit/" not in page and "/courts/" not in page
    # The log-out button and the idle warning's "stay signed in" (on every page) only.
    assert page.count('method="post"') == 2 and page.count("data-idle-form") == 1


def test_viewing_the_shared_record_is_audited(client, partner, record):
    client.force_login(partner)
    client.get(reverse("offenders:detail", args=[record.pk]))

    event = AuditEvent.objects.get(action=AuditAction.VIEW, actor=partner)
    assert event.offender_id == record.pk
    assert event.summary == f"Viewed {record} (data share Core case information)"


@pytest.mark.parametrize("tab", TABS)
def test_every_other_tab_is_refused_and_the_refusal_audited(client, partner, record, tab):
    client.force_login(partner)

    response = client.get(f"/offenders/{record.pk}/{tab}/")

    assert response.status_code == 403
    assert AuditEvent.objects.filter(actor=partner, action=AuditAction.DENIED, offender_id=record.pk).exists()
    assert not AuditEvent.objects.filter(actor=partner, action=AuditAction.VIEW).exists()


def test_a_tab_of_an_unknown_offender_is_not_found(client, partner):
    client.force_login(partner)
    assert client.get("/offenders/999999/sentences/").status_code == 404
    assert client.get("/offenders/999999/").status_code == 404


def _write_urls(record, sentence) -> list[str]:
    flag = Flag.objects.get(offender=record)
    return [
        reverse("offenders:create"),
        reverse("offenders:edit", args=[record.pk]),
        reverse("offenders:alias_add", args=[record.pk]),
        reverse("offenders:address_add", args=[record.pk]),
        reverse("offenders:identifier_add", args=[record.pk]),
        reverse("offenders:flag_raise", args=[record.pk]),
        reverse("offenders:flag_end", args=[record.pk, flag.pk]),
        reverse("casenotes:create", kwargs={"offender_pk": record.pk}),
        reverse("sentences:create", kwargs={"offender_pk": record.pk}),
        reverse("sentences:edit", kwargs={"pk": sentence.pk}),
        reverse("documents:create", kwargs={"offender_pk": record.pk}),
        reverse("agencies:refer", kwargs={"offender_pk": record.pk}),
        reverse("allocation:allocate", kwargs={"offender_pk": record.pk}),
        reverse("courts:correction_create", kwargs={"offender_pk": record.pk}),
    ]


def test_every_write_is_refused(client, partner, record, sentence):
    client.force_login(partner)
    before = Offender.objects.values().get(pk=record.pk)
    changes_before = AuditEvent.objects.filter(action__in=[AuditAction.CREATE, AuditAction.UPDATE]).count()

    for url in _write_urls(record, sentence):
        assert client.get(url).status_code == 403, url
        assert (
            client.post(url, {"family_name": "Changed", "reason": "x", "summary": "x"}).status_code == 403
        ), url

    assert Offender.objects.values().get(pk=record.pk) == before
    assert (
        AuditEvent.objects.filter(action__in=[AuditAction.CREATE, AuditAction.UPDATE]).count()
        == changes_before
    )


def test_the_other_pages_of_a_record_are_refused(client, partner, record, sentence):
    client.force_login(partner)
    referral = ReferralFactory(offender=record)

    for url in [
        reverse("sentences:detail", kwargs={"pk": sentence.pk}),
        reverse("agencies:attendance", kwargs={"pk": referral.pk}),
        reverse("classification:prisoner", kwargs={"offender_id": record.pk}),
        reverse("audit:offender_history", kwargs={"offender_pk": record.pk}),
    ]:
        assert client.get(url).status_code == 403, url


def test_the_session_reads_no_record_over_the_main_api(partner, record, sentence):
    client = APIClient()
    client.force_login(partner)

    assert client.get("/api/v1/offenders/").json()["results"] == []
    assert client.get("/api/v1/sentences/").json()["results"] == []
    assert client.get(f"/api/v1/offenders/{record.pk}/").status_code == 403
    assert client.get(f"/api/v1/sentences/{sentence.pk}/").status_code == 403


# --- the search -------------------------------------------------------------------------------------


def test_the_search_shows_the_share_fields_and_is_audited(client, partner, record):
    client.force_login(partner)

    response = client.get(reverse("offenders:search"), {"q": "Tūhoe-Thorvaldsen"})  # found by the alias ...

    assert response.status_code == 200
    page = response.content.decode()
    assert "TAMIHANA, Wiremu" in page and "12345678" in page
    assert "Tūhoe-Thorvaldsen" not in page.split('id="results-title"', 1)[1]  # ... which is not shown
    assert "Matched on" not in page
    assert AuditEvent.objects.filter(actor=partner, action=AuditAction.SEARCH).exists()
    assert AuditEvent.objects.filter(actor=partner, action=AuditAction.VIEW, offender_id=record.pk).exists()


def test_a_search_by_prn_goes_to_the_shared_record(client, partner, record):
    client.force_login(partner)
    response = client.get(reverse("offenders:search"), {"q": "12345678"})
    assert response.status_code == 302 and response["Location"] == reverse(
        "offenders:detail", args=[record.pk]
    )


def test_the_search_takes_the_same_number_of_queries_for_more_results(client, partner, office):
    share = make_share("Warnings", fields={"offenders": ["prn", "family_name", "given_names", "warnings"]})
    share_reader_add(actor=None, share=share, user=partner)
    keeper = staff_user(Role.SERVICE_MANAGER, office=office)
    OffenderFactory(family_name="Walker", home_office=office)
    client.force_login(partner)
    search = lambda: client.get(reverse("offenders:search"), {"q": "Walker"})  # noqa: E731
    search()

    few = count_queries(search)
    for _ in range(20):
        flag_raise(
            actor=keeper,
            offender=OffenderFactory(family_name="Walker", home_office=office),
            kind=FlagKind.GANG,
            reason="x",
        )
    many = count_queries(search)

    assert len(search().context["rows"]) == 21
    assert few == many


# --- shares linked to a user ------------------------------------------------------------------------


def test_a_linked_share_narrows_what_the_user_sees(client, partner, record):
    narrow = make_share("Programme provider", fields={"offenders": ["prn", "given_names", "warnings"]})
    share_reader_add(actor=None, share=narrow, user=partner)
    client.force_login(partner)

    response = client.get(reverse("offenders:detail", args=[record.pk]))

    page = response.content.decode()
    assert response.context["details"] == [
        ("PRN", "12345678"),
        ("Given names", "Wiremu"),
        ("Warnings", "Staff safety concern"),
    ]
    assert "<h1>PRN 12345678</h1>" in page
    assert "Tamihana" not in page and "TAMIHANA" not in page and "Threatened staff" not in page
    assert "Current sentences" not in page and "Aroha Ngata" not in page
    search = client.get(reverse("offenders:search")).content.decode()
    assert 'name="date_of_birth"' not in search and 'name="office"' not in search


def test_a_share_out_of_force_shows_nothing(client, partner, record):
    ended = make_share("Ended", starts_on=TODAY() - datetime.timedelta(days=30))
    share_reader_add(actor=None, share=ended, user=partner)
    Share.objects.filter(pk=ended.pk).update(ends_on=TODAY() - datetime.timedelta(days=1))
    client.force_login(partner)

    assert client.get(reverse("offenders:detail", args=[record.pk])).status_code == 403
    assert client.get(reverse("offenders:search"), {"q": "Tamihana"}).status_code == 403
    assert "Your data share is not in force" in client.get("/").content.decode()


def test_a_share_carrying_no_offenders_shows_no_record(client, partner, record):
    share_reader_add(
        actor=None, share=make_share("Sentences only", fields={"sentences": ["status"]}), user=partner
    )
    client.force_login(partner)
    assert client.get(reverse("offenders:detail", args=[record.pk])).status_code == 403


def test_a_user_with_a_staff_role_as_well_reads_the_full_record(client, office, record):
    user = UserFactory(roles=[Role.DATA_SHARE, Role.SERVICE_MANAGER])
    StaffMemberFactory(user=user, office=office)
    client.force_login(user)

    page = client.get(reverse("offenders:detail", args=[record.pk])).content.decode()

    assert "Secret Street" in page and "PNC-998877" in page
    assert client.get(f"/offenders/{record.pk}/sentences/").status_code == 200
