"""The application's database role (issue 11): the portal connects as a role that owns nothing, so it
cannot switch the append-only triggers off, drop them, or TRUNCATE, and on the append-only tables
(audit/append_only.py) it may only INSERT and SELECT. Migrations run as the owner, which then grants
the application role what the running portal needs: after every `manage.py migrate` (the post_migrate
handler in audit/apps.py) and on demand with `manage.py grant_app_role`.

Granted, in one transaction (a session of the application role never sees the privileges half
applied): USAGE on schema public; SELECT, INSERT, UPDATE, DELETE on every table, except UPDATE and
DELETE on the append-only tables and anything but SELECT on django_migrations; USAGE and SELECT on
every sequence (nextval, and the chain sealer reads the last value handed out; setval needs UPDATE,
which is not granted). Never TRUNCATE, REFERENCES or TRIGGER, on anything. Everything else is revoked
first, so a privilege granted by hand or by an older version does not linger."""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import connections, transaction

from audit.append_only import APPEND_ONLY_TABLES

logger = logging.getLogger(__name__)

# Django's record of applied migrations: the application reads it (migrate --check, showmigrations)
# but only the owner's migrate writes it.
MIGRATIONS_TABLE = "django_migrations"


class AppRoleRefused(RuntimeError):
    pass


@dataclass(frozen=True)
class GrantResult:
    role: str
    granted: bool
    reason: str


def app_role_name() -> str:
    return settings.IOMS_DB_APP_ROLE


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def app_role_grant(*, role: str | None = None, using: str = "default") -> GrantResult:
    """Give `role` the application's privileges on every table and sequence of schema public, as the
    connection `using` (the owner). Nothing is granted, and the reason is returned, when the role
    does not exist or is the connection's own role (one role does everything: no separate
    application role is set up). Refuses a role that is a superuser or a member of the owner: it
    would hold the owner's rights whatever is granted here."""
    role = role or app_role_name()
    connection = connections[using]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolsuper, pg_has_role(oid, current_user, 'MEMBER') FROM pg_roles WHERE rolname = %s",
            [role],
        )
        found = cursor.fetchone()
        if found is None:
            return GrantResult(role, False, f"the database role {role!r} does not exist")
        cursor.execute("SELECT current_user")
        (current,) = cursor.fetchone()
        if current == role:
            return GrantResult(role, False, f"this connection is the role {role!r} itself")
        is_superuser, member_of_owner = found
        if is_superuser or member_of_owner:
            raise AppRoleRefused(
                f"The database role {role!r} is a superuser or a member of {current!r} (the owner): "
                "it would keep the owner's rights whatever is granted. Make it an ordinary role "
                "(NOSUPERUSER, not granted the owner's role)."
            )
        quoted = _quote(role)
        statements = [
            f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {quoted}",
            f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {quoted}",
            f"GRANT USAGE ON SCHEMA public TO {quoted}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {quoted}",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quoted}",
            f"REVOKE INSERT, UPDATE, DELETE ON {_quote(MIGRATIONS_TABLE)} FROM {quoted}",
        ]
        statements += [
            f"REVOKE UPDATE, DELETE ON {_quote(entry.table)} FROM {quoted}" for entry in APPEND_ONLY_TABLES
        ]
        for statement in statements:
            cursor.execute(statement)
    return GrantResult(role, True, "granted")


def grant_after_migrate(
    sender, *, using: str = "default", plan=None, verbosity: int = 1, stdout=None, **kwargs
) -> None:
    """post_migrate, connected for the audit app only, so it runs once per migrate, after every
    migration has been applied. `flush` sends post_migrate too (with no plan): a flush leaves
    privileges as they were, so nothing is done then."""
    if plan is None:
        return
    result = app_role_grant(using=using)
    if result.granted:
        message = (
            f"Granted the application role {result.role!r} its privileges "
            "(INSERT and SELECT only on the append-only tables)."
        )
    else:
        message = (
            f"Application role not granted anything: {result.reason}. The portal connects as the "
            "same role as migrate (README: Database roles)."
        )
    if stdout is not None:
        if verbosity >= 1:
            stdout.write(message + "\n")
    else:
        logger.info(message)
