"""manage.py revoke_share_credential SHARE LABEL [--reason TEXT]: the credential stops working at once
(a leaked token, a retired partner system). The revocation is audited; issue a new credential to
replace it."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from datashare.models import ShareCredential
from datashare.services import share_credential_revoke


class Command(BaseCommand):
    help = "Revoke a data-share credential: its token is refused from now on."

    def add_arguments(self, parser):
        parser.add_argument("share", help="The share's name.")
        parser.add_argument("label", help="The credential's label, as given when it was issued.")
        parser.add_argument("--reason", default="", help="Why, for the audit trail (e.g. 'token leaked').")

    def handle(self, *args, **options):
        credential = (
            ShareCredential.objects.select_related("share")
            .filter(share__name=options["share"], label=options["label"], revoked_at__isnull=True)
            .first()
        )
        if credential is None:
            raise CommandError(
                f"The share {options['share']!r} has no live credential labelled {options['label']!r}."
            )
        try:
            share_credential_revoke(actor=None, credential=credential, reason=options["reason"])
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(
            f"Revoked data-share credential {credential.label!r} of {credential.share.name!r} "
            f"(prefix {credential.token_prefix})."
        )
