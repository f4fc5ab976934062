from django.core.exceptions import PermissionDenied

from audit.context import AuditContext, reset_context, set_context
from audit.refusals import audit_refusal, note_exception


class AuditContextMiddleware:
    """Who is acting and from where, for every audit row of the request; and the audit row of a
    refused request (audit/refusals.py), written as the response leaves."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        channel = "api" if request.path.startswith("/api/") else "web"
        token = set_context(
            AuditContext(
                ip_address=request.META.get("REMOTE_ADDR") or None,
                user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
                channel=channel,
            )
        )
        try:
            response = self.get_response(request)
            audit_refusal(request, response)
            return response
        finally:
            reset_context(token)

    def process_exception(self, request, exception):
        if isinstance(exception, PermissionDenied):
            note_exception(request, exception)
