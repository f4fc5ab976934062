"""Casenotes are appended, never edited: `casenote_amend` appends a correction."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from audit.actors import actor_user
from audit.records import record_validate
from audit.services import audit_created, batch_insert
from casenotes.models import Casenote, CasenoteType
from ioms.transactions import atomic_service

NOTE_FIELDS = ("note_type", "contact_on", "summary", "sentence", "sensitive")


# Types only the portal itself writes (system actions, allocations); staff write the others.
GENERATED_NOTE_TYPES = frozenset({CasenoteType.SYSTEM, CasenoteType.ALLOCATION})
EARLIEST_CONTACT = datetime.datetime(1900, 1, 1, tzinfo=datetime.UTC)


@transaction.atomic
def casenote_create(
    *,
    actor,
    offender,
    summary: str,
    text: str,
    note_type: str = CasenoteType.CONTACT,
    contact_on: datetime.datetime | None = None,
    sentence=None,
    sensitive: bool = False,
) -> Casenote:
    """A casenote written by a member of staff."""
    if note_type in GENERATED_NOTE_TYPES:
        raise ValidationError({"note_type": "System and allocation notes are written by the portal itself."})
    return _casenote_write(
        actor=actor,
        offender=offender,
        summary=summary,
        text=text,
        note_type=note_type,
        contact_on=contact_on,
        sentence=sentence,
        sensitive=sensitive,
    )


def _casenote_write(
    *,
    actor,
    offender,
    summary: str,
    text: str,
    note_type: str,
    contact_on: datetime.datetime | None = None,
    sentence=None,
    sensitive: bool = False,
    deferred: bool = False,
) -> Casenote:
    if sensitive and actor is not None and not actor.has_perm("casenotes.view_sensitive_casenote"):
        raise PermissionDenied("You may not write sensitive casenotes.")
    contact_on = contact_on or timezone.now()
    if contact_on > timezone.now() + datetime.timedelta(minutes=5):
        raise ValidationError(
            {"contact_on": "A casenote records what has happened: the time cannot be in the future."}
        )
    if contact_on < EARLIEST_CONTACT or contact_on.date() < offender.date_of_birth:
        raise ValidationError({"contact_on": "The time cannot be before the offender was born."})
    note = Casenote(
        offender=offender,
        sentence=sentence,
        note_type=note_type,
        contact_on=contact_on,
        summary=summary.strip(),
        text=text.strip(),
        sensitive=sensitive,
        author=actor_user(actor),
    )
    record_validate(note)
    if deferred:
        # A generated note nobody reads back in the transaction: with a court batch's other rows.
        batch_insert(note)
    else:
        note.save(force_insert=True)
    audit_created(actor=actor, obj=note, fields=NOTE_FIELDS, summary=f"Added casenote to {offender}")
    return note


@atomic_service
def system_casenote(
    *, offender, summary: str, text: str, sentence=None, actor=None, note_type: str = CasenoteType.SYSTEM
) -> Casenote:
    """Every action the system takes on a record leaves a casenote (seed 001: casenotes for every
    contact with / action related to the offender). `note_type` is SYSTEM or ALLOCATION."""
    if note_type not in GENERATED_NOTE_TYPES:
        raise ValueError(f"system_casenote writes generated notes only, not {note_type!r}")
    return _casenote_write(
        actor=actor,
        offender=offender,
        summary=summary,
        text=text,
        note_type=note_type,
        sentence=sentence,
        deferred=True,
    )


@transaction.atomic
def casenote_amend(*, actor, note: Casenote, text: str, reason: str, summary: str = "") -> Casenote:
    """Append a correction to `note`; the original stays as it was written."""
    # The correction inherits the note's sensitivity, so writing it needs the same permission.
    if note.sensitive and actor is not None and not actor.has_perm("casenotes.view_sensitive_casenote"):
        raise PermissionDenied("You may not write sensitive casenotes.")
    if not reason.strip():
        raise ValidationError({"amendment_reason": "Say why the note is being corrected."})
    # A correction of a correction is filed under the original note, so it shows beneath it.
    while note.amends_id is not None:
        note = note.amends
    amendment = Casenote(
        offender_id=note.offender_id,
        sentence_id=note.sentence_id,
        note_type=note.note_type,
        contact_on=note.contact_on,
        summary=(summary or f"Correction: {note.summary}")[:200],
        text=text.strip(),
        sensitive=note.sensitive,
        author=actor,
        amends=note,
        amendment_reason=reason.strip(),
    )
    record_validate(amendment)
    amendment.save()
    audit_created(
        actor=actor,
        obj=amendment,
        fields=("amends", "amendment_reason", "summary"),
        summary=f"Amended casenote {note.pk}",
    )
    return amendment
