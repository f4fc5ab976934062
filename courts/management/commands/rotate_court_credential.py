"""manage.py rotate_court_credential NAME: a new token for the named court credential (before it
expires, or when a token may have leaked but a gap in the courts' messages is worse). The token it
replaces keeps working for settings.COURT_CREDENTIAL_OVERLAP_DAYS, so the courts can switch over;
the rotation is audited. For a leaked token that must stop at once, revoke and issue instead."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from courts.credentials import court_credential_rotate


class Command(BaseCommand):
    help = "Rotate a court API credential and print its new token (shown once only)."

    def add_arguments(self, parser):
        parser.add_argument("name", help="The credential's name, as given when it was issued.")
        parser.add_argument("--reason", default="", help="Why, for the audit trail (e.g. 'yearly rotation').")

    def handle(self, *args, **options):
        try:
            credential, token = court_credential_rotate(name=options["name"], reason=options["reason"])
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stderr.write(
            f"Rotated court credential {credential.name!r}: new token prefix {credential.token_prefix}, "
            f"expires {timezone.localtime(credential.expires_at):%-d %b %Y}. The old token "
            f"({credential.previous_token_prefix}) works until "
            f"{timezone.localtime(credential.previous_valid_until):%-d %b %Y %H:%M}. The new token below "
            "is shown once: give it to the courts' system as 'Authorization: Bearer <token>'."
        )
        self.stdout.write(token)
