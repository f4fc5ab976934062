"""Writes to the muster list's read model (muster.models.MusterEntry). The database keeps the
entries current by itself (triggers, migration muster 0001); these are for bulk loads, which are
faster without the triggers and one rebuild at the end."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

# The triggers of migration muster 0001, by table.
MUSTER_TRIGGERS = {
    "sentences_sentence": (
        "muster_sentences_inserted",
        "muster_sentences_deleted",
        "muster_sentences_updated",
    ),
    "offenders_offender": ("muster_offenders_updated",),
}


def muster_entries_rebuild() -> None:
    """Recompute every entry from the current sentences, in one set-based statement: entries added,
    changed or removed as needed; those already right are left alone."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT muster_entries_rebuild()")
        cursor.execute("ANALYZE muster_musterentry")


def _set_triggers(enabled: bool) -> None:
    action = "ENABLE" if enabled else "DISABLE"
    with connection.cursor() as cursor:
        # Deferred key checks of earlier writes would block the DDL ("pending trigger events").
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table, triggers in MUSTER_TRIGGERS.items():
            for trigger in triggers:
                cursor.execute(f"ALTER TABLE {table} {action} TRIGGER {trigger}")
        # Back to how Django declares its keys: checked at the commit.
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


@contextmanager
def muster_entries_deferred() -> Iterator[None]:
    """For a bulk load of sentences or offenders: the entries' triggers are off while it runs, then
    back on, and the entries rebuilt once. Inside the caller's transaction, so a failed load rolls
    back to the triggers as they were (and ALTER TABLE keeps other writers off the tables until
    then, so nothing is written unseen by both the triggers and the rebuild)."""
    if not connection.in_atomic_block:
        raise RuntimeError("muster_entries_deferred must run inside a transaction")
    _set_triggers(enabled=False)
    yield
    _set_triggers(enabled=True)
    muster_entries_rebuild()
