"""manage.py grant_app_role: give the application's database role its privileges (audit/db_roles.py).

`migrate` does the same after every run; this is for a role created after the last migrate, or to
put the privileges back after someone changed them by hand. Run it as the owner (DATABASE_URL set to
the owner's connection)."""

from django.core.management.base import BaseCommand, CommandError

from audit.db_roles import AppRoleRefused, app_role_grant, app_role_name


class Command(BaseCommand):
    help = "Grant the application's database role INSERT and SELECT only on append-only tables."

    def add_arguments(self, parser):
        parser.add_argument("--role", default=None, help="The role (default: IOMS_DB_APP_ROLE, ioms_app).")
        parser.add_argument("--database", default="default", help="The database connection to grant on.")

    def handle(self, *args, **options):
        try:
            result = app_role_grant(role=options["role"] or app_role_name(), using=options["database"])
        except AppRoleRefused as error:
            raise CommandError(str(error)) from None
        if not result.granted:
            raise CommandError(f"Nothing granted: {result.reason}.")
        self.stdout.write(f"Granted {result.role!r} its privileges.")
