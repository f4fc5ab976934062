"""Telling managers about escalated work. The escalation itself is derived (inbox.selectors): an
item overdue beyond its source's `escalate_after_days` appears in the manager's inbox whether or
not a notice went out. The daily notice is recorded once per manager and item."""

import datetime

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from allocation.models import Notification
from inbox.models import EscalationNotice
from inbox.selectors import Escalation, escalations, everyone

# pg_advisory_xact_lock key: two runs at once (a retried task) never notify twice.
_LOCK_KEY = 640_006


def _subject(escalation: Escalation) -> str:
    names = ", ".join(person.name for person in escalation.late)
    days = escalation.item.days_overdue
    return f"Overdue {days} day{'s' * (days != 1)}: {escalation.item.title} ({names})"[:200]


def _body(escalation: Escalation) -> str:
    item = escalation.item
    lines = [
        f"{escalation.label}: {item.title}",
        f"Due on {item.due_on:%-d %b %Y}, "
        f"{item.days_overdue} day{'' if item.days_overdue == 1 else 's'} ago.",
        f"Who may do it: {', '.join(person.name for person in escalation.late)}.",
    ]
    if item.offender_restricted:
        # An e-mail is read beyond the portal: a restricted record is named by its PRN only.
        lines.append(f"Offender: restricted record (PRN {item.offender_prn})")
    elif item.offender_name:
        lines.append(f"Offender: {item.offender_name} (PRN {item.offender_prn})")
    lines.append(f"Your team's inbox: {reverse('inbox:team')}")
    return "\n".join(lines)


@transaction.atomic
def escalations_notify(*, today: datetime.date | None = None) -> int:
    """Notify each manager (allocation.models.Notification, with an e-mail) of every item of their
    team newly overdue beyond escalation; an item already notified to that manager is skipped.
    Returns the number of notices sent. A fixed number of queries whatever the number of staff
    or items."""
    today = today or timezone.localdate()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
    found = escalations(everyone(), today=today)
    if not found:
        return 0
    sent = set(
        EscalationNotice.objects.filter(
            manager_id__in={escalation.manager.user_id for escalation in found},
            item_key__in={escalation.item.key for escalation in found},
        ).values_list("manager_id", "item_key")
    )
    new = [e for e in found if (e.manager.user_id, e.item.key) not in sent]
    if not new:
        return 0
    now = timezone.now()
    notifications = Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=escalation.manager.user_id,
                subject=_subject(escalation),
                body=_body(escalation),
                link=escalation.item.url[:300],
                created_at=now,
            )
            for escalation in new
        ]
    )
    EscalationNotice.objects.bulk_create(
        [
            EscalationNotice(
                manager_id=escalation.manager.user_id,
                item_key=escalation.item.key,
                notification=notification,
                notified_at=now,
            )
            for escalation, notification in zip(new, notifications, strict=True)
        ]
    )
    _mail_after_commit(new, notifications)
    return len(new)


def _mail_after_commit(new: list[Escalation], notifications: list[Notification]) -> None:
    from django.contrib.auth import get_user_model

    addresses = dict(
        get_user_model()
        .objects.filter(pk__in={escalation.manager.user_id for escalation in new})
        .exclude(email="")
        .values_list("pk", "email")
    )
    messages = [
        (
            notification.subject,
            notification.body,
            settings.DEFAULT_FROM_EMAIL,
            [addresses[notification.recipient_id]],
        )
        for notification in notifications
        if notification.recipient_id in addresses
    ]
    if messages:
        # After commit, and robust: a mail server outage must not undo the notices.
        transaction.on_commit(lambda: send_mass_mail(messages, fail_silently=False), robust=True)
