"""Signing in with a one-time code in tests: force_login's second factor (tests/conftest.py) and the
code pages in the browser (tests/browser_support.py log_in)."""

from base64 import b32decode

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from signin.second_factor import has_confirmed_device, second_factor_required


def would_be_asked_for_a_code(user) -> bool:
    return second_factor_required(user) or has_confirmed_device(user)


def mark_second_factor_given(client, user) -> None:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Test device", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def code_for_key(key: bytes, *, drift: int = 0) -> str:
    totp = TOTP(key, drift=drift)
    return f"{totp.token():06d}"


def code_for_secret(secret_text: str) -> str:
    """The current code for a secret shown on the set-up page (base32, in groups)."""
    return code_for_key(b32decode(secret_text.replace(" ", "")))


def code_for_user(username: str) -> str:
    device = TOTPDevice.objects.get(user__username=username, confirmed=True)
    return code_for_key(device.bin_key, drift=device.drift)
