from celery import shared_task

from inbox.services import escalations_notify


@shared_task
def notify_escalations() -> int:
    """Daily: tell managers about their team's work overdue beyond escalation (inbox.services)."""
    return escalations_notify()
