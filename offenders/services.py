"""Writes to offender records. Each service validates, changes and audits in one transaction."""

import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.actors import actor_user
from audit.models import AuditAction
from audit.records import record_update, record_validate
from audit.services import audit_created, audit_record
from events.domain import OffenderDetailsChanged, RestrictedRecordOpened, publish
from ioms.transactions import atomic_service
from offenders.access import (
    VIEWING_ROLES,
    can_break_glass,
    can_manage_restriction,
    can_restrict_offender,
)
from offenders.models import (
    PERMANENT_FLAG_KINDS,
    Address,
    BreakGlassGrant,
    Flag,
    Identifier,
    Offender,
    OffenderAlias,
    OffenderRestriction,
    RestrictedAccess,
    RestrictionChange,
)
from offenders.phonetics import fold
from staff.roles import user_roles

OFFENDER_FIELDS = (
    "prn",
    "family_name",
    "given_names",
    "preferred_name",
    "date_of_birth",
    "gender",
    "ethnicity",
    "home_office",
    "phone",
    "email",
    "date_of_death",
)


def _search_keys(family_name: str, given_names: str = "") -> dict[str, str]:
    # Folding can lengthen a name ("ﬀ" folds to "ff"): cap it at the width of the column.
    return {
        "family_name_folded": fold(family_name)[: Offender._meta.get_field("family_name_folded").max_length],
        "given_names_folded": fold(given_names)[: Offender._meta.get_field("given_names_folded").max_length],
    }


@atomic_service
def offender_create(*, actor, **data: Any) -> Offender:
    unknown = set(data) - set(OFFENDER_FIELDS)
    if unknown:
        raise TypeError(f"Unknown offender fields: {sorted(unknown)}")
    offender = Offender(**data)
    record_validate(offender)
    for name, value in _search_keys(offender.family_name, offender.given_names).items():
        setattr(offender, name, value)
    offender.save()
    audit_created(actor=actor, obj=offender, fields=OFFENDER_FIELDS)
    return offender


@atomic_service
def offender_update(*, actor, offender: Offender, source_note: str = "", **data: Any) -> dict:
    """`source_note` (e.g. " (from the court interface)") says where the change came from: the
    system casenote it leaves (casenotes subscribes to OffenderDetailsChanged) adds it to its summary."""
    unknown = set(data) - set(OFFENDER_FIELDS)
    if unknown:
        raise TypeError(f"Unknown offender fields: {sorted(unknown)}")
    offender = Offender.objects.select_for_update().get(pk=offender.pk)
    if "prn" in data and data["prn"] != offender.prn:
        # The PRN is how every other system knows this person; a wrong one is corrected at its source.
        raise ValidationError({"prn": "A PRN cannot be changed. Raise a data-correction request instead."})
    changes = record_update(
        actor=actor, instance=offender, data=data, summary=f"Changed details of {offender}"
    )
    if {"family_name", "given_names"} & set(changes):
        keys = _search_keys(offender.family_name, offender.given_names)
        Offender.objects.filter(pk=offender.pk).update(**keys)
    if changes:
        publish(
            OffenderDetailsChanged(offender_id=offender.pk, changes=changes, source_note=source_note),
            actor=actor,
            records=(offender,),
        )
    return changes


@atomic_service
def alias_add(
    *, actor, offender: Offender, family_name: str, given_names: str = "", date_of_birth=None
) -> OffenderAlias:
    alias = OffenderAlias(
        offender=offender, family_name=family_name, given_names=given_names, date_of_birth=date_of_birth
    )
    record_validate(alias)
    alias.family_name_folded = fold(family_name)[
        : OffenderAlias._meta.get_field("family_name_folded").max_length
    ]
    alias.save()
    audit_created(
        actor=actor,
        obj=alias,
        fields=("family_name", "given_names", "date_of_birth"),
        summary=f"Added alias {alias} to {offender}",
    )
    return alias


@atomic_service
def alias_remove(*, actor, alias: OffenderAlias, reason: str) -> None:
    if not reason.strip():
        raise ValidationError({"reason": "Say why the alias is removed."})
    audit_record(
        actor=actor,
        action=AuditAction.DELETE,
        obj=alias,
        summary=f"Removed alias {alias}: {reason}",
        changes={"family_name": [alias.family_name, None], "given_names": [alias.given_names, None]},
    )
    alias.delete()


ADDRESS_FIELDS = ("kind", "line1", "line2", "suburb", "city", "postcode", "started_on", "ended_on")


