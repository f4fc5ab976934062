"""Writes to the prison records the Review Security Classification reads (seed 003: "IOMS is used as
the principal source for information required for this form"): escapes and attempted escapes
(A.2.1), incident and misconduct reports (A.4.3-A.4.6, A.5), At Risk alerts and health stability
assessments (A.3.1), removal, deportation and extradition orders (B.3.2), information from Police
or Crime Prevention (B.4.3), and the initial classification at reception.

Who may write them: staff of the prison managing the prisoner's sentence and system administrators
(`can_record_prison_records`). Each service checks that first, refuses bad input with a message per
field (nothing changed), writes the record and its audit row, and publishes PrisonRecordChanged in
the same transaction. Its subscribers (ioms/subscribers.py) write the prisoner's system casenote and
refresh the review schedule after the commit: seed 003 wants a review "whenever there is a
significant change in the prisoner's circumstances", and which records are one is
classification.schedule's rule, not these services'.

A record is put right with `prison_record_correct` (the fields it may change are in RECORD_KINDS),
always with a reason. Classifications are never edited: a wrong one is superseded by a review."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone

from audit.records import record_update, record_validate
from audit.services import audit_created
from classification.access import prison_office_ids, works_at_prison_of
from classification.models import (
    AtRiskAlert,
    ClassificationKind,
    CorrectionsActStatus,
    EscapeEvent,
    HealthStabilityAssessment,
    IncidentReport,
    PoliceInformation,
    RemovalOrder,
    SecurityClassification,
    Stability,
)
from classification.services import security_classification_record
from events.domain import PrisonRecordChanged, publish
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


# --- what a record says, in words -------------------------------------------------------------


def day_label(day: datetime.date | None) -> str:
    return "" if day is None else f"{day.day} {day:%b %Y}"


def field_shown(record: models.Model, name: str) -> str:
    field = record._meta.get_field(name)
    value = getattr(record, name)
    if field.choices:
        return str(getattr(record, f"get_{name}_display")())
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime.date):
        return day_label(value)
    return "—" if value in (None, "") else str(value)


def field_label(record: models.Model, name: str) -> str:
    label = str(record._meta.get_field(name).verbose_name)
    return label[0].upper() + label[1:]


SENSITIVE_DETAIL = (
    "The details are on the prisoner's prison records, which the staff of the prisoner's prison can see."
)


def _detail(record: models.Model, fields: tuple[str, ...]) -> str:
    """One line per field, by its label: the casenote's text (none for a sensitive kind)."""
    kind = KIND_OF_MODEL.get(type(record))
    if kind is not None and kind.sensitive:
        return SENSITIVE_DETAIL
    return "\n".join(f"{field_label(record, name)}: {field_shown(record, name)}" for name in fields)


def _publish(record: models.Model, *, actor, action: str, summary: str, detail: str) -> None:
    publish(
        PrisonRecordChanged(
            offender_id=record.offender_id,
            record_label=record._meta.label,
            record_id=record.pk,
            action=action,
            summary=summary,
            detail=detail,
        ),
        actor=actor,
        records=[record.offender],
    )


# --- the rules each kind of record keeps (on recording and on correcting) ------------------------


def _not_in_future(errors: dict, values: dict[str, Any], labels: dict[str, str]) -> None:
    today = timezone.localdate()
    for name, label in labels.items():
        day = values.get(name)
        if isinstance(day, datetime.date) and day > today:
            errors.setdefault(name, f"The {label} cannot be in the future.")


def _not_before(errors: dict, values: dict, later: str, earlier: str, message: str) -> None:
    if values.get(later) is not None and values.get(earlier) is not None and values[later] < values[earlier]:
        errors.setdefault(later, message)


def _escape_errors(values: dict) -> dict[str, str]:
    errors: dict[str, str] = {}
    _not_in_future(
        errors, values, {"occurred_on": "date of the incident", "convicted_on": "date of conviction"}
    )
    _not_before(errors, values, "convicted_on", "occurred_on", "The conviction cannot be before the escape.")
    return errors


