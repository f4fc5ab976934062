"""Pages refusing a restricted record (offenders.access.RestrictedRecordDenied) answer 403 with the
masked page: the record exists (so nobody creates a duplicate), its PRN, and the way to break the
glass. The API answers such a refusal itself (DRF turns PermissionDenied into a 403 before this)."""

from django.shortcuts import render

from audit.refusals import note_exception
from offenders.access import RestrictedRecordDenied, can_break_glass


class RestrictedRecordMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, RestrictedRecordDenied):
            return None
        offender = exception.offender
        # Answered here, before AuditContextMiddleware sees the exception: note it for the audit.
        note_exception(request, exception)
        return render(
            request,
            "offenders/restricted.html",
            {
                "prn": offender.prn,
                "offender_id": offender.pk,
                "may_break_glass": can_break_glass(request.user, offender),
            },
            status=403,
        )
