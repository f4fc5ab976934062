"""manage.py revoke_court_credential NAME: the credential stops working at once (a leaked token, a
retired CMS environment). The revocation is audited; issue a new credential to replace it."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from courts.credentials import court_credential_revoke


class Command(BaseCommand):
    help = "Revoke a court API credential: its token is refused from now on."

    def add_arguments(self, parser):
        parser.add_argument("name", help="The credential's name, as given when it was issued.")
        parser.add_argument("--reason", default="", help="Why, for the audit trail (e.g. 'token leaked').")

    def handle(self, *args, **options):
        try:
            credential = court_credential_revoke(name=options["name"], reason=options["reason"])
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(f"Revoked court credential {credential.name!r} (prefix {credential.token_prefix}).")