def _incident_errors(values: dict) -> dict[str, str]:
    """Seed 003, A.4.3/A.4.4 count charges and convictions under the Corrections Act by the day the
    charge was laid and the day it was proven: a charged report needs the first, a proven one both,
    one not charged neither."""
    errors: dict[str, str] = {}
    _not_in_future(
        errors,
        values,
        {
            "occurred_on": "date of the incident",
            "charge_laid_on": "date the charge was laid",
            "proven_on": "date the charge was proven",
        },
    )
    status = values.get("corrections_act")
    laid, proven = values.get("charge_laid_on"), values.get("proven_on")
    if status == CorrectionsActStatus.NONE:
        if laid is not None:
            errors.setdefault("charge_laid_on", "Leave this blank: the prisoner was not charged.")
        if proven is not None:
            errors.setdefault("proven_on", "Leave this blank: the prisoner was not charged.")
    elif status in (CorrectionsActStatus.CHARGED, CorrectionsActStatus.PROVEN):
        if laid is None:
            errors.setdefault("charge_laid_on", "Enter the date the misconduct charge was laid.")
        if status == CorrectionsActStatus.PROVEN and proven is None:
            errors.setdefault("proven_on", "Enter the date the charge was proven.")
        if status == CorrectionsActStatus.CHARGED and proven is not None:
            errors.setdefault("proven_on", "Leave this blank until the charge is proven.")
    _not_before(
        errors, values, "charge_laid_on", "occurred_on", "The charge cannot be laid before the incident."
    )
    _not_before(
        errors, values, "proven_on", "charge_laid_on", "The charge cannot be proven before it was laid."
    )
    return errors


def _at_risk_errors(values: dict) -> dict[str, str]:
    errors: dict[str, str] = {}
    _not_in_future(
        errors, values, {"raised_on": "date the alert was raised", "ended_on": "date the alert ended"}
    )
    _not_before(errors, values, "ended_on", "raised_on", "The alert cannot end before it was raised.")
    return errors


def _stability_errors(values: dict) -> dict[str, str]:
    errors: dict[str, str] = {}
    _not_in_future(errors, values, {"assessed_on": "date of the assessment"})
    # Seed 003, A.3.1: "U (Unstable) is used ONLY if medical opinion indicates the prisoner poses a
    # risk. In all other situations, S (Stable) is used."
    if values.get("stability") == Stability.UNSTABLE and not values.get("medical_opinion"):
        errors.setdefault(
            "stability",
            "Unstable is used only when a medical opinion says the prisoner poses a risk; "
            "otherwise the prisoner is Stable.",
        )
    return errors


def _removal_errors(values: dict) -> dict[str, str]:
    errors: dict[str, str] = {}
    _not_in_future(errors, values, {"made_on": "date the order was made", "revoked_on": "date of revocation"})
    _not_before(errors, values, "revoked_on", "made_on", "The order cannot be revoked before it was made.")
    return errors


def _police_errors(values: dict) -> dict[str, str]:
    errors: dict[str, str] = {}
    _not_in_future(errors, values, {"received_on": "date the information was received"})
    return errors


# --- the kinds of record --------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordKind:
    """One kind of prison record: what pages, the API and the correction service share."""

    slug: str  # in URLs: /classification/prisoners/<id>/records/<slug>/
    model: type[models.Model]
    noun: str  # "incident or misconduct report"
    title: str  # the list's heading: "Incident and misconduct reports"
    record_verb: str  # the link that records one: "Record an incident or misconduct report"
    sources: str  # seed 003's sources for the items that read it
    items: str  # the form's items that read it
    fields: tuple[str, ...]  # recorded and corrected (the end date of an alert or order too)
    errors: Callable[[dict], dict[str, str]]
    date_field: str  # the record's own date, listed first
    end_field: str = ""  # an alert ended, an order revoked
    end_verb: str = ""
    # Health and intelligence records: their casenote (readable by every member of staff who may
    # see the offender) says only what was recorded, never the values, notes or reasons; those stay
    # on the prison records page, for the prisoner's prison staff.
    sensitive: bool = False
    # Shown only to those who may record the kind (the prisoner's prison staff): the source of
    # Police information (seed 003, B.4.3), Health Services' note, the reason for an At Risk alert.
    private_fields: tuple[str, ...] = ()


