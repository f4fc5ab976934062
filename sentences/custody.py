"""Custody: where a person serving imprisonment is held, recorded by movements (docs/custody.md).

A reception into a prison, a transfer between prisons and a release with its reason are each one
CustodyMovement row; CustodyStatus keeps the latest beside it, so that a list asks "in custody?" by
key. A release never ends the sentence of imprisonment: parole and release on conditions are part
of it (Parole Act 2002), and the sentence completes at its expiry as before. What other apps do
about a movement (the casenote, the review schedule) they subscribe to CustodyMovementRecorded.

The writes and the reads of custody are kept in this module rather than in services.py and
selectors.py: they are one small record of their own, and services.py is already long."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from audit.actors import actor_user
from audit.services import audit_created
from events.domain import CustodyMovementRecorded, publish
from ioms.transactions import atomic_service
from offenders.models import Offender
from sentences.access import can_record_custody
from sentences.models import (
    CustodyMovement,
    CustodyMovementKind,
    CustodyStatus,
    ReleaseReason,
    Sentence,
    SentenceType,
)
from staff.models import Office, OfficeKind

# A release on these needs the order it rests on named.
DETAIL_REQUIRED = frozenset({ReleaseReason.COURT_ORDER, ReleaseReason.DEPORTATION})
REFUSED = (
    "Only prison staff of the prison managing this person's sentence, or a system administrator, "
    "may record their custody."
)


# --- reads ---------------------------------------------------------------------------------------


def custody_status_of(offender_id: int) -> CustodyStatus | None:
    """The person's custody now (None: never held since movements were recorded). One query."""
    return CustodyStatus.objects.select_related("prison", "movement").filter(offender_id=offender_id).first()


def custody_movements_of(offender_id: int) -> list[CustodyMovement]:
    """Every movement of the person, latest first. One query."""
    return list(
        CustodyMovement.objects.filter(offender_id=offender_id).select_related("prison", "recorded_by")
    )


def in_custody_q(offender_id: str = "offender_id") -> Q:
    """A filter for querysets of rows naming an offender (`offender_id`, or "pk" for offenders):
    only people in custody now. An EXISTS on the custody status's primary key: one index probe a
    row, no extra query."""
    return Q(Exists(CustodyStatus.objects.filter(offender_id=OuterRef(offender_id), in_custody=True)))


def in_custody_ids():
    """The people in custody now, as a subquery (`offender_id__in=in_custody_ids()`)."""
    return CustodyStatus.objects.in_custody().values("offender_id")


def receiving_prisons(offender: Offender) -> list[Office]:
    """The prisons a reception may be recorded into: those managing a current sentence of
    imprisonment (one query)."""
    return list(
        Office.objects.filter(
            kind=OfficeKind.PRISON,
            pk__in=Sentence.objects.current()
            .filter(offender=offender, sentence_type=SentenceType.IMPRISONMENT)
            .values("managing_office_id"),
        ).order_by("name")
    )


# --- writes --------------------------------------------------------------------------------------


def _day(on: datetime.date) -> str:
    return f"{on.day} {on:%b %Y}"


def _checked(*, actor, offender: Offender, occurred_on: datetime.date) -> CustodyStatus | None:
    """The permission check and the checks every movement shares; the person's status row locked,
    so that of two movements recorded at once the second sees the first."""
    if not can_record_custody(actor, offender):
        raise PermissionDenied(REFUSED)
    if occurred_on > timezone.localdate():
        raise ValidationError({"occurred_on": "A movement cannot be recorded in the future."})
    status = CustodyStatus.objects.select_for_update().filter(offender=offender).first()
    if status is not None and occurred_on < status.since:
        raise ValidationError(
            {"occurred_on": f"The date cannot be before the last movement, on {_day(status.since)}."}
        )
    return status


def _record(
    *,
    actor,
    offender: Offender,
    status: CustodyStatus | None,
    kind: str,
    prison: Office,
    occurred_on: datetime.date,
    release_reason: str = "",
    detail: str = "",
    summary: str,
    source: str = CustodyMovement.Source.PERSON,
) -> CustodyMovement:
    movement = CustodyMovement.objects.create(
        offender=offender,
        kind=kind,
        prison=prison,
        occurred_on=occurred_on,
        release_reason=release_reason,
        detail=detail,
        source=source,
        recorded_by=actor_user(actor),
    )
    held = kind != CustodyMovementKind.RELEASED
    if status is None:
        CustodyStatus.objects.create(
            offender=offender, in_custody=held, prison=prison, since=occurred_on, movement=movement
        )
    else:
        status.in_custody, status.prison, status.since, status.movement = held, prison, occurred_on, movement
        status.save(update_fields=["in_custody", "prison", "since", "movement"])
    audit_created(
        actor=actor,
        obj=movement,
        fields=("kind", "prison", "occurred_on", "release_reason", "detail"),
        summary=summary,
    )
    publish(
        CustodyMovementRecorded(
            offender_id=offender.pk,
            movement_id=movement.pk,
            kind=kind,
            prison_id=prison.pk,
            occurred_on=occurred_on,
            release_reason=release_reason,
            summary=summary,
            detail=detail,
        ),
        actor=actor,
        records=(offender,),
    )
    return movement


