"""Every change to the data shares: making and ending a share, issuing and revoking its credentials,
linking partner staff to it. Each writes its audit row in the same transaction.

Reads of shared records are audited where they happen (datashare/api.py, datashare/views.py),
like every other view of a record."""

import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.actors import actor_user
from audit.credentials import credential_lookup, new_token
from audit.models import AuditAction
from audit.services import audit_created, audit_record
from datashare.catalogue import clean_fields
from datashare.models import Share, ShareCredential, ShareReader
from staff.roles import Role, has_role

# A credential always expires: a year unless the issuer says sooner, never after the share ends.
DEFAULT_CREDENTIAL_DAYS = 365


def end_of_day(day: datetime.date) -> datetime.datetime:
    """The first moment after `day`, New Zealand time."""
    return timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min))


# --- shares ---------------------------------------------------------------------------------------


@transaction.atomic
def share_create(
    *,
    actor,
    name: str,
    partner: str,
    purpose: str,
    allowed_fields: dict,
    starts_on: datetime.date,
    ends_on: datetime.date | None = None,
) -> Share:
    name, partner, purpose = name.strip(), partner.strip(), purpose.strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "Name the share."
    elif Share.objects.filter(name__iexact=name).exists():
        errors["name"] = f"A share named {name!r} already exists."
    if not partner:
        errors["partner"] = "Name the partner organisation."
    if not purpose:
        errors["purpose"] = "Say why the partner reads this information."
    if ends_on is not None and ends_on < starts_on:
        errors["ends_on"] = "A share cannot end before it starts."
    try:
        fields = clean_fields(allowed_fields)
    except ValidationError as error:
        errors.update({key: " ".join(messages) for key, messages in error.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    share = Share.objects.create(
        name=name,
        partner=partner,
        purpose=purpose,
        allowed_fields=fields,
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=actor,
    )
    audit_created(
        actor=actor,
        obj=share,
        fields=["name", "partner", "purpose", "allowed_fields", "starts_on", "ends_on"],
        summary=f"Made the data share {share.name} with {share.partner}",
    )
    return share


def share_end(*, actor, share: Share, ends_on: datetime.date, reason: str) -> Share:
    """The agreement ends (early, or on a date now known): from the day after `ends_on` its
    credentials and its readers read nothing. Ending is not undone; make a new share instead."""
    reason = reason.strip()
    today = timezone.localdate()
    with transaction.atomic():
        share = Share.objects.select_for_update().get(pk=share.pk)
        errors: dict[str, str] = {}
        if not reason:
            errors["reason"] = "Say why the share ends."
        if ends_on < share.starts_on:
            errors["ends_on"] = "A share cannot end before it starts."
        elif ends_on < today - datetime.timedelta(days=1):
            errors["ends_on"] = "A share ends yesterday at the earliest: the past is not rewritten."
        if share.ends_on is not None and share.ends_on < today:
            errors["ends_on"] = "This share has already ended."
        if errors:
            raise ValidationError(errors)
        before = share.ends_on
        Share.objects.filter(pk=share.pk).update(ends_on=ends_on, ended_reason=reason[:300])
        share.ends_on, share.ended_reason = ends_on, reason[:300]
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=share,
            summary=f"Ended the data share {share.name} on {ends_on:%-d %b %Y}: {reason}",
            changes={"ends_on": [before.isoformat() if before else None, ends_on.isoformat()]},
        )
    return share


# --- credentials ----------------------------------------------------------------------------------


def share_credential_issue(
    *, actor, share: Share, label: str, expires_at: datetime.datetime | None = None
) -> tuple[ShareCredential, str]:
    """A new credential for `share`; the token is returned once and only its hash is kept."""
    label = label.strip()
    now = timezone.now()
    token = new_token()
    try:
        with transaction.atomic():
            # Locked and read afresh: a share being ended meanwhile takes no new credential.
            share = Share.objects.select_for_update().get(pk=share.pk)
            expires_at = _checked_expiry(share, label, expires_at, now)
            credential = ShareCredential.objects.create(
                share=share,
                label=label,
                token_prefix=token.prefix,
                token_hash=token.digest,
                issued_by=actor,
                expires_at=expires_at,
            )
            audit_record(
                actor=actor,
                action=AuditAction.CREATE,
                obj=credential,
                summary=f"Issued data-share credential {label} for {share.name} "
                f"(prefix {credential.token_prefix}, expires {timezone.localtime(expires_at):%-d %b %Y})",
            )
    except IntegrityError:
        raise ValidationError(
            {"label": f"The share {share.name} already has a live credential labelled {label!r}."}
        ) from None
    return credential, token.token


def _checked_expiry(
    share: Share, label: str, expires_at: datetime.datetime | None, now: datetime.datetime
) -> datetime.datetime:
    """The credential's expiry: a year unless sooner, never after the share ends."""
    errors: dict[str, str] = {}
    if not label:
        errors["label"] = "Say which system will hold the credential (e.g. 'Probation CRM production')."
    if share.ends_on is not None and share.ends_on < timezone.localdate():
        errors["share"] = f"The share {share.name} has ended: it takes no new credentials."
    if expires_at is None:
        expires_at = now + datetime.timedelta(days=DEFAULT_CREDENTIAL_DAYS)
        if share.ends_on is not None:
            expires_at = min(expires_at, end_of_day(share.ends_on))
    elif expires_at <= now:
        errors["expires_at"] = "A credential must expire in the future."
    elif share.ends_on is not None and expires_at > end_of_day(share.ends_on):
        errors["expires_at"] = (
            f"A credential cannot outlive its share (which ends on {share.ends_on:%-d %b %Y})."
        )
    if errors:
        raise ValidationError(errors)
    return expires_at


def share_credential_revoke(*, actor, credential: ShareCredential, reason: str = "") -> ShareCredential:
    """The credential stops working at once (a leaked token, a retired partner system). It is kept,
    revoked, so the audit rows of its reads still name it."""
    now = timezone.now()
    reason = reason.strip()[:300]
    with transaction.atomic():
        revoked = ShareCredential.objects.filter(pk=credential.pk, revoked_at__isnull=True).update(
            revoked_at=now,
            revoked_by=actor_user(actor),
            revoked_reason=reason,
        )
        if not revoked:
            raise ValidationError({"credential": f"The credential {credential.label!r} is already revoked."})
        credential.refresh_from_db(fields=["revoked_at", "revoked_by", "revoked_reason"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=credential,
            summary=f"Revoked data-share credential {credential.label} of {credential.share.name}"
            + (f": {reason}" if reason else ""),
            changes={"revoked_at": [None, now.isoformat()]},
        )
    return credential


def share_credential_authenticate(token: str) -> ShareCredential | None:
    """The credential the token belongs to, if it may read now: not revoked, not expired, and its
    share in force today. None otherwise, without saying which (the caller answers 401 alike)."""
    found = credential_lookup(ShareCredential.objects.select_related("share"), token)
    if found is None:
        return None
    credential, _ = found
    now = timezone.now()
    if not credential.usable_at(now):
        return None
    if not credential.share.in_force_on(timezone.localdate()):
        return None
    credential.record_use(now)
    return credential


# --- readers (partner staff in the browser) -------------------------------------------------------


def share_reader_add(*, actor, share: Share, user) -> ShareReader:
    """Link a data-share user to `share`: from now on the browser shows them its fields. A user
    already linked to another share is moved (one share per user)."""
    if not has_role(user, Role.DATA_SHARE):
        raise ValidationError({"user": "Only a user with the read-only data share role reads a share."})
    if share.ends_on is not None and share.ends_on < timezone.localdate():
        raise ValidationError({"share": f"The share {share.name} has ended."})
    with transaction.atomic():
        get_user_model().objects.select_for_update().get(pk=user.pk)
        reader = ShareReader.objects.filter(user=user).select_related("share").first()
        if reader is not None and reader.share_id == share.pk:
            raise ValidationError({"user": f"{user.get_username()} already reads {share.name}."})
        before = reader.share.name if reader else None
        if reader is None:
            reader = ShareReader.objects.create(user=user, share=share, added_by=actor)
        else:
            ShareReader.objects.filter(pk=reader.pk).update(share=share, added_by=actor)
            reader.share = share
        audit_record(
            actor=actor,
            action=AuditAction.CREATE if before is None else AuditAction.UPDATE,
            obj=reader,
            summary=f"{user.get_username()} reads the data share {share.name}",
            changes={"share": [before, share.name]},
        )
    return reader


def share_reader_remove(*, actor, reader: ShareReader) -> None:
    """The user goes back to the core share (the default of every data-share user)."""
    with transaction.atomic():
        deleted, _ = ShareReader.objects.filter(pk=reader.pk).delete()
        if not deleted:
            raise ValidationError({"user": "That user no longer reads this share."})
        audit_record(
            actor=actor,
            action=AuditAction.DELETE,
            obj=reader.share,
            summary=f"{reader.user.get_username()} no longer reads the data share {reader.share.name}",
            changes={"reader": [reader.user.get_username(), None]},
        )
