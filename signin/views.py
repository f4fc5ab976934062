"""The portal's one sign-in page, sign-out, the page shown to a locked-out sign-in, and the idle
warning's endpoint."""

import time

from axes.helpers import get_client_username
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from ioms.forms import posted
from signin import idle, lockout, second_factor, services
from signin.access import access_user_for_second_factor_reset
from signin.forms import CodeForm, FirstCodeForm


class LoginView(auth_views.LoginView):
    """Django's login page: every success and failure in the audit trail, failures counted by axes
    (AxesStandaloneBackend refuses a locked username or address before the password is checked)."""

    redirect_authenticated_user = True
    http_method_names = ["get", "head", "post", "options"]  # not PUT, which Django's form views take as POST

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


def _safe_next(request, default: str = "home") -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(default)


@never_cache
@require_http_methods(["GET", "POST"])
def otp_verify(request):
    """The step after the password for anyone with a confirmed device."""
    if request.user.is_verified() or not second_factor.has_confirmed_device(request.user):
        return redirect(_safe_next(request))
    form = CodeForm(posted(request))
    if request.method == "POST" and form.is_valid():
        if second_factor.second_factor_verify(request=request, token=form.cleaned_data["code"]):
            return redirect(_safe_next(request))
        form.add_error(
            "code", "That code is not right, or it has been used. Wait for a new code and try again."
        )
    return render(request, "signin/otp_verify.html", {"form": form, "next": _safe_next(request)})


@never_cache
@require_http_methods(["GET", "POST"])
def otp_setup(request):
    """Set up an authenticator app: QR code and secret, then a first code to confirm it. Open to
    everyone; required (by SecondFactorMiddleware) for the roles in IOMS_OTP_REQUIRED_ROLES."""
    user = request.user
    if second_factor.has_confirmed_device(user):
        if not user.is_verified():
            return redirect("signin:otp_verify")
        return render(
            request,
            "signin/otp_setup_done.html",
            {
                "recovery_left": second_factor.recovery_codes_left(user),
                "support_contact": settings.IOMS_SUPPORT_CONTACT,
            },
        )
    device = second_factor.unconfirmed_app_device(user=user)
    form = FirstCodeForm(posted(request))
    if request.method == "POST" and form.is_valid():
        codes = second_factor.app_device_confirm(
            request=request, device=device, token=form.cleaned_data["code"]
        )
        if codes is not None:
            # Shown once, in this answer only: never stored in clear, never shown again.
            return render(
                request, "signin/otp_recovery_codes.html", {"codes": codes, "next": _safe_next(request)}
            )
        form.add_error(
            "code", "That code is not right. Check the app shows IOMS, wait for a new code and try again."
        )
    context = {
        "form": form,
        "qr_svg": mark_safe(second_factor.qr_code_svg(device)),  # drawn by segno from our own URL
        "secret": second_factor.secret_text(device),
        "required": second_factor.second_factor_required(user),
        "next": _safe_next(request),
    }
    return render(request, "signin/otp_setup.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def otp_reset(request, user_pk: int):
    """A system administrator removes another person's second factor (a lost or replaced phone)."""
    target = access_user_for_second_factor_reset(request.user, user_pk)
    if request.method == "POST":
        second_factor.second_factor_reset(actor=request.user, user=target)
        messages.success(
            request, f"The second factor of {target.get_full_name() or target.get_username()} was reset."
        )
        return redirect("signin:otp_reset", user_pk=target.pk)
    context = {"target": target, "has_device": second_factor.has_confirmed_device(target)}
    return render(request, "signin/otp_reset.html", context)
