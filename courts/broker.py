"""Handing court messages to the Celery workers: one pool of broker connections per process, short
timeouts and no retries, so the courts' system never waits on a Redis outage (a message is stored
before it is handed over; the requeue sweep queues whatever the broker did not take)."""

import logging
import os
import threading
from typing import Any

from django.conf import settings
from django.utils import timezone
from kombu.exceptions import KombuError
from redis.exceptions import RedisError

from courts.models import CourtMessage, MessageStatus
from ioms.celery import app as celery_app

logger = logging.getLogger(__name__)

# What a broker that is down or not answering raises when a task is handed to it.
BROKER_ERRORS = (KombuError, RedisError, OSError)
# Connections to the broker each process keeps for handing over court messages (a new connection
# per message cost 25 ms, a kept one 2.5 ms); a caller finding them all busy does not wait long.
BROKER_CONNECTIONS = 10
_broker_pools: dict[tuple[int, str, float], Any] = {}
_broker_pools_lock = threading.Lock()


def _broker_pool():
    """This process's connections to the broker, with short timeouts and no retries (see publish).
    Kept per process id: a pool made before a fork is not shared with the child."""
    seconds = settings.COURT_REDIS_TIMEOUT_MS / 1000
    key = (os.getpid(), celery_app.conf.broker_write_url, seconds)
    with _broker_pools_lock:
        pool = _broker_pools.get(key)
        if pool is None:
            pool = _broker_pools[key] = celery_app.connection_for_write(
                connect_timeout=seconds,
                # max_retries 0: kombu otherwise tries to connect again after a refusal (2 s more).
                transport_options={
                    "socket_connect_timeout": seconds,
                    "socket_timeout": seconds,
                    "max_retries": 0,
                },
            ).Pool(limit=BROKER_CONNECTIONS)
    return pool


def publish(task, calls: list[tuple[tuple, list[int]]]) -> int:
    """Hand each call (the task's arguments, the messages they carry) to the broker, waiting at most
    settings.COURT_REDIS_TIMEOUT_MS to connect or for an answer and never retrying: a caller (the
    courts' system waiting for its 202) must not wait on a Redis outage. The messages are stored
    already; those not handed over are queued by the requeue sweep once the broker is back. Marks
    the messages handed over (queued_at); returns how many calls were."""
    published = 0
    try:
        with _broker_pool().acquire(block=True, timeout=settings.COURT_REDIS_TIMEOUT_MS / 1000) as connection:
            try:
                for arguments, pks in calls:
                    task.apply_async(arguments, connection=connection, retry=False)
                    CourtMessage.objects.filter(pk__in=pks, status=MessageStatus.RECEIVED).update(
                        queued_at=timezone.now()
                    )
                    published += 1
            except BROKER_ERRORS:
                # Its sockets may be broken: dropped, so that its next use connects afresh.
                connection.collect()
                raise
    except BROKER_ERRORS as error:
        left = [pk for _, pks in calls[published:] for pk in pks]
        logger.warning(
            "The broker did not take %s court message(s) (%s: %s); they stay stored as received and "
            "the requeue sweep will queue them. First: %s",
            len(left),
            type(error).__name__,
            error,
            left[:10],
        )
    return published
