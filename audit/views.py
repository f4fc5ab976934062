"""The CSRF refusal page, audited. (A record's audit trail is a tab of the record page: portal/views.py;
signing in and out: signin/views.py.)"""

from django.views import csrf

from audit.refusals import note_refusal


def csrf_failure(request, reason: str = ""):
    """Django's CSRF refusal page; the refusal is audited like any other (audit/refusals.py)."""
    note_refusal(request, f"CSRF verification failed: {reason}")
    return csrf.csrf_failure(request, reason=reason)