@atomic_service
def address_add(*, actor, offender: Offender, **data: Any) -> Address:
    """A new current address ends the previous current address of the same kind the day before,
    so the history of addresses stays continuous."""
    address = Address(offender=offender, **data)
    record_validate(address)
    if address.ended_on is None:
        previous = Address.objects.select_for_update().filter(
            offender=offender, kind=address.kind, ended_on__isnull=True
        )
        for old in previous:
            end = max(address.started_on - datetime.timedelta(days=1), old.started_on)
            record_update(actor=actor, instance=old, data={"ended_on": end}, summary=f"Ended address {old}")
    address.save()
    audit_created(actor=actor, obj=address, fields=ADDRESS_FIELDS, summary=f"Added address for {offender}")
    return address


@atomic_service
def address_update(*, actor, address: Address, **data: Any) -> dict:
    return record_update(actor=actor, instance=address, data=data)


@atomic_service
def identifier_add(*, actor, offender: Offender, kind: str, value: str) -> Identifier:
    identifier = Identifier(offender=offender, kind=kind, value=value.strip())
    record_validate(identifier)
    identifier.save()
    audit_created(actor=actor, obj=identifier, fields=("kind", "value"), summary=f"Added {identifier}")
    return identifier


@atomic_service
def flag_raise(*, actor, offender: Offender, kind: str, reason: str, raised_on=None) -> Flag:
    flag = Flag(
        offender=offender,
        kind=kind,
        reason=reason,
        raised_on=raised_on or timezone.localdate(),
        raised_by=actor_user(actor),
    )
    record_validate(flag)
    flag.save()
    audit_created(
        actor=actor, obj=flag, fields=("kind", "reason", "raised_on"), summary=f"Raised flag {flag}"
    )
    return flag


@atomic_service
def flag_end(*, actor, flag: Flag, reason: str, ended_on=None) -> Flag:
    if flag.ended_on is not None:
        raise ValidationError("This flag has already ended.")
    if flag.kind in PERMANENT_FLAG_KINDS:
        raise ValidationError(
            f"{flag.get_kind_display()} alerts are never ended, not even on release: they stay "
            "active in the current view (Review Security Classification, A.2.1)."
        )
    if not reason.strip():
        raise ValidationError({"ended_reason": "Say why the flag is ended."})
    ended_on = ended_on or timezone.localdate()
    if ended_on < flag.raised_on:
        raise ValidationError({"ended_on": "A flag cannot end before it was raised."})
    updated = Flag.objects.filter(pk=flag.pk, ended_on__isnull=True).update(
        ended_on=ended_on, ended_reason=reason
    )
    if not updated:
        raise ValidationError("Someone else ended this flag a moment ago.")
    flag.ended_on, flag.ended_reason = ended_on, reason
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=flag,
        summary=f"Ended flag {flag}",
        changes={"ended_on": [None, ended_on.isoformat()], "ended_reason": ["", reason]},
    )
    return flag


# --- Need-to-know: restricted records (issue 11) -------------------------------------------------
# Offender.restricted is set and cleared only here, each time with a history row, so lists filter
# on the column (Offender.objects.visible_to) and the history says who and why. Audit summaries
# name a restricted record by its PRN only: the trail is read by people not on its access list.


def _reason(reason: str, what: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": f"Say why {what}."})
    return reason


@atomic_service
def offender_restrict(*, actor, offender: Offender, reason: str) -> OffenderRestriction:
    """Restrict a record to named staff; the person restricting it is the first name on its list."""
    reason = _reason(reason, "the record is restricted")
    if not can_restrict_offender(actor, offender):
        raise PermissionDenied("Only a system administrator or a service manager may restrict a record.")
    if not Offender.objects.filter(pk=offender.pk, restricted=False).update(restricted=True):
        raise ValidationError("This record is already restricted (someone else restricted it a moment ago).")
    offender.restricted = True
    offender.__dict__.pop("_ioms_need_to_know", None)
    now = timezone.now()
    change = OffenderRestriction.objects.create(
        offender=offender, change=RestrictionChange.RESTRICTED, reason=reason, actor=actor, at=now
    )
    RestrictedAccess.objects.create(offender=offender, user=actor, added_by=actor, added_at=now)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=offender,
        summary=f"Restricted record {offender.prn}: {reason}",
        changes={
            "restricted": [False, True],
            "reason": [None, reason],
            "access_list": [None, [actor.get_username()]],
        },
    )
    return change