RECORD_KINDS: dict[str, RecordKind] = {
    kind.slug: kind
    for kind in (
        RecordKind(
            slug="incidents",
            model=IncidentReport,
            noun="incident or misconduct report",
            title="Incident and misconduct reports",
            record_verb="Record an incident or misconduct report",
            sources="IOMS Incident Reports, Misconduct Reports",
            items="A.4.3 to A.4.6 and A.5",
            fields=(
                "occurred_on",
                "incident_type",
                "corrections_act",
                "charge_laid_on",
                "proven_on",
                "drugs_related",
                "violence_related",
                "escape_related",
                "negative_attitude",
                "description",
            ),
            errors=_incident_errors,
            date_field="occurred_on",
        ),
        RecordKind(
            slug="escapes",
            model=EscapeEvent,
            noun="escape or attempted escape",
            title="Escapes and attempted escapes",
            record_verb="Record an escape or attempted escape",
            sources="IOMS Incident Reports, IOMS Criminal and Traffic Conviction History",
            items="A.2.1 and B.2.1",
            fields=("kind", "custody", "occurred_on", "convicted_on", "description"),
            errors=_escape_errors,
            date_field="occurred_on",
        ),
        RecordKind(
            slug="at-risk-alerts",
            sensitive=True,
            private_fields=("reason",),
            model=AtRiskAlert,
            noun="At Risk alert",
            title="At Risk alerts",
            record_verb="Raise an At Risk alert",
            sources="Penal file, IOMS Alerts and At Risk Assessments",
            items="A.3.1",
            fields=("raised_on", "reason", "ended_on"),
            errors=_at_risk_errors,
            date_field="raised_on",
            end_field="ended_on",
            end_verb="End the alert",
        ),
        RecordKind(
            slug="stability-assessments",
            sensitive=True,
            private_fields=("note",),
            model=HealthStabilityAssessment,
            noun="health stability assessment",
            title="Health stability assessments",
            record_verb="Record a health stability assessment",
            sources="Penal file, IOMS Alerts and At Risk Assessments, Health Services",
            items="A.3.1",
            fields=("assessed_on", "stability", "medical_opinion", "note"),
            errors=_stability_errors,
            date_field="assessed_on",
        ),
        RecordKind(
            slug="removal-orders",
            model=RemovalOrder,
            noun="removal, deportation or extradition order",
            title="Removal, deportation and extradition orders",
            record_verb="Record a removal, deportation or extradition order",
            sources="IOMS Alert, Penal file",
            items="B.3.2",
            fields=("kind", "made_on", "revoked_on"),
            errors=_removal_errors,
            date_field="made_on",
            end_field="revoked_on",
            end_verb="Record that the order was revoked",
        ),
        RecordKind(
            slug="police-information",
            sensitive=True,
            private_fields=("source",),
            model=PoliceInformation,
            noun="information from Police or Crime Prevention",
            title="Information from Police or Crime Prevention",
            record_verb="Record information from Police or Crime Prevention",
            sources="Information from Police, Information from Crime Prevention",
            items="B.4.3",
            fields=("source", "level", "received_on"),
            errors=_police_errors,
            date_field="received_on",
        ),
    )
}
KIND_OF_MODEL: dict[type[models.Model], RecordKind] = {kind.model: kind for kind in RECORD_KINDS.values()}


def _create(
    *, actor, kind: RecordKind, offender: Offender, values: dict[str, Any], summary: str, detail_fields=None
) -> models.Model:
    """Validate (the kind's rules, then the model's), save, audit and publish one new record."""
    errors = kind.errors(values)
    if errors:
        raise ValidationError(errors)
    record = kind.model(offender=offender, **values)
    record_validate(record)
    record.save()
    fields = tuple(values)
    audit_created(actor=actor, obj=record, fields=fields, summary=f"Recorded {kind.noun}: {record}")
    _publish(
        record,
        actor=actor,
        action=PrisonRecordChanged.RECORDED,
        summary=summary,
        detail=_detail(record, detail_fields or fields),
    )
    return record


