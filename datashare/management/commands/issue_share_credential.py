"""manage.py issue_share_credential SHARE LABEL [--expires-on YYYY-MM-DD]: a new credential for a
partner system to read the data share SHARE. The token is printed once; only its hash is stored, so a
lost token is replaced, not recovered."""

import datetime

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from datashare.models import Share
from datashare.services import end_of_day, share_credential_issue


class Command(BaseCommand):
    help = "Issue a data-share credential and print its token (shown once only)."

    def add_arguments(self, parser):
        parser.add_argument("share", help="The share's name.")
        parser.add_argument("label", help="Which partner system holds it, e.g. 'Probation CRM production'.")
        parser.add_argument(
            "--expires-on",
            type=datetime.date.fromisoformat,
            help="The last day it works (YYYY-MM-DD). Default: a year, or the share's end if sooner.",
        )

    def handle(self, *args, **options):
        share = Share.objects.filter(name=options["share"]).first()
        if share is None:
            raise CommandError(f"No data share is named {options['share']!r}.")
        expires_on = options["expires_on"]
        try:
            credential, token = share_credential_issue(
                actor=None,
                share=share,
                label=options["label"],
                expires_at=end_of_day(expires_on) if expires_on else None,
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stderr.write(
            f"Issued data-share credential {credential.label!r} for {share.name!r} (prefix "
            f"{credential.token_prefix}, expires {credential.expires_at:%Y-%m-%d %H:%M %Z}). The token below "
            "is shown once: give it to the partner system as 'Authorization: Bearer <token>'."
        )
        self.stdout.write(token)
