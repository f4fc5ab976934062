"""Messages to staff in the portal, with an e-mail alongside after commit."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from allocation.models import AllocateRequest, Notification
from offenders.models import BreakGlassGrant, RestrictedAccess


def notification_send(
    *, staff, request: AllocateRequest | None, subject: str, body: str, link: str = ""
) -> Notification:
    notification = Notification.objects.create(
        recipient=staff.user, subject=subject[:200], body=body, link=link[:300], request=request
    )
    address = staff.user.email
    if address:
        # After commit, and robust: a mail server outage must not undo or hide the allocation.
        transaction.on_commit(
            lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address]), robust=True
        )
    return notification


@transaction.atomic
def notification_mark_read(*, actor, notification: Notification) -> None:
    Notification.objects.filter(pk=notification.pk, recipient=actor, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def break_glass_notify(*, grant: BreakGlassGrant) -> None:
    """Everyone on a restricted record's access list is told that someone broke the glass: in the
    portal at once, and by e-mail after commit (issue 11)."""
    offender = grant.offender
    owner_ids = list(
        RestrictedAccess.objects.filter(offender=offender, removed_at__isnull=True).values_list(
            "user_id", flat=True
        )
    )
    if not owner_ids:
        return
    who = grant.user.get_full_name() or grant.user.get_username()
    subject = f"Break-glass access to restricted record {offender.prn}"
    body = (
        f"{who} broke the glass on restricted record {offender.prn} at "
        f"{timezone.localtime(grant.granted_at):%-d %b %Y %H:%M}, until "
        f"{timezone.localtime(grant.expires_at):%-d %b %Y %H:%M}.\nReason: {grant.reason}"
    )
    link = reverse("offenders:access_list", args=[offender.pk])
    Notification.objects.bulk_create(
        Notification(recipient_id=user_id, subject=subject[:200], body=body, link=link[:300])
        for user_id in owner_ids
    )
    addresses = list(
        get_user_model()
        .objects.filter(pk__in=owner_ids, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if addresses:
        # After commit, and robust: a mail server outage must not undo or hide the grant.
        transaction.on_commit(
            lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, addresses), robust=True
        )
