"""`manage.py check --deploy --database default`: warns when the portal's own connection could erase
history: a superuser, the owner (or a member of the owner's role) of an append-only table, a role
allowed to UPDATE, DELETE or TRUNCATE one, or one that may create objects and so own them (README:
Database roles). Tagged `database` and deploy-only, so it queries the database only when asked to
(not in `migrate`, which runs as the owner on purpose, nor in a plain `check --deploy`)."""

from django.core.checks import Tags, Warning, register
from django.db import connections

from audit.append_only import APPEND_ONLY_TABLES


@register(Tags.database, deploy=True)
def check_application_role(app_configs=None, databases=None, **kwargs):
    warnings = []
    for alias in databases or ():
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user")
            user, is_superuser = cursor.fetchone()
            if is_superuser:
                warnings.append(
                    Warning(
                        f"The database connection {alias!r} is the superuser {user!r}: it can switch off "
                        "the append-only triggers and rewrite the audit trail.",
                        hint="Connect the portal as the application role (IOMS_DB_APP_ROLE, default "
                        "ioms_app) and run migrate as the owner (README: Database roles).",
                        id="audit.W001",
                    )
                )
                continue
            cursor.execute(
                """
                SELECT c.relname,
                       pg_has_role(current_user, c.relowner, 'MEMBER'),
                       has_table_privilege(c.oid, 'UPDATE') OR has_table_privilege(c.oid, 'DELETE')
                           OR has_table_privilege(c.oid, 'TRUNCATE')
                FROM pg_class c
                WHERE c.relname = ANY(%s) AND c.relnamespace = 'public'::regnamespace
                ORDER BY c.relname
                """,
                [[entry.table for entry in APPEND_ONLY_TABLES]],
            )
            rows = cursor.fetchall()
            # A role that may create in schema public would own what it creates (PostgreSQL before 15
            # let every role do so).
            cursor.execute("SELECT has_schema_privilege('public', 'CREATE')")
            if cursor.fetchone()[0]:
                warnings.append(
                    Warning(
                        f"The database connection {alias!r} ({user!r}) may create objects in schema public.",
                        hint="As the owner: REVOKE CREATE ON SCHEMA public FROM PUBLIC "
                        "(README: Database roles).",
                        id="audit.W003",
                    )
                )
            for table, owns, may_change in rows:
                if owns:
                    problem = "owns (or is a member of the role owning)"
                elif may_change:
                    problem = "may UPDATE, DELETE or TRUNCATE"
                else:
                    continue
                warnings.append(
                    Warning(
                        f"The database connection {alias!r} ({user!r}) {problem} the append-only table "
                        f"{table}.",
                        hint="Connect the portal as the application role and run `manage.py "
                        "grant_app_role` as the owner (README: Database roles).",
                        id="audit.W002",
                    )
                )
    return warnings