# --- recording each kind -------------------------------------------------------------------------


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
    (offenders.services.flag_end refuses to end one)."""
    _check(actor, offender, "escapes")
    # One prisoner's escapes are recorded one at a time, so only one escape alert is raised.
    Offender.objects.select_for_update().filter(pk=offender.pk).first()
    values = {
        "kind": kind,
        "custody": custody,
        "occurred_on": occurred_on,
        "convicted_on": convicted_on,
        "description": description.strip(),
    }
    escape = EscapeEvent(offender=offender, **values)
    summary = (
        f"{escape.get_kind_display()} from {escape.get_custody_display().lower()} on {day_label(occurred_on)}"
    )
    escape = _create(
        actor=actor,
        kind=RECORD_KINDS["escapes"],
        offender=offender,
        values=values,
        summary=f"{summary} recorded",
    )
    if not Flag.objects.filter(offender=offender, kind=FlagKind.ESCAPE, ended_on__isnull=True).exists():
        flag_raise(actor=actor, offender=offender, kind=FlagKind.ESCAPE, reason=str(escape)[:300])
    return escape


@transaction.atomic
def incident_record(
    *,
    actor,
    offender: Offender,
    occurred_on: datetime.date,
    incident_type: str,
    corrections_act: str = CorrectionsActStatus.NONE,
    charge_laid_on: datetime.date | None = None,
    proven_on: datetime.date | None = None,
    drugs_related: bool = False,
    violence_related: bool = False,
    escape_related: bool = False,
    negative_attitude: bool = False,
    description: str = "",
    prison_id: int | None = None,
) -> IncidentReport:
    """Record an incident or misconduct report, with the dates a Corrections Act charge was laid and
    proven (seed 003, A.4.3/A.4.4). The prison defaults to the recording officer's, when it manages
    the prisoner's sentence, or to the one prison that does."""
    _check(actor, offender, "incident reports")
    if prison_id is None:
        prisons = prison_office_ids(offender)
        own = office_id_of(actor) if actor is not None else None
        prison_id = own if own in prisons else (next(iter(prisons)) if len(prisons) == 1 else None)
    values = {
        "occurred_on": occurred_on,
        "incident_type": incident_type,
        "corrections_act": corrections_act,
        "charge_laid_on": charge_laid_on,
        "proven_on": proven_on,
        "drugs_related": drugs_related,
        "violence_related": violence_related,
        "escape_related": escape_related,
        "negative_attitude": negative_attitude,
        "description": description.strip(),
    }
    kind = RECORD_KINDS["incidents"]
    probe = IncidentReport(**values)
    return _create(
        actor=actor,
        kind=kind,
        offender=offender,
        values={**values, "prison_id": prison_id},
        summary=(
            f"Incident report ({probe.get_incident_type_display().lower()}) "
            f"on {day_label(occurred_on)} recorded"
        ),
        detail_fields=kind.fields,
    )


@transaction.atomic
def at_risk_alert_raise(
    *, actor, offender: Offender, raised_on: datetime.date, reason: str = ""
) -> AtRiskAlert:
    """Seed 003, A.3.1: an At Risk alert calls for Health Services' assessment of the prisoner's
    mental stability."""
    _check(actor, offender, "At Risk alerts")
    return _create(
        actor=actor,
        kind=RECORD_KINDS["at-risk-alerts"],
        offender=offender,
        values={"raised_on": raised_on, "reason": reason.strip()},
        summary=f"At Risk alert raised on {day_label(raised_on)} recorded",
    )


@transaction.atomic
def at_risk_alert_end(*, actor, alert: AtRiskAlert, ended_on: datetime.date) -> AtRiskAlert:
    _check(actor, alert.offender, "At Risk alerts")
    alert = AtRiskAlert.objects.select_for_update().select_related("offender").get(pk=alert.pk)
    if alert.ended_on is not None:
        raise ValidationError({"ended_on": f"This alert already ended on {day_label(alert.ended_on)}."})
    return _end(
        actor=actor,
        kind=RECORD_KINDS["at-risk-alerts"],
        record=alert,
        day=ended_on,
        summary="At Risk alert ended",
    )