@atomic_service
def offender_restriction_lift(*, actor, offender: Offender, reason: str) -> OffenderRestriction:
    """Open the record to every role again; the access list ends with the restriction."""
    reason = _reason(reason, "the restriction is lifted")
    if not can_manage_restriction(actor, offender):
        raise PermissionDenied(
            "Only a service manager on the access list or a system administrator may lift it."
        )
    if not Offender.objects.filter(pk=offender.pk, restricted=True).update(restricted=False):
        raise ValidationError("This record is not restricted (someone else lifted it a moment ago).")
    offender.restricted = False
    offender.__dict__.pop("_ioms_need_to_know", None)
    now = timezone.now()
    change = OffenderRestriction.objects.create(
        offender=offender, change=RestrictionChange.LIFTED, reason=reason, actor=actor, at=now
    )
    RestrictedAccess.objects.filter(offender=offender, removed_at__isnull=True).update(
        removed_at=now, removed_by=actor, removed_reason="Restriction lifted"
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=offender,
        summary=f"Lifted the restriction of record {offender.prn}: {reason}",
        changes={"restricted": [True, False], "reason": [None, reason]},
    )
    return change


@atomic_service
def restricted_access_grant(*, actor, offender: Offender, user) -> RestrictedAccess:
    """Put a named member of staff on a restricted record's access list."""
    if not can_manage_restriction(actor, offender):
        raise PermissionDenied(
            "Only a service manager on the access list or a system administrator may change it."
        )
    if not getattr(user, "is_active", False) or not user_roles(user) & VIEWING_ROLES:
        raise ValidationError(
            {"user": "Only active staff who read offender records can be on an access list."}
        )
    if RestrictedAccess.objects.filter(offender=offender, user=user, removed_at__isnull=True).exists():
        raise ValidationError({"user": f"{user.get_username()} is already on the access list."})
    access = RestrictedAccess.objects.create(offender=offender, user=user, added_by=actor)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=access,
        offender_id=offender.pk,
        summary=f"Added {user.get_username()} to the access list of record {offender.prn}",
        changes={"access_list": [None, user.get_username()]},
    )
    return access


@atomic_service
def restricted_access_revoke(*, actor, access: RestrictedAccess, reason: str) -> RestrictedAccess:
    """Take a name off the access list. The last name stays: lift the restriction instead."""
    reason = _reason(reason, "this person is taken off the list")
    offender = access.offender
    if not can_manage_restriction(actor, offender):
        raise PermissionDenied(
            "Only a service manager on the access list or a system administrator may change it."
        )
    current = RestrictedAccess.objects.select_for_update().filter(offender=offender, removed_at__isnull=True)
    if not any(row.pk == access.pk for row in current):
        raise ValidationError("This person is no longer on the access list.")
    if len(current) == 1:
        raise ValidationError(
            "A restricted record keeps at least one name on its access list: lift the restriction instead."
        )
    now = timezone.now()
    RestrictedAccess.objects.filter(pk=access.pk, removed_at__isnull=True).update(
        removed_at=now, removed_by=actor, removed_reason=reason
    )
    access.removed_at, access.removed_by, access.removed_reason = now, actor, reason
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=access,
        offender_id=offender.pk,
        summary=f"Took {access.user.get_username()} off the access list of record {offender.prn}: {reason}",
        changes={"access_list": [access.user.get_username(), None], "reason": [None, reason]},
    )
    return access


@atomic_service
def offender_break_glass(*, actor, offender: Offender, reason: str) -> BreakGlassGrant:
    """Open a restricted record for settings.IOMS_BREAK_GLASS_HOURS to someone not on its access
    list, with a reason. Everyone on the list is notified (in the portal and by e-mail after
    commit) and the grant is on the break-glass report."""
    reason = _reason(reason, "you need to open this restricted record")
    if not offender.restricted:
        raise ValidationError("This record is not restricted: open it as usual.")
    if not can_break_glass(actor, offender):
        raise PermissionDenied("You may already open this record, or may not read offender records.")
    now = timezone.now()
    grant = BreakGlassGrant.objects.create(
        offender=offender,
        user=actor,
        reason=reason,
        granted_at=now,
        expires_at=now + datetime.timedelta(hours=settings.IOMS_BREAK_GLASS_HOURS),
    )
    offender.__dict__.pop("_ioms_need_to_know", None)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=grant,
        offender_id=offender.pk,
        summary=f"Broke the glass on restricted record {offender.prn}: {reason}",
        changes={"reason": [None, reason], "expires_at": [None, grant.expires_at.isoformat()]},
    )
    # Everyone on the access list is told (allocation keeps the portal's notifications).
    publish(
        RestrictedRecordOpened(
            offender_id=offender.pk, grant_id=grant.pk, user_id=actor.pk, expires_at=grant.expires_at
        ),
        actor=actor,
    )
    return grant
