"""The portal's one sign-in page, sign-out, the page shown to a locked-out sign-in, and the idle
warning's endpoint."""

import time

from axes.helpers import get_client_username
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from signin import idle, lockout, services


class LoginView(auth_views.LoginView):
    """Django's login page: every success and failure in the audit trail, failures counted by axes
    (AxesStandaloneBackend refuses a locked username or address before the password is checked)."""

    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.request.session.pop(idle.SIGNED_OUT_REASON, None) == idle.IDLE:
            context["signed_out_for_idleness"] = settings.IOMS_IDLE_MINUTES
        return context

    def form_valid(self, form):
        response = super().form_valid(form)
        services.login_record(user=form.get_user())
        return response

    def form_invalid(self, form):
        request = self.request
        attempted = form.data.get("username") or ""
        locked_out = bool(getattr(request, "axes_locked_out", False))
        # Axes counts the failure (and sets axes_failures_since_start) unless the sign-in was
        # refused because a lock was already in force.
        counted = getattr(request, "axes_failures_since_start", None) is not None
        services.signin_failed_record(
            username_tried=attempted, refused_while_locked=locked_out and not counted
        )
        if locked_out and counted:
            services.lockout_record(username_tried=attempted, locks=lockout.locks(request))
        return super().form_invalid(form)


class LogoutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated:
            services.logout_record(user=user)
        response = super().post(request, *args, **kwargs)
        messages.info(request, "You have logged out.")
        return response


def locked_out(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the answer to a sign-in refused by a lock, 429 Too Many Requests
    with Retry-After. 429, not 403: nothing about the person's rights was decided, the sign-in was
    refused for the number of attempts and will be accepted again after a time, which is what 429
    and Retry-After say to a person's browser and to a script alike."""
    found = lockout.locks(request, credentials)
    until = max((lock.until for lock in found), default=timezone.now())
    seconds = max(int((until - timezone.now()).total_seconds()), 1)
    context = {
        "until": until,
        "minutes": (seconds + 59) // 60,
        "username": get_client_username(request, credentials) or "",
        "by_address": any(lock.kind == "address" for lock in found),
        "support_contact": settings.IOMS_SUPPORT_CONTACT,
    }
    response = render(request, "signin/locked_out.html", context, status=429)
    response["Retry-After"] = str(seconds)
    return response


@login_not_required  # answers "signed out" itself, rather than a redirect the script cannot read
@never_cache
@require_http_methods(["GET", "POST"])
def session_status(request):
    """The idle warning's endpoint. GET: how long the session has left, without counting as
    activity. POST ("Stay signed in"): renews the session."""
    if not request.user.is_authenticated:
        return JsonResponse(
            {"signed_in": False, "seconds_left": 0}, status=401 if request.method == "POST" else 200
        )
    if request.method == "POST":
        request.session[idle.LAST_ACTIVITY] = time.time()
    return JsonResponse({"signed_in": True, "seconds_left": idle.seconds_left(request.session)})
