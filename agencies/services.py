"""Agencies and programmes (seed 001: accepted / adopted, changed, discontinued) and referrals."""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from agencies.models import (
    REFERRAL_TRANSITIONS,
    Agency,
    AgencyStatus,
    Attendance,
    Programme,
    ProgrammeStatus,
    Referral,
    ReferralStatus,
)
from audit.models import AuditAction
from audit.records import record_update
from audit.services import audit_created, audit_record

AGENCY_FIELDS = ("name", "kind", "contact_name", "phone", "email", "address", "accepted_on")
PROGRAMME_FIELDS = ("agency", "name", "kind", "description", "office", "capacity", "adopted_on")


@transaction.atomic
def agency_accept(*, actor, **data: Any) -> Agency:
    agency = Agency(**data)
    agency.full_clean()
    agency.save()
    audit_created(actor=actor, obj=agency, fields=AGENCY_FIELDS, summary=f"Accepted agency {agency}")
    return agency


@transaction.atomic
def agency_update(*, actor, agency: Agency, **data: Any) -> dict:
    if set(data) - set(AGENCY_FIELDS):
        raise TypeError(f"Unknown agency fields: {sorted(set(data) - set(AGENCY_FIELDS))}")
    return record_update(
        actor=actor, instance=Agency.objects.select_for_update().get(pk=agency.pk), data=data
    )


@transaction.atomic
def agency_discontinue(*, actor, agency: Agency, on: datetime.date, reason: str) -> Agency:
    """Discontinuing an agency discontinues its programmes the same day."""
    if not reason.strip():
        raise ValidationError({"discontinued_reason": "Say why the agency is no longer used."})
    if on < agency.accepted_on:
        raise ValidationError({"discontinued_on": "An agency cannot be discontinued before it was accepted."})
    updated = Agency.objects.filter(pk=agency.pk, status=AgencyStatus.ACCEPTED).update(
        status=AgencyStatus.DISCONTINUED,
        discontinued_on=on,
        discontinued_reason=reason,
        updated_at=timezone.now(),
    )
    if not updated:
        raise ValidationError("This agency is already discontinued.")
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=agency,
        summary=f"Discontinued agency {agency}",
        changes={"status": [AgencyStatus.ACCEPTED, AgencyStatus.DISCONTINUED], "reason": [None, reason]},
    )
    for programme in agency.programmes.filter(status=ProgrammeStatus.ADOPTED):
        programme_discontinue(
            actor=actor,
            programme=programme,
            on=max(on, programme.adopted_on),
            reason=f"Agency discontinued: {reason}",
        )
    agency.refresh_from_db()
    return agency


@transaction.atomic
def programme_adopt(*, actor, agency: Agency, **data: Any) -> Programme:
    if agency.status != AgencyStatus.ACCEPTED:
        raise ValidationError({"agency": "A discontinued agency cannot sponsor a new programme."})
    programme = Programme(agency=agency, **data)
    if programme.adopted_on and programme.adopted_on < agency.accepted_on:
        raise ValidationError({"adopted_on": "A programme cannot be adopted before its agency was accepted."})
    programme.full_clean()
    programme.save()
    audit_created(
        actor=actor, obj=programme, fields=PROGRAMME_FIELDS, summary=f"Adopted programme {programme}"
    )
    return programme


@transaction.atomic
def programme_update(*, actor, programme: Programme, **data: Any) -> dict:
    if set(data) - set(PROGRAMME_FIELDS):
        raise TypeError(f"Unknown programme fields: {sorted(set(data) - set(PROGRAMME_FIELDS))}")
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    return record_update(actor=actor, instance=programme, data=data)


@transaction.atomic
def programme_discontinue(*, actor, programme: Programme, on: datetime.date, reason: str) -> Programme:
    if not reason.strip():
        raise ValidationError({"discontinued_reason": "Say why the programme is discontinued."})
    if on < programme.adopted_on:
        raise ValidationError({"discontinued_on": "A programme cannot end before it was adopted."})
    updated = Programme.objects.filter(pk=programme.pk, status=ProgrammeStatus.ADOPTED).update(
        status=ProgrammeStatus.DISCONTINUED,
        discontinued_on=on,
        discontinued_reason=reason,
        updated_at=timezone.now(),
    )
    if not updated:
        raise ValidationError("This programme is already discontinued.")
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=programme,
        summary=f"Discontinued programme {programme}",
        changes={"status": [ProgrammeStatus.ADOPTED, ProgrammeStatus.DISCONTINUED], "reason": [None, reason]},
    )
    programme.refresh_from_db()
    return programme


@transaction.atomic
def referral_create(
    *, actor, offender, programme: Programme, referred_on: datetime.date, sentence=None
) -> Referral:
    if programme.status != ProgrammeStatus.ADOPTED:
        raise ValidationError({"programme": "That programme has been discontinued."})
    if referred_on > timezone.localdate():
        raise ValidationError({"referred_on": "A referral date cannot be in the future."})
    if Referral.objects.filter(
        offender=offender, programme=programme, status__in=[ReferralStatus.REFERRED, ReferralStatus.ATTENDING]
    ).exists():
        raise ValidationError({"programme": "The offender already has an open referral to this programme."})
    referral = Referral(
        offender=offender, programme=programme, referred_on=referred_on, sentence=sentence, referred_by=actor
    )
    referral.full_clean()
    referral.save()
    audit_created(
        actor=actor,
        obj=referral,
        fields=("programme", "referred_on", "sentence"),
        summary=f"Referred {offender} to {programme}",
    )
    return referral


@transaction.atomic
def referral_transition(
    *, actor, referral: Referral, to_status: str, on: datetime.date, note: str = ""
) -> Referral:
    current = Referral.objects.select_for_update().get(pk=referral.pk)
    if to_status not in REFERRAL_TRANSITIONS[current.status]:
        raise ValidationError(
            f"A referral that is {current.get_status_display().lower()} cannot become "
            f"{ReferralStatus(to_status).label.lower()}."
        )
    if on < current.referred_on:
        raise ValidationError({"on": "The date cannot be before the referral."})
    Referral.objects.filter(pk=current.pk, status=current.status).update(
        status=to_status, status_changed_on=on, outcome_note=note[:300]
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=current,
        summary=f"Referral to {current.programme}: {ReferralStatus(to_status).label}",
        changes={"status": [current.status, to_status]},
    )
    current.refresh_from_db()
    return current


@transaction.atomic
def attendance_record(
    *, actor, referral: Referral, session_on: datetime.date, attended: bool, note: str = ""
) -> Attendance:
    if referral.status not in (ReferralStatus.REFERRED, ReferralStatus.ATTENDING):
        raise ValidationError("Attendance can only be recorded on an open referral.")
    if session_on < referral.referred_on or session_on > timezone.localdate():
        raise ValidationError({"session_on": "The session must be between the referral and today."})
    attendance = Attendance(
        referral=referral, session_on=session_on, attended=attended, note=note, recorded_by=actor
    )
    attendance.full_clean()
    attendance.save()
    if referral.status == ReferralStatus.REFERRED and attended:
        referral_transition(actor=actor, referral=referral, to_status=ReferralStatus.ATTENDING, on=session_on)
    audit_created(
        actor=actor,
        obj=attendance,
        fields=("session_on", "attended", "note"),
        summary=f"Recorded attendance at {referral.programme}",
    )
    return attendance
