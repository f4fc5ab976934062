"""Shares are checked against the catalogue; credentials are hashed, shown once, expire and are
revoked; partner staff are linked to one share; every change is audited."""

import datetime
import hashlib
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from audit.models import AuditAction, AuditEvent
from datashare.catalogue import CATALOGUE, CORE_FIELDS, clean_fields
from datashare.models import Share, ShareCredential, ShareReader
from datashare.services import (
    share_create,
    share_credential_authenticate,
    share_credential_issue,
    share_credential_revoke,
    share_end,
    share_reader_add,
    share_reader_remove,
)
from staff.roles import Role
from tests.datashare.conftest import TODAY, bearer, make_share
from tests.factories import UserFactory, staff_user

pytestmark = pytest.mark.django_db


# --- the catalogue ----------------------------------------------------------------------------------


def test_a_share_may_list_only_fields_of_the_catalogue():
    with pytest.raises(ValidationError) as error:
        make_share(fields={"offenders": ["prn", "addresses", "phone"], "casenotes": ["text"]})

    message = " ".join(error.value.messages)
    assert "addresses, phone cannot be shared (not in the catalogue)" in message
    assert "'casenotes' is not a shareable resource" in message
    assert not Share.objects.exists()


@pytest.mark.parametrize(
    "fields", [{}, {"offenders": []}, {"offenders": "prn"}, ["offenders"], {"sentences": [None]}]
)
def test_a_share_must_list_some_fields_as_lists(fields):
    with pytest.raises(ValidationError):
        clean_fields(fields)


def test_the_fields_are_kept_in_catalogue_order_without_duplicates():
    assert clean_fields({"offenders": ["home_office", "prn", "prn"]}) == {"offenders": ["prn", "home_office"]}


def test_nothing_private_is_in_the_catalogue():
    names = {name for fields in CATALOGUE.values() for name in fields}
    for private in [
        "addresses",
        "identifiers",
        "aliases",
        "phone",
        "email",
        "casenotes",
        "documents",
        "reason",
        "conditions",
        "court_case_number",
        "classification",
        "security_classification",
    ]:
        assert private not in names
    assert set(CATALOGUE) == {"offenders", "sentences", "allocations"}


def test_the_core_share_is_within_the_catalogue():
    assert clean_fields(CORE_FIELDS) == {key: list(value) for key, value in CORE_FIELDS.items()}


def test_the_api_serializers_and_the_catalogue_name_the_same_fields():
    from datashare.api import SCHEMA_SCOPE, SERIALIZERS

    for resource, serializer in SERIALIZERS.items():
        assert list(serializer(context={"scope": SCHEMA_SCOPE}).fields) == list(CATALOGUE[resource])


def test_a_serializer_without_a_share_shows_nothing(office):
    from datashare.api import SharedOffenderSerializer
    from tests.factories import OffenderFactory

    assert SharedOffenderSerializer(OffenderFactory(home_office=office)).data == {}


# --- shares -----------------------------------------------------------------------------------------


def test_making_a_share_is_audited(system_admin):
    share = share_create(
        actor=system_admin,
        name="Prisons to probation",
        partner="Department of Corrections, Probation",
        purpose="Release planning",
        allowed_fields={"offenders": ["prn"]},
        starts_on=TODAY(),
    )

    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="datashare.Share")
    assert (event.actor, event.object_id) == (system_admin, str(share.pk))
    assert event.changes["allowed_fields"] == [None, {"offenders": ["prn"]}]


def test_share_names_are_unique_and_a_share_cannot_end_before_it_starts(share):
    with pytest.raises(ValidationError, match="already exists"):
        make_share(name="northern PROBATION")
    with pytest.raises(ValidationError, match="cannot end before it starts"):
        make_share(name="Backwards", starts_on=TODAY(), ends_on=TODAY() - datetime.timedelta(days=1))


def test_ending_a_share_refuses_its_credentials_from_the_next_day(share, token):
    share_end(actor=None, share=share, ends_on=TODAY(), reason="Agreement ends")
    assert share_credential_authenticate(token) is not None  # the last day is a day of the share

    Share.objects.filter(pk=share.pk).update(ends_on=TODAY() - datetime.timedelta(days=1))
    assert share_credential_authenticate(token) is None


def test_an_ended_share_is_not_ended_again_nor_given_credentials(share):
    share_end(actor=None, share=share, ends_on=TODAY() - datetime.timedelta(days=1), reason="Withdrawn")
    with pytest.raises(ValidationError, match="already ended"):
        share_end(actor=None, share=share, ends_on=TODAY(), reason="Again")
    with pytest.raises(ValidationError, match="has ended"):
        share_credential_issue(actor=None, share=share, label="Late")


# --- credentials ------------------------------------------------------------------------------------


def test_only_a_hash_of_the_token_is_stored(issued):
    credential, token = issued

    assert credential.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert credential.token_prefix == token[:8]
    assert len(token) >= 40
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM datashare_sharecredential")
        stored = " ".join(str(value) for row in cursor.fetchall() for value in row)
    assert token not in stored
    assert not AuditEvent.objects.filter(summary__contains=token).exists()


