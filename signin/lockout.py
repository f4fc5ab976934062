"""Sign-in lockout: django-axes counts failures in PostgreSQL, this handler decides the lock.

Axes compares one count with one limit. The portal locks a *username* after a few failures (from any
address: a slow attack spread over many addresses is still caught) and an *address* after a larger
number (from any username: one password sprayed across many accounts is caught), each on its own, so
the handler reports "at the limit" when either count has reached its own limit.

A lock lasts the cool-off from the failure that set it: failures while locked are refused but not
counted (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False), so the time the locked-out page
gives is the time the lock ends, and an attacker cannot keep a colleague locked out indefinitely.
"""

import datetime
from dataclasses import dataclass

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Sum
from django.utils import timezone

from signin import services


@dataclass(frozen=True)
class Lock:
    kind: str  # "username" or "address"
    value: str
    failures: int
    limit: int
    until: datetime.datetime


def _limits() -> dict[str, int]:
    return {"username": settings.AXES_FAILURE_LIMIT, "address": settings.IOMS_LOCKOUT_FAILURES_PER_ADDRESS}


def _count(attempts, *, kind: str, value: str, cool_off: datetime.timedelta) -> Lock:
    totals = attempts.aggregate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
    last = totals["last"] or timezone.now()
    return Lock(kind, value, totals["failures"] or 0, _limits()[kind], last + cool_off)


def counts(request, credentials: dict | None = None) -> list[Lock]:
    """The recent failures for the username tried and for the address, each with its own limit."""
    cool_off = get_cool_off(request)
    since = timezone.now() - cool_off
    recent = AccessAttempt.objects.filter(attempt_time__gte=since)
    username = get_client_username(request, credentials)
    address = request.axes_ip_address
    found = []
    if username:
        found.append(
            _count(recent.filter(username=username), kind="username", value=username, cool_off=cool_off)
        )
    if address:
        found.append(
            _count(recent.filter(ip_address=address), kind="address", value=address, cool_off=cool_off)
        )
    return found


def locks(request, credentials: dict | None = None) -> list[Lock]:
    return [count for count in counts(request, credentials) if count.failures >= count.limit]


class LockoutHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials: dict | None = None) -> int:
        # Axes locks when this reaches AXES_FAILURE_LIMIT: report the limit when either count has
        # reached its own limit, otherwise the username's count (below the limit).
        found = counts(request, credentials)
        if any(count.failures >= count.limit for count in found):
            return settings.AXES_FAILURE_LIMIT
        return max((count.failures for count in found if count.kind == "username"), default=0)

    def user_logged_in(self, sender, request, user, **kwargs):
        super().user_logged_in(sender, request, user, **kwargs)
        # The person who got their password right starts again from zero. Only that username's
        # failures are cleared, not the address's: signing in to one's own account must not wipe
        # the count of a password sprayed from the same address at other accounts.
        AccessAttempt.objects.filter(username=user.get_username()).delete()

    def clean_expired_user_attempts(self, request=None, credentials=None) -> int:
        # A lock ends when its cool-off passes; it is recorded when axes clears the expired
        # failures (at the next sign-in, sign-out or failure), just before they go.
        threshold = timezone.now() - get_cool_off(request)
        expired = AccessAttempt.objects.filter(attempt_time__lte=threshold)
        services.lock_ended_record(expired=expired, limits=_limits(), how="the cool-off passed")
        return super().clean_expired_user_attempts(request, credentials)

    def reset_attempts(self, *, ip_address=None, username=None, ip_or_username=False) -> int:
        # manage.py axes_reset, axes_reset_username, axes_reset_ip: an administrator's unlock.
        attempts = AccessAttempt.objects.all()
        if ip_or_username:
            attempts = attempts.filter(ip_address=ip_address) | attempts.filter(username=username)
        else:
            if ip_address:
                attempts = attempts.filter(ip_address=ip_address)
            if username:
                attempts = attempts.filter(username=username)
        still_counted = attempts.filter(attempt_time__gt=timezone.now() - get_cool_off())
        services.lock_ended_record(
            expired=still_counted,
            limits=_limits(),
            how="an administrator cleared it before the cool-off passed",
            actor="manage.py axes_reset",
        )
        return super().reset_attempts(ip_address=ip_address, username=username, ip_or_username=ip_or_username)
