"""Turn service-layer validation errors into clear 400 responses in the API."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.views import defaults
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            exc = exceptions.ValidationError(exc.message_dict)
        else:
            exc = exceptions.ValidationError({"detail": exc.messages})
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    return drf_exception_handler(exc, context)


def page_not_found(request, exception):
    """handler404: an address under /api/ that no route matches (`/api/v1/agencies/0.2/`) is
    answered as the API answers a missing record, in JSON as the schema documents; pages as before."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)