@atomic_service
def custody_receive(
    *, actor, offender: Offender, prison: Office, occurred_on: datetime.date, detail: str = ""
) -> CustodyMovement:
    """A reception into a prison: on a new sentence of imprisonment, or back after a release (a
    recall). The prison must manage one of the person's current sentences of imprisonment."""
    status = _checked(actor=actor, offender=offender, occurred_on=occurred_on)
    if status is not None and status.in_custody:
        raise ValidationError(f"{offender.full_name} is already in custody at {status.prison.name}.")
    if prison.pk not in {office.pk for office in receiving_prisons(offender)}:
        raise ValidationError(
            {"prison": "Choose the prison managing one of this person's current sentences of imprisonment."}
        )
    return _record(
        actor=actor,
        offender=offender,
        status=status,
        kind=CustodyMovementKind.RECEIVED,
        prison=prison,
        occurred_on=occurred_on,
        detail=detail.strip(),
        summary=f"Received into {prison.name} on {_day(occurred_on)}",
    )


@atomic_service
def custody_release(
    *, actor, offender: Offender, reason: str, occurred_on: datetime.date, detail: str = ""
) -> CustodyMovement:
    """A release from the prison holding the person, with its reason. The sentence goes on: a
    parole or post-release period is part of it."""
    if reason not in ReleaseReason.values:
        raise ValidationError({"reason": "Choose why the person was released."})
    status = _checked(actor=actor, offender=offender, occurred_on=occurred_on)
    if status is None or not status.in_custody:
        raise ValidationError(f"{offender.full_name} is not in custody: there is no release to record.")
    if reason in DETAIL_REQUIRED and not detail.strip():
        raise ValidationError(
            {"detail": "Say what the release rests on: the court's order or the deportation order."}
        )
    label = ReleaseReason(reason).label
    return _record(
        actor=actor,
        offender=offender,
        status=status,
        kind=CustodyMovementKind.RELEASED,
        prison=status.prison,
        occurred_on=occurred_on,
        release_reason=reason,
        detail=detail.strip(),
        summary=f"{label} from {status.prison.name} on {_day(occurred_on)}",
    )


@atomic_service
def custody_transfer(
    *, actor, offender: Offender, prison: Office, occurred_on: datetime.date, detail: str = ""
) -> CustodyMovement:
    """A transfer from the prison holding the person to another. The sentence's managing office is
    changed apart (sentences.services.sentence_update), as a transfer of office is today."""
    status = _checked(actor=actor, offender=offender, occurred_on=occurred_on)
    if status is None or not status.in_custody:
        raise ValidationError(f"{offender.full_name} is not in custody: record a reception instead.")
    if prison.kind != OfficeKind.PRISON or prison.closed_on is not None:
        raise ValidationError({"prison": "Choose an open prison."})
    if prison.pk == status.prison_id:
        raise ValidationError({"prison": f"{offender.full_name} is already held at {prison.name}."})
    return _record(
        actor=actor,
        offender=offender,
        status=status,
        kind=CustodyMovementKind.TRANSFERRED,
        prison=prison,
        occurred_on=occurred_on,
        detail=detail.strip(),
        summary=f"Transferred from {status.prison.name} to {prison.name} on {_day(occurred_on)}",
    )


def custody_receive_on_sentence(*, actor, sentence: Sentence, on: datetime.date) -> CustodyMovement | None:
    """A sentence of imprisonment in force (recorded as started, or commenced) takes the person into
    custody at its managing prison, unless they are held already: the court's warrant is the
    reception's authority, whoever recorded the sentence (the court interface, administrative
    support). Called by sentences.services inside its transaction; a release is never inferred
    this way."""
    prison = sentence.managing_office
    if sentence.sentence_type != SentenceType.IMPRISONMENT:
        return None
    if prison is None or prison.kind != OfficeKind.PRISON:
        return None
    status = CustodyStatus.objects.select_for_update().filter(offender_id=sentence.offender_id).first()
    if status is not None and status.in_custody:
        return None
    occurred_on = max(on, status.since) if status is not None else on
    return _record(
        actor=actor,
        offender=sentence.offender,
        status=status,
        kind=CustodyMovementKind.RECEIVED,
        prison=prison,
        occurred_on=occurred_on,
        detail=f"On the {sentence} ordered by {sentence.court.name}",
        summary=f"Received into {prison.name} on {_day(occurred_on)}",
        source=CustodyMovement.Source.SYSTEM,
    )
