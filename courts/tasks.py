"""Celery tasks of the court interface: thin wrappers around courts.services."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from courts.services import court_message_process, court_messages_process, court_messages_requeue


# ignore_result: nobody reads these tasks' results (the message's status is the outcome), and a
# task that keeps one makes every publish wait on the result backend too, which during a Redis
# outage is up to 20 reconnection attempts.
@shared_task(
    ignore_result=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=2,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=5,
)
def process_court_message(message_pk: int) -> str:
    """Retried only for transient database errors (a deadlock, a lost connection); a message that
    cannot be applied is not an error here: it becomes an exception for a person."""
    return court_message_process(pk=message_pk).status


@shared_task(
    ignore_result=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=2,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=5,
)
def process_court_messages(message_pks: list[int]) -> dict[str, int]:
    """A batch queued by the import (courts.services.BATCH_SIZE messages), retried as above."""
    statuses: dict[str, int] = {}
    for message in court_messages_process(pks=message_pks):
        if message is not None:
            statuses[message.status] = statuses.get(message.status, 0) + 1
    return statuses


@shared_task(ignore_result=True)
def requeue_court_messages() -> int:
    return court_messages_requeue()
