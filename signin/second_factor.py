"""Second factor (TOTP, django-otp): who needs one, setting it up, checking a code, recovery codes,
and an administrator's reset. Every change and every failed code is audited.

A person with a confirmed device gives a code after their password, whatever their role; a person
in one of IOMS_OTP_REQUIRED_ROLES (default: system administrators) without one is sent to set one
up after their password and may do nothing else until it is confirmed (SecondFactorMiddleware)."""

from base64 import b32encode

import segno
from django.conf import settings
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditAction
from audit.services import audit_record
from staff.roles import user_roles

RECOVERY_CODES = 10
# In the session from sign-in: whether the person had a confirmed device then (signin/signals.py).
HAS_DEVICE = "signin_has_device"
APP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"


# --- selectors ---


def has_confirmed_device(user) -> bool:
    return any(True for _ in devices_for_user(user, confirmed=True))


def second_factor_required(user) -> bool:
    return bool(user_roles(user) & set(settings.IOMS_OTP_REQUIRED_ROLES))


def qr_code_svg(device: TOTPDevice) -> str:
    """The device's otpauth:// URL as an inline SVG, drawn here: the secret never leaves the portal."""
    return segno.make(device.config_url, error="m").svg_inline(
        scale=5, dark="#0b0c0c", light="#ffffff", title="QR code to scan with an authenticator app"
    )


def secret_text(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for typing into an app by hand."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


# --- services ---


def unconfirmed_app_device(*, user) -> TOTPDevice:
    """The device being set up: the same secret each time the page is shown, until confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    return device or TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)


@transaction.atomic
def app_device_confirm(*, request, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm the device being set up with a first code. Returns the new recovery codes (shown
    once, never stored in clear anywhere else) or None if the code is wrong."""
    user = request.user
    if not device.verify_token(_digits(token)):
        audit_record(
            actor=user,
            action=AuditAction.LOGIN_FAILED,
            obj=user,
            summary="Wrong first code setting up an authenticator app",
        )
        return None
    # One app per person: confirming a new one replaces any other, and its recovery codes.
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    StaticDevice.objects.filter(user=user).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    recovery = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=recovery, token=code) for code in codes)
    _elevate(request, device)
    audit_record(
        actor=user,
        action=AuditAction.SECOND_FACTOR,
        obj=user,
        summary=f"{user.get_username()} set up an authenticator app and {RECOVERY_CODES} recovery codes",
    )
    return codes


@transaction.atomic
def second_factor_verify(*, request, token: str) -> bool:
    """Check a code from the app, or a recovery code (used up), for the signed-in user."""
    user = request.user
    token = token.strip().replace(" ", "")
    for device in devices_for_user(user, confirmed=True):
        allowed, _ = device.verify_is_allowed()
        candidate = _digits(token) if isinstance(device, TOTPDevice) else token
        if allowed and device.verify_token(candidate):
            _elevate(request, device)
            if isinstance(device, StaticDevice):
                left = device.token_set.count()
                summary = f"{user.get_username()} gave a recovery code ({left} left)"
            else:
                summary = f"{user.get_username()} gave a code from their authenticator app"
            audit_record(actor=user, action=AuditAction.LOGIN, obj=user, summary=summary)
            return True
    audit_record(
        actor=user,
        action=AuditAction.LOGIN_FAILED,
        obj=user,
        summary="Wrong one-time code after the password",
    )
    return False


@transaction.atomic
def second_factor_reset(*, actor, user) -> int:
    """An administrator removes another person's app and recovery codes (a lost phone): they set
    up a new one at their next sign-in (or may sign in with the password alone, if no role of
    theirs requires a second factor)."""
    removed = (
        TOTPDevice.objects.filter(user=user).delete()[0] + StaticDevice.objects.filter(user=user).delete()[0]
    )
    audit_record(
        actor=actor,
        action=AuditAction.SECOND_FACTOR,
        obj=user,
        summary=f"Second factor of {user.get_username()} reset by {actor.get_username()}",
        changes={"devices_removed": removed},
    )
    return removed


def _elevate(request, device) -> None:
    """The session now stands for a full sign-in: a new session key, as Django gives at the
    password step, so a key seen before the code (fixation) is worth nothing after it."""
    request.session.cycle_key()
    otp_login(request, device)


def _digits(token: str) -> str:
    return "".join(character for character in token if character.isdigit())


# --- the gate ---

# Views a person who has given only their password may reach.
_OPEN_TO_HALF_SIGNED_IN = {"login", "logout", "signin:session", "signin:otp_verify", "signin:otp_setup"}


class SecondFactorMiddleware:
    """After OTPMiddleware (which sets user.is_verified()): a session that has only passed the
    password is confined to the second-factor pages until it gives a code, or, for a required
    role without a device, until it sets one up."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        match = request.resolver_match
        if match is not None and match.view_name in _OPEN_TO_HALF_SIGNED_IN:
            return None
        if HAS_DEVICE not in request.session:  # a session from before this check existed
            request.session[HAS_DEVICE] = has_confirmed_device(user)
        if request.session[HAS_DEVICE]:
            step = "signin:otp_verify"
        elif second_factor_required(user):
            step = "signin:otp_setup"
        else:
            return None
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"detail": "Sign in through the portal with your one-time code first."}, status=403
            )
        query = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
        return redirect(f"{reverse(step)}?{query}" if query else reverse(step))