@transaction.atomic
def stability_assessment_record(
    *,
    actor,
    offender: Offender,
    assessed_on: datetime.date,
    stability: str,
    medical_opinion: bool = False,
    note: str = "",
) -> HealthStabilityAssessment:
    """Health Services' assessment of the prisoner's mental stability (seed 003, A.3.1): U only
    with a medical opinion that the prisoner poses a risk."""
    _check(actor, offender, "health stability assessments")
    values = {
        "assessed_on": assessed_on,
        "stability": stability,
        "medical_opinion": medical_opinion,
        "note": note.strip(),
    }
    return _create(
        actor=actor,
        kind=RECORD_KINDS["stability-assessments"],
        offender=offender,
        values=values,
        summary=f"Health stability assessment of {day_label(assessed_on)} recorded",
    )


@transaction.atomic
def removal_order_record(*, actor, offender: Offender, kind: str, made_on: datetime.date) -> RemovalOrder:
    """Seed 003, B.3.2: a removal, deportation or extradition order."""
    _check(actor, offender, "removal, deportation or extradition orders")
    order = RemovalOrder(kind=kind)
    return _create(
        actor=actor,
        kind=RECORD_KINDS["removal-orders"],
        offender=offender,
        values={"kind": kind, "made_on": made_on},
        summary=f"{order.get_kind_display()} made on {day_label(made_on)} recorded",
    )


@transaction.atomic
def removal_order_revoke(*, actor, order: RemovalOrder, revoked_on: datetime.date) -> RemovalOrder:
    _check(actor, order.offender, "removal, deportation or extradition orders")
    order = RemovalOrder.objects.select_for_update().select_related("offender").get(pk=order.pk)
    if order.revoked_on is not None:
        raise ValidationError(
            {"revoked_on": f"This order was already revoked on {day_label(order.revoked_on)}."}
        )
    return _end(
        actor=actor,
        kind=RECORD_KINDS["removal-orders"],
        record=order,
        day=revoked_on,
        summary=f"{order.get_kind_display()} revoked",
    )


@transaction.atomic
def police_information_record(
    *,
    actor,
    offender: Offender,
    level: str,
    received_on: datetime.date,
    source: str = PoliceInformation.Source.POLICE,
) -> PoliceInformation:
    """Seed 003, B.4.3: information from Police or Crime Prevention, recorded as the level of
    concern it raises. The form "will not contain details of the source or the information": the
    casenote says only that information was received and its level."""
    _check(actor, offender, "information from Police")
    return _create(
        actor=actor,
        kind=RECORD_KINDS["police-information"],
        offender=offender,
        values={"source": source, "level": level, "received_on": received_on},
        summary=f"Information from other sources received on {day_label(received_on)} recorded",
        detail_fields=("level", "received_on"),
    )


def _end(*, actor, kind: RecordKind, record: models.Model, day: datetime.date, summary: str) -> models.Model:
    values = {name: getattr(record, name) for name in kind.fields}
    values[kind.end_field] = day
    errors = {name: message for name, message in kind.errors(values).items() if name == kind.end_field}
    if errors:
        raise ValidationError(errors)
    record_update(
        actor=actor, instance=record, data={kind.end_field: day}, summary=f"{summary} on {day_label(day)}"
    )
    _publish(
        record,
        actor=actor,
        action=PrisonRecordChanged.ENDED,
        summary=f"{summary} on {day_label(day)}",
        detail=_detail(record, kind.fields),
    )
    return record


# slug -> the service that records one (keyword arguments: the form's fields)
RECORD_SERVICES = {
    "incidents": incident_record,
    "escapes": escape_record,
    "at-risk-alerts": at_risk_alert_raise,
    "stability-assessments": stability_assessment_record,
    "removal-orders": removal_order_record,
    "police-information": police_information_record,
}
# slug -> (the service that ends one, its keyword for the record)
END_SERVICES = {
    "at-risk-alerts": (at_risk_alert_end, "alert"),
    "removal-orders": (removal_order_revoke, "order"),
}


