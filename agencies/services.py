"""Agencies and programmes (seed 001: accepted / adopted, changed, discontinued) and referrals."""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from agencies.models import (
    AGENCY_WORKFLOW,
    ATTENDANCE_STATUSES,
    OPEN_REFERRAL_STATUSES,
    PLACE_STATUSES,
    PROGRAMME_WORKFLOW,
    REFERRAL_TRANSITIONS,
    REFERRAL_WORKFLOW,
    Agency,
    AgencyStatus,
    Attendance,
    Programme,
    ProgrammeStatus,
    Referral,
    ReferralStatus,
)
from audit.records import record_update
from audit.services import audit_created
from casenotes.services import system_casenote
from events.domain import ReferralAttendanceRecorded, ReferralStatusChanged, publish

AGENCY_FIELDS = ("name", "kind", "contact_name", "phone", "email", "address", "accepted_on")
PROGRAMME_FIELDS = ("agency", "name", "kind", "description", "office", "capacity", "adopted_on")


@transaction.atomic
def agency_accept(*, actor, **data: Any) -> Agency:
    agency = Agency(**data)
    agency.full_clean()
    agency.save()
    AGENCY_WORKFLOW.record_step(agency, from_status="", to=agency.status, actor=actor)
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
    if agency.status == AgencyStatus.DISCONTINUED:
        raise ValidationError("This agency is already discontinued.")
    AGENCY_WORKFLOW.move(
        agency,
        to=AgencyStatus.DISCONTINUED,
        actor=actor,
        comment=reason,
        fields={"discontinued_on": on, "discontinued_reason": reason, "updated_at": timezone.now()},
        summary=f"Discontinued agency {agency}",
        audit_changes={"reason": [None, reason]},
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
    PROGRAMME_WORKFLOW.record_step(programme, from_status="", to=programme.status, actor=actor)
    audit_created(
        actor=actor, obj=programme, fields=PROGRAMME_FIELDS, summary=f"Adopted programme {programme}"
    )
    return programme


@transaction.atomic
def programme_update(*, actor, programme: Programme, **data: Any) -> dict:
    if set(data) - set(PROGRAMME_FIELDS):
        raise TypeError(f"Unknown programme fields: {sorted(set(data) - set(PROGRAMME_FIELDS))}")
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    if data.get("capacity") is not None:
        taken = places_taken(programme)
        if data["capacity"] < taken:
            raise ValidationError(
                {"capacity": f"{taken} places are taken now: the capacity cannot be less than that."}
            )
    return record_update(actor=actor, instance=programme, data=data)


def places_taken(programme: Programme) -> int:
    return Referral.objects.filter(programme=programme, status__in=PLACE_STATUSES).count()


@transaction.atomic
def programme_discontinue(*, actor, programme: Programme, on: datetime.date, reason: str) -> Programme:
    if not reason.strip():
        raise ValidationError({"discontinued_reason": "Say why the programme is discontinued."})
    if on < programme.adopted_on:
        raise ValidationError({"discontinued_on": "A programme cannot end before it was adopted."})
    if programme.status == ProgrammeStatus.DISCONTINUED:
        raise ValidationError("This programme is already discontinued.")
    PROGRAMME_WORKFLOW.move(
        programme,
        to=ProgrammeStatus.DISCONTINUED,
        actor=actor,
        comment=reason,
        fields={"discontinued_on": on, "discontinued_reason": reason, "updated_at": timezone.now()},
        summary=f"Discontinued programme {programme}",
        audit_changes={"reason": [None, reason]},
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
        offender=offender, programme=programme, status__in=OPEN_REFERRAL_STATUSES
    ).exists():
        raise ValidationError({"programme": "The offender already has an open referral to this programme."})
    referral = Referral(
        offender=offender, programme=programme, referred_on=referred_on, sentence=sentence, referred_by=actor
    )
    referral.full_clean()
    referral.save()
    REFERRAL_WORKFLOW.record_step(referral, from_status="", to=referral.status, actor=actor)
    audit_created(
        actor=actor,
        obj=referral,
        fields=("programme", "referred_on", "sentence"),
        summary=f"Referred {offender} to {programme}",
    )
    return referral


# What the offender's casenotes say when a referral moves on (seed 001: a casenote for every action
# related to the offender). Becoming "attending" needs none: the session attended is on the record.
REFERRAL_CASENOTES = {
    ReferralStatus.WAITING: "Placed on the waiting list for {programme}",
    ReferralStatus.ACCEPTED: "Accepted onto {programme}: place taken",
    ReferralStatus.COMPLETED: "Completed {programme}",
    ReferralStatus.NOT_COMPLETED: "Did not complete {programme}",
    ReferralStatus.WITHDRAWN: "Referral to {programme} withdrawn",
    ReferralStatus.DECLINED: "Referral to {programme} declined by the provider",
}


def _take_place(referral: Referral) -> None:
    """Issue 6: an accepted referral takes one of the programme's places. The programme's row is
    locked so that two people accepting at once cannot both take the last place, and the place goes
    to the referral that has waited longest."""
    programme = Programme.objects.select_for_update().get(pk=referral.programme_id)
    if programme.capacity is None:
        return
    taken = places_taken(programme)
    if taken >= programme.capacity:
        raise ValidationError(
            {
                "to_status": f"{programme.name} has no free place: all {programme.capacity} places are "
                "taken. Put the referral on the waiting list until a place comes free."
            }
        )
    first_waiting = (
        Referral.objects.filter(programme=programme, status=ReferralStatus.WAITING)
        .order_by("waitlisted_on", "id")
        .first()
    )
    if first_waiting is not None and first_waiting.pk != referral.pk:
        raise ValidationError(
            {
                "to_status": "Another referral has been on the waiting list since "
                f"{first_waiting.waitlisted_on:%-d %b %Y}: a free place goes to the first on the "
                "waiting list."
            }
        )


@transaction.atomic
def referral_transition(
    *,
    actor,
    referral: Referral,
    to_status: str,
    on: datetime.date,
    note: str = "",
    starts_on: datetime.date | None = None,
) -> Referral:
    current = (
        Referral.objects.select_for_update(of=("self",))
        .select_related("programme__agency", "offender")
        .get(pk=referral.pk)
    )
    if to_status not in REFERRAL_TRANSITIONS[current.status]:
        raise ValidationError(
            f"A referral that is {current.get_status_display().lower()} cannot become "
            f"{ReferralStatus(to_status).label.lower()}."
        )
    errors = {}
    if on < current.referred_on:
        errors["on"] = "The date cannot be before the referral."
    elif on > timezone.localdate():
        errors["on"] = "The date cannot be in the future."
    if to_status == ReferralStatus.NOT_COMPLETED and not note.strip():
        errors["note"] = "Say why the programme was not completed."
    if starts_on is not None and starts_on < on:
        errors["starts_on"] = "The start date cannot be before the place was taken."
    if errors:
        raise ValidationError(errors)
    changes: dict = {}
    fields: dict = {"status_changed_on": on, "outcome_note": note.strip()[:300]}
    if to_status in PLACE_STATUSES and current.status not in PLACE_STATUSES:
        _take_place(current)
        fields["accepted_on"] = on
        changes["accepted_on"] = [None, on.isoformat()]
    if to_status == ReferralStatus.WAITING:
        fields["waitlisted_on"] = on
    if starts_on is not None:
        fields["starts_on"] = starts_on
        changes["starts_on"] = [_iso(current.starts_on), starts_on.isoformat()]
    REFERRAL_WORKFLOW.move(
        current,
        to=to_status,
        actor=actor,
        comment=note.strip(),
        fields=fields,
        summary=f"Referral to {current.programme}: {ReferralStatus(to_status).label}",
        audit_changes=changes,
    )
    if to_status in REFERRAL_CASENOTES:
        summary = REFERRAL_CASENOTES[to_status].format(programme=current.programme.name)
        detail = [f"{summary} ({current.programme.agency.name}) on {on:%-d %b %Y}."]
        if starts_on is not None:
            detail.append(f"Starts on {starts_on:%-d %b %Y}.")
        if note.strip():
            detail.append(note.strip())
        system_casenote(
            offender=current.offender,
            sentence=current.sentence,
            actor=actor,
            summary=summary[:200],
            text=" ".join(detail),
        )
    from_status = current.status
    current.refresh_from_db()
    # Sentence plans follow their referrals (plans subscribes, in transaction).
    publish(
        ReferralStatusChanged(
            offender_id=current.offender_id,
            referral_id=current.pk,
            from_status=from_status,
            to_status=to_status,
            on=on,
        ),
        actor=actor,
    )
    return current


def _iso(day: datetime.date | None) -> str | None:
    return day.isoformat() if day else None


@transaction.atomic
def attendance_record(
    *,
    actor,
    referral: Referral,
    session_on: datetime.date,
    attended: bool,
    note: str = "",
    excused: bool = False,
) -> Attendance:
    """One session: attended, absent (say why) or absent and excused. The first session attended
    moves the referral to attending, which takes a place if it had none."""
    referral = (
        Referral.objects.select_for_update(of=("self",))
        .select_related("programme__agency", "offender")
        .get(pk=referral.pk)
    )
    if referral.status == ReferralStatus.WAITING:
        raise ValidationError("The referral is on the waiting list: accept it before recording sessions.")
    if referral.status not in ATTENDANCE_STATUSES:
        raise ValidationError("Attendance can only be recorded on an open referral.")
    errors = {}
    if session_on < referral.referred_on or session_on > timezone.localdate():
        errors["session_on"] = "The session must be between the referral and today."
    if attended and excused:
        errors["excused"] = "An offender who attended was not absent."
    if not attended and not note.strip():
        errors["note"] = "Say why the offender was absent."
    if errors:
        raise ValidationError(errors)
    attendance = Attendance(
        referral=referral,
        session_on=session_on,
        attended=attended,
        excused=excused and not attended,
        note=note.strip(),
        recorded_by=actor,
    )
    attendance.full_clean()
    attendance.save()
    if referral.status in (ReferralStatus.REFERRED, ReferralStatus.ACCEPTED) and attended:
        referral_transition(actor=actor, referral=referral, to_status=ReferralStatus.ATTENDING, on=session_on)
    audit_created(
        actor=actor,
        obj=attendance,
        fields=("session_on", "attended", "excused", "note"),
        summary=f"Recorded attendance at {referral.programme}",
    )
    if not attended and not excused:
        # A missed session is a matter of compliance the officers on the case need to see.
        system_casenote(
            offender=referral.offender,
            sentence=referral.sentence,
            actor=actor,
            summary=f"Absent from {referral.programme.name} on {session_on:%-d %b %Y}"[:200],
            text=f"Absent from the {session_on:%-d %b %Y} session of {referral.programme.name} "
            f"({referral.programme.agency.name}): {note.strip()}",
        )
    publish(
        ReferralAttendanceRecorded(
            offender_id=referral.offender_id,
            referral_id=referral.pk,
            session_on=session_on,
            attended=attended,
        ),
        actor=actor,
    )
    return attendance
