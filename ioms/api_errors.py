"""Turn service-layer validation errors into clear 400 responses in the API, and note every refusal
for the audit trail (audit/refusals.py)."""

from django.core.exceptions import PermissionDenied, ValidationError
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


def _note_refusal(request, exc) -> None:
    if request is None:
        return
    # A machine credential (court, data share) is the API's user, not the page's.
    actor = request.user if getattr(request, "auth", None) is not None else None
    note_exception(request._request, exc, actor=actor)
