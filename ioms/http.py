"""Response headers Django's SecurityMiddleware does not set (issue 11).

Static files never reach this middleware (WhiteNoise answers them first and they keep their caching);
everything the application itself answers carries personal data or leads to it."""

from django.conf import settings


def _permissions_policy(features: list[str]) -> str:
    return ", ".join(f"{feature}=()" for feature in features)


class HardeningHeadersMiddleware:
    """Permissions-Policy on every page, and `Cache-Control: no-store` on every answer to a signed-in
    user (pages, API, downloads) and on the login page, so no shared or back-button cache keeps a record."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.permissions_policy = _permissions_policy(settings.IOMS_PERMISSIONS_POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        if self.permissions_policy:
            response.headers.setdefault("Permissions-Policy", self.permissions_policy)
        if self._carries_personal_data(request):
            # A view that already said no-store keeps its header; any other caching is replaced.
            if "no-store" not in response.get("Cache-Control", ""):
                response["Cache-Control"] = "no-store"
            response.headers.setdefault("Pragma", "no-cache")
        return response

    @staticmethod
    def _carries_personal_data(request) -> bool:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return True
        match = getattr(request, "resolver_match", None)
        # The login page holds the CSRF token and, after a refusal, the username typed; the API's
        # machine clients (court, data share) authenticate inside DRF, after this check can see it.
        return request.path.startswith("/api/") or (match is not None and match.url_name == "login")
