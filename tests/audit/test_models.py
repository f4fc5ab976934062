"""The audit trail is append-only in the database itself: not even an administrator in psql can
rewrite or remove what was recorded."""

import pytest
from django.db import DatabaseError, connection, transaction

from audit.models import AuditAction, AuditEvent
from audit.services import audit_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(system_admin):
    return audit_record(actor=system_admin, action=AuditAction.LOGIN, summary="Logged in")


def assert_unchanged(event: AuditEvent) -> None:
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.summary == "Logged in"
    assert stored.action == AuditAction.LOGIN


def test_the_database_refuses_to_edit_an_audit_row_through_the_orm(event):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(summary="Nothing happened")

    assert_unchanged(event)


def test_the_database_refuses_to_delete_an_audit_row_through_the_orm(event):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        event.delete()

    assert_unchanged(event)


def test_the_database_refuses_raw_sql_that_edits_or_deletes_audit_rows(event):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE audit_auditevent SET actor_label = %s", ["someone-else"])
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM audit_auditevent")

    assert_unchanged(event)
    assert AuditEvent.objects.get(pk=event.pk).actor_label == "sysadmin"
