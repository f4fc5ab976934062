"""The portal's own 404 and 500 pages with DEBUG on too (`make run`), not Django's technical pages.

Django answers with its technical pages whenever DEBUG is on: an unknown address lists every URL
pattern and an error shows the traceback and the settings, so a developer trying the portal never
sees the pages its users see. With DEBUG on, this middleware answers as production does, through
the configured handler404 and handler500 (ioms/urls.py: an unknown address under /api/ answers
JSON). The traceback of an error still goes to the log (the console under `make run`).
`IOMS_DEBUG_TECHNICAL_PAGES=true` brings Django's technical pages back. With DEBUG off it does
nothing: Django already answers through the handlers.
"""

from django.conf import settings
from django.core import signals
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from django.urls import Resolver404, get_resolver
from django.utils.log import log_response

# Django answers these through handler400/handler403 or its own way whatever DEBUG is; not ours.
NOT_OURS = (PermissionDenied, BadRequest, SuspiciousOperation, MultiPartParserError)


def _portal_pages_wanted() -> bool:
    return settings.DEBUG and not settings.IOMS_DEBUG_TECHNICAL_PAGES


class PortalErrorPagesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _portal_pages_wanted():
            resolver = get_resolver(getattr(request, "urlconf", None))
            try:
                resolver.resolve(request.path_info)
            except Resolver404 as missing:
                # Before Django turns it into the technical 404 (URL resolution happens inside the
                # innermost handler, where no middleware can catch it). CommonMiddleware, further
                # out, still redirects an address missing its final slash.
                return self._answer(request, resolver, 404, missing)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not _portal_pages_wanted() or isinstance(exception, NOT_OURS):
            return None
        resolver = get_resolver(getattr(request, "urlconf", None))
        if isinstance(exception, Http404):
            return self._answer(request, resolver, 404, exception)
        # As Django's own handling of an uncaught exception: the signal (the test client re-raises
        # on it), the handler500 page, and the error logged with its traceback.
        signals.got_request_exception.send(sender=None, request=request)
        response = self._answer(request, resolver, 500, None)
        log_response(
            "%s: %s",
            response.reason_phrase,
            request.path,
            response=response,
            request=request,
            exception=exception,
        )
        return response

    @staticmethod
    def _answer(request, resolver, status: int, exception):
        handler = resolver.resolve_error_handler(status)
        if status == 500:
            return handler(request)
        return handler(request, exception=exception)
