"""The portal's HTTP headers and its production settings (issue 11): a policy that forbids inline
code, no cached copies of anything a signed-in user was shown, HTTPS enforced when deployed, and a
clean `manage.py check --deploy` under the settings the README documents."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from rest_framework.test import APIClient

from staff.roles import Role
from tests.factories import staff_user

pytestmark = pytest.mark.django_db

BASE_DIR = Path(django_settings.BASE_DIR)


def assert_hardened(response) -> None:
    policy = response["Content-Security-Policy"]
    for directive in (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ):
        assert directive in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    features = response["Permissions-Policy"]
    assert "camera=()" in features and "microphone=()" in features and "geolocation=()" in features
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_a_page_shown_to_a_signed_in_user_is_hardened_and_never_stored(client, office):
    client.force_login(staff_user(Role.PROBATION_OFFICER, office=office))
    response = client.get(reverse("offenders:search"))

    assert response.status_code == 200
    assert_hardened(response)
    assert response["Cache-Control"] == "no-store"
    assert response["Pragma"] == "no-cache"


def test_an_api_answer_is_hardened_and_never_stored(office):
    client = APIClient()
    client.force_login(staff_user(Role.SYSTEM_ADMIN, office=office))
    response = client.get("/api/v1/offenders/")

    assert response.status_code == 200
    assert_hardened(response)
    assert response["Cache-Control"] == "no-store"


def test_a_refusal_is_not_stored_either(client, office):
    client.force_login(staff_user(Role.DATA_SHARE, office=office))
    response = client.get(reverse("staff:list"))
    assert response.status_code == 403
    assert response["Cache-Control"] == "no-store"


def test_the_login_page_is_never_stored(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert_hardened(response)
    assert "no-store" in response["Cache-Control"]  # Django's login view says more; it says this too


def test_static_files_keep_their_caching(client, office):
    client.force_login(staff_user(Role.PROBATION_OFFICER, office=office))
    response = client.get("/static/css/ioms.css")

    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    assert "Permissions-Policy" not in response


def test_over_https_plain_http_is_redirected_and_https_gets_hsts(client, settings, office):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    client.force_login(staff_user(Role.PROBATION_OFFICER, office=office))

    plain = client.get("/offenders/")
    assert plain.status_code == 301 and plain["Location"] == "https://testserver/offenders/"

    proxied = client.get("/offenders/", headers={"X-Forwarded-Proto": "https"})
    assert proxied.status_code == 200
    assert proxied["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


# --- the production settings -------------------------------------------------------------------------

PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "a-production-secret-" + "k3y" * 20,
    "DJANGO_ALLOWED_HOSTS": "ioms.corrections.example",
    "IOMS_PROXY_SSL_HEADER": "X-Forwarded-Proto",
    "IOMS_SMTP_HOST": "smtp.corrections.example",
}


def run_django(code: str, **env: str) -> subprocess.CompletedProcess:
    """Settings are read once per process: each configuration is loaded in a process of its own."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("IOMS_", "DJANGO_")) or key == "DJANGO_SETTINGS_MODULE"
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=BASE_DIR,
        env={"DJANGO_SETTINGS_MODULE": "ioms.settings", **environment},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


CHECK_DEPLOY = (
    "from django.core.management import call_command; "
    "call_command('check', deploy=True, fail_level='WARNING')"
)


def test_check_deploy_is_clean_under_the_production_settings():
    result = run_django(
        CHECK_DEPLOY,
        **PRODUCTION,
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_fails_without_https():
    result = run_django(
        CHECK_DEPLOY,
        **PRODUCTION,
        IOMS_HTTPS="false",
    )
    assert result.returncode != 0
    assert "security.W008" in result.stderr and "security.W012" in result.stderr


SHOW = (
    "from django.conf import settings as s; "
    "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, "
    "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_PROXY_SSL_HEADER, "
    "s.MAILERS['default']['BACKEND'])"
)


def test_https_is_on_by_default_in_production():
    result = run_django(SHOW, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "True",
        "31536000",
        "True",
        "True",
        "True",
        "('HTTP_X_FORWARDED_PROTO',",
        "'https')",
        "django.core.mail.backends.smtp.EmailBackend",
    ]


def test_development_runs_over_plain_http_with_mail_on_the_console():
    result = run_django(SHOW, IOMS_ALLOW_DEV_SECRET="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False",
        "0",
        "False",
        "False",
        "False",
        "None",
        "django.core.mail.backends.console.EmailBackend",
    ]


def test_a_bad_https_setting_fails_loudly():
    result = run_django(SHOW, **PRODUCTION, IOMS_HTTPS="perhaps")
    assert result.returncode != 0
    assert "IOMS_HTTPS must be a boolean" in result.stderr


def test_a_browser_reading_the_api_gets_json_not_a_page_the_policy_would_break(office):
    client = APIClient()
    client.force_login(staff_user(Role.SYSTEM_ADMIN, office=office))
    browser_accept = "text/html,application/xhtml+xml,*/*;q=0.8"
    response = client.get("/api/v1/offenders/", headers={"Accept": browser_accept})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