# --- the initial classification at reception ------------------------------------------------------


@transaction.atomic
def initial_classification_record(
    *,
    actor,
    offender: Offender,
    internal_category: str,
    external_category: str,
    effective_on: datetime.date,
    reason: str = "",
) -> SecurityClassification:
    """The prisoner's first classification, at reception. Seed 003: the review form "must not be
    used for an initial classification", so this is its own record; once the prisoner has a
    classification, a review is the way to change it."""
    _check(actor, offender, "an initial classification")
    Offender.objects.select_for_update().filter(pk=offender.pk).first()
    if SecurityClassification.objects.filter(offender=offender).exists():
        raise ValidationError(
            "This prisoner already has a security classification: start a review to change it."
        )
    errors: dict[str, str] = {}
    _not_in_future(errors, {"effective_on": effective_on}, {"effective_on": "date it takes effect"})
    if errors:
        raise ValidationError(errors)
    classification = security_classification_record(
        actor=actor,
        offender=offender,
        kind=ClassificationKind.INITIAL,
        internal_category=internal_category,
        external_category=external_category,
        effective_on=effective_on,
        reason=reason.strip(),
    )
    _publish(
        classification,
        actor=actor,
        action=PrisonRecordChanged.RECORDED,
        summary=f"Initial security classification from {day_label(effective_on)} recorded",
        detail=_detail(classification, ("internal_category", "external_category", "effective_on", "reason")),
    )
    return classification


# --- correcting a record ---------------------------------------------------------------------------


@transaction.atomic
def prison_record_correct(
    *, actor, record: models.Model, changes: dict[str, Any], reason: str
) -> dict[str, list]:
    """Put right the fields of a prison record (those its kind lists in RECORD_KINDS), with the
    reason. Returns {field: [old, new]}; nothing is written when nothing changed. The kind's rules
    are checked on the record as it would be, so a correction cannot leave it inconsistent."""
    kind = KIND_OF_MODEL.get(type(record))
    if kind is None:
        raise ValueError(f"{record._meta.label} is not a prison record that can be corrected.")
    _check(actor, record.offender, kind.title[0].lower() + kind.title[1:])
    record = kind.model.objects.select_for_update().select_related("offender").get(pk=record.pk)
    unknown = sorted(set(changes) - set(kind.fields))
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "This field cannot be corrected."))
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the record is being corrected."})
    values = {name: getattr(record, name) for name in kind.fields}
    values.update(changes)
    errors = kind.errors(values)
    if errors:
        raise ValidationError(errors)
    made = record_update(
        actor=actor,
        instance=record,
        data=dict(changes),
        summary=f"Corrected {kind.noun} {record}: {reason}"[:300],
    )
    if not made:
        return made
    if kind.sensitive:
        corrected = ", ".join(field_label(record, name).lower() for name in made)
        lines = [f"Corrected: {corrected}.", SENSITIVE_DETAIL]
        reason_line = []  # the reason may repeat the details: it stays in the audit trail
    else:
        lines = [
            f"{field_label(record, name)}: {_plain(record, name, old)} → {field_shown(record, name)}"
            for name, (old, _) in made.items()
        ]
        reason_line = [f"Reason: {reason}"]
    _publish(
        record,
        actor=actor,
        action=PrisonRecordChanged.CORRECTED,
        summary=f"{kind.noun[0].upper()}{kind.noun[1:]} of {day_label(getattr(record, kind.date_field))} "
        "corrected",
        detail="\n".join([*lines, *reason_line]),
    )
    return made


def _plain(record: models.Model, name: str, old: Any) -> str:
    """A value as the audit snapshot holds it (dates as ISO text), shown as the record shows it."""
    field = record._meta.get_field(name)
    if old in (None, ""):
        return "—"
    if field.choices:
        return str(dict(field.flatchoices).get(old, old))
    if isinstance(old, bool):
        return "Yes" if old else "No"
    if isinstance(field, models.DateField):
        return day_label(datetime.date.fromisoformat(str(old)))
    return str(old)
