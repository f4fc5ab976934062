from celery import shared_task

from appointments.reminders import reminders_send_due


@shared_task(name="appointments.send_due_reminders")
def send_due_reminders() -> int:
    """Every 15 minutes (CELERY_BEAT_SCHEDULE): remind people of tomorrow's appointments."""
    return reminders_send_due()
