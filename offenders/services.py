"""Writes to offender records. Each service validates, changes and audits in one transaction."""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import AuditAction
from audit.records import record_update, record_validate
from audit.services import audit_created, audit_record
from casenotes.services import system_casenote
from ioms.transactions import atomic_service
from offenders.models import PERMANENT_FLAG_KINDS, Address, Flag, Identifier, Offender, OffenderAlias
from offenders.phonetics import fold

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
    """`source_note` (e.g. " (from the court interface)") is added to the casenote summary."""
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
        system_casenote(
            actor=actor,
            offender=offender,
            summary=f"Personal details changed{source_note}"[:200],
            text="; ".join(
                f"{Offender._meta.get_field(name).verbose_name}: {old or '—'} → {new or '—'}"
                for name, (old, new) in changes.items()
            ),
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
        raised_by=actor if getattr(actor, "is_authenticated", False) else None,
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
