"""What the compliance app does when other apps report a change (registered in ioms/subscribers.py)."""

from appointments.models import Appointment, AppointmentStatus
from compliance.services import failure_consider
from events.domain import AppointmentOutcomeRecorded, record_in_hand


def consider_failure(event: AppointmentOutcomeRecorded, *, actor) -> None:
    """An unacceptable failure to attend is considered for enforcement in the same transaction as
    the outcome: the outcome is never recorded without it."""
    if event.outcome != AppointmentStatus.FAILED_UNACCEPTABLE:
        return
    appointment = record_in_hand(Appointment, event.appointment_id) or Appointment.objects.select_related(
        "offender"
    ).get(pk=event.appointment_id)
    failure_consider(actor=actor, appointment=appointment)
