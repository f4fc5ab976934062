"""manage.py list_court_credentials: each court credential with its current token's prefix, when it
expires, and the token a rotation replaced with when that stops, so a system administrator sees which
credential needs rotating before the courts' messages are refused."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from courts.models import CourtApiCredential


def _when(moment) -> str:
    return f"{timezone.localtime(moment):%-d %b %Y %H:%M}" if moment else "-"


class Command(BaseCommand):
    help = "List the court API credentials with their expiry."

    def handle(self, *args, **options):
        now = timezone.now()
        for credential in CourtApiCredential.objects.order_by("name"):
            if not credential.active:
                state = "revoked"
            elif credential.expires_at <= now:
                state = "EXPIRED"
            else:
                state = f"expires in {(credential.expires_at - now).days} days"
            line = (
                f"{credential.name}: token {credential.token_prefix}, {state} "
                f"(expires {_when(credential.expires_at)}), last used {_when(credential.last_used_at)}"
            )
            if (
                credential.previous_valid_until
                and credential.previous_valid_until > now
                and credential.active
            ):
                line += (
                    f"; replaced token {credential.previous_token_prefix} works until "
                    f"{_when(credential.previous_valid_until)}"
                )
            self.stdout.write(line)
