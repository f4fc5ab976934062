"""Sealing runs while writers are mid-transaction: a row whose id was handed out before a later,
already committed row must still take its place in the chain, in id order, once it commits; a
rolled-back id is a gap the chain steps over. Real second connections, real commits."""

import pytest
from django.db import connection, transaction

from audit.chain import SEAL_RUN_KEY, _running_elsewhere, seal_chains, verify_chain
from audit.models import AuditAction, ChainSeal
from audit.services import audit_record
from audit.tasks import seal_append_only_chains

pytestmark = pytest.mark.django_db(transaction=True)

INSERT = """
INSERT INTO audit_auditevent (at, actor_label, action, object_type, object_id, summary, changes, query,
                              user_agent, channel)
VALUES (now(), 'court-worker', 'create', '', '', %s, '{}', '', '', 'court interface')
RETURNING id
"""


@pytest.fixture
def second_connection():
    """Another session on the test database, as a court worker's would be (not in autocommit)."""
    other = connection.get_new_connection(connection.get_connection_params())
    yield other
    other.rollback()
    other.close()


def insert_uncommitted(other, summary: str) -> int:
    with other.cursor() as cursor:
        cursor.execute(INSERT, [summary])
        return cursor.fetchone()[0]


def sealed_ids() -> list[int]:
    seals = ChainSeal.objects.filter(table_name="audit_auditevent").order_by("row_id")
    return list(seals.values_list("row_id", flat=True))


def test_a_row_committed_after_a_higher_id_still_takes_its_place_in_the_chain(
    second_connection, system_admin
):
    in_flight = insert_uncommitted(second_connection, "Batch row still in its transaction")
    committed = audit_record(actor=system_admin, action=AuditAction.LOGIN, summary="Logged in")
    assert committed.pk > in_flight

    seal_chains()
    seal_chains()
    # The later row is committed, but chaining it now would leave the lower id out for ever.
    assert committed.pk not in sealed_ids()

    second_connection.commit()
    seal_chains()

    assert sealed_ids()[-2:] == [in_flight, committed.pk]
    seal = ChainSeal.objects.get(table_name="audit_auditevent", row_id=committed.pk)
    assert seal.previous_row_id == in_flight
    report = verify_chain("audit_auditevent")
    assert report.breaks == []
    assert report.verified == len(sealed_ids())


def test_a_rolled_back_id_is_a_gap_the_chain_steps_over(second_connection, system_admin):
    before = audit_record(actor=system_admin, action=AuditAction.LOGIN, summary="Logged in")
    abandoned = insert_uncommitted(second_connection, "Rolled back")
    after = audit_record(actor=system_admin, action=AuditAction.LOGOUT, summary="Logged out")

    seal_chains()
    second_connection.rollback()
    seal_chains()

    assert abandoned not in sealed_ids()
    assert sealed_ids()[-2:] == [before.pk, after.pk]
    assert verify_chain("audit_auditevent").breaks == []


def test_a_sealer_in_the_middle_of_its_work_does_not_make_writers_wait(second_connection, system_admin):
    audit_record(actor=system_admin, action=AuditAction.LOGIN, summary="Logged in")
    with second_connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '1s'")
    second_connection.commit()

    with transaction.atomic():
        seal_chains()
        seal_chains()  # its locks are held until this block ends
        written = insert_uncommitted(second_connection, "Court batch row written while sealing")
        second_connection.commit()

    seal_chains()
    seal_chains()
    assert written in sealed_ids()
    assert verify_chain("audit_auditevent").breaks == []


def test_the_minute_task_leaves_the_work_to_a_sealing_run_still_going(second_connection, system_admin):
    audit_record(actor=system_admin, action=AuditAction.LOGIN, summary="Logged in")
    with second_connection.cursor() as cursor:  # a long first run, e.g. after loading national data
        cursor.execute("SELECT pg_advisory_lock(%s)", [SEAL_RUN_KEY])

    assert seal_append_only_chains() == {}
    assert sealed_ids() == []

    with second_connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_unlock(%s)", [SEAL_RUN_KEY])
    second_connection.commit()
    seal_append_only_chains()
    assert seal_append_only_chains()["audit_auditevent"] == 1


def test_a_writer_that_connects_while_the_sealer_looks_is_still_waited_for(system_admin):
    """PostgreSQL caches pg_stat_activity for a transaction: the sealer's second look, within the
    same transaction, must still see a session that connected after its first."""
    with transaction.atomic():
        before = _running_elsewhere()
        newcomer = connection.get_new_connection(connection.get_connection_params())
        try:
            insert_uncommitted(newcomer, "Written by a session that just connected")
            seen = _running_elsewhere()
        finally:
            newcomer.rollback()
            newcomer.close()

    assert len(seen - before) == 1
