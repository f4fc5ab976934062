"""Django's PostgreSQL backend with an optional cap on the connections one process holds at once
(settings.DB_MAX_CONNECTIONS_PER_PROCESS; 0 is no cap).

The development server runs each request in a thread of its own, so the connections it holds grow
with the requests in flight: 200 at once would take more than PostgreSQL's 100 and refuse every other
client (issue 11). Capped, a request beyond the cap waits for a connection to be closed (at the end
of another request: CONN_MAX_AGE is 0 there), and after DB_CONNECTION_WAIT_SECONDS gets an error
rather than the server taking the database from everyone else. Gunicorn's sync workers and Celery's
processes hold one connection each, so there the number of processes is the bound and no cap is set.
"""

import threading

from django.conf import settings
from django.db import OperationalError
from django.db.backends.postgresql import base

_slots: dict[int, threading.BoundedSemaphore] = {}  # by cap: a connection gives back what it took
_slots_lock = threading.Lock()


def _process_slots() -> threading.BoundedSemaphore | None:
    cap = getattr(settings, "DB_MAX_CONNECTIONS_PER_PROCESS", 0)
    if not cap:
        return None
    with _slots_lock:
        return _slots.setdefault(cap, threading.BoundedSemaphore(cap))


class DatabaseWrapper(base.DatabaseWrapper):
    _slot = None

    def get_new_connection(self, conn_params):
        slots = _process_slots()
        if slots is not None and not slots.acquire(
            timeout=getattr(settings, "DB_CONNECTION_WAIT_SECONDS", 30)
        ):
            raise OperationalError(
                "Every database connection this process may hold is in use; try again in a moment."
            )
        try:
            connection = super().get_new_connection(conn_params)
        except BaseException:
            if slots is not None:
                slots.release()
            raise
        self._slot = slots
        return connection

    def _close(self):
        try:
            return super()._close()
        finally:
            slot, self._slot = self._slot, None
            if slot is not None:
                slot.release()
