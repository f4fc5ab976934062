"""Turn service-layer validation errors into clear 400 responses in the API, and note every refusal
for the audit trail (audit/refusals.py)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.views import defaults
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler

from audit.refusals import note_exception


def exception_handler(exc, context):
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            exc = exceptions.ValidationError(exc.message_dict)
        else:
            exc = exceptions.ValidationError({"detail": exc.messages})
    elif isinstance(exc, PermissionDenied):
        refused = exc
        exc = exceptions.PermissionDenied(str(exc) or None)
        exc.obj = getattr(refused, "obj", None)
    if isinstance(exc, exceptions.PermissionDenied | exceptions.NotAuthenticated):
        _note_refusal(context.get("request"), exc)
    return drf_exception_handler(exc, context)


def page_not_found(request, exception):
    """handler404: an address under /api/ that no route matches (`/api/v1/agencies/0.2/`) is
    answered as the API answers a missing record, in JSON as the schema documents; pages as before."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


def _note_refusal(request, exc) -> None:
    if request is None:
        return
    # A machine credential (court, data share) is the API's user, not the page's.
    actor = request.user if getattr(request, "auth", None) is not None else None
    note_exception(request._request, exc, actor=actor)