def test_each_credential_has_its_own_token(share):
    tokens = {share_credential_issue(actor=None, share=share, label=f"System {n}")[1] for n in range(5)}
    assert len(tokens) == 5


def test_a_credential_expires_within_a_year_and_never_after_its_share(share, issued):
    credential, _ = issued
    assert credential.expires_at - timezone.now() <= datetime.timedelta(days=365)

    ending = make_share("Short", ends_on=TODAY() + datetime.timedelta(days=10))
    short, _ = share_credential_issue(actor=None, share=ending, label="Short")
    assert timezone.localtime(short.expires_at).date() == TODAY() + datetime.timedelta(days=11)

    with pytest.raises(ValidationError, match="cannot outlive its share"):
        share_credential_issue(
            actor=None, share=ending, label="Long", expires_at=timezone.now() + datetime.timedelta(days=30)
        )
    with pytest.raises(ValidationError, match="in the future"):
        share_credential_issue(actor=None, share=share, label="Past", expires_at=timezone.now())


def test_an_expired_credential_is_refused(share, issued):
    credential, token = issued
    ShareCredential.objects.filter(pk=credential.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert share_credential_authenticate(token) is None


def test_labels_are_unique_among_live_credentials_and_free_again_once_revoked(share, issued):
    with pytest.raises(ValidationError, match="already has a live credential"):
        share_credential_issue(actor=None, share=share, label="CRM production")

    share_credential_revoke(actor=None, credential=issued[0], reason="Replaced")

    replacement, _ = share_credential_issue(actor=None, share=share, label="CRM production")
    assert replacement.pk != issued[0].pk


def test_revoking_is_audited_and_happens_once(system_admin, issued):
    credential, token = issued

    share_credential_revoke(actor=system_admin, credential=credential, reason="Token leaked")

    credential.refresh_from_db()
    assert (credential.revoked_by, credential.revoked_reason) == (system_admin, "Token leaked")
    assert share_credential_authenticate(token) is None
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, object_type="datashare.ShareCredential")
    assert event.summary == "Revoked data-share credential CRM production of Northern probation: Token leaked"
    with pytest.raises(ValidationError, match="already revoked"):
        share_credential_revoke(actor=system_admin, credential=credential)


# --- readers ----------------------------------------------------------------------------------------


def test_only_data_share_users_read_a_share_and_each_reads_one(share, system_admin, office):
    officer = staff_user(Role.PROBATION_OFFICER, office=office)
    with pytest.raises(ValidationError, match="read-only data share role"):
        share_reader_add(actor=system_admin, share=share, user=officer)

    partner = staff_user(Role.DATA_SHARE, office=office)
    share_reader_add(actor=system_admin, share=share, user=partner)
    other = make_share("Other")
    reader = share_reader_add(actor=system_admin, share=other, user=partner)

    assert ShareReader.objects.get(user=partner).share == other
    with pytest.raises(ValidationError, match="already reads"):
        share_reader_add(actor=system_admin, share=other, user=partner)
    share_reader_remove(actor=system_admin, reader=reader)
    assert not ShareReader.objects.exists()
    assert (
        AuditEvent.objects.filter(object_type__in=["datashare.ShareReader", "datashare.Share"]).count() >= 3
    )


# --- management commands ----------------------------------------------------------------------------


def test_the_commands_issue_a_token_once_and_revoke_it(share):
    out, err = io.StringIO(), io.StringIO()
    call_command("issue_share_credential", "Northern probation", "Nightly sync", stdout=out, stderr=err)
    token = out.getvalue().strip()

    assert "shown once" in err.getvalue()
    assert bearer(token).get("/api/v1/share/").status_code == 200

    call_command(
        "revoke_share_credential", "Northern probation", "Nightly sync", "--reason", "Retired", stdout=out
    )

    assert bearer(token).get("/api/v1/share/").status_code == 401
    with pytest.raises(CommandError, match="no live credential"):
        call_command("revoke_share_credential", "Northern probation", "Nightly sync")
    with pytest.raises(CommandError, match="No data share is named"):
        call_command("issue_share_credential", "Nobody", "x")


def test_the_issue_command_takes_an_expiry_date(share):
    out = io.StringIO()
    expires_on = TODAY() + datetime.timedelta(days=7)
    call_command(
        "issue_share_credential",
        "Northern probation",
        "Short",
        "--expires-on",
        expires_on.isoformat(),
        stdout=out,
        stderr=io.StringIO(),
    )
    credential = ShareCredential.objects.get(label="Short")
    assert timezone.localtime(credential.expires_at).date() == expires_on + datetime.timedelta(days=1)


def test_a_user_without_the_role_is_not_offered_as_a_reader(share, office):
    from datashare.forms import ReaderAddForm

    partner = staff_user(Role.DATA_SHARE, office=office)
    UserFactory()
    staff_user(Role.SYSTEM_ADMIN, office=office)

    assert list(ReaderAddForm(share=share).fields["user"].queryset) == [partner]
