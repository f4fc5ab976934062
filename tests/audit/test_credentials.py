"""The one Bearer-credential mechanism (audit.credentials), used by the courts' credentials and the
data share's: a token is kept only as its hash, found by it, and its use recorded sparingly."""

import datetime

import pytest
from django.utils import timezone

from audit.credentials import MAX_TOKEN_LENGTH, credential_lookup, hash_token, matches, new_token
from courts.credentials import court_credential_issue, court_credential_rotate
from courts.models import CourtApiCredential
from datashare.models import ShareCredential

pytestmark = pytest.mark.django_db


def test_a_new_token_is_kept_only_as_its_hash_and_prefix():
    token = new_token()

    assert token.digest == hash_token(token.token) != token.token
    assert token.prefix == token.token[:8]
    assert (
        CourtApiCredential.hash_token(token.token) == ShareCredential.hash_token(token.token) == token.digest
    )


def test_hashes_are_compared_whole():
    digest = hash_token("secret")

    assert matches(digest, hash_token("secret"))
    assert not matches(digest, hash_token("secret2"))
    assert not matches(digest, None)


def test_a_token_is_found_by_its_hash_or_by_the_hash_a_rotation_replaced():
    credential, old = court_credential_issue(name="CMS lookup")
    _, new = court_credential_rotate(name="CMS lookup")
    everyone = CourtApiCredential.objects.all()

    assert credential_lookup(everyone, new) == (credential, "token_hash")
    assert credential_lookup(everyone, old) is None  # only the columns asked about
    assert credential_lookup(everyone, old, also=("previous_token_hash",)) == (
        credential,
        "previous_token_hash",
    )
    assert credential_lookup(everyone, "not a token") is None
    assert credential_lookup(everyone, "x" * (MAX_TOKEN_LENGTH + 1)) is None
    assert credential_lookup(everyone, "") is None


def test_a_use_is_recorded_at_most_once_a_minute():
    credential, _ = court_credential_issue(name="CMS busy")
    now = timezone.now()

    credential.record_use(now)
    credential.record_use(now + datetime.timedelta(seconds=30))
    assert CourtApiCredential.objects.get(pk=credential.pk).last_used_at == now

    later = now + datetime.timedelta(minutes=2)
    credential.record_use(later)
    assert CourtApiCredential.objects.get(pk=credential.pk).last_used_at == later
