"""Issue 11: the portal connects as an application role that owns nothing. On every append-only table
it may insert and read, but not update, delete or truncate, and not switch off or drop the triggers
that guard them; everywhere else it works as the portal needs. Each test creates a role of its own
inside its transaction (CREATE ROLE is transactional: the rollback at the end removes it), grants it
with `manage.py grant_app_role` as the owner (the tests' connection), then acts as it with
SET LOCAL ROLE."""

import io
import uuid

import psycopg2.errors
import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from audit.append_only import APPEND_ONLY_TABLES
from audit.chain import seal_chains
from audit.checks import check_application_role
from audit.db_roles import app_role_grant
from audit.models import AuditAction, AuditEvent, ChainSeal
from audit.services import audit_record
from casenotes.models import Casenote
from offenders.models import Offender
from tests.factories import CasenoteFactory, OffenderFactory

pytestmark = pytest.mark.django_db

TABLES = [entry.table for entry in APPEND_ONLY_TABLES]


def execute(sql: str, params: list | None = None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


@pytest.fixture
def app_role():
    """A new application role, granted as migrate grants it: its name."""
    name = f"ioms_app_test_{uuid.uuid4().hex[:12]}"
    execute(f"CREATE ROLE {name} LOGIN NOSUPERUSER")
    call_command("grant_app_role", role=name, stdout=io.StringIO())
    return name


def act_as(role: str) -> None:
    # Deferred foreign-key checks of the owner's earlier inserts would run at the commit as the owner.
    execute("SET CONSTRAINTS ALL IMMEDIATE")
    execute(f"SET LOCAL ROLE {role}")


def refused(sql: str) -> psycopg2.errors.InsufficientPrivilege:
    """Runs `sql` in a savepoint and returns PostgreSQL's refusal for lack of privilege."""
    with pytest.raises(DatabaseError) as failure, transaction.atomic():
        execute(sql)
    assert isinstance(failure.value.__cause__, psycopg2.errors.InsufficientPrivilege), failure.value
    return failure.value.__cause__


@pytest.mark.parametrize("table", TABLES)
def test_the_application_role_reads_an_append_only_table_but_cannot_change_or_erase_it(table, app_role):
    act_as(app_role)
    execute(f"SELECT count(*) FROM {table}")
    assert "permission denied" in str(refused(f"UPDATE {table} SET id = id"))
    assert "permission denied" in str(refused(f"DELETE FROM {table}"))
    assert "permission denied" in str(refused(f"TRUNCATE {table}"))


@pytest.mark.parametrize("table", TABLES)
def test_the_application_role_cannot_switch_off_or_drop_the_triggers_guarding_a_table(table, app_role):
    act_as(app_role)
    assert "must be owner" in str(refused(f"ALTER TABLE {table} DISABLE TRIGGER ALL"))
    assert "must be owner" in str(refused(f"DROP TRIGGER ioms_refuse_truncate ON {table}"))
    assert "must be owner" in str(refused(f"ALTER TABLE {table} OWNER TO {app_role}"))


def test_the_application_role_records_audit_events_and_casenotes(app_role, probation_officer, office):
    offender = OffenderFactory(home_office=office)
    act_as(app_role)
    event = audit_record(actor=probation_officer, action=AuditAction.VIEW, summary="Viewed a record")
    note = CasenoteFactory(offender=offender, author=probation_officer)
    assert AuditEvent.objects.filter(pk=event.pk).exists()
    assert Casenote.objects.filter(pk=note.pk).exists()


def test_the_application_role_changes_ordinary_records(app_role, office):
    offender = OffenderFactory(home_office=office, family_name="Smith")
    act_as(app_role)
    Offender.objects.filter(pk=offender.pk).update(family_name="Smyth")
    assert Offender.objects.get(pk=offender.pk).family_name == "Smyth"


def test_the_application_role_only_reads_the_record_of_migrations(app_role):
    act_as(app_role)
    execute("SELECT count(*) FROM django_migrations")
    refused("DELETE FROM django_migrations")
    refused("INSERT INTO django_migrations (app, name, applied) VALUES ('x', 'y', now())")


def test_the_application_role_cannot_move_a_sequence_back(app_role):
    act_as(app_role)
    refused("SELECT setval(pg_get_serial_sequence('audit_auditevent', 'id'), 1)")


def test_the_application_role_is_no_superuser_and_not_a_member_of_the_owner(app_role):
    [(is_superuser,)] = execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", [app_role])
    memberships = execute(
        "SELECT roleid::regrole::text FROM pg_auth_members WHERE member = %s::regrole", [app_role]
    )
    owners = {
        owner for (owner,) in execute("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'")
    }
    assert is_superuser is False
    assert memberships == []
    assert app_role not in owners


def test_the_chain_is_sealed_by_the_application_role(app_role, system_admin):
    event = audit_record(actor=system_admin, action=AuditAction.LOGIN, summary="Logged in")
    act_as(app_role)
    seal_chains()
    seal_chains()
    assert ChainSeal.objects.filter(table_name="audit_auditevent", row_id=event.pk).exists()


def test_the_deploy_check_warns_when_the_portal_connects_as_a_superuser():
    [(is_superuser,)] = execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    assert is_superuser, "the tests connect as a superuser (they create roles and the test database)"
    assert [warning.id for warning in check_application_role(databases=["default"])] == ["audit.W001"]


def test_the_deploy_check_is_quiet_for_the_application_role(app_role):
    act_as(app_role)
    assert check_application_role(databases=["default"]) == []


def test_the_deploy_check_warns_when_the_application_role_may_erase_a_table(app_role):
    execute(f"GRANT DELETE ON casenotes_casenote TO {app_role}")
    act_as(app_role)
    warnings = check_application_role(databases=["default"])
    assert [(warning.id, "casenotes_casenote" in warning.msg) for warning in warnings] == [
        ("audit.W002", True)
    ]


def test_granting_again_takes_back_a_privilege_given_by_hand(app_role):
    execute(f"GRANT UPDATE, TRUNCATE ON audit_auditevent TO {app_role}")
    app_role_grant(role=app_role)
    act_as(app_role)
    refused("UPDATE audit_auditevent SET id = id")
    refused("TRUNCATE audit_auditevent")


def test_granting_to_a_role_that_does_not_exist_says_so():
    with pytest.raises(CommandError, match="does not exist"):
        call_command("grant_app_role", role="ioms_app_nobody_has_created")


def test_granting_to_a_member_of_the_owner_is_refused(app_role):
    [(owner,)] = execute("SELECT current_user")
    execute(f"GRANT {owner} TO {app_role}")
    with pytest.raises(CommandError, match="member of"):
        call_command("grant_app_role", role=app_role)


def test_migrate_grants_the_application_role_named_in_the_settings(settings, system_admin):
    name = f"ioms_app_test_{uuid.uuid4().hex[:12]}"
    execute(f"CREATE ROLE {name} LOGIN NOSUPERUSER")
    settings.IOMS_DB_APP_ROLE = name
    out = io.StringIO()
    call_command("migrate", stdout=out)
    assert f"Granted the application role '{name}'" in out.getvalue()
    act_as(name)
    audit_record(actor=system_admin, action=AuditAction.LOGIN, summary="Logged in")
    refused("DELETE FROM audit_auditevent")


def test_the_deploy_check_warns_when_the_application_role_may_create_objects(app_role):
    execute(f"GRANT CREATE ON SCHEMA public TO {app_role}")
    act_as(app_role)
    assert [warning.id for warning in check_application_role(databases=["default"])] == ["audit.W003"]
