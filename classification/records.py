"""Writes to the prison records the review reads that change its schedule: escapes and attempted
escapes (seed 003, A.2.1) and incident reports. Each is audited, and refreshes the prisoner's
review schedule in the same transaction (a change of circumstances is due now; the rules are in
classification.schedule)."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from audit.services import audit_created
from classification.access import prison_office_ids, works_at_prison_of
from classification.models import CorrectionsActStatus, EscapeEvent, IncidentReport
from classification.schedule import schedule_refresh
from offenders.models import Flag, FlagKind, Offender
from offenders.services import flag_raise
from staff.access import office_id_of
from staff.roles import Role, has_role

PRISON_STAFF_ROLES = (Role.PRISON_OFFICER, Role.RECOMMENDING_OFFICER, Role.APPROVING_OFFICER)


def can_record_prison_records(actor, offender: Offender) -> bool:
    """Staff of the prison managing the sentence, system administrators, and the system itself
    (actor None: an interface or a task)."""
    if actor is None:
        return True
    if has_role(actor, Role.SYSTEM_ADMIN):
        return True
    return has_role(actor, *PRISON_STAFF_ROLES) and works_at_prison_of(actor, offender)


def _check(actor, offender: Offender, what: str) -> None:
    if not can_record_prison_records(actor, offender):
        raise PermissionDenied(f"Only staff of the prisoner's prison may record {what}.")


def _not_in_future(errors: dict, field: str, day: datetime.date | None, label: str) -> None:
    if day is not None and day > timezone.localdate():
        errors[field] = f"The {label} cannot be in the future."


@transaction.atomic
def escape_record(
    *,
    actor,
    offender: Offender,
    kind: str,
    custody: str,
    occurred_on: datetime.date,
    convicted_on: datetime.date | None = None,
    description: str = "",
) -> EscapeEvent:
    """Record an escape or attempted escape from prison or Police custody (seed 003, A.2.1; not a
    violation of a non-custodial sentence). Raises the escape alert if none is active: seed 003
    says escape alerts stay in the current view and are never deactivated, even on release
    (offenders.services.flag_end refuses to end one). Schedules a review now."""
    _check(actor, offender, "escapes")
    errors: dict[str, str] = {}
    _not_in_future(errors, "occurred_on", occurred_on, "date of the incident")
    _not_in_future(errors, "convicted_on", convicted_on, "date of conviction")
    if errors:
        raise ValidationError(errors)
    # One prisoner's escapes are recorded one at a time, so only one escape alert is raised.
    Offender.objects.select_for_update().filter(pk=offender.pk).first()
    escape = EscapeEvent(
        offender=offender,
        kind=kind,
        custody=custody,
        occurred_on=occurred_on,
        convicted_on=convicted_on,
        description=description.strip(),
    )
    escape.full_clean()
    escape.save()
    audit_created(
        actor=actor,
        obj=escape,
        fields=("kind", "custody", "occurred_on", "convicted_on", "description"),
        summary=f"Recorded {escape}",
    )
    if not Flag.objects.filter(offender=offender, kind=FlagKind.ESCAPE, ended_on__isnull=True).exists():
        flag_raise(actor=actor, offender=offender, kind=FlagKind.ESCAPE, reason=str(escape)[:300])
    schedule_refresh(offender_ids=[offender.pk])
    return escape


@transaction.atomic
def incident_record(
    *,
    actor,
    offender: Offender,
    occurred_on: datetime.date,
    incident_type: str,
    corrections_act: str = CorrectionsActStatus.NONE,
    drugs_related: bool = False,
    violence_related: bool = False,
    escape_related: bool = False,
    negative_attitude: bool = False,
    description: str = "",
    prison_id: int | None = None,
) -> IncidentReport:
    """Record an incident or misconduct report. The prisoner's schedule is refreshed every time;
    whether the report is a change of circumstances (violence, a Corrections Act charge) is
    classification.schedule's rule, not this service's. The prison defaults to the recording
    officer's, when it manages the prisoner's sentence, or to the one prison that does."""
    _check(actor, offender, "incident reports")
    errors: dict[str, str] = {}
    _not_in_future(errors, "occurred_on", occurred_on, "date of the incident")
    if errors:
        raise ValidationError(errors)
    prisons = prison_office_ids(offender)
    if prison_id is None:
        own = office_id_of(actor) if actor is not None else None
        prison_id = own if own in prisons else (next(iter(prisons)) if len(prisons) == 1 else None)
    incident = IncidentReport(
        offender=offender,
        prison_id=prison_id,
        occurred_on=occurred_on,
        incident_type=incident_type,
        corrections_act=corrections_act,
        drugs_related=drugs_related,
        violence_related=violence_related,
        escape_related=escape_related,
        negative_attitude=negative_attitude,
        description=description.strip(),
    )
    incident.full_clean()
    incident.save()
    audit_created(
        actor=actor,
        obj=incident,
        fields=(
            "occurred_on",
            "incident_type",
            "corrections_act",
            "drugs_related",
            "violence_related",
            "escape_related",
            "negative_attitude",
            "description",
        ),
        summary=f"Recorded incident report: {incident}",
    )
    schedule_refresh(offender_ids=[offender.pk])
    return incident
