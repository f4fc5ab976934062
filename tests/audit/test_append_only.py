"""Issue 11: the append-only tables refuse TRUNCATE as well as UPDATE and DELETE, whoever asks (the
tests run as the tables' owner), and the one list of them in audit/append_only.py is exactly the
list the database enforces, so a new append-only table cannot be left out of the guarantees."""

import pytest
from django.db import DatabaseError, connection, transaction

from audit.append_only import APPEND_ONLY_TABLES
from audit.models import AuditAction, AuditEvent
from audit.services import audit_record
from casenotes.models import Casenote
from tests.factories import CasenoteFactory, OffenderFactory

pytestmark = pytest.mark.django_db

# pg_trigger.tgtype bits (PostgreSQL's trigger.h).
ROW, DELETE, UPDATE, TRUNCATE = 1, 8, 16, 32


def tables_with_refusal(bits: int, *, per_row: bool) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
            WHERE t.tgfoid = 'ioms_refuse_change'::regproc AND NOT t.tgisinternal
              AND t.tgtype & %s = %s AND (t.tgtype & 1 = 1) = %s AND t.tgenabled <> 'D'
            """,
            [bits, bits, per_row],
        )
        return {name for (name,) in cursor.fetchall()}


def row_count(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")
        return cursor.fetchone()[0]


def test_the_list_is_every_table_whose_rows_the_database_refuses_to_change_or_delete():
    assert tables_with_refusal(UPDATE | DELETE, per_row=True) == {entry.table for entry in APPEND_ONLY_TABLES}


def test_every_table_on_the_list_refuses_truncate():
    assert tables_with_refusal(TRUNCATE, per_row=False) == {entry.table for entry in APPEND_ONLY_TABLES}


@pytest.mark.parametrize("table", [entry.table for entry in APPEND_ONLY_TABLES])
def test_truncate_of_an_append_only_table_is_refused_and_keeps_its_rows(table, system_admin):
    audit_record(actor=system_admin, action=AuditAction.LOGIN, summary="Logged in")
    before = row_count(table)

    with (
        pytest.raises(DatabaseError, match=f"{table} are append-only; TRUNCATE refused"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"TRUNCATE {table} CASCADE")

    assert row_count(table) == before


def test_truncating_a_parent_table_cannot_cascade_into_the_casenotes(probation_officer, office):
    note = CasenoteFactory(offender=OffenderFactory(home_office=office), author=probation_officer)

    with (
        pytest.raises(DatabaseError, match="append-only; TRUNCATE refused"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        # The test's own inserts leave deferred foreign-key checks pending, which TRUNCATE refuses.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("TRUNCATE offenders_offender CASCADE")

    assert Casenote.objects.filter(pk=note.pk).exists()


def test_the_audit_trail_survives_a_truncate_attempt(system_admin):
    event = audit_record(actor=system_admin, action=AuditAction.LOGIN, summary="Logged in")

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE audit_auditevent RESTART IDENTITY")

    assert AuditEvent.objects.get(pk=event.pk).summary == "Logged in"
