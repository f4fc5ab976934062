"""manage.py issue_court_credential NAME: a new credential for the courts' system. The token is
printed once; only its hash is stored, so a lost token is replaced, not recovered."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from courts.credentials import court_credential_issue


class Command(BaseCommand):
    help = "Issue a court API credential and print its token (shown once only)."

    def add_arguments(self, parser):
        parser.add_argument("name", help="What the credential is for, e.g. 'CMS production'.")

    def handle(self, *args, **options):
        try:
            credential, token = court_credential_issue(name=options["name"])
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stderr.write(
            f"Issued court credential {credential.name!r} (prefix {credential.token_prefix}, expires "
            f"{timezone.localtime(credential.expires_at):%-d %b %Y}; rotate it before then with "
            "manage.py rotate_court_credential). The token "
            "below is shown once: give it to the courts' system as 'Authorization: Bearer <token>'."
        )
        self.stdout.write(token)
