"""Idle time-out: a session ends after IOMS_IDLE_MINUTES without a request, whatever is left of
the absolute limit (SESSION_COOKIE_AGE). The server decides, so it holds without JavaScript; the
warning in static/signin/idle.js only lets a person keep the session before it ends.

The time of the last request is kept in the session, rewritten at most once a minute (a session
write on every request would be a database write on every request)."""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.urls import reverse

from signin import services

LAST_ACTIVITY = "signin_last_activity"
SIGNED_OUT_REASON = "signin_signed_out_reason"
IDLE = "idle"
REFRESH_EVERY_SECONDS = 60


def idle_seconds() -> int:
    return settings.IOMS_IDLE_MINUTES * 60


def seconds_left(session, now: float | None = None) -> int:
    now = time.time() if now is None else now
    last = session.get(LAST_ACTIVITY, now)
    return max(int(last + idle_seconds() - now), 0)


def record_activity(session, now: float | None = None) -> None:
    now = time.time() if now is None else now
    if now - session.get(LAST_ACTIVITY, 0) >= REFRESH_EVERY_SECONDS:
        session[LAST_ACTIVITY] = now


class SessionIdleMiddleware:
    """Listed before LoginRequiredMiddleware: a session idle too long is ended in process_view (by
    then the audit context of the request is set), so the request goes on as an anonymous one and
    the login check sends it to sign in."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return
        now = time.time()
        last = request.session.get(LAST_ACTIVITY)
        if last is not None and now - last > idle_seconds():
            services.session_timed_out_record(user=user, idle_minutes=settings.IOMS_IDLE_MINUTES)
            logout(request)
            request.session[SIGNED_OUT_REASON] = IDLE
        elif not _is_status_check(request):
            # The warning's status check (a GET) must not itself count as activity.
            record_activity(request.session, now)
        return


def _is_status_check(request) -> bool:
    return request.method == "GET" and request.path == reverse("signin:session")
