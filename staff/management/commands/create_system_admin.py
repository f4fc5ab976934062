"""The first system administrator of a new deployment (README "Deploying"): a staff member with the
system administrator role and a password, who is asked to set up a one-time-code app at the first
sign-in (signin.second_factor) before anything else. Audited as this command."""

import getpass
import os

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from audit.services import audit_created
from staff.models import Office, OfficeKind
from staff.roles import Role
from staff.services import staff_create

PASSWORD_VARIABLE = "IOMS_FIRST_ADMIN_PASSWORD"


class Command(BaseCommand):
    help = (
        "Create a system administrator (the first one of a deployment). The password is asked for, "
        f"or read from {PASSWORD_VARIABLE}; a one-time-code app is set up at the first sign-in."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--first-name", required=True)
        parser.add_argument("--last-name", required=True)
        parser.add_argument("--email", required=True)
        parser.add_argument("--staff-number", required=True)
        parser.add_argument("--office", required=True, help="The code of the administrator's office.")
        parser.add_argument(
            "--create-office",
            metavar="NAME",
            help="Create the office (a service centre) with this name when no office has the code.",
        )

    def handle(self, *args, **options):
        actor = "manage.py create_system_admin"
        password = self._password(options["username"])
        with transaction.atomic():
            office = self._office(options["office"], options["create_office"], actor)
            try:
                member = staff_create(
                    actor=actor,
                    username=options["username"],
                    first_name=options["first_name"],
                    last_name=options["last_name"],
                    email=options["email"],
                    staff_number=options["staff_number"],
                    office=office,
                    roles=[Role.SYSTEM_ADMIN],
                    started_on=timezone.localdate(),
                    position="System administrator",
                    password=password,
                )
            except ValidationError as error:
                raise CommandError(_say(error)) from None
        self.stdout.write(
            f"Created system administrator {member.user.get_username()} at {office}. At the first "
            "sign-in they set up a one-time-code (authenticator) app before anything else."
        )

    def _password(self, username: str) -> str:
        password = os.environ.get(PASSWORD_VARIABLE, "")
        if not password:
            if not os.isatty(0):
                raise CommandError(f"No terminal to ask for the password: set {PASSWORD_VARIABLE}.")
            password = getpass.getpass("Password: ")
            if getpass.getpass("Password (again): ") != password:
                raise CommandError("The two passwords differ. Nothing was created.")
        try:
            validate_password(password)
        except ValidationError as error:
            raise CommandError(f"That password will not do: {_say(error)} Nothing was created.") from None
        return password

    def _office(self, code: str, create_as: str | None, actor: str) -> Office:
        office = Office.objects.filter(code__iexact=code).first()
        if office is not None:
            return office
        if not create_as:
            raise CommandError(
                f"No office has the code {code!r}. Give --create-office NAME to create it. "
                "Nothing was created."
            )
        office = Office(code=code, name=create_as, kind=OfficeKind.SERVICE_CENTRE)
        try:
            office.full_clean()
        except ValidationError as error:
            raise CommandError(_say(error)) from None
        office.save()
        audit_created(
            actor=actor, obj=office, fields=("code", "name", "kind"), summary=f"Created office {office}"
        )
        return office


def _say(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return " ".join(f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items())
    return " ".join(error.messages)
