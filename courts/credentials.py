"""The courts' credentials: issuing, rotating and revoking the Bearer tokens of the courts' system,
and checking a token when it posts (courts.api). The token mechanism (hashing, lookup, expiry, the
DRF authentication) is audit.credentials, shared with the data share's credentials; what is the
courts' own is rotation with an overlap, and the audited refusal of an expired or replaced token."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.credentials import CredentialRefused, credential_lookup, new_token
from audit.models import AuditAction
from audit.services import audit_record
from courts.models import CourtApiCredential


def _credential_days() -> datetime.timedelta:
    return datetime.timedelta(days=settings.COURT_CREDENTIAL_DAYS)


def court_credential_issue(*, name: str, actor=None) -> tuple[CourtApiCredential, str]:
    """A new credential, expiring in settings.COURT_CREDENTIAL_DAYS; the token is returned once
    and only its hash is kept."""
    if not name.strip():
        raise ValidationError({"name": "Name the credential (e.g. the CMS environment)."})
    if CourtApiCredential.objects.filter(name=name).exists():
        raise ValidationError({"name": f"A credential named {name!r} already exists."})
    token = new_token()
    with transaction.atomic():
        credential = CourtApiCredential.objects.create(
            name=name,
            token_prefix=token.prefix,
            token_hash=token.digest,
            expires_at=timezone.now() + _credential_days(),
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=credential,
            summary=f"Issued court credential {name} (prefix {token.prefix}, "
            f"expires {timezone.localtime(credential.expires_at):%-d %b %Y})",
        )
    return credential, token.token


def court_credential_rotate(*, name: str, actor=None, reason: str = "") -> tuple[CourtApiCredential, str]:
    """A new token for the named credential, expiring in settings.COURT_CREDENTIAL_DAYS. The token
    it replaces keeps working for settings.COURT_CREDENTIAL_OVERLAP_DAYS (never past its own
    expiry), so the courts can switch over without a gap; a token replaced earlier stops at once.
    Returns the credential and the new token (shown once)."""
    token = new_token()
    now = timezone.now()
    with transaction.atomic():
        credential = CourtApiCredential.objects.select_for_update().filter(name=name).first()
        if credential is None:
            raise ValidationError({"name": f"No court credential is named {name!r}."})
        if not credential.active:
            raise ValidationError(
                {"name": f"The court credential {name!r} is revoked: issue a new credential instead."}
            )
        overlap_until = min(
            now + datetime.timedelta(days=settings.COURT_CREDENTIAL_OVERLAP_DAYS), credential.expires_at
        )
        before = {
            "token_prefix": credential.token_prefix,
            "expires_at": credential.expires_at.isoformat(),
            "previous_token_prefix": credential.previous_token_prefix,
        }
        values = {
            "token_prefix": token.prefix,
            "token_hash": token.digest,
            "expires_at": now + _credential_days(),
            "rotated_at": now,
            "previous_token_prefix": credential.token_prefix,
            "previous_token_hash": credential.token_hash,
            "previous_valid_until": max(overlap_until, now),
        }
        CourtApiCredential.objects.filter(pk=credential.pk).update(**values)
        for field_name, value in values.items():
            setattr(credential, field_name, value)
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=credential,
            summary=f"Rotated court credential {name}: new token {token.prefix}, the old token "
            f"{credential.previous_token_prefix} works until "
            f"{timezone.localtime(credential.previous_valid_until):%-d %b %Y %H:%M}"
            + (f": {reason}" if reason else ""),
            changes={
                "token_prefix": [before["token_prefix"], token.prefix],
                "expires_at": [before["expires_at"], credential.expires_at.isoformat()],
                "previous_token_prefix": [before["previous_token_prefix"], credential.previous_token_prefix],
            },
        )
    return credential, token.token


def court_credential_revoke(*, name: str, actor=None, reason: str = "") -> CourtApiCredential:
    """The credential stops working at once (a leaked token, a retired CMS environment), with any
    token a rotation replaced. It is kept, inactive, so the messages it posted still name it."""
    with transaction.atomic():
        credential = CourtApiCredential.objects.select_for_update().filter(name=name).first()
        if credential is None:
            raise ValidationError({"name": f"No court credential is named {name!r}."})
        if not credential.active:
            raise ValidationError({"name": f"The court credential {name!r} is already revoked."})
        CourtApiCredential.objects.filter(pk=credential.pk).update(active=False)
        credential.active = False
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=credential,
            summary=f"Revoked court credential {name}" + (f": {reason}" if reason else ""),
            changes={"active": [True, False]},
        )
    return credential


class CourtCredentialRefused(CredentialRefused):
    """A token the courts were given that may no longer be used; the message says why and what to do."""


def _refuse(credential: CourtApiCredential, prefix: str, reason: str) -> CourtCredentialRefused:
    court_credential_refusal_record(credential=credential, summary=f"token {prefix}: {reason}")
    return CourtCredentialRefused(reason)


def court_credential_refusal_record(*, credential: CourtApiCredential, summary: str) -> None:
    """Audit a request of the courts' system that was refused (an expired token, over its rate)."""
    audit_record(
        actor=f"court interface ({credential.name})",
        action=AuditAction.DENIED,
        obj=credential,
        summary=f"Refused court credential {credential.name}, {summary}",
    )


def court_credential_authenticate(token: str) -> CourtApiCredential | None:
    """The credential the token belongs to, if it may post now. None for a token we do not know or
    of a revoked credential; CourtCredentialRefused (audited) for an expired token, or one replaced
    by a rotation whose overlap has ended."""
    found = credential_lookup(
        CourtApiCredential.objects.filter(active=True), token, also=("previous_token_hash",)
    )
    if found is None:
        return None
    credential, column = found
    now = timezone.now()
    if column == "token_hash" and credential.expired_at(now):
        raise _refuse(
            credential,
            credential.token_prefix,
            f"The court credential {credential.name!r} expired on "
            f"{timezone.localtime(credential.expires_at):%-d %b %Y %H:%M}. Ask the IOMS system "
            "administrators to rotate it (manage.py rotate_court_credential) and use the new token.",
        )
    if column == "previous_token_hash" and credential.previous_valid_until <= now:
        raise _refuse(
            credential,
            credential.previous_token_prefix,
            f"This token of the court credential {credential.name!r} was replaced on "
            f"{timezone.localtime(credential.rotated_at):%-d %b %Y %H:%M} and stopped working on "
            f"{timezone.localtime(credential.previous_valid_until):%-d %b %Y %H:%M}. Use the new token.",
        )
    credential.record_use(now)
    return credential
